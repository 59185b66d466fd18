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

// showsBanner reports whether the status line shows the feed's state and
// the reason (which the status line puts at its end).
func (r *rig) showsBanner(state, reason string) bool {
	return r.shows("feed "+state) && r.shows(reason)
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
		{faults.RateLimited, "down", "rate-limited by Yahoo (HTTP 429), retry after 30s", 0},
		{faults.RateLimitedBare, "down", "rate-limited by Yahoo (HTTP 429)", 0},
		{faults.ServerError, "down", "Yahoo server error (HTTP 503 Service Unavailable): internal-error: Service Unavailable", 0},
		{faults.ConnReset, "down", "cannot reach Yahoo", 0},
		{faults.Hang, "hanging", "Yahoo did not answer within 1.5s", 1500 * time.Millisecond},
		{faults.HTMLPage, "down", "Yahoo returned an HTML page (consent/block), not data", 0},
		{faults.Truncated, "down", "Yahoo sent malformed data: unexpected end of JSON input", 0},
		{faults.TruncatedConn, "down", "Yahoo reply cut short (HTTP 200, connection dropped): unexpected EOF", 0},
		{faults.Garbage, "down", "Yahoo sent malformed data", 0},
		{faults.NoPrices, "down", "Yahoo has no data for this symbol: no price in the reply", 0},
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
			// Two failed polls: the first at the normal interval (the data
			// is 15 s old), the second once the data is older than twice
			// the interval (at the retry time, or later as after a slow
			// machine's pause, so that a hanging server costs only two
			// timeouts).
			for i, atLeast := range []time.Duration{0, staleAt + time.Second} {
				n := r.pollAfter(atLeast - r.clk.Now().Sub(good))
				r.afterPoll(n, fmt.Sprintf("failed poll %d", i+1), func() bool {
					return r.showsBanner(tc.state, tc.reason) && r.retryShown()
				})
				if !keptGood() {
					r.fatalf("the last good prices (%v) are not kept", lastGood)
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
	r.afterPoll(n, "down", func() bool { return r.showsBanner("down", "") && r.retryShown() })
	if d := r.status.NextRetry.Sub(r.clk.Now()); d >= pollOpen || d <= 0 {
		t.Fatalf("retry in %v: want a backoff shorter than the poll interval", d)
	}
	n = r.poll()
	r.afterPoll(n, "recovered", func() bool {
		return r.status.State == feeds.StateOK && !r.shows("feed ") && r.fresh(r.syms...)
	})
}

// TestRateLimitStorm: a long 429 storm keeps the dashboard down (nothing
// gets through), waits
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
			return r.showsBanner("down", "rate-limited by Yahoo (HTTP 429), retry after 30s") && r.retryShown()
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

// sentToday reports whether the row's last price is one the server sent as
// a valid point today: Price(sym, m) for a minute m from the open to now.
func (r *rig) sentToday(sym string) bool {
	row, _ := r.quoteRow(sym)
	f := strings.Fields(row)
	if len(f) < 2 {
		return false
	}
	for m := time.Date(2026, 11, 24, 9, 30, 0, 0, t0.Location()); !m.After(r.clk.Now()); m = m.Add(time.Minute) {
		if f[1] == price(sym, m) {
			return true
		}
	}
	return false
}

// TestBadPricesNeverShown: replies whose newest points and meta price are
// 0, null or negative never put those values on the screen (the
// invariants reject "0.00", negative and non-engine values on every
// frame); each symbol keeps showing a price the server sent as valid, the
// feed stays healthy, and good replies afterwards show the current prices.
func TestBadPricesNeverShown(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.start()
	r.srv.SetMode(faults.BadPrices)
	for i := range 4 {
		n := r.poll() // 10:15:15 … 10:16:00: the corrupted points include minutes that were valid before
		r.afterPoll(n, fmt.Sprintf("bad poll %d", i+1), func() bool {
			return r.status.State == feeds.StateOK && !r.shows("feed ")
		})
		for _, s := range r.syms {
			if !r.sentToday(s) {
				r.fatalf("%s shows a price the server never sent as valid", s)
			}
		}
	}
	if total, bad := r.srv.Requests(faults.BadPrices); bad < 4*len(r.syms) || bad > total {
		t.Fatalf("%d of %d requests had bad prices", bad, total)
	}
	r.srv.SetMode(faults.Healthy)
	n := r.poll()
	r.afterPoll(n, "good prices again", func() bool { return r.fresh(r.syms...) && !r.shows("STALE") })
}

// TestSymbolDisappears: a symbol that starts answering 404 "No data found,
// symbol may be delisted" shows its error in the banner and goes stale on
// its own row while the others keep updating; when it comes back it is
// fresh again and the banner goes.
func TestSymbolDisappears(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.start()
	good := r.clk.Now()
	was := price("QQQ", good)
	r.srv.Remove("QQQ")
	for i := 0; r.clk.Now().Sub(good) <= staleAt; i++ {
		n := r.poll()
		r.afterPoll(n, fmt.Sprintf("poll %d without QQQ", i+1), func() bool {
			return r.shows("▲ feed degraded") && r.shows("QQQ: Yahoo has no such symbol (HTTP 404): Not Found: "+
				faults.NotFoundDescription) && r.fresh("IWM", "SPY")
		})
		if row, _ := r.quoteRow("QQQ"); strings.Fields(row)[1] != was {
			r.fatalf("QQQ lost its last good price %s", was)
		}
	}
	// The invariants have checked QQQ's age column ("!" past 30 s) and that
	// the status line is not stale (the other symbols are fresh).
	if row, _ := r.quoteRow("QQQ"); !strings.HasSuffix(strings.TrimSpace(row), "!") || r.shows("STALE") {
		r.fatalf("QQQ not marked stale on its own row")
	}
	// The snapshot's error is on QQQ's row (✖) and listed under the table.
	if _, marked, _ := r.quoteRowMarked("QQQ"); !marked || !r.shows("✖ QQQ: ") {
		r.fatalf("QQQ's error is neither on its row nor listed under the quotes")
	}
	r.srv.Restore("QQQ")
	n := r.poll()
	r.afterPoll(n, "QQQ back", func() bool {
		return r.status.State == feeds.StateOK && !r.shows("feed ") && r.fresh(r.syms...)
	})
}

// hostileText carries every kind of terminal escape a feed string could
// smuggle: OSC 52 (clipboard write), CSI erase and colour, a DCS string,
// 8-bit CSI (C1), a bare ESC, BEL, CR/LF and bidi overrides.
const hostileText = "\x1b]52;c;cm0gLXJmIH4=\x07" + "\x1b[2J" + "\x1b[31m" + "\u009b31m" + "\x1bP+q544e\x1b\\" +
	"\u202eevil\u202c" + "\u2066x\u2069" + "\x1b" + "\a\r\n"

// TestEscapeInjection: hostile strings in meta.symbol (history and live),
// in Yahoo's error descriptions (404 and 5xx) and in an HTML page's title
// never reach the screen (no escape in View().Content except the styles'
// own attribute SGRs; checked on every frame) nor the feed status or the
// snapshot's errors (checked on every message).
func TestEscapeInjection(t *testing.T) {
	r := newRig(t, rigOptions{setup: func(s *faults.Server) {
		for _, sym := range []string{"IWM", "SPY", "QQQ"} {
			s.SetMetaSymbol(sym, sym+hostileText)
		}
		s.SetErrorDescription("gone" + hostileText + "now")
		s.SetHTMLTitle("Consent" + hostileText)
	}})
	r.start()
	r.srv.Remove("QQQ")
	n := r.poll()
	r.afterPoll(n, "hostile 404 description", func() bool {
		return r.shows("QQQ: Yahoo has no such symbol (HTTP 404): Not Found: gone")
	})
	if r.shows("cm0gLXJmIH4=") || r.shows("544e") {
		r.fatalf("the payload of an escape string reached the screen")
	}
	for _, m := range []faults.Mode{faults.ServerError, faults.HTMLPage} {
		r.srv.SetMode(m)
		n = r.poll()
		r.afterPoll(n, "hostile "+m.String(), func() bool { return r.showsBanner("down", "") })
		if r.shows("cm0gLXJmIH4=") {
			r.fatalf("the payload of an escape string reached the screen")
		}
	}
	r.srv.SetMode(faults.Healthy)
	r.srv.Restore("QQQ")
	n = r.poll()
	r.afterPoll(n, "recovery", func() bool { return !r.shows("feed ") && r.fresh(r.syms...) })
}

// TestEscapeInjectionAtStartup: a symbol whose history already fails with a
// hostile error description (History.Errors → engine → snapshot errors,
// and the first polls' status) is reported in clean text.
func TestEscapeInjectionAtStartup(t *testing.T) {
	r := newRig(t, rigOptions{setup: func(s *faults.Server) {
		s.Remove("QQQ")
		s.SetErrorDescription("gone" + hostileText + "now")
	}})
	r.waitFor("the first poll", func() bool {
		return r.statuses >= 1 && r.fresh("IWM", "SPY") && r.shows("QQQ: Yahoo has no such symbol (HTTP 404): Not Found: gone")
	})
	if e := r.errs["QQQ"]; !strings.Contains(e, "Not Found: gone") || !strings.Contains(e, "now") {
		r.fatalf("QQQ's snapshot error %q", e)
	}
	if r.shows("cm0gLXJmIH4=") || r.shows("544e") {
		r.fatalf("the payload of an escape string reached the screen")
	}
}

// TestPartialRateLimit: one request of a poll is rate-limited; the others
// are delivered (degraded; down when none was), and the next poll
// waits for Retry-After and brings everything back.
func TestPartialRateLimit(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.start()
	r.srv.Burst(faults.RateLimited, 1)
	n := r.poll()
	updated := func() int {
		k := 0
		for _, s := range r.syms {
			if r.dataTime[s].Equal(r.clk.Now().Truncate(time.Second)) {
				k++
			}
		}
		return k
	}
	// Which symbol got the 429 (and whether the ones after it were still
	// requested) depends on the workers' order; the banner's state must
	// match the rows that were updated.
	r.afterPoll(n, "partly rate-limited", func() bool {
		k := updated()
		state := "degraded"
		if k == 0 {
			state = "down"
		}
		return k < 3 && r.showsBanner(state, "rate-limited by Yahoo (HTTP 429), retry after 30s") && r.retryShown()
	})
	if total, limited := r.srv.Requests(faults.RateLimited); limited != 1 {
		t.Fatalf("%d rate-limited requests of %d", limited, total)
	}
	if d := r.status.NextRetry.Sub(r.clk.Now()); d != faults.DefaultRetryAfter {
		t.Fatalf("next retry in %v, want Retry-After %v", d, faults.DefaultRetryAfter)
	}
	n = r.poll()
	r.afterPoll(n, "recovered", func() bool {
		return r.status.State == feeds.StateOK && !r.shows("feed ") && r.fresh(r.syms...)
	})
}
