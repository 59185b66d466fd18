package breadth

import (
	"testing"

	"github.com/capwatch/capwatch/engine"
)

// TestSplitByBreadthAtTheEvent: on the hand-computed universe with a 65 %
// threshold, t=100 has 29/39 = 74 % of members above their 50-day average
// (confirmed), t=250 30/50 = 60 % and t=259 29/49 = 59 % (not confirmed);
// t=260 is thin and a date before the members' history has no breadth:
// neither counts.
func TestSplitByBreadthAtTheEvent(t *testing.T) {
	leg, members := handUniverse()
	u := newUniverse(t, members, func(c *Config) { c.AboveSMA50 = 65 })
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	load(t, u, members)
	hist := u.Snapshot().History
	for k, want := range map[int]float64{100: 29.0 / 39 * 100, 250: 60, 259: 29.0 / 49 * 100} {
		checkNum(t, "fixture pct", hist[k].PctAboveSMA50, want, true)
	}
	ev := func(k int, m1, l1, m3 float64) engine.AnalogEvent {
		e := engine.AnalogEvent{Date: leg.days[k].String()}
		e.RelPct.M1, e.LargePct.M1 = engine.Some(m1), engine.Some(l1)
		e.RelPct.M3, e.LargePct.M3 = engine.Some(m3), engine.Some(1)
		return e
	}
	before := engine.AnalogEvent{Date: "2019-06-03"}
	before.RelPct.M1, before.LargePct.M1 = engine.Some(9), engine.Some(9)
	a := &engine.Analogs{Events: []engine.AnalogEvent{
		before,
		ev(100, 2.0, 1.0, 4.0),
		ev(250, -1.0, 2.0, -3.0),
		ev(259, 3.0, -1.0, 0), // 3m outcome absent below
		ev(260, 5.0, 5.0, 5.0),
	}}
	a.Events[3].RelPct.M3 = engine.Num{}
	s := u.Split(a)
	if s.Threshold != 65 || s.Covered != 3 || s.Uncovered != 2 || s.HistoryTooShort {
		t.Fatalf("split %+v", s)
	}
	c1, n1 := s.Confirmed[0], s.NotConfirmed[0]
	checkInt(t, "confirmed 1m n", c1.N, 1)
	checkNum(t, "confirmed 1m hit", c1.RelHitRate, 1, true)
	checkNum(t, "confirmed 1m median", c1.RelMedianPct, 2, true)
	checkInt(t, "not confirmed 1m n", n1.N, 2)
	checkNum(t, "not confirmed 1m hit", n1.RelHitRate, 0.5, true)    // -1 and +3
	checkNum(t, "not confirmed 1m median", n1.RelMedianPct, 1, true) // (-1+3)/2
	checkNum(t, "not confirmed 1m large hit", n1.LargeHitRate, 0.5, true)
	checkNum(t, "not confirmed 1m large median", n1.LargeMedianPct, 0.5, true)
	n3 := s.NotConfirmed[1]
	checkInt(t, "not confirmed 3m n (one outcome absent)", n3.N, 1)
	checkNum(t, "not confirmed 3m median", n3.RelMedianPct, -3, true)
	c12 := s.Confirmed[3]
	if c12.N != 0 || c12.RelHitRate.Valid || c12.RelMedianPct.Valid {
		t.Errorf("12m without outcomes: %+v", c12)
	}

	// Events all before the history: too short to split.
	s = u.Split(&engine.Analogs{Events: []engine.AnalogEvent{before}})
	if !s.HistoryTooShort || s.Covered != 0 || s.Uncovered != 1 {
		t.Errorf("too short: %+v", s)
	}
}
