package yahoo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/clock"
)

// Tuesday 2026-11-24 10:15 New York: the regular session is open.
var tOpen = nyAt(2026, 11, 24, 10, 15, 0)

// fakeYahoo serves the chart API from a script the test changes between polls.
type fakeYahoo struct {
	t       *testing.T
	clk     *clock.Fake
	mu      sync.Mutex
	mode    string          // "ok", "429", "429-date", "429-bare", "500", "html", "truncated", "slow", "nulls", "lagging"
	unknown map[string]bool // symbols answered with the JSON error object (HTTP 404)
	queries []string
	release chan struct{}
}

func (f *fakeYahoo) set(mode string) { f.mu.Lock(); f.mode = mode; f.mu.Unlock() }

// seen is a copy of the queries so far. A load that gives up early (an
// HTML page is known) may return while a request it no longer waits for
// is still being served, so the list is read under the lock.
func (f *fakeYahoo) seen() []string { f.mu.Lock(); defer f.mu.Unlock(); return slices.Clone(f.queries) }

func (f *fakeYahoo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	mode := f.mode
	sym, ok := strings.CutPrefix(r.URL.Path, "/v8/finance/chart/")
	unknown := f.unknown[sym]
	f.queries = append(f.queries, sym+"?"+r.URL.RawQuery)
	f.mu.Unlock()
	now := f.clk.Now()
	if !ok || r.Header.Get("User-Agent") == "" || strings.HasPrefix(r.Header.Get("User-Agent"), "Go-http-client") {
		http.Error(w, "bad request", 400)
		return
	}
	if sym == "EVIL" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		w.Write([]byte(`{"chart":{"result":null,"error":{"code":"Not Found","description":"\u001b]52;c;cm0gLXJmIH4=\u0007gone\u001b[2J\u009b31m\r\nnow"}}}`))
		return
	}
	if unknown {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(404)
		w.Write(readFixture(f.t, "chart_notfound.json"))
		return
	}
	switch mode {
	case "429":
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(429)
		return
	case "429-date":
		w.Header().Set("Retry-After", now.Add(2*time.Minute).UTC().Format(http.TimeFormat))
		w.WriteHeader(429)
		return
	case "429-bare":
		w.WriteHeader(429)
		w.Write([]byte("Too Many Requests\r\n"))
		return
	case "500":
		http.Error(w, `{"finance":{"error":{"code":"internal-error"}}}`, 500)
		return
	case "html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(readFixture(f.t, "consent.html"))
		return
	case "slow":
		select { // slower than the client's timeout
		case <-r.Context().Done():
		case <-f.release:
		}
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	interval := r.URL.Query().Get("interval")
	var body []byte
	switch {
	case interval == "1d" && sym == "IWM":
		body = readFixture(f.t, "chart_daily_iwm.json")
	case interval == "1d":
		body = dailyJSON(sym, 10)
	default:
		mtime := now
		if mode == "lagging" {
			mtime = now.Add(-5 * time.Minute)
		}
		body = intradayJSON(sym, mtime, mode == "nulls")
	}
	if mode == "truncated" {
		body = body[:len(body)*2/3]
	}
	w.Write(body)
}

// chart renders a chart reply (nil slice entries become JSON null).
func chart(meta map[string]any, ts []int64, o, h, l, c, v []any) []byte {
	doc := map[string]any{"chart": map[string]any{"result": []any{map[string]any{
		"meta": meta, "timestamp": ts,
		"indicators": map[string]any{"quote": []any{map[string]any{"open": o, "high": h, "low": l, "close": c, "volume": v}}},
	}}, "error": nil}}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

// dailyJSON: n daily bars ending Monday 2026-11-23, close 100+i.
func dailyJSON(sym string, n int) []byte {
	var ts []int64
	var o, h, l, c, v []any
	d := nyAt(2026, 11, 23, 9, 30, 0)
	for len(ts) < n {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			ts = append([]int64{d.Unix()}, ts...)
		}
		d = d.AddDate(0, 0, -1)
	}
	for i := range ts {
		p := 100 + float64(i)
		o, h, l, c, v = append(o, p-0.5), append(h, p+1), append(l, p-1), append(c, p), append(v, 1e6)
	}
	return chart(map[string]any{"symbol": sym, "regularMarketPrice": 109.0, "exchangeTimezoneName": "America/New_York"}, ts, o, h, l, c, v)
}

