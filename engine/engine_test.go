package engine

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// lateRun replays days of live quotes for IWM and SPY over preloaded history.
// The quotes in late (keyed by day index) are withheld from their day and
// delivered after the first quotes of day index deliver (-1: never).
type lateRun struct {
	e      *Engine
	snaps  []*Snapshot // one after every day's close
	atLate *Snapshot   // right after the late quotes were delivered (or would have been)
}

func runLate(t *testing.T, hist map[string][]Bar, live map[string][]Bar, days []time.Time, late []Quote, lateDay, deliver int) lateRun {
	t.Helper()
	e := newEngine(t, pairConfig())
	e.LoadHistory(hist)
	var r lateRun
	for k, d := range days {
		var qs []Quote
		for _, sym := range []string{"IWM", "SPY"} {
			qs = append(qs, dayQuotes(live[sym][k])...)
		}
		if k == lateDay && deliver == k {
			qs = append(qs, late...)
		}
		if errs := e.ApplyQuotes(qs[:2]); errs != nil {
			t.Fatal(errs)
		}
		if k == deliver && deliver != lateDay {
			if errs := e.ApplyQuotes(late); errs != nil {
				t.Fatal(errs)
			}
		}
		if k == lateDay+2 {
			r.atLate = e.Snapshot(nyAt(d, 10, 30, 0))
		}
		e.ApplyQuotes(qs[2:])
		e.Advance(sessionClose(d))
		r.snaps = append(r.snaps, e.Snapshot(sessionClose(d)))
	}
	r.e = e
	return r
}

func stripSeq(s *Snapshot) Snapshot {
	c := *s
	c.Seq = 0
	return c
}

// TestLateRevisionEqualsOnTime: quotes arriving late into a closed recent
// daily bar give exactly the snapshot of the on-time run.
func TestLateRevisionEqualsOnTime(t *testing.T) {
	e0 := newEngine(t, pairConfig())
	days := tradingDays(e0.cal, nyDate(2024, 1, 2), 250)
	const warm = 220
	iwm := walkBars("IWM", days, 200, 3)
	spy := walkBars("SPY", days, 470, 4)
	hist := map[string][]Bar{"IWM": iwm[:warm], "SPY": spy[:warm]}
	live := map[string][]Bar{"IWM": iwm[warm:], "SPY": spy[warm:]}
	liveDays := days[warm:]
	const k = 20
	b := live["IWM"][k]
	late := []Quote{
		{Symbol: "IWM", Price: b.High + 3, DayVolume: b.Volume * 0.6, Time: nyAt(b.Time, 12, 0, 0)},  // a new high
		{Symbol: "IWM", Price: b.Close - 1.5, DayVolume: b.Volume * 1.1, Time: sessionClose(b.Time)}, // the last print
	}
	onTime := runLate(t, hist, live, liveDays, late, k, k)
	lateRun := runLate(t, hist, live, liveDays, late, k, k+2)
	never := runLate(t, hist, live, liveDays, late, k, -1)

	if !reflect.DeepEqual(stripSeq(onTime.atLate), stripSeq(lateRun.atLate)) {
		t.Errorf("snapshot right after the late delivery differs from the on-time run:\n on time %+v\n late    %+v",
			mustSym(t, onTime.atLate, "IWM"), mustSym(t, lateRun.atLate, "IWM"))
	}
	for i := k + 2; i < len(liveDays); i++ {
		if !reflect.DeepEqual(stripSeq(onTime.snaps[i]), stripSeq(lateRun.snaps[i])) {
			t.Fatalf("day %d: late run differs from on-time run", i)
		}
	}
	// The late quotes matter: dropping them changes the values.
	if reflect.DeepEqual(mustSym(t, onTime.atLate, "IWM"), mustSym(t, never.atLate, "IWM")) {
		t.Fatal("late quotes had no effect; the test cannot fail")
	}
	got := lateRun.e.bySym("IWM").daily[warm+k]
	if got.High != b.High+3 || got.Close != b.Close-1.5 || got.Volume != b.Volume*1.1 {
		t.Fatalf("revised bar %+v", got)
	}
}

