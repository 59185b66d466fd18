package engine

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/markcheno/go-talib"
)

// TestSetPair: switching the pair recomputes the ratio, its indicators,
// the flags' texts and the study on the new legs (oracle: go-talib on the
// new ratio); switching back gives the first pair's values again.
func TestSetPair(t *testing.T) {
	cal := calendar.NYSE()
	dates := tradingDays(cal, time.Date(2023, 1, 3, 0, 0, 0, 0, calendar.Location()), 300)
	iwm, spy, qqq := walkBars("IWM", dates, 200, 1), walkBars("SPY", dates, 500, 2), walkBars("QQQ", dates, 400, 3)
	cfg := pairConfig()
	cfg.Extras = []string{"QQQ"}
	e := newEngine(t, cfg)
	runs := 0
	e.SetStudy(func(ps PairSeries) (*Risk, *Analogs) {
		runs++
		return &Risk{}, &Analogs{Event: ps.Small[0].Symbol + "/" + ps.Large[0].Symbol}
	})
	e.LoadHistory(map[string][]Bar{"IWM": iwm, "SPY": spy, "QQQ": qqq})
	now := sessionClose(dates[len(dates)-1]).Add(time.Hour)
	first := e.Snapshot(now)

	if err := e.SetPair("IWM", "QQQ"); err != nil {
		t.Fatal(err)
	}
	s := e.Snapshot(now)
	ratio := make([]float64, len(dates))
	for i := range dates {
		ratio[i] = iwm[i].Close / qqq[i].Close
	}
	sma := talib.Sma(ratio, 50)
	last := len(dates) - 1
	if s.Pair.Small != "IWM" || s.Pair.Large != "QQQ" || s.Pair.Ratio.V != ratio[last] || s.Pair.RatioSMA50.V != sma[last] {
		t.Errorf("after SetPair: %s/%s ratio %v sma50 %v, want %v %v", s.Pair.Small, s.Pair.Large, s.Pair.Ratio, s.Pair.RatioSMA50, ratio[last], sma[last])
	}
	if n := len(s.Pair.Daily); n == 0 || s.Pair.Daily[n-1].Ratio != ratio[last] {
		t.Error("the chart's daily series is still the old pair's")
	}
	f, _ := s.Flag(FlagRatioAboveSMA50)
	if !strings.Contains(f.Text, "IWM/QQQ") {
		t.Errorf("flag text %q does not name the new pair", f.Text)
	}
	if s.Analogs == nil || s.Analogs.Event != "IWM/QQQ" {
		t.Errorf("study not rerun on the new pair: %+v", s.Analogs)
	}

	if err := e.SetPair("IWM", "SPY"); err != nil {
		t.Fatal(err)
	}
	back := e.Snapshot(now)
	if !reflect.DeepEqual(back.Pair, first.Pair) || !reflect.DeepEqual(back.Flags, first.Flags) || back.Analogs.Event != "IWM/SPY" {
		t.Error("switching back does not give the first pair's values")
	}
	runsBefore := runs
	if err := e.SetPair("IWM", "SPY"); err != nil || runs != runsBefore {
		t.Errorf("the same pair again: err %v, study reruns %d", err, runs-runsBefore)
	}
	for _, bad := range [][2]string{{"IWM", "XYZ"}, {"SPY", "SPY"}} {
		if err := e.SetPair(bad[0], bad[1]); err == nil {
			t.Errorf("SetPair(%s, %s) accepted", bad[0], bad[1])
		}
	}
	if s := e.Snapshot(now); s.Pair.Large != "SPY" {
		t.Error("a rejected pair changed the pair")
	}
}
