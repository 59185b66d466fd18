package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/nettest"
)

// limitedYahoo is a chart API v8 server on loopback that enforces a rate
// limit on the fake clock (a token bucket of 5 refilled at 2/s: HTTP 429
// beyond it) and counts the history and quote requests per symbol. Every
// symbol has daily bars up to the last session closed by the clock's now,
// except HALT (halted: its bars end in October), the symbols in gone (HTTP
// 404, as a delisted symbol) and everything while down (HTTP 503).
type limitedYahoo struct {
	now func() time.Time // the fake clock's
	srv *httptest.Server

	mu        sync.Mutex
	tokens    float64
	at        time.Time
	history   map[string]int
	quotes    map[string]int
	throttled int
	gone      map[string]bool
	down      bool
}

func newLimitedYahoo(t *testing.T, now func() time.Time) *limitedYahoo {
	y := &limitedYahoo{now: now, tokens: 5, at: now(), history: map[string]int{}, quotes: map[string]int{}, gone: map[string]bool{}}
	y.srv = httptest.NewServer(http.HandlerFunc(y.serve))
	t.Cleanup(y.srv.Close)
	return y
}

// base is a symbol's price level (deterministic).
func base(sym string) float64 {
	h := fnv.New32a()
	h.Write([]byte(sym))
	return 20 + float64(h.Sum32()%400)
}

// quotePrice is the live price the server quotes for sym.
func quotePrice(sym string) float64 { return math.Round(base(sym)*101) / 100 }

func (y *limitedYahoo) serve(w http.ResponseWriter, r *http.Request) {
	now := y.now()
	sym := strings.TrimPrefix(r.URL.Path, "/v8/finance/chart/")
	q := r.URL.Query()
	live := q.Get("interval") == "1m"
	y.mu.Lock()
	y.tokens = min(5, y.tokens+2*now.Sub(y.at).Seconds())
	y.at = now
	if y.tokens < 1 {
		y.throttled++
		y.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
		return
	}
	y.tokens--
	if live {
		y.quotes[sym]++
	} else {
		y.history[sym]++
	}
	down, gone := y.down, y.gone[sym]
	y.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case down:
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"chart":{"result":null,"error":{"code":"Internal Server Error","description":"down"}}}`))
		return
	case gone:
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}`))
		return
	}
	ny := calendar.Location()
	cal := calendar.NYSE()
	var ts []int64
	var o, hi, lo, c, v []float64
	price, mtime := quotePrice(sym), now.Truncate(time.Second).Unix()
	if live {
		ts = []int64{now.Truncate(time.Minute).Unix()}
		o, hi, lo, c, v = []float64{price}, []float64{price}, []float64{price}, []float64{price}, []float64{1000}
	} else {
		last := now
		if sym == "HALT" {
			last = time.Date(2026, 10, 23, 18, 0, 0, 0, ny)
		}
		p1, _ := strconv.ParseInt(q.Get("period1"), 10, 64)
		p2, err := strconv.ParseInt(q.Get("period2"), 10, 64)
		if err != nil {
			p2 = math.MaxInt64
		}
		i := 0
		for d := time.Date(2025, 6, 2, 0, 0, 0, 0, ny); ; d = cal.NextTradingDate(d) {
			open, cl, _ := cal.Session(d)
			if cl.After(last) {
				break
			}
			i++
			if open.Unix() < p1 || open.Unix() >= p2 {
				continue
			}
			px := base(sym) * (1 + 0.03*math.Sin(float64(i)/7))
			ts = append(ts, open.Unix())
			o, hi, lo, c, v = append(o, px), append(hi, px*1.01), append(lo, px*0.99), append(c, px), append(v, 1e6)
			price, mtime = px, cl.Unix()
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"chart": map[string]any{"error": nil, "result": []any{map[string]any{
		"meta": map[string]any{"symbol": sym, "currency": "USD", "exchangeTimezoneName": "America/New_York",
			"gmtoffset": -18000, "timezone": "EST", "regularMarketPrice": price, "regularMarketTime": mtime},
		"timestamp":  ts,
		"indicators": map[string]any{"quote": []any{map[string]any{"open": o, "high": hi, "low": lo, "close": c, "volume": v}}},
	}}}})
}

