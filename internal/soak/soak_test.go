package soak

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/study"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/demo"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/dashboard"
	"github.com/capwatch/capwatch/tui"
)

// soakPlan is how long the soak runs in simulated trading time and how
// finely: one demo batch every interval of simulated time. The demo's own
// default is one batch per simulated second; a coarser interval keeps the
// test fast while the code paths (quotes, minute bars, a daily close, the
// study, the dashboard's panels) are the same.
type soakPlan struct {
	hours    int           // simulated trading hours (the heap baseline is taken after the first)
	interval time.Duration // demo QuoteInterval (simulated time per batch)
}

func planFor() soakPlan {
	switch {
	case testing.Short():
		return soakPlan{hours: 2, interval: 10 * time.Second}
	case raceEnabled:
		return soakPlan{hours: 8, interval: 15 * time.Second}
	}
	return soakPlan{hours: 8, interval: 3 * time.Second}
}

// soakTimeout bounds every wait of the soak (a snapshot, the feed's next
// tick), so a stuck pipeline fails the test instead of hanging it.
const soakTimeout = 2 * time.Minute

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC() // a second cycle also frees what the first one's finalizers released
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// vmRSS returns this process's resident set size from /proc/self/status.
func vmRSS() (uint64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("soak: read rss: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "VmRSS:" && f[2] == "kB" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("soak: parse rss %q: %w", sc.Text(), err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("soak: no VmRSS line in /proc/self/status")
}

// nextSim is the demo's simulated clock rule, written out independently:
// one interval later, or the next trading day's open once the session's
// close is reached (the demo has no extended hours).
func nextSim(cal *calendar.Calendar, t time.Time, d time.Duration) time.Time {
	_, cl, _ := cal.Session(t)
	n := t.Add(d)
	if !n.Before(cl) {
		return cal.NextOpen(cl)
	}
	return n
}

// TestSoak drives eight simulated trading hours of the demo feed through
// the production wiring (dashboard.New: app.Pipeline, feed → engine with the
// study → snapshots) into the dashboard model (Update and View for every snapshot
// and status), on a fake wall clock stepped in lockstep with the feed. The
// run crosses a session close (daily bars commit, the study reruns, the
// demo jumps to the next open) and resizes the dashboard every simulated
// hour. Afterwards: the live heap is within 10 % of its level after the
// first simulated hour, every goroutine the run started has ended, and the
// RSS is logged (the 40 MB goal is not asserted: the figure depends on when
// the runtime returns freed pages; see the log). Throughout, the dashboard
// says DEMO, never marks the healthy feed's data stale, and every snapshot
// is as of the feed's simulated time.
func TestSoak(t *testing.T) {
	plan := planFor()
	cal := calendar.NYSE()
	ny := calendar.Location()
	startGoroutines := runtime.NumGoroutine()

	cfg := engine.DefaultConfig()
	symbols := cfg.Symbols()
	simStart := time.Date(2025, time.March, 10, 9, 30, 0, 0, ny) // a Monday open
	wall := clock.NewFake(time.Date(2026, time.January, 5, 14, 0, 0, 0, time.UTC))
	feed, err := demo.New(demo.Options{
		Seed: 1, Speed: 1, Clock: wall, Symbols: symbols, Start: simStart,
		QuoteInterval: plan.interval, Small: cfg.Small, Large: cfg.Large,
	})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(cfg, cal)
	if err != nil {
		t.Fatal(err)
	}
	eng.SetStudy(study.Compute)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The production wiring (cmd/capwatch runs the same dashboard.New
	// through dashboard.Run); this goroutine is the program's event loop.
	dcfg := config.Default()
	dcfg.Feeds.Demo.Speed = 1
	d, err := dashboard.New(ctx, dashboard.Options{Feed: feed, Engine: eng, Config: dcfg, Symbols: symbols, Clock: wall})
	if err != nil {
		t.Fatal(err)
	}
	model := d.Model
	sizes := []tea.WindowSizeMsg{{Width: 200, Height: 50}, {Width: 120, Height: 40}, {Width: 80, Height: 24}}
	model, _ = model.Update(sizes[0])

	snaps := make(chan *engine.Snapshot, 8)
	statuses := make(chan feeds.Status, 8)
	send := func(m tea.Msg) {
		switch m := m.(type) {
		case tui.SnapshotMsg:
			select {
			case snaps <- m.Snap:
			case <-ctx.Done():
			}
		case tui.StatusMsg:
			select {
			case statuses <- m.Status:
			case <-ctx.Done():
			}
		}
	}
	pipeDone := make(chan error, 1)
	pipeEnded := make(chan struct{})
	go func() {
		defer close(pipeEnded)
		pipeDone <- d.RunPipeline(ctx, send)
	}()
	t.Cleanup(func() { // also after a failed check: leave nothing running
		cancel()
		select {
		case <-pipeEnded:
		case <-time.After(soakTimeout):
			t.Errorf("the pipeline did not end within %v of cancel", soakTimeout)
		}
	})

	// stuck closes when no snapshot came for soakTimeout: a bound on each
	// wait, not on the whole soak (a loaded machine, or the race detector,
	// makes the whole soak slow but never stalls it).
	stuck := make(chan struct{})
	progress := make(chan struct{}, 1)
	go func() { // turns the watchdog into a close for WaitForWaiters
		timeout := time.NewTimer(soakTimeout)
		defer timeout.Stop()
		for {
			select {
			case <-progress:
				timeout.Reset(soakTimeout)
			case <-timeout.C:
				close(stuck)
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	recv := func(what string) *engine.Snapshot {
		t.Helper()
		select {
		case s := <-snaps:
			select {
			case progress <- struct{}{}:
			default:
			}
			return s
		case err := <-pipeDone:
			t.Fatalf("%s: pipeline ended early: %v", what, err)
		case <-stuck:
			t.Fatalf("%s: no snapshot within %v", what, soakTimeout)
		}
		return nil
	}
	view := func(s *engine.Snapshot, checkStale bool) {
		t.Helper()
		for {
			select {
			case st := <-statuses:
				model, _ = model.Update(tui.StatusMsg{Status: st})
				continue
			default:
			}
			break
		}
		model, _ = model.Update(tui.SnapshotMsg{Snap: s})
		v := model.View()
		if !strings.Contains(v.Content, "DEMO") {
			t.Fatalf("snapshot %d: the dashboard does not say DEMO:\n%s", s.Seq, v.Content)
		}
		if checkStale && strings.Contains(v.Content, "STALE") { // the feed is healthy and on time throughout
			t.Fatalf("snapshot %d: the dashboard marks fresh data stale:\n%s", s.Seq, v.Content)
		}
	}

	// The history load publishes first. The demo's first batch (the open)
	// follows at once and may already have moved the feed's clock to
	// Monday's open when this goroutine draws Friday's close: that frame is
	// rightly stale, for the instant before the batch's snapshot.
	view(recv("history"), false)
	batches := int(time.Duration(plan.hours) * time.Hour / plan.interval)
	perHour := int(time.Hour / plan.interval)
	var baseline uint64
	sim := simStart
	for k := 1; ; k++ {
		s := recv(fmt.Sprintf("batch %d", k))
		if !s.AsOf.Equal(sim) {
			t.Fatalf("batch %d: snapshot as of %v, want the feed's simulated time %v", k, s.AsOf.In(ny), sim.In(ny))
		}
		if len(s.Symbols) != len(symbols) {
			t.Fatalf("batch %d: %d symbols, want %d", k, len(s.Symbols), len(symbols))
		}
		view(s, true)
		if k%perHour == 0 { // every simulated hour: a resize
			model, _ = model.Update(sizes[(k/perHour)%len(sizes)])
			model.View()
		}
		if k == perHour {
			baseline = heapInUse()
			t.Logf("after 1 simulated hour (%d batches, sim %v): heap in use %.1f MB", k, sim.In(ny).Format("Jan 2 15:04"), float64(baseline)/1e6)
		}
		if k == batches {
			break
		}
		if !wall.WaitForWaiters(1, stuck) {
			t.Fatalf("batch %d: the feed never waited for its next tick", k)
		}
		wall.Advance(plan.interval) // Speed 1: wall time per batch = simulated interval
		sim = nextSim(cal, sim, plan.interval)
	}
	if d := cal.TradingDate(sim); plan.hours >= 7 && !d.After(cal.TradingDate(simStart)) {
		t.Fatalf("the soak never crossed a session close (ended %v)", sim.In(ny))
	}
	end := heapInUse()
	t.Logf("after %d simulated hours (%d batches, sim %v): heap in use %.1f MB", plan.hours, batches, sim.In(ny).Format("Jan 2 15:04"), float64(end)/1e6)
	if lo, hi := float64(baseline)*0.9, float64(baseline)*1.1; float64(end) < lo || float64(end) > hi {
		t.Errorf("heap in use %d B after %d simulated hours, want within 10%% of %d B (after the first hour)", end, plan.hours, baseline)
	}

	// RSS of the running dashboard process (pipeline still up) after the soak.
	if runtime.GOOS == "linux" {
		rss, err := vmRSS()
		if err != nil {
			t.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		note := ""
		if raceEnabled {
			note = " (race detector build: not representative)"
		}
		t.Logf("RSS after the soak%s: %.1f MiB (heap: sys %.1f MiB, released %.1f MiB; stacks %.1f MiB; other runtime %.1f MiB)", note,
			float64(rss)/(1<<20), float64(ms.HeapSys)/(1<<20), float64(ms.HeapReleased)/(1<<20), float64(ms.StackSys)/(1<<20), float64(ms.Sys-ms.HeapSys-ms.StackSys)/(1<<20))
	} else {
		t.Logf("RSS not measured on %s", runtime.GOOS)
	}

	cancel()
	select {
	case err := <-pipeDone:
		if err != nil {
			t.Errorf("pipeline: %v", err)
		}
	case <-time.After(soakTimeout):
		t.Fatalf("the pipeline did not end within %v of cancel", soakTimeout)
	}
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > startGoroutines && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if n := runtime.NumGoroutine(); n > startGoroutines {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after the soak, %d before:\n%s", n, startGoroutines, buf[:runtime.Stack(buf, true)])
	}
}
