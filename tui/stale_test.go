package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/feeds"
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

// TestAgeSaysItsClock: the status line says which clock the data's age is
// on (QA-1 item 24: "57s old" at --speed 600 read as wall seconds): the
// demo's badge carries its speed ("DEMO ×600", at every width), the age's
// longest form says "(demo clock)" or "(replay clock)", and a live feed's
// age is plain (the wall clock).
func TestAgeSaysItsClock(t *testing.T) {
	for _, tc := range []struct {
		name        string
		opts        Options
		badge, want string
	}{
		{"demo ×600", Options{Feed: "demo", Kind: feeds.KindDemo, Speed: 600}, "DEMO ×600", "12s old (demo clock)"},
		{"demo ×1", Options{Feed: "demo", Kind: feeds.KindDemo, Speed: 1}, "DEMO ", "12s old (demo clock)"},
		{"replay", Options{Feed: "replay", Kind: feeds.KindReplay}, "REPLAY", "12s old (replay clock)"},
		{"live", Options{Feed: "yahoo", Kind: feeds.KindLive}, "", "12s old │"},
	} {
		m, _ := testModel(t, tc.opts)
		for _, w := range []int{120, 80, 60} {
			m = update(m, tea.WindowSizeMsg{Width: w, Height: 40}, SnapshotMsg{Snap: testSnapshot(1)})
			top := strings.SplitN(screen(m), "\n", 2)[0]
			if !strings.Contains(top, tc.badge) || strings.Contains(top, "DEMO ×1") {
				t.Errorf("%s %d cols: badge %q missing: %q", tc.name, w, tc.badge, top)
			}
			if w == 120 && !strings.Contains(top, tc.want) {
				t.Errorf("%s %d cols: %q missing: %q", tc.name, w, tc.want, top)
			}
			if !strings.Contains(top, "12s old") || tc.opts.Kind == feeds.KindLive && strings.Contains(top, "clock") {
				t.Errorf("%s %d cols: the age: %q", tc.name, w, top)
			}
		}
	}
}
