package app

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/demo"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
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
	if l := got.BreadthLoad; l == nil || !reflect.DeepEqual(*l, engine.BreadthLoad{Members: len(members), Loaded: len(members), Done: true}) {
		t.Errorf("load progress %+v, want all %d loaded", l, len(members))
	}
	want, _ := build(len(members))
	if got.Breadth == nil || !reflect.DeepEqual(got.Breadth, want.Breadth) {
		t.Errorf("breadth in batches of %d differs from one batch:\n%+v\n%+v", batch, got.Breadth, want.Breadth)
	}
}

// TestMembersLoadAtMostTwoBatchesAhead: the dashboard's members load waits
// for the engine: while the engine applies nothing, no more than two
// batches are loaded (one handed over, one waiting), where the loader used
// to fill every queue between the two (the chunk channel, the pipeline's
// send, the engine's input buffer: five batches and more, each a batch of
// bars alive); once the engine runs, every member loads.
func TestMembersLoadAtMostTwoBatchesAhead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		iwm := genBars("IWM", 300, 200, 10, 0.05)
		spy := genBars("SPY", 300, 500, 5, 0.1)
		cal := calendar.NYSE()
		clk := clock.NewFake(cal.NextTradingDate(iwm[len(iwm)-1].Time).Add(20 * time.Hour))
		f := fake.New(fake.Options{Kind: feeds.KindReplay, History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
		eng, err := engine.New(pairConfig(), cal)
		if err != nil {
			t.Fatal(err)
		}
		var members []string
		for i := range 100 {
			members = append(members, fmt.Sprintf("M%03d", i))
		}
		u, err := breadth.New(breadth.Config{Universe: "test", Members: members})
		if err != nil {
			t.Fatal(err)
		}
		eng.SetBreadth(u)
		var loads atomic.Int64
		b := &Breadth{Members: members, Batch: 10,
			Load: func(ctx context.Context, ms []string) (feeds.History, error) {
				loads.Add(1)
				h := feeds.History{Daily: map[string][]engine.Bar{}}
				for _, s := range ms {
					h.Daily[s] = genBars(s, 300, 50, 2, 0.01)
				}
				return h, nil
			}}
		g := holdRunner{e: eng, gate: make(chan struct{})}
		var mu sync.Mutex
		var last *engine.Snapshot
		p := &Pipeline{Feed: f, Engine: g, Symbols: []string{"IWM", "SPY"}, Clock: clk, Breadth: b,
			OnSnapshot: func(s *engine.Snapshot) { mu.Lock(); last = s; mu.Unlock() }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		synctest.Wait() // the engine has taken nothing: everything queues
		if n := loads.Load(); n > 2 {
			t.Errorf("%d batches loaded while the engine applied none; want at most 2", n)
		}
		close(g.gate) // the engine takes every Input from now on
		synctest.Wait()
		mu.Lock()
		l := last.BreadthLoad
		mu.Unlock()
		if n := loads.Load(); n != 10 || l == nil || !l.Done || l.Loaded != 100 {
			t.Errorf("after the engine ran: %d batches loaded, progress %+v; want 10, all 100 members", n, l)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestCachedMembersAreReadAChunkAtATime: members whose history is cached
// are read cachedChunk at a time, and no further ahead of the engine than
// the loaded batches (two chunks while it applies nothing), where the
// whole list's cache was read at once (2,000 members of five years: 200 MB
// of bars); the one-shot reads them a chunk at a time too.
func TestCachedMembersAreReadAChunkAtATime(t *testing.T) {
	var members []string
	for i := range 350 {
		members = append(members, fmt.Sprintf("M%03d", i))
	}
	var calls, most atomic.Int64
	cached := func(ms []string) map[string][]engine.Bar {
		calls.Add(1)
		for {
			old := most.Load()
			if int64(len(ms)) <= old || most.CompareAndSwap(old, int64(len(ms))) {
				break
			}
		}
		out := map[string][]engine.Bar{}
		for _, s := range ms {
			out[s] = genBars(s, 300, 50, 2, 0.01)
		}
		return out
	}
	synctest.Test(t, func(t *testing.T) {
		iwm := genBars("IWM", 300, 200, 10, 0.05)
		spy := genBars("SPY", 300, 500, 5, 0.1)
		cal := calendar.NYSE()
		clk := clock.NewFake(cal.NextTradingDate(iwm[len(iwm)-1].Time).Add(20 * time.Hour))
		f := fake.New(fake.Options{Kind: feeds.KindReplay, History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
		eng, err := engine.New(pairConfig(), cal)
		if err != nil {
			t.Fatal(err)
		}
		u, err := breadth.New(breadth.Config{Universe: "test", Members: members})
		if err != nil {
			t.Fatal(err)
		}
		eng.SetBreadth(u)
		g := holdRunner{e: eng, gate: make(chan struct{})}
		var mu sync.Mutex
		var last *engine.Snapshot
		p := &Pipeline{Feed: f, Engine: g, Symbols: []string{"IWM", "SPY"}, Clock: clk,
			Breadth:    &Breadth{Members: members, Cached: cached, Batch: 10},
			OnSnapshot: func(s *engine.Snapshot) { mu.Lock(); last = s; mu.Unlock() }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		synctest.Wait()
		if n, m := calls.Load(), most.Load(); n > 2 || m > cachedChunk {
			t.Errorf("while the engine applied nothing: %d reads of the cache, up to %d members each; want at most 2 of %d", n, m, cachedChunk)
		}
		close(g.gate)
		synctest.Wait()
		mu.Lock()
		l := last.BreadthLoad
		mu.Unlock()
		if l == nil || !l.Done || l.Loaded != len(members) || l.Failed != 0 || calls.Load() != 4 {
			t.Errorf("after the engine ran: progress %+v after %d reads; want all %d loaded from 4", l, calls.Load(), len(members))
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})

	calls.Store(0)
	most.Store(0)
	cfg := pairConfig()
	f, err := demo.New(demo.Options{Seed: 1, Symbols: cfg.Symbols()})
	if err != nil {
		t.Fatal(err)
	}
	u, err := breadth.New(breadth.Config{Universe: "test", Members: members})
	if err != nil {
		t.Fatal(err)
	}
	s, err := BuildSnapshot(t.Context(), BuildOptions{Feed: f, Config: cfg, Calendar: calendar.NYSE(),
		Breadth: &Breadth{Members: members, Cached: cached}, Universe: u})
	if err != nil {
		t.Fatal(err)
	}
	if n, m := calls.Load(), most.Load(); n != 4 || m > cachedChunk {
		t.Errorf("one-shot: %d reads of the cache, up to %d members each; want 4 of at most %d", n, m, cachedChunk)
	}
	if l := s.BreadthLoad; l == nil || l.Loaded != len(members) || l.Failed != 0 {
		t.Errorf("one-shot progress %+v", l)
	}
}
