package calendar

import (
	"testing"
	"time"
)

func TestCountdown(t *testing.T) {
	c := NYSE()
	sec := func(t time.Time, s int) time.Time { return t.Add(time.Duration(s) * time.Second) }
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{ny(2025, 6, 2, 13, 47), "open, closes in 2h13m"},
		{ny(2025, 6, 2, 15, 13), "open, closes in 47m"},
		{sec(ny(2025, 6, 2, 15, 59), 25), "open, closes in 35s"},
		{sec(ny(2025, 6, 2, 15, 58), 30), "open, closes in 2m"}, // 90s rounds up
		{sec(ny(2025, 6, 2, 15, 59), 0), "open, closes in 1m"},
		{sec(ny(2025, 6, 2, 15, 59), 59).Add(500 * time.Millisecond), "open, closes in 1s"},
		{ny(2025, 6, 2, 9, 30), "open, closes in 6h30m"},
		{ny(2026, 11, 27, 11, 13), "open, early close in 1h47m"},
		{ny(2025, 6, 2, 8, 25), "pre-market, opens in 1h05m"},
		{ny(2025, 6, 2, 4, 0), "pre-market, opens in 5h30m"},
		{ny(2025, 6, 2, 16, 50), "after hours, ends in 3h10m"},
		{ny(2025, 12, 24, 13, 0), "after hours, ends in 4h00m"},
		{ny(2025, 6, 2, 2, 0), "closed, opens in 7h30m"},
		{ny(2025, 6, 2, 21, 0), "closed, opens in 12h30m"},
		{ny(2025, 6, 6, 21, 0), "closed, opens Mon 09:30"},
		{ny(2025, 12, 24, 18, 0), "closed, opens Fri 09:30"}, // 39h30m away
		{ny(2026, 11, 25, 20, 0), "closed, opens Fri 09:30"}, // Thanksgiving next
		{ny(2026, 11, 25, 9, 29), "pre-market, opens in 1m"},
		{ny(2025, 6, 7, 12, 0), "closed: weekend, opens Mon 09:30"},
		{ny(2026, 9, 5, 12, 0), "closed: weekend, opens Tue 09:30"}, // Labor Day Monday
		{ny(2026, 11, 26, 10, 0), "closed: Thanksgiving, opens Fri 09:30"},
		{ny(2026, 1, 19, 10, 0), "closed: MLK Day, opens Tue 09:30"},
		{ny(2026, 2, 16, 10, 0), "closed: Presidents Day, opens Tue 09:30"},
		{ny(2027, 7, 5, 10, 0), "closed: Fourth of July, opens Tue 09:30"},
		{ny(2025, 1, 9, 10, 0), "closed: Day of Mourning, opens Fri 09:30"},
		{ny(2025, 12, 25, 23, 0), "closed: Christmas, opens Fri 09:30"},
		{utc(2025, 3, 10, 12, 0), "pre-market, opens in 1h30m"}, // 08:00 EDT, DST day
		{utc(2025, 11, 3, 12, 0), "pre-market, opens in 2h30m"}, // 07:00 EST
		{utc(2025, 3, 9, 20, 0), "closed: weekend, opens Mon 09:30"},
		{ny(2025, 3, 8, 23, 0), "closed: weekend, opens Mon 09:30"},
	} {
		got := c.Countdown(tc.at)
		if got != tc.want {
			t.Errorf("Countdown(%v) = %q, want %q", tc.at.In(Location()), got, tc.want)
		}
		if len(got) > 40 {
			t.Errorf("Countdown(%v) = %q is %d chars, want ≤ 40", tc.at, got, len(got))
		}
	}
}

func TestHumanDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{-time.Second, "0s"},
		{time.Nanosecond, "1s"},
		{35 * time.Second, "35s"},
		{59 * time.Second, "59s"},
		{60 * time.Second, "1m"},
		{61 * time.Second, "2m"},
		{47 * time.Minute, "47m"},
		{59*time.Minute + 1, "1h00m"},
		{65 * time.Minute, "1h05m"},
		{2*time.Hour + 13*time.Minute, "2h13m"},
		{26*time.Hour + 3*time.Minute, "26h03m"},
	} {
		if got := humanDuration(tc.d); got != tc.want {
			t.Errorf("humanDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestUpcoming: what the dashboard and `capwatch status` count to, on
// hand-computed cases (New York time) across a weekend, a holiday and a
// half-day. QA-1 item 12: Sunday 20:47 counted to the 04:00 pre-market
// (7h13m) on the dashboard and to the 09:30 open (12h) in the status line.
func TestUpcoming(t *testing.T) {
	c := NYSE()
	for _, tc := range []struct {
		name string
		at   time.Time
		ev   Event
		when time.Time
		left time.Duration // when − at, computed by hand
	}{
		{"Sunday night → Monday's open, not 04:00", ny(2026, 12, 6, 20, 47), EventOpen, ny(2026, 12, 7, 9, 30), 12*time.Hour + 43*time.Minute},
		{"Monday 03:00", ny(2026, 12, 7, 3, 0), EventOpen, ny(2026, 12, 7, 9, 30), 6*time.Hour + 30*time.Minute},
		{"pre-market", ny(2026, 12, 7, 8, 25), EventOpen, ny(2026, 12, 7, 9, 30), time.Hour + 5*time.Minute},
		{"regular session", ny(2026, 12, 7, 13, 47), EventClose, ny(2026, 12, 7, 16, 0), 2*time.Hour + 13*time.Minute},
		{"after hours", ny(2026, 12, 7, 16, 50), EventAfterHoursEnd, ny(2026, 12, 7, 20, 0), 3*time.Hour + 10*time.Minute},
		// Weekend: Friday 20:47 → Monday 09:30 = 3d less 11h17m = 60h43m.
		{"Friday night, weekend", ny(2026, 12, 4, 20, 47), EventOpen, ny(2026, 12, 7, 9, 30), 60*time.Hour + 43*time.Minute},
		{"Saturday noon", ny(2026, 12, 5, 12, 0), EventOpen, ny(2026, 12, 7, 9, 30), 45*time.Hour + 30*time.Minute},
		// Holiday: Thanksgiving Thu 2026-11-26 is skipped; Wed 21:00 → Fri 09:30 = 36h30m.
		{"eve of Thanksgiving", ny(2026, 11, 25, 21, 0), EventOpen, ny(2026, 11, 27, 9, 30), 36*time.Hour + 30*time.Minute},
		{"Thanksgiving 10:00", ny(2026, 11, 26, 10, 0), EventOpen, ny(2026, 11, 27, 9, 30), 23*time.Hour + 30*time.Minute},
		// Half-day: Fri 2026-11-27 closes at 13:00, after hours end at 17:00.
		{"half-day session", ny(2026, 11, 27, 11, 13), EventClose, ny(2026, 11, 27, 13, 0), time.Hour + 47*time.Minute},
		{"half-day after hours", ny(2026, 11, 27, 14, 0), EventAfterHoursEnd, ny(2026, 11, 27, 17, 0), 3 * time.Hour},
		{"half-day evening → Monday", ny(2026, 11, 27, 17, 30), EventOpen, ny(2026, 11, 30, 9, 30), 64 * time.Hour},
		// Christmas Eve (Thu, half-day) then Christmas (Fri): Thu 17:00 → Mon 12-28 09:30 = 88h30m.
		{"Christmas Eve close → after Christmas weekend", ny(2026, 12, 24, 17, 0), EventOpen, ny(2026, 12, 28, 9, 30), 88*time.Hour + 30*time.Minute},
		// Across the DST change (Sun 2026-03-08): Fri 20:00 EST → Mon 09:30 EDT is 61h30m on the wall less the lost hour.
		{"weekend across DST", ny(2026, 3, 6, 20, 0), EventOpen, ny(2026, 3, 9, 9, 30), 61*time.Hour + 30*time.Minute - time.Hour},
	} {
		ev, when := c.Upcoming(tc.at)
		if ev != tc.ev || !when.Equal(tc.when) || when.Sub(tc.at) != tc.left {
			t.Errorf("%s: Upcoming(%v) = %v at %v (in %v), want %v at %v (in %v)", tc.name, tc.at, ev, when, when.Sub(tc.at), tc.ev, tc.when, tc.left)
		}
	}
}
