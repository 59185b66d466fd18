package rotation

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/capwatch/capwatch/internal/cputime"
)

// benchInput is 20 assets (9 sector pairs and the pair) on the given days.
func benchInput(days []Day) Input {
	rng := rand.New(rand.NewPCG(11, 12))
	in := Input{Small: "IWM", Large: "SPY", Series: map[string]Series{}}
	names := []string{"Technology", "Health Care", "Financials", "Energy", "Industrials", "Consumer Discretionary", "Consumer Staples", "Materials", "Utilities"}
	for k, name := range names {
		in.Sectors = append(in.Sectors, Sector{Name: name, Small: "S" + string(rune('A'+k)), Large: "L" + string(rune('A'+k))})
	}
	syms := []string{"IWM", "SPY"}
	for _, s := range in.Sectors {
		syms = append(syms, s.Small, s.Large)
	}
	for _, sym := range syms {
		s := Series{Days: days, Closes: make([]float64, len(days))}
		p := 20 + rng.Float64()*200
		for i := range days {
			p *= math.Exp(rng.NormFloat64() * 0.012)
			s.Closes[i] = p
		}
		in.Series[sym] = s
	}
	return in
}

// BenchmarkComputeWeekly: all three views (28 entries) for 20 assets × 10
// years of weekly points (goal ≤ 1 ms).
func BenchmarkComputeWeekly(b *testing.B) {
	in := benchInput(weeklyDays(520))
	c := newComputer(b, Config{})
	b.ReportAllocs()
	done := cputime.Report(b)
	defer done()
	for b.Loop() {
		if r := c.Compute(in); len(r.SmallVsLarge) != 10 {
			b.Fatal("entries")
		}
	}
}

// BenchmarkComputeDaily: the same from 10 years of daily closes (2,520
// trading days per asset), weekly grouping included, as the engine runs it.
func BenchmarkComputeDaily(b *testing.B) {
	in := benchInput(tradingDays("2016-01-04", "2025-12-31"))
	c := newComputer(b, Config{})
	b.ReportAllocs()
	done := cputime.Report(b)
	defer done()
	for b.Loop() {
		if r := c.Compute(in); len(r.SmallVsLarge) != 10 {
			b.Fatal("entries")
		}
	}
}
