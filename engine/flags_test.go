package engine

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func constSeries(n int, v float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func wantFlag(t *testing.T, label string, f Flag, state FlagState, since string) {
	t.Helper()
	if f.State != state || f.Since != since {
		t.Errorf("%s: %s = %v since %q, want %v since %q (value %+v thr %v)", label, f.ID, f.State, f.Since, state, since, f.Value, f.Threshold.V)
	}
}

// TestRatioAboveSMA50FormingThenConfirmed builds a flat ratio (IWM 50 / SPY
// 100 = 0.5 exactly, so its SMA50 is exactly 0.5) and crosses it live.
func TestRatioAboveSMA50FormingThenConfirmed(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2025, 3, 3), 64)
	const warm = 60
	spy := flatBars("SPY", days, constSeries(len(days), 100), 1e6)
	iwm := flatBars("IWM", days[:warm], constSeries(warm, 50), 1e6)
	e.LoadHistory(map[string][]Bar{"SPY": spy[:warm], "IWM": iwm})
	s := e.Snapshot(days[warm-1])
	wantFlag(t, "flat", mustFlag(t, s, FlagRatioAboveSMA50), FlagOff, "")
	if f := mustFlag(t, s, FlagRatioAboveSMA50); f.Threshold.V != 0.5 || f.Value != Some(0.5) {
		t.Errorf("flat: value %+v threshold %v, want 0.5/0.5", f.Value, f.Threshold.V)
	}

	d := days[warm]
	// Only the large leg has traded today: no forming ratio point yet.
	e.ApplyQuotes([]Quote{{Symbol: "SPY", Price: 100, DayVolume: 1, Time: nyAt(d, 9, 35, 0)}})
	s = e.Snapshot(nyAt(d, 9, 35, 0))
	wantFlag(t, "one leg", mustFlag(t, s, FlagRatioAboveSMA50), FlagOff, "")
	if n := len(s.Pair.Daily); s.Pair.Daily[n-1].Forming {
		t.Error("forming ratio point with one leg only")
	}

	e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: 51, DayVolume: 1, Time: nyAt(d, 9, 36, 0)}})
	s = e.Snapshot(nyAt(d, 9, 36, 0))
	wantFlag(t, "live cross", mustFlag(t, s, FlagRatioAboveSMA50), FlagForming, d.Format("2006-01-02"))
	wantFlag(t, "live cross", mustFlag(t, s, FlagRatioNewHigh20d), FlagForming, d.Format("2006-01-02"))
	if last := s.Pair.Daily[len(s.Pair.Daily)-1]; !last.Forming || last.Ratio != 0.51 || !last.Time.Equal(d) {
		t.Errorf("forming point %+v", last)
	}
	if want := (49*0.5 + 0.51) / 50; s.Pair.RatioSMA50.V-want > 1e-12 || want-s.Pair.RatioSMA50.V > 1e-12 {
		t.Errorf("forming SMA50 %v, want %v", s.Pair.RatioSMA50, want)
	}

	e.Advance(sessionClose(d))
	s = e.Snapshot(sessionClose(d))
	wantFlag(t, "closed above", mustFlag(t, s, FlagRatioAboveSMA50), FlagConfirmed, d.Format("2006-01-02"))

	// Next day dips below live: fading (held at the last close, not live).
	d2 := days[warm+1]
	e.ApplyQuotes([]Quote{
		{Symbol: "SPY", Price: 100, DayVolume: 1, Time: nyAt(d2, 10, 0, 0)},
		{Symbol: "IWM", Price: 49, DayVolume: 1, Time: nyAt(d2, 10, 0, 0)},
	})
	s = e.Snapshot(nyAt(d2, 10, 0, 0))
	wantFlag(t, "live dip", mustFlag(t, s, FlagRatioAboveSMA50), FlagFading, d.Format("2006-01-02"))
	e.Advance(sessionClose(d2))
	s = e.Snapshot(sessionClose(d2))
	wantFlag(t, "closed below", mustFlag(t, s, FlagRatioAboveSMA50), FlagOff, "")

	// Two closes above: the run starts at the first of them.
	for _, k := range []int{warm + 2, warm + 3} {
		e.ApplyQuotes([]Quote{
			{Symbol: "SPY", Price: 100, DayVolume: 1, Time: nyAt(days[k], 10, 0, 0)},
			{Symbol: "IWM", Price: 52, DayVolume: 1, Time: nyAt(days[k], 10, 0, 0)},
		})
		e.Advance(sessionClose(days[k]))
	}
	s = e.Snapshot(sessionClose(days[warm+3]))
	wantFlag(t, "run", mustFlag(t, s, FlagRatioAboveSMA50), FlagConfirmed, days[warm+2].Format("2006-01-02"))
	if got := len(e.pair.dates); got != warm+4 {
		t.Errorf("joined %d days, want %d", got, warm+4)
	}
}

