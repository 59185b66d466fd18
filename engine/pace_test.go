package engine

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// TestExpectedVolumeFraction checks the profile at hand-computed points
// (knots and midpoints of the documented piecewise-linear curve), its
// scaling to an early-close session and its shape.
func TestExpectedVolumeFraction(t *testing.T) {
	full, early := 390*time.Minute, 210*time.Minute
	for _, c := range []struct {
		name            string
		elapsed, length time.Duration
		want            float64
	}{
		{"open (auction)", 0, full, 0.01},
		{"09:37:30, half way to the 09:45 knot", 7*time.Minute + 30*time.Second, full, 0.01 + 0.08/2},
		{"09:45", 15 * time.Minute, full, 0.09},
		{"10:15", 45 * time.Minute, full, 0.15 + 0.10/2},
		{"11:00", 90 * time.Minute, full, 1.0 / 3},
		{"13:00", 210 * time.Minute, full, 0.50 + 0.085/2},
		{"14:30", 300 * time.Minute, full, 2.0 / 3},
		{"15:45", 375 * time.Minute, full, 0.90},
		{"close", full, full, 1},
		{"after the close", full + time.Hour, full, 1},
		// 105 of 210 minutes = minute 195 of a full day: a quarter of the way from 180 (0.50) to 240 (0.585).
		{"early close, 11:15", 105 * time.Minute, early, 0.50 + 0.085/4},
		{"early close, 13:00", early, early, 1},
	} {
		got, ok := ExpectedVolumeFraction(c.elapsed, c.length)
		if !ok || !near(got, c.want) {
			t.Errorf("%s: ExpectedVolumeFraction(%v, %v) = %v, %v; want %v", c.name, c.elapsed, c.length, got, ok, c.want)
		}
	}
	for _, c := range [][2]time.Duration{{-time.Second, full}, {time.Minute, 0}, {time.Minute, -full}} {
		if _, ok := ExpectedVolumeFraction(c[0], c[1]); ok {
			t.Errorf("ExpectedVolumeFraction(%v, %v) ok", c[0], c[1])
		}
	}
	// Shape: non-decreasing, within [0.01, 1]; U-shaped rates (the first and
	// last half hours trade well over twice the midday half hour).
	prev := 0.0
	for s := 0; s <= 390*60; s++ {
		f, _ := ExpectedVolumeFraction(time.Duration(s)*time.Second, full)
		if f < prev || f < 0.01 || f > 1 {
			t.Fatalf("F(%ds) = %v after %v", s, f, prev)
		}
		prev = f
	}
	at := func(m int) float64 { f, _ := ExpectedVolumeFraction(time.Duration(m)*time.Minute, full); return f }
	first, mid, last := at(30)-at(0), at(210)-at(180), at(390)-at(360)
	if !(first > 2*mid && last > 2*mid) {
		t.Errorf("half-hour shares open %.3f midday %.3f close %.3f: not U-shaped", first, mid, last)
	}
	// The brief's anchors.
	if f := at(15); f < 0.08 || f > 0.10 {
		t.Errorf("F(09:45) = %v, want 8–10 %%", f)
	}
}

// paceEngine loads 25 flat days (close 100, volume 1e6: the mean of the 20
// previous volumes is exactly 1e6) and returns the engine and the next
// trading date.
func paceEngine(t *testing.T, start time.Time) (*Engine, time.Time) {
	t.Helper()
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, start, 25)
	e.LoadHistory(map[string][]Bar{
		"IWM": flatBars("IWM", days, constSeries(25, 100), 1e6),
		"SPY": flatBars("SPY", days, constSeries(25, 400), 1e6),
	})
	return e, e.cal.NextTradingDate(days[24])
}

