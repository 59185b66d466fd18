package demo

import (
	"math"
	"slices"
	"testing"

	"github.com/capwatch/capwatch/engine"
)

// logRets returns the daily log returns of the closes.
func logRets(bars []engine.Bar) []float64 {
	r := make([]float64, len(bars)-1)
	for i := 1; i < len(bars); i++ {
		r[i-1] = math.Log(bars[i].Close / bars[i-1].Close)
	}
	return r
}

// sampleSD is the two-pass sample standard deviation.
func sampleSD(x []float64) float64 {
	m := mean(x)
	v := 0.0
	for _, e := range x {
		v += (e - m) * (e - m)
	}
	return math.Sqrt(v / float64(len(x)-1))
}

// betaOf is cov(y, x)/var(x) (two-pass).
func betaOf(y, x []float64) float64 {
	mx, my := mean(x), mean(y)
	c, v := 0.0, 0.0
	for i := range x {
		c += (x[i] - mx) * (y[i] - my)
		v += (x[i] - mx) * (x[i] - mx)
	}
	return c / v
}

// rollingVolRatios returns sd(a[w])/sd(b[w]) for every window w of 63
// returns that ends at index from or later.
func rollingVolRatios(a, b []float64, from int) []float64 {
	var out []float64
	for e := max(from, 63); e <= len(a); e++ {
		out = append(out, sampleSD(a[e-63:e])/sampleSD(b[e-63:e]))
	}
	return out
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestRiskRealism: like the real IWM, the demo's small leg is 1.15–1.6× as
// volatile as SPY (63-day windows of daily log returns) with a beta of
// 1.0–1.5 — over the last 5 years, in most windows of the 20 years, and in
// the last 63 days (the staged set-up, which is what the dashboard's risk
// line shows at the start).
func TestRiskRealism(t *testing.T) {
	for seed := int64(0); seed < 4; seed++ {
		h := history(t, newFeed(t, Options{Seed: seed}), "IWM", "SPY")
		a, b := logRets(h.Daily["IWM"]), logRets(h.Daily["SPY"])
		n := len(a)
		const five = 5 * 252
		vr := rollingVolRatios(a, b, n-five)
		med, beta5 := median(vr), betaOf(a[n-five:], b[n-five:])
		last, beta63 := vr[len(vr)-1], betaOf(a[n-63:], b[n-63:])
		all := rollingVolRatios(a, b, 0)
		in := 0
		for _, v := range all {
			if v >= 1.15 && v <= 1.6 {
				in++
			}
		}
		share := float64(in) / float64(len(all))
		t.Logf("seed %d: 5y median vol ratio %.3f, beta %.3f; last 63 days %.3f, beta %.3f; %.0f%% of 20y windows in range",
			seed, med, beta5, last, beta63, share*100)
		if med < 1.15 || med > 1.6 {
			t.Errorf("seed %d: median 63-day vol ratio over 5 years %.3f, want 1.15–1.6", seed, med)
		}
		if beta5 < 1 || beta5 > 1.5 {
			t.Errorf("seed %d: 5-year beta %.3f, want 1.0–1.5", seed, beta5)
		}
		if last < 1.15 || last > 1.6 || beta63 < 1 || beta63 > 1.5 {
			t.Errorf("seed %d: last 63 days vol ratio %.3f beta %.3f, want 1.15–1.6 and 1.0–1.5", seed, last, beta63)
		}
		if share < 0.9 {
			t.Errorf("seed %d: only %.0f%% of 63-day windows have a vol ratio in 1.15–1.6", seed, share*100)
		}
	}
}
