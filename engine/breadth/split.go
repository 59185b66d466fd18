package breadth

import (
	"math"
	"slices"

	"github.com/capwatch/capwatch/engine"
)

// Split splits the study's events by breadth at each event: confirmed when
// pct_above_sma50 on the event's date was at or above the threshold, not
// confirmed below it; events before the members' history, or on a date
// fewer than half of the covered members traded (thin), are not counted.
func (u *Universe) Split(a *engine.Analogs) *engine.AnalogBreadth {
	if a == nil {
		return nil
	}
	u.finish()
	out := &engine.AnalogBreadth{Threshold: u.cfg.AboveSMA50}
	byDate := make(map[string]*engine.BreadthPoint, len(u.derived.hist))
	for i := range u.derived.hist {
		p := &u.derived.hist[i]
		byDate[p.Date] = p
	}
	var yes, no []engine.AnalogEvent
	for _, ev := range a.Events {
		p, ok := byDate[ev.Date]
		if !ok || p.Thin || !p.PctAboveSMA50.Valid {
			out.Uncovered++
			continue
		}
		out.Covered++
		if p.PctAboveSMA50.V >= u.cfg.AboveSMA50 {
			yes = append(yes, ev)
		} else {
			no = append(no, ev)
		}
	}
	out.HistoryTooShort = out.Covered == 0
	out.Confirmed, out.NotConfirmed = groupStats(yes), groupStats(no)
	return out
}

// groupStats is a group's outcomes per horizon.
func groupStats(evs []engine.AnalogEvent) []engine.AnalogGroupStats {
	out := make([]engine.AnalogGroupStats, len(engine.AnalogHorizons))
	for hi, h := range engine.AnalogHorizons {
		st := engine.AnalogGroupStats{Horizon: h.Name}
		var rel, lg []float64
		for _, ev := range evs {
			r, l := horizon(ev.RelPct, hi), horizon(ev.LargePct, hi)
			if r.Valid && l.Valid {
				rel, lg = append(rel, r.V), append(lg, l.V)
			}
		}
		st.N = len(rel)
		if st.N > 0 {
			st.RelHitRate, st.RelMedianPct = hitRate(rel), engine.Some(median(rel))
			st.LargeHitRate, st.LargeMedianPct = hitRate(lg), engine.Some(median(lg))
		}
		out[hi] = st
	}
	return out
}

// horizon is p's value at horizon index hi (AnalogHorizons order).
func horizon(p engine.HorizonPcts, hi int) engine.Num {
	return [...]engine.Num{p.M1, p.M3, p.M6, p.M12}[hi]
}

// hitRate is the share of xs above zero.
func hitRate(xs []float64) engine.Num {
	n := 0
	for _, x := range xs {
		if x > 0 {
			n++
		}
	}
	return engine.Some(float64(n) / float64(len(xs)))
}

// median is the middle value (the mean of the two middle ones for an even
// count) of a non-empty slice, which it sorts.
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	a, b := xs[n/2-1], xs[n/2]
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return (a + b) / 2
	}
	return a + (b-a)/2
}
