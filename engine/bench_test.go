package engine

import (
	"strconv"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/cputime"
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
	defer cputime.Report(b)() // cpu-ns/op: steadier than ns/op on a shared machine
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

// minuteEngine is an engine of 2,000 symbols with 30 days of history and
// today's first 210 minutes (to 13:00) loaded, as updates (a streaming
// feed's back-fill) or whole days: a streaming feed's watchlist at 13:00,
// as in feeds/alpaca's BenchmarkStreamMinute.
func minuteEngine(b *testing.B, updates bool) (e *Engine, syms []string, open time.Time, day map[string][]Bar) {
	b.Helper()
	cfg := DefaultConfig()
	cfg.Sectors = nil
	for i := range 2000 - 2 {
		cfg.Extras = append(cfg.Extras, "S"+strconv.Itoa(1000+i))
	}
	e = newEngine(b, cfg)
	days := tradingDays(e.cal, nyDate(2025, 1, 6), 30)
	syms = cfg.Symbols()
	h := map[string][]Bar{}
	for i, sym := range syms {
		h[sym] = flatBars(sym, days, constSeries(30, 50+float64(i%100)), 1e6)
	}
	e.LoadHistory(h)
	open = nyAt(e.cal.NextTradingDate(days[29]), 9, 30, 0)
	day = map[string][]Bar{}
	for i, sym := range syms {
		day[sym] = minuteBars(sym, open, open.Add(210*time.Minute), 50+float64(i%100), 1000)
	}
	if !updates {
		e.LoadIntraday(day)
		return e, syms, open, day
	}
	var all []Bar
	for _, sym := range syms {
		all = append(all, day[sym]...)
	}
	e.UpdateIntraday(all)
	return e, syms, open, day
}

// BenchmarkUpdateIntraday2000: one minute of a streaming feed for 2,000
// symbols in the updates form — each symbol's new minute bar (from 13:00;
// after the close's last minute the same minutes again, as corrections).
func BenchmarkUpdateIntraday2000(b *testing.B) {
	e, syms, open, _ := minuteEngine(b, true)
	batch := make([]Bar, len(syms))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := open.Add(time.Duration(210+i%180) * time.Minute)
		for k, sym := range syms {
			p := 50 + float64(k%100) + float64(i%7)/10
			batch[k] = Bar{Symbol: sym, Time: t, Open: p, High: p + 0.1, Low: p - 0.1, Close: p, Volume: 1200}
		}
		e.UpdateIntraday(batch)
	}
}

// BenchmarkLoadIntradayWholeDay2000 is the same minute in the whole-day
// form a streaming feed used before the updates form: every symbol's day
// so far (211 bars) replacing the last (for comparison).
func BenchmarkLoadIntradayWholeDay2000(b *testing.B) {
	e, syms, open, day := minuteEngine(b, false)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := open.Add(210 * time.Minute)
		for k, sym := range syms {
			p := 50 + float64(k%100) + float64(i%7)/10
			d := day[sym]
			d = append(d[:210], Bar{Symbol: sym, Time: t, Open: p, High: p + 0.1, Low: p - 0.1, Close: p, Volume: 1200})
			day[sym] = d
		}
		e.LoadIntraday(day)
	}
}
