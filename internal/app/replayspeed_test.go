package app

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/demo"
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

// replayCase is a replay for replayRun: the data, the replayed span, the
// engine's configuration and, with members, the breadth universe loaded as
// capwatch loads it for a replay (the members' history from the replay's
// History, their quotes from its stream).
type replayCase struct {
	dir       string // the data directory (read through fsys when set)
	fsys      fs.FS
	from, end time.Time // the first replayed date; the close the replay ends at
	cfg       engine.Config
	members   []string
}

// testdataCase is feeds/replay's test data from 2025-03-03 with one sector.
func testdataCase() replayCase {
	cfg := pairConfig()
	cfg.Sectors = []engine.SectorPair{{Name: "Technology", Large: "XLK", Small: "PSCT"}}
	return replayCase{dir: filepath.Join("..", "..", "feeds", "replay", "testdata", "replay"),
		from: time.Date(2025, 3, 3, 0, 0, 0, 0, calendar.Location()),
		end:  time.Date(2025, 11, 21, 16, 0, 0, 0, calendar.Location()), cfg: cfg}
}

// replayRun replays feeds/replay's test data (testdataCase) at speed.
func replayRun(t *testing.T, speed float64, hold int) (recs []signals.Record, maxDays int) {
	recs, maxDays, _ = replayCaseRun(t, testdataCase(), speed, hold)
	return recs, maxDays
}

