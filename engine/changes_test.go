package engine

import (
	"fmt"
	"testing"
)

// TestFlagChangesDatedPerBar: however many days one Input applies (one per
// update, a week, the whole backlog), every committed change of a flag is
// listed once, dated by its own bar, with that bar's value and threshold.
// Oracle: ratio_above_sma50 recomputed by hand from the closes (SPY flat at
// 100, so the ratio is IWM/100; SMA50 by plain summation; no hysteresis).
func TestFlagChangesDatedPerBar(t *testing.T) {
	const warm, live = 60, 120
	cal := newEngine(t, pairConfig()).cal
	days := tradingDays(cal, nyDate(2024, 1, 2), warm+live)
	iwm := walkBars("IWM", days, 50, 7)
	spy := flatBars("SPY", days, constSeries(len(days), 100), 1e6)

	type change struct {
		date       string
		on         bool
		value, thr float64
	}
	var want []change
	on := false
	for i := 49; i < len(days); i++ {
		sum := 0.0
		for j := i - 49; j <= i; j++ {
			sum += iwm[j].Close / 100
		}
		r, sma := iwm[i].Close/100, sum/50
		if held := r > sma; held != on {
			on = held
			if i >= warm { // after the history the engine starts with
				want = append(want, change{days[i].Format("2006-01-02"), on, r, sma})
			}
		}
	}
	if len(want) < 6 {
		t.Fatalf("the walk crosses its SMA50 only %d times after the warm-up: pick another seed", len(want))
	}

	for _, group := range []int{1, 7, live} {
		t.Run(fmt.Sprintf("%d days per update", group), func(t *testing.T) {
			e := newEngine(t, pairConfig())
			e.LoadHistory(map[string][]Bar{"IWM": iwm[:warm], "SPY": spy[:warm]})
			for i := warm; i < len(days); i += group {
				var in Input
				for k := i; k < min(i+group, len(days)); k++ {
					in.Quotes = append(in.Quotes, dayQuotes(iwm[k])...)
					in.Quotes = append(in.Quotes, dayQuotes(spy[k])...)
					in.Now = sessionClose(days[k])
				}
				e.apply(in)
			}
			s := e.Snapshot(sessionClose(days[len(days)-1]))
			var got []change
			for _, c := range s.FlagChanges {
				if c.Flag != FlagRatioAboveSMA50 || c.Date.Before(days[warm]) {
					continue
				}
				if !c.Close.Equal(sessionClose(c.Date)) {
					t.Errorf("%s: close %v, want the session close of its date", c.Date.Format("2006-01-02"), c.Close)
				}
				got = append(got, change{c.Date.Format("2006-01-02"), c.On, c.Value.V, c.Threshold.V})
			}
			for i := range s.FlagChanges[1:] {
				if a, b := s.FlagChanges[i], s.FlagChanges[i+1]; b.Date.Before(a.Date) {
					t.Fatalf("changes out of order: %v after %v", b.Date, a.Date)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d changes, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
			}
			for i := range want {
				g, w := got[i], want[i]
				if g.date != w.date || g.on != w.on || abs(g.value-w.value) > 1e-12 || abs(g.thr-w.thr) > 1e-12 {
					t.Errorf("change %d: %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

// TestFlagChangesSharedWhileUnchanged: the published list is shared by
// snapshots until a replay finds a different history.
func TestFlagChangesSharedWhileUnchanged(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 120)
	e.LoadHistory(map[string][]Bar{"IWM": walkBars("IWM", days, 50, 7), "SPY": flatBars("SPY", days, constSeries(120, 100), 1e6)})
	a := e.Snapshot(days[119]).FlagChanges
	e.closedDirty = true
	e.settle()
	b := e.Snapshot(days[119]).FlagChanges
	if len(a) == 0 || &a[0] != &b[0] {
		t.Fatalf("an unchanged history republished its changes (%d)", len(a))
	}
	e.LoadHistory(map[string][]Bar{"IWM": walkBars("IWM", days, 50, 8)})
	if c := e.Snapshot(days[119]).FlagChanges; len(c) > 0 && &c[0] == &a[0] {
		t.Fatal("a different history kept the old list")
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
