package stooq

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

func nyAt(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Location())
}

// Tuesday 2026-11-24 11:00 New York: the regular session is open.
var tOpen = nyAt(2026, 11, 24, 11, 0)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeStooq serves /q/d/l/ from testdata according to a mode.
type fakeStooq struct {
	t       *testing.T
	mu      sync.Mutex
	mode    string // "ok", "429", "500", "html", "limit", "slow", "garbage", "challenge", "keypage"
	queries []string
	release chan struct{}
}

func (f *fakeStooq) set(m string) { f.mu.Lock(); f.mode = m; f.mu.Unlock() }

// seen is a copy of the queries so far, read under the lock: a load that
// gives up early may return while a request is still being served.
func (f *fakeStooq) seen() []string { f.mu.Lock(); defer f.mu.Unlock(); return slices.Clone(f.queries) }

func (f *fakeStooq) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	mode := f.mode
	f.queries = append(f.queries, r.URL.RawQuery)
	f.mu.Unlock()
	q := r.URL.Query()
	if r.URL.Path != "/q/d/l/" || q.Get("i") != "d" {
		http.NotFound(w, r)
		return
	}
	switch mode {
	case "429":
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(429)
		return
	case "500":
		w.WriteHeader(502)
		return
	case "html":
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!DOCTYPE html><html><body>Please enable JavaScript</body></html>"))
		return
	case "limit":
		w.Write(fixture(f.t, "limit.txt"))
		return
	case "challenge", "keypage": // HTTP 200 with an HTML page in place of the CSV
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		name := map[string]string{"challenge": "challenge.html", "keypage": "apikey.html"}[mode]
		w.Write(fixture(f.t, name))
		return
	case "garbage":
		w.Write([]byte("Date,Open,High,Low,Close,Volume\n2026-13-45,1,2,3,4,5\n"))
		return
	case "slow":
		select {
		case <-r.Context().Done():
		case <-f.release:
		}
		return
	}
	w.Header().Set("Content-Type", "text/csv")
	switch q.Get("s") {
	case "spy.us", "iwm.us":
		w.Write(fixture(f.t, "spy.us.csv"))
	default:
		w.Write(fixture(f.t, "nodata.txt"))
	}
}

func newFake(t *testing.T) (*fakeStooq, *Feed, *clock.Fake) {
	t.Helper()
	return newFakeTimeout(t, 10*time.Second)
}

// newFakeTimeout sets the per-request (real-time, network) timeout.
func newFakeTimeout(t *testing.T, timeout time.Duration) (*fakeStooq, *Feed, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(tOpen)
	fs := &fakeStooq{t: t, mode: "ok", release: make(chan struct{})}
	srv := httptest.NewServer(fs)
	t.Cleanup(func() { close(fs.release); srv.Close() })
	f, err := New(Options{FeedOptions: httpx.FeedOptions{BaseURL: srv.URL, Client: srv.Client(), Clock: clk, RatePerSec: 1000, Burst: 100,
		Timeout: timeout, Rand: func() float64 { return 0.5 }}})
	if err != nil {
		t.Fatal(err)
	}
	return fs, f, clk
}