func TestRatioHysteresis(t *testing.T) {
	ratios := append(constSeries(60, 0.5), 0.51, 0.49, 0.47)
	for _, c := range []struct {
		h     float64
		state [3]FlagState // after each of the last three closes
	}{
		{0, [3]FlagState{FlagConfirmed, FlagOff, FlagOff}},
		{0.05, [3]FlagState{FlagConfirmed, FlagConfirmed, FlagOff}},
	} {
		cfg := pairConfig()
		cfg.Thresholds.Hysteresis = c.h
		e := newEngine(t, cfg)
		days := tradingDays(e.cal, nyDate(2025, 3, 3), len(ratios))
		iwm := make([]float64, len(ratios))
		for i, r := range ratios {
			iwm[i] = r * 100
		}
		for k := range 3 {
			n := 61 + k
			e.LoadHistory(map[string][]Bar{
				"SPY": flatBars("SPY", days[:n], constSeries(n, 100), 1e6),
				"IWM": flatBars("IWM", days[:n], iwm[:n], 1e6),
			})
			f := mustFlag(t, e.Snapshot(days[n-1]), FlagRatioAboveSMA50)
			since := ""
			if c.state[k] != FlagOff {
				since = days[60].Format("2006-01-02")
			}
			wantFlag(t, "h="+time.Duration(c.h*1000).String()+" day "+days[n-1].Format("01-02"), f, c.state[k], since)
		}
	}
}

func TestSmallTrendFlags(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 215)
	iwm := constSeries(len(days), 100)
	for i := 210; i < len(days); i++ {
		iwm[i] = 101
	}
	e.LoadHistory(map[string][]Bar{
		"SPY": flatBars("SPY", days, constSeries(len(days), 100), 1e6),
		"IWM": flatBars("IWM", days, iwm, 1e6),
	})
	s := e.Snapshot(days[len(days)-1])
	want := days[210].Format("2006-01-02")
	wantFlag(t, "golden", mustFlag(t, s, FlagSmallGoldenCross), FlagConfirmed, want)
	wantFlag(t, "above200", mustFlag(t, s, FlagSmallAboveSMA200), FlagConfirmed, want)
	wantFlag(t, "ratio200", mustFlag(t, s, FlagRatioAboveSMA200), FlagConfirmed, want)
	if f := mustFlag(t, s, FlagSmallGoldenCross); f.Threshold.V != mustSym(t, s, "IWM").SMA200.V {
		t.Errorf("golden threshold %v, want the SMA200", f.Threshold.V)
	}
	// Before day 210 the averages are equal (flat): not a cross.
	e.LoadHistory(map[string][]Bar{
		"SPY": flatBars("SPY", days[:210], constSeries(210, 100), 1e6),
		"IWM": flatBars("IWM", days[:210], iwm[:210], 1e6),
	})
	s = e.Snapshot(days[209])
	wantFlag(t, "flat golden", mustFlag(t, s, FlagSmallGoldenCross), FlagOff, "")
	wantFlag(t, "flat above200", mustFlag(t, s, FlagSmallAboveSMA200), FlagOff, "")
}

