package httpx

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// Tuesday 2026-11-24 10:00 New York (EST, UTC-5): the regular session.
var tOpen = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

// script is a fake service: per symbol, the error to return (nil = a quote).
type script struct {
	mu    sync.Mutex
	errs  map[string]error
	calls []string
}

func (s *script) set(sym string, err error) { s.mu.Lock(); s.errs[sym] = err; s.mu.Unlock() }

// seen is a copy of the calls so far, read under the lock: a poll that
// stops early (a 429) may return while another worker is still fetching.
func (s *script) seen() []string { s.mu.Lock(); defer s.mu.Unlock(); return slices.Clone(s.calls) }

// forget drops the calls seen so far.
func (s *script) forget() { s.mu.Lock(); s.calls = nil; s.mu.Unlock() }

func (s *script) fetch(clk clock.Clock) FetchFunc {
	return func(ctx context.Context, sym string) (Update, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.calls = append(s.calls, sym)
		if err := s.errs[sym]; err != nil {
			return Update{}, err
		}
		return Update{HasQuote: true, Quote: engine.Quote{Symbol: sym, Price: 100, Time: clk.Now()}}, nil
	}
}

func newTestPoller(t *testing.T, clk clock.Clock, s *script, workers int) *Poller {
	t.Helper()
	p, err := NewPoller(PollerOptions{
		Feed: "yahoo", Source: "Yahoo", Clock: clk, PollOpen: 15 * time.Second, PollClosed: 5 * time.Minute,
		Backoff: Backoff{Base: 4 * time.Second, Max: 5 * time.Minute, Min: time.Second, Rand: func() float64 { return 0.5 }},
		Workers: workers, Fetch: s.fetch(clk),
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var syms = []string{"IWM", "SPY", "QQQ", "XLK"}

func TestPollStates(t *testing.T) {
	clk := clock.NewFake(tOpen)
	s := &script{errs: map[string]error{}}
	p := newTestPoller(t, clk, s, 1)
	var st loopState
	ctx := context.Background()
	serverErr := &Error{Source: "Yahoo", Kind: KindServer, Status: 500}

	// 1. healthy
	b, d := p.poll(ctx, syms, &st)
	if b.Status.State != feeds.StateOK || d != 15*time.Second || len(b.Quotes) != 4 || len(b.Errors) != 0 ||
		!b.Status.NextRetry.IsZero() || b.Status.LastError != "" || !b.Status.LastSuccess.Equal(tOpen) || b.Seq != 1 {
		t.Fatalf("healthy: %+v delay %v", b, d)
	}

	// 2. one unknown symbol: degraded, the rest delivered, normal cadence
	s.set("QQQ", &Error{Source: "Yahoo", Kind: KindNotFound, Status: 404})
	b, d = p.poll(ctx, syms, &st)
	if b.Status.State != feeds.StateDegraded || d != 15*time.Second || len(b.Quotes) != 3 {
		t.Fatalf("partial: state %v delay %v quotes %d", b.Status.State, d, len(b.Quotes))
	}
	if len(b.Errors) != 1 || b.Errors[0].Symbol != "QQQ" || !strings.Contains(b.Errors[0].Message, "no such symbol") {
		t.Fatalf("partial errors: %+v", b.Errors)
	}
	if want := "QQQ: Yahoo has no such symbol (HTTP 404)"; b.Status.LastError != want {
		t.Fatalf("partial reason %q, want %q", b.Status.LastError, want)
	}
	s.set("QQQ", nil)

	// 3. everything fails: down, backoff grows 2s, 4s, 8s (r=0.5 of 4s·2^n)
	for _, sym := range syms {
		s.set(sym, serverErr)
	}
	clk.Advance(time.Minute)
	for i, want := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second} {
		b, d = p.poll(ctx, syms, &st)
		if b.Status.State != feeds.StateDown || d != want || !b.Status.NextRetry.Equal(clk.Now().Add(want)) {
			t.Fatalf("down %d: state %v delay %v next %v", i, b.Status.State, d, b.Status.NextRetry)
		}
		if !b.Status.LastSuccess.Equal(tOpen) {
			t.Fatalf("LastSuccess moved on failure: %v", b.Status.LastSuccess)
		}
		if want := "Yahoo server error (HTTP 500 Internal Server Error)"; b.Status.LastError != want {
			t.Fatalf("down reason %q", b.Status.LastError)
		}
	}

	// 4. recovery by itself
	for _, sym := range syms {
		s.set(sym, nil)
	}
	b, d = p.poll(ctx, syms, &st)
	if b.Status.State != feeds.StateOK || d != 15*time.Second || !b.Status.LastSuccess.Equal(clk.Now()) || st.fails != 0 {
		t.Fatalf("recovered: %+v", b.Status)
	}
}

func TestPollRateLimited(t *testing.T) {
	clk := clock.NewFake(tOpen)
	s := &script{errs: map[string]error{}}
	p := newTestPoller(t, clk, s, 1)
	var st loopState
	s.set("SPY", &Error{Source: "Yahoo", Kind: KindRateLimited, Status: 429, RetryAfter: 30 * time.Second, HasRetryAfter: true})
	b, d := p.poll(context.Background(), syms, &st)
	if got := strings.Join(s.seen(), ","); got != "IWM,SPY" {
		t.Fatalf("requests after the 429: %s", got)
	}
	if b.Status.State != feeds.StateDegraded || d != 30*time.Second || !b.Status.NextRetry.Equal(tOpen.Add(30*time.Second)) {
		t.Fatalf("429: %+v delay %v", b.Status, d)
	}
	want := "rate-limited by Yahoo (HTTP 429), retry after 30s"
	if b.Status.LastError != want {
		t.Fatalf("reason %q", b.Status.LastError)
	}
	// The symbols not asked say the cause itself, not "not requested".
	if len(b.Quotes) != 1 || len(b.Errors) != 3 || b.Errors[2].Message != want {
		t.Fatalf("quotes %d errors %+v", len(b.Quotes), b.Errors)
	}
	// Without Retry-After: the backoff (r=0.5 of 4s·2^1 = 4s) since this is the 2nd failed poll.
	s.set("SPY", nil)
	s.set("IWM", &Error{Source: "Yahoo", Kind: KindRateLimited, Status: 429})
	s.forget()
	// The first request is refused: nothing got through, so the feed is
	// down (README: down = nothing gets through), not degraded.
	b, d = p.poll(context.Background(), syms, &st)
	if b.Status.State != feeds.StateDown || d != 4*time.Second || len(s.seen()) != 1 || len(b.Quotes) != 0 {
		t.Fatalf("429 bare: %+v delay %v calls %v", b.Status, d, s.seen())
	}
	// Healthy again.
	s.set("IWM", nil)
	b, _ = p.poll(context.Background(), syms, &st)
	if b.Status.State != feeds.StateOK {
		t.Fatalf("not recovered: %+v", b.Status)
	}
}

func TestSchedule(t *testing.T) {
	clk := clock.NewFake(tOpen)
	p := newTestPoller(t, clk, &script{errs: map[string]error{}}, 1)
	ny := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, time.FixedZone("EST", -5*3600))
	}
	tests := []struct {
		name string
		at   time.Time
		want time.Duration
	}{
		{"open", ny(2026, 11, 24, 10, 0), 15 * time.Second},
		{"pre", ny(2026, 11, 24, 8, 0), 5 * time.Minute},
		{"after", ny(2026, 11, 24, 17, 0), 5 * time.Minute},
		{"night", ny(2026, 11, 24, 22, 0), 11*time.Hour + 30*time.Minute},
		{"thanksgiving", ny(2026, 11, 26, 12, 0), 21*time.Hour + 30*time.Minute},
		{"saturday", ny(2026, 11, 28, 12, 0), 45*time.Hour + 30*time.Minute},
	}
	for _, tc := range tests {
		if got := p.Schedule(tc.at); got != tc.want {
			t.Errorf("%s: Schedule = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestRunLoop drives Run with the fake clock: a batch per poll, the next
// poll only after the interval, recovery after an outage, clean cancel.
func TestRunLoop(t *testing.T) {
	clk := clock.NewFake(tOpen)
	s := &script{errs: map[string]error{}}
	p := newTestPoller(t, clk, s, 4)
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan feeds.Batch)
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, syms, out) }()

	recv := func() feeds.Batch {
		t.Helper()
		select {
		case b := <-out:
			return b
		case err := <-done:
			t.Fatalf("Run ended: %v", err)
		case <-time.After(5 * time.Second): // a deadline, not a synchronisation sleep
			t.Fatal("no batch")
		}
		return feeds.Batch{}
	}
	b := recv()
	if b.Seq != 1 || b.Status.State != feeds.StateOK || len(b.Quotes) != 4 {
		t.Fatalf("first batch %+v", b)
	}
	for _, sym := range syms {
		s.set(sym, &Error{Source: "Yahoo", Kind: KindTimeout})
	}
	clk.WaitForWaiters(1, nil)
	clk.Advance(14 * time.Second)
	if clk.Waiters() != 1 {
		t.Fatal("the poll timer fired before the interval")
	}
	clk.Advance(time.Second)
	b = recv()
	if b.Seq != 2 || b.Status.State != feeds.StateDown {
		t.Fatalf("outage batch %+v", b.Status)
	}
	for _, sym := range syms {
		s.set(sym, nil)
	}
	clk.WaitForWaiters(1, nil)
	clk.Advance(b.Status.NextRetry.Sub(clk.Now()))
	b = recv()
	if b.Seq != 3 || b.Status.State != feeds.StateOK {
		t.Fatalf("recovery batch %+v", b.Status)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
}

func TestFetchAllOrderAndAbort(t *testing.T) {
	var mu sync.Mutex
	n := 0
	res := FetchAll(context.Background(), syms, 3, "Yahoo", func(ctx context.Context, sym string) (Update, error) {
		mu.Lock()
		n++
		mu.Unlock()
		return Update{HasQuote: true, Quote: engine.Quote{Symbol: sym}}, nil
	})
	for i, r := range res {
		if r.Err != nil || r.Update.Quote.Symbol != syms[i] {
			t.Fatalf("result %d: %+v", i, r)
		}
	}
	if n != 4 {
		t.Fatalf("calls %d", n)
	}
}

func TestRetry(t *testing.T) {
	clk := clock.NewFake(tOpen)
	b := Backoff{Base: time.Second, Max: time.Minute, Rand: func() float64 { return 1 }}
	var calls atomic.Int32
	errs := []error{
		&Error{Kind: KindServer, Status: 502},
		&Error{Kind: KindRateLimited, Status: 429, RetryAfter: 10 * time.Second, HasRetryAfter: true},
		nil,
	}
	done := make(chan error, 1)
	go func() {
		done <- Retry(context.Background(), clk, b, 5, 30*time.Second, func(context.Context) error {
			return errs[calls.Add(1)-1]
		})
	}()
	// 1st wait: backoff 1s; 2nd wait: Retry-After 10s beats backoff 2s.
	for _, d := range []time.Duration{time.Second, 10 * time.Second} {
		clk.WaitForWaiters(1, nil)
		before := calls.Load()
		clk.Advance(d - time.Millisecond)
		if clk.Waiters() != 1 || calls.Load() != before {
			t.Fatalf("retried before %v", d)
		}
		clk.Advance(time.Millisecond)
	}
	if err := <-done; err != nil || calls.Load() != 3 {
		t.Fatalf("err %v calls %d", err, calls.Load())
	}

	// Non-retryable errors and waits beyond maxWait give up at once.
	for _, e := range []error{&Error{Kind: KindNotFound}, &Error{Kind: KindRateLimited, RetryAfter: time.Hour, HasRetryAfter: true}} {
		n := 0
		err := Retry(context.Background(), clk, b, 5, 30*time.Second, func(context.Context) error { n++; return e })
		if err != e || n != 1 {
			t.Fatalf("%v: err %v after %d calls", e, err, n)
		}
	}
}

func TestNewPollerValidates(t *testing.T) {
	clk := clock.NewFake(tOpen)
	f := func(context.Context, string) (Update, error) { return Update{}, nil }
	good := PollerOptions{Feed: "x", Source: "X", Clock: clk, PollOpen: time.Second, PollClosed: time.Second, Fetch: f}
	if _, err := NewPoller(good); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*PollerOptions){
		"no feed":    func(o *PollerOptions) { o.Feed = "" },
		"no clock":   func(o *PollerOptions) { o.Clock = nil },
		"no fetch":   func(o *PollerOptions) { o.Fetch = nil },
		"zero poll":  func(o *PollerOptions) { o.PollOpen = 0 },
		"neg worker": func(o *PollerOptions) { o.Workers = -1 },
	} {
		o := good
		mod(&o)
		if _, err := NewPoller(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestTrimUnfinished(t *testing.T) {
	cal := calendar.NYSE()
	day := func(d int) engine.Bar {
		return engine.Bar{Time: time.Date(2026, 11, d, 0, 0, 0, 0, calendar.Location()), Close: float64(d)}
	}
	bars := []engine.Bar{day(20), day(23), day(24)}
	ny := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, calendar.Location()) }
	for _, tc := range []struct {
		name string
		now  time.Time
		want int
	}{
		{"pre-market", ny(24, 8, 0), 2},
		{"session", ny(24, 15, 59), 2},
		{"at the close", ny(24, 16, 0), 3},
		{"after hours", ny(24, 18, 0), 3},
		{"next morning", ny(25, 9, 0), 3},
		{"holiday", ny(26, 12, 0), 3},
	} {
		if got := TrimUnfinished(bars, cal, tc.now); len(got) != tc.want {
			t.Errorf("%s: %d bars, want %d", tc.name, len(got), tc.want)
		}
	}
}

// TestFetchAllStopsAtAHangOnlyWhenNothingAnswered: a timeout or an
// unreachable host before any reply stops the call (the rest say the same,
// unrequested); after a reply, one slow symbol is only that symbol's error.
func TestFetchAllStopsAtAHangOnlyWhenNothingAnswered(t *testing.T) {
	hang := &Error{Source: "Yahoo", Kind: KindTimeout, Timeout: 10 * time.Second}
	refused := &Error{Source: "Yahoo", Kind: KindUnreachable, Detail: "connection refused"}
	for _, tc := range []struct {
		name    string
		errs    map[string]error
		calls   int
		skipped bool
	}{
		{"hang first", map[string]error{"IWM": hang}, 1, true},
		{"refused first", map[string]error{"IWM": refused}, 1, true},
		{"hang after a reply", map[string]error{"SPY": hang}, 4, false},
		{"404 then hang", map[string]error{"IWM": &Error{Source: "Yahoo", Kind: KindNotFound, Status: 404}, "SPY": hang}, 4, false},
	} {
		s := &script{errs: tc.errs}
		res := FetchAll(context.Background(), syms, 1, "Yahoo", s.fetch(clock.NewFake(tOpen)))
		if calls := s.seen(); len(calls) != tc.calls {
			t.Errorf("%s: %d requests (%v), want %d", tc.name, len(calls), calls, tc.calls)
		}
		last := res[len(res)-1]
		if tc.skipped {
			first := MessageOf(res[0].Err)
			if last.Err == nil || MessageOf(last.Err) != first || KindOf(last.Err) != KindOf(res[0].Err) {
				t.Errorf("%s: the unrequested symbol says %v, want %q", tc.name, last.Err, first)
			}
		} else if last.Err != nil {
			t.Errorf("%s: XLK failed: %v", tc.name, last.Err)
		}
	}
}

// TestPollHanging: a poll in which nothing answered in time is down and
// hanging; one where the host refused is down, not hanging.
func TestPollHanging(t *testing.T) {
	clk := clock.NewFake(tOpen)
	for _, tc := range []struct {
		err  error
		hang bool
	}{
		{&Error{Source: "Yahoo", Kind: KindTimeout, Timeout: 10 * time.Second}, true},
		{&Error{Source: "Yahoo", Kind: KindUnreachable, Detail: "connection refused"}, false},
	} {
		s := &script{errs: map[string]error{}}
		for _, sym := range syms {
			s.errs[sym] = tc.err
		}
		var st loopState
		b, _ := newTestPoller(t, clk, s, 2).poll(context.Background(), syms, &st)
		if b.Status.State != feeds.StateDown || b.Status.Hanging != tc.hang ||
			b.Status.LastError != MessageOf(tc.err) {
			t.Errorf("%v: status %+v", tc.err, b.Status)
		}
	}
}
