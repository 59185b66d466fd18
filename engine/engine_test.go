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

// deepCopy returns a copy of v that shares no memory reachable through
// pointers or slices (unexported fields, e.g. time.Time's location, are
// copied as they are: they are immutable).
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(deepCopy(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(deepCopy(v.Index(i)))
		}
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		for i := range v.NumField() {
			if c.Field(i).CanSet() {
				c.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return c
	case reflect.Map, reflect.Interface, reflect.Chan, reflect.Func:
		panic("deepCopy: unsupported kind " + v.Kind().String())
	}
	return v
}

func deepCopySnapshot(s *Snapshot) *Snapshot {
	return deepCopy(reflect.ValueOf(s)).Interface().(*Snapshot)
}

// TestDeepCopyDetaches checks the test's own oracle: a write into the
// original after copying is seen by DeepEqual, at every level the snapshot
// test relies on.
func TestDeepCopyDetaches(t *testing.T) {
	ev := "2024-01-02"
	s := &Snapshot{Symbols: []SymbolSnapshot{{Intraday: []float64{1, 2}}}, Pair: PairSnapshot{Daily: []RatioPoint{{Ratio: 1}}},
		Flags: []Flag{{ID: "x"}}, Risk: &Risk{}, Analogs: &Analogs{LastEvent: &ev, Horizons: []HorizonStats{{N: 1}}}}
	for name, mut := range map[string]func(){
		"intraday": func() { s.Symbols[0].Intraday[1] = 3 },
		"daily":    func() { s.Pair.Daily[0].Ratio = 2 },
		"flags":    func() { s.Flags[0].Value = Some(1) },
		"risk":     func() { s.Risk.Beta63 = Some(1) },
		"event":    func() { ev = "2025-01-02" },
		"horizons": func() { s.Analogs.Horizons[0].N = 2 },
	} {
		c := deepCopySnapshot(s)
		if !reflect.DeepEqual(c, s) {
			t.Fatalf("%s: copy differs before the write", name)
		}
		mut()
		if reflect.DeepEqual(c, s) {
			t.Errorf("%s: a write into the original reached the copy", name)
		}
	}
}

// TestSnapshotIsImmutable: the engine never mutates anything it has
// published. Snapshots taken while a minute bar forms, after bars close,
// after a late quote revises a published close, after today's bars are
// reloaded, after the day closes and during the next day keep exactly the
// contents they had when published (deep-compared with deep copies made at
// publish time), although later snapshots share their unchanged series.
func TestSnapshotIsImmutable(t *testing.T) {
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2024, 1, 2), 230)
	e.LoadHistory(map[string][]Bar{"IWM": walkBars("IWM", days, 200, 1), "SPY": walkBars("SPY", days, 400, 2)})
	e.SetStudy(func(ps PairSeries) (*Risk, *Analogs) {
		n := len(ps.Dates)
		ev := ps.Dates[n-1].Format("2006-01-02")
		return &Risk{Beta63: Some(float64(n))}, &Analogs{LastEvent: &ev, Horizons: []HorizonStats{{N: n}}}
	})
	type kept struct {
		what       string
		snap, copy *Snapshot
	}
	var all []kept
	publish := func(what string, now time.Time) *Snapshot {
		s := e.Snapshot(now)
		all = append(all, kept{what, s, deepCopySnapshot(s)})
		return s
	}
	d1 := e.cal.NextTradingDate(days[len(days)-1])
	d2 := e.cal.NextTradingDate(d1)
	vol := 0.0
	quote := func(d time.Time, min, sec int, iwm, spy float64) {
		vol += 100
		at := nyAt(d, 9, 30, 0).Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
		if errs := e.ApplyQuotes([]Quote{{Symbol: "IWM", Price: iwm, DayVolume: vol, Time: at}, {Symbol: "SPY", Price: spy, DayVolume: vol, Time: at}}); errs != nil {
			t.Fatal(errs)
		}
		e.Advance(at)
	}
	for m := range 30 {
		quote(d1, m, 10, 200+float64(m)/10, 400-float64(m)/10)
		publish("forming minute", nyAt(d1, 9, 30+m, 20))
		quote(d1, m, 40, 201+float64(m)/10, 401-float64(m)/10)
		if m%7 == 0 {
			publish("later in the minute", nyAt(d1, 9, 30+m, 50))
		}
	}
	e.Advance(nyAt(d1, 10, 0, 0)) // closes the 09:59 bar: no forming bar
	closed := publish("all minutes closed", nyAt(d1, 10, 0, 0))
	again := publish("nothing changed", nyAt(d1, 10, 0, 0))
	if iwm0, iwm1 := mustSym(t, closed, "IWM"), mustSym(t, again, "IWM"); len(iwm0.Intraday) != 30 || iwm0.IntradayForming ||
		&iwm0.Intraday[0] != &iwm1.Intraday[0] || &closed.Pair.Daily[0] != &again.Pair.Daily[0] ||
		&closed.Pair.Intraday[0] != &again.Pair.Intraday[0] || &closed.Flags[0] != &again.Flags[0] {
		t.Fatal("unchanged series are not shared: the test would not cover sharing")
	}
	// A late print revises the published 09:58 close.
	quote(d1, 28, 59, 150, 450)
	publish("after a revision", nyAt(d1, 10, 0, 1))
	if got := mustSym(t, e.Snapshot(nyAt(d1, 10, 0, 1)), "IWM").Intraday[28]; got != 150 {
		t.Fatalf("revised close %v, want 150", got)
	}
	quote(d1, 31, 0, 205, 395)
	publish("forming after a gap", nyAt(d1, 10, 1, 1))
	// Reloading today's bars replaces the series.
	var ib, sb []Bar
	for m := range 20 {
		at := nyAt(d1, 9, 30+m, 0)
		ib = append(ib, Bar{Time: at, Open: 190, High: 190, Low: 190, Close: 190 + float64(m), Volume: 10})
		sb = append(sb, Bar{Time: at, Open: 410, High: 410, Low: 410, Close: 410 - float64(m), Volume: 10})
	}
	e.LoadIntraday(map[string][]Bar{"IWM": ib, "SPY": sb})
	reloaded := publish("after LoadIntraday", nyAt(d1, 10, 2, 0))
	// A poll that repeats the same bars and adds one keeps the shared array.
	at := nyAt(d1, 9, 50, 0)
	e.LoadIntraday(map[string][]Bar{"IWM": append(ib[:20:20], Bar{Time: at, Open: 1, High: 1, Low: 1, Close: 1, Volume: 1}),
		"SPY": append(sb[:20:20], Bar{Time: at, Open: 2, High: 2, Low: 2, Close: 2, Volume: 1})})
	polled := publish("after a repeated poll", nyAt(d1, 10, 2, 0))
	if a, b := mustSym(t, reloaded, "IWM").Intraday, mustSym(t, polled, "IWM").Intraday; len(a) != 20 || a[0] != 190 || a[19] != 209 || len(b) != 21 || &a[0] != &b[0] || b[20] != 1 {
		t.Fatalf("a repeated poll: %d then %d closes, shared %v", len(a), len(b), len(a) > 0 && len(b) > 0 && &a[0] == &b[0])
	}
	// A poll that corrects an earlier bar gets a new array with the correction.
	ib[5].Close, ib[5].High = 250, 250
	e.LoadIntraday(map[string][]Bar{"IWM": append(ib[:20:20], Bar{Time: at, Open: 1, High: 1, Low: 1, Close: 1, Volume: 1})})
	corrected := publish("after a corrected poll", nyAt(d1, 10, 2, 0))
	if got := mustSym(t, corrected, "IWM").Intraday; len(got) != 21 || got[5] != 250 || got[4] != 194 {
		t.Fatalf("after a corrected poll: %v", got)
	}
	quote(d1, 32, 0, 206, 394)
	publish("after the reload, forming", nyAt(d1, 10, 2, 30))
	e.Advance(sessionClose(d1))
	publish("after the close", sessionClose(d1))
	for m := range 15 { // the next day: new closes at the same indices
		quote(d2, m, 5, 300-float64(m), 300+float64(m))
		publish("next day", nyAt(d2, 9, 30+m, 30))
	}
	e.Advance(sessionClose(d2))
	last := publish("next close", sessionClose(d2))
	if last.Seq <= all[0].snap.Seq {
		t.Errorf("Seq %d after %d", last.Seq, all[0].snap.Seq)
	}
	if got := mustSym(t, last, "IWM").Intraday; len(got) != 15 || got[0] != 300 {
		t.Fatalf("next day's closes %v", got)
	}
	for i, k := range all {
		if !reflect.DeepEqual(k.snap, k.copy) {
			t.Fatalf("snapshot %d (%s, seq %d) changed after it was published", i, k.what, k.snap.Seq)
		}
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
	// The sparkline's closed minutes; the forming minute's price is Last.
	if spy := mustSym(t, s, "SPY"); !reflect.DeepEqual(spy.Intraday, []float64{400, 404, 404}) || !spy.IntradayForming || spy.Last != Some(400) {
		t.Errorf("SPY sparkline %v forming %v last %+v, want [400 404 404] forming at 400", spy.Intraday, spy.IntradayForming, spy.Last)
	}
	if iwm := mustSym(t, s, "IWM"); !reflect.DeepEqual(iwm.Intraday, []float64{200, 202}) || iwm.IntradayForming {
		t.Errorf("IWM sparkline %v forming %v, want [200 202] closed", iwm.Intraday, iwm.IntradayForming)
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
