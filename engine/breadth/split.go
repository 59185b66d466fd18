package breadth

import (
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/study"
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
			st.RelHitRate, st.RelMedianPct = study.HitRate(rel), engine.Some(study.Median(rel))
			st.LargeHitRate, st.LargeMedianPct = study.HitRate(lg), engine.Some(study.Median(lg))
		}
		out[hi] = st
	}
	return out
}

// horizon is p's value at horizon index hi (AnalogHorizons order).
func horizon(p engine.HorizonPcts, hi int) engine.Num {
	return [...]engine.Num{p.M1, p.M3, p.M6, p.M12}[hi]
}
