package app

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/signals"
)

// TestPipelineLoadsMembersInTheBackground: the pair's history is published
// before any member is asked for; cached members are never fetched; the
// others are fetched Batch at a time; the progress counts every member once
// and ends done; the members' quotes are streamed when asked.
func TestPipelineLoadsMembersInTheBackground(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iwm := genBars("IWM", 300, 200, 10, 0.05)
		spy := genBars("SPY", 300, 500, 5, 0.1)
		cal := calendar.NYSE()
		t0 := cal.NextTradingDate(iwm[len(iwm)-1].Time).Add(10 * time.Hour)
		clk := clock.NewFake(t0)
		f := fake.New(fake.Options{Kind: feeds.KindReplay, History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
		eng, err := engine.New(pairConfig(), cal)
		if err != nil {
			t.Fatal(err)
		}
		var members []string
		for i := range 250 {
			members = append(members, fmt.Sprintf("M%03d", i))
		}
		u, err := breadth.New(breadth.Config{Universe: "test", Members: members})
		if err != nil {
			t.Fatal(err)
		}
		eng.SetBreadth(u)

		release := make(chan struct{})
		var mu sync.Mutex
		var asked [][]string
		bars := func(s string) []engine.Bar {
			out := genBars(s, 300, 50, 3, 0.01)
			for i := range out {
				out[i].Symbol = s
			}
			return out
		}
		b := &Breadth{
			Members: members,
			Cached: func(ms []string) map[string][]engine.Bar {
				out := map[string][]engine.Bar{}
				for _, s := range ms {
					if s < "M120" { // the first 120 are cached
						out[s] = bars(s)
					}
				}
				return out
			},
			Load: func(ctx context.Context, ms []string) (feeds.History, error) {
				<-release
				mu.Lock()
				asked = append(asked, slices.Clone(ms))
				mu.Unlock()
				h := feeds.History{Daily: map[string][]engine.Bar{}}
				for _, s := range ms {
					if s == "M200" {
						h.Errors = append(h.Errors, engine.SymbolError{Symbol: s, Message: "no data"})
						continue
					}
					h.Daily[s] = bars(s)
				}
				return h, nil
			},
			Batch:  50,
			Stream: true,
		}
		snaps := make(chan *engine.Snapshot, 64)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk, Breadth: b,
			OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()

		s := <-snaps
		if !s.Pair.Ratio.Valid {
			t.Fatal("the first snapshot does not have the pair's history")
		}
		mu.Lock()
		if len(asked) != 0 {
			t.Fatal("members were fetched before the pair's history was published")
		}
		mu.Unlock()
		close(release)

		var last *engine.Snapshot
		seen := 0
		for last == nil || last.BreadthLoad == nil || !last.BreadthLoad.Done {
			last = <-snaps
			if l := last.BreadthLoad; l != nil {
				if l.Loaded < seen || l.Loaded > l.Members {
					t.Fatalf("progress went %d → %d of %d", seen, l.Loaded, l.Members)
				}
				seen = l.Loaded
			}
		}
		l := last.BreadthLoad
		if l.Members != 250 || l.Loaded != 250 || l.Failed != 1 {
			t.Errorf("final progress %+v, want 250/250 with 1 failed", *l)
		}
		mu.Lock()
		n := 0
		for _, a := range asked {
			if len(a) > 50 {
				t.Errorf("a batch of %d members", len(a))
			}
			for _, s := range a {
				if s < "M120" {
					t.Errorf("cached member %s was fetched", s)
				}
				n++
			}
		}
		mu.Unlock()
		if n != 130 {
			t.Errorf("%d members fetched, want 130", n)
		}
		if br := last.Breadth; br == nil || br.Covered != 249 || br.Members != 250 {
			t.Errorf("breadth %+v, want 249 of 250 covered", br)
		}
		synctest.Wait()
		if syms := f.LastSymbols(); len(syms) != 252 || !slices.Contains(syms, "M249") {
			t.Errorf("the stream was asked for %d symbols, want the pair and the 250 members", len(syms))
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func TestNextEvening(t *testing.T) {
	cal := calendar.NYSE()
	loc := calendar.Location()
	for _, tc := range []struct {
		now, want time.Time
	}{
		{time.Date(2025, 3, 3, 10, 0, 0, 0, loc), time.Date(2025, 3, 3, 18, 0, 0, 0, loc)},   // Monday morning
		{time.Date(2025, 3, 3, 19, 0, 0, 0, loc), time.Date(2025, 3, 4, 18, 0, 0, 0, loc)},   // Monday evening
		{time.Date(2025, 3, 7, 18, 0, 0, 0, loc), time.Date(2025, 3, 10, 18, 0, 0, 0, loc)},  // Friday 18:00 → Monday
		{time.Date(2025, 4, 17, 20, 0, 0, 0, loc), time.Date(2025, 4, 21, 18, 0, 0, 0, loc)}, // before Good Friday
	} {
		if got := tc.now.Add(NextEvening(cal, tc.now)); !got.Equal(tc.want) {
			t.Errorf("NextEvening(%v) → %v, want %v", tc.now, got, tc.want)
		}
	}
}

// TestPipelineMembersList: a list fetched in the background replaces the
// universe's members before their histories load; a failed list ends the
// load with its reason as the note.
func TestPipelineMembersList(t *testing.T) {
	for _, fail := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			iwm := genBars("IWM", 300, 200, 10, 0.05)
			spy := genBars("SPY", 300, 500, 5, 0.1)
			cal := calendar.NYSE()
			clk := clock.NewFake(cal.NextTradingDate(iwm[len(iwm)-1].Time).Add(10 * time.Hour))
			f := fake.New(fake.Options{History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
			eng, err := engine.New(pairConfig(), cal)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := breadth.New(breadth.Config{})
			eng.SetBreadth(u)
			b := &Breadth{
				List: func(ctx context.Context) (string, []string, error) {
					if fail {
						return "", nil, fmt.Errorf("iShares: HTTP 503")
					}
					return "iwm", []string{"AAA", "BBB", "CCC"}, nil
				},
				Load: func(ctx context.Context, ms []string) (feeds.History, error) {
					h := feeds.History{Daily: map[string][]engine.Bar{}}
					for _, s := range ms {
						h.Daily[s] = genBars(s, 300, 40, 2, 0.02)
					}
					return h, nil
				},
			}
			snaps := make(chan *engine.Snapshot, 64)
			p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk, Breadth: b,
				OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- p.Run(ctx) }()
			var last *engine.Snapshot
			for last == nil || last.BreadthLoad == nil || !last.BreadthLoad.Done {
				last = <-snaps
			}
			l := last.BreadthLoad
			if fail {
				if l.Members != 0 || !strings.Contains(l.Error, "members list: iShares: HTTP 503") || last.Breadth != nil {
					t.Errorf("failed list: load %+v breadth %v", *l, last.Breadth)
				}
			} else if l.Members != 3 || l.Loaded != 3 || last.Breadth == nil || last.Breadth.Covered != 3 || last.Breadth.Universe != "iwm" {
				t.Errorf("list: load %+v breadth %+v", *l, last.Breadth)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestPipelinePairSwitchAndSignals: a pair asked for switches the engine's
// pair; the signal watch stays on the pair the run started with, so
// switching to a pair whose flags differ rings nothing.
func TestPipelinePairSwitchAndSignals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := 300
		iwm := genBars("IWM", n, 200, 0, 0)  // flat
		spy := genBars("SPY", n, 500, 0, 1)  // rising: IWM/SPY falls, below its averages
		qqq := genBars("QQQ", n, 400, 0, -1) // falling: IWM/QQQ rises, above them
		cal := calendar.NYSE()
		clk := clock.NewFake(cal.NextTradingDate(iwm[n-1].Time).Add(10 * time.Hour))
		f := fake.New(fake.Options{History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy, "QQQ": qqq}}})
		cfg := pairConfig()
		cfg.Extras = []string{"QQQ"}
		eng, err := engine.New(cfg, cal)
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		var notices []Notice
		w, err := NewSignalWatch(SignalOptions{Feed: "yahoo", Clock: clk, Alerts: signals.DefaultAlertOptions(),
			Notify: func(n Notice) { mu.Lock(); notices = append(notices, n); mu.Unlock() }})
		if err != nil {
			t.Fatal(err)
		}
		pairs := make(chan engine.PairChoice, 1)
		snaps := make(chan *engine.Snapshot, 64)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY", "QQQ"}, Clock: clk, Signals: w, Pairs: pairs,
			OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		s := <-snaps
		if f, _ := s.Flag(engine.FlagRatioAboveSMA50); s.Pair.Large != "SPY" || f.State != engine.FlagOff {
			t.Fatalf("start: %s/%s %s", s.Pair.Small, s.Pair.Large, f.State)
		}
		pairs <- engine.PairChoice{Small: "IWM", Large: "QQQ"}
		s = <-snaps
		if f, _ := s.Flag(engine.FlagRatioAboveSMA50); s.Pair.Large != "QQQ" || f.State != engine.FlagConfirmed {
			t.Fatalf("after the switch: %s/%s %s", s.Pair.Small, s.Pair.Large, f.State)
		}
		synctest.Wait()
		mu.Lock()
		if len(notices) != 0 {
			t.Errorf("switching the pair rang %v", notices)
		}
		mu.Unlock()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func TestWriteAnalogsBreadthSplit(t *testing.T) {
	gs := func(n int, hit, med float64) []engine.AnalogGroupStats {
		out := make([]engine.AnalogGroupStats, len(engine.AnalogHorizons))
		for i, h := range engine.AnalogHorizons {
			out[i] = engine.AnalogGroupStats{Horizon: h.Name, N: n}
			if n > 0 {
				out[i].RelHitRate, out[i].RelMedianPct = engine.Some(hit), engine.Some(med)
			}
		}
		return out
	}
	a := &engine.Analogs{Event: "x", Breadth: &engine.AnalogBreadth{Threshold: 60, Covered: 7, Uncovered: 3,
		Confirmed: gs(4, 0.75, 1.25), NotConfirmed: gs(3, 1.0/3, -0.5)}}
	var b strings.Builder
	if err := WriteAnalogs(&b, a, "table"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"≥ 60% = confirmed; 3 events before the members' history", "6m            4  75%  +1.25%                3  33%  -0.50%"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
	a.Breadth = &engine.AnalogBreadth{HistoryTooShort: true, Uncovered: 5}
	b.Reset()
	_ = WriteAnalogs(&b, a, "table")
	if !strings.Contains(b.String(), "the members' history is too short (5 events before it)") {
		t.Errorf("too short:\n%s", b.String())
	}
}

// TestPartialBreadthIsNotPresentedAsComplete (QA 2): while the members
// load, the breadth is marked partial, its two flags are not evaluated
// (no state, no close, no "Now what?" split) and nothing of them is
// recorded; once all members are in, the first breadth lines in the signal
// log are the complete universe's state (initial), with its value. Here the
// first batch alone would read 100 % above the 50-day average.
func TestPartialBreadthIsNotPresentedAsComplete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iwm := genBars("IWM", 300, 200, 10, 0.05)
		spy := genBars("SPY", 300, 500, 5, 0.1)
		cal := calendar.NYSE()
		clk := clock.NewFake(cal.NextTradingDate(iwm[len(iwm)-1].Time).Add(20 * time.Hour))
		f := fake.New(fake.Options{Kind: feeds.KindReplay, History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
		eng, err := engine.New(pairConfig(), cal)
		if err != nil {
			t.Fatal(err)
		}
		var members []string
		for i := range 150 {
			members = append(members, fmt.Sprintf("M%03d", i))
		}
		// Members M000–M049 and every other one after rise steadily (above
		// their 50-day average); the others fall: 100 of 150 above, 66.7 %.
		bars := func(s string) []engine.Bar {
			var i int
			fmt.Sscanf(s, "M%d", &i)
			drift := 0.05
			if i >= 50 && i%2 == 1 {
				drift = -0.05
			}
			out := genBars(s, 300, 50, 0, drift)
			for k := range out {
				out[k].Symbol = s
			}
			return out
		}
		u, err := breadth.New(breadth.Config{Universe: "test", Members: members})
		if err != nil {
			t.Fatal(err)
		}
		eng.SetBreadth(u)
		eng.SetStudy(func(engine.PairSeries) (*engine.Risk, *engine.Analogs) {
			return nil, &engine.Analogs{Events: []engine.AnalogEvent{{Date: iwm[280].Time.Format(time.DateOnly)}}}
		})
		step := make(chan struct{})
		b := &Breadth{
			Members: members,
			Load: func(ctx context.Context, ms []string) (feeds.History, error) {
				select {
				case <-step:
				case <-ctx.Done():
					return feeds.History{}, ctx.Err()
				}
				h := feeds.History{Daily: map[string][]engine.Bar{}}
				for _, s := range ms {
					h.Daily[s] = bars(s)
				}
				return h, nil
			},
			Batch: 50,
		}
		path := filepath.Join(t.TempDir(), "signals.jsonl")
		l := openSignalLog(t, path)
		defer l.Close()
		w, err := NewSignalWatch(SignalOptions{Log: l, Feed: "replay", Simulated: true, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		snaps := make(chan *engine.Snapshot, 64)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk, Breadth: b, Signals: w,
			OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()

		breadthLines := func() []signals.Record {
			var out []signals.Record
			for _, r := range readLog(t, path) {
				if r.Flag == engine.FlagBreadthAboveSMA50 || r.Flag == engine.FlagBreadthThrust {
					out = append(out, r)
				}
			}
			return out
		}
		var last *engine.Snapshot
		for batch := 0; batch < 3; batch++ {
			step <- struct{}{}
			synctest.Wait()
			for len(snaps) > 0 {
				last = <-snaps
				if last.BreadthLoad == nil || last.BreadthLoad.Done {
					continue
				}
				if b := last.Breadth; b != nil && !b.Partial {
					t.Fatalf("breadth of %d/%d members loaded not marked partial", last.BreadthLoad.Loaded, last.BreadthLoad.Members)
				}
				for _, id := range []string{engine.FlagBreadthAboveSMA50, engine.FlagBreadthThrust} {
					if fl, _ := last.Flag(id); fl.State != engine.FlagOff || fl.Value.Valid || fl.CloseValue.Valid {
						t.Fatalf("%s evaluated on %d/%d members: %+v", id, last.BreadthLoad.Loaded, last.BreadthLoad.Members, fl)
					}
				}
				if a := last.Analogs; a != nil && a.Breadth != nil {
					t.Fatalf("the study is split by a partial breadth: %+v", a.Breadth)
				}
			}
			if batch < 2 {
				if got := breadthLines(); len(got) > 0 {
					t.Fatalf("after %d of 3 batches the log has breadth lines: %+v", batch+1, got)
				}
			}
		}
		if last == nil || last.BreadthLoad == nil || !last.BreadthLoad.Done || last.Breadth == nil || last.Breadth.Partial {
			t.Fatalf("after the load: %+v", last)
		}
		// The complete universe's value on the last day: 100 of 150.
		if p := last.Breadth.PctAboveSMA50; !p.Valid || math.Abs(p.V-100.0/1.5) > 1e-9 {
			t.Fatalf("pct_above_sma50 %v, want 66.67", p)
		}
		got := breadthLines()
		if len(got) != 1 || got[0].Flag != engine.FlagBreadthAboveSMA50 || got[0].To != "confirmed" || !got[0].Initial ||
			got[0].Value == nil || math.Abs(*got[0].Value-100.0/1.5) > 1e-9 {
			t.Errorf("breadth lines after the load: %+v, want one initial confirmation at 66.67 %%", got)
		}
		if a := last.Analogs; a == nil || a.Breadth == nil {
			t.Error("no breadth split once the members are loaded")
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
