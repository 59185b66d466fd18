package soak

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// Scale goal (issue 8): a Russell 2000-sized basket, 2,000 symbols at 10
// quotes per second each (20,000 quotes/s), costs at most 5 % of one core.
//
//	go test ./internal/soak/ -run '^$' -bench Scale -benchmem
//
// One benchmark op is one 100 ms batch: a quote for every watched symbol
// (the 2,000 basket symbols plus the pair and the 18 sector legs), applied
// with ApplyQuotes and followed by Advance(now), as engine.Run does for one
// Input. The Snapshot variant also publishes a Snapshot per batch (what the
// dashboard receives 10 times a second). Metrics: ns/quote, allocs/quote,
// B/quote and %core@20kq/s = ns/quote × 20,000 / 1e9 × 100; on Unix also
// cpu-ns/quote and cpu%core@20kq/s, the same from the process's CPU time
// (getrusage), which counts the garbage collector's work on other cores and
// does not grow when other processes load the machine.

const (
	basketSize   = 2000
	historyDays  = 300                    // daily bars per symbol: SMA200 and the 1-year chart are warm
	batchEvery   = 100 * time.Millisecond // 10 quotes per second per symbol
	quotesPerSec = 20_000                 // the goal's load: 2,000 symbols × 10/s
	stepTable    = 4096                   // precomputed random-walk steps (cycled)
)

// basket returns n distinct generated tickers ("ZAAA", "ZAAB", …) that do
// not collide with the default watchlist.
func basket(n int) []string {
	out := make([]string, n)
	for i := range out {
		k := i
		b := []byte("ZAAA")
		for j := 3; j >= 1; j-- {
			b[j] = byte('A' + k%26)
			k /= 26
		}
		out[i] = string(b)
	}
	return out
}

// scaleConfig is the default configuration with the basket as extras.
func scaleConfig(n int) engine.Config {
	cfg := engine.DefaultConfig()
	cfg.Extras = basket(n)
	return cfg
}

// tradingDates returns the n trading dates that end the day before d.
func tradingDates(cal *calendar.Calendar, d time.Time, n int) []time.Time {
	out := make([]time.Time, n)
	for i := n - 1; i >= 0; i-- {
		d = cal.PrevTradingDate(d)
		out[i] = d
	}
	return out
}

// cents rounds a price to the cent, as a trade prints.
func cents(p float64) float64 { return math.Round(p*100) / 100 }

// dailyWalk is a cent-rounded random walk of daily bars with volumes around adv.
func dailyWalk(sym string, dates []time.Time, start, adv float64, r *rand.Rand) []engine.Bar {
	out := make([]engine.Bar, len(dates))
	prev := start
	for i, d := range dates {
		o := cents(prev * (1 + 0.003*r.NormFloat64()))
		c := cents(o * (1 + 0.012*r.NormFloat64()))
		h := cents(max(o, c) * (1 + 0.004*math.Abs(r.NormFloat64())))
		l := cents(min(o, c) * (1 - 0.004*math.Abs(r.NormFloat64())))
		v := math.Round(adv * math.Exp(0.3*r.NormFloat64()))
		out[i] = engine.Bar{Symbol: sym, Time: d, Open: o, High: h, Low: l, Close: c, Volume: v}
		prev = c
	}
	return out
}

// market is a simulated basket streaming one quote per symbol per batch:
// random-walk prices (cent-rounded), rising cumulative volume and exchange
// times inside the regular session.
type market struct {
	cal        *calendar.Calendar
	syms       []string
	fair       []float64
	vol        []float64
	step       []float64 // multiplicative price steps, cycled
	lots       []float64 // volume increments, cycled
	k          int
	now, close time.Time
	batch      []engine.Quote
}

