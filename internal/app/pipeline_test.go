package app

import (
	"context"
	"errors"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/markcheno/go-talib"
)

// genBars makes n deterministic daily bars on NYSE trading days from 2023-01-03.
func genBars(sym string, n int, base, amp, drift float64) []engine.Bar {
	cal := calendar.NYSE()
	d := time.Date(2023, 1, 3, 0, 0, 0, 0, calendar.Location())
	out := make([]engine.Bar, 0, n)
	for i := 0; i < n; i++ {
		c := base + amp*math.Sin(float64(i)/7) + drift*float64(i)
		out = append(out, engine.Bar{Symbol: sym, Time: d, Open: c - 0.5, High: c + 1, Low: c - 1, Close: c, Volume: 1e6 + float64(i%10)*1e5})
		d = cal.NextTradingDate(d)
	}
	return out
}

func pairConfig() engine.Config {
	c := engine.DefaultConfig()
	c.Extras, c.Sectors = nil, nil
	return c
}

func closes(bars []engine.Bar) []float64 {
	out := make([]float64, len(bars))
	for i, b := range bars {
		out[i] = b.Close
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestPipelineHistoryThenBatches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iwm := genBars("IWM", 260, 200, 10, 0.05)
		spy := genBars("SPY", 260, 500, 5, 0.1)
		cal := calendar.NYSE()
		next := cal.NextTradingDate(iwm[len(iwm)-1].Time)
		t0 := next.Add(10 * time.Hour) // 10:00 New York, market open
		clk := clock.NewFake(t0)
		f := fake.New(fake.Options{History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
		eng, err := engine.New(pairConfig(), cal)
		if err != nil {
			t.Fatal(err)
		}
		snaps := make(chan *engine.Snapshot, 16)
		stats := make(chan feeds.Status, 16)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk,
			OnSnapshot: func(s *engine.Snapshot) { snaps <- s }, OnStatus: func(s feeds.Status) { stats <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()

		s := <-snaps
		wantRatio := iwm[259].Close / spy[259].Close
		if r, ok := s.Pair.Ratio.Get(); !ok || !near(r, wantRatio) {
			t.Fatalf("history ratio %v, want %v", s.Pair.Ratio, wantRatio)
		}
		sma := talib.Sma(closes(iwm), 50)
		if y, _ := s.Symbol("IWM"); !near(y.SMA50.V, sma[259]) || !y.SMA50.Valid {
			t.Fatalf("IWM SMA50 %v, want %v", y.SMA50, sma[259])
		}
		if s.Feed != "fake" {
			t.Fatalf("feed %q", s.Feed)
		}

		q := []engine.Quote{{Symbol: "IWM", Price: 210, Time: t0, Received: t0}, {Symbol: "SPY", Price: 505, Time: t0, Received: t0}}
		if err := f.Push(ctx, feeds.Batch{Seq: 1, Quotes: q, Status: feeds.Status{State: feeds.StateOK, LastSuccess: t0}}); err != nil {
			t.Fatal(err)
		}
		st := <-stats
		if st.Feed != "fake" || st.State != feeds.StateOK {
			t.Fatalf("status %+v", st)
		}
		s = <-snaps
		if y, _ := s.Symbol("IWM"); y.Last.V != 210 {
			t.Fatalf("IWM last %v, want 210", y.Last)
		}
		if r, _ := s.Pair.Ratio.Get(); !near(r, 210.0/505) {
			t.Fatalf("live ratio %v, want %v", r, 210.0/505)
		}

		// A tick with no data still publishes (clock-driven stale marks, bar closes).
		synctest.Wait()
		clk.Advance(5 * time.Second)
		if s = <-snaps; s.Seq == 0 {
			t.Fatal("no snapshot on tick")
		}

		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run returned %v after cancel", err)
		}
		// synctest.Test fails if any goroutine of the pipeline is left behind.
	})
}

func TestPipelineFeedFailuresBecomeStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := fake.New(fake.Options{Kind: feeds.KindDemo, HistoryErr: errors.New("boom"), StreamErr: errors.New("gone")})
		eng, err := engine.New(pairConfig(), calendar.NYSE())
		if err != nil {
			t.Fatal(err)
		}
		stats := make(chan feeds.Status, 4)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clock.NewFake(time.Unix(0, 0)),
			OnStatus: func(s feeds.Status) { stats <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		// The feed's errors name their operation already: said once, not
		// "history: fake: history: boom".
		for _, want := range []string{"fake: history: boom", "fake: stream: gone"} {
			st := <-stats
			if st.State != feeds.StateDown || st.LastError != want || st.Feed != "fake" {
				t.Fatalf("status %+v, want down %q", st, want)
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func TestFeedClock(t *testing.T) {
	wall := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c := NewFeedClock(wall, 10)
	if !c.Now().Equal(wall.Now()) {
		t.Fatal("before data the feed clock is the wall clock")
	}
	sim := time.Date(2024, 6, 4, 13, 30, 0, 0, time.UTC)
	c.Observe(sim)
	wall.Advance(3 * time.Second)
	if got, want := c.Now(), sim.Add(30*time.Second); !got.Equal(want) {
		t.Fatalf("Now %v, want %v (3 s of wall at speed 10)", got, want)
	}
	c.Observe(sim.Add(-time.Hour)) // older data does not move it back
	if got, want := c.Now(), sim.Add(30*time.Second); !got.Equal(want) {
		t.Fatalf("Now %v after older data, want %v", got, want)
	}
	frozen := NewFeedClock(wall, 0)
	frozen.Observe(sim)
	wall.Advance(time.Hour)
	if !frozen.Now().Equal(sim) {
		t.Fatal("a speed-0 clock must stand still at the newest data")
	}
}

type panicRunner struct{}

func (panicRunner) Run(context.Context, <-chan engine.Input, func(*engine.Snapshot)) error {
	panic("engine exploded")
}

func TestPipelineEnginePanicIsAnError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := fake.New(fake.Options{})
		p := &Pipeline{Feed: f, Engine: panicRunner{}, Symbols: []string{"IWM"}, Clock: clock.NewFake(time.Unix(0, 0))}
		err := p.Run(t.Context())
		if err == nil || err.Error() != "pipeline: engine: internal error: engine exploded" {
			t.Fatalf("Run = %v", err)
		}
	})
}

func TestBuildSnapshotLiveTakesFirstQuotes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iwm := genBars("IWM", 260, 200, 10, 0.05)
		spy := genBars("SPY", 260, 500, 5, 0.1)
		cal := calendar.NYSE()
		now := cal.NextTradingDate(iwm[259].Time).Add(10 * time.Hour)
		f := fake.New(fake.Options{History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
		o := BuildOptions{Feed: f, Config: pairConfig(), Calendar: cal, Now: now, QuoteWait: 10 * time.Second}
		type res struct {
			s   *engine.Snapshot
			err error
		}
		got := make(chan res, 1)
		go func() {
			s, err := BuildSnapshot(t.Context(), o)
			got <- res{s, err}
		}()
		q := []engine.Quote{{Symbol: "IWM", Price: 211, Time: now}, {Symbol: "SPY", Price: 502, Time: now}}
		if err := f.Push(t.Context(), feeds.Batch{Quotes: q}); err != nil {
			t.Fatal(err)
		}
		r := <-got
		if r.err != nil {
			t.Fatal(r.err)
		}
		if v, _ := r.s.Pair.Ratio.Get(); !near(v, 211.0/502) {
			t.Fatalf("ratio %v, want the live 211/502", v)
		}
		if r.s.Session.State != "open" {
			t.Fatalf("session %q", r.s.Session.State)
		}

		// No quotes within QuoteWait: the history alone.
		s, err := BuildSnapshot(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Pair.Ratio.Get(); !near(v, iwm[259].Close/spy[259].Close) {
			t.Fatalf("ratio %v, want the last close ratio", v)
		}
	})
}

func TestCutDaily(t *testing.T) {
	bars := genBars("IWM", 10, 100, 1, 0)
	asOf := bars[4].Time.Add(15 * time.Hour) // 15:00 New York on the 5th bar's date
	got := CutDaily(map[string][]engine.Bar{"IWM": bars, "SPY": nil}, asOf)
	if len(got["IWM"]) != 5 || !got["IWM"][4].Time.Equal(bars[4].Time) || len(got["SPY"]) != 0 {
		t.Fatalf("cut: %d bars", len(got["IWM"]))
	}
	if len(bars) != 10 {
		t.Fatal("input modified")
	}
}

func TestDrainMergesInOrder(t *testing.T) {
	ch := make(chan feeds.Batch, 4)
	ch <- feeds.Batch{Seq: 2, Quotes: []engine.Quote{{Symbol: "IWM", Price: 2}}, Status: feeds.Status{State: feeds.StateDegraded}}
	ch <- feeds.Batch{Seq: 3, Quotes: []engine.Quote{{Symbol: "IWM", Price: 3}}, Errors: []engine.SymbolError{{Symbol: "X"}}, Status: feeds.Status{State: feeds.StateOK}}
	b, last := drain(feeds.Batch{Seq: 1, Quotes: []engine.Quote{{Symbol: "IWM", Price: 1}}, Errors: []engine.SymbolError{{Symbol: "Y"}}}, ch)
	if b.Seq != 3 || b.Status.State != feeds.StateOK || len(b.Quotes) != 3 || b.Quotes[2].Price != 3 || len(b.Errors) != 2 || len(ch) != 0 {
		t.Fatalf("drained %+v", b)
	}
	// The newest batch's errors are the feed's current ones: Y recovered.
	if len(last) != 1 || last[0].Symbol != "X" {
		t.Fatalf("newest errors %+v, want X only", last)
	}
	ch <- feeds.Batch{Seq: 5}
	if _, last := drain(feeds.Batch{Seq: 4, Errors: []engine.SymbolError{{Symbol: "X"}}}, ch); len(last) != 0 {
		t.Fatalf("newest errors %+v, want none", last)
	}
}

// TestPipelineCoalescesWhenBehind: while the dashboard is busy, batches are
// merged, so fewer snapshots than batches reach it, and the last one holds
// the newest price.
func TestPipelineCoalescesWhenBehind(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iwm := genBars("IWM", 60, 200, 10, 0.05)
		spy := genBars("SPY", 60, 500, 5, 0.1)
		t0 := calendar.NYSE().NextTradingDate(iwm[59].Time).Add(10 * time.Hour)
		f := fake.New(fake.Options{Kind: feeds.KindDemo, History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
		eng, err := engine.New(pairConfig(), calendar.NYSE())
		if err != nil {
			t.Fatal(err)
		}
		release := make(chan struct{})
		snaps := make(chan *engine.Snapshot, 64)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clock.NewFake(t0),
			OnSnapshot: func(s *engine.Snapshot) { <-release; snaps <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		const n = 30
		pushed := make(chan error, 1)
		go func() {
			for i := 1; i <= n; i++ {
				q := []engine.Quote{{Symbol: "IWM", Price: 200 + float64(i), Time: t0.Add(time.Duration(i) * time.Second)}}
				if err := f.Push(ctx, feeds.Batch{Seq: uint64(i), Quotes: q}); err != nil {
					pushed <- err
					return
				}
			}
			pushed <- nil
		}()
		synctest.Wait() // the queues behind the blocked dashboard are full
		close(release)
		if err := <-pushed; err != nil {
			t.Fatal(err)
		}
		var got []*engine.Snapshot
		for {
			synctest.Wait()
			select {
			case s := <-snaps:
				got = append(got, s)
				continue
			default:
			}
			break
		}
		if len(got) >= n {
			t.Fatalf("%d snapshots for %d batches: nothing was coalesced", len(got), n)
		}
		if y, _ := got[len(got)-1].Symbol("IWM"); y.Last.V != 200+n {
			t.Fatalf("last IWM %v, want %d", y.Last, 200+n)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestPipelineLiveErrorsClearWithNextPoll: each poll reports every current
// per-symbol error, so a poll without SPY's error clears it even when it
// carries nothing else; the history's error of QQQ stays.
func TestPipelineLiveErrorsClearWithNextPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iwm := genBars("IWM", 60, 200, 10, 0.05)
		spy := genBars("SPY", 60, 500, 5, 0.1)
		cal := calendar.NYSE()
		t0 := cal.NextTradingDate(iwm[len(iwm)-1].Time).Add(10 * time.Hour)
		clk := clock.NewFake(t0)
		f := fake.New(fake.Options{History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy},
			Errors: []engine.SymbolError{{Symbol: "QQQ", Message: "no file"}}}})
		cfg := pairConfig()
		cfg.Extras = []string{"QQQ"}
		eng, err := engine.New(cfg, cal)
		if err != nil {
			t.Fatal(err)
		}
		snaps := make(chan *engine.Snapshot, 16)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY", "QQQ"}, Clock: clk,
			OnSnapshot: func(s *engine.Snapshot) { snaps <- s }, HistoryRetry: time.Hour, HistoryRetryMax: time.Hour}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		errsOf := func(s *engine.Snapshot) map[string]string {
			m := map[string]string{}
			for _, se := range s.Errors {
				m[se.Symbol] = se.Message
			}
			return m
		}
		if m := errsOf(<-snaps); m["QQQ"] != "no file" || m["SPY"] != "" {
			t.Fatalf("history errors %v", m)
		}
		q := []engine.Quote{{Symbol: "IWM", Price: 210, Time: t0, Received: t0}}
		if err := f.Push(ctx, feeds.Batch{Seq: 1, Quotes: q, Errors: []engine.SymbolError{{Symbol: "SPY", Message: "HTTP 503"}}}); err != nil {
			t.Fatal(err)
		}
		if m := errsOf(<-snaps); m["SPY"] != "HTTP 503" || m["QQQ"] != "no file" {
			t.Fatalf("poll 1 errors %v", m)
		}
		if err := f.Push(ctx, feeds.Batch{Seq: 2}); err != nil { // nothing but "no errors"
			t.Fatal(err)
		}
		if m := errsOf(<-snaps); m["SPY"] != "" || m["QQQ"] != "no file" {
			t.Fatalf("poll 2 errors %v", m)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run returned %v after cancel", err)
		}
	})
}

type panicStream struct{ *fake.Feed }

func (panicStream) Stream(context.Context, []string, chan<- feeds.Batch) error {
	panic("feed exploded")
}

// TestPipelineFeedPanicIsStatus: a feed whose stream panics is reported
// down with the reason; the process and the pipeline live on.
func TestPipelineFeedPanicIsStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		eng, err := engine.New(pairConfig(), calendar.NYSE())
		if err != nil {
			t.Fatal(err)
		}
		stats := make(chan feeds.Status, 4)
		p := &Pipeline{Feed: panicStream{fake.New(fake.Options{})}, Engine: eng, Symbols: []string{"IWM", "SPY"},
			Clock: clock.NewFake(time.Unix(0, 0)), OnStatus: func(s feeds.Status) { stats <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		if st := <-stats; st.State != feeds.StateDown || st.LastError != "stream: internal error: feed exploded" {
			t.Fatalf("status %+v", st)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