func TestNewHigh52w(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 254)
	iwm := constSeries(len(days), 50)
	iwm[253] = 51
	load := func(n int) *Snapshot {
		e.LoadHistory(map[string][]Bar{
			"SPY": flatBars("SPY", days[:n], constSeries(n, 100), 1e6),
			"IWM": flatBars("IWM", days[:n], iwm[:n], 1e6),
		})
		return e.Snapshot(days[n-1])
	}
	s := load(253)
	wantFlag(t, "flat", mustFlag(t, s, FlagRatioNewHigh52w), FlagOff, "")
	s = load(254)
	wantFlag(t, "break", mustFlag(t, s, FlagRatioNewHigh52w), FlagConfirmed, days[253].Format("2006-01-02"))
	if f := mustFlag(t, s, FlagRatioNewHigh52w); f.Threshold.V != 0.5 || f.Value.V != 0.51 {
		t.Errorf("52w value %+v threshold %v", f.Value, f.Threshold.V)
	}
	// 252 bars: only 251 prior closes, so the 52-week high is absent.
	s = load(252)
	if f := mustFlag(t, s, FlagRatioNewHigh52w); f.State != FlagOff || f.Threshold.V != 0 {
		t.Errorf("short history: %+v", f)
	}
	if !s.Pair.RatioHigh20.Valid || s.Pair.RatioHigh20.V != 0.5 {
		t.Errorf("RatioHigh20 %+v", s.Pair.RatioHigh20)
	}
}

func TestSmallLeads21d(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 40)
	iwm := constSeries(len(days), 100)
	for i := 30; i < len(days); i++ {
		iwm[i] = 100 + 0.6*float64(i-29) // 21-bar return 0.6×(i−29) % while the base is 100
	}
	e.LoadHistory(map[string][]Bar{
		"SPY": flatBars("SPY", days, constSeries(len(days), 100), 1e6),
		"IWM": flatBars("IWM", days, iwm, 1e6),
	})
	s := e.Snapshot(days[39])
	wantFlag(t, "leads", mustFlag(t, s, FlagSmallLeads21d), FlagConfirmed, days[33].Format("2006-01-02"))
}

func TestVolumeSurge(t *testing.T) {
	days := tradingDays(newEngine(t, pairConfig()).cal, nyDate(2024, 1, 2), 27)
	mk := func(lastUp bool) []Bar {
		closes := make([]float64, len(days))
		for i := range closes {
			closes[i] = 100 + float64(i)
		}
		if !lastUp {
			closes[25] = closes[24] - 1
		}
		b := flatBars("IWM", days, closes, 1e6)
		b[25].Volume = 2e6
		return b
	}
	for _, c := range []struct {
		name  string
		up    bool
		n     int
		state FlagState
	}{
		{"surge up", true, 26, FlagConfirmed},
		{"surge down", false, 26, FlagOff},
		{"next day normal", true, 27, FlagOff},
	} {
		e := newEngine(t, pairConfig())
		e.LoadHistory(map[string][]Bar{"IWM": mk(c.up)[:c.n], "SPY": flatBars("SPY", days[:c.n], constSeries(c.n, 100), 1e6)})
		since := ""
		if c.state != FlagOff {
			since = days[25].Format("2006-01-02")
		}
		f := mustFlag(t, e.Snapshot(days[c.n-1]), FlagSmallVolumeSurge)
		wantFlag(t, c.name, f, c.state, since)
		if c.n == 26 && (f.Value != Some(2) || f.Threshold.V != 1.5) {
			t.Errorf("%s: value %+v threshold %v, want RVOL 2 vs 1.5", c.name, f.Value, f.Threshold.V)
		}
	}
}

