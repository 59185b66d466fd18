package engine

import (
	"fmt"
	"testing"
	"time"
)

// errFixture is an engine with IWM, SPY and QQQ loaded (30 days) and the
// next trading day to quote on.
type errFixture struct {
	e    *Engine
	hist map[string][]Bar
	day  time.Time
	at   time.Time // 10:00 New York on day
}

func newErrFixture(t *testing.T) *errFixture {
	t.Helper()
	cfg := pairConfig()
	cfg.Extras = []string{"QQQ"}
	e := newEngine(t, cfg)
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 30)
	hist := map[string][]Bar{
		"IWM": walkBars("IWM", days, 200, 1),
		"SPY": walkBars("SPY", days, 400, 2),
		"QQQ": walkBars("QQQ", days, 350, 3),
	}
	if errs := e.LoadHistory(hist); len(errs) > 0 {
		t.Fatal(errs)
	}
	d := e.cal.NextTradingDate(days[29])
	return &errFixture{e: e, hist: hist, day: d, at: nyAt(d, 10, 0, 0)}
}

// quote is a valid quote for sym k seconds after f.at.
func (f *errFixture) quote(sym string, px float64, k int) Quote {
	return Quote{Symbol: sym, Price: px, DayVolume: float64(1000 + k), Time: f.at.Add(time.Duration(k) * time.Second)}
}

// errs returns the snapshot's error messages by symbol ("no data" entries
// included; every symbol here has data).
func (f *errFixture) errs(t *testing.T) map[string]string {
	t.Helper()
	s := f.e.Snapshot(f.at)
	out := map[string]string{}
	for _, se := range s.Errors {
		if _, dup := out[se.Symbol]; dup {
			t.Errorf("%s listed twice: %v", se.Symbol, s.Errors)
		}
		out[se.Symbol] = se.Message
	}
	return out
}

func wantErrs(t *testing.T, step string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: errors %v, want %v", step, got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: errors %v, want %v", step, got, want)
		}
	}
}

func TestLiveErrorClearsOnValidQuote(t *testing.T) {
	f := newErrFixture(t)
	f.e.apply(Input{Feed: "yahoo", Live: true, Now: f.at,
		Quotes: []Quote{f.quote("IWM", 201, 0), f.quote("SPY", 401, 0)},
		Errors: []SymbolError{{Symbol: "QQQ", Message: "yahoo: no such symbol"}}})
	f.e.apply(Input{Feed: "yahoo", Errors: []SymbolError{{Symbol: "IWM", Message: "history may be stale"}}})
	wantErrs(t, "outage", f.errs(t), map[string]string{"QQQ": "yahoo: no such symbol", "IWM": "history may be stale"})

	// A rejected quote is a live error too; SPY's next valid quote clears it.
	if errs := f.e.ApplyQuotes([]Quote{{Symbol: "SPY", Price: -1, Time: f.at}}); len(errs) != 1 {
		t.Fatalf("bad quote: %v", errs)
	}
	if got := f.errs(t); got["SPY"] == "" {
		t.Fatalf("rejected quote not reported: %v", got)
	}
	// QQQ's quotes come back (no batch in between): its error goes; the
	// other symbols' errors are untouched.
	f.e.ApplyQuotes([]Quote{f.quote("QQQ", 351, 1)})
	wantErrs(t, "QQQ back", f.errs(t), map[string]string{"IWM": "history may be stale", "SPY": "quote: invalid price -1"})
	f.e.ApplyQuotes([]Quote{f.quote("SPY", 402, 2)})
	wantErrs(t, "SPY back", f.errs(t), map[string]string{"IWM": "history may be stale"})
	// IWM's quotes never clear a history error.
	f.e.ApplyQuotes([]Quote{f.quote("IWM", 202, 3)})
	wantErrs(t, "IWM quoted", f.errs(t), map[string]string{"IWM": "history may be stale"})
}

