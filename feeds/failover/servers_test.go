package failover_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/alpaca"
	"github.com/capwatch/capwatch/feeds/alpaca/alpacafake"
	"github.com/capwatch/capwatch/feeds/failover"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/feeds/yahoo"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/faults"
)

// serversRig runs feed "auto" (Alpaca, then Yahoo) against the in-process
// fake Alpaca service and the fault-injecting Yahoo server, all on one fake
// clock that the test steps forward while it waits for a batch.
type serversRig struct {
	t    *testing.T
	clk  *clock.Fake
	asrv *alpacafake.Server
	ysrv *faults.Server
	out  chan feeds.Batch
	seen []feeds.Batch
	last feeds.Batch
}

func newServersRig(t *testing.T) *serversRig {
	t.Helper()
	r := &serversRig{t: t, clk: clock.NewFake(time.Date(2026, 11, 24, 10, 0, 0, 0, calendar.Location())), out: make(chan feeds.Batch)}
	r.asrv = alpacafake.New(alpacafake.Options{KeyID: "PKFAKE", Secret: "fake-secret", Now: r.clk.Now})
	t.Cleanup(r.asrv.Close)
	var err error
	r.ysrv, err = faults.New(faults.Options{Symbols: []string{"IWM", "SPY"}, Now: r.clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.ysrv.Close)
	half := func() float64 { return 0.5 }
	a, err := alpaca.New(alpaca.Options{
		FeedOptions: httpx.FeedOptions{BaseURL: r.asrv.URL(), Client: r.asrv.Client(), Clock: r.clk, Rand: half},
		KeyID:       "PKFAKE", SecretKey: "fake-secret", StreamURL: r.asrv.StreamURL(), BatchEvery: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	y, err := yahoo.New(yahoo.Options{FeedOptions: httpx.FeedOptions{BaseURL: r.ysrv.URL(), Client: r.ysrv.Client(), Clock: r.clk,
		RatePerSec: 1000, Burst: 100, Rand: half}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := failover.New(failover.Options{Sources: []feeds.Feed{a, y}, Clock: r.clk})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.Stream(ctx, []string{"IWM", "SPY"}, r.out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Stream returned %v", err)
			}
		case <-time.After(10 * time.Second): // deadline only
			t.Error("Stream did not end")
		}
	})
	return r
}

// next waits (bounded by a real-time deadline) for a batch satisfying cond,
// stepping the fake clock by step every 2 ms of waiting when step > 0.
// Every batch is checked: one sequence, no quote older than the last.
func (r *serversRig) next(step time.Duration, what string, cond func(feeds.Batch) bool) feeds.Batch {
	r.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		var tick <-chan time.Time
		if step > 0 {
			tick = time.After(2 * time.Millisecond)
		}
		select {
		case b := <-r.out:
			if b.Seq != r.last.Seq+1 {
				r.t.Fatalf("batch %d after %d", b.Seq, r.last.Seq)
			}
			for _, q := range b.Quotes {
				for _, p := range r.seen {
					for _, pq := range p.Quotes {
						if pq.Symbol == q.Symbol && q.Time.Before(pq.Time) {
							r.t.Fatalf("%s quote at %v after one at %v", q.Symbol, q.Time, pq.Time)
						}
					}
				}
			}
			r.seen, r.last = append(r.seen, b), b
			if cond(b) {
				return b
			}
		case <-tick:
			r.clk.Advance(step)
		case <-deadline:
			var st []string
			for _, b := range r.seen[max(0, len(r.seen)-8):] {
				st = append(st, b.Status.Feed+" "+b.Status.State.String()+": "+b.Status.LastError)
			}
			r.t.Fatalf("no batch with %s; alpaca %v; last statuses %q", what, r.asrv.Transcript(), st)
		}
	}
}

// TestOutageOfEachSourceThroughFakeServers: Alpaca serves; its stream
// service fails (every connection refused with error 500) and after
// failover_after Yahoo serves, the status saying "via yahoo (alpaca down
// 2m)"; Yahoo's own outage (HTTP 503) while Alpaca is still down is shown
// as it is; when Alpaca accepts connections again it serves at once and
// Yahoo is no longer asked.
func TestOutageOfEachSourceThroughFakeServers(t *testing.T) {
	r := newServersRig(t)
	r.next(0, "alpaca healthy", func(b feeds.Batch) bool {
		return b.Status.Feed == "alpaca" && b.Status.State == feeds.StateOK
	})
	r.asrv.Push(alpacafake.TradeFrame(r.clk.Now(), alpacafake.Trade{Symbol: "IWM", Price: 201.5, Size: 100}))
	r.next(0, "alpaca's trade", func(b feeds.Batch) bool { return b.Status.Feed == "alpaca" && len(b.Quotes) == 1 })

	// Alpaca's outage.
	r.asrv.RefuseStreams(500)
	r.asrv.Drop()
	down := r.next(time.Second, "alpaca down", func(b feeds.Batch) bool {
		return b.Status.Feed == "alpaca" && b.Status.State == feeds.StateDown
	})
	downAt := r.clk.Now()
	b := r.next(time.Second, "yahoo serving", func(b feeds.Batch) bool { return b.Status.Feed == "yahoo" })
	if d := r.clk.Now().Sub(downAt); d < failover.DefaultAfter-time.Second {
		t.Fatalf("failed over %v after alpaca went down (%q), want after failover_after", d, down.Status.LastError)
	}
	if via := b.Status.Via(r.clk.Now()); !strings.HasPrefix(via, "via yahoo (alpaca down 2m") || b.Status.State != feeds.StateOK || len(b.Quotes) == 0 {
		t.Fatalf("yahoo's first batch: %q %+v", via, b.Status)
	}

	// Yahoo's outage while Alpaca is still down.
	r.ysrv.SetMode(faults.ServerError)
	b = r.next(time.Second, "yahoo down", func(b feeds.Batch) bool {
		return b.Status.Feed == "yahoo" && b.Status.State == feeds.StateDown
	})
	if b.Status.Preferred != "alpaca" || !strings.Contains(b.Status.LastError, "HTTP 503") {
		t.Fatalf("both down: %+v", b.Status)
	}

	// Alpaca is back: it serves again, and Yahoo is no longer polled.
	r.ysrv.SetMode(faults.Healthy)
	r.asrv.RefuseStreams(0)
	r.next(time.Second, "back to alpaca", func(b feeds.Batch) bool {
		return b.Status.Feed == "alpaca" && b.Status.State == feeds.StateOK && b.Status.Preferred == ""
	})
	before, _ := r.ysrv.Requests(faults.Healthy)
	for range 120 { // two minutes: eight of Yahoo's polls
		r.clk.Advance(time.Second)
	}
	r.asrv.Push(alpacafake.TradeFrame(r.clk.Now(), alpacafake.Trade{Symbol: "IWM", Price: 202, Size: 100}))
	r.next(0, "alpaca's next trade", func(b feeds.Batch) bool { return b.Status.Feed == "alpaca" && len(b.Quotes) == 1 })
	if after, _ := r.ysrv.Requests(faults.Healthy); after != before {
		t.Fatalf("yahoo still polled after alpaca came back: %d → %d requests", before, after)
	}
}
