package app

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/demo"
	"github.com/capwatch/capwatch/internal/calendar"
)

// aheadModel is a breadth model that records, at each member it is handed,
// how many members' bars had been loaded but not yet handed to it.
type aheadModel struct {
	engine.BreadthModel
	loaded, applied atomic.Int64
	maxAhead        atomic.Int64
}

func (m *aheadModel) Member(sym string, bars []engine.Bar) error {
	ahead := m.loaded.Load() - m.applied.Add(1)
	for {
		old := m.maxAhead.Load()
		if ahead <= old || m.maxAhead.CompareAndSwap(old, ahead) {
			break
		}
	}
	return m.BreadthModel.Member(sym, bars)
}

// TestOneShotHoldsABatchOfMembersAtATime: a snapshot hands the members'
// bars to the engine as each batch loads, so at most the batch being
// applied, one waiting and one being loaded exist at once — not every
// member's bars (the demo's 600 members were 36 MB of bars held until the
// engine ran) — and the breadth is the same as with all the members in one
// batch.
func TestOneShotHoldsABatchOfMembersAtATime(t *testing.T) {
	const batch = 10
	members := demo.Members()[:120]
	build := func(batch int) (*engine.Snapshot, *aheadModel) {
		t.Helper()
		cfg := pairConfig()
		f, err := demo.New(demo.Options{Seed: 1, Symbols: cfg.Symbols()})
		if err != nil {
			t.Fatal(err)
		}
		u, err := breadth.New(breadth.Config{Universe: "demo", Members: members})
		if err != nil {
			t.Fatal(err)
		}
		m := &aheadModel{BreadthModel: u}
		load := func(ctx context.Context, ms []string) (feeds.History, error) {
			h, err := f.History(ctx, ms)
			m.loaded.Add(int64(len(h.Daily)))
			return h, err
		}
		s, err := BuildSnapshot(t.Context(), BuildOptions{Feed: f, Config: cfg, Calendar: calendar.NYSE(),
			Breadth: &Breadth{Members: members, Load: load, Batch: batch}, Universe: m})
		if err != nil {
			t.Fatal(err)
		}
		return s, m
	}
	got, m := build(batch)
	if n := m.applied.Load(); n != int64(len(members)) {
		t.Fatalf("%d members handed to the model, want %d", n, len(members))
	}
	if ahead := m.maxAhead.Load(); ahead > 3*batch {
		t.Errorf("up to %d members' bars were loaded and not yet applied; want at most %d (three batches of %d)", ahead, 3*batch, batch)
	}
	if l := got.BreadthLoad; l == nil || *l != (engine.BreadthLoad{Members: len(members), Loaded: len(members), Done: true}) {
		t.Errorf("load progress %+v, want all %d loaded", l, len(members))
	}
	want, _ := build(len(members))
	if got.Breadth == nil || !reflect.DeepEqual(got.Breadth, want.Breadth) {
		t.Errorf("breadth in batches of %d differs from one batch:\n%+v\n%+v", batch, got.Breadth, want.Breadth)
	}
}