// intradayJSON: 1-minute bars from 09:30 to mtime's minute; price 50 + minutes.
// With nulls, bar 1 is all null and bar 2 has a zero close.
func intradayJSON(sym string, mtime time.Time, nulls bool) []byte {
	var ts []int64
	var o, h, l, c, v []any
	open := nyAt(2026, 11, 24, 9, 30, 0)
	last := 0.0
	for t, i := open, 0; !t.After(mtime); t, i = t.Add(time.Minute), i+1 {
		p := 50 + float64(i)
		ts = append(ts, t.Unix())
		switch {
		case nulls && i == 1:
			o, h, l, c, v = append(o, nil), append(h, nil), append(l, nil), append(c, nil), append(v, nil)
		case nulls && i == 2:
			o, h, l, c, v = append(o, p), append(h, p), append(l, p), append(c, 0.0), append(v, 10.0)
		default:
			o, h, l, c, v = append(o, p), append(h, p+0.5), append(l, p-0.5), append(c, p+0.25), append(v, 100.0)
		}
		last = p + 0.25
	}
	meta := map[string]any{"symbol": sym, "regularMarketPrice": last, "regularMarketTime": mtime.Unix(),
		"regularMarketVolume": 123456.0, "exchangeTimezoneName": "America/New_York", "dataGranularity": "1m", "range": "1d"}
	return chart(meta, ts, o, h, l, c, v)
}

func newFake(t *testing.T) (*fakeYahoo, *Feed, *clock.Fake) {
	t.Helper()
	return newFakeTimeout(t, 10*time.Second)
}

// newFakeTimeout sets the per-request timeout (real time: it is a network
// timeout). Only the slow-server test uses a short one.
func newFakeTimeout(t *testing.T, timeout time.Duration) (*fakeYahoo, *Feed, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(tOpen)
	fy := &fakeYahoo{t: t, clk: clk, mode: "ok", unknown: map[string]bool{}, release: make(chan struct{})}
	srv := httptest.NewServer(fy)
	t.Cleanup(func() { close(fy.release); srv.Close() })
	f, err := New(Options{FeedOptions: httpx.FeedOptions{BaseURL: srv.URL, Client: srv.Client(), Clock: clk, RatePerSec: 1000, Burst: 100,
		Timeout: timeout, Rand: func() float64 { return 0.5 }}})
	if err != nil {
		t.Fatal(err)
	}
	return fy, f, clk
}

func TestNewValidates(t *testing.T) {
	for name, o := range map[string]Options{
		"bad url":    {FeedOptions: httpx.FeedOptions{BaseURL: "ftp://x"}},
		"no host":    {FeedOptions: httpx.FeedOptions{BaseURL: "http://"}},
		"bad range":  {HistoryRange: "3y"},
		"fast poll":  {FeedOptions: httpx.FeedOptions{PollOpen: time.Millisecond}},
		"neg rate":   {FeedOptions: httpx.FeedOptions{RatePerSec: -1}},
		"neg burst":  {FeedOptions: httpx.FeedOptions{Burst: -1}},
		"neg budget": {FeedOptions: httpx.FeedOptions{MaxBody: -1}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "yahoo: new: ") {
			t.Errorf("%s: error %q lacks the operation", name, err)
		}
	}
	f, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "yahoo" || f.Kind() != feeds.KindLive {
		t.Fatal("name/kind")
	}
}

func TestHistory(t *testing.T) {
	fy, f, _ := newFake(t)
	fy.unknown["NOPE"] = true
	h, err := f.History(context.Background(), []string{"IWM", "SPY", "NOPE"})
	if err != nil {
		t.Fatal(err)
	}
	// The fixture's five valid bars minus today's unfinished one (the clock is mid-session).
	iwm := h.Daily["IWM"]
	if len(iwm) != 4 || iwm[3].Date() != "2026-11-23" || iwm[3].Close != 241.77 {
		t.Fatalf("IWM: %+v", iwm)
	}
	if spy := h.Daily["SPY"]; len(spy) != 10 || spy[0].Close != 100 || spy[9].Date() != "2026-11-23" {
		t.Fatalf("SPY: %+v", spy)
	}
	if len(h.Errors) != 1 || h.Errors[0].Symbol != "NOPE" ||
		h.Errors[0].Message != "Yahoo has no such symbol (HTTP 404): Not Found: No data found, symbol may be delisted" {
		t.Fatalf("errors: %+v", h.Errors)
	}
	if _, ok := h.Daily["NOPE"]; ok {
		t.Fatal("NOPE has history")
	}
	for _, q := range fy.seen() {
		if !strings.Contains(q, "interval=1d") || !strings.Contains(q, "range=2y") {
			t.Fatalf("query %q", q)
		}
	}
}

