package e2e

import (
	"testing"
)

// screenAt runs the chain with seed for n batches at 120×40 and returns the
// screen once it shows the data time want.
func screenAt(t *testing.T, seed int64, n int, want string) string {
	t.Helper()
	r := newRig(t, 120, 40, rigOptions{seed: seed})
	r.waitFor(t, []string{"DEMO", "waiting for data from demo"})
	r.startPipeline()
	r.advance(t, n)
	scr := r.waitFor(t, []string{want})
	r.quit(t)
	return scr
}

// TestDemoScreenIsReproducible: the same seed gives the same screen, cell
// for cell, however the goroutines of the chain were scheduled (batches
// may be coalesced differently from run to run); another seed gives
// another market.
func TestDemoScreenIsReproducible(t *testing.T) {
	base, _ := goroutines()
	a := screenAt(t, 1, 45, "data 09:30:45 EST")
	b := screenAt(t, 1, 45, "data 09:30:45 EST")
	if a != b {
		t.Errorf("two runs with seed 1 differ:\n%s\n---\n%s", a, b)
	}
	c := screenAt(t, 2, 45, "data 09:30:45 EST")
	if c == a {
		t.Errorf("seeds 1 and 2 give the same screen:\n%s", c)
	}
	checkGoroutines(t, base)
}
