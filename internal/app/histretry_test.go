package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
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

// histCall is one History request seen by scriptedFeed.
type histCall struct {
	at   time.Time
	syms []string
}

// scriptedFeed is a fake feed whose History answers follow a script per
// call (0-based); Stream, Push etc. are the fake's.
type scriptedFeed struct {
	*fake.Feed
	clk    clock.Clock
	script func(ctx context.Context, call int, syms []string) (feeds.History, error)

	mu    sync.Mutex
	calls []histCall
}

func (f *scriptedFeed) History(ctx context.Context, syms []string) (feeds.History, error) {
	f.mu.Lock()
	n := len(f.calls)
	f.calls = append(f.calls, histCall{at: f.clk.Now(), syms: slices.Clone(syms)})
	f.mu.Unlock()
	return f.script(ctx, n, syms)
}

func (f *scriptedFeed) Calls() []histCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

var errDown = errors.New("HTTP 503")

// failFirst is a script: the first n calls fail totally, then the fake's
// scripted history is returned.
func failFirst(f *fake.Feed, n int) func(context.Context, int, []string) (feeds.History, error) {
	return func(ctx context.Context, call int, syms []string) (feeds.History, error) {
		if call < n {
			return feeds.History{}, errDown
		}
		return f.History(ctx, syms)
	}
}

// rig runs a pipeline on a fake feed and a fake clock inside a synctest
// bubble, collecting snapshots and statuses.
type histRig struct {
	t      *testing.T
	clk    *clock.Fake
	feed   *scriptedFeed
	snaps  chan *engine.Snapshot
	stats  chan feeds.Status
	cancel context.CancelFunc
	done   chan error
	last   *engine.Snapshot
}

func newHistRig(t *testing.T, cfg engine.Config, kind feeds.Kind, h feeds.History, t0 time.Time,
	script func(*fake.Feed) func(context.Context, int, []string) (feeds.History, error)) *histRig {
	t.Helper()
	clk := clock.NewFake(t0)
	ff := fake.New(fake.Options{Kind: kind, History: h})
	sf := &scriptedFeed{Feed: ff, clk: clk, script: script(ff)}
	eng, err := engine.New(cfg, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	r := &histRig{t: t, clk: clk, feed: sf, snaps: make(chan *engine.Snapshot, 256), stats: make(chan feeds.Status, 256), done: make(chan error, 1)}
	p := &Pipeline{Feed: sf, Engine: eng, Symbols: cfg.Symbols(), Clock: clk, Tick: 5 * time.Second,
		Rand:       func() float64 { return 0.5 }, // no jitter: delays are the ceilings
		OnSnapshot: func(s *engine.Snapshot) { r.snaps <- s },
		OnStatus:   func(s feeds.Status) { r.stats <- s }}
	ctx, cancel := context.WithCancel(t.Context())
	r.cancel = cancel
	go func() { r.done <- p.Run(ctx) }()
	return r
}

// latest waits until the pipeline is idle and returns the newest snapshot.
func (r *histRig) latest() *engine.Snapshot {
	synctest.Wait()
	for {
		select {
		case s := <-r.snaps:
			r.last = s
		default:
			return r.last
		}
	}
}

// statuses waits until the pipeline is idle and returns the statuses reported since the last call.
func (r *histRig) statuses() []feeds.Status {
	synctest.Wait()
	var out []feeds.Status
	for {
		select {
		case s := <-r.stats:
			out = append(out, s)
		default:
			return out
		}
	}
}

func (r *histRig) stop() {
	r.t.Helper()
	r.cancel()
	if err := <-r.done; err != nil {
		r.t.Fatalf("Run returned %v after cancel", err)
	}
}

func pairHistory(n int) (iwm, spy []engine.Bar, h feeds.History, t0 time.Time) {
	iwm = genBars("IWM", n, 200, 10, 0.05)
	spy = genBars("SPY", n, 500, 5, 0.1)
	t0 = calendar.NYSE().NextTradingDate(iwm[n-1].Time).Add(10 * time.Hour) // 10:00 New York
	return iwm, spy, feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}, t0
}

