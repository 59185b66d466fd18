package e2e

import (
	"regexp"
	"testing"
	"time"
)

// TestDemoAgesGrowBetweenBatches: the dashboard never shows data fresher
// than it is. With a batch per simulated minute, while the wall clock runs
// on without a new batch the status line keeps the data time and its age
// is exactly the time passed, as does every quote's age; the next
// batch brings the new time and a zero age.
func TestDemoAgesGrowBetweenBatches(t *testing.T) {
	base, _ := goroutines()
	r := newRig(t, 120, 40, rigOptions{step: time.Minute})
	r.waitFor(t, []string{"DEMO", "waiting for data from demo"})
	r.startPipeline()
	r.awaitStream(t)
	r.waitFor(t, []string{"data 09:30:00 EST · 0s old"})

	// Short of the feed's next batch (60 s of wall time at Speed 1).
	r.clk.Advance(59 * time.Second)
	scr := r.waitFor(t, []string{"data 09:30:00 EST · 59s old"})
	for _, sym := range []string{"IWM", "SPY", "QQQ"} {
		if !regexp.MustCompile(sym + ` .* 59s │`).MatchString(scr) {
			t.Errorf("the %s quote's age is not 59s:\n%s", sym, scr)
		}
	}

	r.advance(t, 1) // the 60th second: the next batch
	r.waitFor(t, []string{"data 09:31:00 EST · 0s old"}, "59s")
	r.quit(t)
	checkGoroutines(t, base)
}