// scaleEngine builds an engine watching the basket (plus the default pair and
// sector legs), loads historyDays of daily history and today's minute bars
// from the open up to from (so the 1D series are as long as at that time of
// the day), and returns it with a market positioned at from.
func scaleEngine(tb testing.TB, n int, from time.Time) (*engine.Engine, *market) {
	tb.Helper()
	cal := calendar.NYSE()
	if cal.StateAt(from) != calendar.Regular {
		tb.Fatalf("%v is not inside a regular session", from)
	}
	cfg := scaleConfig(n)
	e, err := engine.New(cfg, cal)
	if err != nil {
		tb.Fatal(err)
	}
	open, close, _ := cal.Session(from)
	dates := tradingDates(cal, cal.TradingDate(from), historyDays)
	r := rand.New(rand.NewPCG(1, 2))
	syms := cfg.Symbols()
	m := &market{cal: cal, syms: syms, fair: make([]float64, len(syms)), vol: make([]float64, len(syms)), now: from, close: close}
	daily := make(map[string][]engine.Bar, len(syms))
	intra := make(map[string][]engine.Bar, len(syms))
	minutes := int(from.Sub(open) / time.Minute)
	for i, s := range syms {
		level := 5 + 300*r.Float64()
		adv := 2e5 + 5e6*r.Float64()
		bars := dailyWalk(s, dates, level, adv, r)
		daily[s] = bars
		p := bars[len(bars)-1].Close
		var cum float64
		ib := make([]engine.Bar, 0, minutes)
		for k := range minutes {
			o := cents(p)
			p *= 1 + 0.0008*r.NormFloat64()
			c := cents(p)
			v := math.Round(adv / 390 * math.Exp(0.4*r.NormFloat64()))
			cum += v
			ib = append(ib, engine.Bar{Symbol: s, Time: open.Add(time.Duration(k) * time.Minute), Open: o, High: max(o, c) + 0.01, Low: min(o, c) - 0.01, Close: c, Volume: v})
		}
		if minutes > 0 {
			intra[s] = ib
		}
		m.fair[i], m.vol[i] = p, cum
	}
	if errs := e.LoadHistory(daily); len(errs) > 0 {
		tb.Fatalf("LoadHistory: %v", errs)
	}
	if len(intra) > 0 {
		e.LoadIntraday(intra)
	}
	e.Advance(from)
	// Per 100 ms step: σ ≈ 2 % per day spread over the 234,000 steps of a session.
	m.step = make([]float64, stepTable)
	m.lots = make([]float64, stepTable)
	sd := 0.02 / math.Sqrt(234_000)
	for i := range m.step {
		m.step[i] = math.Exp(sd * r.NormFloat64())
		m.lots[i] = 100 * float64(1+r.IntN(20))
	}
	m.batch = make([]engine.Quote, len(syms))
	return e, m
}

// next fills the next 100 ms batch in place: each symbol's trade sits at its
// own offset inside the interval. Time stops one minute before the close so a
// long benchmark run never closes the day (a day close is BenchmarkSettle's
// subject in engine/).
func (m *market) next() []engine.Quote {
	if t := m.now.Add(batchEvery); t.Before(m.close.Add(-time.Minute)) {
		m.now = t
	}
	per := batchEvery / time.Duration(len(m.syms)+1)
	for i := range m.batch {
		m.k++
		j := (m.k*7 + i) & (stepTable - 1)
		m.fair[i] *= m.step[j]
		m.vol[i] += m.lots[j]
		t := m.now.Add(-batchEvery + time.Duration(i+1)*per)
		m.batch[i] = engine.Quote{Symbol: m.syms[i], Price: cents(m.fair[i]), DayVolume: m.vol[i], Time: t, Received: t}
	}
	return m.batch
}

// scaleFrom is the simulated start of the benchmarks: hh:mm New York on a
// regular session day. At 12:45, the middle of the session, the 1D series
// already hold 195 minute bars.
func scaleFrom(hh, mm int) time.Time {
	return time.Date(2025, time.March, 12, hh, mm, 0, 0, calendar.Location())
}

func benchScale(b *testing.B, from time.Time, snapshot bool) {
	e, m := scaleEngine(b, basketSize, from)
	perBatch := len(m.syms)
	var snaps int
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpu0, cpuOK := processCPU()
	b.ReportAllocs()
	b.ResetTimer()
	batches := 0
	for b.Loop() {
		qs := m.next()
		if errs := e.ApplyQuotes(qs); len(errs) > 0 {
			b.Fatalf("ApplyQuotes: %v", errs[0])
		}
		e.Advance(m.now)
		if snapshot {
			if s := e.Snapshot(m.now); s != nil {
				snaps++
			}
		}
		batches++
	}
	b.StopTimer()
	cpu1, _ := processCPU()
	runtime.ReadMemStats(&after)
	if snapshot && snaps != batches {
		b.Fatalf("%d snapshots for %d batches", snaps, batches)
	}
	quotes := float64(batches * perBatch)
	nsPerQuote := float64(b.Elapsed().Nanoseconds()) / quotes
	b.ReportMetric(nsPerQuote, "ns/quote")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/quotes, "allocs/quote")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/quotes, "B/quote")
	b.ReportMetric(nsPerQuote*quotesPerSec/1e9*100, "%core@20kq/s")
	if cpuOK {
		// Process CPU time includes the GC's background workers (which run
		// on other cores and so are missing from ns/quote) and is not
		// inflated when other processes compete for the machine.
		cpuPerQuote := float64((cpu1 - cpu0).Nanoseconds()) / quotes
		b.ReportMetric(cpuPerQuote, "cpu-ns/quote")
		b.ReportMetric(cpuPerQuote*quotesPerSec/1e9*100, "cpu%core@20kq/s")
	}
}

