package engine

import (
	"testing"
	"time"
)

// benchEngine loads 1,000 days of history for the default watchlist (pair,
// extras and 18 sector ETFs) and opens the next session with one quote per
// symbol, so every symbol has a forming daily and intraday bar.
func benchEngine(b *testing.B) (*Engine, time.Time) {
	b.Helper()
	e := newEngine(b, DefaultConfig())
	days := tradingDays(e.cal, nyDate(2021, 1, 4), 1000)
	h := map[string][]Bar{}
	for i, sym := range e.cfg.Symbols() {
		h[sym] = walkBars(sym, days, 50+10*float64(i), uint64(i+1))
	}
	if errs := e.LoadHistory(h); len(errs) > 0 {
		b.Fatal(errs)
	}
	d := e.cal.NextTradingDate(days[len(days)-1])
	open := nyAt(d, 9, 30, 0)
	for sym, bars := range h {
		e.ApplyQuotes([]Quote{{Symbol: sym, Price: bars[len(bars)-1].Close, DayVolume: 1000, Time: open}})
	}
	return e, open
}

// benchQuotes runs one quote per op for the given symbols (cycled), spread
// evenly over the session so new minute bars open along the way.
func benchQuotes(b *testing.B, syms []string) {
	e, open := benchEngine(b)
	step := time.Duration(int64(6*time.Hour) / int64(b.N+1))
	step = max(step, time.Microsecond)
	base := make([]float64, len(syms))
	for i, s := range syms {
		base[i] = e.bySym(s).live.last.V
	}
	q := make([]Quote, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(syms)
		q[0] = Quote{
			Symbol:    syms[k],
			Price:     base[k] * (1 + 0.001*float64(i%7-3)),
			DayVolume: float64(1000 + i),
			Time:      open.Add(time.Duration(i+1) * step),
		}
		e.ApplyQuotes(q)
	}
}

// BenchmarkQuotePairLeg: one quote of the small-cap leg — bar builders,
// the symbol's Peek chain, the ratio's Peek chain and the pair flags.
func BenchmarkQuotePairLeg(b *testing.B) { benchQuotes(b, []string{"IWM"}) }

// BenchmarkQuoteSectorLeg: one quote of a sector ETF — builders, Peek chain
// and the live sector-breadth flag.
func BenchmarkQuoteSectorLeg(b *testing.B) { benchQuotes(b, []string{"PSCT"}) }

// BenchmarkQuoteWatchlist cycles through every watched symbol.
func BenchmarkQuoteWatchlist(b *testing.B) {
	benchQuotes(b, DefaultConfig().Symbols())
}

// BenchmarkSnapshot builds a full Snapshot (23 symbols, ~300 daily ratio
// points, today's intraday series).
func BenchmarkSnapshot(b *testing.B) {
	e, open := benchEngine(b)
	for i := range 120 { // two hours of minute bars for the pair
		t := open.Add(time.Duration(i) * time.Minute)
		e.ApplyQuotes([]Quote{
			{Symbol: "IWM", Price: 200, DayVolume: float64(1000 + i), Time: t},
			{Symbol: "SPY", Price: 400, DayVolume: float64(1000 + i), Time: t},
		})
	}
	now := open.Add(2 * time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if s := e.Snapshot(now); s == nil {
			b.Fatal("nil snapshot")
		}
	}
}

// BenchmarkSettle measures the work after a daily bar closes: the ratio
// join, the replay of every flag's committed history over 1,000 days (with
// sector breadth) and the refresh of all live values. It runs once per
// closed daily bar (or revision/load), never per quote.
func BenchmarkSettle(b *testing.B) {
	e, _ := benchEngine(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.closedDirty = true
		e.settle()
	}
}

// TestQuoteHotPathDoesNotAllocate guards the 0 allocs/op goal in plain
// test runs too.
func TestQuoteHotPathDoesNotAllocate(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	days := tradingDays(e.cal, nyDate(2023, 1, 3), 260)
	h := map[string][]Bar{}
	for i, sym := range e.cfg.Symbols() {
		h[sym] = walkBars(sym, days, 50+10*float64(i), uint64(i+1))
	}
	e.LoadHistory(h)
	d := e.cal.NextTradingDate(days[len(days)-1])
	open := nyAt(d, 9, 30, 0)
	q := []Quote{{Symbol: "IWM", Price: 100, DayVolume: 1, Time: open}}
	e.ApplyQuotes(q)
	i := 0
	allocs := testing.AllocsPerRun(500, func() {
		i++
		q[0] = Quote{Symbol: "IWM", Price: 100 + float64(i%5), DayVolume: float64(1 + i), Time: open.Add(time.Duration(i) * 100 * time.Millisecond)}
		e.ApplyQuotes(q)
		q[0].Symbol = "PSCT"
		e.ApplyQuotes(q)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per quote pair, want 0", allocs)
	}
}
