package faults_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/faults"
)

// start waits for the first healthy poll: every symbol fresh, no banner.
func (r *rig) start() {
	r.t.Helper()
	r.waitFor("the first healthy poll", func() bool {
		return r.statuses >= 1 && r.status.State == feeds.StateOK && r.fresh(r.syms...) && !r.shows("feed ")
	})
}

// banner is the health part of the status line for the last status.
func (r *rig) banner(state string) string {
	return "feed " + state + ": "
}

// retryShown reports whether the banner counts down to the status's NextRetry.
func (r *rig) retryShown() bool {
	d := r.status.NextRetry.Sub(r.clk.Now())
	if d <= 0 {
		return r.shows(" · retrying")
	}
	return r.shows(" · retry in " + fmtAge(d))
}

// TestFaultsEndToEnd: for each fault the dashboard shows degraded/down
// with the reason and the next retry, keeps the last good prices, marks
// them stale once they are older than twice the poll interval, and
// recovers by itself when the server is healthy again (banner gone, stale
// marker gone, the current prices shown). The invariants checked on every
// frame (see rig.invariants) apply throughout.
func TestFaultsEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		mode    faults.Mode
		state   string // "down" or "degraded"
		reason  string
		timeout time.Duration
	}{
		{faults.RateLimited, "degraded", "Yahoo rate limit (HTTP 429), asked to wait 30s; 0 of 3 symbols updated", 0},
		{faults.RateLimitedBare, "degraded", "Yahoo rate limit (HTTP 429); 0 of 3 symbols updated", 0},
		{faults.ServerError, "down", "all 3 symbols failed: Yahoo server error (HTTP 503 Service Unavailable): internal-error: Service Unavailable", 0},
		{faults.ConnReset, "down", "all 3 symbols failed: cannot reach Yahoo", 0},
		{faults.Hang, "down", "all 3 symbols failed: Yahoo did not answer within 400ms", 400 * time.Millisecond},
		{faults.HTMLPage, "down", "all 3 symbols failed: Yahoo returned an HTML page (consent/block), not data", 0},
		{faults.Truncated, "down", "all 3 symbols failed: Yahoo sent malformed data: unexpected end of JSON input", 0},
		{faults.TruncatedConn, "down", "all 3 symbols failed: cannot reach Yahoo: unexpected EOF", 0},
		{faults.Garbage, "down", "all 3 symbols failed: Yahoo sent malformed data", 0},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			t.Parallel()
			r := newRig(t, rigOptions{timeout: tc.timeout})
			r.start()
			good := r.clk.Now()
			lastGood := map[string]string{}
			for _, s := range r.syms {
				lastGood[s] = price(s, good)
			}
			keptGood := func() bool {
				for _, s := range r.syms {
					row, _ := r.quoteRow(s)
					if f := strings.Fields(row); len(f) < 2 || f[1] != lastGood[s] {
						return false
					}
				}
				return true
			}

			r.srv.SetMode(tc.mode)
			for i := 0; ; i++ {
				n := r.poll()
				r.afterPoll(n, fmt.Sprintf("failed poll %d", i+1), func() bool {
					return r.shows(r.banner(tc.state)+tc.reason) && r.retryShown()
				})
				if !keptGood() {
					r.fatalf("the last good prices (%v) are not kept", lastGood)
				}
				if r.clk.Now().Sub(good) > staleAt {
					break // the invariants have checked the STALE marker and the "!" ages
				}
				if i == 10 {
					r.fatalf("the data never got older than %v", staleAt)
				}
			}
			if !r.shows("⚠ STALE") {
				r.fatalf("no stale marker")
			}
			if total, in := r.srv.Requests(tc.mode); in == 0 || in > total {
				t.Fatalf("%d of %d requests in mode %v", in, total, tc.mode)
			}

			r.srv.SetMode(faults.Healthy)
			n := r.poll()
			r.afterPoll(n, "recovery", func() bool {
				return r.status.State == feeds.StateOK && !r.shows("feed ") && !r.shows("STALE") && r.fresh(r.syms...)
			})
		})
	}
}

// TestServerErrorBurstRecoversByItself: a burst of 5xx replies (one poll's
// worth) is shown as down, and the next poll, at the backoff delay, brings
// the dashboard back without anyone touching the server.
func TestServerErrorBurstRecoversByItself(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.start()
	r.srv.Burst(faults.ServerError, len(r.syms))
	n := r.poll()
	r.afterPoll(n, "down", func() bool { return r.shows(r.banner("down")) && r.retryShown() })
	if d := r.status.NextRetry.Sub(r.clk.Now()); d >= pollOpen || d <= 0 {
		t.Fatalf("retry in %v: want a backoff shorter than the poll interval", d)
	}
	n = r.poll()
	r.afterPoll(n, "recovered", func() bool {
		return r.status.State == feeds.StateOK && !r.shows("feed ") && r.fresh(r.syms...)
	})
}

// TestRateLimitStorm: a long 429 storm keeps the dashboard degraded, waits
// as long as Retry-After asks each time, and the data grows stale; then it
// recovers.
func TestRateLimitStorm(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.start()
	good := r.clk.Now()
	r.srv.SetMode(faults.RateLimited)
	for i := range 5 {
		before := r.clk.Now()
		n := r.poll()
		r.afterPoll(n, fmt.Sprintf("429 poll %d", i+1), func() bool {
			return r.shows(r.banner("degraded")+"Yahoo rate limit (HTTP 429), asked to wait 30s") && r.retryShown()
		})
		if i > 0 && r.clk.Now().Sub(before) < faults.DefaultRetryAfter {
			t.Fatalf("poll %d came %v after the previous one: Retry-After not honoured", i+1, r.clk.Now().Sub(before))
		}
	}
	if r.clk.Now().Sub(good) <= staleAt || !r.shows("⚠ STALE") {
		r.fatalf("stale not shown after the storm")
	}
	r.srv.SetMode(faults.Healthy)
	n := r.poll()
	r.afterPoll(n, "recovery", func() bool {
		return r.status.State == feeds.StateOK && !r.shows("feed ") && !r.shows("STALE") && r.fresh(r.syms...)
	})
}