func TestRVOLPaceLive(t *testing.T) {
	e, d := paceEngine(t, nyDate(2025, 3, 3))
	quote := func(at time.Time, px, vol float64) (SymbolSnapshot, Flag) {
		t.Helper()
		if errs := e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: px, DayVolume: vol, Time: at}}); len(errs) > 0 {
			t.Fatal(errs)
		}
		s := e.Snapshot(at)
		return mustSym(t, s, "IWM"), mustFlag(t, s, FlagSmallVolumeSurge)
	}

	// 09:34: inside the 5-minute warm-up, no pace yet (RVOL20 is there).
	ss, f := quote(nyAt(d, 9, 34, 0), 101, 150_000)
	if ss.RVOLPace.Valid || ss.RVOL20 != Some(0.15) || f.State != FlagOff {
		t.Errorf("09:34: RVOLPace %+v RVOL20 %+v flag %v; want absent, 0.15, off", ss.RVOLPace, ss.RVOL20, f.State)
	}
	// 09:45 (F = 0.09): 150,000 / (1e6 × 0.09) = 1.6667 ≥ 1.5 on an up day.
	ss, f = quote(nyAt(d, 9, 45, 0), 101, 150_000)
	if want := 0.15 / 0.09; !ss.RVOLPace.Valid || !near(ss.RVOLPace.V, want) {
		t.Errorf("09:45: RVOLPace %+v, want %v", ss.RVOLPace, want)
	}
	wantFlag(t, "09:45 surge", f, FlagForming, d.Format("2006-01-02"))
	if f.Value != ss.RVOLPace || f.Threshold.V != 1.5 {
		t.Errorf("09:45: flag value %+v threshold %v, want RVOLPace %+v vs 1.5", f.Value, f.Threshold.V, ss.RVOLPace)
	}
	// 11:00 (F = 1/3): 400,000 / (1e6 / 3) = 1.2: below the threshold.
	ss, f = quote(nyAt(d, 11, 0, 0), 101, 400_000)
	if want := 1.2; !near(ss.RVOLPace.V, want) || ss.RVOL20 != Some(0.4) {
		t.Errorf("11:00: RVOLPace %+v RVOL20 %+v, want %v and 0.4", ss.RVOLPace, ss.RVOL20, want)
	}
	wantFlag(t, "11:00 normal pace", f, FlagOff, "")
	// 13:00 (F = 0.5425): 900,000 → 1.659; but a down day: off.
	ss, f = quote(nyAt(d, 13, 0, 0), 99, 900_000)
	if want := 0.9 / 0.5425; !near(ss.RVOLPace.V, want) {
		t.Errorf("13:00: RVOLPace %+v, want %v", ss.RVOLPace, want)
	}
	wantFlag(t, "13:00 down day", f, FlagOff, "")
	// A print at the close: the fraction is 1, so RVOLPace == RVOL20 (forming and closed).
	cl := sessionClose(d)
	ss, _ = quote(cl, 101, 2_000_000)
	if ss.RVOLPace != ss.RVOL20 || ss.RVOL20 != Some(2) {
		t.Errorf("at the close: RVOLPace %+v RVOL20 %+v, want both 2", ss.RVOLPace, ss.RVOL20)
	}
	e.Advance(cl)
	s := e.Snapshot(cl)
	ss = mustSym(t, s, "IWM")
	if ss.RVOLPace != ss.RVOL20 || ss.RVOL20 != Some(2) {
		t.Errorf("closed: RVOLPace %+v RVOL20 %+v, want both 2", ss.RVOLPace, ss.RVOL20)
	}
	wantFlag(t, "closed surge", mustFlag(t, s, FlagSmallVolumeSurge), FlagConfirmed, d.Format("2006-01-02"))
}

// TestRVOLPaceEarlyClose: the profile is scaled to the 13:00 session of the
// day after Thanksgiving.
func TestRVOLPaceEarlyClose(t *testing.T) {
	e, d := paceEngine(t, nyDate(2024, 10, 24))
	if d.Format("2006-01-02") != "2024-11-29" || !e.cal.EarlyClose(d) {
		t.Fatalf("test day %s is not the early close", d.Format("2006-01-02"))
	}
	e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: 101, DayVolume: 600_000, Time: nyAt(d, 11, 15, 0)}})
	ss := mustSym(t, e.Snapshot(nyAt(d, 11, 15, 0)), "IWM")
	if want := 0.6 / (0.50 + 0.085/4); !near(ss.RVOLPace.V, want) {
		t.Errorf("RVOLPace %+v, want %v", ss.RVOLPace, want)
	}
}