// TestHistoryRetryBackoffAfterTotalFailure: the history fails at startup
// and twice more; the retries come after 5 s, then 10 s, then 20 s (the
// Tick is 5 s, so they land on ticks), and the snapshot then has the ratio,
// the indicators and the flags.
func TestHistoryRetryBackoffAfterTotalFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iwm, spy, h, t0 := pairHistory(260)
		r := newHistRig(t, pairConfig(), feeds.KindLive, h, t0, func(f *fake.Feed) func(context.Context, int, []string) (feeds.History, error) {
			return failFirst(f, 3)
		})
		st := r.statuses()
		if len(st) != 1 || st[0].State != feeds.StateDown || st[0].LastError != "history: HTTP 503" || !st[0].NextRetry.Equal(t0.Add(5*time.Second)) {
			t.Fatalf("startup statuses %+v, want one down \"history: HTTP 503\", retry at +5s", st)
		}
		if s := r.latest(); s != nil && s.Pair.Ratio.Valid {
			t.Fatal("a ratio without history")
		}
		for range 8 { // 40 s of ticks
			synctest.Wait()
			r.clk.Advance(5 * time.Second)
		}
		s := r.latest()
		var at []time.Duration
		for _, c := range r.feed.Calls() {
			at = append(at, c.at.Sub(t0))
		}
		if want := []time.Duration{0, 5 * time.Second, 15 * time.Second, 35 * time.Second}; !slices.Equal(at, want) {
			t.Fatalf("History called at %v, want %v", at, want)
		}
		if v, ok := s.Pair.Ratio.Get(); !ok || !near(v, iwm[259].Close/spy[259].Close) {
			t.Fatalf("ratio %v after the history loaded, want %v", s.Pair.Ratio, iwm[259].Close/spy[259].Close)
		}
		sma := talib.Sma(closes(iwm), 50)
		if y, _ := s.Symbol("IWM"); !y.SMA50.Valid || !near(y.SMA50.V, sma[259]) {
			t.Fatalf("IWM SMA50 %v, want %v", y.SMA50, sma[259])
		}
		if f, ok := s.Flag(engine.FlagRatioAboveSMA50); !ok || !f.Value.Valid {
			t.Fatalf("flag %s %+v: no value after the history loaded", engine.FlagRatioAboveSMA50, f)
		}
		// No live status yet: the startup failure's banner is cleared.
		st = r.statuses()
		if len(st) == 0 || st[len(st)-1].State != feeds.StateOK || st[len(st)-1].LastError != "" {
			t.Fatalf("statuses after the load %+v, want the last one ok", st)
		}
		// Loaded: no more History calls.
		for range 10 {
			synctest.Wait()
			r.clk.Advance(30 * time.Second)
		}
		synctest.Wait()
		if n := len(r.feed.Calls()); n != 4 {
			t.Fatalf("%d History calls after the load, want 4", n)
		}
		r.stop()
	})
}

