package e2e

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestDemoPauseHoldsLiveData: with the chain running, p freezes the display
// while the feed and engine go on (the status says new data is waiting); p
// again shows the newest data at once. ctrl+c ends the program and the
// chain like q does.
func TestDemoPauseHoldsLiveData(t *testing.T) {
	base, _ := goroutines()
	r := newRig(t, 160, 45, rigOptions{})
	r.waitFor(t, []string{"DEMO", "waiting for data from demo"})
	r.startPipeline()
	r.awaitStream(t)
	r.waitFor(t, []string{"data 09:30:00 EST"})

	r.tm.Type("p")
	r.waitFor(t, []string{"PAUSED", "data 09:30:00 EST"}, "new data waiting")
	// More batches than the pipeline's queues hold: the feed only keeps
	// streaming if the paused dashboard still takes every snapshot.
	r.advance(t, 30)
	r.waitFor(t, []string{"PAUSED", "new data waiting (p resumes)", "data 09:30:00 EST"})

	r.tm.Type("p")
	r.waitFor(t, []string{"data 09:30:30 EST"}, "PAUSED", "new data waiting")
	r.advance(t, 1)
	r.waitFor(t, []string{"data 09:30:31 EST"})

	r.tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	r.tm.WaitFinished(t, teatestTimeout())
	r.stop(t)
	checkGoroutines(t, base)
}
