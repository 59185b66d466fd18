package failover_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/failover"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// daily makes n daily bars of sym ending the trading day before end.
func daily(sym string, n int, end time.Time, base float64) []engine.Bar {
	cal := calendar.NYSE()
	d := cal.PrevTradingDate(end)
	out := make([]engine.Bar, n)
	for i := n - 1; i >= 0; i-- {
		c := base + float64(i%17)
		out[i] = engine.Bar{Symbol: sym, Time: d, Open: c, High: c + 1, Low: c - 1, Close: c, Volume: 1e6}
		d = cal.PrevTradingDate(d)
	}
	return out
}

func mins(sym string, from, to time.Time, base float64) []engine.Bar {
	var out []engine.Bar
	for t := from; !t.After(to); t = t.Add(time.Minute) {
		c := base + float64(t.Sub(from)/time.Minute)/10
		out = append(out, engine.Bar{Symbol: sym, Time: t, Open: c, High: c, Low: c, Close: c, Volume: 1000})
	}
	return out
}

// TestEngineStateContinuousAcrossSwitches runs feed "auto" through the
// real pipeline and engine: after a failover to a delayed fallback, the
// engine's day keeps every minute once (no duplicate, none lost: the
// fallback's shorter day does not cut the minutes already shown) and no
// price moves back in time.
func TestEngineStateContinuousAcrossSwitches(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cal := calendar.NYSE()
		day := time.Date(2026, 11, 24, 0, 0, 0, 0, calendar.Location())
		at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
		hist := feeds.History{Daily: map[string][]engine.Bar{"IWM": daily("IWM", 260, day, 200), "SPY": daily("SPY", 260, day, 500)}}
		a := fake.New(fake.Options{Name: "alpaca", History: hist})
		b := fake.New(fake.Options{Name: "yahoo", History: hist})
		clk := clock.NewFake(at(10, 0))
		f, err := failover.New(failover.Options{Sources: []feeds.Feed{a, b}, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		ec := engine.DefaultConfig()
		ec.Extras, ec.Sectors = nil, nil
		eng, err := engine.New(ec, cal)
		if err != nil {
			t.Fatal(err)
		}
		var last *engine.Snapshot
		stats := make(chan feeds.Status, 64)
		p := &app.Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk,
			OnSnapshot: func(s *engine.Snapshot) { last = s }, OnStatus: func(s feeds.Status) { stats <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		push := func(src *fake.Feed, bt feeds.Batch) {
			t.Helper()
			if err := src.Push(ctx, bt); err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
		}
		iwm := func() engine.SymbolSnapshot {
			t.Helper()
			s, ok := last.Symbol("IWM")
			if !ok {
				t.Fatal("no IWM")
			}
			return s
		}
		synctest.Wait()

		// alpaca: the day from 9:30 to 9:50 (a whole day), then its new
		// minutes to 10:01 (updates, as its stream sends them), IWM at 210
		// at 10:01:30.
		push(a, feeds.Batch{Status: feeds.Status{State: feeds.StateOK},
			Bars: append(mins("IWM", at(9, 30), at(9, 50), 200), mins("SPY", at(9, 30), at(9, 50), 500)...)})
		push(a, feeds.Batch{Status: feeds.Status{State: feeds.StateOK},
			Quotes:  []engine.Quote{{Symbol: "IWM", Price: 210, Time: at(10, 1).Add(30 * time.Second)}},
			Updates: append(mins("IWM", at(9, 30), at(10, 1), 200)[21:], mins("SPY", at(9, 30), at(10, 1), 500)[21:]...)})
		if n := len(iwm().Intraday); n < 31 {
			t.Fatalf("alpaca's day: %d closed minutes", n)
		}
		want := len(iwm().Intraday)
		lastClose := iwm().Intraday[want-1] // the 10:01 minute as shown (alpaca's bar and the trade in it)

		// alpaca down for failover_after; yahoo, 15 minutes late, takes over.
		push(a, feeds.Batch{Status: feeds.Status{State: feeds.StateDown, LastError: "cannot reach Alpaca"}})
		clk.Advance(failover.DefaultAfter)
		synctest.Wait()
		if b.StreamCalls() != 1 {
			t.Fatalf("yahoo not tried after failover_after (%d calls)", b.StreamCalls())
		}
		push(b, feeds.Batch{Status: feeds.Status{State: feeds.StateOK},
			Quotes: []engine.Quote{{Symbol: "IWM", Price: 150, Time: at(9, 47)}, {Symbol: "SPY", Price: 505, Time: at(10, 3)}},
			Bars:   append(mins("IWM", at(9, 30), at(9, 47), 300), mins("SPY", at(9, 30), at(9, 47), 600)...)})

		s := iwm()
		if s.Last.V != 210 {
			t.Errorf("IWM last %v: moved back to the fallback's older price", s.Last)
		}
		if len(s.Intraday) != want || s.Intraday[want-1] != lastClose {
			t.Errorf("IWM day: %d closed minutes ending %v, want %d ending %v (minutes lost or repeated)",
				len(s.Intraday), s.Intraday[len(s.Intraday)-1], want, lastClose)
		}
		if s.Intraday[0] != 300 {
			t.Errorf("the fallback's minutes do not replace those it covers: first close %v", s.Intraday[0])
		}
		if last.Feed != "auto" {
			t.Errorf("snapshot feed %q", last.Feed)
		}
		var st feeds.Status
		for len(stats) > 0 {
			st = <-stats
		}
		if st.Feed != "yahoo" || st.Via(clk.Now()) != "via yahoo (alpaca down 2m)" {
			t.Errorf("status %+v", st)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