func TestInvalidQuotesRejected(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 30)
	e.LoadHistory(map[string][]Bar{"IWM": walkBars("IWM", days, 200, 1), "SPY": walkBars("SPY", days, 400, 2)})
	before := stripSeq(e.Snapshot(days[29]))
	d := e.cal.NextTradingDate(days[29])
	at := nyAt(d, 10, 0, 0)
	bad := []Quote{
		{Symbol: "IWM", Price: math.NaN(), Time: at},
		{Symbol: "IWM", Price: 0, Time: at},
		{Symbol: "IWM", Price: -5, Time: at},
		{Symbol: "IWM", Price: math.Inf(1), Time: at},
		{Symbol: "IWM", Price: 10, DayVolume: math.NaN(), Time: at},
		{Symbol: "IWM", Price: 10},
		{Symbol: "NOPE\x1b[31m", Price: 10, Time: at},
	}
	errs := e.ApplyQuotes(bad)
	if len(errs) != len(bad) {
		t.Fatalf("%d errors for %d bad quotes: %v", len(errs), len(bad), errs)
	}
	after := stripSeq(e.Snapshot(days[29]))
	after.Errors, before.Errors = nil, nil
	if !reflect.DeepEqual(before, after) {
		t.Error("a rejected quote changed the model")
	}
	s := e.Snapshot(days[29])
	var sawUnknown bool
	for _, se := range s.Errors {
		if strings.ContainsRune(se.Symbol, 0x1b) || strings.ContainsRune(se.Message, 0x1b) {
			t.Errorf("unsanitised error %q", se)
		}
		sawUnknown = sawUnknown || strings.HasPrefix(se.Symbol, "NOPE")
	}
	if !sawUnknown {
		t.Errorf("unknown symbol not reported: %v", s.Errors)
	}
}

func TestLoadHistoryValidates(t *testing.T) {
	e := newEngine(t, DefaultConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 10)
	good := walkBars("IWM", days, 200, 1)
	unsorted := walkBars("SPY", days, 400, 2)
	unsorted[3], unsorted[4] = unsorted[4], unsorted[3]
	neg := walkBars("QQQ", days, 400, 2)
	neg[5].Low = -1
	errs := e.LoadHistory(map[string][]Bar{"IWM": good, "SPY": unsorted, "QQQ": neg, "ZZZ": good})
	got := map[string]bool{}
	for _, se := range errs {
		got[se.Symbol] = true
	}
	if len(errs) != 3 || !got["SPY"] || !got["QQQ"] || !got["ZZZ"] {
		t.Fatalf("errors %v", errs)
	}
	s := e.Snapshot(days[9])
	if v := mustSym(t, s, "IWM").Last; v != Some(good[9].Close) {
		t.Errorf("IWM last %+v", v)
	}
	if v := mustSym(t, s, "SPY").Last; v.Valid {
		t.Errorf("rejected SPY history was applied: %+v", v)
	}
	noData := 0
	for _, se := range s.Errors {
		if se.Message == "no data" {
			noData++
		}
	}
	// Every watched symbol except IWM (SPY and QQQ carry their load error instead).
	if want := len(DefaultConfig().Symbols()) - 3; noData != want {
		t.Errorf("%d 'no data' errors, want %d: %v", noData, want, s.Errors)
	}
	if s.Pair.Ratio.Valid {
		t.Error("ratio without a large leg")
	}
}

func TestSnapshotIsImmutable(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 60)
	e.LoadHistory(map[string][]Bar{"IWM": walkBars("IWM", days, 200, 1), "SPY": walkBars("SPY", days, 400, 2)})
	d := e.cal.NextTradingDate(days[59])
	e.ApplyQuotes([]Quote{
		{Symbol: "IWM", Price: 201, DayVolume: 10, Time: nyAt(d, 9, 31, 0)},
		{Symbol: "SPY", Price: 401, DayVolume: 10, Time: nyAt(d, 9, 31, 0)},
	})
	s1 := e.Snapshot(nyAt(d, 9, 32, 0))
	keep := stripSeq(s1)
	keepDaily := append([]RatioPoint(nil), s1.Pair.Daily...)
	keepIntra := append([]float64(nil), mustSym(t, s1, "IWM").Intraday...)
	e.ApplyQuotes([]Quote{
		{Symbol: "IWM", Price: 190, DayVolume: 20, Time: nyAt(d, 9, 31, 30)},
		{Symbol: "IWM", Price: 191, DayVolume: 30, Time: nyAt(d, 9, 33, 0)},
	})
	e.Advance(sessionClose(d))
	s2 := e.Snapshot(sessionClose(d))
	if s2.Seq <= s1.Seq {
		t.Errorf("Seq %d after %d", s2.Seq, s1.Seq)
	}
	if !reflect.DeepEqual(keepDaily, s1.Pair.Daily) || !reflect.DeepEqual(keepIntra, mustSym(t, s1, "IWM").Intraday) ||
		!reflect.DeepEqual(keep.Flags, s1.Flags) || !reflect.DeepEqual(keep.Symbols, s1.Symbols) {
		t.Fatal("an older snapshot changed after the engine moved on")
	}
	// Writing into a snapshot does not reach the engine.
	s2.Symbols[0].Intraday[0] = -1
	s2.Pair.Daily[0].Ratio = -1
	s3 := e.Snapshot(sessionClose(d))
	if s3.Symbols[0].Intraday[0] == -1 || s3.Pair.Daily[0].Ratio == -1 {
		t.Fatal("snapshot shares memory with the engine")
	}
}

