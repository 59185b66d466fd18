package breadth

import (
	"math"
	"math/rand/v2"
	"testing"

	talib "github.com/markcheno/go-talib"
)

// TestExtremesAreTalibMaxMin: after every committed close, the 52-week
// high and low equal go-talib's MAX and MIN over 252 closes, and are
// absent before 252 closes; on falling and rising runs (the extreme is the
// oldest close, about to leave the window), flat runs and a few-values
// series (ties everywhere), sawtooths and random walks in cents, and again
// after a reset — at the end and in the middle of a series, as the universe
// resets a member whose history changed and replays it from its first bar.
func TestExtremesAreTalibMaxMin(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 900
	walk := func(tick float64) func(int) float64 {
		px := 100.0
		return func(int) float64 {
			px *= math.Exp(r.NormFloat64() * 0.02)
			return math.Max(tick, math.Round(px/tick)*tick)
		}
	}
	cases := map[string]func(i int) float64{
		"falling":   func(i int) float64 { return 1000 - float64(i) },
		"rising":    func(i int) float64 { return 1 + float64(i) },
		"flat":      func(int) float64 { return 42 },
		"fewvalues": func(int) float64 { return float64(1 + r.IntN(4)) },
		"sawtooth":  func(i int) float64 { return 100 + float64(i%300) - float64(i%7)*0.5 },
		"walkcents": walk(0.01),
		"walkdimes": walk(1), // coarse ticks: long runs of equal closes
	}
	for name, f := range cases {
		closes := make([]float64, n)
		for i := range closes {
			closes[i] = f(i)
		}
		hi, lo := talib.Max(closes, week52), talib.Min(closes, week52)
		var x extremes
		// Rounds: the whole series; again after a reset at its end; then
		// twice cut short by a reset at a random point (before, at and past
		// a full window) and replayed from the start.
		stops := []int{n, n, week52 - 1 + r.IntN(3), 300 + r.IntN(500), n}
		for round, stop := range stops {
			for j := range stop {
				x.push(closes, j)
				h, l, ok := x.value(closes)
				if ok != (j >= week52-1) {
					t.Fatalf("%s round %d: after %d closes ok = %v", name, round, j+1, ok)
				}
				if ok && (h != hi[j] || l != lo[j]) {
					t.Fatalf("%s round %d: after close %d: high %v low %v, want %v %v", name, round, j, h, l, hi[j], lo[j])
				}
			}
			x.reset()
		}
	}
}
