package calendar

import (
	"testing"
	"time"
)

// TestWeekday checks the arithmetic weekday against the time package for
// every day from 1600 to 2400.
func TestWeekday(t *testing.T) {
	for at := time.Date(1600, 1, 1, 12, 0, 0, 0, time.UTC); at.Year() < 2400; at = at.AddDate(0, 0, 1) {
		y, m, d := at.Date()
		if got := (date{y, m, d}).weekday(); got != at.Weekday() {
			t.Fatalf("weekday(%v) = %v, want %v", at.Format(time.DateOnly), got, at.Weekday())
		}
	}
}

// TestSpecialClosuresSorted guards the year-range shortcut in holiday.
func TestSpecialClosuresSorted(t *testing.T) {
	for i := 1; i < len(specialClosures); i++ {
		a, b := specialClosures[i-1].dt, specialClosures[i].dt
		if time.Date(a.y, a.m, a.d, 0, 0, 0, 0, time.UTC).After(time.Date(b.y, b.m, b.d, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("specialClosures not sorted at %d", i)
		}
	}
}

// TestEaster checks the Easter computation against known Easter Sundays.
func TestEaster(t *testing.T) {
	for _, want := range []date{
		{2000, time.April, 23}, {2008, time.March, 23}, {2011, time.April, 24},
		{2019, time.April, 21}, {2024, time.March, 31}, {2025, time.April, 20},
		{2026, time.April, 5}, {2027, time.March, 28}, {2028, time.April, 16},
		{2029, time.April, 1}, {2030, time.April, 21}, {2038, time.April, 25},
	} {
		if got := easter(want.y); got != want {
			t.Errorf("easter(%d) = %v, want %v", want.y, got, want)
		}
	}
}

func TestZeroAndNilCalendar(t *testing.T) {
	at := time.Date(2025, 6, 2, 14, 0, 0, 0, time.UTC) // 10:00 EDT
	var zero Calendar
	var nilCal *Calendar
	for _, c := range []*Calendar{NYSE(), &zero, nilCal} {
		if got := c.StateAt(at); got != Regular {
			t.Errorf("StateAt = %v, want open", got)
		}
	}
}
