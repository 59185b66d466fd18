package e2e

import (
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/tui"
)

// TestClosedMarketTickEndsWithContext: while the market is closed the
// dashboard ticks once a minute. When the program ends without the quit key
// (a signal: cmd/capwatch cancels the program's context), that pending tick
// must end with the context, not wait out its minute: the goroutine count
// is strict (only teatest's own watchers are left out).
func TestClosedMarketTickEndsWithContext(t *testing.T) {
	base, _ := goroutines()
	r := newRig(t, 120, 40, rigOptions{})
	r.waitFor(t, []string{"DEMO", "waiting for data from demo"})
	// A closed-market snapshot (no pipeline): the tick becomes a minute's.
	// The clock is at a closed hour too (20:29): the status line's session
	// is the clock's, not the snapshot's.
	r.clk.Advance(11 * time.Hour)
	closed := demoStart.Add(-15 * time.Hour)
	r.tm.Send(tui.SnapshotMsg{Snap: &engine.Snapshot{
		Feed: "demo", AsOf: closed,
		Session: engine.SessionInfo{State: "closed", Countdown: "opens tomorrow"},
	}})
	r.waitFor(t, []string{"○ closed"}, "waiting for data")
	r.stop(t) // tea.Quit without the key, then the context is cancelled
	checkGoroutines(t, base)
}