// take returns and resets the request counts.
func (y *limitedYahoo) take() (history, quotes map[string]int) {
	y.mu.Lock()
	defer y.mu.Unlock()
	history, quotes = y.history, y.quotes
	y.history, y.quotes = map[string]int{}, map[string]int{}
	return history, quotes
}

// statusRig runs `capwatch status` as tmux does, with 40 symbols in the
// config, against limitedYahoo.
type statusRig struct {
	t    *testing.T
	h    *harness
	mu   sync.Mutex
	clk  *clock.Fake // this call's clock (a new one per call: none of an earlier call's timers is left on it)
	y    *limitedYahoo
	cfg  string
	syms []string
}

func newStatusRig(t *testing.T, start time.Time) *statusRig {
	r := &statusRig{t: t, h: newHarness(t), clk: clock.NewFake(start)}
	r.y = newLimitedYahoo(t, r.now)
	// The default configuration's symbols with a watchlist that brings them
	// to 40.
	r.cfg = filepath.Join(t.TempDir(), "config.toml")
	write := func(extras []string) []string {
		quoted := make([]string, len(extras))
		for i, s := range extras {
			quoted[i] = strconv.Quote(s)
		}
		writeFile(t, r.cfg, "feed = \"yahoo\"\n\n[log]\nlevel = \"debug\"\n\n[watchlist]\nsymbols = ["+strings.Join(quoted, ", ")+"]\n", 0o600)
		l, err := config.Load(r.cfg, func(string) string { return "" }, "")
		if err != nil {
			t.Fatal(err)
		}
		return l.Config.Engine().Symbols()
	}
	extras := []string{"QQQ", "HALT", "DELIST", "GONE"}
	for i, n := 1, len(write(extras)); n < 40; i, n = i+1, n+1 {
		extras = append(extras, fmt.Sprintf("W%02d", i))
	}
	r.syms = write(extras)
	if len(r.syms) != 40 {
		t.Fatalf("%d symbols in the config, want 40: %v", len(r.syms), r.syms)
	}
	r.h.e.HTTP = r.y.srv.Client()
	// The real-time bound of one call: if it needed more than 2 s of the
	// rate limit (see status), it waits for a clock that no longer moves
	// and gives up here, printing "yahoo down".
	r.h.e.StatusBudget = 3 * time.Second
	return r
}

// status runs one `capwatch status`. Meanwhile the fake clock moves 100 ms
// at a time whenever something waits on it (the client's rate limiter,
// the feed's poll), but 2 s at most: a call that needs longer cannot
// finish.
func (r *statusRig) status() (code int, out, errOut string) {
	r.t.Helper()
	r.mu.Lock()
	clk := clock.NewFake(r.clk.Now())
	r.clk = clk
	r.mu.Unlock()
	r.h.e.Clock = clk
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for moved := time.Duration(0); moved < 2*time.Second; moved += 100 * time.Millisecond {
			if !clk.WaitForWaiters(1, done) {
				return
			}
			clk.Advance(100 * time.Millisecond)
		}
	})
	code, out, errOut = r.h.run("status", "--config", r.cfg, "--base-url", r.y.srv.URL)
	close(done)
	wg.Wait()
	return code, out, errOut
}

// now is the current call's clock.
func (r *statusRig) now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clk.Now()
}

// wait moves the clock by d (tmux calls again later).
func (r *statusRig) wait(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clk = clock.NewFake(r.clk.Now().Add(d))
}

// at moves the clock to t.
func (r *statusRig) at(t time.Time) { r.wait(t.Sub(r.now())) }

