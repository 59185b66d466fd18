package study

import (
	"time"

	"github.com/capwatch/capwatch/engine"
)

// Compute is the engine's study hook (engine.(*Engine).SetStudy): the risk
// context and the analog study on the pair's joined daily series. Risk is nil
// until DollarBars bars exist; Analogs is nil until a bar can be an event
// (more than FirstEventBar bars). Call it once per closed daily bar.
func Compute(ps engine.PairSeries) (*engine.Risk, *engine.Analogs) {
	return ComputeBars(ps.Dates, ps.Small, ps.Large)
}

// ComputeBars is Compute on plain slices: the joined dates and the two legs'
// closed daily bars, oldest first, index-aligned. Risk is nil until
// DollarBars bars exist; Analogs is nil until a bar can be an event
// (more than FirstEventBar bars).
func ComputeBars(dates []time.Time, small, large []engine.Bar) (*engine.Risk, *engine.Analogs) {
	n := min(len(dates), len(small), len(large))
	dates, small, large = dates[:n], small[:n], large[:n]
	var risk *engine.Risk
	if n >= DollarBars {
		r := RiskContext(small, large)
		risk = &r
	}
	if n <= FirstEventBar {
		return risk, nil
	}
	sc := make([]float64, 2*n)
	sm, lg := sc[:n], sc[n:]
	for i := range n {
		sm[i] = small[i].Close
		lg[i] = large[i].Close
	}
	a := Analogs(dates, sm, lg)
	return risk, &a
}
