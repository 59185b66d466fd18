package app

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds/replay"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/signals"
)

// holdRunner is an engine that takes an Input only when the test lets it
// (a token on gate): while it waits the pipeline queues and coalesces the
// feed's batches, as on a loaded machine.
type holdRunner struct {
	e    *engine.Engine
	gate chan struct{}
}

func (g holdRunner) Run(ctx context.Context, in <-chan engine.Input, publish func(*engine.Snapshot)) error {
	out := make(chan engine.Input)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			var inp engine.Input
			select {
			case inp = <-in:
			case <-ctx.Done():
				return
			}
			select {
			case <-g.gate:
			case <-ctx.Done():
				return
			}
			select {
			case out <- inp:
			case <-ctx.Done():
				return
			}
		}
	}()
	err := g.e.Run(ctx, out, publish)
	wg.Wait()
	return err
}

// replayRun replays feeds/replay's test data from 2025-03-03 at speed
// (trading days per second of the fake clock) through the pipeline into a
// signal log, letting the engine take its queued Inputs only every hold
// replayed days (hold 1: one day per Input). It returns the log and the
// largest number of days one Input applied.
func replayRun(t *testing.T, speed float64, hold int) (recs []signals.Record, maxDays int) {
	t.Helper()
	start := time.Date(2025, 12, 1, 15, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	f, err := replay.New(replay.Options{Dir: filepath.Join("..", "..", "feeds", "replay", "testdata", "replay"),
		ReplayFrom: time.Date(2025, 3, 3, 0, 0, 0, 0, calendar.Location()), Speed: speed, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	cfg := pairConfig()
	cfg.Sectors = []engine.SectorPair{{Name: "Technology", Large: "XLK", Small: "PSCT"}}
	eng, err := engine.New(cfg, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signals-replay.jsonl")
	l := openSignalLog(t, path)
	defer l.Close()
	w, err := NewSignalWatch(SignalOptions{Log: l, Feed: "replay", Simulated: true, Clock: clk, Dwell: signals.DefaultDwell})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var last *engine.Snapshot
	days := map[time.Time]bool{}
	g := holdRunner{e: eng, gate: make(chan struct{})}
	p := &Pipeline{Feed: f, Engine: g, Symbols: cfg.Symbols(), Clock: clk, Signals: w, FeedClock: NewFeedClock(clk, 0),
		OnSnapshot: func(s *engine.Snapshot) {
			mu.Lock()
			defer mu.Unlock()
			if last != nil {
				n := 0
				for d := range days {
					if d.After(last.AsOf) && !d.After(s.AsOf) {
						n++
					}
				}
				maxDays = max(maxDays, n)
			}
			last = s
		}}
	all, err := replay.New(replay.Options{Dir: filepath.Join("..", "..", "feeds", "replay", "testdata", "replay")})
	if err != nil {
		t.Fatal(err)
	}
	h, err := all.History(t.Context(), []string{"IWM"})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range h.Daily["IWM"] {
		if _, cl, _ := calendar.NYSE().Session(b.Time); !b.Time.Before(time.Date(2025, 3, 3, 0, 0, 0, 0, calendar.Location())) {
			days[cl] = true
		}
	}
	end := time.Date(2025, 11, 21, 16, 0, 0, 0, calendar.Location())

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	release := func() {
		for {
			synctest.Wait()
			select {
			case g.gate <- struct{}{}:
			default:
				return
			}
		}
	}
	release() // the history
	interval := time.Duration(float64(time.Second) / speed)
	for step := 1; ; step++ {
		clk.Advance(interval)
		synctest.Wait()
		if step%hold == 0 {
			release()
		}
		mu.Lock()
		finished := last != nil && !last.AsOf.Before(end)
		mu.Unlock()
		if finished {
			break
		}
		if step > 10*len(days)*hold {
			t.Fatalf("speed %v: the replay did not finish", speed)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return readLog(t, path), maxDays
}

// TestReplayConfirmationsSameAtEverySpeed (issue 14 item 2): the lines a
// replay records (confirmations and their ends) are the same, line for line
// (flag, change, bar, value, threshold, since), whether each day is its own
// update (speed 1) or the engine falls behind and applies a backlog of days
// in one update (the gate holds it; the pipeline's queues bound a backlog at
// about 9 days; engine.TestFlagChangesDatedPerBar applies 120); each is
// dated by its own bar's close. So are the rotation lines (QA-1 item 4):
// each quadrant change of the small-vs-large view on its own weekly close.
func TestReplayConfirmationsSameAtEverySpeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		closed := func(recs []signals.Record) []string {
			var out []string
			for _, r := range recs {
				if r.Kind != "" {
					continue // rotation quadrants on weekly closes: not flags
				}
				// A replay's updates end at a close: every line is a
				// change on a closed bar, at its close.
				if !r.Closed {
					t.Fatalf("%s %s>%s at %v: not a closed-bar change", r.Flag, r.From, r.To, r.BarTime)
				}
				if r.BarTime.In(calendar.Location()).Format("15:04") != "16:00" && r.BarTime.In(calendar.Location()).Format("15:04") != "13:00" {
					t.Fatalf("%s %s>%s at %v: not at a close", r.Flag, r.From, r.To, r.BarTime)
				}
				v := "null"
				if r.Value != nil {
					v = fmt.Sprint(*r.Value)
				}
				out = append(out, fmt.Sprintf("%s %s>%s %s %s vs %v since %q initial %v", r.Flag, r.From, r.To,
					r.BarTime.Format(time.DateTime), v, r.Threshold, r.Since, r.Initial))
			}
			return out
		}
		// Rotation lines: each quadrant change on its own weekly close
		// (bar_time = that week's last session's close, since = its
		// date), whatever the speed.
		cal := calendar.NYSE()
		rot := func(recs []signals.Record) []string {
			var out []string
			for _, r := range recs {
				if r.Kind != signals.KindRotation {
					continue
				}
				d, err := time.ParseInLocation(time.DateOnly, r.Since, calendar.Location())
				if err != nil {
					t.Fatalf("%s: since %q: %v", r.Flag, r.Since, err)
				}
				if _, cl, ok := cal.Session(d); !ok || !r.BarTime.Equal(cl) {
					t.Fatalf("%s %s>%s week %s: bar_time %v, want that day's close", r.Flag, r.From, r.To, r.Since, r.BarTime)
				}
				if _, nd := d.ISOWeek(); func() bool { _, w := cal.NextTradingDate(d).ISOWeek(); return w == nd }() {
					t.Fatalf("%s %s>%s: %s is not the last trading day of its week", r.Flag, r.From, r.To, r.Since)
				}
				out = append(out, fmt.Sprintf("%s %s>%s week %s at %s initial %v", r.Flag, r.From, r.To, r.Since,
					r.BarTime.Format(time.DateTime), r.Initial))
			}
			return out
		}
		base, n := replayRun(t, 1, 1)
		want, wantRot := closed(base), rot(base)
		if len(wantRot) < 4 {
			t.Fatalf("the replay gives %d rotation lines: the test exercises too little", len(wantRot))
		}
		if n != 1 {
			t.Fatalf("speed 1: %d days in one update, want 1", n)
		}
		var confirmations int
		for _, r := range base {
			if r.To == "confirmed" && !r.Initial {
				confirmations++
			}
		}
		if confirmations < 5 {
			t.Fatalf("the replay gives %d confirmations: the test exercises too little", confirmations)
		}
		for _, c := range []struct {
			speed float64
			hold  int
		}{{20, 8}, {400, 20}, {5000, 60}} {
			got, n := replayRun(t, c.speed, c.hold)
			if n < 2 {
				t.Fatalf("speed %v: at most %d day per update: nothing was coalesced", c.speed, n)
			}
			t.Logf("speed %v: up to %d days per update, %d closed-bar lines, %d rotation lines", c.speed, n, len(closed(got)), len(rot(got)))
			if g := closed(got); !reflect.DeepEqual(g, want) {
				t.Fatalf("speed %v (up to %d days per update): closed-bar lines differ\n got %d: %q\nwant %d: %q", c.speed, n, len(g), g, len(want), want)
			}
			if g := rot(got); !reflect.DeepEqual(g, wantRot) {
				t.Fatalf("speed %v (up to %d days per update): rotation lines differ\n got %d: %q\nwant %d: %q", c.speed, n, len(g), g, len(wantRot), wantRot)
			}
		}
	})
}
