package failover

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

func ny(h, m, s int) time.Time {
	return time.Date(2026, 11, 24, h, m, s, 0, calendar.Location()) // a Tuesday session
}

// minutes returns 1-minute bars of sym from h1:m1 to h2:m2 (inclusive),
// closing at base + minute index.
func minutes(sym string, from, to time.Time, base float64) []engine.Bar {
	var out []engine.Bar
	for t := from; !t.After(to); t = t.Add(time.Minute) {
		c := base + float64(t.Sub(from)/time.Minute)
		out = append(out, engine.Bar{Symbol: sym, Time: t, Open: c, High: c + 1, Low: c - 1, Close: c, Volume: 100})
	}
	return out
}

func quote(sym string, t time.Time, p float64) engine.Quote {
	return engine.Quote{Symbol: sym, Price: p, Time: t, Received: t}
}

func ok() feeds.Status { return feeds.Status{State: feeds.StateOK} }
func down(msg string) feeds.Status {
	return feeds.Status{State: feeds.StateDown, LastError: msg}
}

// rig runs a failover Stream over two scripted sources on a fake clock.
type rig struct {
	t        *testing.T
	clk      *clock.Fake
	a, b     *fake.Feed
	out      chan feeds.Batch
	done     chan error
	cancel   context.CancelFunc
	lastSeq  uint64
	quoteAt  map[string]time.Time
	lastBar  map[string]time.Time
	received []feeds.Batch
}

func newRig(t *testing.T) *rig {
	t.Helper()
	r := &rig{t: t, clk: clock.NewFake(ny(10, 0, 0)),
		a:   fake.New(fake.Options{Name: "alpaca"}),
		b:   fake.New(fake.Options{Name: "yahoo"}),
		out: make(chan feeds.Batch), done: make(chan error, 1),
		quoteAt: map[string]time.Time{}, lastBar: map[string]time.Time{}}
	f, err := New(Options{Sources: []feeds.Feed{r.a, r.b}, Clock: r.clk})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go func() { r.done <- f.Stream(ctx, []string{"IWM", "SPY"}, r.out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-r.done; !errors.Is(err, context.Canceled) {
			t.Errorf("Stream returned %v", err)
		}
	})
	return r
}

// push hands b to a source's running stream.
func (r *rig) push(src *fake.Feed, b feeds.Batch) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // deadline only
	defer cancel()
	if err := src.Push(ctx, b); err != nil {
		r.t.Fatalf("%s is not streaming: %v", src.Name(), err)
	}
}

// next receives the next batch and checks the continuity contract: one
// sequence, quotes never older than the last for their symbol, each
// symbol's bars strictly increasing and never ending before the last
// delivered.
func (r *rig) next() feeds.Batch {
	r.t.Helper()
	var b feeds.Batch
	select {
	case b = <-r.out:
	case <-time.After(10 * time.Second): // deadline only
		r.t.Fatal("no batch")
	}
	if b.Seq != r.lastSeq+1 {
		r.t.Fatalf("batch %d after %d", b.Seq, r.lastSeq)
	}
	r.lastSeq = b.Seq
	for _, q := range b.Quotes {
		if q.Time.Before(r.quoteAt[q.Symbol]) {
			r.t.Fatalf("%s quote at %v after one at %v: back in time", q.Symbol, q.Time, r.quoteAt[q.Symbol])
		}
		r.quoteAt[q.Symbol] = q.Time
	}
	prev := map[string]time.Time{}
	for _, bar := range b.Bars {
		if p, ok := prev[bar.Symbol]; ok && !bar.Time.After(p) {
			r.t.Fatalf("%s bars not strictly increasing: %v after %v (duplicate or out of order)", bar.Symbol, bar.Time, p)
		}
		prev[bar.Symbol] = bar.Time
	}
	for sym, last := range prev {
		if last.Before(r.lastBar[sym]) {
			r.t.Fatalf("%s bars end at %v, before the %v delivered earlier: back in time", sym, last, r.lastBar[sym])
		}
		r.lastBar[sym] = last
	}
	r.received = append(r.received, b)
	return b
}

// waitStreams waits until src's Stream has been called n times.
func (r *rig) waitStreams(src *fake.Feed, n int) {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for src.StreamCalls() < n {
		select {
		case <-deadline:
			r.t.Fatalf("%s: %d stream calls, want %d", src.Name(), src.StreamCalls(), n)
		case <-tick.C:
		}
	}
}

