package study

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	talib "github.com/markcheno/go-talib"

	"github.com/capwatch/capwatch/engine"
)

// genPair generates n joined daily bars of a correlated pair whose ratio
// wanders (regimes of relative trend), so the ratio crosses its SMA200 many times.
func genPair(seed uint64, n int) (dates []time.Time, small, large []engine.Bar) {
	rng := rand.New(rand.NewPCG(seed, seed*7+1))
	dates = nyDates(n)
	s, l := 60.0, 100.0
	drift := 0.0
	for i := range n {
		if i%90 == 0 {
			drift = (rng.Float64() - 0.5) * 0.004
		}
		m := rng.NormFloat64() * 0.011
		l *= math.Exp(m + 0.0003)
		s *= math.Exp(1.2*m + rng.NormFloat64()*0.007 + drift + 0.0003)
		large = append(large, engine.Bar{Symbol: "SPY", Time: dates[i], Open: l, High: l * 1.01, Low: l * 0.99, Close: l, Volume: 5e7 + rng.Float64()*5e7})
		small = append(small, engine.Bar{Symbol: "IWM", Time: dates[i], Open: s, High: s * 1.01, Low: s * 0.99, Close: s, Volume: 2e7 + rng.Float64()*2e7})
	}
	return dates, small, large
}

// naiveAnalogs is a deliberately simple, O(n²) reference of the study written
// from the definitions: fresh sums, full sorts, no shared buffers.
func naiveAnalogs(dates []time.Time, small, large []float64) engine.Analogs {
	n := len(dates)
	r := make([]float64, n)
	for i := range r {
		r[i] = small[i] / large[i]
	}
	sma := func(i int) float64 {
		s := 0.0
		for k := i - 199; k <= i; k++ {
			s += r[k]
		}
		return s / 200
	}
	isCandidate := func(i int) bool {
		if i < 200 || !(r[i] > sma(i)) || !(r[i-1] <= sma(i-1)) {
			return false
		}
		for k := i - 20; k < i; k++ {
			if r[k] >= r[i] {
				return false
			}
		}
		return true
	}
	var ev []int
	for i := range n {
		if !isCandidate(i) {
			continue
		}
		if len(ev) > 0 && i-ev[len(ev)-1] <= 63 {
			continue
		}
		ev = append(ev, i)
	}
	q := func(xs []float64, p float64) engine.Num {
		if len(xs) == 0 {
			return engine.Num{}
		}
		s := slices.Sorted(slices.Values(xs))
		pos := p * float64(len(s)-1)
		lo := int(pos)
		if lo == len(s)-1 {
			return engine.Some(s[lo])
		}
		f := pos - float64(lo)
		return engine.Some(s[lo]*(1-f) + s[lo+1]*f)
	}
	hit := func(xs []float64) engine.Num {
		if len(xs) == 0 {
			return engine.Num{}
		}
		c := 0
		for _, x := range xs {
			if x > 0 {
				c++
			}
		}
		return engine.Some(float64(c) / float64(len(xs)))
	}
	ch := func(a, b float64) float64 { return 100 * (a - b) / b }
	out := engine.Analogs{Event: "ratio_crosses_sma200_at_20d_high", HistoryFrom: dates[0].Format("2006-01-02")}
	for _, i := range ev {
		e := engine.AnalogEvent{Date: dates[i].Format("2006-01-02")}
		rel := []*engine.Num{&e.RelPct.M1, &e.RelPct.M3, &e.RelPct.M6, &e.RelPct.M12}
		lg := []*engine.Num{&e.LargePct.M1, &e.LargePct.M3, &e.LargePct.M6, &e.LargePct.M12}
		for k, h := range []int{21, 63, 126, 252} {
			if i+h <= n-1 {
				*rel[k] = engine.Some(ch(r[i+h], r[i]))
				*lg[k] = engine.Some(ch(large[i+h], large[i]))
			}
		}
		out.Events = append(out.Events, e)
	}
	if len(ev) > 0 {
		last := ev[len(ev)-1]
		d := dates[last].Format("2006-01-02")
		b := n - 1 - last
		out.LastEvent, out.BarsSinceLastEvent = &d, &b
		out.RelSinceLastEventPct = engine.Some(ch(r[n-1], r[last]))
	}
	for _, h := range []struct {
		name string
		bars int
	}{{"1m", 21}, {"3m", 63}, {"6m", 126}, {"12m", 252}} {
		var er, el, br, bl []float64
		for _, i := range ev {
			if i+h.bars <= n-1 {
				er = append(er, ch(r[i+h.bars], r[i]))
				el = append(el, ch(large[i+h.bars], large[i]))
			}
		}
		for i := 200; i+h.bars <= n-1; i++ {
			br = append(br, ch(r[i+h.bars], r[i]))
			bl = append(bl, ch(large[i+h.bars], large[i]))
		}
		out.Horizons = append(out.Horizons, engine.HorizonStats{
			Horizon: h.name, Bars: h.bars, N: len(er),
			RelHitRate: hit(er), RelMedianPct: q(er, 0.5), RelP25Pct: q(er, 0.25), RelP75Pct: q(er, 0.75),
			LargeHitRate: hit(el), LargeMedianPct: q(el, 0.5),
			BaseN: len(br), BaseRelHitRate: hit(br), BaseRelMedianPct: q(br, 0.5),
			BaseLargeHitRate: hit(bl), BaseLargeMedianPct: q(bl, 0.5),
		})
	}
	return out
}