// TestSanitisedMessages: escape sequences in the service's error text (OSC 52
// clipboard write, CSI, C1, CR/LF) never reach a SymbolError or a Status.
func TestSanitisedMessages(t *testing.T) {
	_, f, clk := newFake(t)
	h, err := f.History(context.Background(), []string{"EVIL", "SPY"})
	if err != nil {
		t.Fatal(err)
	}
	want := "Yahoo has no such symbol (HTTP 404): Not Found: gone now"
	if len(h.Errors) != 1 || h.Errors[0].Message != want {
		t.Fatalf("history errors %q, want %q", h.Errors, want)
	}
	s := startStream(t, f, clk, []string{"EVIL"})
	b := s.next()
	if b.Status.LastError != "EVIL: "+want || b.Errors[0].Message != want {
		t.Fatalf("stream: status %q errors %q", b.Status.LastError, b.Errors)
	}
}

func TestHistoryKeepsTodayAfterClose(t *testing.T) {
	_, f, clk := newFake(t)
	clk.Advance(6 * time.Hour) // 16:15: today's bar is final
	h, err := f.History(context.Background(), []string{"IWM"})
	if err != nil {
		t.Fatal(err)
	}
	if iwm := h.Daily["IWM"]; len(iwm) != 5 || iwm[4].Date() != "2026-11-24" {
		t.Fatalf("IWM: %+v", iwm)
	}
}

func TestHistoryTotalFailure(t *testing.T) {
	fy, f, _ := newFake(t)
	fy.set("html")
	h, err := f.History(context.Background(), []string{"IWM", "SPY"})
	if err == nil || !strings.Contains(err.Error(), "Yahoo returned an HTML page (consent/block), not data") {
		t.Fatalf("err = %v", err)
	}
	// Not retried, and the other symbol is not asked once the page is
	// known (it may already be in flight).
	if n := len(fy.seen()); len(h.Errors) != 2 || n < 1 || n > 2 || h.Errors[1].Message != h.Errors[0].Message {
		t.Fatalf("errors %+v, %d requests (an HTML page is not retried)", h.Errors, n)
	}
}

// TestHistoryRetries: a 500 and a 429 are retried on the fake clock.
func TestHistoryRetries(t *testing.T) {
	fy, f, clk := newFake(t)
	fy.set("500")
	done := make(chan struct{})
	var h feeds.History
	var err error
	go func() { defer close(done); h, err = f.History(context.Background(), []string{"SPY"}) }()
	clk.WaitForWaiters(1, done) // the backoff wait after the 500
	fy.set("429")
	clk.Advance(5 * time.Second)
	clk.WaitForWaiters(1, done) // the Retry-After wait after the 429
	fy.set("ok")
	clk.Advance(30 * time.Second)
	<-done
	if err != nil || len(h.Daily["SPY"]) != 10 {
		t.Fatalf("history %+v err %v", h, err)
	}
	if n := len(fy.seen()); n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
}