// replayCaseRun replays rc from rc.from at speed (trading days per second
// of the fake clock) through the pipeline into a signal log, letting the
// engine take its queued Inputs only every hold replayed days (hold 1: one
// day per Input). It returns the log, the largest number of days one Input
// applied and the last snapshot.
func replayCaseRun(t *testing.T, rc replayCase, speed float64, hold int) (recs []signals.Record, maxDays int, lastSnap *engine.Snapshot) {
	t.Helper()
	start := time.Date(2025, 12, 1, 15, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	f, err := replay.New(replay.Options{Dir: rc.dir, FS: rc.fsys, ReplayFrom: rc.from, Speed: speed, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	cfg := rc.cfg
	eng, err := engine.New(cfg, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	var ld *Breadth
	if len(rc.members) > 0 {
		u, err := breadth.New(breadth.Config{Universe: "members.csv", Members: rc.members})
		if err != nil {
			t.Fatal(err)
		}
		eng.SetBreadth(u)
		// Each batch of members takes 100 ms (of the fake clock) to load:
		// longer than a whole replay at speed 5000.
		load := func(ctx context.Context, ms []string) (feeds.History, error) {
			select {
			case <-clk.After(100 * time.Millisecond):
			case <-ctx.Done():
				return feeds.History{}, ctx.Err()
			}
			return f.History(ctx, ms)
		}
		ld = &Breadth{Members: rc.members, Load: load, Stream: true}
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
	p := &Pipeline{Feed: f, Engine: g, Symbols: cfg.Symbols(), Clock: clk, Signals: w, FeedClock: NewFeedClock(clk, 0), Breadth: ld,
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
	all, err := replay.New(replay.Options{Dir: rc.dir, FS: rc.fsys})
	if err != nil {
		t.Fatal(err)
	}
	h, err := all.History(t.Context(), []string{cfg.Small})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range h.Daily[cfg.Small] {
		if _, cl, _ := calendar.NYSE().Session(b.Time); !b.Time.Before(rc.from) && !cl.After(rc.end) {
			days[cl] = true
		}
	}
	end := rc.end

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
		finished := last != nil && !last.AsOf.Before(end) && (last.BreadthLoad == nil || last.BreadthLoad.Done)
		mu.Unlock()
		if finished {
			break
		}
		if step > 10*len(days)*hold+10_000 {
			t.Fatalf("speed %v: the replay did not finish", speed)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return readLog(t, path), maxDays, last
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

// demoBreadthCase is a replay directory made from the demo's seed-1 market
// (as `capwatch --feed demo --seed 1` shows it on 2026-12-04): the pair's
// legs and every fourth of its synthetic members, replayed from 2026-01-02
// to 2026-12-03.
func demoBreadthCase(t *testing.T) replayCase {
	t.Helper()
	loc := calendar.Location()
	f, err := demo.New(demo.Options{Seed: 1, Start: time.Date(2026, 12, 4, 9, 30, 0, 0, loc)})
	if err != nil {
		t.Fatal(err)
	}
	var members []string
	for i, m := range demo.Members() {
		if i%4 == 0 {
			members = append(members, m)
		}
	}
	h, err := f.History(t.Context(), append([]string{"IWM", "SPY"}, members...))
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for sym, bars := range h.Daily {
		var b strings.Builder
		b.WriteString("Date,Open,High,Low,Close,Volume\n")
		for _, x := range bars {
			fmt.Fprintf(&b, "%s,%.4f,%.4f,%.4f,%.4f,%.0f\n", x.Time.Format(time.DateOnly), x.Open, x.High, x.Low, x.Close, x.Volume)
		}
		fsys[sym+".csv"] = &fstest.MapFile{Data: []byte(b.String())}
	}
	return replayCase{dir: "demo-seed-1", fsys: fsys, cfg: pairConfig(), members: members,
		from: time.Date(2026, 1, 2, 0, 0, 0, 0, loc), end: time.Date(2026, 12, 3, 16, 0, 0, 0, loc)}
}

// TestReplayBreadthSameAtEverySpeed (QA 1): a replay with a members list
// records the same breadth flag lines (breadth_above_sma50 and
// breadth_thrust: change, bar, value, since, initial) at speeds 1, 20, 400
// and 5000, however many days one update applies and however long the
// members take to load; they are the changes of the breadth computed from
// the members' own daily bars, each on its own bar with that bar's value,
// the first one (initial) the state at the history's end; and the last
// screen's breadth is that of the members' bars on the last day.
func TestReplayBreadthSameAtEverySpeed(t *testing.T) {
	rc := demoBreadthCase(t)
	// The oracle: the universe built from the members' daily bars.
	all, err := replay.New(replay.Options{Dir: rc.dir, FS: rc.fsys, AsOf: rc.end})
	if err != nil {
		t.Fatal(err)
	}
	h, err := all.History(t.Context(), append([]string{"IWM"}, rc.members...))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := breadth.New(breadth.Config{Universe: "members.csv", Members: rc.members})
	if err != nil {
		t.Fatal(err)
	}
	ref.SetLeg(h.Daily["IWM"])
	for _, m := range rc.members {
		if err := ref.SetMember(m, h.Daily[m]); err != nil {
			t.Fatal(err)
		}
	}
	want := ref.Snapshot()
	from := rc.from.Format(time.DateOnly)
	var wantLines []string
	for _, fl := range []struct {
		id string
		on func(engine.BreadthPoint) bool
		v  func(engine.BreadthPoint) engine.Num
	}{
		{engine.FlagBreadthAboveSMA50, func(p engine.BreadthPoint) bool { return p.AboveOn }, func(p engine.BreadthPoint) engine.Num { return p.PctAboveSMA50 }},
		{engine.FlagBreadthThrust, func(p engine.BreadthPoint) bool { return p.ThrustRecent }, func(p engine.BreadthPoint) engine.Num { return p.ZweigEMA10 }},
	} {
		prev, since := false, ""
		for i, p := range want.History {
			on := fl.on(p)
			if on && !prev {
				since = p.Date
			}
			initial := i+1 < len(want.History) && want.History[i+1].Date == from // the history's last day
			if p.Date >= from && on != prev || initial && on {
				s := ""
				if on {
					s = since
				}
				wantLines = append(wantLines, fmt.Sprintf("%s %v %s %s since %q initial %v", fl.id, on, p.Date, numText(fl.v(p)), s, initial))
			}
			prev = on
		}
	}
	slices.Sort(wantLines)
	var ups, thrusts int
	for _, l := range wantLines {
		ups += strings.Count(l, engine.FlagBreadthAboveSMA50+" true")
		thrusts += strings.Count(l, engine.FlagBreadthThrust+" true")
	}
	if ups < 3 || thrusts < 1 {
		t.Fatalf("fixture: %d breadth_above_sma50 confirmations and %d thrusts in the replay: too little to test\n%q", ups, thrusts, wantLines)
	}
	lines := func(recs []signals.Record) []string {
		var out []string
		for _, r := range recs {
			if r.Flag != engine.FlagBreadthAboveSMA50 && r.Flag != engine.FlagBreadthThrust {
				continue
			}
			if !r.Closed {
				t.Fatalf("%s %s>%s at %v: not a closed-bar change", r.Flag, r.From, r.To, r.BarTime)
			}
			v := engine.Num{}
			if r.Value != nil {
				v = engine.Some(*r.Value)
			}
			out = append(out, fmt.Sprintf("%s %v %s %s since %q initial %v", r.Flag, r.To == "confirmed",
				r.BarTime.In(calendar.Location()).Format(time.DateOnly), numText(v), r.Since, r.Initial))
		}
		slices.Sort(out)
		return out
	}
	type speedCase struct {
		speed float64
		hold  int
	}
	cases := []speedCase{{1, 1}, {20, 8}, {400, 20}, {5000, 60}}
	if raceEnabled { // the race detector makes a day-per-update replay slow: the fast ones race most
		cases = []speedCase{{5000, 60}}
	}
	synctest.Test(t, func(t *testing.T) {
		for _, c := range cases {
			recs, n, last := replayCaseRun(t, rc, c.speed, c.hold)
			if c.speed > 1 && n < 2 {
				t.Fatalf("speed %v: at most %d day per update: nothing was coalesced", c.speed, n)
			}
			if got := lines(recs); !reflect.DeepEqual(got, wantLines) {
				t.Errorf("speed %v (up to %d days per update): breadth lines differ from the members' bars\n got %d: %q\nwant %d: %q",
					c.speed, n, len(got), got, len(wantLines), wantLines)
			}
			b := last.Breadth
			if b == nil || b.AsOf != want.AsOf || b.PctAboveSMA50 != want.PctAboveSMA50 || b.Advancers != want.Advancers ||
				b.Decliners != want.Decliners || b.ADLine != want.ADLine || b.ZweigEMA10 != want.ZweigEMA10 ||
				(b.LastThrust == nil) != (want.LastThrust == nil) || b.LastThrust != nil && *b.LastThrust != *want.LastThrust {
				g, w := engine.Breadth{}, *want
				if b != nil {
					g = *b
				}
				g.History, w.History = nil, nil
				t.Errorf("speed %v: the last breadth differs from the members' bars:\n got %+v\nwant %+v", c.speed, g, w)
			}
		}
	})
}

// numText is a value as the test compares it ("null" when absent).
func numText(n engine.Num) string {
	if !n.Valid {
		return "null"
	}
	return fmt.Sprint(n.V)
}
