package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/feeds"
	"github.com/charmbracelet/x/ansi"
)

// sessionRe finds the session part on a status line: its glyph and word,
// then what follows up to the next separator (its countdown, if any).
var sessionRe = regexp.MustCompile(`([●○◐]) (open|closed|pre|after)([^│]*)`)

// TestStatusLineSessionOutranksNotes (QA-2 M1, M7): at every width from 60
// to 220 columns, with nothing else or with a note competing for the room
// (the signal log's lock note, an alert, a degraded feed with its reason
// beside two-day-old data), the status line shows the session's word — the
// model's state, and only it — and never a note without the session's
// countdown; a note is shortened before the pair is given up, and from 80
// columns the countdown is always there.
func TestStatusLineSessionOutranksNotes(t *testing.T) {
	const lock = "signals not recorded here: another capwatch (pid 27296) records signals-demo.jsonl"
	const alert = "capwatch: ratio_above_sma50 confirmed since 2026-11-24 (0.3849 > 0.3820) [DEMO] (+1: small_volume_surge)"
	// Two days and six hours after the snapshot: Thanksgiving evening, closed.
	late := testAsOf.Add(54 * time.Hour)
	cases := []struct {
		name string
		opts Options
		now  time.Time
		msgs []tea.Msg
		// long: the notes' full texts (shortened before the pair goes).
		long []string
		// note: a text present in every form of the notes.
		note string
		// short: a note's first short form, never cut shorter ("⚠ signals not reco…").
		short string
	}{
		{name: "nothing", opts: Options{Speed: 600}},
		{name: "lock note", opts: Options{Speed: 600, Note: lock}, long: []string{lock}, note: "not record", short: "⚠ signals not recorded here"},
		{name: "alert", msgs: []tea.Msg{AlertMsg{Text: alert}}, long: []string{"🔔 " + strings.TrimPrefix(alert, "capwatch: ")}, note: "🔔 ratio_above_sma50", short: "🔔 ratio_above_sma50 confirmed"},
		{name: "degraded feed", opts: Options{Kind: feeds.KindLive, Feed: "yahoo", Note: lock}, now: late,
			msgs: []tea.Msg{StatusMsg{feeds.Status{State: feeds.StateDegraded, LastError: "all 3 symbols failed: HTTP 429 Too Many Requests",
				NextRetry: late.Add(20 * time.Second), Interval: testPoll}}},
			long: []string{lock, "all 3 symbols failed: HTTP 429 Too Many Requests"}, note: "not record"},
	}
	for _, tc := range cases {
		now := tc.now
		if now.IsZero() {
			now = testAsOf.Add(12 * time.Second)
		}
		m, _ := testModelAt(t, tc.opts, now)
		snap := testSnapshot(1)
		if !tc.now.IsZero() {
			snap.Now, snap.Session.State = now, "closed"
		}
		m = update(m, SnapshotMsg{Snap: snap})
		m = update(m, tc.msgs...)
		want := m.snap.Session.State
		for w := 60; w <= 220; w++ {
			m = update(m, tea.WindowSizeMsg{Width: w, Height: 40})
			top := strings.Split(screen(m), "\n")[0]
			if got := ansi.StringWidth(top); got != w {
				t.Fatalf("%s, %d cols: status line is %d cells: %q", tc.name, w, got, top)
			}
			all := sessionRe.FindAllStringSubmatch(top, -1)
			if len(all) != 1 || all[0][2] != want {
				t.Errorf("%s, %d cols: want the session %q once: %q", tc.name, w, want, strings.TrimSpace(top))
				continue
			}
			countdown := strings.ContainsAny(all[0][3], "0123456789")
			if tc.note != "" && strings.Contains(top, tc.note) && !countdown {
				t.Errorf("%s, %d cols: a note without the session's countdown: %q", tc.name, w, strings.TrimSpace(top))
			}
			if w >= 80 && !countdown {
				t.Errorf("%s, %d cols: no countdown: %q", tc.name, w, strings.TrimSpace(top))
			}
			if !strings.Contains(top, "IWM/SPY") {
				for _, l := range tc.long {
					if strings.Contains(top, l) {
						t.Errorf("%s, %d cols: the pair given up before the note shortened (%q): %q", tc.name, w, l, strings.TrimSpace(top))
					}
				}
			}
			if tc.short != "" && strings.Contains(top, tc.short[:len(tc.short)-4]) && !strings.Contains(top, tc.short) {
				t.Errorf("%s, %d cols: the note cut shorter than %q: %q", tc.name, w, tc.short, strings.TrimSpace(top))
			}
			if strings.Contains(top, "STALE") != !tc.now.IsZero() {
				t.Errorf("%s, %d cols: STALE marker: %q", tc.name, w, strings.TrimSpace(top))
			}
		}
	}
}

