package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/dashboard"
	"github.com/capwatch/capwatch/internal/nettest"
	"github.com/capwatch/capwatch/tui"
)

// host is a failing host: its base URL, the HTTP client to reach it with,
// and the cause the user must read.
type host struct {
	name, base, cause string
	client            func() *http.Client
}

// unreachable lists hosts that cannot be reached: a name that does not
// resolve (the resolver's DNS server says NXDOMAIN; no real DNS) and a
// loopback port nothing listens on.
func unreachable(t *testing.T) []host {
	noDNS := func() *http.Client { return nettest.Client(nettest.NoSuchHost) }
	return []host{
		{"no such host", "http://quotes.test", "no such host quotes.test", noDNS},
		{"connection refused", nettest.ClosedPort(t), "connection refused", noDNS},
	}
}

// hanging is a host that takes requests and never answers.
func hanging() []host {
	return []host{{"hang", "http://quotes.test", "did not answer within", // 10s; status: its 8s budget
		func() *http.Client { return nettest.Client((&nettest.Hang{}).Dial) }}}
}

// inBubble runs fn for each host and network feed in a synctest bubble
// (the real clock is the bubble's fake one) with a fresh harness.
func inBubble(t *testing.T, hosts []host, fn func(t *testing.T, h *harness, feed string, hs host)) {
	for _, feed := range []string{"yahoo", "stooq"} {
		for _, hs := range hosts {
			t.Run(feed+"/"+hs.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					h := newHarness(t)
					h.e.Clock = clock.Real{}
					h.e.HTTP = hs.client()
					fn(t, h, feed, hs)
				})
			})
		}
	}
}

// TestOneShotUnreachableExits1Within15s: `snapshot`, `analogs` and `status` against
// a host that cannot be resolved, refuses connections or hangs exit 1
// within 15 s (nothing is retried that cannot succeed; a hang costs one
// answer timeout), naming the real cause, never "context deadline
// exceeded".
func TestOneShotUnreachableExits1Within15s(t *testing.T) {
	inBubble(t, append(unreachable(t), hanging()...), func(t *testing.T, h *harness, feed string, hs host) {
		base, cause := hs.base, hs.cause
		for _, cmd := range []string{"snapshot", "analogs", "status"} {
			start := time.Now()
			code, out, errOut := h.run(cmd, "--feed", feed, "--base-url", base)
			took := time.Since(start)
			if code != exitFailure || took > 15*time.Second {
				t.Errorf("%s: exit %d after %v, want 1 within 15s (stdout %q)", cmd, code, took, out)
			}
			if !strings.Contains(errOut, cause) || strings.Contains(errOut, "deadline") {
				t.Errorf("%s: stderr %q: want the cause %q", cmd, errOut, cause)
			}
		}
	})
}

// TestDashboardReportsUnreachableWithin5s: the dashboard's wiring (the
// feed cmd/capwatch builds, the pipeline, the tui model) shows a host that
// cannot be resolved or refuses connections as down, with the cause,
// within 5 s of starting.
func TestDashboardReportsUnreachableWithin5s(t *testing.T) {
	inBubble(t, unreachable(t), func(t *testing.T, h *harness, feed string, hs host) {
		dashboardShows(t, h, feed, hs, 5*time.Second, "feed down", false)
	})
}

// TestDashboardReportsHangWithin20s: a host that takes requests and never
// answers is shown as hanging within 20 s (it was ~80 s of only STALE:
// 20 symbols ÷ 4 workers × 15 s timeouts, and the history's retries).
func TestDashboardReportsHangWithin20s(t *testing.T) {
	inBubble(t, hanging(), func(t *testing.T, h *harness, feed string, hs host) {
		dashboardShows(t, h, feed, hs, 20*time.Second, "feed hanging", true)
	})
}

// dashboardShows starts the dashboard's pipeline on the feed and host and
// checks that within limit a status arrives that is down (hanging as
// given), carries the cause, and puts state and cause on the screen.
func dashboardShows(t *testing.T, h *harness, feed string, hs host, limit time.Duration, state string, hang bool) {
	t.Helper()
	if code, _, errOut := h.run("--feed", feed, "--base-url", hs.base); code != exitOK || h.dash == nil {
		t.Fatalf("dashboard not started: exit %d %s", code, errOut)
	}
	o := *h.dash
	o.Signals.Log = nil // closed when the stand-in dashboard returned
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	d, err := dashboard.New(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	stats := make(chan feeds.Status, 64)
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- d.RunPipeline(ctx, func(m tea.Msg) {
			if s, ok := m.(tui.StatusMsg); ok {
				select {
				case stats <- s.Status:
				default:
				}
			}
		})
	}()
	var s feeds.Status
	select {
	case s = <-stats:
	case <-time.After(limit):
		t.Fatalf("no feed status within %v", limit)
	}
	if took := time.Since(start); s.State != feeds.StateDown || s.Hanging != hang || !strings.Contains(s.LastError, hs.cause) {
		t.Errorf("after %v: status %+v, want down (hanging %v) with %q", took, s, hang, hs.cause)
	}
	m, _ := d.Model.Update(tea.WindowSizeMsg{Width: 200, Height: 50})
	m, _ = m.Update(tui.StatusMsg{Status: s})
	if v := m.View().Content; !strings.Contains(v, state) || !strings.Contains(v, hs.cause) {
		t.Errorf("the screen does not show %q and %q:\n%s", state, hs.cause, v)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