// TestScriptedOutageOfEachSource: the preferred source (alpaca) goes down;
// after failover_after the fallback (yahoo) is tried and serves once it
// answers, the status saying "via yahoo (alpaca down 2m)"; the fallback's
// delayed quotes never move a price back in time and its bars merge with
// the minutes already delivered (no duplicate, none lost); an outage of the
// fallback while the preferred is still down is reported as it is; the
// preferred's recovery switches back at once and stops the fallback.
func TestScriptedOutageOfEachSource(t *testing.T) {
	r := newRig(t)
	r.waitStreams(r.a, 1)

	// 1. alpaca healthy: served as is.
	r.push(r.a, feeds.Batch{Status: ok(), Quotes: []engine.Quote{quote("IWM", ny(10, 0, 0), 200), quote("SPY", ny(10, 0, 0), 500)},
		Bars: minutes("IWM", ny(9, 30, 0), ny(9, 59, 0), 200)})
	b := r.next()
	if b.Status.Feed != "alpaca" || b.Status.Preferred != "" || len(b.Quotes) != 2 || len(b.Updates) != 30 || len(b.Bars) != 0 {
		t.Fatalf("healthy: %+v", b)
	}

	// 2. alpaca down: reported, no fallback yet.
	r.clk.Advance(30 * time.Second)
	downAt := r.clk.Now()
	r.push(r.a, feeds.Batch{Status: down("cannot reach Alpaca: connection refused")})
	b = r.next()
	if b.Status.State != feeds.StateDown || b.Status.Feed != "alpaca" || b.Status.Via(r.clk.Now()) != "" {
		t.Fatalf("down: %+v", b.Status)
	}
	r.clk.WaitForWaiters(1, nil) // the failover check at downAt + 2m
	r.clk.Advance(time.Minute + 59*time.Second)
	if r.b.StreamCalls() != 0 {
		t.Fatal("yahoo tried before failover_after")
	}

	// 3. After 2 minutes yahoo is tried; its first reply is down: stay.
	r.clk.Advance(time.Second)
	r.waitStreams(r.b, 1)
	r.push(r.b, feeds.Batch{Status: down("Yahoo rate limit (HTTP 429)")})
	b = r.next() // alpaca's status, now saying what is tried
	if b.Status.Feed != "alpaca" || !strings.Contains(b.Status.LastError, "trying yahoo") {
		t.Fatalf("while trying: %+v", b.Status)
	}

	// 4. yahoo answers: it serves. Its IWM quote is delayed (older than
	// alpaca's): dropped; SPY's is newer: kept. Its bars (the day from
	// 9:30 to 10:01, other closes) go on as updates: they replace the
	// minutes they cover (the engine's merge; see engine_test.go).
	r.clk.Advance(15 * time.Second)
	r.push(r.b, feeds.Batch{Status: ok(),
		Quotes: []engine.Quote{quote("IWM", ny(9, 59, 30), 199), quote("SPY", ny(10, 2, 0), 501)},
		Bars:   minutes("IWM", ny(9, 30, 0), ny(10, 1, 0), 300)})
	b = r.next()
	now := r.clk.Now()
	if b.Status.Feed != "yahoo" || b.Status.Preferred != "alpaca" || b.Status.Via(now) != "via yahoo (alpaca down 2m)" {
		t.Fatalf("failed over: %+v (via %q)", b.Status, b.Status.Via(now))
	}
	if !b.Status.PreferredDownSince.Equal(downAt) {
		t.Fatalf("alpaca down since %v, want %v", b.Status.PreferredDownSince, downAt)
	}
	if len(b.Quotes) != 1 || b.Quotes[0].Symbol != "SPY" {
		t.Fatalf("quotes %+v: want only SPY (IWM's is older than alpaca's)", b.Quotes)
	}
	if len(b.Updates) != 32 || len(b.Bars) != 0 || b.Updates[0].Close != 300 || b.Updates[31].Time != ny(10, 1, 0) {
		t.Fatalf("updates: %d, whole days %d", len(b.Updates), len(b.Bars))
	}

	// 5. A delayed yahoo poll (its day ends at 9:58): as updates, so the
	// minutes after it that were delivered stay.
	r.push(r.b, feeds.Batch{Status: ok(), Bars: minutes("IWM", ny(9, 30, 0), ny(9, 58, 0), 400)})
	b = r.next()
	if len(b.Updates) != 29 || len(b.Bars) != 0 || b.Updates[0].Close != 400 {
		t.Fatalf("updates: %d, whole days %d", len(b.Updates), len(b.Bars))
	}

	// 6. yahoo's outage while alpaca is still down: reported as it is.
	r.push(r.b, feeds.Batch{Status: down("Yahoo server error (HTTP 503)")})
	b = r.next()
	if b.Status.State != feeds.StateDown || b.Status.Feed != "yahoo" || !strings.HasPrefix(b.Status.Via(r.clk.Now()), "via yahoo (alpaca down") {
		t.Fatalf("both down: %+v", b.Status)
	}

	// 7. alpaca is back: served at once, yahoo stopped.
	r.clk.Advance(time.Minute)
	r.push(r.a, feeds.Batch{Status: ok(), Quotes: []engine.Quote{quote("IWM", ny(10, 4, 0), 202)},
		Bars: minutes("IWM", ny(9, 30, 0), ny(10, 3, 0), 500)})
	b = r.next()
	if b.Status.Feed != "alpaca" || b.Status.Preferred != "" || b.Status.State != feeds.StateOK || len(b.Quotes) != 1 {
		t.Fatalf("back: %+v", b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond) // deadline only
	defer cancel()
	if err := r.b.Push(ctx, feeds.Batch{Status: ok()}); err == nil {
		t.Fatal("yahoo still streams after alpaca came back")
	}
}

// TestPreferredDegradedKeepsFallback: a preferred source that is back but
// only degraded does not take over; the status says so.
func TestPreferredDegradedKeepsFallback(t *testing.T) {
	r := newRig(t)
	r.waitStreams(r.a, 1)
	r.push(r.a, feeds.Batch{Status: down("x")})
	r.next()
	r.clk.WaitForWaiters(1, nil)
	r.clk.Advance(2 * time.Minute)
	r.waitStreams(r.b, 1)
	r.push(r.b, feeds.Batch{Status: ok(), Quotes: []engine.Quote{quote("SPY", r.clk.Now(), 500)}})
	if b := r.next(); b.Status.Feed != "yahoo" {
		t.Fatalf("not failed over: %+v", b.Status)
	}
	r.clk.Advance(time.Minute)
	r.push(r.a, feeds.Batch{Status: feeds.Status{State: feeds.StateDegraded, LastError: "1 of 2 symbols failed"}})
	b := r.next() // yahoo's status, now saying alpaca is degraded
	if b.Status.Feed != "yahoo" || b.Status.Via(r.clk.Now()) != "via yahoo (alpaca degraded 3m)" || len(b.Quotes) != 0 {
		t.Fatalf("degraded preferred: %+v via %q", b, b.Status.Via(r.clk.Now()))
	}
}

// TestHistoryFallsBack: the first source that loads serves; the symbols it
// could not load come from the next; a total failure of all names each.
func TestHistoryFallsBack(t *testing.T) {
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, calendar.Location())
	bar := func(sym string, c float64) []engine.Bar {
		return []engine.Bar{{Symbol: sym, Time: day, Open: c, High: c, Low: c, Close: c, Volume: 1}}
	}
	a := fake.New(fake.Options{Name: "alpaca", History: feeds.History{Daily: map[string][]engine.Bar{"IWM": bar("IWM", 1)},
		Errors: []engine.SymbolError{{Symbol: "SPY", Message: "alpaca: no SPY"}}}})
	b := fake.New(fake.Options{Name: "yahoo", History: feeds.History{Daily: map[string][]engine.Bar{"IWM": bar("IWM", 2), "SPY": bar("SPY", 3)}}})
	f, err := New(Options{Sources: []feeds.Feed{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := f.History(context.Background(), []string{"IWM", "SPY", "QQQ"})
	if err != nil {
		t.Fatal(err)
	}
	if h.Daily["IWM"][0].Close != 1 || h.Daily["SPY"][0].Close != 3 || len(h.Daily) != 2 {
		t.Fatalf("daily %+v", h.Daily)
	}
	if got := b.LastSymbols(); strings.Join(got, ",") != "SPY,QQQ" {
		t.Fatalf("yahoo asked for %v, want only what alpaca lacked", got)
	}
	if len(h.Errors) != 1 || h.Errors[0].Symbol != "QQQ" {
		t.Fatalf("errors %+v: want only QQQ's", h.Errors)
	}

	boom := errors.New("connection refused")
	fa := fake.New(fake.Options{Name: "alpaca", HistoryErr: boom})
	fb := fake.New(fake.Options{Name: "yahoo", HistoryErr: errors.New("no such host")})
	f, _ = New(Options{Sources: []feeds.Feed{fa, fb}})
	_, err = f.History(context.Background(), []string{"IWM"})
	if err == nil || !errors.Is(err, boom) || !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "no such host") {
		t.Fatalf("total failure: %v", err)
	}
	fb = fake.New(fake.Options{Name: "yahoo", History: feeds.History{Daily: map[string][]engine.Bar{"IWM": bar("IWM", 2)}}})
	f, _ = New(Options{Sources: []feeds.Feed{fa, fb}})
	if h, err := f.History(context.Background(), []string{"IWM"}); err != nil || h.Daily["IWM"][0].Close != 2 {
		t.Fatalf("fallback history: %+v %v", h, err)
	}
}

func TestNewValidates(t *testing.T) {
	a := fake.New(fake.Options{Name: "a"})
	for name, o := range map[string]Options{
		"none":      {},
		"twice":     {Sources: []feeds.Feed{a, a}},
		"mixed":     {Sources: []feeds.Feed{a, fake.New(fake.Options{Name: "d", Kind: feeds.KindDemo})}},
		"neg after": {Sources: []feeds.Feed{a}, After: -time.Second},
	} {
		if _, err := New(o); err == nil || !strings.HasPrefix(err.Error(), "failover: new: ") {
			t.Errorf("%s: err %v", name, err)
		}
	}
}

func TestVia(t *testing.T) {
	at := ny(10, 0, 0)
	for _, tc := range []struct {
		st   feeds.Status
		now  time.Time
		want string
	}{
		{feeds.Status{Feed: "alpaca"}, at, ""},
		{feeds.Status{Feed: "yahoo", Preferred: "alpaca", PreferredState: feeds.StateDown, PreferredDownSince: at}, at.Add(3*time.Minute + 59*time.Second), "via yahoo (alpaca down 3m)"},
		{feeds.Status{Feed: "yahoo", Preferred: "alpaca", PreferredState: feeds.StateDown, PreferredDownSince: at}, at.Add(90*time.Minute + 30*time.Second), "via yahoo (alpaca down 1h30m)"},
		{feeds.Status{Feed: "yahoo", Preferred: "alpaca", PreferredState: feeds.StateDown}, at, "via yahoo (alpaca down)"},
	} {
		if got := tc.st.Via(tc.now); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.st, got, tc.want)
		}
	}
}