// TestRVOLPaceLoadedBars: a forming day from a history load is paced at the
// engine's now; one from a feed's 1-minute bars at the end of the last bar.
func TestRVOLPaceLoadedBars(t *testing.T) {
	e, d := paceEngine(t, nyDate(2025, 3, 3))
	days := tradingDays(e.cal, nyDate(2025, 3, 3), 26)
	e.Advance(nyAt(d, 11, 0, 0))
	iwm := flatBars("IWM", days, constSeries(26, 100), 1e6)
	iwm[25].Volume = 500_000
	e.LoadHistory(map[string][]Bar{"IWM": iwm})
	ss := mustSym(t, e.Snapshot(nyAt(d, 11, 0, 0)), "IWM")
	if want := 1.5; !ss.RVOLPace.Valid || !near(ss.RVOLPace.V, want) {
		t.Errorf("history: RVOLPace %+v, want %v", ss.RVOLPace, want)
	}

	e2, d2 := paceEngine(t, nyDate(2025, 3, 3))
	var bars []Bar
	for m := range 45 { // 09:30 .. 10:14, 2,000 shares a minute
		bars = append(bars, Bar{Time: nyAt(d2, 9, 30+m, 0), Open: 100, High: 100, Low: 100, Close: 100, Volume: 2000})
	}
	e2.LoadIntraday(map[string][]Bar{"IWM": bars})
	ss = mustSym(t, e2.Snapshot(nyAt(d2, 10, 15, 0)), "IWM")
	// 90,000 shares by 10:15 (F = 0.20): 0.09 / 0.20.
	if want := 0.09 / 0.20; !ss.RVOLPace.Valid || !near(ss.RVOLPace.V, want) {
		t.Errorf("intraday: RVOLPace %+v, want %v", ss.RVOLPace, want)
	}
}

// TestRVOLPaceProperties: for random volumes and times, RVOLPace equals
// RVOL20 ÷ F(time) (independently computed), falls as the day goes on at a
// fixed volume, and equals RVOL20 bit for bit at the close.
func TestRVOLPaceProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for k := range 30 {
		e, d := paceEngine(t, nyDate(2025, 3, 3))
		vol := 1e4 + 3e6*r.Float64()
		open := nyAt(d, 9, 30, 0)
		prev := math.Inf(1)
		for _, m := range []int{6, 30 + r.IntN(60), 100 + r.IntN(100), 250 + r.IntN(100), 389} {
			at := open.Add(time.Duration(m) * time.Minute)
			e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: 100, DayVolume: vol, Time: at}})
			ss := mustSym(t, e.Snapshot(at), "IWM")
			f, _ := ExpectedVolumeFraction(at.Sub(open), 390*time.Minute)
			if want := vol / 1e6 / f; !near(ss.RVOLPace.V, want) || !(ss.RVOLPace.V < prev) {
				t.Fatalf("case %d minute %d: RVOLPace %+v, want %v (< %v)", k, m, ss.RVOLPace, want, prev)
			}
			prev = ss.RVOLPace.V
		}
		cl := sessionClose(d)
		e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: 100, DayVolume: vol * 1.01, Time: cl}})
		ss := mustSym(t, e.Snapshot(cl), "IWM")
		if !ss.RVOLPace.Valid || math.Float64bits(ss.RVOLPace.V) != math.Float64bits(ss.RVOL20.V) {
			t.Fatalf("case %d at the close: RVOLPace %+v != RVOL20 %+v", k, ss.RVOLPace, ss.RVOL20)
		}
	}
}