func TestSectorBreadth(t *testing.T) {
	for _, c := range []struct {
		beating int
		state   FlagState
	}{{6, FlagConfirmed}, {5, FlagOff}} {
		e := newEngine(t, DefaultConfig())
		days := tradingDays(e.cal, nyDate(2024, 1, 2), 31)
		rise := constSeries(len(days), 100)
		for i := 10; i < len(days); i++ {
			rise[i] = 110
		}
		flat := constSeries(len(days), 100)
		h := map[string][]Bar{"IWM": flatBars("IWM", days, flat, 1e6), "SPY": flatBars("SPY", days, flat, 1e6)}
		for k, sp := range DefaultSectors() {
			sm := flat
			if k < c.beating {
				sm = rise
			}
			h[sp.Small] = flatBars(sp.Small, days, sm, 1e6)
			h[sp.Large] = flatBars(sp.Large, days, flat, 1e6)
		}
		e.LoadHistory(h)
		s := e.Snapshot(days[30])
		since := ""
		if c.state != FlagOff {
			since = days[21].Format("2006-01-02")
		}
		f := mustFlag(t, s, FlagSectorBreadth)
		wantFlag(t, "breadth", f, c.state, since)
		if want := float64(c.beating) / 9; f.Value != Some(want) {
			t.Errorf("breadth value %+v, want %v", f.Value, want)
		}
		hi, base := 110.0, 100.0 // variables: constant arithmetic would be exact
		rise21 := (hi/base - 1) * 100
		if got := s.Sectors[0].Spread.M1; got != Some(rise21) {
			t.Errorf("sector spread 1m %+v, want %v", got, rise21)
		}
		if got := s.Sectors[8].SmallVsBench.M1; got != Some(0) {
			t.Errorf("flat sector vs bench %+v, want 0", got)
		}
	}
}

