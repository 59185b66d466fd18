package engine

import (
	"fmt"
	"math"
	"testing"

	talib "github.com/markcheno/go-talib"
)

// oracle computes, with go-talib over the whole slice from its first bar, the
// values a SymbolSnapshot must show for the last bar of bars.
type oracleVals map[string]Num

func oracle(bars []Bar) oracleVals {
	n := len(bars)
	c := make([]float64, n)
	h := make([]float64, n)
	l := make([]float64, n)
	v := make([]float64, n)
	for i, b := range bars {
		c[i], h[i], l[i], v[i] = b.Close, b.High, b.Low, b.Volume
	}
	last := n - 1
	at := func(out []float64, lookback int) Num {
		if last < lookback {
			return Num{}
		}
		return Some(out[last])
	}
	o := oracleVals{}
	if n > 19 {
		o["SMA20"] = at(talib.Sma(c, 20), 19)
		o["EMA20"] = at(talib.Ema(c, 20), 19)
		up, mid, lo := talib.BBands(c, 20, 2, 2, talib.SMA)
		o["BBUpper"], o["BBMiddle"], o["BBLower"] = at(up, 19), at(mid, 19), at(lo, 19)
		o["DonHigh20"] = at(talib.Max(h, 20), 19)
		o["DonLow20"] = at(talib.Min(l, 20), 19)
	}
	if n > 49 {
		o["SMA50"] = at(talib.Sma(c, 50), 49)
	}
	if n > 199 {
		o["SMA200"] = at(talib.Sma(c, 200), 199)
	}
	if n > 14 {
		o["RSI14"] = at(talib.Rsi(c, 14), 14)
		o["ATR14"] = at(talib.Atr(h, l, c, 14), 14)
	}
	if n > 20 {
		sv := talib.Sma(v[:n-1], 20) // mean of the 20 volumes before the last
		o["RVOL20"] = Some(v[last] / sv[last-1])
	}
	for _, k := range []struct {
		name string
		bars int
	}{{"Ret1d", 1}, {"Ret5d", 5}, {"Ret21d", 21}, {"Ret63d", 63}} {
		if last-k.bars >= 0 {
			o[k.name] = Some((c[last]/c[last-k.bars] - 1) * 100)
		}
	}
	if n > 1 {
		o["PrevClose"] = Some(c[last-1])
		o["ChangePct"] = Some((c[last]/c[last-1] - 1) * 100)
	}
	o["Last"] = Some(c[last])
	return o
}

func symFields(s SymbolSnapshot) map[string]Num {
	return map[string]Num{
		"SMA20": s.SMA20, "SMA50": s.SMA50, "SMA200": s.SMA200, "EMA20": s.EMA20, "RSI14": s.RSI14,
		"ATR14": s.ATR14, "BBUpper": s.BBUpper, "BBMiddle": s.BBMiddle, "BBLower": s.BBLower,
		"DonHigh20": s.DonHigh20, "DonLow20": s.DonLow20, "RVOL20": s.RVOL20,
		"Ret1d": s.Ret1d, "Ret5d": s.Ret5d, "Ret21d": s.Ret21d, "Ret63d": s.Ret63d,
		"PrevClose": s.PrevClose, "ChangePct": s.ChangePct, "Last": s.Last,
	}
}

// checkAgainstOracle compares every field bit for bit (absent where the
// oracle is in warm-up).
func checkAgainstOracle(t *testing.T, label string, got SymbolSnapshot, bars []Bar) {
	t.Helper()
	want := oracle(bars)
	for name, g := range symFields(got) {
		w := want[name]
		if g.Valid != w.Valid || math.Float64bits(g.V) != math.Float64bits(w.V) {
			t.Errorf("%s: %s = %+v, want %+v (n=%d)", label, name, g, w, len(bars))
		}
	}
}

func TestHistoryMatchesTalib(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2023, 1, 3), 320)
	for _, n := range []int{1, 2, 15, 21, 64, 199, 200, 201, 320} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			bars := walkBars("IWM", days[:n], 180, 7)
			if errs := e.LoadHistory(map[string][]Bar{"IWM": bars}); len(errs) > 0 {
				t.Fatalf("LoadHistory: %v", errs)
			}
			checkAgainstOracle(t, "history", mustSym(t, e.Snapshot(days[n-1]), "IWM"), bars)
		})
	}
}

