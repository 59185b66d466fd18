package demo

import (
	"context"
	"testing"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestEngineSeesBreakout is the demo's promise end to end: fed to the real
// engine at the default configuration, the ratio flags are off at the open
// and turn on within the first 90 simulated seconds.
func TestEngineSeesBreakout(t *testing.T) {
	cfg := engine.DefaultConfig()
	watch := []string{engine.FlagRatioAboveSMA50, engine.FlagRatioNewHigh20d, engine.FlagRatioAboveSMA200}
	for _, seed := range []int64{1, 2} {
		e, err := engine.New(cfg, calendar.NYSE())
		if err != nil {
			t.Fatal(err)
		}
		h, err := newFeed(t, Options{Seed: seed}).History(context.Background(), cfg.Symbols())
		if err != nil {
			t.Fatal(err)
		}
		e.LoadHistory(h.Daily)
		on := map[string]int{}
		for i, b := range collect(t, Options{Seed: seed}, cfg.Symbols(), 91) {
			e.ApplyQuotes(b.Quotes)
			now := b.Quotes[0].Time
			e.Advance(now)
			s := e.Snapshot(now)
			for _, id := range watch {
				f, ok := s.Flag(id)
				if !ok {
					t.Fatalf("snapshot has no flag %s", id)
				}
				if i == 0 && f.State != engine.FlagOff {
					t.Errorf("seed %d: %s is %s at the open", seed, id, f.State)
				}
				if _, seen := on[id]; !seen && f.State != engine.FlagOff {
					on[id] = i
				}
			}
		}
		for _, id := range watch {
			if _, ok := on[id]; !ok {
				t.Errorf("seed %d: %s never turned on in 90 s", seed, id)
			}
		}
		t.Logf("seed %d: flags on after %v simulated seconds", seed, on)
	}
}