// TestUnknownThresholdIsNull: live quotes for both legs arrived before any
// history (QA-2 W2/W3). The ratio exists, but no average or prior high does:
// the thresholds the ratio and small-leg flags compare with are unknown, so
// they must be absent (JSON null), never a level of 0, and the flags off.
func TestUnknownThresholdIsNull(t *testing.T) {
	e := newEngine(t, pairConfig())
	d := tradingDays(e.cal, nyDate(2025, 3, 3), 1)[0]
	at := nyAt(d, 10, 0, 0)
	e.ApplyQuotes([]Quote{
		{Symbol: "SPY", Price: 100, DayVolume: 1000, Time: at},
		{Symbol: "IWM", Price: 105.5, DayVolume: 1000, Time: at},
	})
	s := e.Snapshot(at)
	for _, id := range []string{FlagRatioAboveSMA50, FlagRatioAboveSMA200, FlagRatioNewHigh20d, FlagRatioNewHigh52w, FlagSmallAboveSMA200, FlagSmallGoldenCross} {
		f := mustFlag(t, s, id)
		if f.Threshold.Valid {
			t.Errorf("%s: threshold %v with no history, want absent", id, f.Threshold.V)
		}
		if f.State != FlagOff {
			t.Errorf("%s: state %v with no history, want off", id, f.State)
		}
		b, err := f.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"threshold":null`) {
			t.Errorf("%s: JSON %s, want \"threshold\":null", id, b)
		}
	}
	// A threshold that is a configured constant stays known.
	if f := mustFlag(t, s, FlagSmallLeads21d); f.Threshold != Some(pairConfig().Thresholds.SmallLeadsPts) {
		t.Errorf("small_leads_21d threshold %+v, want the configured %v", f.Threshold, pairConfig().Thresholds.SmallLeadsPts)
	}
}

// TestSectorBreadthNeedsCoverage (QA-2 M3): sector_breadth is "broad
// leadership" only when at least half of the configured sector pairs (5 of
// 9) have both legs known. Hand-built: the first `data` pairs have files,
// the first `beating` of them have small beating large over 21 days.
func TestSectorBreadthNeedsCoverage(t *testing.T) {
	for _, c := range []struct {
		name          string
		data, beating int
		state         FlagState
		value         Num
	}{
		{"1 of 9, leading", 1, 1, FlagOff, Num{}},             // was: confirmed at 100 %
		{"4 of 9, all leading", 4, 4, FlagOff, Num{}},         // below half
		{"5 of 9, 3 leading", 5, 3, FlagConfirmed, Some(0.6)}, // 60 % ≥ 60 %
		{"6 of 9, 4 leading", 6, 4, FlagConfirmed, Some(4.0 / 6)},
		{"6 of 9, 3 leading", 6, 3, FlagOff, Some(0.5)},
	} {
		e := newEngine(t, DefaultConfig())
		days := tradingDays(e.cal, nyDate(2024, 1, 2), 31)
		rise := constSeries(len(days), 100)
		for i := 10; i < len(days); i++ {
			rise[i] = 110
		}
		flat := constSeries(len(days), 100)
		h := map[string][]Bar{"IWM": flatBars("IWM", days, flat, 1e6), "SPY": flatBars("SPY", days, flat, 1e6)}
		for k, sp := range DefaultSectors()[:c.data] {
			sm := flat
			if k < c.beating {
				sm = rise
			}
			h[sp.Small] = flatBars(sp.Small, days, sm, 1e6)
			h[sp.Large] = flatBars(sp.Large, days, flat, 1e6)
		}
		e.LoadHistory(h)
		f := mustFlag(t, e.Snapshot(days[30]), FlagSectorBreadth)
		since := ""
		if c.state == FlagConfirmed {
			since = days[21].Format("2006-01-02")
		}
		wantFlag(t, c.name, f, c.state, since)
		if f.Value != c.value || f.CloseValue != c.value {
			t.Errorf("%s: value %+v (close %+v), want %+v", c.name, f.Value, f.CloseValue, c.value)
		}
		wantNote := ""
		if !c.value.Valid {
			wantNote = fmt.Sprintf("only %d of 9 sector pairs with data, needs 5", c.data)
		}
		if f.Note != wantNote || f.CloseNote != wantNote {
			t.Errorf("%s: note %q (close %q), want %q", c.name, f.Note, f.CloseNote, wantNote)
		}
	}
}

// TestVolumeSurgeDownDayNote (QA-2 M6): a surge of volume on a down day
// leaves the flag off with its value above the threshold; the flag, its
// close and its change say why ("down day"), and JSON carries it.
func TestVolumeSurgeDownDayNote(t *testing.T) {
	days := tradingDays(newEngine(t, pairConfig()).cal, nyDate(2024, 1, 2), 27)
	closes := make([]float64, len(days))
	for i := range closes {
		closes[i] = 100 + float64(i)
	}
	closes[24] = 130 // day 24 up with a surge (on), day 25 down with one (off)
	iwm := flatBars("IWM", days, closes, 1e6)
	iwm[24].Volume, iwm[25].Volume = 3e6, 3e6
	e := newEngine(t, pairConfig())
	e.LoadHistory(map[string][]Bar{"IWM": iwm[:26], "SPY": flatBars("SPY", days[:26], constSeries(26, 100), 1e6)})
	s := e.Snapshot(days[25])
	f := mustFlag(t, s, FlagSmallVolumeSurge)
	wantFlag(t, "down day", f, FlagOff, "")
	if !(f.CloseValue.V >= 1.5) || f.CloseNote != "down day" {
		t.Errorf("down-day close: value %+v note %q, want ≥ 1.5 and \"down day\"", f.CloseValue, f.CloseNote)
	}
	var off *FlagChange
	for i, c := range s.FlagChanges {
		if c.Flag == FlagSmallVolumeSurge && c.Date.Equal(days[25]) {
			off = &s.FlagChanges[i]
		}
	}
	if off == nil || off.On || off.Note != "down day" {
		t.Errorf("the change on the down day: %+v, want off with note \"down day\"", off)
	}
	b, _ := f.MarshalJSON()
	if !strings.Contains(string(b), `"close_note":"down day"`) {
		t.Errorf("JSON %s lacks close_note", b)
	}

	// Live: the next day trades heavy volume below the previous close.
	d := days[26]
	at := nyAt(d, 15, 0, 0)
	e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: closes[25] - 1, DayVolume: 5e6, Time: at}, {Symbol: "SPY", Price: 100, DayVolume: 1e6, Time: at}})
	f = mustFlag(t, e.Snapshot(at), FlagSmallVolumeSurge)
	if f.State != FlagOff || !(f.Value.V >= 1.5) || f.Note != "down day" {
		t.Errorf("live down day: %v value %+v note %q, want off, ≥ 1.5, \"down day\"", f.State, f.Value, f.Note)
	}
	// Back above the previous close on the same volume: forming, no note.
	e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: closes[25] + 1, DayVolume: 5e6, Time: at.Add(time.Minute)}})
	if f = mustFlag(t, e.Snapshot(at.Add(time.Minute)), FlagSmallVolumeSurge); f.State != FlagForming || f.Note != "" {
		t.Errorf("live up day: %v note %q, want forming without a note", f.State, f.Note)
	}
}