// TestLiveBarsMatchTalib streams the tail of a series as quotes: the forming
// bar's values (Peek) must equal go-talib over history+partial bar, and the
// closed values (after Advance to 16:00) go-talib over history+full bar.
func TestLiveBarsMatchTalib(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 260)
	bars := walkBars("IWM", days, 200, 11)
	const warm = 230
	e.LoadHistory(map[string][]Bar{"IWM": bars[:warm]})
	for i := warm; i < len(bars); i++ {
		qs := dayQuotes(bars[i])
		if errs := e.ApplyQuotes(qs[:3]); len(errs) > 0 {
			t.Fatalf("ApplyQuotes: %v", errs)
		}
		partial := bars[i]
		partial.Close, partial.Volume = partial.Low, partial.Volume*3/4
		snap := e.Snapshot(qs[2].Time)
		checkAgainstOracle(t, "forming "+bars[i].Date(), mustSym(t, snap, "IWM"), append(append([]Bar(nil), bars[:i]...), partial))
		e.ApplyQuotes(qs[3:])
		e.Advance(sessionClose(days[i]))
		snap = e.Snapshot(sessionClose(days[i]))
		checkAgainstOracle(t, "closed "+bars[i].Date(), mustSym(t, snap, "IWM"), bars[:i+1])
	}
	if got := len(e.bySym("IWM").daily); got != len(bars) {
		t.Fatalf("committed %d bars, want %d", got, len(bars))
	}
}

// TestLateQuoteRevisesLoadedHistory: a late print into the last loaded
// (seeded) daily bar rebuilds the streams; the values equal go-talib over the
// revised series.
func TestLateQuoteRevisesLoadedHistory(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 60)
	bars := walkBars("IWM", days, 200, 5)
	e.LoadHistory(map[string][]Bar{"IWM": bars})
	k := len(bars) - 3 // three days back, still inside the revision window
	spike := bars[k].High + 4
	if errs := e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: spike, DayVolume: 1, Time: nyAt(days[k], 12, 0, 0)}}); errs != nil {
		t.Fatal(errs)
	}
	revised := append([]Bar(nil), bars...)
	revised[k].High = spike
	checkAgainstOracle(t, "revised", mustSym(t, e.Snapshot(days[59]), "IWM"), revised)
	if mustSym(t, e.Snapshot(days[59]), "IWM").DonHigh20 != Some(spike) {
		t.Error("the spike is not the 20-day high")
	}
}

func TestFiveMinuteIntraday(t *testing.T) {
	cfg := pairConfig()
	cfg.Intraday = Minute5
	e := newEngine(t, cfg)
	d := nyDate(2025, 11, 25)
	var in []Bar
	for i := range 12 { // 09:30 … 09:41
		p := 100 + float64(i)
		in = append(in, Bar{Time: nyAt(d, 9, 30+i, 0), Open: p, High: p + 0.5, Low: p - 0.5, Close: p, Volume: 10})
	}
	e.LoadIntraday(map[string][]Bar{"IWM": in})
	got := e.bySym("IWM").intra
	want := []Bar{
		{Symbol: "IWM", Time: nyAt(d, 9, 30, 0), Open: 100, High: 104.5, Low: 99.5, Close: 104, Volume: 50},
		{Symbol: "IWM", Time: nyAt(d, 9, 35, 0), Open: 105, High: 109.5, Low: 104.5, Close: 109, Volume: 50},
		{Symbol: "IWM", Time: nyAt(d, 9, 40, 0), Open: 110, High: 111.5, Low: 109.5, Close: 111, Volume: 20},
	}
	if len(got) != len(want) {
		t.Fatalf("%d bars, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("bar %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// A quote at 09:44 extends the 09:40 bar (volume from the cumulative 120+5).
	e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: 112, DayVolume: 125, Time: nyAt(d, 9, 44, 0)}})
	if b := e.bySym("IWM").intra[2]; b.High != 112 || b.Close != 112 || b.Volume != 25 {
		t.Errorf("extended bar %+v", b)
	}
}