func TestStaleAndAsOf(t *testing.T) {
	cfg := pairConfig()
	cfg.StaleAfter = 2 * time.Minute
	e := newEngine(t, cfg)
	d := nyDate(2025, 11, 25)
	e.ApplyQuotes([]Quote{
		{Symbol: "IWM", Price: 200, DayVolume: 1, Time: nyAt(d, 10, 0, 0)},
		{Symbol: "SPY", Price: 400, DayVolume: 1, Time: nyAt(d, 10, 1, 0)},
	})
	s := e.Snapshot(nyAt(d, 10, 2, 30))
	if !mustSym(t, s, "IWM").Stale || mustSym(t, s, "SPY").Stale {
		t.Errorf("stale IWM=%v SPY=%v, want true/false", mustSym(t, s, "IWM").Stale, mustSym(t, s, "SPY").Stale)
	}
	if !s.AsOf.Equal(nyAt(d, 10, 1, 0)) {
		t.Errorf("AsOf %v", s.AsOf)
	}
	if s.Session.State != "open" || s.Session.Countdown == "" {
		t.Errorf("session %+v", s.Session)
	}
}

func TestStudyHookCalls(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 41)
	iwm, spy := walkBars("IWM", days, 200, 1), walkBars("SPY", days, 400, 2)
	calls := 0
	var lastLen int
	risk := &Risk{}
	e.SetStudy(func(ps PairSeries) (*Risk, *Analogs) {
		calls++
		lastLen = len(ps.Dates)
		if len(ps.Small) != len(ps.Dates) || len(ps.Large) != len(ps.Dates) {
			t.Errorf("ragged PairSeries %d/%d/%d", len(ps.Dates), len(ps.Small), len(ps.Large))
		}
		for i := range ps.Dates {
			if !ps.Small[i].Time.Equal(ps.Dates[i]) || !ps.Large[i].Time.Equal(ps.Dates[i]) {
				t.Fatalf("PairSeries not joined at %d", i)
			}
		}
		return risk, nil
	})
	if calls != 0 {
		t.Fatal("study ran without data")
	}
	e.LoadHistory(map[string][]Bar{"IWM": iwm[:40], "SPY": spy[:40]})
	if calls != 1 || lastLen != 40 {
		t.Fatalf("after load: %d calls, len %d", calls, lastLen)
	}
	for _, sym := range []string{"IWM", "SPY"} {
		e.ApplyQuotes(dayQuotes(map[string]Bar{"IWM": iwm[40], "SPY": spy[40]}[sym]))
	}
	if calls != 1 {
		t.Fatalf("study ran per quote (%d calls)", calls)
	}
	e.Advance(sessionClose(days[40]))
	if calls != 2 || lastLen != 41 {
		t.Fatalf("after close: %d calls, len %d", calls, lastLen)
	}
	if s := e.Snapshot(sessionClose(days[40])); s.Risk != risk {
		t.Error("study result not in the snapshot")
	}
}

