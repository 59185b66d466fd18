package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/doctor"
	"github.com/capwatch/capwatch/internal/nettest"
)

// TestOneShotUnderBlanket429: Yahoo answers every request with HTTP 429
// and Retry-After 20. `snapshot`, `analogs` and `status` exit 1 within
// 15 s (README; it took 40 s: two 20-s waits per symbol) saying the cause
// once and plainly — not "IWM: Yahoo rate limit (HTTP 429): not
// requested" — and no prefix twice.
func TestOneShotUnderBlanket429(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var hits atomic.Int64
		h := newHarness(t)
		h.e.Clock = clock.Real{} // the bubble's clock
		h.e.HTTP = nettest.Client(nettest.Serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("Retry-After", "20")
			w.WriteHeader(http.StatusTooManyRequests)
		})))
		const cause = "rate-limited by Yahoo (HTTP 429), retry after 20s"
		for _, cmd := range []string{"snapshot", "analogs", "status"} {
			start := time.Now()
			code, out, errOut := h.run(cmd, "--feed", "yahoo", "--base-url", "http://quotes.test")
			if took := time.Since(start); code != exitFailure || took > 15*time.Second {
				t.Errorf("%s: exit %d after %v, want 1 within 15s (stdout %q, stderr %q)", cmd, code, took, out, errOut)
			}
			if !strings.Contains(errOut, cause) || strings.Contains(errOut, "not requested") ||
				strings.Count(errOut, "history") > 1 || strings.Count(errOut, "429") != 1 {
				t.Errorf("%s: stderr %q, want the cause %q said once", cmd, errOut, cause)
			}
		}
	})
}

// TestDoctorUnder429Fails: a feed that answers every request with 429 does
// not work now: doctor says FAIL with the wait and exits 1 (it said "warn"
// and "The configured feed (yahoo) works").
func TestDoctorUnder429Fails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	h := newHarness(t)
	h.e.Terminal = fakeTerminal
	h.e.HTTP = srv.Client()
	code, r, errOut := doctorJSON(t, h, "--feed", "yahoo", "--base-url", srv.URL)
	f := feedCheck(t, r, "yahoo")
	if code != exitFailure || r.FeedWorks || f.Status != doctor.Fail || f.Detail != "rate-limited by Yahoo (HTTP 429), retry after 20s" ||
		!strings.Contains(f.Fix, "wait 20s") {
		t.Fatalf("exit %d, works %v, yahoo %+v (%s)", code, r.FeedWorks, f.Verdict, errOut)
	}
	code, out, _ := h.run("doctor", "--feed", "yahoo", "--base-url", srv.URL)
	if code != exitFailure || strings.Contains(out, "works") {
		t.Fatalf("table: exit %d\n%s", code, out)
	}
}

// TestDoctorTakesTheDataFlags: README says the data flags apply to every
// command; `doctor --base-url URL` probes that URL (it was "unknown flag
// --base-url", exit 2), and says so for the feed it applies to only.
func TestDoctorTakesTheDataFlags(t *testing.T) {
	var asked atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	h := newHarness(t)
	h.e.Terminal = fakeTerminal
	h.e.HTTP = srv.Client()
	code, r, errOut := doctorJSON(t, h, "--feed", "yahoo", "--base-url", srv.URL)
	if f := feedCheck(t, r, "yahoo"); code != exitFailure || asked.Load() == 0 || !strings.Contains(f.Detail, "HTTP 503") {
		t.Fatalf("exit %d, %d requests to --base-url, yahoo %+v: %s", code, asked.Load(), f.Verdict, errOut)
	}
	if code, _, errOut := h.run("doctor", "--feed", "demo", "--base-url", srv.URL); code != exitUsage ||
		!strings.Contains(errOut, "--base-url applies to --feed yahoo, stooq or alpaca") {
		t.Fatalf("--base-url with demo: exit %d %q", code, errOut)
	}
	if code, _, errOut := h.run("doctor", "--feed", "yahoo", "--stream-url", "wss://stream.test/v2/iex"); code != exitUsage ||
		!strings.Contains(errOut, "--stream-url applies to --feed alpaca") {
		t.Fatalf("--stream-url with yahoo: exit %d %q", code, errOut)
	}
}