// TestStatusAsksOnlyWhatTheLineNeeds: `capwatch status` with 40 symbols
// against a rate-limited Yahoo answers every call within 2 s of the rate
// limit (never "down", never throttled): it asks the pair's quotes, and
// each symbol's history at most once per session, judged by when it was
// fetched — a halted symbol (bars ending in October) and a delisted one
// (cached, now 404) are not asked again in the session.
func TestStatusAsksOnlyWhatTheLineNeeds(t *testing.T) {
	ny := calendar.Location()
	r := newStatusRig(t, time.Date(2026, 11, 24, 18, 0, 0, 0, ny)) // Tuesday, after the close
	r.y.gone["GONE"] = true                                        // never existed: a typo in the watchlist
	histTotal := map[string]int{}
	callOK := func(when string) string {
		t.Helper()
		code, out, errOut := r.status()
		if code != exitOK || strings.Contains(out, "down") || !strings.HasPrefix(out, "IWM/SPY ") {
			log, _ := os.ReadFile(filepath.Join(r.h.e.CacheDir, "capwatch", "capwatch.log"))
			t.Fatalf("%s: exit %d, stdout %q, stderr %q\nlog:\n%s", when, code, out, errOut, log)
		}
		return out
	}
	pairQuotes := func(when string, quotes map[string]int) {
		t.Helper()
		if len(quotes) != 2 || quotes["IWM"] != 1 || quotes["SPY"] != 1 {
			t.Fatalf("%s: quotes asked %v, want IWM and SPY once", when, quotes)
		}
	}

	// An empty cache fills a few symbols per call, the pair first.
	for call := 1; ; call++ {
		when := fmt.Sprintf("Tuesday call %d", call)
		callOK(when)
		hist, quotes := r.y.take()
		pairQuotes(when, quotes)
		if call == 1 && (hist["IWM"] != 1 || hist["SPY"] != 1) {
			t.Fatalf("first call asked history %v, want the pair's among them", hist)
		}
		if n := len(hist); n > 4 {
			t.Fatalf("%s asked %d symbols' history, want at most 4: %v", when, n, hist)
		}
		for s, n := range hist {
			histTotal[s] += n
		}
		loaded := 0
		for _, s := range r.syms {
			if histTotal[s] > 0 {
				loaded++
			}
		}
		if loaded == len(r.syms) {
			break
		}
		if call == 30 {
			t.Fatalf("after %d calls history asked for %d of %d symbols: %v", call, loaded, len(r.syms), histTotal)
		}
		r.wait(61 * time.Second) // tmux, after the 60 s status cache
	}
	for _, s := range r.syms {
		if s != "GONE" && histTotal[s] != 1 {
			t.Errorf("Tuesday: %s's history asked %d times, want once", s, histTotal[s])
		}
	}

	// Wednesday's session: quotes for the pair, no history at all (the
	// never-loaded GONE at most on its doubling backoff).
	r.at(time.Date(2026, 11, 25, 10, 0, 0, 0, ny))
	gone := 0
	for call := 1; call <= 10; call++ {
		when := fmt.Sprintf("Wednesday 10:%02d", call-1)
		out := callOK(when)
		hist, quotes := r.y.take()
		pairQuotes(when, quotes)
		gone += hist["GONE"]
		delete(hist, "GONE")
		if len(hist) > 0 {
			t.Fatalf("%s: history asked %v during the session", when, hist)
		}
		want := fmt.Sprintf("IWM/SPY %.4f", quotePrice("IWM")/quotePrice("SPY"))
		if !strings.HasPrefix(out, want) || !strings.Contains(out, "open") {
			t.Fatalf("%s: %q, want %q… with the session open", when, out, want)
		}
		r.wait(61 * time.Second)
	}
	if gone > 4 {
		t.Errorf("GONE (404) asked %d times in 10 calls, want it backed off", gone)
	}

	// After Wednesday's close: each symbol once more (DELIST now fails,
	// HALT still has only October's bars), then nothing.
	r.y.gone["DELIST"] = true
	r.at(time.Date(2026, 11, 25, 16, 5, 0, 0, ny))
	clear(histTotal)
	for call := 1; call <= 14; call++ {
		callOK(fmt.Sprintf("Wednesday after the close, call %d", call))
		hist, _ := r.y.take()
		for s, n := range hist {
			histTotal[s] += n
		}
		r.wait(61 * time.Second)
	}
	for _, s := range r.syms {
		if s != "GONE" && histTotal[s] != 1 {
			t.Errorf("after Wednesday's close: %s's history asked %d times, want once", s, histTotal[s])
		}
	}
	if r.y.throttled > 0 {
		t.Errorf("the server throttled %d requests", r.y.throttled)
	}
}

