package rotation

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// TestDayAgainstTime checks the civil-date arithmetic against the time
// package (an independent implementation) over random dates 1800–2200.
func TestDayAgainstTime(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	epoch := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 20000 {
		n := rng.IntN(146097*4) - 146097*2 // ±800 years around 1970
		tt := epoch.AddDate(0, 0, n)
		d := DayOf(tt)
		if int(d) != n {
			t.Fatalf("DayOf(%s) = %d, want %d", tt.Format(time.DateOnly), d, n)
		}
		y, m, dd := d.Date()
		if y != tt.Year() || m != tt.Month() || dd != tt.Day() {
			t.Fatalf("Day(%d).Date() = %d-%d-%d, want %s", n, y, m, dd, tt.Format(time.DateOnly))
		}
		if d.Weekday() != tt.Weekday() {
			t.Fatalf("Day(%d).Weekday() = %v, want %v", n, d.Weekday(), tt.Weekday())
		}
		// Same week ⇔ same ISO week (ISO weeks run Monday–Sunday).
		u := tt.AddDate(0, 0, rng.IntN(15)-7)
		y1, w1 := tt.ISOWeek()
		y2, w2 := u.ISOWeek()
		if same := y1 == y2 && w1 == w2; same != (d.Week() == DayOf(u).Week()) {
			t.Fatalf("%s and %s: same ISO week %v, Week() %d vs %d", tt.Format(time.DateOnly), u.Format(time.DateOnly), same, d.Week(), DayOf(u).Week())
		}
		if u.After(tt) && DayOf(u).Week() < d.Week() {
			t.Fatalf("Week not monotonic: %s", tt.Format(time.DateOnly))
		}
		if tt.Year() >= 1000 && d.String() != tt.Format(time.DateOnly) {
			t.Fatalf("String() = %s, want %s", d, tt.Format(time.DateOnly))
		}
	}
}

func TestDayInLocation(t *testing.T) {
	ny := calendar.Location()
	// A daily bar's time is New York midnight: its civil date is the trading date.
	tt := time.Date(2025, 3, 9, 0, 0, 0, 0, ny) // the DST change day
	d := DayOf(tt)
	if d.String() != "2025-03-09" || !d.In(ny).Equal(tt) {
		t.Errorf("DayOf(%v) = %s, In = %v", tt, d, d.In(ny))
	}
	// Late evening in New York is already the next day in UTC: DayOf uses t's own zone.
	if got := DayOf(time.Date(2025, 3, 9, 23, 0, 0, 0, ny)).String(); got != "2025-03-09" {
		t.Errorf("evening NY: %s", got)
	}
}

func TestDayJSON(t *testing.T) {
	d := DayOf(time.Date(2024, 3, 28, 0, 0, 0, 0, time.UTC))
	b, err := json.Marshal(Point{Week: d})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"week":"2024-03-28","rs_ratio":null,"rs_momentum":null}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var p Point
	if err := json.Unmarshal(b, &p); err != nil || p.Week != d {
		t.Errorf("round trip: %v %v", p.Week, err)
	}
	if err := json.Unmarshal([]byte(`{"week":"2024-13-01"}`), &p); err == nil {
		t.Error("bad date accepted")
	}
	if _, err := Day(-800000).MarshalText(); err == nil {
		t.Error("year before 0 accepted")
	}
}
