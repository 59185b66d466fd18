package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/study"
	"github.com/capwatch/capwatch/feeds/demo"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/dashboard"
)

// wait bounds every wait of these tests (a whole test takes ~1 s).
const wait = 10 * time.Second

// demoStart is the simulated open the demo streams from: a Tuesday, so the
// history ends on Monday 23 November 2026.
var demoStart = time.Date(2026, 11, 24, 9, 30, 0, 0, calendar.Location())

// rig is the dashboard chain of `--feed demo`, wired by dashboard.New as
// cmd/capwatch wires it: demo feed → app.Pipeline → engine goroutine →
// tea.Program (here a teatest.TestModel) via Send, the dashboard judging ages
// on an app.FeedClock. The wall clock is a clock.Fake the test advances.
type rig struct {
	clk  *clock.Fake
	tm   *teatest.TestModel
	em   *vt.Emulator
	step time.Duration // simulated (and, at Speed 1, wall) time per batch

	start    chan struct{} // closed by startPipeline
	cancel   context.CancelFunc
	pipeDone chan error    // the pipeline's Run result
	drained  chan struct{} // closed when the emulator's input pipe is drained
	stopped  bool
}

// rigOptions vary the chain; the zero value is `capwatch --feed demo` with
// the default configuration (seed 1, speed 1, a batch a second).
type rigOptions struct {
	seed int64
	// step is the demo's quote interval (default 1 s; the feed's own
	// option, not reachable from the config file).
	step time.Duration
}