func bitsEq(a Num, b float64, valid bool) bool {
	return a.Valid == valid && (!valid || math.Float64bits(a.V) == math.Float64bits(b))
}

// TestRatioMatchesTalib: the ratio is joined on common dates (SPY misses
// one), and its indicators equal go-talib over the joined ratio closes, for
// the closed series and for a forming day.
func TestRatioMatchesTalib(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2023, 1, 3), 301)
	iwm := walkBars("IWM", days, 180, 21)
	spy := walkBars("SPY", days, 400, 22)
	const gap = 100
	spyGap := append(append([]Bar(nil), spy[:gap]...), spy[gap+1:300]...)
	e.LoadHistory(map[string][]Bar{"IWM": iwm[:300], "SPY": spyGap})

	var r []float64
	var dates []string
	for i := range 300 {
		if i != gap {
			r = append(r, iwm[i].Close/spy[i].Close)
			dates = append(dates, iwm[i].Date())
		}
	}
	check := func(label string, ps PairSnapshot, r []float64) {
		t.Helper()
		n := len(r)
		sma50, sma200 := talib.Sma(r, 50), talib.Sma(r, 200)
		if !bitsEq(ps.Ratio, r[n-1], true) || !bitsEq(ps.RatioSMA50, sma50[n-1], true) || !bitsEq(ps.RatioSMA200, sma200[n-1], true) {
			t.Errorf("%s: ratio %+v sma50 %+v sma200 %+v, want %v %v %v", label, ps.Ratio, ps.RatioSMA50, ps.RatioSMA200, r[n-1], sma50[n-1], sma200[n-1])
		}
		if w := talib.Rsi(r, 14)[n-1]; !bitsEq(ps.RatioRSI14, w, true) {
			t.Errorf("%s: RSI14 %+v, want %v", label, ps.RatioRSI14, w)
		}
		if w := talib.Roc(r, 20)[n-1]; !bitsEq(ps.RatioROC20, w, true) {
			t.Errorf("%s: ROC20 %+v, want %v", label, ps.RatioROC20, w)
		}
		if w := talib.Max(r[:n-1], 20)[n-2]; !bitsEq(ps.RatioHigh20, w, true) {
			t.Errorf("%s: High20 %+v, want %v", label, ps.RatioHigh20, w)
		}
		if w := (r[n-1]/r[n-2] - 1) * 100; !bitsEq(ps.RatioChangePct, w, true) {
			t.Errorf("%s: change %+v, want %v", label, ps.RatioChangePct, w)
		}
		// Chart points: the last 300 at most, each with its own SMA50/SMA200.
		for k, pt := range ps.Daily {
			i := n - len(ps.Daily) + k
			if pt.Ratio != r[i] || !bitsEq(pt.SMA50, sma50[i], i >= 49) || !bitsEq(pt.SMA200, sma200[i], i >= 199) {
				t.Fatalf("%s: point %d (%s) %+v, want ratio %v sma50 %v sma200 %v", label, k, pt.Time.Format("2006-01-02"), pt, r[i], sma50[i], sma200[i])
			}
		}
	}
	s := e.Snapshot(days[299])
	if len(s.Pair.Daily) != 299 || s.Pair.Daily[gap].Time.Format("2006-01-02") != dates[gap] {
		t.Fatalf("joined %d points (want 299); point %d is %s, want %s", len(s.Pair.Daily), gap, s.Pair.Daily[gap].Time.Format("2006-01-02"), dates[gap])
	}
	check("closed", s.Pair, r)

	// A forming day: both legs trade; values are go-talib over r + today's ratio.
	qi, qs := dayQuotes(iwm[300]), dayQuotes(spy[300])
	e.ApplyQuotes(append(qi[:2], qs[:2]...))
	s = e.Snapshot(qs[1].Time)
	last := s.Pair.Daily[len(s.Pair.Daily)-1]
	if !last.Forming || !last.Time.Equal(days[300]) {
		t.Fatalf("last point %+v, want the forming day", last)
	}
	check("forming", s.Pair, append(append([]float64(nil), r...), iwm[300].High/spy[300].High))
}