func TestLiveErrorClearsOnValidIntradayBars(t *testing.T) {
	f := newErrFixture(t)
	f.e.apply(Input{Feed: "yahoo", Live: true, Now: f.at, Errors: []SymbolError{{Symbol: "QQQ", Message: "timeout"}}})
	wantErrs(t, "outage", f.errs(t), map[string]string{"QQQ": "timeout"})
	f.e.LoadIntraday(map[string][]Bar{"QQQ": {{Time: nyAt(f.day, 9, 30, 0), Open: 350, High: 351, Low: 349, Close: 350, Volume: 10}}})
	wantErrs(t, "bars back", f.errs(t), map[string]string{})
	// Invalid bars are a live error, cleared by valid ones.
	f.e.LoadIntraday(map[string][]Bar{"QQQ": {{Time: nyAt(f.day, 9, 31, 0), Open: 350, High: 351, Low: -1, Close: 350}}})
	if got := f.errs(t); got["QQQ"] == "" {
		t.Fatalf("invalid bars not reported: %v", got)
	}
	f.e.LoadIntraday(map[string][]Bar{"QQQ": {{Time: nyAt(f.day, 9, 31, 0), Open: 350, High: 351, Low: 349, Close: 350, Volume: 10}}})
	wantErrs(t, "valid bars", f.errs(t), map[string]string{})
}

func TestLiveErrorClearsOnBatchWithoutIt(t *testing.T) {
	f := newErrFixture(t)
	f.e.apply(Input{Feed: "yahoo", Errors: []SymbolError{{Symbol: "SPY", Message: "history: no file"}}})
	f.e.apply(Input{Feed: "yahoo", Live: true, Now: f.at,
		Quotes: []Quote{{Symbol: "IWM", Price: 0, Time: f.at}},
		Errors: []SymbolError{{Symbol: "QQQ", Message: "yahoo: HTTP 503"}, {Symbol: "ZZZ", Message: "not found"}}})
	wantErrs(t, "outage", f.errs(t), map[string]string{
		"SPY": "history: no file", "QQQ": "yahoo: HTTP 503", "ZZZ": "not found", "IWM": "quote: invalid price 0"})

	// A tick (no batch) and another feed's batch change nothing.
	f.e.apply(Input{Now: f.at.Add(5 * time.Second)})
	f.e.apply(Input{Feed: "other", Live: true})
	f.e.apply(Input{Feed: "yahoo"})
	wantErrs(t, "tick", f.errs(t), map[string]string{
		"SPY": "history: no file", "QQQ": "yahoo: HTTP 503", "ZZZ": "not found", "IWM": "quote: invalid price 0"})

	// The next poll still fails QQQ (new message) but no longer ZZZ or
	// IWM, and delivers no quote: only QQQ's live error remains, with the
	// history error of SPY.
	f.e.apply(Input{Feed: "yahoo", Live: true, Errors: []SymbolError{{Symbol: "QQQ", Message: "yahoo: timeout"}}})
	wantErrs(t, "second poll", f.errs(t), map[string]string{"SPY": "history: no file", "QQQ": "yahoo: timeout"})
	// A clean poll clears every live error, never a history one.
	f.e.apply(Input{Feed: "yahoo", Live: true})
	wantErrs(t, "clean poll", f.errs(t), map[string]string{"SPY": "history: no file"})
}

