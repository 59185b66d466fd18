package engine

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// nyAt returns hh:mm:ss New York time on the date of d.
func nyAt(d time.Time, hh, mm, ss int) time.Time {
	y, m, dd := d.In(calendar.Location()).Date()
	return time.Date(y, m, dd, hh, mm, ss, 0, calendar.Location())
}

// nyDate returns NY midnight of y-m-d.
func nyDate(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, calendar.Location())
}

// tradingDays returns n consecutive NYSE trading dates starting at the first
// trading date on or after start.
func tradingDays(cal *calendar.Calendar, start time.Time, n int) []time.Time {
	d := start
	if !cal.IsTradingDay(d) {
		d = cal.NextTradingDate(d)
	}
	out := make([]time.Time, 0, n)
	for len(out) < n {
		out = append(out, d)
		d = cal.NextTradingDate(d)
	}
	return out
}

// walkBars generates a tick-rounded random walk of daily bars on dates.
func walkBars(sym string, dates []time.Time, start float64, seed uint64) []Bar {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]Bar, len(dates))
	prev := start
	for i, d := range dates {
		o := math.Round(prev*(1+0.003*r.NormFloat64())*100) / 100
		c := math.Round(o*(1+0.01*r.NormFloat64())*100) / 100
		h := math.Round((math.Max(o, c)+math.Abs(r.NormFloat64())*0.5)*100) / 100
		l := math.Round((math.Min(o, c)-math.Abs(r.NormFloat64())*0.5)*100) / 100
		v := float64(1_000_000 + r.IntN(4_000_000))
		out[i] = Bar{Symbol: sym, Time: d, Open: o, High: h, Low: l, Close: c, Volume: v}
		prev = c
	}
	return out
}

// flatBars returns bars with O=H=L=C=closes[i] and the given volume.
func flatBars(sym string, dates []time.Time, closes []float64, vol float64) []Bar {
	out := make([]Bar, len(closes))
	for i, c := range closes {
		out[i] = Bar{Symbol: sym, Time: dates[i], Open: c, High: c, Low: c, Close: c, Volume: vol}
	}
	return out
}

// dayQuotes returns four quotes that rebuild b exactly: open at 09:30, high
// at 10:00, low at 11:00, close one minute before the session close;
// cumulative volume reaches b.Volume.
func dayQuotes(b Bar) []Quote {
	d := b.Time
	_, cl, _ := calendar.NYSE().Session(d)
	return []Quote{
		{Symbol: b.Symbol, Price: b.Open, DayVolume: b.Volume / 4, Time: nyAt(d, 9, 30, 0)},
		{Symbol: b.Symbol, Price: b.High, DayVolume: b.Volume / 2, Time: nyAt(d, 10, 0, 0)},
		{Symbol: b.Symbol, Price: b.Low, DayVolume: b.Volume * 3 / 4, Time: nyAt(d, 11, 0, 0)},
		{Symbol: b.Symbol, Price: b.Close, DayVolume: b.Volume, Time: cl.Add(-time.Minute)},
	}
}

// pairConfig is a config with just the pair (no extras, no sectors).
func pairConfig() Config {
	c := DefaultConfig()
	c.Extras = nil
	c.Sectors = nil
	return c
}

func newEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	e, err := New(cfg, calendar.NYSE())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

func closesOf(bars []Bar) []float64 {
	out := make([]float64, len(bars))
	for i, b := range bars {
		out[i] = b.Close
	}
	return out
}

func mustSym(t testing.TB, s *Snapshot, sym string) SymbolSnapshot {
	t.Helper()
	ss, ok := s.Symbol(sym)
	if !ok {
		t.Fatalf("snapshot has no %s", sym)
	}
	return ss
}

func mustFlag(t testing.TB, s *Snapshot, id string) Flag {
	t.Helper()
	f, ok := s.Flag(id)
	if !ok {
		t.Fatalf("snapshot has no flag %s", id)
	}
	return f
}

// sessionClose returns the regular-session close of the trading date d.
func sessionClose(d time.Time) time.Time {
	_, cl, _ := calendar.NYSE().Session(d)
	return cl
}
