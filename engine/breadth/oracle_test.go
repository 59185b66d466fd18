package breadth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/capwatch/capwatch/engine"
	talib "github.com/markcheno/go-talib"
)

// randomUniverse builds n members with random walks over the leg's dates:
// random start dates (some before the leg, some late), random gaps, a few
// bars on dates the leg does not have, and ties (unchanged closes).
func randomUniverse(seed uint64, n, dates int) (leg series, members []series) {
	r := rand.New(rand.NewPCG(seed, 7))
	all := tradingDays(dates + 40)
	// The leg skips a few dates that members trade on.
	leg.sym = "IWM"
	c := 200.0
	for i, d := range all[20:] {
		if i%97 == 50 {
			continue
		}
		leg.days = append(leg.days, d)
		c *= math.Exp(r.NormFloat64() * 0.012)
		leg.closes = append(leg.closes, math.Round(c*100)/100)
	}
	// A common market factor with regimes makes the advance/decline ratio
	// swing enough for breadth thrusts.
	mkt := make([]float64, len(all))
	for i := range mkt {
		mean := 0.0
		switch (i / 30) % 4 {
		case 1:
			mean = -0.006
		case 2:
			mean = 0.008
		}
		mkt[i] = mean + r.NormFloat64()*0.01
	}
	for i := range n {
		s := series{sym: fmt.Sprintf("M%03d", i)}
		start := r.IntN(len(all) / 2)
		if i%10 == 0 {
			start = 0
		}
		px := 10 + r.Float64()*90
		drift := r.NormFloat64() * 0.002
		for di, d := range all[start:] {
			if r.IntN(40) == 0 {
				continue // gap
			}
			if r.IntN(8) != 0 { // else unchanged
				px *= math.Exp(drift + mkt[start+di] + r.NormFloat64()*0.01)
				px = math.Max(0.01, math.Round(px*100)/100)
			}
			s.days = append(s.days, d)
			s.closes = append(s.closes, px)
		}
		members = append(members, s)
	}
	return leg, members
}

// oraclePoint is the brute-force answer for one leg date.
type oraclePoint struct {
	with, e50, a50, e200, a200, e252, nh, nl, adv, dec, unch, nret, covered int
	ew, cw                                                                  float64
	ad                                                                      int
	zweig                                                                   float64
	zweigOK, thrust                                                         bool
}

// oracle computes every measure per leg date straight from the definitions,
// with go-talib for SMA, MAX, MIN, ROC and EMA on each member's own closes.
func oracle(leg series, members []series) (first int, pts []oraclePoint) {
	type ms struct {
		at                        map[Day]int
		sma50, sma200, hi, lo, rc []float64
		c                         []float64
		firstDay                  Day
	}
	var mm []ms
	for _, m := range members {
		x := ms{at: map[Day]int{}, c: m.closes}
		for j, d := range m.days {
			x.at[d] = j
		}
		if len(m.days) > 0 {
			x.firstDay = m.days[0]
		}
		x.sma50 = talib.Sma(m.closes, 50)
		x.sma200 = talib.Sma(m.closes, 200)
		x.hi = talib.Max(m.closes, 252)
		x.lo = talib.Min(m.closes, 252)
		x.rc = talib.Roc(m.closes, 21)
		mm = append(mm, x)
	}
	pts = make([]oraclePoint, len(leg.days))
	first = -1
	var ratios []float64
	var ratioAt []int
	for k, d := range leg.days {
		p := &pts[k]
		var ewSum float64
		for _, x := range mm {
			if len(x.c) > 0 && x.firstDay <= d {
				p.covered++
			}
			j, ok := x.at[d]
			if !ok {
				continue
			}
			p.with++
			if j >= 49 {
				p.e50++
				if x.c[j] > x.sma50[j] {
					p.a50++
				}
			}
			if j >= 199 {
				p.e200++
				if x.c[j] > x.sma200[j] {
					p.a200++
				}
			}
			if j >= 252 {
				p.e252++
				if x.c[j] > x.hi[j-1] {
					p.nh++
				}
				if x.c[j] < x.lo[j-1] {
					p.nl++
				}
			}
			if k > 0 {
				if jp, ok := x.at[leg.days[k-1]]; ok {
					switch {
					case x.c[j] > x.c[jp]:
						p.adv++
					case x.c[j] < x.c[jp]:
						p.dec++
					default:
						p.unch++
					}
				}
			}
			if j >= 21 {
				p.nret++
				ewSum += x.rc[j]
			}
		}
		if p.nret > 0 {
			p.ew = ewSum / float64(p.nret)
		}
		if k >= 21 {
			p.cw = (leg.closes[k]/leg.closes[k-21] - 1) * 100
		}
		if first < 0 && p.with > 0 {
			first = k
		}
		if k > 0 {
			p.ad = pts[k-1].ad
		}
		p.ad += p.adv - p.dec
		if s := p.adv + p.dec; s > 0 {
			ratios = append(ratios, float64(p.adv)/float64(s))
			ratioAt = append(ratioAt, k)
		}
	}
	if len(ratios) >= ZweigPeriod {
		ema := talib.Ema(ratios, ZweigPeriod)
		for i := ZweigPeriod - 1; i < len(ema); i++ {
			pts[ratioAt[i]].zweig, pts[ratioAt[i]].zweigOK = ema[i], true
		}
		for _, i := range oracleThrusts(ema[ZweigPeriod-1:]) {
			pts[ratioAt[i+ZweigPeriod-1]].thrust = true
		}
	}
	return first, pts
}

