package breadth

import (
	"testing"
	"time"
)

func TestDayOfMatchesUnixDays(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	for _, loc := range []*time.Location{time.UTC, ny} {
		for d := time.Date(1969, 12, 25, 0, 0, 0, 0, time.UTC); d.Year() < 2081; d = d.AddDate(0, 0, 1) {
			want := Day(d.Unix() / 86400)
			if d.Unix() < 0 && d.Unix()%86400 != 0 {
				want--
			}
			in := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
			if got := DayOf(in); got != want {
				t.Fatalf("DayOf(%v) = %d, want %d", in, got, want)
			}
			if got := want.String(); got != d.Format("2006-01-02") {
				t.Fatalf("Day(%d).String() = %s, want %s", want, got, d.Format("2006-01-02"))
			}
		}
	}
}