// TestHistoryRetryAtOnceWhenFeedRecovers: the live feed is down, then
// delivers quotes: the history is retried at once (no clock advance); a
// failed immediate retry falls back to the backoff, and meanwhile the
// healthy feed is reported degraded with the reason and the countdown.
func TestHistoryRetryAtOnceWhenFeedRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iwm, _, h, t0 := pairHistory(260)
		r := newHistRig(t, pairConfig(), feeds.KindLive, h, t0, func(f *fake.Feed) func(context.Context, int, []string) (feeds.History, error) {
			return failFirst(f, 2)
		})
		r.statuses()
		ctx := t.Context()
		down := feeds.Status{State: feeds.StateDown, LastError: "all 2 symbols failed: HTTP 503", NextRetry: t0.Add(5 * time.Second)}
		errs := []engine.SymbolError{{Symbol: "IWM", Message: "HTTP 503"}, {Symbol: "SPY", Message: "HTTP 503"}}
		if err := r.feed.Push(ctx, feeds.Batch{Seq: 1, Status: down, Errors: errs}); err != nil {
			t.Fatal(err)
		}
		st := r.statuses()
		if len(st) != 1 || st[0].State != feeds.StateDown || st[0].LastError != down.LastError || !st[0].NextRetry.Equal(down.NextRetry) {
			t.Fatalf("statuses %+v, want the feed's down status unchanged", st)
		}
		if n := len(r.feed.Calls()); n != 1 {
			t.Fatalf("%d History calls while the feed is down, want 1", n)
		}

		q := []engine.Quote{{Symbol: "IWM", Price: 210, Time: t0, Received: t0}, {Symbol: "SPY", Price: 505, Time: t0, Received: t0}}
		ok := feeds.Status{State: feeds.StateOK, LastSuccess: t0, Interval: 15 * time.Second}
		if err := r.feed.Push(ctx, feeds.Batch{Seq: 2, Quotes: q, Status: ok}); err != nil {
			t.Fatal(err)
		}
		st = r.statuses()
		if calls := r.feed.Calls(); len(calls) != 2 || !calls[1].at.Equal(t0) {
			t.Fatalf("History calls %v, want a second one at once", calls)
		}
		want := []string{"history unavailable: HTTP 503, retrying", "history unavailable: HTTP 503, retry in 10s"} // second failure: 10 s
		if len(st) != 2 {
			t.Fatalf("statuses %+v, want 2", st)
		}
		for i, s := range st {
			if s.State != feeds.StateDegraded || s.LastError != want[i] || s.Interval != ok.Interval || !s.LastSuccess.Equal(t0) {
				t.Fatalf("status %d %+v, want degraded %q (the feed's interval and last success kept)", i, s, want[i])
			}
		}
		s := r.latest()
		if y, _ := s.Symbol("IWM"); y.Last.V != 210 || y.PrevClose.Valid {
			t.Fatalf("IWM last %v prev %v before the history", y.Last, y.PrevClose)
		}

		// Another healthy batch does not retry again at once: the backoff rules.
		if err := r.feed.Push(ctx, feeds.Batch{Seq: 3, Quotes: q, Status: ok}); err != nil {
			t.Fatal(err)
		}
		if st = r.statuses(); len(st) != 1 || st[0].LastError != "history unavailable: HTTP 503, retry in 10s" {
			t.Fatalf("statuses %+v", st)
		}
		r.clk.Advance(5 * time.Second)
		synctest.Wait()
		if n := len(r.feed.Calls()); n != 2 {
			t.Fatalf("%d History calls, want 2", n)
		}
		r.clk.Advance(5 * time.Second)
		s = r.latest()
		if calls := r.feed.Calls(); len(calls) != 3 || !calls[2].at.Equal(t0.Add(10*time.Second)) {
			t.Fatalf("History calls %v, want a third at +10s", calls)
		}
		y, _ := s.Symbol("IWM")
		if !y.PrevClose.Valid || y.PrevClose.V != iwm[259].Close || !near(y.ChangePct.V, (210/iwm[259].Close-1)*100) {
			t.Fatalf("IWM prev %v change %v, want prev %v", y.PrevClose, y.ChangePct, iwm[259].Close)
		}
		if v, _ := s.Pair.Ratio.Get(); !near(v, 210.0/505) {
			t.Fatalf("ratio %v, want the live 210/505", v)
		}
		st = r.statuses()
		if len(st) != 2 || st[0].LastError != "history unavailable: HTTP 503, retrying" || st[1].State != feeds.StateOK || st[1].LastError != "" {
			t.Fatalf("statuses %+v, want retrying then ok", st)
		}
		r.stop()
	})
}

// TestHistoryRetryPartialFailure: QQQ's history fails at startup while IWM
// and SPY load; only QQQ is asked for again, and once it loads every symbol
// has its own history (the others' are kept).
func TestHistoryRetryPartialFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := pairConfig()
		cfg.Extras = []string{"QQQ"}
		iwm, spy, h, t0 := pairHistory(260)
		qqq := genBars("QQQ", 260, 400, 8, 0.2)
		full := feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy, "QQQ": qqq}}
		r := newHistRig(t, cfg, feeds.KindLive, full, t0, func(f *fake.Feed) func(context.Context, int, []string) (feeds.History, error) {
			partial := fake.New(fake.Options{History: h}) // no QQQ: "fake: no history for QQQ"
			return func(ctx context.Context, call int, syms []string) (feeds.History, error) {
				if call == 0 {
					return partial.History(ctx, syms)
				}
				return f.History(ctx, syms)
			}
		})
		s := r.latest()
		if y, _ := s.Symbol("QQQ"); y.SMA50.Valid {
			t.Fatal("QQQ has an SMA50 without history")
		}
		if _, ok := errorOf(s, "QQQ"); !ok {
			t.Fatalf("QQQ's history error not in the snapshot: %+v", s.Errors)
		}
		// A healthy poll: reported degraded, no retry at once (no QQQ quote).
		if err := r.feed.Push(t.Context(), feeds.Batch{Seq: 1, Status: feeds.Status{State: feeds.StateOK}}); err != nil {
			t.Fatal(err)
		}
		st := r.statuses()
		if len(st) != 1 || st[0].State != feeds.StateDegraded || st[0].LastError != "history unavailable: QQQ: fake: no history for QQQ, retry in 5s" {
			t.Fatalf("statuses %+v", st)
		}
		r.clk.Advance(5 * time.Second)
		s = r.latest()
		calls := r.feed.Calls()
		if len(calls) != 2 || !slices.Equal(calls[0].syms, []string{"IWM", "SPY", "QQQ"}) || !slices.Equal(calls[1].syms, []string{"QQQ"}) {
			t.Fatalf("History calls %v, want all three, then QQQ alone", calls)
		}
		for sym, bars := range full.Daily {
			y, _ := s.Symbol(sym)
			sma := talib.Sma(closes(bars), 50)
			if !y.SMA50.Valid || !near(y.SMA50.V, sma[259]) {
				t.Fatalf("%s SMA50 %v, want %v", sym, y.SMA50, sma[259])
			}
		}
		if v, _ := s.Pair.Ratio.Get(); !near(v, iwm[259].Close/spy[259].Close) {
			t.Fatalf("ratio %v", v)
		}
		if e, ok := errorOf(s, "QQQ"); ok {
			t.Fatalf("QQQ's error %q kept after its history loaded", e)
		}
		if st = r.statuses(); len(st) == 0 || st[len(st)-1].State != feeds.StateOK {
			t.Fatalf("statuses %+v, want ok at the end", st)
		}
		r.stop()
	})
}

