package app

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// TestYieldSaysWhyItIsMissing: the 2y yield item of the confirmation strip
// says why it has no value when its series could not be loaded ("no file:
// DGS2", "no data: DGS2" for another error), as a pair item names a leg's
// missing file — in the dashboard (the pipeline's background load) and in
// the one-shot snapshot alike; a later load that succeeds clears it. The
// series' error never reached the engine: the item said nothing.
func TestYieldSaysWhyItIsMissing(t *testing.T) {
	iwm := genBars("IWM", 300, 200, 10, 0.05)
	spy := genBars("SPY", 300, 500, 5, 0.1)
	var obs []engine.Observation
	for i, b := range iwm {
		obs = append(obs, engine.Observation{Time: b.Time, Value: 4 - 0.001*float64(i)})
	}
	yield := func(s *engine.Snapshot) engine.Confirmation {
		t.Helper()
		for _, c := range s.Confirmations {
			if c.Kind == engine.ConfirmKindYield {
				return c
			}
		}
		t.Fatalf("no yield item in %+v", s.Confirmations)
		return engine.Confirmation{}
	}
	strip := func(t *testing.T) *breadth.Strip {
		s, err := breadth.NewStrip([]breadth.ConfirmSpec{{Kind: engine.ConfirmKindYield}}) // DGS2
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	noFile := &SeriesError{ID: "DGS2", Err: errors.New("replay: no file d/DGS2.csv")}
	garbled := &SeriesError{ID: "DGS2", Err: errors.New("replay: d/DGS2.csv: fred: DGS2: line 3: bad value")}
	history := feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}

	// The one-shot: each error in the item's words.
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.Join(noFile), "no file: DGS2"},
		{errors.Join(errors.New("another series"), garbled), "no data: DGS2"},
	} {
		s, err := BuildSnapshot(context.Background(), BuildOptions{Feed: fake.New(fake.Options{History: history}), Config: pairConfig(),
			Calendar: calendar.NYSE(), Confirm: strip(t),
			Breadth: &Breadth{Series: func(context.Context) (map[string][]engine.Observation, error) { return nil, tc.err }}})
		if err != nil {
			t.Fatal(err)
		}
		if c := yield(s); c.Missing != tc.want || c.Value.Valid {
			t.Errorf("snapshot, series error %v: item %+v, want missing %q", tc.err, c, tc.want)
		}
	}

	// The dashboard: the first load finds no file, the refresh a day later
	// loads the series and the item has its value, nothing missing.
	synctest.Test(t, func(t *testing.T) {
		cal := calendar.NYSE()
		clk := clock.NewFake(cal.NextTradingDate(iwm[len(iwm)-1].Time).Add(10 * time.Hour))
		eng, err := engine.New(pairConfig(), cal)
		if err != nil {
			t.Fatal(err)
		}
		eng.SetConfirm(strip(t))
		var mu sync.Mutex
		calls := 0
		b := &Breadth{
			Series: func(context.Context) (map[string][]engine.Observation, error) {
				mu.Lock()
				defer mu.Unlock()
				if calls++; calls == 1 {
					return nil, errors.Join(noFile)
				}
				return map[string][]engine.Observation{"DGS2": obs}, nil
			},
			Refresh: func(time.Time) time.Duration { return 24 * time.Hour },
		}
		snaps := make(chan *engine.Snapshot, 1024)
		p := &Pipeline{Feed: fake.New(fake.Options{History: history}), Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk, Breadth: b,
			OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		synctest.Wait()
		var last *engine.Snapshot
		for len(snaps) > 0 {
			last = <-snaps
		}
		if last == nil || yield(last).Missing != "no file: DGS2" {
			t.Fatalf("dashboard, no DGS2 file: %+v", last)
		}
		clk.Advance(24 * time.Hour)
		synctest.Wait()
		for len(snaps) > 0 {
			last = <-snaps
		}
		if c := yield(last); c.Missing != "" || !c.Value.Valid || c.Value.V != obs[len(obs)-1].Value {
			t.Errorf("dashboard, the series loaded: item %+v, want its last value %v and nothing missing", c, obs[len(obs)-1].Value)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
