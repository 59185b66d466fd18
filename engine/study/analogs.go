package study

import (
	"math"
	"slices"
	"time"

	"github.com/capwatch/capwatch/engine"
)

// Parameters of the default event (the JSON contract).
const (
	// EventName is the id of the default event definition.
	EventName = "ratio_crosses_sma200_at_20d_high"
	// SMAPeriod is the ratio moving average the event crosses.
	SMAPeriod = 200
	// HighLookback is the number of previous ratio closes the event must exceed.
	HighLookback = 20
	// Cooldown is the number of bars after a counted event during which a new
	// event is not counted (one breakout, one sample).
	Cooldown = 63
	// FirstEventBar is the first 0-based bar that can be an event: the SMA200 of
	// the previous bar must exist.
	FirstEventBar = SMAPeriod
)

// Analogs runs the analog study on the pair's joined daily closes, oldest
// first: dates[i], small[i] and large[i] describe the same trading day. Slices
// of different lengths are cut to the shortest. A non-positive or non-finite
// close (ratio undefined) ends the usable history: the study then runs on the
// clean stretch after the last such bar, so history_from moves forward.
//
// The result always has the four horizons (1m, 3m, 6m, 12m) in that order,
// with nulls where no sample exists. Cost: O(n) plus O(events·log events).
func Analogs(dates []time.Time, small, large []float64) engine.Analogs {
	n := min(len(dates), len(small), len(large))
	dates, small, large = dates[:n], small[:n], large[:n]

	r := make([]float64, n)
	start := 0
	for i := range n {
		v := small[i] / large[i]
		if !(v > 0) || math.IsInf(v, 0) || !(large[i] > 0) || math.IsInf(large[i], 0) {
			start = i + 1
		}
		r[i] = v
	}
	dates, large, r = dates[start:], large[start:], r[start:]
	n = len(r)

	out := engine.Analogs{
		Event:    EventName,
		Events:   []engine.AnalogEvent{},
		Horizons: make([]engine.HorizonStats, len(engine.AnalogHorizons)),
	}
	if n > 0 {
		out.HistoryFrom = dates[0].Format(time.DateOnly)
	}

	events := findEvents(r)

	// Per-event outcomes.
	out.Events = make([]engine.AnalogEvent, len(events))
	for k, i := range events {
		ev := engine.AnalogEvent{Date: dates[i].Format(time.DateOnly)}
		for hi, h := range engine.AnalogHorizons {
			if i+h.Bars < n {
				setPct(&ev.RelPct, hi, engine.Some(pct(r[i+h.Bars], r[i])))
				setPct(&ev.LargePct, hi, engine.Some(pct(large[i+h.Bars], large[i])))
			}
		}
		out.Events[k] = ev
	}

	if len(events) > 0 {
		last := events[len(events)-1]
		d := dates[last].Format(time.DateOnly)
		bars := n - 1 - last
		out.LastEvent = &d
		out.BarsSinceLastEvent = &bars
		out.RelSinceLastEventPct = engine.Some(pct(r[n-1], r[last]))
	}

	// Per-horizon statistics. One scratch buffer serves every sample.
	scratch := make([]float64, 0, max(n-FirstEventBar, len(events)))
	for hi, h := range engine.AnalogHorizons {
		st := engine.HorizonStats{Horizon: h.Name, Bars: h.Bars}

		rel := scratch[:0]
		for _, i := range events {
			if i+h.Bars < n {
				rel = append(rel, pct(r[i+h.Bars], r[i]))
			}
		}
		st.N = len(rel)
		if st.N > 0 {
			st.RelHitRate = HitRate(rel)
			slices.Sort(rel)
			st.RelMedianPct = engine.Some(quantileSorted(rel, 0.5))
			st.RelP25Pct = engine.Some(quantileSorted(rel, 0.25))
			st.RelP75Pct = engine.Some(quantileSorted(rel, 0.75))
			lg := rel[:0]
			for _, i := range events {
				if i+h.Bars < n {
					lg = append(lg, pct(large[i+h.Bars], large[i]))
				}
			}
			st.LargeHitRate = HitRate(lg)
			st.LargeMedianPct = engine.Some(Median(lg))
		}

		base := scratch[:0]
		for i := FirstEventBar; i+h.Bars < n; i++ {
			base = append(base, pct(r[i+h.Bars], r[i]))
		}
		st.BaseN = len(base)
		if st.BaseN > 0 {
			st.BaseRelHitRate = HitRate(base)
			st.BaseRelMedianPct = engine.Some(Median(base))
			base = base[:0]
			for i := FirstEventBar; i+h.Bars < n; i++ {
				base = append(base, pct(large[i+h.Bars], large[i]))
			}
			st.BaseLargeHitRate = HitRate(base)
			st.BaseLargeMedianPct = engine.Some(Median(base))
		}
		out.Horizons[hi] = st
	}
	return out
}

// findEvents returns the 0-based bars of the counted events, oldest first.
// SMA200 uses TA-Lib's running sum in TA-Lib's operation order.
func findEvents(r []float64) []int {
	var events []int
	last := -1
	sum := 0.0
	prevSMA := 0.0
	for i, x := range r {
		if i < SMAPeriod-1 {
			sum += x
			continue
		}
		t := sum + x
		sma := t / SMAPeriod
		sum = t - r[i-(SMAPeriod-1)]
		if i >= FirstEventBar && x > sma && r[i-1] <= prevSMA &&
			(last < 0 || i-last > Cooldown) && x > slices.Max(r[i-HighLookback:i]) {
			events = append(events, i)
			last = i
		}
		prevSMA = sma
	}
	return events
}

// pct is (a/b − 1)·100.
func pct(a, b float64) float64 { return (a/b - 1) * 100 }

// HitRate is the share of xs above zero (xs non-empty): the analog study's
// hit rate, also its breadth split's (engine/breadth).
func HitRate(xs []float64) engine.Num {
	hits := 0
	for _, x := range xs {
		if x > 0 {
			hits++
		}
	}
	return engine.Some(float64(hits) / float64(len(xs)))
}

// setPct stores v at horizon index hi (the order of engine.AnalogHorizons).
func setPct(p *engine.HorizonPcts, hi int, v engine.Num) {
	switch hi {
	case 0:
		p.M1 = v
	case 1:
		p.M3 = v
	case 2:
		p.M6 = v
	case 3:
		p.M12 = v
	}
}

// lerp interpolates like numpy's quantile (method "linear").
func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

// quantileSorted is numpy's default quantile of a sorted, non-empty slice:
// position q·(n−1), linear interpolation between the closest ranks.
func quantileSorted(s []float64, q float64) float64 {
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return lerp(s[lo], s[lo+1], pos-float64(lo))
}

// Median is numpy's median of a non-empty slice, which it reorders: the
// study's and its breadth split's. It runs in O(n) expected time
// (quickselect) instead of sorting.
func Median(xs []float64) float64 {
	pos := 0.5 * float64(len(xs)-1)
	lo := int(math.Floor(pos))
	a := selectK(xs, lo)
	if lo >= len(xs)-1 || pos == float64(lo) {
		return a
	}
	return lerp(a, slices.Min(xs[lo+1:]), pos-float64(lo))
}

// selectK reorders xs so that xs[k] is the k-th smallest, everything before it
// is ≤ xs[k] and everything after it is ≥ xs[k], and returns xs[k].
// Hoare partitioning with a median-of-three pivot (no NaNs expected).
func selectK(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