// TestEndedReplayIsClosed (QA-2 C9): a replay that has ended shows the
// session of its stopped clock as --as-of on that day does, closed, with
// "replay ended" in place of an after-hours countdown that would never run;
// while it runs, the snapshot's session stays.
func TestEndedReplayIsClosed(t *testing.T) {
	m, _ := testModelAt(t, Options{Kind: feeds.KindReplay, Feed: "replay"}, testAsOf.Add(30*time.Minute))
	snap := testSnapshot(1)
	snap.Now, snap.Session.State = testAsOf.Add(30*time.Minute), "after" // 16:00, the day's last bar
	m = update(m, SnapshotMsg{Snap: snap}, StatusMsg{feeds.Status{Feed: "replay", State: feeds.StateOK, Interval: testPoll}},
		tea.WindowSizeMsg{Width: 120, Height: 40})
	if top := strings.Split(screen(m), "\n")[0]; !strings.Contains(top, "◐ after") {
		t.Fatalf("running replay: %q", top)
	}
	m = update(m, StatusMsg{feeds.Status{Feed: "replay", State: feeds.StateOK, Interval: testPoll, Note: "replay ended 2026-11-24", Ended: true}})
	for w := 60; w <= 220; w++ {
		m = update(m, tea.WindowSizeMsg{Width: w, Height: 40})
		top := strings.Split(screen(m), "\n")[0]
		all := sessionRe.FindAllStringSubmatch(top, -1)
		if len(all) != 1 || all[0][2] != "closed" || strings.ContainsAny(all[0][3], "0123456789") && !strings.Contains(all[0][3], "replay ended") {
			t.Errorf("%d cols: want closed without a countdown: %q", w, strings.TrimSpace(top))
		}
		if strings.Contains(top, "after-hours") || w >= 100 && strings.Count(top, "replay ended") != 1 {
			t.Errorf("%d cols: %q", w, strings.TrimSpace(top))
		}
	}
}

// TestReplayEndIsTheFeedsFact (tui3's report): a finished replay was
// recognised by its note's words ("replay ended …"); the feed says it in
// feeds.Status.Ended. Ended without those words is closed, "replay ended"
// with the data's date; the words without Ended leave the session as it is.
func TestReplayEndIsTheFeedsFact(t *testing.T) {
	for _, c := range []struct {
		name   string
		status feeds.Status
		closed bool
	}{
		{"ended, other words", feeds.Status{Feed: "replay", State: feeds.StateOK, Interval: testPoll, Ended: true, Note: "last day"}, true},
		{"the words, not ended", feeds.Status{Feed: "replay", State: feeds.StateOK, Interval: testPoll, Note: "replay ended 2026-11-24"}, false},
	} {
		m, _ := testModelAt(t, Options{Kind: feeds.KindReplay, Feed: "replay"}, testAsOf.Add(30*time.Minute))
		snap := testSnapshot(1)
		snap.Now, snap.Session.State = testAsOf.Add(30*time.Minute), "after"
		m = update(m, SnapshotMsg{Snap: snap}, StatusMsg{c.status}, tea.WindowSizeMsg{Width: 160, Height: 40})
		top := strings.SplitN(vtShow(t, m), "\n", 2)[0]
		if got := strings.Contains(top, "○ closed · replay ended 2026-11-24"); got != c.closed {
			t.Errorf("%s: closed %v, want %v: %q", c.name, got, c.closed, top)
		}
		if c.closed && !strings.Contains(top, "last day") {
			t.Errorf("%s: the rest of the note is lost: %q", c.name, top)
		}
	}
}
