package histcache

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/clock"
)

// askLog is a Recent feed over scripted bars that records which symbols
// each call asked for, and fails the symbols in fail.
type askLog struct {
	name  string
	bars  map[string][]engine.Bar
	mu    sync.Mutex
	asked []string // every symbol asked, in call order
	fail  map[string]bool
}

func (a *askLog) Name() string     { return a.name }
func (a *askLog) Kind() feeds.Kind { return feeds.KindLive }
func (a *askLog) Stream(ctx context.Context, _ []string, _ chan<- feeds.Batch) error {
	<-ctx.Done()
	return ctx.Err()
}
func (a *askLog) History(ctx context.Context, syms []string) (feeds.History, error) {
	return a.HistorySince(ctx, syms, time.Time{})
}
func (a *askLog) HistorySince(_ context.Context, syms []string, since time.Time) (feeds.History, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	h := feeds.History{Daily: map[string][]engine.Bar{}}
	for _, s := range syms {
		a.asked = append(a.asked, s)
		if a.fail[s] {
			h.Errors = append(h.Errors, engine.SymbolError{Symbol: s, Message: "HTTP 404: no data found"})
			continue
		}
		for _, b := range a.bars[s] {
			if !b.Time.Before(since) {
				h.Daily[s] = append(h.Daily[s], b)
			}
		}
	}
	if len(h.Daily) == 0 && len(syms) > 0 {
		return h, errors.New("none loaded")
	}
	return h, nil
}

// take returns the symbols asked since the last take, sorted.
func (a *askLog) take() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := slices.Sorted(slices.Values(a.asked))
	a.asked = nil
	return out
}

