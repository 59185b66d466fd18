package faults_test

import (
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/faults"
)

// TestNothingLeaks: a whole chain that ends while a request hangs and the
// feed is backing off (the server hangs, the pipeline is cancelled, the
// server closes) leaves no goroutine behind.
func TestNothingLeaks(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("hang then stop", func(t *testing.T) {
		hung := make(chan struct{}, 8)
		r := newRig(t, rigOptions{timeout: time.Hour, onReq: func(_ string, m faults.Mode) { // only the cleanup can end the requests
			if m == faults.Hang {
				hung <- struct{}{}
			}
		}})
		r.start()
		r.srv.SetMode(faults.Hang)
		r.poll()
		for range r.syms {
			select {
			case <-hung:
			case <-time.After(deadline):
				t.Fatal("the requests never reached the hanging handler")
			}
		}
	})
	// Condition with a deadline (goroutines end asynchronously after Close).
	deadlineAt := time.Now().Add(deadline)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadlineAt) {
			var b strings.Builder
			_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
			t.Fatalf("%d goroutines left (was %d):\n%s", runtime.NumGoroutine(), before, b.String())
		}
		<-tick.C
	}
}