func errorOf(s *engine.Snapshot, sym string) (string, bool) {
	for _, e := range s.Errors {
		if e.Symbol == sym {
			return e.Message, true
		}
	}
	return "", false
}

// TestHistoryRetryNonLiveFeed: a demo or replay feed has no Tick; the retry
// runs on its own timer.
func TestHistoryRetryNonLiveFeed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iwm, spy, h, t0 := pairHistory(260)
		r := newHistRig(t, pairConfig(), feeds.KindDemo, h, t0, func(f *fake.Feed) func(context.Context, int, []string) (feeds.History, error) {
			return failFirst(f, 1)
		})
		synctest.Wait()
		r.clk.Advance(4 * time.Second)
		synctest.Wait()
		if n := len(r.feed.Calls()); n != 1 {
			t.Fatalf("%d History calls before the delay, want 1", n)
		}
		r.clk.Advance(time.Second)
		s := r.latest()
		if n := len(r.feed.Calls()); n != 2 {
			t.Fatalf("%d History calls after the delay, want 2", n)
		}
		if v, ok := s.Pair.Ratio.Get(); !ok || !near(v, iwm[259].Close/spy[259].Close) {
			t.Fatalf("ratio %v", s.Pair.Ratio)
		}
		r.stop()
	})
}

// TestHistoryRetryCancel: cancelling during the backoff, or while a retry
// hangs in History, ends Run with nil and leaves no goroutine (synctest
// fails the test otherwise).
func TestHistoryRetryCancel(t *testing.T) {
	for _, inFlight := range []bool{false, true} {
		name := "backoff"
		if inFlight {
			name = "in flight"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, _, h, t0 := pairHistory(60)
				started := make(chan struct{})
				r := newHistRig(t, pairConfig(), feeds.KindLive, h, t0, func(*fake.Feed) func(context.Context, int, []string) (feeds.History, error) {
					return func(ctx context.Context, call int, _ []string) (feeds.History, error) {
						if call == 0 {
							return feeds.History{}, errDown
						}
						close(started)
						<-ctx.Done() // hangs until cancelled
						return feeds.History{}, ctx.Err()
					}
				})
				synctest.Wait()
				if inFlight {
					r.clk.Advance(5 * time.Second)
					<-started
				}
				r.stop()
			})
		})
	}
}

func TestHistoryRetryDelays(t *testing.T) {
	r := newHistoryRetry(nil, 5*time.Second, 5*time.Minute, func() float64 { return 0.5 })
	want := []time.Duration{5, 10, 20, 40, 80, 160, 300, 300, 300}
	for i, w := range want {
		if d := r.delay(i + 1); d != w*time.Second {
			t.Fatalf("delay after %d failures %v, want %v", i+1, d, w*time.Second)
		}
	}
	// Jitter: within ±25 % of the ceiling, never above the cap.
	for _, u := range []float64{0, 0.1, 0.5, 0.9, 0.999999} {
		r.rand = func() float64 { return u }
		for i, w := range want {
			c := w * time.Second
			d := r.delay(i + 1)
			if lo := c * 3 / 4; d < lo || d > c*5/4 || d > 5*time.Minute {
				t.Fatalf("jitter %v, %d failures: %v outside [%v, min(%v, 5m)]", u, i+1, d, lo, c*5/4)
			}
		}
	}
}