func policyCache(t *testing.T, inner feeds.Feed, dir string, clk *clock.Fake, o Options) *Feed {
	t.Helper()
	o.Dir, o.Clock = dir, clk
	f, err := New(inner, o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestOncePerSessionJudgedByFetchTime: a symbol is asked again only after a
// regular session closed since it was last fetched, however old its last
// bar is: a halted symbol (last bar a month old) is not asked on every
// call. Without the policy (the dashboard), every call asks.
func TestOncePerSessionJudgedByFetchTime(t *testing.T) {
	tue := nyAt(2026, 11, 24, 18, 0) // after Tuesday's close
	inner := &askLog{name: "yahoo", bars: map[string][]engine.Bar{
		"IWM":  series("IWM", 30, tue),
		"HALT": series("HALT", 30, nyAt(2026, 10, 23, 18, 0)), // halted since October
	}}
	syms := []string{"IWM", "HALT"}
	dir := t.TempDir()
	clk := clock.NewFake(tue)
	f := policyCache(t, inner, dir, clk, Options{OncePerSession: true})
	history := func(when string) feeds.History {
		t.Helper()
		h, err := f.History(context.Background(), syms)
		if err != nil || len(h.Errors) != 0 || len(h.Daily["IWM"]) != 30 || len(h.Daily["HALT"]) != 30 {
			t.Fatalf("%s: err %v, errors %v, %d/%d bars", when, err, h.Errors, len(h.Daily["IWM"]), len(h.Daily["HALT"]))
		}
		return h
	}
	history("first")
	if got := inner.take(); !slices.Equal(got, []string{"HALT", "IWM"}) {
		t.Fatalf("first call asked %v, want both (nothing cached)", got)
	}
	for _, at := range []time.Time{nyAt(2026, 11, 24, 23, 0), nyAt(2026, 11, 25, 9, 0), nyAt(2026, 11, 25, 15, 59)} {
		clk.Advance(at.Sub(clk.Now()))
		history(at.Format(time.DateTime))
		if got := inner.take(); len(got) != 0 {
			t.Fatalf("%v: asked %v, want nothing (no session closed since the fetch)", at, got)
		}
	}
	clk.Advance(nyAt(2026, 11, 25, 16, 1).Sub(clk.Now())) // Wednesday's close has passed
	history("after the close")
	if got := inner.take(); !slices.Equal(got, []string{"HALT", "IWM"}) {
		t.Fatalf("after the close asked %v, want both once", got)
	}
	history("again")
	if got := inner.take(); len(got) != 0 {
		t.Fatalf("asked %v again in the same session", got)
	}

	// The dashboard's cache (no policy) asks every time, and its fetches
	// count for the status line's cache too (one fetch log).
	dash := policyCache(t, inner, dir, clk, Options{})
	if _, err := dash.History(context.Background(), syms); err != nil {
		t.Fatal(err)
	}
	if got := inner.take(); !slices.Equal(got, []string{"HALT", "IWM"}) {
		t.Fatalf("without the policy asked %v, want both", got)
	}
}

// TestFailureTTL: a symbol without cached bars whose fetch failed is not
// asked again within the TTL (its failure is repeated), doubling with each
// failure; a cached symbol whose fetch failed serves its bars, said stale,
// and is not asked again before the next close (a delisted symbol).
func TestFailureTTL(t *testing.T) {
	tue := nyAt(2026, 11, 24, 18, 0)
	inner := &askLog{name: "yahoo", bars: map[string][]engine.Bar{"IWM": series("IWM", 30, tue), "SPY": series("SPY", 30, tue)}}
	syms := []string{"IWM", "SPY", "GONE"}
	inner.fail = map[string]bool{"GONE": true}
	clk := clock.NewFake(tue)
	f := policyCache(t, inner, t.TempDir(), clk, Options{OncePerSession: true, FailureTTL: time.Minute})
	if _, err := f.History(context.Background(), syms); err != nil {
		t.Fatal(err)
	}
	inner.take()
	clk.Advance(59 * time.Second)
	h, err := f.History(context.Background(), syms)
	if err != nil {
		t.Fatal(err)
	}
	if got := inner.take(); len(got) != 0 {
		t.Fatalf("asked %v within the TTL", got)
	}
	if len(h.Errors) != 1 || h.Errors[0].Symbol != "GONE" || !strings.Contains(h.Errors[0].Message, "HTTP 404: no data found") {
		t.Fatalf("errors %+v, want GONE's recorded failure", h.Errors)
	}
	clk.Advance(time.Second)
	if _, err := f.History(context.Background(), syms); err != nil {
		t.Fatal(err)
	}
	if got := inner.take(); !slices.Equal(got, []string{"GONE"}) {
		t.Fatalf("after the TTL asked %v, want GONE only", got)
	}
	// Failed twice in a row: it waits twice as long.
	clk.Advance(119 * time.Second)
	f.History(context.Background(), syms)
	if got := inner.take(); len(got) != 0 {
		t.Fatalf("asked %v 119 s after a second failure", got)
	}
	clk.Advance(time.Second)
	f.History(context.Background(), syms)
	if got := inner.take(); !slices.Equal(got, []string{"GONE"}) {
		t.Fatalf("asked %v 120 s after a second failure, want GONE", got)
	}

	// A cached symbol that starts failing keeps its bars, said stale.
	inner.fail["SPY"] = true
	clk.Advance(nyAt(2026, 11, 25, 16, 30).Sub(clk.Now())) // after Wednesday's close
	f.History(context.Background(), syms)
	inner.take()
	clk.Advance(3 * time.Hour) // well past the TTL, before the next close
	h, _ = f.History(context.Background(), syms)
	if got := inner.take(); slices.Contains(got, "SPY") {
		t.Fatalf("asked %v: SPY (cached, failed after the close) asked twice in a session", got)
	}
	if len(h.Daily["SPY"]) != 30 {
		t.Fatalf("SPY's cached bars not served: %d", len(h.Daily["SPY"]))
	}
	found := false
	for _, e := range h.Errors {
		found = found || (e.Symbol == "SPY" && strings.HasPrefix(e.Message, "history may be stale (cached up to 2026-11-24)"))
	}
	if !found {
		t.Fatalf("errors %+v: SPY not said stale", h.Errors)
	}
}

// TestMaxFetch: one call asks at most MaxFetch symbols, in the order
// requested; the rest come from the cache or are "not loaded yet", and the
// next calls ask them.
func TestMaxFetch(t *testing.T) {
	tue := nyAt(2026, 11, 24, 18, 0)
	var syms []string
	bars := map[string][]engine.Bar{}
	for _, s := range []string{"IWM", "SPY", "A", "B", "C", "D", "E"} {
		syms = append(syms, s)
		bars[s] = series(s, 10, tue)
	}
	inner := &askLog{name: "yahoo", bars: bars}
	clk := clock.NewFake(tue)
	f := policyCache(t, inner, t.TempDir(), clk, Options{OncePerSession: true, MaxFetch: 3})
	var asked [][]string
	for range 3 {
		h, err := f.History(context.Background(), syms)
		if err != nil {
			t.Fatal(err)
		}
		got := inner.take()
		asked = append(asked, got)
		for _, s := range syms {
			loaded := len(h.Daily[s]) == 10
			pending := false
			for _, e := range h.Errors {
				pending = pending || (e.Symbol == s && e.Message == "history not loaded yet (a few symbols per call)")
			}
			if loaded == pending {
				t.Fatalf("call %d: %s loaded %v, pending %v", len(asked), s, loaded, pending)
			}
		}
	}
	want := [][]string{{"A", "IWM", "SPY"}, {"B", "C", "D"}, {"E"}} // sorted
	for i := range want {
		if !slices.Equal(asked[i], want[i]) {
			t.Fatalf("calls asked %v, want %v", asked, want)
		}
	}
}

// TestFetchLogKeepsOtherRecords: two caches (two processes) on one
// directory keep each other's records.
func TestFetchLogKeepsOtherRecords(t *testing.T) {
	tue := nyAt(2026, 11, 24, 18, 0)
	inner := &askLog{name: "yahoo", bars: map[string][]engine.Bar{"IWM": series("IWM", 5, tue), "SPY": series("SPY", 5, tue)}}
	dir := t.TempDir()
	clk := clock.NewFake(tue)
	a := policyCache(t, inner, dir, clk, Options{OncePerSession: true})
	b := policyCache(t, inner, dir, clk, Options{OncePerSession: true})
	a.History(context.Background(), []string{"IWM"})
	b.History(context.Background(), []string{"SPY"})
	inner.take()
	a.History(context.Background(), []string{"IWM", "SPY"})
	if got := inner.take(); len(got) != 0 {
		t.Fatalf("asked %v: a record was lost", got)
	}
}
