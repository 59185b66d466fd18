package breadth

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestBacklogOfDaysKeepsEveryMemberClose (QA 1): one Input carrying the
// quotes of 40 trading days (a replay at speed, or an engine that fell
// behind) gives the same closed breadth history, values and breadth flag
// changes as a universe built from the members' daily bars, dated per bar:
// every member's close on every one of those days counts, not only the
// last day's.
func TestBacklogOfDaysKeepsEveryMemberClose(t *testing.T) {
	cal := calendar.NYSE()
	loc := calendar.Location()
	var dates []time.Time
	for d := time.Date(2024, 1, 2, 0, 0, 0, 0, loc); len(dates) < 300; d = cal.NextTradingDate(d) {
		if cal.IsTradingDay(d) {
			dates = append(dates, d)
		}
	}
	const hist = 260 // days in the history; the other 40 come as one batch of quotes
	iwm, spy := walk("IWM", dates, 1, 200), walk("SPY", dates, 2, 500)
	var syms []string
	members := map[string][]engine.Bar{}
	for i := range 40 {
		s := fmt.Sprintf("M%02d", i)
		syms = append(syms, s)
		// A common factor so that breadth swings (and its flag changes).
		members[s] = walk(s, dates, uint64(100+i), 20+float64(i))
		f := walk("F", dates, 7, 100)
		for k := range members[s] {
			c := members[s][k].Close * f[k].Close / 100
			members[s][k].Open, members[s][k].High, members[s][k].Low, members[s][k].Close = c, c, c, c
		}
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
	e.SetBreadth(u)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rig := &engineRig{in: make(chan engine.Input), out: make(chan *engine.Snapshot, 1), done: make(chan error, 1)}
	go func() { rig.done <- e.Run(ctx, rig.in, func(s *engine.Snapshot) { rig.out <- s }) }()

	upTo := func(n int) map[string][]engine.Bar {
		m := map[string][]engine.Bar{}
		for s, b := range members {
			m[s] = append([]engine.Bar(nil), b[:n]...)
		}
		return m
	}
	rig.send(t, engine.Input{
		Now:         sessionEnd(cal, dates[hist-1]).Add(time.Hour),
		Daily:       map[string][]engine.Bar{"IWM": iwm[:hist], "SPY": spy[:hist]},
		Members:     upTo(hist),
		MembersLoad: &engine.BreadthLoad{Members: len(syms), Loaded: len(syms), Done: true},
	})
	// Each day: an opening quote and the close, for the legs and the
	// members, in time order (as a replay sends them).
	var qs []engine.Quote
	for k := hist; k < len(dates); k++ {
		open, cl, _ := cal.Session(dates[k])
		for _, at := range []time.Time{open, cl} {
			for _, b := range []engine.Bar{iwm[k], spy[k]} {
				qs = append(qs, engine.Quote{Symbol: b.Symbol, Price: b.Close, DayVolume: 1e6, Time: at})
			}
			for _, s := range syms {
				qs = append(qs, engine.Quote{Symbol: s, Price: members[s][k].Close, DayVolume: 1e4, Time: at})
			}
		}
	}
	last := dates[len(dates)-1]
	snap := rig.send(t, engine.Input{Now: sessionEnd(cal, last), Quotes: qs, Live: true, Feed: "test"})

	ref, _ := New(Config{Universe: "test", Members: syms})
	ref.SetLeg(iwm)
	for _, s := range syms {
		if err := ref.SetMember(s, members[s]); err != nil {
			t.Fatal(err)
		}
	}
	want := ref.Snapshot()
	got := snap.Breadth
	if got == nil || got.AsOf != last.Format(time.DateOnly) || got.Forming {
		t.Fatalf("breadth after the batch: %+v, want closed on %s", got, last.Format(time.DateOnly))
	}
	if got.PctAboveSMA50 != want.PctAboveSMA50 || got.Advancers != want.Advancers || got.Decliners != want.Decliners ||
		got.ADLine != want.ADLine || got.ZweigEMA10 != want.ZweigEMA10 || got.WithBar != want.WithBar {
		g, w := *got, *want
		g.History, w.History = nil, nil
		t.Errorf("breadth after the batch differs from the members' bars:\n got %+v\nwant %+v", g, w)
	}
	if len(got.History) != len(want.History) {
		t.Fatalf("history of %d dates, want %d", len(got.History), len(want.History))
	}
	for i := range want.History {
		if got.History[i] != want.History[i] {
			t.Fatalf("history on %s:\n got %+v\nwant %+v", want.History[i].Date, got.History[i], want.History[i])
		}
	}
	// The breadth_above_sma50 changes of the batch's days, each on its own
	// bar with that bar's value, as the members' bars give them.
	var wantCh, gotCh []string
	prev := false
	for _, p := range want.History {
		if p.Date >= dates[hist].Format(time.DateOnly) && p.AboveOn != prev {
			wantCh = append(wantCh, fmt.Sprintf("%s %v %.4f", p.Date, p.AboveOn, p.PctAboveSMA50.V))
		}
		prev = p.AboveOn
	}
	for _, c := range snap.FlagChanges {
		if c.Flag == engine.FlagBreadthAboveSMA50 && !c.Date.Before(dates[hist]) {
			gotCh = append(gotCh, fmt.Sprintf("%s %v %.4f", c.Date.Format(time.DateOnly), c.On, c.Value.V))
		}
	}
	if len(wantCh) < 2 {
		t.Fatalf("fixture: %d breadth_above_sma50 changes in the batch's days, want ≥ 2", len(wantCh))
	}
	if fmt.Sprint(gotCh) != fmt.Sprint(wantCh) {
		t.Errorf("breadth_above_sma50 changes in the batch:\n got %q\nwant %q", gotCh, wantCh)
	}
}

// TestHistoryEndingEarlierKeepsQuotedCloses: a member's history that ends
// before a date the member's live quote already closed (a history loaded
// after the replay or the session moved on) does not take that close away:
// the breadth is the one of the members' full bars.
func TestHistoryEndingEarlierKeepsQuotedCloses(t *testing.T) {
	days := tradingDays(80)
	k := len(days) - 1 // the day closed from quotes
	leg := make([]float64, len(days))
	var ms []series
	for j := range 12 {
		cl := make([]float64, len(days))
		for i := range cl {
			leg[i] = 100 + float64(i%7)
			cl[i] = 10 + float64(j) + float64((i*(j+3))%11)/4
		}
		ms = append(ms, series{sym: fmt.Sprintf("M%02d", j), days: days, closes: cl})
	}
	u := newUniverse(t, ms)
	u.SetLeg(barsOf("IWM", days[:k], leg[:k]))
	for _, m := range ms {
		if err := u.SetMember(m.sym, barsOf(m.sym, m.days[:k], m.closes[:k])); err != nil {
			t.Fatal(err)
		}
	}
	u.SetForming(days[k], leg[k])
	for _, m := range ms {
		if !u.Quote(m.sym, days[k], m.closes[k]) {
			t.Fatalf("quote of %s refused", m.sym)
		}
	}
	u.SetLeg(barsOf("IWM", days, leg)) // day k closes: the quotes are its bars
	// Half the members' histories come (again) ending the day before.
	for _, m := range ms[:6] {
		if err := u.SetMember(m.sym, barsOf(m.sym, m.days[:k], m.closes[:k])); err != nil {
			t.Fatal(err)
		}
	}
	got := u.Snapshot()

	ref := newUniverse(t, ms)
	ref.SetLeg(barsOf("IWM", days, leg))
	load(t, ref, ms)
	want := ref.Snapshot()
	if got.AsOf != want.AsOf || got.WithBar != want.WithBar || got.PctAboveSMA50 != want.PctAboveSMA50 ||
		got.Advancers != want.Advancers || got.ADLine != want.ADLine {
		g, w := *got, *want
		g.History, w.History = nil, nil
		t.Errorf("after the earlier histories:\n got %+v\nwant %+v", g, w)
	}
}
