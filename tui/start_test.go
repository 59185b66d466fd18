package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
)

// TestHistoryBeforeStartIsHeld: a demo's snapshot of its history alone
// (taken at the previous day's end, before the demo's simulated open) is
// not shown: the status line says the history is in and the first quotes
// are awaited, counting wall seconds, and the panels have no data — no
// "closed · opens in 7h59m", no day-old change as today's (QA-1 item 19);
// the first snapshot at the open is shown, and later ones whatever their
// time.
func TestHistoryBeforeStartIsHeld(t *testing.T) {
	open := time.Date(2026, 11, 24, 9, 30, 0, 0, testLoc)
	hist := testSnapshot(1)
	hist.Now = time.Date(2026, 11, 23, 20, 0, 0, 0, testLoc)
	hist.AsOf = time.Date(2026, 11, 23, 16, 0, 0, 0, testLoc)
	hist.Session = engine.SessionInfo{State: "closed", NextChange: time.Date(2026, 11, 24, 4, 0, 0, 0, testLoc)}
	for _, sz := range []struct{ w, h int }{{80, 23}, {120, 40}} {
		m, clk := testModelAt(t, Options{Start: open}, open.Add(-2*time.Second))
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: hist})
		clk.Advance(2 * time.Second)
		m = update(m, tickMsg{gen: m.tickGen})
		scr := screen(m)
		top := strings.SplitN(scr, "\n", 2)[0]
		if !strings.Contains(top, "waiting for the first quotes from demo… 2s") {
			t.Errorf("%dx%d: the status line does not say the quotes are awaited: %q", sz.w, sz.h, top)
		}
		for _, bad := range []string{"closed", "old", "Nov 23", "▲", "▼"} {
			if strings.Contains(scr, bad) {
				t.Errorf("%dx%d: %q shown before the demo's open:\n%s", sz.w, sz.h, bad, scr)
			}
		}
		live := testSnapshot(2)
		live.Now, live.AsOf = open, open
		m = update(m, SnapshotMsg{Snap: live})
		if top := strings.SplitN(screen(m), "\n", 2)[0]; !strings.Contains(top, "09:30:00") {
			t.Errorf("%dx%d: the snapshot at the open is not shown: %q", sz.w, sz.h, top)
		}
		// Once data is shown nothing is held back (a pair switch's snapshot
		// carries the feed's time, whatever it is).
		later := testSnapshot(3)
		later.Now = hist.Now
		later.AsOf = hist.AsOf
		if top := strings.SplitN(screen(update(m, SnapshotMsg{Snap: later})), "\n", 2)[0]; !strings.Contains(top, "Nov 23") {
			t.Errorf("%dx%d: a snapshot after the first was held: %q", sz.w, sz.h, top)
		}
	}
}
