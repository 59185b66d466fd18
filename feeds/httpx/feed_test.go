package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

var testSpec = Spec{
	Feed: "test", Source: "Test", BaseURL: "https://example.test/",
	PollOpen: 20 * time.Second, PollClosed: 10 * time.Minute, RatePerSec: 3, Burst: 5,
	Timeout: 7 * time.Second, Accept: "text/csv", Workers: 2,
}

// TestNewBaseDefaultsAndOverrides: the spec's defaults fill zero options,
// set options win, and the validation errors name the feed.
func TestNewBaseDefaultsAndOverrides(t *testing.T) {
	live := func(context.Context, string) (Update, error) { return Update{}, nil }
	b, err := NewBase(FeedOptions{}, testSpec, live)
	if err != nil {
		t.Fatal(err)
	}
	o := b.Opts
	if b.URL != "https://example.test" || o.PollOpen != 20*time.Second || o.PollClosed != 10*time.Minute ||
		o.RatePerSec != 3 || o.Burst != 5 || o.Timeout != 7*time.Second || o.Clock == nil || o.Calendar == nil {
		t.Fatalf("defaults not applied: url %q %+v", b.URL, o)
	}
	if b.Name() != "test" || b.Kind() != feeds.KindLive {
		t.Fatalf("name %q kind %v", b.Name(), b.Kind())
	}
	b, err = NewBase(FeedOptions{BaseURL: "http://127.0.0.1:9", PollOpen: 2 * time.Second, Timeout: time.Second}, testSpec, live)
	if err != nil || b.URL != "http://127.0.0.1:9" || b.Opts.PollOpen != 2*time.Second || b.Opts.Timeout != time.Second {
		t.Fatalf("overrides: %v %+v", err, b)
	}
	for name, o := range map[string]FeedOptions{
		"bad url":   {BaseURL: "example.test"},
		"fast poll": {PollOpen: time.Millisecond},
		"neg rate":  {RatePerSec: -1},
		"neg body":  {MaxBody: -1},
	} {
		if _, err := NewBase(o, testSpec, live); err == nil || !strings.HasPrefix(err.Error(), "test: new: ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	// A feed without a poll loop (its own Stream) may poll fast and says so
	// if Stream is called anyway.
	b, err = NewBase(FeedOptions{PollOpen: time.Millisecond}, testSpec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Stream(context.Background(), nil, nil); err == nil {
		t.Fatal("Stream without a poll loop succeeded")
	}
}

// TestSpecHeaderSent: the spec's extra headers (API keys) and Accept go
// out with every request.
func TestSpecHeaderSent(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	s := testSpec
	s.Header = http.Header{"X-Key-Id": {"id"}}
	b, err := NewBase(FeedOptions{BaseURL: srv.URL, Client: srv.Client()}, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.HTTP.Get(context.Background(), "op", b.URL+"/x"); err != nil {
		t.Fatal(err)
	}
	h := <-got
	if h.Get("X-Key-Id") != "id" || h.Get("Accept") != "text/csv" || !strings.HasPrefix(h.Get("User-Agent"), "Mozilla/5.0") {
		t.Fatalf("headers %v", h)
	}
}

// TestLoadDaily: one result per symbol in order, at most Spec.Workers
// requests at once, a failed symbol's error kept while the rest load,
// retryable failures retried, today's unfinished bar dropped, and a total
// failure named by its first symbol.
func TestLoadDaily(t *testing.T) {
	ny := calendar.Location()
	now := time.Date(2026, 11, 24, 11, 0, 0, 0, ny) // Tuesday, in the session
	clk := clock.NewFake(now)
	b, err := NewBase(FeedOptions{Clock: clk, RatePerSec: 1000, Burst: 100, Rand: func() float64 { return 0 }}, testSpec, nil)
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) engine.Bar {
		return engine.Bar{Time: time.Date(2026, 11, d, 0, 0, 0, 0, ny), Close: float64(d)}
	}
	var (
		mu            sync.Mutex
		inFlight, top int
		calls         = map[string]int{}
	)
	syms := []string{"A", "B", "C", "D", "E", "F"}
	fetch := func(ctx context.Context, sym string) ([]engine.Bar, error) {
		mu.Lock()
		inFlight++
		top = max(top, inFlight)
		calls[sym]++
		n := calls[sym]
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		switch {
		case sym == "C":
			return nil, &Error{Source: "Test", Kind: KindNotFound, Status: 404}
		case sym == "D" && n == 1:
			return nil, &Error{Source: "Test", Kind: KindServer, Status: 503}
		case sym == "E":
			return []engine.Bar{day(24)}, nil // only today's unfinished bar
		}
		return []engine.Bar{day(20), day(23), day(24)}, nil
	}
	done := make(chan struct{})
	var h feeds.History
	go func() { defer close(done); h, err = b.LoadDaily(context.Background(), syms, fetch) }()
	clk.WaitForWaiters(1, done) // D's backoff (floor 1 s)
	clk.Advance(time.Second)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if top > testSpec.Workers {
		t.Fatalf("%d requests at once, limit %d", top, testSpec.Workers)
	}
	for _, s := range []string{"A", "B", "D", "F"} {
		if bars := h.Daily[s]; len(bars) != 2 || bars[1].Close != 23 {
			t.Errorf("%s: %+v (want 20th and 23rd, today's bar dropped)", s, bars)
		}
	}
	if calls["D"] != 2 || calls["C"] != 1 {
		t.Errorf("calls %v: want D retried once after a 503, C (404) not retried", calls)
	}
	if len(h.Errors) != 2 || h.Errors[0].Symbol != "C" || !strings.Contains(h.Errors[0].Message, "no such symbol") ||
		h.Errors[1].Symbol != "E" || !strings.Contains(h.Errors[1].Message, "no data") {
		t.Fatalf("errors %+v", h.Errors)
	}

	_, err = b.LoadDaily(context.Background(), []string{"C", "C2"}, func(context.Context, string) ([]engine.Bar, error) {
		return nil, &Error{Source: "Test", Kind: KindNotFound, Status: 404}
	})
	if err == nil || err.Error() != "test: history: Test has no such symbol (HTTP 404) (no symbol loaded)" {
		t.Fatalf("total failure: %v", err)
	}
}
