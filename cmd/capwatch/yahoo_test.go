package main

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// yahooServer serves chart API v8 replies on loopback: daily history for
// IWM and SPY (n generated bars ending the trading day before end), a live
// 1-minute reply with the given prices, and "not found" for every other symbol.
func yahooServer(t *testing.T, end time.Time, n int, live map[string]float64) (*httptest.Server, map[string][]float64) {
	t.Helper()
	cal := calendar.NYSE()
	var days []time.Time
	for d := cal.PrevTradingDate(end); len(days) < n; d = cal.PrevTradingDate(d) {
		days = append([]time.Time{d}, days...)
	}
	closes := map[string][]float64{}
	for sym, base := range map[string]float64{"IWM": 200, "SPY": 500} {
		for i := range days {
			closes[sym] = append(closes[sym], base*(1+0.05*math.Sin(float64(i)/9+base)))
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sym := strings.TrimPrefix(r.URL.Path, "/v8/finance/chart/")
		cl, ok := closes[sym]
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}`))
			return
		}
		var ts []int64
		var o, h, l, c, v []float64
		price := cl[len(cl)-1]
		mtime := days[len(days)-1].Add(16 * time.Hour).Unix()
		if r.URL.Query().Get("interval") == "1m" {
			price = live[sym]
			open := end.Add(-30 * time.Minute)
			ts = []int64{open.Unix()}
			o, h, l, c, v = []float64{price}, []float64{price}, []float64{price}, []float64{price}, []float64{1000}
			mtime = end.Unix()
		} else {
			for i, d := range days {
				ts = append(ts, d.Add(9*time.Hour+30*time.Minute).Unix())
				o, h, l, c, v = append(o, cl[i]), append(h, cl[i]*1.01), append(l, cl[i]*0.99), append(c, cl[i]), append(v, 1e6)
			}
		}
		reply := map[string]any{"chart": map[string]any{"error": nil, "result": []any{map[string]any{
			"meta": map[string]any{"symbol": sym, "currency": "USD", "exchangeTimezoneName": "America/New_York",
				"gmtoffset": -14400, "timezone": "EDT", "regularMarketPrice": price, "regularMarketTime": mtime},
			"timestamp":  ts,
			"indicators": map[string]any{"quote": []any{map[string]any{"open": o, "high": h, "low": l, "close": c, "volume": v}}},
		}}}}
		json.NewEncoder(w).Encode(reply)
	}))
	t.Cleanup(srv.Close)
	return srv, closes
}

// jumpClock is a fake clock whose timers fire at once, moving its time
// forward by what was waited: rate limits and poll intervals cost nothing.
type jumpClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *jumpClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func TestSnapshotAndStatusFromYahoo(t *testing.T) {
	ny := calendar.Location()
	// A Saturday: the market is closed, the history is everything.
	sat := time.Date(2024, 6, 8, 11, 0, 0, 0, ny)
	srv, closes := yahooServer(t, sat, 260, nil)
	h := newHarness(t)
	h.e.Clock = &jumpClock{now: sat}
	h.e.HTTP = srv.Client()
	code, out, errOut := h.run("snapshot", "--feed", "yahoo", "--base-url", srv.URL)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	n := len(closes["IWM"])
	checkNum(t, "ratio", m["pair"].(map[string]any)["ratio"], closes["IWM"][n-1]/closes["SPY"][n-1])
	if m["as_of"] != "2024-06-07T16:00:00-04:00" || m["feed"] != "yahoo" {
		t.Errorf("as_of %v feed %v", m["as_of"], m["feed"])
	}
	if errs := m["errors"].([]any); len(errs) != 21 {
		t.Errorf("%d errors, want 21 (every symbol but IWM and SPY)", len(errs))
	}

	// In the session: the status line carries the live quote.
	tue := time.Date(2024, 6, 11, 11, 0, 0, 0, ny)
	srv2, _ := yahooServer(t, tue, 260, map[string]float64{"IWM": 210, "SPY": 525})
	h.e.Clock = &jumpClock{now: tue}
	h.e.HTTP = srv2.Client()
	code, out, errOut = h.run("status", "--feed", "yahoo", "--base-url", srv2.URL)
	want := "IWM/SPY 0.4000"
	if code != exitOK || !strings.HasPrefix(out, want) || !strings.Contains(out, "· open 5h") {
		t.Fatalf("status: exit %d %q %s, want prefix %q", code, out, errOut, want)
	}
}

// TestYahooHistoryIsCached: the first run keeps the daily history under the
// user cache directory; a later run whose server is gone still computes the
// snapshot from the cache and says the history may be stale.
func TestYahooHistoryIsCached(t *testing.T) {
	ny := calendar.Location()
	sat := time.Date(2024, 6, 8, 11, 0, 0, 0, ny)
	srv, closes := yahooServer(t, sat, 260, nil)
	h := newHarness(t)
	h.e.Clock = &jumpClock{now: sat}
	h.e.HTTP = srv.Client()
	if code, _, errOut := h.run("snapshot", "--feed", "yahoo", "--base-url", srv.URL); code != exitOK {
		t.Fatalf("first run: exit %d: %s", code, errOut)
	}
	cached, _ := filepath.Glob(filepath.Join(h.e.CacheDir, "capwatch", "history", "yahoo", "*"))
	if len(cached) < 2 {
		t.Fatalf("cache files after the first run: %v, want IWM and SPY", cached)
	}
	srv.Close()
	code, out, errOut := h.run("snapshot", "--feed", "yahoo", "--base-url", srv.URL)
	if code != exitOK {
		t.Fatalf("run from the cache: exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	n := len(closes["IWM"])
	checkNum(t, "ratio from the cache", m["pair"].(map[string]any)["ratio"], closes["IWM"][n-1]/closes["SPY"][n-1])
	if !strings.Contains(out, "history may be stale") {
		t.Errorf("the snapshot does not say the cached history may be stale:\n%.600s", out)
	}
}

// TestStatusGivesUpWithinItsBudget: tmux runs `capwatch status` every few
// seconds; against a server that never answers it must give up within its
// budget, print the last known line marked down, and exit 1 — not pile up.
// Errors of a one-shot command name that command.
func TestStatusGivesUpWithinItsBudget(t *testing.T) {
	ny := calendar.Location()
	tue := time.Date(2024, 6, 11, 11, 0, 0, 0, ny)
	srv, _ := yahooServer(t, tue, 260, map[string]float64{"IWM": 210, "SPY": 525})
	target, _ := url.Parse(srv.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var hanging atomic.Bool
	release := make(chan struct{})
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hanging.Load() {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { close(release); front.Close() })

	h := newHarness(t)
	h.e.Clock = &jumpClock{now: tue}
	h.e.HTTP = front.Client()
	if code, _, errOut := h.run("status", "--feed", "yahoo", "--base-url", front.URL); code != exitOK {
		t.Fatalf("first status: exit %d: %s", code, errOut)
	}

	hanging.Store(true)
	h.e.StatusBudget = 300 * time.Millisecond
	h.e.Clock = &jumpClock{now: tue.Add(5 * time.Minute)} // the cached line has expired
	start := time.Now()
	code, out, errOut := h.run("status", "--feed", "yahoo", "--base-url", front.URL)
	if el := time.Since(start); el > 10*time.Second {
		t.Fatalf("status took %v against a hanging server (budget 300ms)", el)
	}
	if code != exitFailure || !strings.HasPrefix(out, "IWM/SPY 0.4000") || !strings.Contains(out, "· yahoo down") {
		t.Fatalf("status against a hanging server: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Said once (not "Yahoo did not answer within 8s (no answer from yahoo
	// within 8s)"), without doubled prefixes.
	if !strings.Contains(errOut, "status: yahoo: history: Yahoo did not answer within 300ms") ||
		strings.Count(errOut, "answer") != 1 || strings.Count(errOut, "history") != 1 {
		t.Errorf("stderr %q does not say what happened, once", errOut)
	}
}
