package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/feeds/replay"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// flakyFeed is a fake feed whose history fails while err is set.
type flakyFeed struct {
	*fake.Feed
	mu  sync.Mutex
	err error
}

func (f *flakyFeed) setErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *flakyFeed) History(ctx context.Context, syms []string) (feeds.History, error) {
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return feeds.History{}, err
	}
	return f.Feed.History(ctx, syms)
}

// TestBreadthLoadSaysWhyItFailed (QA-1 8): with the network down, the
// members' load does not say "loading 0/0" forever: it ends failed with the
// cause (the pair's history failed, and why), until a retry of the history
// succeeds and the load runs; a members list that cannot be fetched ends
// the load with its cause and is asked again soon, not the next evening.
func TestBreadthLoadSaysWhyItFailed(t *testing.T) {
	cause := "cannot reach Yahoo: no such host query1.finance.yahoo.com"
	synctest.Test(t, func(t *testing.T) {
		iwm := genBars("IWM", 300, 200, 10, 0.05)
		spy := genBars("SPY", 300, 500, 5, 0.1)
		cal := calendar.NYSE()
		clk := clock.NewFake(cal.NextTradingDate(iwm[len(iwm)-1].Time).Add(20 * time.Hour))
		f := &flakyFeed{Feed: fake.New(fake.Options{Kind: feeds.KindDemo, History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}}),
			err: errors.New(cause)}
		eng, err := engine.New(pairConfig(), cal)
		if err != nil {
			t.Fatal(err)
		}
		members := []string{"AAA", "BBB", "CCC"}
		u, err := breadth.New(breadth.Config{Universe: "test", Members: members})
		if err != nil {
			t.Fatal(err)
		}
		eng.SetBreadth(u)
		b := &Breadth{Members: members, Load: func(ctx context.Context, ms []string) (feeds.History, error) {
			h := feeds.History{Daily: map[string][]engine.Bar{}}
			for _, s := range ms {
				h.Daily[s] = genBars(s, 300, 40, 2, 0.02)
			}
			return h, nil
		}}
		snaps := make(chan *engine.Snapshot, 64)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk, Breadth: b,
			HistoryRetry: time.Minute, OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		latest := func() *engine.Snapshot {
			synctest.Wait()
			var last *engine.Snapshot
			for len(snaps) > 0 {
				last = <-snaps
			}
			return last
		}
		s := latest()
		if s == nil || s.BreadthLoad == nil {
			t.Fatal("no snapshot with the breadth load after the failed history")
		}
		if l := s.BreadthLoad; !l.Done || !strings.Contains(l.Error, "the pair's history failed") || !strings.Contains(l.Error, "no such host query1.finance.yahoo.com") {
			t.Fatalf("network down: load %+v, want done and failed with the cause", *l)
		}
		f.setErr(nil)
		clk.Advance(time.Hour) // the history's retry is due
		s = latest()
		if s == nil || s.BreadthLoad == nil || !s.BreadthLoad.Done || s.BreadthLoad.Error != "" || s.BreadthLoad.Loaded != 3 ||
			s.Breadth == nil || s.Breadth.Covered != 3 {
			t.Fatalf("after the history came back: %+v", s)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})

	synctest.Test(t, func(t *testing.T) {
		iwm := genBars("IWM", 300, 200, 10, 0.05)
		spy := genBars("SPY", 300, 500, 5, 0.1)
		cal := calendar.NYSE()
		clk := clock.NewFake(cal.NextTradingDate(iwm[len(iwm)-1].Time).Add(10 * time.Hour))
		f := fake.New(fake.Options{History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
		eng, err := engine.New(pairConfig(), cal)
		if err != nil {
			t.Fatal(err)
		}
		u, _ := breadth.New(breadth.Config{})
		eng.SetBreadth(u)
		var mu sync.Mutex
		calls := 0
		b := &Breadth{
			List: func(ctx context.Context) (string, []string, error) {
				mu.Lock()
				defer mu.Unlock()
				calls++
				if calls == 1 {
					return "", nil, errors.New("cannot reach iShares: no such host www.ishares.com")
				}
				return "iwm", []string{"AAA", "BBB"}, nil
			},
			Load: func(ctx context.Context, ms []string) (feeds.History, error) {
				h := feeds.History{Daily: map[string][]engine.Bar{}}
				for _, s := range ms {
					h.Daily[s] = genBars(s, 300, 40, 2, 0.02)
				}
				return h, nil
			},
			Refresh: func(time.Time) time.Duration { return 24 * time.Hour },
		}
		snaps := make(chan *engine.Snapshot, 64)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk, Breadth: b,
			OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		var last *engine.Snapshot
		for last == nil || last.BreadthLoad == nil || !last.BreadthLoad.Done {
			last = <-snaps
		}
		if l := last.BreadthLoad; l.Error != "members list: cannot reach iShares: no such host www.ishares.com" || last.Breadth != nil {
			t.Fatalf("failed list: load %+v", *l)
		}
		clk.Advance(listRetry)
		for last.BreadthLoad.Error != "" || !last.BreadthLoad.Done {
			last = <-snaps
		}
		if l := last.BreadthLoad; l.Members != 2 || l.Loaded != 2 || last.Breadth == nil || last.Breadth.Covered != 2 {
			t.Fatalf("the list asked again after %v: load %+v", listRetry, *l)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestReplayBeforeTheMembersData (QA-1 17): a replay from before the
// members' files begin ends the load with the date their data starts (no
// member failed, none loading); the breadth appears once the replay reaches
// that date.
func TestReplayBeforeTheMembersData(t *testing.T) {
	loc := calendar.Location()
	fsys := fstest.MapFS{"IWM.csv": barsCSV(genBars("IWM", 260, 200, 10, 0.05)), "SPY.csv": barsCSV(genBars("SPY", 260, 500, 5, 0.1))}
	members := []string{"AAA", "BBB", "CCC", "DDD"}
	start := time.Date(2023, 11, 29, 0, 0, 0, 0, loc)
	for _, m := range members {
		var bars []engine.Bar
		for _, x := range genBars(m, 260, 40, 2, 0.02) {
			if !x.Time.Before(start) {
				bars = append(bars, x)
			}
		}
		fsys[m+".csv"] = barsCSV(bars)
	}
	synctest.Test(t, func(t *testing.T) {
		clk := clock.NewFake(time.Date(2025, 12, 1, 15, 0, 0, 0, time.UTC))
		f, err := replay.New(replay.Options{Dir: "d", FS: fsys, ReplayFrom: time.Date(2023, 11, 1, 0, 0, 0, 0, loc), Speed: 1, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		eng, err := engine.New(pairConfig(), calendar.NYSE())
		if err != nil {
			t.Fatal(err)
		}
		u, err := breadth.New(breadth.Config{Universe: "members.csv", Members: members})
		if err != nil {
			t.Fatal(err)
		}
		eng.SetBreadth(u)
		snaps := make(chan *engine.Snapshot, 1024)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk, Breadth: &Breadth{Members: members, Load: f.History, Stream: true},
			OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		var last *engine.Snapshot
		for last == nil || last.BreadthLoad == nil || !last.BreadthLoad.Done {
			last = <-snaps
		}
		if l := last.BreadthLoad; l.Starts != "2023-11-29" || l.Failed != 0 || l.Loaded != 4 || last.Breadth != nil {
			t.Fatalf("members from 2023-11-29, replay from 2023-11-01: load %+v breadth %+v", *l, last.Breadth)
		}
		// The replay reaches the members' first date: their quotes make the
		// breadth.
		for i := 0; i < 40 && (last.Breadth == nil || last.Breadth.AsOf < "2023-11-29"); i++ {
			clk.Advance(time.Second)
			synctest.Wait()
			for len(snaps) > 0 {
				last = <-snaps
			}
		}
		if last.Breadth == nil || last.Breadth.WithBar != 4 {
			t.Fatalf("the replay at %v: breadth %+v", last.AsOf, last.Breadth)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
