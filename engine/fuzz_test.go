package engine

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// FuzzQuoteSequence feeds a random sequence of quotes (out of order, late,
// outside the session, some invalid) and checks the invariants: no panic,
// bars sorted and consistent, and the committed daily values equal go-talib
// over the stored bars — however late the prints arrived.
func FuzzQuoteSequence(f *testing.F) {
	for _, s := range []uint64{1, 2, 3, 42, 1234} {
		f.Add(s, uint16(200))
	}
	f.Fuzz(func(t *testing.T, seed uint64, n uint16) {
		e := newEngine(t, pairConfig())
		days := tradingDays(e.cal, nyDate(2025, 1, 2), 45)
		e.LoadHistory(map[string][]Bar{"IWM": walkBars("IWM", days[:40], 200, 1), "SPY": walkBars("SPY", days[:40], 400, 2)})
		r := rand.New(rand.NewPCG(seed, 7))
		syms := []string{"IWM", "SPY", "XYZ"}
		vol := map[string]float64{}
		for range int(n % 600) {
			sym := syms[r.IntN(3)]
			d := days[40+r.IntN(5)]
			at := nyAt(d, 9, 0, 0).Add(time.Duration(r.IntN(8*3600)) * time.Second)
			p := 100 + 100*r.Float64()
			switch r.IntN(20) {
			case 0:
				p = math.NaN()
			case 1:
				p = -p
			case 2:
				p = 0
			}
			vol[sym] += float64(r.IntN(1000))
			e.ApplyQuotes([]Quote{{Symbol: sym, Price: p, DayVolume: vol[sym], Time: at}})
			if r.IntN(10) == 0 {
				e.Advance(at)
			}
		}
		end := sessionClose(days[44])
		e.Advance(end)
		snap := e.Snapshot(end)
		for _, sym := range []string{"IWM", "SPY"} {
			s := e.bySym(sym)
			if s.hasForm {
				t.Fatalf("%s: still forming after the last close", sym)
			}
			for i, b := range s.daily {
				if !(b.Low <= b.Open && b.Open <= b.High && b.Low <= b.Close && b.Close <= b.High) {
					t.Fatalf("%s: inconsistent bar %+v", sym, b)
				}
				if i > 0 && !s.daily[i-1].Time.Before(b.Time) {
					t.Fatalf("%s: daily bars out of order at %d", sym, i)
				}
			}
			for i := 1; i < len(s.intra); i++ {
				if !s.intra[i-1].Time.Before(s.intra[i].Time) {
					t.Fatalf("%s: intraday bars out of order at %d", sym, i)
				}
			}
			checkOracleFuzz(t, sym, mustSym(t, snap, sym), s.daily)
		}
	})
}

// checkOracleFuzz is checkAgainstOracle without *testing.T subtests (usable
// from a fuzz function).
func checkOracleFuzz(t *testing.T, sym string, got SymbolSnapshot, bars []Bar) {
	t.Helper()
	want := oracle(bars)
	for name, g := range symFields(got) {
		w := want[name]
		if g.Valid != w.Valid || math.Float64bits(g.V) != math.Float64bits(w.V) {
			t.Fatalf("%s: %s = %+v, want %+v", sym, name, g, w)
		}
	}
}