func cmpNum(t *testing.T, what string, got, want engine.Num) {
	t.Helper()
	if got.Valid != want.Valid {
		t.Errorf("%s: valid %v, want %v (%v vs %v)", what, got.Valid, want.Valid, got.V, want.V)
		return
	}
	if want.Valid && math.Abs(got.V-want.V) > 1e-9*math.Max(1e-300, math.Abs(want.V)) && got.V != want.V {
		t.Errorf("%s: %v, want %v", what, got.V, want.V)
	}
}

func cmpPcts(t *testing.T, what string, got, want engine.HorizonPcts) {
	t.Helper()
	cmpNum(t, what+".1m", got.M1, want.M1)
	cmpNum(t, what+".3m", got.M3, want.M3)
	cmpNum(t, what+".6m", got.M6, want.M6)
	cmpNum(t, what+".12m", got.M12, want.M12)
}

func compareAnalogs(t *testing.T, got, want engine.Analogs) {
	t.Helper()
	if got.Event != want.Event || got.HistoryFrom != want.HistoryFrom {
		t.Errorf("event/history_from = %q/%q, want %q/%q", got.Event, got.HistoryFrom, want.Event, want.HistoryFrom)
	}
	if len(got.Events) != len(want.Events) {
		t.Fatalf("%d events, want %d", len(got.Events), len(want.Events))
	}
	for k := range got.Events {
		g, w := got.Events[k], want.Events[k]
		if g.Date != w.Date {
			t.Fatalf("event %d on %s, want %s", k, g.Date, w.Date)
		}
		cmpPcts(t, g.Date+" rel", g.RelPct, w.RelPct)
		cmpPcts(t, g.Date+" large", g.LargePct, w.LargePct)
	}
	if (got.LastEvent == nil) != (want.LastEvent == nil) ||
		got.LastEvent != nil && (*got.LastEvent != *want.LastEvent || *got.BarsSinceLastEvent != *want.BarsSinceLastEvent) {
		t.Errorf("last event %v/%v, want %v/%v", got.LastEvent, got.BarsSinceLastEvent, want.LastEvent, want.BarsSinceLastEvent)
	}
	cmpNum(t, "rel_since_last_event_pct", got.RelSinceLastEventPct, want.RelSinceLastEventPct)
	if len(got.Horizons) != len(want.Horizons) {
		t.Fatalf("%d horizons, want %d", len(got.Horizons), len(want.Horizons))
	}
	for k, g := range got.Horizons {
		w := want.Horizons[k]
		if g.Horizon != w.Horizon || g.Bars != w.Bars || g.N != w.N || g.BaseN != w.BaseN {
			t.Errorf("horizon %d: %s/%d n=%d base_n=%d, want %s/%d n=%d base_n=%d",
				k, g.Horizon, g.Bars, g.N, g.BaseN, w.Horizon, w.Bars, w.N, w.BaseN)
		}
		h := w.Horizon
		cmpNum(t, h+" rel_hit_rate", g.RelHitRate, w.RelHitRate)
		cmpNum(t, h+" rel_median_pct", g.RelMedianPct, w.RelMedianPct)
		cmpNum(t, h+" rel_p25_pct", g.RelP25Pct, w.RelP25Pct)
		cmpNum(t, h+" rel_p75_pct", g.RelP75Pct, w.RelP75Pct)
		cmpNum(t, h+" large_hit_rate", g.LargeHitRate, w.LargeHitRate)
		cmpNum(t, h+" large_median_pct", g.LargeMedianPct, w.LargeMedianPct)
		cmpNum(t, h+" base_rel_hit_rate", g.BaseRelHitRate, w.BaseRelHitRate)
		cmpNum(t, h+" base_rel_median_pct", g.BaseRelMedianPct, w.BaseRelMedianPct)
		cmpNum(t, h+" base_large_hit_rate", g.BaseLargeHitRate, w.BaseLargeHitRate)
		cmpNum(t, h+" base_large_median_pct", g.BaseLargeMedianPct, w.BaseLargeMedianPct)
	}
}