// TestStatusCachesFailures: when the line cannot be computed (nothing
// cached, the feed down), the failure is cached for the TTL like a line:
// tmux's next calls print "down" without asking the network.
func TestStatusCachesFailures(t *testing.T) {
	ny := calendar.Location()
	r := newStatusRig(t, time.Date(2026, 11, 25, 10, 0, 0, 0, ny))
	r.y.down = true
	r.h.e.StatusBudget = 300 * time.Millisecond // it fails anyway: do not wait 3 s for it
	failedAt := r.now()
	for i, wait := range []time.Duration{0, 30 * time.Second, 20 * time.Second} {
		r.wait(wait)
		code, out, errOut := r.status()
		if code != exitFailure || out != "capwatch: yahoo down\n" || errOut == "" {
			t.Fatalf("call %d: exit %d, stdout %q, stderr %q", i+1, code, out, errOut)
		}
		hist, quotes := r.y.take()
		if asked := len(hist) + len(quotes); (i == 0) != (asked > 0) {
			t.Fatalf("call %d (%v after the failure): %d symbols asked, want %v", i+1, r.now().Sub(failedAt), asked, i == 0)
		}
	}
	r.y.down = false
	r.h.e.StatusBudget = 3 * time.Second
	r.wait(time.Minute) // the TTL has passed
	code, out, errOut := r.status()
	hist, _ := r.y.take()
	if code != exitOK || !strings.HasPrefix(out, "IWM/SPY ") || !slices.Contains(slices.Collect(mapKeys(hist)), "IWM") {
		t.Fatalf("after the TTL: exit %d, stdout %q, stderr %q, asked %v", code, out, errOut, hist)
	}
}

func mapKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestStatusDownBeforeAnySuccess: with nothing known yet and the feed
// refused, `status` prints "capwatch: yahoo down" on stdout — what tmux
// shows in status-right (it shows only stdout; a blank bar would hide the
// failure) — red with --tmux, and the reason on stderr only; exit 1.
func TestStatusDownBeforeAnySuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		base := nettest.ClosedPort(t)
		for _, tc := range []struct {
			args []string
			want string
		}{
			{nil, "capwatch: yahoo down\n"},
			{[]string{"--tmux"}, "capwatch: #[fg=red]yahoo down#[default]\n"},
		} {
			h := newHarness(t)
			h.e.Clock = clock.Real{} // the bubble's clock
			h.e.HTTP = nettest.Client(nettest.NoSuchHost)
			code, out, errOut := h.run(append([]string{"status", "--feed", "yahoo", "--base-url", base}, tc.args...)...)
			if code != exitFailure || out != tc.want {
				t.Errorf("status %v: exit %d, stdout %q; want 1, %q", tc.args, code, out, tc.want)
			}
			if !strings.Contains(errOut, "connection refused") || strings.Contains(out, "refused") {
				t.Errorf("status %v: the reason belongs on stderr only: stdout %q, stderr %q", tc.args, out, errOut)
			}
		}
	})
}