// BenchmarkScale2000 is the quote path alone: 2,000 symbols plus the pair
// and the sector legs, one quote each per 100 ms batch.
func BenchmarkScale2000(b *testing.B) { benchScale(b, scaleFrom(12, 45), false) }

// BenchmarkScale2000Snapshot adds one Snapshot per batch (10 per second, the
// dashboard's publish path). A snapshot copies every symbol's intraday
// series, so its cost grows through the day: at=12:45 is the representative
// figure, at=09:31 and at=15:50 bound it.
func BenchmarkScale2000Snapshot(b *testing.B) {
	for _, at := range [][2]int{{12, 45}, {9, 31}, {15, 50}} {
		b.Run(fmt.Sprintf("at=%02d:%02d", at[0], at[1]), func(b *testing.B) {
			benchScale(b, scaleFrom(at[0], at[1]), true)
		})
	}
}

// TestScaleMarket checks the benchmark's input against the issue's
// description, so the figures measure what they claim: 2,000 basket
// symbols plus the default ones, one valid quote per symbol per batch,
// batches 100 ms apart inside the regular session, rising cumulative
// volume, prices moving, and every quote accepted by the engine.
func TestScaleMarket(t *testing.T) {
	// The full basket's names are checked here; the engine part runs the
	// same code with a small basket, so the test stays fast and light (the
	// soak test in this package measures RSS after it).
	full := scaleConfig(basketSize)
	if got, want := len(full.Symbols()), basketSize+len(engine.DefaultConfig().Symbols())-len(engine.DefaultConfig().Extras); got != want {
		t.Fatalf("%d symbols, want %d (basket names collide)", got, want)
	}
	seen := map[string]bool{}
	for _, s := range full.Extras {
		if !engine.ValidSymbol(s) || seen[s] {
			t.Fatalf("basket symbol %q invalid or duplicate", s)
		}
		seen[s] = true
	}
	if err := full.Validate(); err != nil {
		t.Fatal(err)
	}
	n := 100
	e, m := scaleEngine(t, n, scaleFrom(12, 45))
	if got, want := len(m.syms), n+len(engine.DefaultConfig().Symbols())-len(engine.DefaultConfig().Extras); got != want {
		t.Fatalf("%d symbols, want %d", got, want)
	}
	cal := calendar.NYSE()
	prevVol := append([]float64(nil), m.vol...)
	prevNow := m.now
	var moved int
	var first []float64
	for k := range 20 {
		qs := m.next()
		if len(qs) != len(m.syms) {
			t.Fatalf("batch of %d quotes, want %d", len(qs), len(m.syms))
		}
		if d := m.now.Sub(prevNow); d != batchEvery {
			t.Fatalf("batch %d is %v after the previous one, want %v", k, d, batchEvery)
		}
		for i, q := range qs {
			if q.Symbol != m.syms[i] || !(q.Price > 0) || q.Price != cents(q.Price) {
				t.Fatalf("bad quote %+v", q)
			}
			if !q.Time.After(prevNow) || q.Time.After(m.now) || cal.StateAt(q.Time) != calendar.Regular {
				t.Fatalf("quote time %v not in (%v, %v] inside the session", q.Time, prevNow, m.now)
			}
			if !(q.DayVolume > prevVol[i]) {
				t.Fatalf("%s: day volume %v did not rise from %v", q.Symbol, q.DayVolume, prevVol[i])
			}
			prevVol[i] = q.DayVolume
		}
		if first == nil {
			first = make([]float64, len(qs))
			for i, q := range qs {
				first[i] = q.Price
			}
		} else if k == 19 {
			for i, q := range qs {
				if q.Price != first[i] {
					moved++
				}
			}
		}
		prevNow = m.now
		if errs := e.ApplyQuotes(qs); len(errs) > 0 {
			t.Fatalf("engine rejected quotes: %v", errs)
		}
		e.Advance(m.now)
	}
	if moved < len(m.syms)/2 {
		t.Errorf("only %d of %d prices moved in 2 s", moved, len(m.syms))
	}
	s := e.Snapshot(m.now)
	if len(s.Symbols) != len(m.syms) {
		t.Fatalf("snapshot has %d symbols, want %d", len(s.Symbols), len(m.syms))
	}
	for _, ss := range s.Symbols {
		if !ss.SMA200.Valid || !ss.Last.Valid {
			t.Fatalf("%s is not warm: SMA200 %+v, last %+v", ss.Symbol, ss.SMA200, ss.Last)
		}
		if len(ss.Intraday) < 195 {
			t.Fatalf("%s has %d intraday points, want ≥195 (12:45)", ss.Symbol, len(ss.Intraday))
		}
	}
	if len(s.Errors) > 0 {
		t.Fatalf("snapshot errors: %v", s.Errors)
	}
}