func closes(b []engine.Bar) []float64 {
	out := make([]float64, len(b))
	for i := range b {
		out[i] = b[i].Close
	}
	return out
}

// TestAnalogsMatchReference compares the study with the naive reference on
// generated data at several as-of cut-offs.
func TestAnalogsMatchReference(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		dates, small, large := genPair(seed, 2600)
		sc, lc := closes(small), closes(large)
		totalEvents := 0
		for _, cut := range []int{201, 222, 264, 700, 1337, 2000, 2600} {
			t.Run(fmt.Sprintf("seed%d/asof%d", seed, cut), func(t *testing.T) {
				got := Analogs(dates[:cut], sc[:cut], lc[:cut])
				want := naiveAnalogs(dates[:cut], sc[:cut], lc[:cut])
				compareAnalogs(t, got, want)
				if cut == 2600 {
					totalEvents += len(got.Events)
				}
			})
		}
		// The test must exercise events and cooldowns, not just empty samples.
		if totalEvents < 4 {
			t.Errorf("seed %d: only %d events in the generated data", seed, totalEvents)
		}
	}
}

// TestComputeBarsMatchesParts checks the hook wiring: nil below the minimum
// history, and the same values as the parts above it.
func TestComputeBarsMatchesParts(t *testing.T) {
	dates, small, large := genPair(9, 400)
	for _, tc := range []struct {
		n             int
		risk, analogs bool
	}{{0, false, false}, {19, false, false}, {20, true, false}, {200, true, false}, {201, true, true}, {400, true, true}} {
		r, a := ComputeBars(dates[:tc.n], small[:tc.n], large[:tc.n])
		if (r != nil) != tc.risk || (a != nil) != tc.analogs {
			t.Errorf("n=%d: risk %v analogs %v, want %v %v", tc.n, r != nil, a != nil, tc.risk, tc.analogs)
			continue
		}
		if a != nil {
			compareAnalogs(t, *a, naiveAnalogs(dates[:tc.n], closes(small[:tc.n]), closes(large[:tc.n])))
		}
		if r != nil && *r != RiskContext(small[:tc.n], large[:tc.n]) {
			t.Errorf("n=%d: risk differs from RiskContext", tc.n)
		}
	}
}

// TestRiskMatchesTalib compares the risk context with go-talib run over the
// whole history up to each cut-off.
func TestRiskMatchesTalib(t *testing.T) {
	_, small, large := genPair(5, 1500)
	for _, cut := range []int{19, 20, 63, 64, 65, 251, 252, 253, 700, 1500} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			s, l := small[:cut], large[:cut]
			got := RiskContext(s, l)
			sc, lc := closes(s), closes(l)

			vol := func(c []float64) engine.Num {
				if len(c) < 64 {
					return engine.Num{}
				}
				lr := make([]float64, len(c)-1)
				for k := 1; k < len(c); k++ {
					lr[k-1] = math.Log(c[k] / c[k-1])
				}
				sd := talib.StdDev(lr, 63, 1)
				return engine.Some(sd[len(sd)-1] * math.Sqrt(252) * 100)
			}
			wantSV, wantLV := vol(sc), vol(lc)
			cmpNum(t, "small_vol63_pct", got.SmallVol63Pct, wantSV)
			cmpNum(t, "large_vol63_pct", got.LargeVol63Pct, wantLV)
			wantRatio := engine.Num{}
			if wantSV.Valid {
				wantRatio = engine.Some(wantSV.V / wantLV.V)
			}
			cmpNum(t, "vol_ratio", got.VolRatio, wantRatio)

			wantBeta := engine.Num{}
			if cut >= 64 {
				b := talib.Beta(lc, sc, 63)
				wantBeta = engine.Some(b[len(b)-1])
			}
			cmpNum(t, "beta63", got.Beta63, wantBeta)

			dd := func(c []float64) engine.Num {
				if len(c) < 252 {
					return engine.Num{}
				}
				m := talib.Max(c, 252)
				return engine.Some((c[len(c)-1]/m[len(m)-1] - 1) * 100)
			}
			cmpNum(t, "small_drawdown_pct", got.SmallDrawdownPct, dd(sc))
			cmpNum(t, "large_drawdown_pct", got.LargeDrawdownPct, dd(lc))

			dv := func(b []engine.Bar) engine.Num {
				if len(b) < 20 {
					return engine.Num{}
				}
				x := make([]float64, len(b))
				for i := range b {
					x[i] = b[i].Close * b[i].Volume
				}
				m := talib.Sma(x, 20)
				return engine.Some(m[len(m)-1])
			}
			cmpNum(t, "small_dollar_volume20", got.SmallDollarVolume20, dv(s))
			cmpNum(t, "large_dollar_volume20", got.LargeDollarVolume20, dv(l))
		})
	}
}

