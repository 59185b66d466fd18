package breadth

import (
	"math"
	"math/rand/v2"
	"testing"

	talib "github.com/markcheno/go-talib"
)

// TestStatsAreTalib: a member's SMA50, SMA200 and ROC21, read from its own
// closes, equal go-talib's SMA and ROC bit for bit at every close (absent
// during the warm-up), and peek gives, before a close, what push then
// returns; on random walks in cents and in whole dollars (ties), a flat run
// and a falling one, and again after resets at the end and in the middle of
// the series (the universe replays a member from its first bar).
func TestStatsAreTalib(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	walk := func(tick float64) func(int) float64 {
		px := 80.0
		return func(int) float64 {
			px *= math.Exp(r.NormFloat64() * 0.03)
			return math.Max(tick, math.Round(px/tick)*tick)
		}
	}
	cases := map[string]func(int) float64{
		"walkcents":   walk(0.01),
		"walkdollars": walk(1),
		"flat":        func(int) float64 { return 17.25 },
		"falling":     func(i int) float64 { return 900 - float64(i)*0.7 },
	}
	const n = 700
	for name, f := range cases {
		closes := make([]float64, n)
		for i := range closes {
			closes[i] = f(i)
		}
		sma50, sma200, roc21 := talib.Sma(closes, sma50Period), talib.Sma(closes, sma200Period), talib.Roc(closes, roc21Period)
		var s stats
		for round, stop := range []int{n, n, 120 + r.IntN(200), 400 + r.IntN(250), n} {
			for j := range stop {
				p := s.peek(closes, closes[j])
				v := s.push(closes, j)
				if p != v {
					t.Fatalf("%s round %d close %d: peek %+v, push %+v", name, round, j, p, v)
				}
				check := func(what string, got float64, ok bool, want []float64, period int) {
					t.Helper()
					if ok != (j >= period) {
						t.Fatalf("%s round %d close %d: %s defined = %v", name, round, j, what, ok)
					}
					if ok && got != want[j] {
						t.Fatalf("%s round %d close %d: %s %v, go-talib %v", name, round, j, what, got, want[j])
					}
				}
				check("SMA50", v.v50, v.ok50, sma50, sma50Period-1)
				check("SMA200", v.v200, v.ok200, sma200, sma200Period-1)
				check("ROC21", v.roc, v.okRoc, roc21, roc21Period)
			}
			s.reset()
		}
	}
}
