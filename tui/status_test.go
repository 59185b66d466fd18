package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/charmbracelet/x/ansi"
)

// TestStatusLinePriorities: at every width from 60 to 220 columns, with a
// failing feed, a long reason, a badge, a pause and stale data, the status
// line keeps the badge, the feed's state, the retry countdown, its HTTP
// status (from 80 columns), the data's age and the STALE marker, and never overflows.
func TestStatusLinePriorities(t *testing.T) {
	reason := "all 3 symbols failed: Yahoo server error (HTTP 503 Service Unavailable): internal error, please retry later"
	for _, state := range []feeds.State{feeds.StateDown, feeds.StateDegraded} {
		for _, kind := range []feeds.Kind{feeds.KindLive, feeds.KindDemo} {
			// The snapshot is 10 minutes old at 15:40 (open): stale at a 15 s poll.
			now := testAsOf.Add(10 * time.Minute)
			m, _ := testModelAt(t, Options{Kind: kind, Feed: "yahoo", PollInterval: testPoll}, now)
			m = update(m, SnapshotMsg{Snap: testSnapshot(1)}, press("p"), SnapshotMsg{Snap: testSnapshot(2)},
				StatusMsg{feeds.Status{State: state, LastError: reason, NextRetry: now.Add(42 * time.Second), Interval: testPoll}})
			for w := 60; w <= 220; w++ {
				m = update(m, tea.WindowSizeMsg{Width: w, Height: 40})
				top := strings.Split(screen(m), "\n")[0]
				if got := ansi.StringWidth(top); got != w {
					t.Fatalf("%v %v %d cols: status line is %d cells: %q", state, kind, w, got, top)
				}
				want := []string{state.String(), "retry", "42s", "10m00s old", "STALE", "PAUSED"}
				if w >= 80 {
					want = append(want, "503")
				}
				if kind == feeds.KindDemo {
					want = append(want, "DEMO")
				}
				for _, s := range want {
					if !strings.Contains(top, s) {
						t.Errorf("%v %v %d cols: %q missing from %q", state, kind, w, s, strings.TrimSpace(top))
					}
				}
				if w >= 120 && (!strings.Contains(top, "feed "+state.String()) || !strings.Contains(top, "retry in 42s")) {
					t.Errorf("%v %v %d cols: the long health form is missing: %q", state, kind, w, strings.TrimSpace(top))
				}
				if w >= 200 && !strings.Contains(top, "Yahoo server") {
					t.Errorf("%v %v %d cols: the reason is missing: %q", state, kind, w, strings.TrimSpace(top))
				}
			}
		}
	}
}

func TestHTTPStatus(t *testing.T) {
	for in, want := range map[string]string{
		"":                               "",
		"HTTP 503":                       "503",
		"x (HTTP 429 Too Many Requests)": "429",
		"HTTP 5031":                      "",
		"HTTP/2 stream; HTTP 404 gone":   "404",
		"HTTP abc then HTTP 500":         "500",
		"HTTP 50":                        "",
	} {
		if got := httpStatus(in); got != want {
			t.Errorf("httpStatus(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStatusLineNamesTheServingSource: with feed "auto" the status line
// names the source serving, and while a fallback serves it says so with the
// preferred source's outage, whose age ticks with the clock.
func TestStatusLineNamesTheServingSource(t *testing.T) {
	now := testAsOf.Add(time.Minute)
	m, _ := testModelAt(t, Options{Kind: feeds.KindLive, Feed: "auto", PollInterval: testPoll}, now)
	m = update(m, tea.WindowSizeMsg{Width: 160, Height: 40}, SnapshotMsg{Snap: testSnapshot(1)},
		StatusMsg{feeds.Status{Feed: "alpaca", State: feeds.StateOK}})
	if top := strings.Split(screen(m), "\n")[0]; !strings.Contains(top, "alpaca") || strings.Contains(top, "via") {
		t.Fatalf("preferred source: %q", top)
	}
	m = update(m, StatusMsg{feeds.Status{Feed: "yahoo", State: feeds.StateOK, Preferred: "alpaca",
		PreferredState: feeds.StateDown, PreferredDownSince: now.Add(-3 * time.Minute)}})
	if top := strings.Split(screen(m), "\n")[0]; !strings.Contains(top, "via yahoo (alpaca down 3m)") {
		t.Fatalf("fallback: %q", top)
	}
}

// TestStatusLineShowsProvenance: the feed's provenance (issue 18) is on the
// status line beside the feed name, shortened on narrow terminals.
func TestStatusLineShowsProvenance(t *testing.T) {
	now := testAsOf.Add(time.Minute)
	m, _ := testModelAt(t, Options{Kind: feeds.KindLive, Feed: "alpaca", PollInterval: testPoll}, now)
	snap := testSnapshot(1)
	snap.Provenance = &engine.Provenance{Prices: "IEX", Volume: "SIP to 14:45, IEX after", VolumePartial: true}
	m = update(m, SnapshotMsg{Snap: snap}, tea.WindowSizeMsg{Width: 160, Height: 40})
	if top := strings.Split(screen(m), "\n")[0]; !strings.Contains(top, "alpaca IEX · vol partial") {
		t.Errorf("160 cols: %q lacks the provenance", strings.TrimSpace(top))
	}
	snap2 := testSnapshot(2)
	snap2.Provenance = &engine.Provenance{Prices: "SIP delayed 15m", Volume: "SIP"}
	m = update(m, SnapshotMsg{Snap: snap2})
	if top := strings.Split(screen(m), "\n")[0]; !strings.Contains(top, "alpaca delayed 15m") {
		t.Errorf("160 cols: %q lacks 'delayed 15m'", strings.TrimSpace(top))
	}
}
