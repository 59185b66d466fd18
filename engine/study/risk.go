package study

import (
	"math"

	"github.com/capwatch/capwatch/engine"
)

// Windows of the risk context.
const (
	VolBars      = 63  // volatility and beta: daily returns
	DrawdownBars = 252 // drawdown: closing high over this many bars (current included)
	DollarBars   = 20  // dollar volume: mean close×volume over this many bars
	TradingDays  = 252 // annualisation factor for volatility
)

// talibZero is TA-Lib's "is zero" band used by STDDEV and BETA.
const talibZero = 1e-14

// RiskContext computes the risk context at the latest bar of the pair's joined
// daily bars (oldest first; small[i] and large[i] are the same day). When the
// slices differ in length, the newest min(len) bars of each are used. Every
// field is null until its window has enough bars: volatility and beta need
// VolBars+1 bars, drawdown DrawdownBars, dollar volume DollarBars.
// Cost: O(DrawdownBars), no allocation.
func RiskContext(small, large []engine.Bar) engine.Risk {
	n := min(len(small), len(large))
	small, large = small[len(small)-n:], large[len(large)-n:]

	var out engine.Risk
	out.SmallVol63Pct = logVol(small)
	out.LargeVol63Pct = logVol(large)
	if s, ok := out.SmallVol63Pct.Get(); ok {
		if l, ok := out.LargeVol63Pct.Get(); ok && l != 0 {
			out.VolRatio = engine.Some(s / l)
		}
	}
	out.Beta63 = beta(large, small)
	out.SmallDrawdownPct = drawdown(small)
	out.LargeDrawdownPct = drawdown(large)
	out.SmallDollarVolume20 = dollarVolume(small)
	out.LargeDollarVolume20 = dollarVolume(large)
	return out
}

// logVol is TA-Lib STDDEV(VolBars, 1) of the last VolBars daily log returns,
// annualised (×√TradingDays) and in percent. The variance follows TA-Lib's
// E[x²]−E[x]² in its operation order, including its zero band.
func logVol(b []engine.Bar) engine.Num {
	n := len(b)
	if n < VolBars+1 {
		return engine.Num{}
	}
	t1, t2 := 0.0, 0.0
	for k := n - VolBars; k < n; k++ {
		x := math.Log(b[k].Close / b[k-1].Close)
		t1 += x
		t2 += float64(x * x)
	}
	m1 := t1 / VolBars
	m2 := t2 / VolBars
	v := m2 - float64(m1*m1)
	sd := 0.0
	if !(v < talibZero) {
		sd = math.Sqrt(v)
	}
	return engine.Some(sd * math.Sqrt(TradingDays) * 100)
}

// beta is cov/var of the last VolBars simple daily returns of y on x
// (TA-Lib BETA(x, y, VolBars)); null when x's returns have no variance.
func beta(x, y []engine.Bar) engine.Num {
	n := len(x)
	if n < VolBars+1 {
		return engine.Num{}
	}
	var sxx, sxy, sx, sy float64
	for k := n - VolBars; k < n; k++ {
		rx := ret(x[k].Close, x[k-1].Close)
		ry := ret(y[k].Close, y[k-1].Close)
		sxx += float64(rx * rx)
		sxy += float64(rx * ry)
		sx += rx
		sy += ry
	}
	const p = float64(VolBars)
	d := float64(p*sxx) - float64(sx*sx)
	if -talibZero < d && d < talibZero {
		return engine.Num{}
	}
	return engine.Some((float64(p*sxy) - float64(sx*sy)) / d)
}

// ret is TA-Lib's simple return (c−prev)/prev, 0 when prev is (near) zero.
func ret(c, prev float64) float64 {
	if -talibZero < prev && prev < talibZero {
		return 0
	}
	return (c - prev) / prev
}

// drawdown is (close / max(close over DrawdownBars) − 1)·100 at the latest bar.
func drawdown(b []engine.Bar) engine.Num {
	n := len(b)
	if n < DrawdownBars {
		return engine.Num{}
	}
	hi := b[n-DrawdownBars].Close
	for _, x := range b[n-DrawdownBars+1:] {
		hi = max(hi, x.Close)
	}
	return engine.Some((b[n-1].Close/hi - 1) * 100)
}

// dollarVolume is the mean of close×volume over the last DollarBars bars.
func dollarVolume(b []engine.Bar) engine.Num {
	n := len(b)
	if n < DollarBars {
		return engine.Num{}
	}
	s := 0.0
	for _, x := range b[n-DollarBars:] {
		s += float64(x.Close * x.Volume)
	}
	return engine.Some(s / DollarBars)
}
