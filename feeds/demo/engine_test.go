package demo

import (
	"context"
	"testing"
	"time"

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

// TestEngineSeesVolumeSurge: on the breakout day the small leg trades ~1.8×
// its average volume along the engine's intraday profile, so the engine's
// paced relative volume shows a forming small_volume_surge as soon as it is
// defined (5 minutes after the open), while SPY's pace stays near 1.
func TestEngineSeesVolumeSurge(t *testing.T) {
	cfg := engine.DefaultConfig()
	for _, seed := range []int64{0, 1, 2, 3} {
		e, err := engine.New(cfg, calendar.NYSE())
		if err != nil {
			t.Fatal(err)
		}
		h, err := newFeed(t, Options{Seed: seed}).History(context.Background(), cfg.Symbols())
		if err != nil {
			t.Fatal(err)
		}
		e.LoadHistory(h.Daily)
		formed := -1
		var last *engine.Snapshot
		for i, b := range collect(t, Options{Seed: seed}, cfg.Symbols(), 8*60+1) {
			e.ApplyQuotes(b.Quotes)
			now := b.Quotes[0].Time
			e.Advance(now)
			s := e.Snapshot(now)
			f, ok := s.Flag(engine.FlagSmallVolumeSurge)
			if !ok {
				t.Fatal("no small_volume_surge flag")
			}
			iwm, _ := s.Symbol("IWM")
			if i < 5*60 && (f.State != engine.FlagOff || iwm.RVOLPace.Valid) {
				t.Fatalf("seed %d: at %d s surge %s, RVOLPace %+v; want off and absent in the first 5 minutes", seed, i, f.State, iwm.RVOLPace)
			}
			if formed < 0 && f.State == engine.FlagForming {
				formed = i
			}
			last = s
		}
		iwm, _ := last.Symbol("IWM")
		spy, _ := last.Symbol("SPY")
		if formed < 0 || formed > 6*60 {
			t.Errorf("seed %d: small_volume_surge formed at %d s, want within 6 minutes (IWM pace %+v, change %+v)", seed, formed, iwm.RVOLPace, iwm.ChangePct)
		}
		if p := iwm.RVOLPace; !p.Valid || p.V < 1.5 || p.V > 2.3 {
			t.Errorf("seed %d: IWM RVOLPace at 8 min %+v, want ~1.8", seed, p)
		}
		if p := spy.RVOLPace; !p.Valid || p.V < 0.7 || p.V > 1.4 {
			t.Errorf("seed %d: SPY RVOLPace at 8 min %+v, want ~1", seed, p)
		}
		t.Logf("seed %d: surge forming after %d s; at 8 min IWM pace %.2f (RVOL20 %.3f), SPY pace %.2f", seed, formed, iwm.RVOLPace.V, iwm.RVOL20.V, spy.RVOLPace.V)
	}
}

// TestStartMidSessionVolume: a stream started at 11:00 opens with the volume
// an average day has traded by then (a third, by the engine's profile), so
// relative volume is sensible from the first quote.
func TestStartMidSessionVolume(t *testing.T) {
	start := time.Date(2026, 11, 24, 11, 0, 0, 0, ny)
	h := history(t, newFeed(t, Options{Seed: 4, Start: start}), "SPY")
	bars := h.Daily["SPY"]
	avg := 0.0
	for _, b := range bars[len(bars)-20:] {
		avg += b.Volume / 20
	}
	q := collect(t, Options{Seed: 4, Start: start}, []string{"SPY"}, 1)[0].Quotes[0]
	if got := q.DayVolume / avg; got < 0.25 || got > 0.45 {
		t.Errorf("SPY volume at an 11:00 start is %.3f of a day, want ~1/3", got)
	}
}
