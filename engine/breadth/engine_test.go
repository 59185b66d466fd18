package breadth

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// engineRig runs an engine with a universe and a strip; send applies one
// Input and returns its snapshot.
type engineRig struct {
	in    chan engine.Input
	out   chan *engine.Snapshot
	stop  context.CancelFunc
	done  chan error
	dates []time.Time
}

func (r *engineRig) send(t *testing.T, inp engine.Input) *engine.Snapshot {
	t.Helper()
	r.in <- inp
	select {
	case s := <-r.out:
		return s
	case err := <-r.done:
		t.Fatalf("engine stopped: %v", err)
	}
	return nil
}

func walk(sym string, dates []time.Time, seed uint64, start float64) []engine.Bar {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]engine.Bar, len(dates))
	px := start
	for i, d := range dates {
		px = math.Max(0.5, math.Round(px*math.Exp(r.NormFloat64()*0.015)*100)/100)
		out[i] = engine.Bar{Symbol: sym, Time: d, Open: px, High: px, Low: px, Close: px, Volume: 1e6}
	}
	return out
}

func TestEngineCarriesBreadthAndConfirmations(t *testing.T) {
	cal := calendar.NYSE()
	loc := calendar.Location()
	var dates []time.Time
	for d := time.Date(2024, 1, 2, 0, 0, 0, 0, loc); len(dates) < 300; d = cal.NextTradingDate(d) {
		if cal.IsTradingDay(d) {
			dates = append(dates, d)
		}
	}
	last := dates[len(dates)-1]
	iwm, spy := walk("IWM", dates, 1, 200), walk("SPY", dates, 2, 500)
	var syms []string
	members := map[string][]engine.Bar{}
	for i := range 30 {
		s := fmt.Sprintf("M%02d", i)
		syms = append(syms, s)
		members[s] = walk(s, dates, uint64(10+i), 20+float64(i))
	}
	cfg := engine.DefaultConfig()
	cfg.Extras, cfg.Sectors = nil, nil
	e, err := engine.New(cfg, cal)
	if err != nil {
		t.Fatal(err)
	}
	u, err := New(Config{Universe: "test", Members: syms})
	if err != nil {
		t.Fatal(err)
	}
	strip, err := NewStrip([]ConfirmSpec{{Kind: "pair", Symbols: "IWM/SPY"}, {Kind: "yield"}})
	if err != nil {
		t.Fatal(err)
	}
	e.SetBreadth(u)
	e.SetConfirm(strip)
	study := &engine.Analogs{Events: []engine.AnalogEvent{{Date: dates[250].Format("2006-01-02")}}}
	e.SetStudy(func(engine.PairSeries) (*engine.Risk, *engine.Analogs) { return nil, study })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rig := &engineRig{in: make(chan engine.Input), out: make(chan *engine.Snapshot, 1), done: make(chan error, 1)}
	go func() { rig.done <- e.Run(ctx, rig.in, func(s *engine.Snapshot) { rig.out <- s }) }()

	// A reference universe built directly from the same data.
	ref := func(through int) *engine.Breadth {
		r, _ := New(Config{Universe: "test", Members: syms})
		r.SetLeg(iwm[:through+1])
		for _, s := range syms {
			_ = r.SetMember(s, members[s][:through+1])
		}
		return r.Snapshot()
	}
	upTo := func(n int) map[string][]engine.Bar {
		m := map[string][]engine.Bar{}
		for s, b := range members {
			m[s] = append([]engine.Bar(nil), b[:n]...)
		}
		return m
	}

	// 1. History up to the day before last, members loaded, the 2y yield.
	var obs []engine.Observation
	for i, d := range dates[:len(dates)-1] {
		obs = append(obs, engine.Observation{Time: d, Value: 4 - float64(i)*0.001})
	}
	open := cal.NextOpen(dates[len(dates)-2].Add(20 * time.Hour))
	snap := rig.send(t, engine.Input{
		Now:         open.Add(-time.Hour),
		Daily:       map[string][]engine.Bar{"IWM": iwm[:299], "SPY": spy[:299]},
		Members:     upTo(299),
		MembersLoad: &engine.BreadthLoad{Members: 30, Loaded: 30, Done: true},
		Series:      map[string][]engine.Observation{"DGS2": obs},
	})
	want := ref(298)
	if snap.Breadth == nil || snap.Breadth.AsOf != want.AsOf || snap.Breadth.Forming {
		t.Fatalf("closed breadth %+v, want as_of %s", snap.Breadth, want.AsOf)
	}
	if snap.Breadth.PctAboveSMA50 != want.PctAboveSMA50 || snap.Breadth.ADLine != want.ADLine || snap.Breadth.ZweigEMA10 != want.ZweigEMA10 {
		t.Errorf("closed breadth differs from the universe built alone:\n got %+v\nwant %+v", *snap.Breadth, *want)
	}
	if a := snap.Analogs; a == nil || a == study || a.Breadth == nil || a.Breadth.Covered != 1 || len(a.Events) != 1 || study.Breadth != nil {
		t.Errorf("the study's events are not split by breadth (or the study was mutated): %+v", a)
	}
	if snap.BreadthLoad == nil || snap.BreadthLoad.Loaded != 30 || !snap.BreadthLoad.Done {
		t.Errorf("breadth_load %+v", snap.BreadthLoad)
	}
	if len(snap.Confirmations) != 2 || snap.Confirmations[1].State != engine.ConfirmConfirms || snap.Confirmations[0].State == engine.ConfirmUnknown {
		t.Errorf("confirmations %+v", snap.Confirmations)
	}

	// 2. The last day's quotes: the pair's legs first in the batch or not,
	// the members' quotes make the forming breadth.
	var qs []engine.Quote
	at := open.Add(30 * time.Minute)
	intra := map[string][]engine.Bar{}
	for i, s := range syms {
		px := members[s][299].Close
		if i < 10 { // a third of the members come as minute bars (Alpaca's stream)
			intra[s] = []engine.Bar{
				{Symbol: s, Time: at.Add(-2 * time.Minute), Open: px * 0.9, High: px, Low: px * 0.9, Close: px * 0.95, Volume: 100},
				{Symbol: s, Time: at.Add(-time.Minute), Open: px, High: px, Low: px, Close: px, Volume: 100},
			}
			continue
		}
		qs = append(qs, engine.Quote{Symbol: s, Price: px, DayVolume: 1000, Time: at})
	}
	qs = append(qs,
		engine.Quote{Symbol: "IWM", Price: iwm[299].Close, DayVolume: 1e6, Time: at},
		engine.Quote{Symbol: "SPY", Price: spy[299].Close, DayVolume: 1e6, Time: at},
		engine.Quote{Symbol: "NOPE", Price: 5, DayVolume: 1, Time: at})
	snap = rig.send(t, engine.Input{Now: at, Quotes: qs, Intraday: intra, Live: true, Feed: "test"})
	want = ref(299)
	b := snap.Breadth
	if b == nil || !b.Forming || b.AsOf != last.Format("2006-01-02") {
		t.Fatalf("forming breadth %+v", b)
	}
	if b.PctAboveSMA50 != want.PctAboveSMA50 || b.PctAboveSMA200 != want.PctAboveSMA200 || b.ADLine != want.ADLine ||
		b.Advancers != want.Advancers || b.ZweigEMA10 != want.ZweigEMA10 || b.EWReturn21dPct != want.EWReturn21dPct || b.CWReturn21dPct != want.CWReturn21dPct {
		g, w := *b, *want
		g.History, w.History = nil, nil
		t.Errorf("forming breadth differs from the closed reference:\n got %+v\nwant %+v", g, w)
	}
	if c := snap.Confirmations[0]; !c.Forming || c.AsOf != last.Format("2006-01-02") {
		t.Errorf("pair confirmation not on the forming bar: %+v", c)
	}
	var nope bool
	for _, se := range snap.Errors {
		nope = nope || se.Symbol == "NOPE"
		if strings.HasPrefix(se.Symbol, "M") {
			t.Errorf("a member's quote reported as an error: %+v", se)
		}
	}
	if !nope {
		t.Error("a quote for neither a watched symbol nor a member was not reported")
	}

	// 3. The session closes: the members' quotes become that day's bars.
	snap = rig.send(t, engine.Input{Now: sessionEnd(cal, last).Add(time.Minute)})
	b = snap.Breadth
	if b == nil || b.Forming || b.AsOf != last.Format("2006-01-02") || b.PctAboveSMA50 != want.PctAboveSMA50 || b.ADLine != want.ADLine {
		t.Errorf("after the close: %+v, want the closed reference %+v", b, want)
	}

	// The JSON carries them.
	js, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"breadth":{"universe":"test"`, `"pct_above_sma50":`, `"breadth_load":{"members":30`, `"confirmations":[{"id":"iwm_spy"`} {
		if !strings.Contains(string(js), k) {
			t.Errorf("JSON lacks %s", k)
		}
	}
}

func sessionEnd(cal *calendar.Calendar, d time.Time) time.Time {
	_, cl, _ := cal.Session(d)
	return cl
}

func TestEngineWithoutUniverse(t *testing.T) {
	cfg := engine.DefaultConfig()
	cfg.Extras, cfg.Sectors = nil, nil
	e, err := engine.New(cfg, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	s := e.Snapshot(time.Time{})
	if s.Breadth != nil || s.BreadthLoad != nil {
		t.Error("breadth without a universe")
	}
	js, _ := json.Marshal(s)
	if !strings.Contains(string(js), `"breadth":null`) || !strings.Contains(string(js), `"confirmations":[]`) {
		t.Errorf("JSON: %s", js)
	}
}

// TestBreadthFlags: breadth_thrust is confirmed from the thrust's date for
// 21 bars (the thrust bar and the 20 after it), breadth_above_sma50 follows
// the history's closed inputs, both form on the live bar from the members'
// quotes, and neither exists without a universe.
func TestBreadthFlags(t *testing.T) {
	var targets []float64
	for j := 1; j <= 8; j++ {
		targets = append(targets, 0.38+0.03*float64(j))
	}
	// 60 balanced days first (so the 50-day averages exist), then the
	// crafted thrust path, the thrust about 10 bars before the end.
	adv := append(slices.Repeat([]int{100}, 60), pathAdvancers(targets, 0.2, 10)...)
	leg, members := thrustUniverse(adv)
	cal := calendar.NYSE()
	loc := calendar.Location()
	// The thrust universe's dates are weekdays: put them on NYSE dates.
	var dates []time.Time
	for d := time.Date(2024, 1, 2, 0, 0, 0, 0, loc); len(dates) < len(leg.days); d = cal.NextTradingDate(d) {
		if cal.IsTradingDay(d) {
			dates = append(dates, d)
		}
	}
	mk := func(sym string, cl []float64) []engine.Bar {
		out := make([]engine.Bar, len(cl))
		for i, c := range cl {
			out[i] = engine.Bar{Symbol: sym, Time: dates[i], Open: c, High: c, Low: c, Close: c, Volume: 1e6}
		}
		return out
	}
	flat := make([]float64, len(dates))
	for i := range flat {
		flat[i] = 500
	}
	var syms []string
	hist := map[string][]engine.Bar{}
	for _, m := range members {
		syms = append(syms, m.sym)
		hist[m.sym] = mk(m.sym, m.closes)
	}
	cfg := engine.DefaultConfig()
	cfg.Extras, cfg.Sectors = nil, nil
	e, err := engine.New(cfg, cal)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(e.Snapshot(time.Time{}).Flags); got != 9 {
		t.Fatalf("%d flags without a universe, want 9", got)
	}
	u, _ := New(Config{Universe: "test", Members: syms})
	e.SetBreadth(u)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rig := &engineRig{in: make(chan engine.Input), out: make(chan *engine.Snapshot, 1), done: make(chan error, 1)}
	go func() { rig.done <- e.Run(ctx, rig.in, func(s *engine.Snapshot) { rig.out <- s }) }()
	last := dates[len(dates)-1]
	now := sessionEnd(cal, last).Add(time.Hour)
	s := rig.send(t, engine.Input{Now: now, Daily: map[string][]engine.Bar{"IWM": mk("IWM", leg.closes), "SPY": mk("SPY", flat)}, Members: hist})
	flag := func(s *engine.Snapshot, id string) engine.Flag {
		f, ok := s.Flag(id)
		if !ok {
			t.Fatalf("no flag %s in %d flags", id, len(s.Flags))
		}
		return f
	}
	thrustDate := ""
	for _, p := range s.Breadth.History {
		if p.Thrust {
			thrustDate = p.Date
		}
	}
	if thrustDate == "" || thrustDate < dates[len(dates)-21].Format("2006-01-02") {
		t.Fatalf("fixture: thrust on %q, want one in the last 20 bars", thrustDate)
	}
	if f := flag(s, engine.FlagBreadthThrust); f.State != engine.FlagConfirmed || f.Since != thrustDate || f.Threshold.V != 0.615 || !f.Value.Valid {
		t.Errorf("breadth_thrust %+v, want confirmed since %s", f, thrustDate)
	}
	// QA-2 M6: the flag holds for a thrust within 20 bars, not for today's
	// Zweig EMA: it names the thrust's date (live and at the close), and so
	// does its change to confirmed.
	if f := flag(s, engine.FlagBreadthThrust); f.Note != "thrust "+thrustDate || f.CloseNote != "thrust "+thrustDate {
		t.Errorf("breadth_thrust note %q, close note %q, want \"thrust %s\"", f.Note, f.CloseNote, thrustDate)
	}
	for _, c := range s.FlagChanges {
		if c.Flag == engine.FlagBreadthThrust && c.On && c.Date.Format("2006-01-02") == thrustDate && c.Note != "thrust "+thrustDate {
			t.Errorf("breadth_thrust change %+v, want note \"thrust %s\"", c, thrustDate)
		}
	}
	h := s.Breadth.History
	on := h[len(h)-1].AboveOn
	since := ""
	for k := len(h) - 1; k >= 0 && h[k].AboveOn; k-- {
		since = h[k].Date
	}
	if f := flag(s, engine.FlagBreadthAboveSMA50); (f.State == engine.FlagConfirmed) != on || (on && f.Since != since) || f.Threshold.V != 60 {
		t.Errorf("breadth_above_sma50 %+v, want on=%v since %s", f, on, since)
	}
	// A new day where every member falls 5 %: below their averages, no new
	// thrust; the thrust flag stays confirmed (its closed run), the above
	// flag does not form.
	next := cal.NextTradingDate(last)
	at := next.Add(10 * time.Hour)
	var qs []engine.Quote
	for _, m := range members {
		qs = append(qs, engine.Quote{Symbol: m.sym, Price: m.closes[len(m.closes)-1] * 0.95, DayVolume: 1, Time: at})
	}
	qs = append(qs, engine.Quote{Symbol: "IWM", Price: leg.closes[len(leg.closes)-1], DayVolume: 1, Time: at},
		engine.Quote{Symbol: "SPY", Price: 500, DayVolume: 1, Time: at})
	s = rig.send(t, engine.Input{Now: at, Quotes: qs, Live: true})
	if !s.Breadth.Forming || s.Breadth.Decliners != len(members) {
		t.Fatalf("live breadth %+v", s.Breadth)
	}
	if f := flag(s, engine.FlagBreadthAboveSMA50); f.State == engine.FlagForming {
		t.Errorf("breadth_above_sma50 forming on a day every member fell: %+v", f)
	}
	if f := flag(s, engine.FlagBreadthThrust); f.State != engine.FlagConfirmed {
		t.Errorf("breadth_thrust %+v, want still confirmed", f)
	}
	// The same day, every member 30 % up instead: above the averages, so
	// breadth_above_sma50 forms (it was off at the close).
	if on {
		t.Fatal("fixture: breadth_above_sma50 already on at the close")
	}
	for i := range members {
		qs[i].Price = members[i].closes[len(members[i].closes)-1] * 1.3
		qs[i].Time = at.Add(time.Minute)
	}
	s = rig.send(t, engine.Input{Now: at.Add(time.Minute), Quotes: qs, Live: true})
	if f := flag(s, engine.FlagBreadthAboveSMA50); f.State != engine.FlagForming || f.Since != next.Format("2006-01-02") || f.Value.V != 100 {
		t.Errorf("breadth_above_sma50 %+v, want forming since %s at 100 %%", f, next.Format("2006-01-02"))
	}
}
