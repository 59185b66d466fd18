package tui

import (
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

func TestStale(t *testing.T) {
	ny := calendar.Location()
	at := func(d, h, mi, s int) time.Time { return time.Date(2026, 11, d, h, mi, s, 0, ny) }
	cal := calendar.NYSE()
	const lim = 2 * time.Minute
	cases := []struct {
		name      string
		asOf, now time.Time
		limit     time.Duration
		feedOK    bool
		want      bool
	}{
		{"zero time", time.Time{}, at(24, 11, 0, 0), lim, true, false},
		{"no limit", at(24, 9, 30, 0), at(24, 11, 0, 0), 0, true, false},
		{"open, exactly the limit", at(24, 10, 58, 0), at(24, 11, 0, 0), lim, true, false},
		{"open, a second over", at(24, 10, 57, 59), at(24, 11, 0, 0), lim, true, true},
		{"after-hours close, healthy", at(24, 16, 0, 0), at(24, 16, 20, 0), lim, true, false},
		{"after-hours close, feed down", at(24, 16, 0, 0), at(24, 16, 20, 0), lim, false, true},
		{"after-hours, just before the last minute", at(24, 15, 58, 59), at(24, 16, 20, 0), lim, true, true},
		{"early close day after-hours", at(27, 13, 0, 0), at(27, 14, 0, 0), lim, true, false},
		{"early close day, 15:59 was not a session minute", at(27, 12, 0, 0), at(27, 14, 0, 0), lim, true, true},
		{"Monday pre-market, Friday's close", at(27, 13, 0, 0), at(30, 7, 0, 0), lim, true, false},
	}
	for _, c := range cases {
		if got := Stale(c.asOf, c.now, c.limit, cal, c.feedOK); got != c.want {
			t.Errorf("%s: Stale = %v, want %v", c.name, got, c.want)
		}
	}
}