func TestHistoryCanceled(t *testing.T) {
	_, f, _ := newFake(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.History(ctx, []string{"SPY"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// streamer runs Stream and lets the test step through polls.
type streamer struct {
	t    *testing.T
	clk  *clock.Fake
	out  chan feeds.Batch
	done chan error
	last feeds.Batch
}

func startStream(t *testing.T, f *Feed, clk *clock.Fake, syms []string) *streamer {
	ctx, cancel := context.WithCancel(context.Background())
	s := &streamer{t: t, clk: clk, out: make(chan feeds.Batch), done: make(chan error, 1)}
	go func() { s.done <- f.Stream(ctx, syms, s.out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-s.done; !errors.Is(err, context.Canceled) {
			t.Errorf("Stream returned %v", err)
		}
	})
	return s
}

// next waits for the next batch, first moving the clock to the time the
// previous batch announced (NextRetry, else Interval).
func (s *streamer) next() feeds.Batch {
	s.t.Helper()
	if s.last.Seq > 0 {
		s.clk.WaitForWaiters(1, nil)
		d := s.last.Status.Interval
		if !s.last.Status.NextRetry.IsZero() {
			d = s.last.Status.NextRetry.Sub(s.clk.Now())
		}
		s.clk.Advance(d)
	}
	select {
	case b := <-s.out:
		s.last = b
		return b
	case err := <-s.done:
		s.t.Fatalf("Stream ended: %v", err)
	case <-time.After(10 * time.Second): // deadline only
		s.t.Fatal("no batch")
	}
	return feeds.Batch{}
}

func TestStreamFaultsAndRecovery(t *testing.T) {
	fy, f, clk := newFake(t)
	syms := []string{"IWM", "SPY"}
	s := startStream(t, f, clk, syms)

	expect := func(step string, state feeds.State, reason string) feeds.Batch {
		t.Helper()
		b := s.next()
		if b.Status.State != state || !strings.Contains(b.Status.LastError, reason) || b.Status.Feed != "yahoo" {
			t.Fatalf("%s: status %v %q, want %v containing %q", step, b.Status.State, b.Status.LastError, state, reason)
		}
		if state != feeds.StateOK && b.Status.NextRetry.IsZero() {
			t.Fatalf("%s: no NextRetry", step)
		}
		return b
	}

	b := expect("healthy", feeds.StateOK, "")
	if len(b.Quotes) != 2 || b.Status.Interval != 15*time.Second {
		t.Fatalf("healthy batch: %+v", b)
	}
	q := b.Quotes[0]
	// 09:30 → 10:15 is 46 bars; the last close is 50+45+0.25.
	if q.Symbol != "IWM" || q.Price != 95.25 || q.DayVolume != 123456 || !q.Time.Equal(tOpen) || q.Delayed || !q.Received.Equal(tOpen) {
		t.Fatalf("quote %+v", q)
	}
	if len(b.Bars) != 2*46 || b.Bars[0].Symbol != "IWM" || !b.Bars[0].Time.Equal(nyAt(2026, 11, 24, 9, 30, 0)) {
		t.Fatalf("bars: %d, first %+v", len(b.Bars), b.Bars[0])
	}

	fy.set("429")
	b = expect("429 Retry-After seconds", feeds.StateDown, "rate-limited by Yahoo (HTTP 429), retry after 30s")
	if got := b.Status.NextRetry.Sub(clk.Now()); got != 30*time.Second {
		t.Fatalf("NextRetry in %v, want 30s", got)
	}
	fy.set("429-date")
	b = expect("429 Retry-After date", feeds.StateDown, "retry after 2m0s")
	if got := b.Status.NextRetry.Sub(clk.Now()); got != 2*time.Minute {
		t.Fatalf("NextRetry in %v, want 2m", got)
	}
	fy.set("429-bare")
	b = expect("429 bare", feeds.StateDown, "rate-limited by Yahoo (HTTP 429)")
	// third failed poll in a row: full jitter 0.5 × 5s·2² = 10s
	if got := b.Status.NextRetry.Sub(clk.Now()); got != 10*time.Second {
		t.Fatalf("NextRetry in %v, want 10s", got)
	}

	fy.set("500")
	expect("500", feeds.StateDown, "Yahoo server error (HTTP 500")
	fy.set("html")
	expect("consent page", feeds.StateDown, "Yahoo returned an HTML page (consent/block), not data")
	fy.set("truncated")
	expect("truncated JSON", feeds.StateDown, "Yahoo sent malformed data: unexpected end of JSON input")
	fy.set("ok")
	b = expect("recovered", feeds.StateOK, "")
	if len(b.Quotes) != 2 || !b.Status.LastSuccess.Equal(clk.Now()) || !b.Status.NextRetry.IsZero() {
		t.Fatalf("recovered batch: %+v", b.Status)
	}

	fy.mu.Lock()
	fy.unknown["SPY"] = true
	fy.mu.Unlock()
	b = expect("unknown symbol", feeds.StateDegraded, "SPY: Yahoo has no such symbol")
	if len(b.Quotes) != 1 || len(b.Errors) != 1 || b.Errors[0].Symbol != "SPY" ||
		!strings.Contains(b.Errors[0].Message, "No data found, symbol may be delisted") {
		t.Fatalf("unknown symbol batch: quotes %d errors %+v", len(b.Quotes), b.Errors)
	}
	fy.mu.Lock()
	delete(fy.unknown, "SPY")
	fy.mu.Unlock()

	fy.set("nulls")
	b = expect("nulls and zeros", feeds.StateOK, "")
	n := 0
	for _, bar := range b.Bars {
		if bar.Symbol == "IWM" {
			n++
			if bar.Close <= 0 {
				t.Fatalf("zero price kept: %+v", bar)
			}
		}
	}
	if want := (int(clk.Now().Sub(nyAt(2026, 11, 24, 9, 30, 0))/time.Minute) + 1) - 2; n != want {
		t.Fatalf("IWM bars %d, want %d (two dropped)", n, want)
	}

	fy.set("lagging")
	b = expect("lagging", feeds.StateOK, "")
	if !b.Quotes[0].Delayed {
		t.Fatal("a quote 5 minutes old during the session is not marked Delayed")
	}
}

// TestStreamSlowServer: a server slower than the timeout → Down with the
// reason; healthy again → OK.
func TestStreamSlowServer(t *testing.T) {
	fy, f, clk := newFakeTimeout(t, 300*time.Millisecond)
	fy.set("slow")
	s := startStream(t, f, clk, []string{"IWM", "SPY"})
	b := s.next()
	if b.Status.State != feeds.StateDown || b.Status.LastError != "Yahoo did not answer within 300ms" {
		t.Fatalf("slow: %+v", b.Status)
	}
	fy.set("ok")
	if b := s.next(); b.Status.State != feeds.StateOK || len(b.Quotes) != 2 {
		t.Fatalf("recovery: %+v", b.Status)
	}
}

// TestStreamClosedSleepsUntilOpen: on Saturday the feed polls once and then
// sleeps until Monday's open.
func TestStreamClosedSleepsUntilOpen(t *testing.T) {
	fy, f, clk := newFake(t)
	clk.Advance(nyAt(2026, 11, 28, 12, 0, 0).Sub(tOpen))
	s := startStream(t, f, clk, []string{"IWM"})
	b := s.next()
	if b.Status.State != feeds.StateOK {
		t.Fatalf("status %+v", b.Status)
	}
	if want := nyAt(2026, 11, 30, 9, 30, 0).Sub(clk.Now()); b.Status.Interval != want {
		t.Fatalf("Interval %v, want %v", b.Status.Interval, want)
	}
	if b.Quotes[0].Delayed {
		t.Fatal("an old quote outside the session is not delayed data")
	}
	clk.WaitForWaiters(1, nil)
	clk.Advance(b.Status.Interval - time.Second)
	n := len(fy.seen())
	if n != 1 || clk.Waiters() != 1 {
		t.Fatalf("polled while closed: %d requests", n)
	}
	s.last.Status.Interval = time.Second
	if b := s.next(); b.Seq != 2 {
		t.Fatalf("no poll at the open: %+v", b)
	}
}

func ExampleNew() {
	f, err := New(Options{HistoryRange: "max"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Name(), f.Kind())
	// Output: yahoo live
}

// TestStreamEachFaultRecovers: every fault on its own ends in the right
// status, and the next poll against a healthy server is OK again.
func TestStreamEachFaultRecovers(t *testing.T) {
	fy, f, clk := newFake(t)
	s := startStream(t, f, clk, []string{"IWM", "SPY"})
	if b := s.next(); b.Status.State != feeds.StateOK {
		t.Fatalf("start: %+v", b.Status)
	}
	for _, tc := range []struct {
		mode   string
		state  feeds.State
		reason string
	}{
		{"429", feeds.StateDown, "rate-limited by Yahoo (HTTP 429), retry after 30s"},
		{"429-date", feeds.StateDown, "rate-limited by Yahoo (HTTP 429), retry after 2m0s"},
		{"429-bare", feeds.StateDown, "rate-limited by Yahoo (HTTP 429)"},
		{"500", feeds.StateDown, "Yahoo server error (HTTP 500 Internal Server Error): internal-error"},
		{"html", feeds.StateDown, "Yahoo returned an HTML page (consent/block), not data"},
		{"truncated", feeds.StateDown, "Yahoo sent malformed data: unexpected end of JSON input"},
		{"nulls", feeds.StateOK, ""},
	} {
		fy.set(tc.mode)
		b := s.next()
		if b.Status.State != tc.state || b.Status.LastError != tc.reason {
			t.Fatalf("%s: %v %q, want %v %q", tc.mode, b.Status.State, b.Status.LastError, tc.state, tc.reason)
		}
		if tc.state != feeds.StateOK && (b.Status.NextRetry.IsZero() || len(b.Errors) != 2) {
			t.Fatalf("%s: NextRetry %v, errors %v", tc.mode, b.Status.NextRetry, b.Errors)
		}
		fy.set("ok")
		b = s.next()
		if b.Status.State != feeds.StateOK || b.Status.LastError != "" || len(b.Quotes) != 2 || !b.Status.LastSuccess.Equal(clk.Now()) {
			t.Fatalf("after %s: not recovered: %+v", tc.mode, b.Status)
		}
	}
}