// newRig builds the chain at w×h and starts the program; the pipeline
// starts with startPipeline.
func newRig(t *testing.T, w, h int, o rigOptions) *rig {
	t.Helper()
	if o.step == 0 {
		o.step = time.Second
	}
	r := &rig{clk: clock.NewFake(demoStart.Add(-time.Minute)), step: o.step, em: vt.NewEmulator(w, h)}
	cfg := config.Default()
	if o.seed != 0 {
		cfg.Feeds.Demo.Seed = o.seed
	}
	ec := cfg.Engine()
	feed, err := demo.New(demo.Options{
		Seed: cfg.Feeds.Demo.Seed, Speed: cfg.Feeds.Demo.Speed, Symbols: ec.Symbols(), Clock: r.clk,
		Small: ec.Small, Large: ec.Large, Start: demoStart, QuoteInterval: o.step,
	})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(ec, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	eng.SetStudy(study.Compute)
	// The production wiring (cmd/capwatch runs the same dashboard.New
	// through dashboard.Run); the program and the dashboard's pending tick
	// end with the context (cancelled by stop, after the quit).
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	d, err := dashboard.New(ctx, dashboard.Options{
		Feed: feed, Engine: eng, Config: cfg, Symbols: ec.Symbols(), Clock: r.clk,
		ProgramOptions: []tea.ProgramOption{
			tea.WithColorProfile(colorprofile.ANSI256),
			tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	r.tm = teatest.NewTestModel(t, d.Model, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(d.ProgramOptions...))

	// The emulator answers terminal queries on its input pipe: drain it.
	r.drained = make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, r.em); close(r.drained) }()

	r.pipeDone = make(chan error, 1)
	r.start = make(chan struct{})
	go func() {
		select {
		case <-r.start:
			r.pipeDone <- d.RunPipeline(ctx, r.tm.Send)
		case <-ctx.Done():
			r.pipeDone <- nil
		}
	}()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// startPipeline lets the pipeline load the history and start the stream.
func (r *rig) startPipeline() { close(r.start) }

// screen replays the program output received so far into the emulator and
// returns the screen's text.
func (r *rig) screen() string {
	b, _ := io.ReadAll(r.tm.Output())
	if len(b) > 0 {
		// Output is not a TTY, so the renderer relies on the terminal
		// mapping \n to \r\n; do that mapping here.
		_, _ = r.em.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
	}
	return r.em.String()
}

// waitFor waits (bounded) until the screen shows every string of want and
// none of not; it returns the screen.
func (r *rig) waitFor(t *testing.T, want []string, not ...string) string {
	t.Helper()
	return r.waitUntil(t, fmt.Sprintf("%q without %q", want, not), func(scr string) bool {
		for _, w := range want {
			if !strings.Contains(scr, w) {
				return false
			}
		}
		for _, n := range not {
			if strings.Contains(scr, n) {
				return false
			}
		}
		return true
	})
}

// waitUntil waits (bounded) until cond holds for the screen; it returns the
// screen.
func (r *rig) waitUntil(t *testing.T, what string, cond func(scr string) bool) string {
	t.Helper()
	var scr string
	if !poll(wait, func() bool { scr = r.screen(); return cond(scr) }) {
		t.Fatalf("the screen never showed %s; last screen:\n%s", what, scr)
	}
	return scr
}

// resize changes the terminal size, as a terminal emulator would on SIGWINCH.
func (r *rig) resize(w, h int) {
	r.em.Resize(w, h)
	r.tm.Send(tea.WindowSizeMsg{Width: w, Height: h})
}

// advance moves the demo's wall clock forward n batches, one step at a
// time, each time once the feed's stream is waiting on it for its next
// batch (at Speed 1, one batch per step of simulated and wall time).
func (r *rig) advance(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		r.awaitStream(t)
		r.clk.Advance(r.step)
	}
	r.awaitStream(t)
}

// awaitStream waits (bounded) until the demo stream sleeps on the fake clock.
func (r *rig) awaitStream(t *testing.T) {
	t.Helper()
	timeout := make(chan struct{})
	tmr := time.AfterFunc(wait, func() { close(timeout) })
	defer tmr.Stop()
	if !r.clk.WaitForWaiters(1, timeout) {
		t.Fatalf("the demo stream never waited on the clock (pipeline: %v)", r.pipeErr())
	}
}

// pipeErr reports the pipeline's result if it has already ended.
func (r *rig) pipeErr() string {
	select {
	case err := <-r.pipeDone:
		r.pipeDone <- err
		if err == nil {
			return "ended without error"
		}
		return "ended: " + err.Error()
	default:
		return "running"
	}
}

// quit types q and checks that the program ends; then, as dashboard.Run
// does once the program has returned, it cancels the pipeline and waits
// for it.
func (r *rig) quit(t *testing.T) {
	t.Helper()
	r.tm.Type("q")
	r.tm.WaitFinished(t, teatestTimeout())
	r.stop(t)
}

// stop ends everything the rig started (idempotent; also the cleanup after a
// failure): the program, the pipeline, the emulator's drain.
func (r *rig) stop(t *testing.T) {
	t.Helper()
	if r.stopped {
		return
	}
	r.stopped = true
	_ = r.tm.Quit()
	r.tm.WaitFinished(t, teatestTimeout())
	r.cancel()
	select {
	case err := <-r.pipeDone:
		if err != nil {
			t.Errorf("pipeline: %v", err)
		}
	case <-time.After(wait):
		t.Errorf("the pipeline did not end within %v of its cancel", wait)
	}
	// End the drain by closing the pipe's writer (Emulator.Close would race
	// with the blocked Read inside vt).
	if c, ok := r.em.InputPipe().(io.Closer); ok {
		_ = c.Close()
		<-r.drained
	}
}

// teatestTimeout bounds the wait for the program's end.
func teatestTimeout() teatest.FinalOpt { return teatest.WithFinalTimeout(wait) }

// poll checks cond every millisecond until it holds (true) or d has passed
// (false).
func poll(d time.Duration, cond func() bool) bool {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			return cond()
		case <-tick.C:
		}
	}
	return true
}

// goroutines counts the running goroutines, leaving out the two that
// teatest.NewTestModel leaves for the life of the process (upstream): its
// SIGINT watcher (blocked until an interrupt that never comes) and the
// os/signal loop that signal.Notify starts. Nothing else may outlive the
// program: the dashboard's pending tick ends with Options.Context. It
// returns the count and the stacks of the counted goroutines.
func goroutines() (n int, stacks string) {
	buf := make([]byte, 1<<20)
	for {
		k := runtime.Stack(buf, true)
		if k < len(buf) {
			buf = buf[:k]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var kept []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		top := ""
		if lines := strings.SplitN(g, "\n", 3); len(lines) > 1 {
			top = lines[1]
		}
		if strings.Contains(top, "teatest/v2.NewTestModel.func") || strings.Contains(g, "os/signal.loop") {
			continue
		}
		kept = append(kept, g)
	}
	return len(kept), strings.Join(kept, "\n\n")
}

// checkGoroutines waits (bounded) until no more goroutines run than base.
func checkGoroutines(t *testing.T, base int) {
	t.Helper()
	if !poll(wait, func() bool { n, _ := goroutines(); return n <= base }) {
		n, stacks := goroutines()
		t.Fatalf("%d goroutines still running after the quit, %d before the start:\n%s", n, base, stacks)
	}
}
