package faults_test

import (
	"flag"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/faults"
)

// knownBugs runs the tests of open bugs in other packages (they fail until
// fixed): go test ./internal/faults -run KnownBug -faults.knownbugs
var knownBugs = flag.Bool("faults.knownbugs", false, "run the tests of known, unfixed bugs in other packages")

func skipKnownBug(t *testing.T, what string) {
	t.Helper()
	if !*knownBugs {
		t.Skip("known bug (run with -faults.knownbugs): " + what)
	}
}

// TestKnownBugHistoryAfterStartupOutage: Yahoo is down (5xx) when capwatch
// starts, so the daily history fails; when Yahoo is healthy again the live
// quotes come back but the history is never fetched again: no change, no
// ratio, no flags for the rest of the day, and no banner saying so.
// internal/app.Pipeline.Run called Feed.History once and never retried.
// Fixed (internal/app retries the missing history); kept as a regression
// test, no longer gated.
func TestKnownBugHistoryAfterStartupOutage(t *testing.T) {
	r := newRig(t, rigOptions{setup: func(s *faults.Server) { s.SetMode(faults.ServerError) }})
	// The history's retries (backoff 2.5 s, then 5 s) for the 3 symbols.
	for _, d := range []time.Duration{2500 * time.Millisecond, 5 * time.Second} {
		r.advance(d, 3)
	}
	r.waitFor("history failed", func() bool { return r.statuses >= 1 && r.status.State == feeds.StateDown })
	n := r.statuses + 1
	r.waitFor("first poll", func() bool { return r.statuses >= n })
	r.srv.SetMode(faults.Healthy)
	for i := 0; ; i++ {
		n = r.poll()
		r.afterPoll(n, "healthy poll", func() bool { return r.status.State == feeds.StateOK && r.fresh(r.syms...) })
		row, _ := r.quoteRow("IWM")
		if f := strings.Fields(row); len(f) > 2 && f[2] != "—" && !r.shows("ratio not available") {
			return // the day's change and the ratio are back: history was loaded
		}
		if i == 20 { // 5 minutes of healthy polls
			r.fatalf("the daily history never came back after Yahoo recovered (no change, no ratio)")
		}
	}
}

// TestKnownBugBannerCutBeforeRetry: in common pane sizes the status line
// cuts the health banner from the end, so the countdown to the next retry
// (and at 80 columns most of the reason) is never visible: at 120×40 the
// line ends "…(HTTP 503 Service Unavailable): int…", at 80×24 "…Yahoo
// server e…". Only from about 170 columns does "retry in 2s" show.
// tui/status.go: the banner is one essential part truncated at its end.
// Fixed (the status line is laid out by priority); kept as a regression
// test, no longer gated.
func TestKnownBugBannerCutBeforeRetry(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.start()
	r.srv.SetMode(faults.ServerError)
	n := r.poll()
	r.afterPoll(n, "down", func() bool { return r.shows("feed down") && r.retryShown() })
	for _, sz := range [][2]int{{120, 40}, {80, 24}} {
		m, _ := r.model.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		top := strings.SplitN(ansi.Strip(m.View().Content), "\n", 2)[0]
		if !strings.Contains(top, "feed down") || !strings.Contains(top, "retry in") || !strings.Contains(top, "503") {
			t.Errorf("%d×%d: status line %q lacks the state, the HTTP status or the retry countdown", sz[0], sz[1], strings.TrimSpace(top))
		}
	}
}

// TestKnownBugStaleAfterHoursHealthyFeed: after the close the chart API's
// regular-market data stops at 16:00 (capwatch asks includePrePost=false),
// so with a perfectly healthy feed the dashboard shows "⚠ STALE data
// 16:00:00 · 20m00s old" and "!" on every quote for the four hours of
// after-hours (and likewise in pre-market once the feed polls every 5 min):
// a false alarm. tui/status.go dataAge (and quotes.go age) exempt only the
// "closed" session; data as new as the last session's close is current
// whenever the regular session is not open. Fixed (tui.Stale); kept as a
// regression test, no longer gated.
func TestKnownBugStaleAfterHoursHealthyFeed(t *testing.T) {
	r := newRig(t, rigOptions{start: time.Date(2026, 11, 24, 16, 20, 0, 0, t0.Location())})
	r.waitFor("a healthy after-hours poll", func() bool {
		return r.statuses >= 1 && r.status.State == feeds.StateOK && r.session == "after" && r.shows("data 16:00:00")
	})
	if r.shows("STALE") {
		r.fatalf("healthy after-hours data marked stale")
	}
	if row, _ := r.quoteRow("IWM"); strings.HasSuffix(strings.TrimSpace(row), "!") {
		r.fatalf("healthy after-hours quote marked stale: %q", row)
	}
}

// TestKnownBugSymbolErrorOutlivesRecovery: QQQ is delisted (404) for a few
// polls, then comes back; its quotes are fresh again and the feed is
// healthy, but the snapshot still carries "QQQ: Yahoo has no such symbol",
// so the dashboard keeps the ✖ on QQQ's row and the error under the quotes
// for the rest of the day. engine: noteErr is cleared only by a history
// load (LoadHistory → clearErr), never by the symbol's next good quote.
func TestKnownBugSymbolErrorOutlivesRecovery(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.start()
	r.srv.Remove("QQQ")
	n := r.poll()
	r.afterPoll(n, "QQQ gone", func() bool { return r.shows("✖ QQQ: ") })
	r.srv.Restore("QQQ")
	n = r.poll()
	r.afterPoll(n, "QQQ back", func() bool {
		return r.status.State == feeds.StateOK && !r.shows("feed ") && r.fresh(r.syms...)
	})
	if _, marked, _ := r.quoteRowMarked("QQQ"); marked || r.shows("✖ QQQ: ") {
		r.fatalf("QQQ's error still shown after its quotes recovered")
	}
}