func TestHistoryErrorStaysUntilHistoryLoads(t *testing.T) {
	f := newErrFixture(t)
	f.e.apply(Input{Feed: "replay", Daily: map[string][]Bar{"IWM": f.hist["IWM"]},
		Errors: []SymbolError{{Symbol: "QQQ", Message: "replay: no file QQQ.csv"}, {Symbol: "SPY", Message: "history may be stale"}}})
	// A live error of QQQ on top: shown while it lasts, then the history
	// error is back.
	f.e.apply(Input{Feed: "replay", Live: true, Errors: []SymbolError{{Symbol: "QQQ", Message: "replay: no file QQQ.csv (live)"}}})
	wantErrs(t, "live on top", f.errs(t), map[string]string{"QQQ": "replay: no file QQQ.csv (live)", "SPY": "history may be stale"})
	for k := range 5 { // quotes flow; clean polls
		f.e.apply(Input{Feed: "replay", Live: true, Now: f.at.Add(time.Duration(k) * time.Second),
			Quotes: []Quote{f.quote("QQQ", 351, k), f.quote("SPY", 401, k), f.quote("IWM", 201, k)}})
		wantErrs(t, fmt.Sprintf("poll %d", k), f.errs(t), map[string]string{"QQQ": "replay: no file QQQ.csv", "SPY": "history may be stale"})
	}
	// QQQ's history loads: its error goes, SPY's stays.
	f.e.apply(Input{Feed: "replay", Daily: map[string][]Bar{"QQQ": f.hist["QQQ"]}})
	wantErrs(t, "QQQ loaded", f.errs(t), map[string]string{"SPY": "history may be stale"})
	// A failed load (unsorted bars) is a history error again.
	bad := append([]Bar(nil), f.hist["SPY"]...)
	bad[3], bad[4] = bad[4], bad[3]
	f.e.apply(Input{Feed: "replay", Daily: map[string][]Bar{"SPY": bad}})
	f.e.apply(Input{Feed: "replay", Live: true, Quotes: []Quote{f.quote("SPY", 402, 9)}})
	if got := f.errs(t); len(got) != 1 || got["SPY"] == "" || got["SPY"] == "history may be stale" {
		t.Fatalf("failed load: errors %v", got)
	}
	f.e.apply(Input{Feed: "replay", Daily: map[string][]Bar{"SPY": f.hist["SPY"]}})
	wantErrs(t, "SPY loaded", f.errs(t), map[string]string{})
}

func TestErrorListStaysBounded(t *testing.T) {
	f := newErrFixture(t)
	var errs []SymbolError
	for i := range 2 * maxErrors {
		errs = append(errs, SymbolError{Symbol: fmt.Sprintf("X%03d", i), Message: "not found"})
	}
	f.e.apply(Input{Feed: "yahoo", Live: true, Errors: errs})
	if got := f.errs(t); len(got) != maxErrors || got["X000"] == "" {
		t.Fatalf("%d errors listed, want the first %d", len(got), maxErrors)
	}
	f.e.apply(Input{Feed: "yahoo", Live: true, Errors: errs[maxErrors:]}) // the first half recovered
	if got := f.errs(t); len(got) != maxErrors || got["X000"] != "" || got[errs[maxErrors].Symbol] == "" {
		t.Fatalf("after recovery: %d errors listed: %v", len(got), got)
	}
	f.e.apply(Input{Feed: "yahoo", Live: true})
	wantErrs(t, "all recovered", f.errs(t), map[string]string{})
}

// TestQuoteWithErrorElsewhereDoesNotAllocate: a symbol without an error
// never looks the error list up, so quotes stay allocation-free while
// another symbol is failing.
func TestQuoteWithErrorElsewhereDoesNotAllocate(t *testing.T) {
	f := newErrFixture(t)
	f.e.apply(Input{Feed: "yahoo", Live: true, Errors: []SymbolError{{Symbol: "QQQ", Message: "timeout"}}})
	f.e.ApplyQuotes([]Quote{f.quote("IWM", 201, 0)})
	k := 1
	qs := make([]Quote, 1)
	allocs := testing.AllocsPerRun(100, func() {
		qs[0] = f.quote("IWM", 201+float64(k%7)/100, 0)
		qs[0].Time = f.at.Add(time.Duration(k) * time.Millisecond)
		k++
		f.e.ApplyQuotes(qs)
	})
	if allocs != 0 {
		t.Errorf("%v allocs per quote", allocs)
	}
	if got := f.errs(t); got["QQQ"] != "timeout" {
		t.Errorf("QQQ's error lost: %v", got)
	}
}
