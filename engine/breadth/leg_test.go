package breadth

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestBreadthLegStaysWhenThePairSwitches (QA-1 3): the equal- vs
// cap-weight comparison is the members' mean against their own index: after
// the pair key switches the pair to IWC/IWM, the breadth still names its leg
// (IWM) and cw_return_21d_pct is IWM's 21-day return, computed here by hand
// from IWM's closes, not IWC's.
func TestBreadthLegStaysWhenThePairSwitches(t *testing.T) {
	cal := calendar.NYSE()
	loc := calendar.Location()
	var dates []time.Time
	for d := time.Date(2024, 1, 2, 0, 0, 0, 0, loc); len(dates) < 120; d = cal.NextTradingDate(d) {
		if cal.IsTradingDay(d) {
			dates = append(dates, d)
		}
	}
	iwm, spy, iwc := walk("IWM", dates, 1, 200), walk("SPY", dates, 2, 500), walk("IWC", dates, 3, 120)
	var syms []string
	members := map[string][]engine.Bar{}
	for i := range 10 {
		s := fmt.Sprintf("M%02d", i)
		syms = append(syms, s)
		members[s] = walk(s, dates, uint64(10+i), 20+float64(i))
	}
	cfg := engine.DefaultConfig()
	cfg.Extras, cfg.Sectors = []string{"IWC"}, nil
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
	n := len(dates)
	rig.send(t, engine.Input{
		Now:         dates[n-1].Add(20 * time.Hour),
		Daily:       map[string][]engine.Bar{"IWM": iwm, "SPY": spy, "IWC": iwc},
		Members:     members,
		MembersLoad: &engine.BreadthLoad{Members: 10, Loaded: 10, Done: true},
	})
	s := rig.send(t, engine.Input{Now: dates[n-1].Add(20 * time.Hour), Pair: &engine.PairChoice{Small: "IWC", Large: "IWM"}})
	if s.Pair.Small != "IWC" {
		t.Fatalf("the pair did not switch: %+v", s.Pair)
	}
	want := (iwm[n-1].Close/iwm[n-22].Close - 1) * 100
	b := s.Breadth
	if b == nil || b.Leg != "IWM" || !b.CWReturn21dPct.Valid || math.Abs(b.CWReturn21dPct.V-want) > 1e-9 {
		t.Fatalf("after the switch to IWC/IWM: breadth leg %q cw %v, want IWM %.6f", b.Leg, b.CWReturn21dPct, want)
	}
	if iwcRet := (iwc[n-1].Close/iwc[n-22].Close - 1) * 100; math.Abs(iwcRet-want) < 0.01 {
		t.Fatalf("fixture: IWC's return %.4f is IWM's", iwcRet)
	}
}
