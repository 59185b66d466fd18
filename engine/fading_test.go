package engine

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFadingWhenLiveBarFails: a flag that held at the last close but not on
// the live bar is fading, with the live value and the close's value and
// threshold both in the snapshot; it is confirmed again when the live bar
// recovers, and off once a close fails. Hand-computed: a flat ratio of 0.5
// (IWM 50 / SPY 100) for 60 days has SMA50 exactly 0.5; a close at 0.51
// puts SMA50 at (49×0.5+0.51)/50 = 0.5002.
func TestFadingWhenLiveBarFails(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2025, 3, 3), 63)
	const warm = 60
	e.LoadHistory(map[string][]Bar{
		"SPY": flatBars("SPY", days[:warm], constSeries(warm, 100), 1e6),
		"IWM": flatBars("IWM", days[:warm], constSeries(warm, 50), 1e6),
	})
	d := days[warm]
	e.ApplyQuotes([]Quote{
		{Symbol: "SPY", Price: 100, DayVolume: 1, Time: nyAt(d, 10, 0, 0)},
		{Symbol: "IWM", Price: 51, DayVolume: 1, Time: nyAt(d, 10, 0, 0)},
	})
	e.Advance(sessionClose(d))
	s := e.Snapshot(sessionClose(d))
	f := mustFlag(t, s, FlagRatioAboveSMA50)
	since := d.Format("2006-01-02")
	wantFlag(t, "closed above", f, FlagConfirmed, since)
	closeSMA := (49*0.5 + 0.51) / 50
	if f.CloseDate != since || !f.Closed.Equal(sessionClose(d)) || f.CloseValue != Some(0.51) || !nearNum(f.CloseThreshold, closeSMA) {
		t.Errorf("at the close: close %q %v value %+v threshold %+v, want %s 0.51 vs %v", f.CloseDate, f.Closed, f.CloseValue, f.CloseThreshold, since, closeSMA)
	}

	d2 := days[warm+1]
	quote := func(iwm float64, hh, mm int) *Snapshot {
		at := nyAt(d2, hh, mm, 0)
		e.ApplyQuotes([]Quote{
			{Symbol: "SPY", Price: 100, DayVolume: 1, Time: at},
			{Symbol: "IWM", Price: iwm, DayVolume: 1, Time: at},
		})
		return e.Snapshot(at)
	}
	// Live ratio 0.49 against the live SMA50 (48×0.5+0.51+0.49)/50 = 0.5.
	s = quote(49, 10, 0)
	f = mustFlag(t, s, FlagRatioAboveSMA50)
	wantFlag(t, "live dip", f, FlagFading, since)
	if f.Value != Some(0.49) || !nearNum(f.Threshold, 0.5) {
		t.Errorf("live dip: value %+v vs %v, want the live 0.49 vs 0.5", f.Value, f.Threshold.V)
	}
	if f.CloseValue != Some(0.51) || !nearNum(f.CloseThreshold, closeSMA) || f.CloseDate != since {
		t.Errorf("live dip: close value %+v vs %+v on %q, want the close's 0.51 vs %v", f.CloseValue, f.CloseThreshold, f.CloseDate, closeSMA)
	}
	b, err := json.Marshal(f)
	if err != nil || !strings.Contains(string(b), `"state":"fading"`) {
		t.Errorf("JSON %s (%v), want state fading", b, err)
	}
	// Recovers on the live bar: confirmed again.
	s = quote(52, 11, 0)
	wantFlag(t, "live recovery", mustFlag(t, s, FlagRatioAboveSMA50), FlagConfirmed, since)
	// Fails again and closes below: fading, then off.
	s = quote(48, 15, 0)
	wantFlag(t, "late dip", mustFlag(t, s, FlagRatioAboveSMA50), FlagFading, since)
	e.Advance(sessionClose(d2))
	s = e.Snapshot(sessionClose(d2))
	wantFlag(t, "closed below", mustFlag(t, s, FlagRatioAboveSMA50), FlagOff, "")
}

// TestFadingRespectsHysteresis: with a band, the live bar fades only when it
// is below the level the next close would need to stay on (thr×(1−h)).
func TestFadingRespectsHysteresis(t *testing.T) {
	cfg := pairConfig()
	cfg.Thresholds.Hysteresis = 0.05
	e := newEngine(t, cfg)
	days := tradingDays(e.cal, nyDate(2025, 3, 3), 62)
	iwm := append(constSeries(60, 50), 51)
	e.LoadHistory(map[string][]Bar{
		"SPY": flatBars("SPY", days[:61], constSeries(61, 100), 1e6),
		"IWM": flatBars("IWM", days[:61], iwm, 1e6),
	})
	d := days[61]
	at := nyAt(d, 10, 0, 0)
	for _, c := range []struct {
		iwm  float64
		want FlagState
	}{
		// live SMA50 = (48×0.5+0.51+r)/50 ≈ 0.5; the band's floor is ≈ 0.475
		{49, FlagConfirmed}, {48, FlagConfirmed}, {47, FlagFading}, {50, FlagConfirmed},
	} {
		at = at.Add(time.Minute)
		e.ApplyQuotes([]Quote{{Symbol: "SPY", Price: 100, DayVolume: 1, Time: at}, {Symbol: "IWM", Price: c.iwm, DayVolume: 1, Time: at}})
		wantFlag(t, "live "+strconv.FormatFloat(c.iwm, 'g', -1, 64), mustFlag(t, e.Snapshot(at), FlagRatioAboveSMA50), c.want, days[60].Format("2006-01-02"))
	}
}

// TestSurgeNotFadingBeforeThePaceIsKnown: a confirmed volume surge is not
// called fading in the first minutes of the session, when the paced RVOL
// is not defined yet (nothing is known against the close).
func TestSurgeNotFadingBeforeThePaceIsKnown(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 27)
	closes := make([]float64, 26)
	for i := range closes {
		closes[i] = 100 + float64(i)
	}
	iwm := flatBars("IWM", days[:26], closes, 1e6)
	iwm[25].Volume = 2e6
	e.LoadHistory(map[string][]Bar{"IWM": iwm, "SPY": flatBars("SPY", days[:26], constSeries(26, 100), 1e6)})
	d := days[26]
	at := nyAt(d, 9, 31, 0)
	e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: 90, DayVolume: 10, Time: at}, {Symbol: "SPY", Price: 100, DayVolume: 10, Time: at}})
	f := mustFlag(t, e.Snapshot(at), FlagSmallVolumeSurge)
	wantFlag(t, "09:31", f, FlagConfirmed, days[25].Format("2006-01-02"))
	// An hour in, a down day on thin volume: the live bar would end the run.
	at = nyAt(d, 10, 30, 0)
	e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: 90, DayVolume: 20, Time: at}})
	wantFlag(t, "10:30", mustFlag(t, e.Snapshot(at), FlagSmallVolumeSurge), FlagFading, days[25].Format("2006-01-02"))
}

func nearNum(n Num, want float64) bool {
	d := n.V - want
	return n.Valid && d < 1e-12 && d > -1e-12
}