func TestHistoryRetryObserve(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	syms := []string{"IWM", "SPY", "QQQ"}
	r := newHistoryRetry(syms, 5*time.Second, time.Minute, func() float64 { return 0.5 })
	r.startup(t0, feeds.History{Daily: map[string][]engine.Bar{"IWM": {{}}}, Errors: []engine.SymbolError{{Symbol: "SPY", Message: "x"}, {Symbol: "QQQ", Message: "y"}}}, nil)
	if !slices.Equal(r.start(t0), []string{"SPY", "QQQ"}) {
		t.Fatal("pending symbols")
	}
	r.inFlight = false
	quote := func(sym string) feeds.Batch { return feeds.Batch{Quotes: []engine.Quote{{Symbol: sym}}} }
	if r.observe(t0.Add(time.Second), quote("SPY")) {
		t.Fatal("retry at once within the base delay of the last attempt")
	}
	r.last = time.Time{}
	r.liveFail["SPY"] = true
	if r.observe(t0, quote("IWM")) {
		t.Fatal("a quote for a loaded symbol triggered a retry")
	}
	if !r.observe(t0, quote("SPY")) {
		t.Fatal("no retry when SPY's live data came back after its history failed")
	}
	r.start(t0)
	if r.observe(t0.Add(10*time.Second), quote("QQQ")) {
		t.Fatal("QQQ's startup failure was already retried: no retry at once")
	}
	loaded := r.done(t0, []string{"SPY", "QQQ"}, feeds.History{Daily: map[string][]engine.Bar{"SPY": {{}}}, Errors: []engine.SymbolError{{Symbol: "QQQ", Message: "gone\x1b[2J\u202e"}}}, nil)
	if len(loaded) != 1 || loaded["SPY"] == nil || !r.pending["QQQ"] || len(r.pending) != 1 {
		t.Fatalf("loaded %v, pending %v", loaded, r.pending)
	}
	if got, want := r.note(t0), "history unavailable: QQQ: gone, retry in 10s"; got != want {
		t.Fatalf("note %q, want %q (clean, second backoff step)", got, want)
	}
	later := t0.Add(10 * time.Second)
	if r.observe(later, quote("QQQ")) {
		t.Fatal("a failed retry is not a live failure: no retry at once")
	}
	r.observe(later, feeds.Batch{Errors: []engine.SymbolError{{Symbol: "QQQ"}}})
	if !r.observe(later, quote("QQQ")) {
		t.Fatal("QQQ failed live, then came back: retry at once")
	}
	if !r.due(later) || r.due(later.Add(-time.Second)) {
		t.Fatal("due")
	}
	ok := feeds.Status{State: feeds.StateOK}
	if m := r.merge(later, ok); m.State != feeds.StateDegraded || !strings.HasPrefix(m.LastError, "history unavailable: ") {
		t.Fatalf("merge %+v", m)
	}
	down := feeds.Status{State: feeds.StateDown, LastError: "x"}
	if m := r.merge(later, down); m != down {
		t.Fatalf("a down status was changed: %+v", m)
	}
}

// TestReplayMissingFileIsNotRetried: a replay directory without a symbol's
// file reports that symbol's error once; History is not asked again and the
// feed is not marked degraded for it.
func TestReplayMissingFileIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, _, h, t0 := pairHistory(260)
		cfg := pairConfig()
		cfg.Extras = []string{"QQQ"}
		h.Errors = []engine.SymbolError{{Symbol: "QQQ", Message: "replay: no file dir/QQQ.csv"}}
		r := newHistRig(t, cfg, feeds.KindReplay, h, t0, func(f *fake.Feed) func(context.Context, int, []string) (feeds.History, error) {
			return failFirst(f, 0)
		})
		s := r.latest()
		r.clk.Advance(10 * time.Minute)
		synctest.Wait()
		if n := len(r.feed.Calls()); n != 1 {
			t.Fatalf("%d History calls, want 1 (a missing replay file is not retried)", n)
		}
		if len(s.Errors) != 1 || s.Errors[0].Symbol != "QQQ" {
			t.Fatalf("snapshot errors %+v, want QQQ's", s.Errors)
		}
		for _, st := range r.statuses() {
			if st.State != feeds.StateOK {
				t.Fatalf("status %v %q: a missing replay file must not degrade the feed", st.State, st.LastError)
			}
		}
		r.stop()
	})
}