func TestStooqSymbol(t *testing.T) {
	for in, want := range map[string]string{"IWM": "iwm.us", "BRK-B": "brk-b.us", "^SPX": "^spx", "VOD.UK": "vod.uk"} {
		if got := StooqSymbol(in); got != want {
			t.Errorf("StooqSymbol(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewValidates(t *testing.T) {
	for name, o := range map[string]Options{
		"bad url":   {FeedOptions: httpx.FeedOptions{BaseURL: "stooq.com"}},
		"fast poll": {FeedOptions: httpx.FeedOptions{PollClosed: time.Millisecond}},
		"neg rate":  {FeedOptions: httpx.FeedOptions{RatePerSec: -2}},
	} {
		if _, err := New(o); err == nil || !strings.HasPrefix(err.Error(), "stooq: new: ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	f, err := New(Options{})
	if err != nil || f.Name() != "stooq" || f.Kind() != feeds.KindLive {
		t.Fatalf("defaults: %v", err)
	}
}

func TestHistory(t *testing.T) {
	fs, f, _ := newFake(t)
	h, err := f.History(context.Background(), []string{"SPY", "ZZZZ"})
	if err != nil {
		t.Fatal(err)
	}
	// 7 rows: 11-19 has a zero low (skipped by csvbars), 11-24 is today's
	// unfinished bar during the session.
	spy := h.Daily["SPY"]
	if len(spy) != 5 || spy[0].Date() != "2026-11-16" || spy[4].Date() != "2026-11-23" || spy[4].Close != 593.52 || spy[4].Symbol != "SPY" {
		t.Fatalf("SPY: %+v", spy)
	}
	if !spy[0].Time.Equal(nyAt(2026, 11, 16, 0, 0)) {
		t.Fatalf("time %v", spy[0].Time)
	}
	if len(h.Errors) != 1 || h.Errors[0].Symbol != "ZZZZ" || h.Errors[0].Message != `Stooq has no data for this symbol: it answered "No data" (check the ticker)` {
		t.Fatalf("errors %+v", h.Errors)
	}
	for _, q := range fs.seen() {
		if strings.Contains(q, "d1=") {
			t.Fatalf("history asked for a date range: %s", q)
		}
	}
}

func TestHistoryTotalFailure(t *testing.T) {
	fs, f, _ := newFake(t)
	fs.set("html")
	_, err := f.History(context.Background(), []string{"SPY"})
	if err == nil || !strings.Contains(err.Error(), "Stooq returned an HTML page (consent/block), not data") {
		t.Fatalf("err = %v", err)
	}
	fs.set("garbage")
	_, err = f.History(context.Background(), []string{"SPY"})
	if err == nil || !strings.Contains(err.Error(), "Stooq sent malformed data") || !strings.Contains(err.Error(), "bad date") {
		t.Fatalf("err = %v", err)
	}
}

// step moves the clock to the poll announced by the last batch and returns the next batch.
func step(t *testing.T, clk *clock.Fake, out chan feeds.Batch, done chan error, last feeds.Batch) feeds.Batch {
	t.Helper()
	if last.Seq > 0 {
		clk.WaitForWaiters(1, nil)
		d := last.Status.Interval
		if !last.Status.NextRetry.IsZero() {
			d = last.Status.NextRetry.Sub(clk.Now())
		}
		clk.Advance(d)
	}
	select {
	case b := <-out:
		return b
	case err := <-done:
		t.Fatalf("Stream ended: %v", err)
	case <-time.After(10 * time.Second): // deadline only
		t.Fatal("no batch")
	}
	return feeds.Batch{}
}

func TestStreamFaultsAndRecovery(t *testing.T) {
	fs, f, clk := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	out, done := make(chan feeds.Batch), make(chan error, 1)
	go func() { done <- f.Stream(ctx, []string{"SPY", "IWM"}, out) }()
	defer func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Stream returned %v", err)
		}
	}()

	var b feeds.Batch
	expect := func(name string, state feeds.State, reason string) {
		t.Helper()
		b = step(t, clk, out, done, b)
		if b.Status.State != state || !strings.Contains(b.Status.LastError, reason) || b.Status.Feed != "stooq" {
			t.Fatalf("%s: %v %q, want %v with %q", name, b.Status.State, b.Status.LastError, state, reason)
		}
	}

	expect("healthy", feeds.StateOK, "")
	if len(b.Quotes) != 2 || len(b.Bars) != 0 || b.Status.Interval != 15*time.Minute {
		t.Fatalf("batch %+v", b)
	}
	q := b.Quotes[0]
	// Today's row is the running session's: price 593.05, time = now, delayed.
	if q.Symbol != "SPY" || q.Price != 593.05 || q.DayVolume != 18450300 || !q.Delayed || !q.Time.Equal(tOpen) {
		t.Fatalf("quote %+v", q)
	}
	qs := fs.seen()
	lastQuery := qs[len(qs)-1]
	if !strings.Contains(lastQuery, "d1=20261114") {
		t.Fatalf("stream query %q does not limit the range", lastQuery)
	}

	fs.set("429")
	expect("429", feeds.StateDown, "rate-limited by Stooq (HTTP 429), retry after 2m0s")
	if d := b.Status.NextRetry.Sub(clk.Now()); d != 2*time.Minute {
		t.Fatalf("NextRetry in %v", d)
	}
	fs.set("limit")
	expect("daily limit", feeds.StateDown, "Exceeded the daily hits limit")
	if d := b.Status.NextRetry.Sub(clk.Now()); d != time.Hour {
		t.Fatalf("NextRetry in %v", d)
	}
	fs.set("500")
	expect("502", feeds.StateDown, "Stooq server error (HTTP 502 Bad Gateway)")
	fs.set("html")
	expect("html", feeds.StateDown, "Stooq returned an HTML page (consent/block), not data")
	fs.set("ok")
	expect("recovered", feeds.StateOK, "")

	// After the close the quote's time is the session close.
	clk.WaitForWaiters(1, nil)
	clk.Advance(nyAt(2026, 11, 24, 16, 30).Sub(clk.Now()))
	b = step(t, clk, out, done, feeds.Batch{}) // the timer has fired: just receive
	if b.Status.State != feeds.StateOK {
		t.Fatalf("after hours: %+v", b.Status)
	}
	if !b.Quotes[0].Time.Equal(nyAt(2026, 11, 24, 16, 0)) || b.Status.Interval != time.Hour {
		t.Fatalf("after hours: quote %+v interval %v", b.Quotes[0], b.Status.Interval)
	}
}

func TestStreamUnknownSymbol(t *testing.T) {
	_, f, clk := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, done := make(chan feeds.Batch), make(chan error, 1)
	go func() { done <- f.Stream(ctx, []string{"SPY", "NOPE"}, out) }()
	b := step(t, clk, out, done, feeds.Batch{})
	if b.Status.State != feeds.StateDegraded || len(b.Quotes) != 1 || len(b.Errors) != 1 || b.Errors[0].Symbol != "NOPE" ||
		b.Errors[0].Message != `Stooq has no data for this symbol: it answered "No data" (check the ticker)` {
		t.Fatalf("batch %+v", b)
	}
}

func TestStreamSlowServer(t *testing.T) {
	fs, f, clk := newFakeTimeout(t, 300*time.Millisecond)
	fs.set("slow")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, done := make(chan feeds.Batch), make(chan error, 1)
	go func() { done <- f.Stream(ctx, []string{"SPY"}, out) }()
	b := step(t, clk, out, done, feeds.Batch{})
	if b.Status.State != feeds.StateDown || b.Status.LastError != "SPY: Stooq did not answer within 300ms" {
		t.Fatalf("slow: %+v", b.Status)
	}
	fs.set("ok")
	if b = step(t, clk, out, done, b); b.Status.State != feeds.StateOK {
		t.Fatalf("recovery: %+v", b.Status)
	}
}

// TestStreamEachFaultRecovers: each fault alone, then a healthy poll.
func TestStreamEachFaultRecovers(t *testing.T) {
	fs, f, clk := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, done := make(chan feeds.Batch), make(chan error, 1)
	go func() { done <- f.Stream(ctx, []string{"SPY"}, out) }()
	b := step(t, clk, out, done, feeds.Batch{})
	for _, tc := range []struct {
		mode   string
		state  feeds.State
		reason string
	}{
		{"429", feeds.StateDown, "rate-limited by Stooq (HTTP 429), retry after 2m0s"},
		{"limit", feeds.StateDown, "rate-limited by Stooq, retry after 1h0m0s: Exceeded the daily hits limit"}, // HTTP 200
		{"500", feeds.StateDown, "SPY: Stooq server error (HTTP 502 Bad Gateway)"},
		{"html", feeds.StateDown, "SPY: Stooq returned an HTML page (consent/block), not data"},
		{"garbage", feeds.StateDown, `SPY: Stooq sent malformed data: spy.us.csv:2: bad date "2026-13-45"`},
	} {
		fs.set(tc.mode)
		b = step(t, clk, out, done, b)
		if b.Status.State != tc.state || b.Status.LastError != tc.reason {
			t.Fatalf("%s: %v %q, want %v %q", tc.mode, b.Status.State, b.Status.LastError, tc.state, tc.reason)
		}
		fs.set("ok")
		b = step(t, clk, out, done, b)
		if b.Status.State != feeds.StateOK || len(b.Quotes) != 1 {
			t.Fatalf("after %s: not recovered: %+v", tc.mode, b.Status)
		}
	}
}
