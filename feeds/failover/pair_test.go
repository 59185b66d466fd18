package failover_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/alpaca"
	"github.com/capwatch/capwatch/feeds/alpaca/alpacafake"
	"github.com/capwatch/capwatch/feeds/failover"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// TestPairSwitchThroughAutoResubscribesAlpaca runs feed "auto" (Alpaca,
// then a fallback) through the real pipeline and engine with 34 watched
// symbols and the free plan's 30 trade symbols: IWC and RSP, watched
// last, get no trades at connect. The pair key's choice IWC/RSP (the
// pipeline's Pairs channel, as the dashboard sends it) reaches Alpaca
// through the feed boundary and the failover feed: Alpaca unsubscribes
// two trades and subscribes IWC's and RSP's, their trades reach the
// engine as the new pair's quotes, and the status and the snapshot's
// provenance still say Alpaca, IEX.
func TestPairSwitchThroughAutoResubscribesAlpaca(t *testing.T) {
	ny := calendar.Location()
	cal := calendar.NYSE()
	now := time.Date(2026, 3, 4, 15, 0, 0, 0, ny) // a Wednesday, in the session
	clk := clock.NewFake(now)
	srv := alpacafake.New(alpacafake.Options{KeyID: "PKFAKE", Secret: "fake-secret", Now: clk.Now, TradeCap: 30})
	t.Cleanup(srv.Close)

	ec := engine.DefaultConfig()
	ec.Small, ec.Large, ec.Sectors, ec.Confirm = "IWM", "SPY", nil, nil
	ec.Extras = nil
	for i := 1; i <= 30; i++ {
		ec.Extras = append(ec.Extras, fmt.Sprintf("S%02d", i))
	}
	ec.Extras = append(ec.Extras, "IWC", "RSP")
	symbols := ec.Symbols()
	if len(symbols) != 34 {
		t.Fatalf("%d symbols", len(symbols))
	}
	for k, sym := range symbols {
		srv.SetBars("sip", "1Day", sym, daily(sym, 60, now, 50+float64(k)))
	}
	a, err := alpaca.New(alpaca.Options{
		FeedOptions: httpx.FeedOptions{BaseURL: srv.URL(), Client: srv.Client(), Clock: clk, RatePerSec: 1000, Burst: 1000, Rand: func() float64 { return 0.5 }},
		KeyID:       "PKFAKE", SecretKey: "fake-secret", StreamURL: srv.StreamURL(), BatchEvery: -1, TradeFirst: []string{"IWM", "SPY"},
	})
	if err != nil {
		t.Fatal(err)
	}
	y := fake.New(fake.Options{Name: "yahoo"})
	f, err := failover.New(failover.Options{Sources: []feeds.Feed{a, y}, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(ec, cal)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		last  *engine.Snapshot
		stats []feeds.Status
	)
	changed := make(chan struct{}, 1)
	poke := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	pairs := make(chan engine.PairChoice, 1)
	p := &app.Pipeline{Feed: f, Engine: eng, Symbols: symbols, Clock: clk, Pairs: pairs,
		OnSnapshot: func(s *engine.Snapshot) { mu.Lock(); last = s; mu.Unlock(); poke() },
		OnStatus:   func(s feeds.Status) { mu.Lock(); stats = append(stats, s); mu.Unlock(); poke() }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("pipeline: %v", err)
			}
		case <-time.After(10 * time.Second): // deadline only
			t.Error("the pipeline did not end")
		}
	})
	// until waits (bounded) for the newest snapshot and statuses to satisfy cond.
	until := func(what string, cond func(*engine.Snapshot, []feeds.Status) bool) *engine.Snapshot {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			mu.Lock()
			s, st := last, stats
			ok := s != nil && cond(s, st)
			mu.Unlock()
			if ok {
				return s
			}
			select {
			case <-changed:
			case <-deadline:
				t.Fatalf("never %s; alpaca transcript %v", what, srv.Transcript())
			}
		}
	}
	wait := func(event string, n int) {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
		defer wcancel()
		if err := srv.WaitEvent(wctx, event, n); err != nil {
			t.Fatal(err)
		}
	}
	alpacaOK := func(st []feeds.Status) bool {
		return len(st) > 0 && st[len(st)-1].Feed == "alpaca" && st[len(st)-1].State == feeds.StateOK
	}

	until("alpaca streaming", func(_ *engine.Snapshot, st []feeds.Status) bool { return alpacaOK(st) })
	wait("subscribed", 1)
	if n := srv.PushTrades(now, alpacafake.Trade{Symbol: "IWC", Price: 61.5, Size: 1}); n != 0 {
		t.Fatalf("IWC's trade was sent before the switch (%d)", n)
	}

	pairs <- engine.PairChoice{Small: "IWC", Large: "RSP"}
	until("the pair IWC/RSP", func(s *engine.Snapshot, _ []feeds.Status) bool { return s.Pair.Small == "IWC" && s.Pair.Large == "RSP" })
	wait("unsubscribed", 1)
	wait("subscribed", 2)
	at := now.Add(2 * time.Second)
	if n := srv.PushTrades(at, alpacafake.Trade{Symbol: "IWC", Price: 61.5, Size: 10}, alpacafake.Trade{Symbol: "RSP", Price: 180.25, Size: 5}); n != 2 {
		t.Fatalf("%d trades sent after the switch, want IWC's and RSP's", n)
	}
	s := until("the new legs' prices", func(s *engine.Snapshot, _ []feeds.Status) bool {
		iwc, _ := s.Symbol("IWC")
		rsp, _ := s.Symbol("RSP")
		return iwc.Last.Valid && iwc.Last.V == 61.5 && rsp.Last.Valid && rsp.Last.V == 180.25
	})
	if subs := srv.Subscriptions(); len(subs) != 1 || len(subs[0].Trades) != 30 {
		t.Errorf("subscriptions after the switch %+v: want 30 trades", subs)
	}
	if tr := strings.Join(srv.Transcript(), " "); strings.Contains(tr, "error") {
		t.Errorf("the server refused a request: %s", tr)
	}

	// Status and provenance: Alpaca's IEX prices, as before the switch.
	mu.Lock()
	st := append([]feeds.Status(nil), stats...)
	mu.Unlock()
	for _, x := range st {
		if x.Feed != "alpaca" || x.State != feeds.StateOK || x.Preferred != "" {
			t.Errorf("status %+v: want alpaca, OK, no fallback", x)
		}
	}
	if last := st[len(st)-1]; last.Provenance == nil || last.Provenance.Prices != "IEX" {
		t.Errorf("status provenance %+v", last.Provenance)
	}
	js, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Feed       string `json:"feed"`
		Provenance struct {
			Prices  string `json:"prices"`
			History []struct {
				Source string `json:"source"`
			} `json:"history"`
		} `json:"provenance"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Feed != "auto" {
		t.Errorf("snapshot JSON feed %q, want auto", doc.Feed)
	}
	if doc.Provenance.Prices != "IEX" || len(doc.Provenance.History) != 1 || doc.Provenance.History[0].Source != "alpaca" {
		t.Errorf("snapshot JSON provenance %+v: want IEX prices and Alpaca's history", doc.Provenance)
	}
	if y.StreamCalls() != 0 {
		t.Errorf("the fallback was started (%d) while Alpaca served", y.StreamCalls())
	}
}