func TestRiskHandBuilt(t *testing.T) {
	// Large alternates +1%/−1%; small moves exactly twice as much: beta 2,
	// vol ratio 2 (log returns of 1±2% are not exactly twice those of 1±1%,
	// so only beta is checked exactly). Flat closes give zero volatility.
	const n = 300
	small := make([]engine.Bar, n)
	large := make([]engine.Bar, n)
	s, l := 50.0, 100.0
	for i := range n {
		if i > 0 {
			m := 0.01
			if i%2 == 0 {
				m = -0.01
			}
			l *= 1 + m
			s *= 1 + 2*m
		}
		large[i] = engine.Bar{Close: l, Volume: 1000}
		small[i] = engine.Bar{Close: s, Volume: 10}
	}
	got := RiskContext(small, large)
	if v, ok := got.Beta63.Get(); !ok || !near(v, 2) {
		t.Errorf("beta = %v, want 2", got.Beta63)
	}
	// Drawdown: the small leg's 252-bar high is its first close in the window
	// or one bar up; check against the definition directly.
	hi := 0.0
	for _, b := range small[n-252:] {
		hi = max(hi, b.Close)
	}
	if v, _ := got.SmallDrawdownPct.Get(); !near(v, (small[n-1].Close/hi-1)*100) || v > 0 {
		t.Errorf("drawdown = %v", v)
	}
	if v, _ := got.LargeDollarVolume20.Get(); !near(v, 1000*avgClose(large[n-20:])) {
		t.Errorf("dollar volume = %v", v)
	}

	flat := make([]engine.Bar, 100)
	for i := range flat {
		flat[i] = engine.Bar{Close: 10, Volume: 1}
	}
	f := RiskContext(flat, flat)
	if v, ok := f.SmallVol63Pct.Get(); !ok || v != 0 {
		t.Errorf("flat vol = %v, want 0", f.SmallVol63Pct)
	}
	if f.VolRatio.Valid || f.Beta63.Valid {
		t.Errorf("flat: vol_ratio %v and beta %v should be null (zero variance)", f.VolRatio, f.Beta63)
	}
	if f.SmallDrawdownPct.Valid {
		t.Errorf("100 bars: drawdown should be null")
	}
}

func avgClose(b []engine.Bar) float64 {
	s := 0.0
	for _, x := range b {
		s += x.Close
	}
	return s / float64(len(b))
}

// The hook has the engine's signature.
var _ func(engine.PairSeries) (*engine.Risk, *engine.Analogs) = Compute

func TestComputeUsesPairSeries(t *testing.T) {
	dates, small, large := genPair(4, 600)
	r, a := Compute(engine.PairSeries{Dates: dates, Small: small, Large: large})
	if r == nil || a == nil {
		t.Fatal("nil result on 600 bars")
	}
	compareAnalogs(t, *a, naiveAnalogs(dates, closes(small), closes(large)))
}

// TestEventSMAIsTalib checks that the events use TA-Lib's SMA200 bit for bit:
// the same events follow from talib.Sma with exact comparisons.
func TestEventSMAIsTalib(t *testing.T) {
	for _, seed := range []uint64{11, 12, 13, 14} {
		_, small, large := genPair(seed, 3000)
		r := make([]float64, len(small))
		for i := range r {
			r[i] = small[i].Close / large[i].Close
		}
		sma := talib.Sma(r, 200)
		var want []int
		for i := 200; i < len(r); i++ {
			if r[i] > sma[i] && r[i-1] <= sma[i-1] && r[i] > slices.Max(r[i-20:i]) &&
				(len(want) == 0 || i-want[len(want)-1] > 63) {
				want = append(want, i)
			}
		}
		if got := findEvents(r); !slices.Equal(got, want) {
			t.Errorf("seed %d: events %v, want %v", seed, got, want)
		}
		if len(want) == 0 {
			t.Errorf("seed %d: no events to compare", seed)
		}
	}
}