func TestIntradayRatioForwardFill(t *testing.T) {
	e := newEngine(t, pairConfig())
	d := nyDate(2025, 11, 25)
	m := func(i int) time.Time { return nyAt(d, 9, 30+i, 0) }
	e.LoadIntraday(map[string][]Bar{
		"IWM": {{Time: m(0), Open: 200, High: 200, Low: 200, Close: 200, Volume: 5}, {Time: m(2), Open: 202, High: 202, Low: 202, Close: 202, Volume: 5}},
		"SPY": {{Time: m(0), Open: 400, High: 400, Low: 400, Close: 400, Volume: 5}, {Time: m(1), Open: 404, High: 404, Low: 404, Close: 404, Volume: 5}, {Time: m(2), Open: 404, High: 404, Low: 404, Close: 404, Volume: 5}},
	})
	e.ApplyQuotes([]Quote{{Symbol: "SPY", Price: 400, DayVolume: 30, Time: m(3).Add(time.Second)}})
	s := e.Snapshot(m(3).Add(2 * time.Second))
	want := []RatioPoint{
		{Time: m(0), Ratio: 200.0 / 400},
		{Time: m(1), Ratio: 200.0 / 404, Filled: true},
		{Time: m(2), Ratio: 202.0 / 404},
		{Time: m(3), Ratio: 202.0 / 400, Filled: true, Forming: true},
	}
	if !reflect.DeepEqual(s.Pair.Intraday, want) {
		t.Fatalf("intraday ratio\n got %+v\nwant %+v", s.Pair.Intraday, want)
	}
	if got := mustSym(t, s, "SPY").Intraday; !reflect.DeepEqual(got, []float64{400, 404, 404, 400}) {
		t.Errorf("SPY sparkline %v", got)
	}
	// The forming 1-minute bar's volume is the cumulative volume minus the loaded bars' 15.
	if b := e.bySym("SPY").intra[3]; b.Volume != 15 {
		t.Errorf("forming bar volume %v, want 15", b.Volume)
	}
	// Without daily history, a forming daily bar is built from today's bars.
	if l := mustSym(t, s, "IWM").Last; l != Some(202) {
		t.Errorf("IWM last %+v", l)
	}
}

func TestRun(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 30)
	in := make(chan Input)
	got := make(chan *Snapshot, 4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx, in, func(s *Snapshot) { got <- s }) }()

	in <- Input{Daily: map[string][]Bar{"IWM": walkBars("IWM", days, 200, 1), "SPY": walkBars("SPY", days, 400, 2)}, Feed: "demo", Now: sessionClose(days[29])}
	s1 := <-got
	d := e.cal.NextTradingDate(days[29])
	in <- Input{Quotes: []Quote{{Symbol: "IWM", Price: 250, DayVolume: 1, Time: nyAt(d, 10, 0, 0)}}, Now: nyAt(d, 10, 0, 1),
		Errors: []SymbolError{{Symbol: "SPY", Message: "feed: timeout"}}}
	s2 := <-got
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	if s1.Feed != "demo" || s2.Seq <= s1.Seq || mustSym(t, s2, "IWM").Last != Some(250) {
		t.Errorf("snapshots: feed %q seq %d→%d last %+v", s1.Feed, s1.Seq, s2.Seq, mustSym(t, s2, "IWM").Last)
	}
	var sawFeedErr bool
	for _, se := range s2.Errors {
		sawFeedErr = sawFeedErr || (se.Symbol == "SPY" && se.Message == "feed: timeout")
	}
	if !sawFeedErr {
		t.Errorf("Input.Errors not reported: %v", s2.Errors)
	}
}

func TestRunStopsWhenInputCloses(t *testing.T) {
	e := newEngine(t, pairConfig())
	in := make(chan Input)
	close(in)
	if err := e.Run(context.Background(), in, func(*Snapshot) {}); err != nil {
		t.Fatalf("Run on a closed channel: %v", err)
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(DefaultConfig(), nil); err == nil {
		t.Error("nil calendar accepted")
	}
	cfg := DefaultConfig()
	cfg.Small = "bad symbol"
	if _, err := New(cfg, calendar.NYSE()); err == nil {
		t.Error("invalid config accepted")
	}
}

func TestLoadIntradayWidensFormingDay(t *testing.T) {
	e := newEngine(t, pairConfig())
	d := nyDate(2025, 11, 25)
	e.ApplyQuotes([]Quote{
		{Symbol: "IWM", Price: 200, DayVolume: 100, Time: nyAt(d, 9, 30, 5)},
		{Symbol: "IWM", Price: 201, DayVolume: 200, Time: nyAt(d, 9, 31, 5)},
	})
	e.LoadIntraday(map[string][]Bar{"IWM": {
		{Time: nyAt(d, 9, 30, 0), Open: 200, High: 205, Low: 199, Close: 200, Volume: 120},
		{Time: nyAt(d, 9, 31, 0), Open: 201, High: 201, Low: 201, Close: 201, Volume: 90},
	}})
	e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: 202, DayVolume: 220, Time: nyAt(d, 9, 32, 0)}})
	got := e.bySym("IWM").forming
	want := Bar{Symbol: "IWM", Time: d, Open: 200, High: 205, Low: 199, Close: 202, Volume: 220}
	if got != want {
		t.Fatalf("forming day\n got %+v\nwant %+v", got, want)
	}
	if s := e.Snapshot(nyAt(d, 9, 32, 0)); mustSym(t, s, "IWM").DayVolume != 220 {
		t.Errorf("DayVolume %v", mustSym(t, s, "IWM").DayVolume)
	}
}