// oracleThrusts returns the indexes of e where a thrust completes, by the
// definition: e[i] > 0.615, e was < 0.40 on one of the 10 bars before, and
// no thrust fired since the latest bar below 0.40.
func oracleThrusts(e []float64) []int {
	var out []int
	for i := range e {
		if e[i] <= ThrustHigh {
			continue
		}
		low := -1
		for j := i - 1; j >= 0; j-- {
			if e[j] < ThrustLow {
				low = j
				break
			}
		}
		if low < 0 || low < i-ThrustWithin {
			continue
		}
		if len(out) > 0 && out[len(out)-1] > low {
			continue // already fired for this wash-out
		}
		out = append(out, i)
	}
	return out
}

func compareOracle(t *testing.T, u *Universe, leg series, members []series) {
	t.Helper()
	first, want := oracle(leg, members)
	b := u.Snapshot()
	if first < 0 {
		if b != nil {
			t.Fatalf("no member bars but snapshot %+v", b)
		}
		return
	}
	if b == nil {
		t.Fatal("snapshot nil")
	}
	if b.HistoryFrom != leg.days[first].String() {
		t.Fatalf("history_from %s, want %s", b.HistoryFrom, leg.days[first])
	}
	if len(b.History) != len(leg.days)-first {
		t.Fatalf("history has %d points, want %d", len(b.History), len(leg.days)-first)
	}
	bad := 0
	for i, p := range b.History {
		k := first + i
		w := want[k]
		pfx := fmt.Sprintf("%s (k=%d)", p.Date, k)
		if p.Date != leg.days[k].String() || p.WithBar != w.with || p.NewHighs52w != w.nh || p.NewLows52w != w.nl || p.ADLine != w.ad ||
			numString(p.PctAboveSMA50) != numString(pctWant(w.a50, w.e50)) ||
			numString(p.PctAboveSMA200) != numString(pctWant(w.a200, w.e200)) ||
			p.ZweigEMA10.Valid != w.zweigOK || (w.zweigOK && p.ZweigEMA10.V != w.zweig) || p.Thrust != w.thrust {
			t.Errorf("%s: got with=%d nh=%d nl=%d ad=%d p50=%s p200=%s z=%s th=%v; want with=%d nh=%d nl=%d ad=%d p50=%s p200=%s z=%v/%v th=%v",
				pfx, p.WithBar, p.NewHighs52w, p.NewLows52w, p.ADLine, numString(p.PctAboveSMA50), numString(p.PctAboveSMA200), numString(p.ZweigEMA10), p.Thrust,
				w.with, w.nh, w.nl, w.ad, numString(pctWant(w.a50, w.e50)), numString(pctWant(w.a200, w.e200)), w.zweig, w.zweigOK, w.thrust)
			if bad++; bad > 5 {
				t.Fatal("too many mismatches")
			}
		}
	}
	// The snapshot's own date: every field.
	k := slices.IndexFunc(leg.days, func(d Day) bool { return d.String() == b.AsOf })
	if k < 0 {
		t.Fatalf("as_of %s is not a leg date", b.AsOf)
	}
	w := want[k]
	checkInt(t, "covered", b.Covered, w.covered)
	checkInt(t, "advancers", b.Advancers, w.adv)
	checkInt(t, "decliners", b.Decliners, w.dec)
	checkInt(t, "unchanged", b.Unchanged, w.unch)
	checkInt(t, "n_sma50", b.NSMA50, w.e50)
	checkInt(t, "n_sma200", b.NSMA200, w.e200)
	checkInt(t, "n_52w", b.N52w, w.e252)
	checkInt(t, "n_return21d", b.NReturn21d, w.nret)
	checkNum(t, "ew_return_21d_pct", b.EWReturn21dPct, w.ew, w.nret > 0)
	checkNum(t, "cw_return_21d_pct", b.CWReturn21dPct, w.cw, k >= 21)
}

func pctWant(a, n int) engine.Num {
	if n == 0 {
		return engine.Num{}
	}
	return engine.Num{V: float64(a) * 100 / float64(n), Valid: true}
}

func TestOracleRandomUniverses(t *testing.T) {
	thrusts := 0
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			leg, members := randomUniverse(seed, 60, 420)
			u := newUniverse(t, members)
			u.SetLeg(barsOf("IWM", leg.days, leg.closes))
			load(t, u, members)
			compareOracle(t, u, leg, members)
			_, pts := oracle(leg, members)
			for _, p := range pts {
				if p.thrust {
					thrusts++
				}
			}
		})
	}
	if thrusts == 0 {
		t.Error("no random universe has a breadth thrust: the comparison does not cover them")
	}
}