// TestProvenanceFollowsTheServingSource: while a fallback that states no
// provenance serves, the status does not keep the preferred source's
// ("IEX", partial volume): it names the fallback as the prices' source and
// keeps the history spans; back on the preferred, its own statement again.
func TestProvenanceFollowsTheServingSource(t *testing.T) {
	r := newRig(t)
	r.waitStreams(r.a, 1)
	hist := []engine.HistorySpan{{Source: "yahoo", From: "1993-01-29", To: "2015-12-31", Symbols: 2}, {Source: "alpaca", From: "2016-01-04", To: "2026-11-23", Symbols: 2}}
	iex := &engine.Provenance{Prices: "IEX", VolumePartial: true, History: hist}
	r.push(r.a, feeds.Batch{Status: feeds.Status{State: feeds.StateOK, Provenance: iex}})
	if b := r.next(); b.Status.Provenance != iex {
		t.Fatalf("preferred's provenance not passed: %+v", b.Status.Provenance)
	}
	r.push(r.a, feeds.Batch{Status: down("x")})
	r.next()
	r.clk.WaitForWaiters(1, nil)
	r.clk.Advance(2 * time.Minute)
	r.waitStreams(r.b, 1)
	r.push(r.b, feeds.Batch{Status: ok()})
	b := r.next()
	p := b.Status.Provenance
	if b.Status.Feed != "yahoo" || p == nil || p.Prices != "yahoo" || p.VolumePartial || p.Label() != "yahoo" || len(p.History) != 2 {
		t.Fatalf("fallback's provenance: %+v", p)
	}
	r.push(r.b, feeds.Batch{Status: ok()})
	if b2 := r.next(); b2.Status.Provenance != p {
		t.Fatal("the fallback's provenance changes from batch to batch (the engine would be told again each time)")
	}
	r.push(r.a, feeds.Batch{Status: feeds.Status{State: feeds.StateOK, Provenance: iex}})
	if b := r.next(); b.Status.Feed != "alpaca" || b.Status.Provenance != iex {
		t.Fatalf("back: %+v", b.Status)
	}
}

// TestBarsPassedOnAsUpdates: a batch's whole days go on as updates after
// its updates (the day they would replace may hold another source's newer
// minutes); a batch with one kind is not copied.
func TestBarsPassedOnAsUpdates(t *testing.T) {
	upd := minutes("IWM", ny(9, 32, 0), ny(9, 32, 0), 3)
	days := append(minutes("SPY", ny(9, 30, 0), ny(9, 31, 0), 5), minutes("QQQ", ny(9, 30, 0), ny(9, 30, 0), 7)...)
	var got []string
	for _, b := range updates(upd, days) {
		got = append(got, b.Symbol+b.Time.Format("15:04"))
	}
	if strings.Join(got, " ") != "IWM09:32 SPY09:30 SPY09:31 QQQ09:30" {
		t.Fatalf("updates %v", got)
	}
	if out := updates(upd, nil); &out[0] != &upd[0] {
		t.Error("updates alone were copied")
	}
	if out := updates(nil, days); &out[0] != &days[0] || len(out) != 3 {
		t.Error("whole days alone were copied")
	}
	if out := updates(upd[:1:1], days); &out[0] == &upd[0] && cap(upd) > 1 {
		t.Error("appended into the source's array")
	}
}
