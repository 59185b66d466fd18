package demo

import (
	"context"
	"slices"
	"testing"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestBreadthJoinsTheBreakout: the synthetic members load like any symbol
// and, driven by the same size factor, join the staged breakout: on the
// live bar after the first 90 simulated seconds most members advance and
// the share above their 50-day average is higher than at the last close.
func TestBreadthJoinsTheBreakout(t *testing.T) {
	cfg := engine.DefaultConfig()
	members := Members()
	if len(members) != MemberCount || members[0] != "SC001" || !isMember("SC600") || isMember("SCX01") || isMember("SPY") {
		t.Fatalf("members %v…", members[:3])
	}
	for _, seed := range []int64{1} {
		e, err := engine.New(cfg, calendar.NYSE())
		if err != nil {
			t.Fatal(err)
		}
		u, err := breadth.New(breadth.Config{Universe: "demo", Members: members})
		if err != nil {
			t.Fatal(err)
		}
		e.SetBreadth(u)
		f := newFeed(t, Options{Seed: seed})
		h, err := f.History(context.Background(), cfg.Symbols())
		if err != nil {
			t.Fatal(err)
		}
		e.LoadHistory(h.Daily)
		mh, err := f.History(context.Background(), members)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range members {
			if err := u.SetMember(s, mh.Daily[s]); err != nil {
				t.Fatal(err)
			}
		}
		closed := u.Snapshot()
		if closed == nil || closed.Covered != MemberCount || !closed.PctAboveSMA50.Valid {
			t.Fatalf("seed %d: closed breadth %+v", seed, closed)
		}
		var last *engine.Snapshot
		for _, b := range collect(t, Options{Seed: seed}, slices.Concat(cfg.Symbols(), members), 91) {
			e.ApplyQuotes(b.Quotes)
			e.Advance(b.Quotes[0].Time)
			last = e.Snapshot(b.Quotes[0].Time)
		}
		live := last.Breadth
		if live == nil || !live.Forming || live.WithBar != MemberCount {
			t.Fatalf("seed %d: live breadth %+v", seed, live)
		}
		p0, p1 := closed.PctAboveSMA50.V, live.PctAboveSMA50.V
		t.Logf("seed %d: %% above 50d %.1f → %.1f, advancers %d/%d, 2y series ok", seed, p0, p1, live.Advancers, live.Advancers+live.Decliners)
		if p1 < p0+3 || live.Advancers < 2*live.Decliners {
			t.Errorf("seed %d: breadth did not join: %% above 50d %.1f → %.1f, adv %d dec %d", seed, p0, p1, live.Advancers, live.Decliners)
		}
	}
}

func TestDemoSeries(t *testing.T) {
	f := newFeed(t, Options{Seed: 1})
	obs, err := f.Series("DGS2")
	if err != nil || len(obs) < 1000 {
		t.Fatalf("%d observations, %v", len(obs), err)
	}
	for i, o := range obs {
		if o.Value <= 0 || o.Value > 15 || (i > 0 && !o.Time.After(obs[i-1].Time)) {
			t.Fatalf("observation %d: %+v", i, o)
		}
	}
	again, _ := newFeed(t, Options{Seed: 1}).Series("DGS2")
	if !slices.Equal(obs, again) {
		t.Error("the same seed gives another series")
	}
	if _, err := f.Series("DGS10"); err == nil {
		t.Error("unknown series accepted")
	}
}
