package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestSessionCountsToRegularOpen: while the market is closed the status
// line counts to the regular 09:30 open, the instant `capwatch status`
// counts to (calendar.Upcoming), never to the 04:00 start of pre-market.
// QA-1 item 12: Sunday 20:47 said "opens in 7h13m" here and "opens 12h"
// in the tmux line. Expected durations are computed by hand.
func TestSessionCountsToRegularOpen(t *testing.T) {
	cal := calendar.NYSE()
	for _, tc := range []struct {
		name string
		now  time.Time
		want string
	}{
		{"Sunday night", time.Date(2026, 12, 6, 20, 47, 0, 0, testLoc), "○ closed · opens in 12h43m"},
		// Thanksgiving (Thu 2026-11-26) is no session: Wed 21:00 → Fri 09:30.
		{"eve of Thanksgiving", time.Date(2026, 11, 25, 21, 0, 0, 0, testLoc), "○ closed · opens in 36h30m"},
		// The half-day's after hours end at 17:00; then Monday's open.
		{"after the half-day", time.Date(2026, 11, 27, 17, 30, 0, 0, testLoc), "○ closed · opens in 2d16h"}, // 64h
	} {
		snap := testSnapshot(1)
		snap.Now = tc.now
		_, next := cal.NextChange(tc.now) // what the engine puts in next_change: 04:00
		snap.Session = engine.SessionInfo{State: cal.StateAt(tc.now).String(), NextChange: next, Countdown: cal.Countdown(tc.now)}
		m, _ := testModelAt(t, Options{Feed: "yahoo", Kind: feeds.KindLive}, tc.now)
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 40}, SnapshotMsg{Snap: snap})
		status := strings.Split(screen(m), "\n")[0]
		if !strings.Contains(status, tc.want) {
			t.Errorf("%s: status line %q, want %q", tc.name, status, tc.want)
		}
	}
}

// TestSessionWordFollowsClock: a live dashboard left open over 04:00
// without a new snapshot said "○ closed" (the snapshot's session) beside a
// countdown to 09:30 that was right; the word is the clock's now, like the
// countdown, and turns at 04:00 on the dot (the minute tick is cut short
// to the session's change). Ticks that change nothing give the same
// screen (bubbletea writes nothing then), and once pre-market the tick is
// every second, as for any session but closed.
func TestSessionWordFollowsClock(t *testing.T) {
	cal := calendar.NYSE()
	start := time.Date(2026, 12, 3, 3, 58, 10, 0, testLoc) // Thursday, a trading day
	snap := testSnapshot(1)
	snap.Now = start
	_, next := cal.NextChange(start)
	snap.Session = engine.SessionInfo{State: cal.StateAt(start).String(), NextChange: next, Countdown: cal.Countdown(start)}
	if snap.Session.State != "closed" {
		t.Fatalf("the fixture: %s at 03:58", snap.Session.State)
	}
	m, clk := testModelAt(t, Options{Feed: "yahoo", Kind: feeds.KindLive}, start)
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 40}, SnapshotMsg{Snap: snap})
	status := func() string { return strings.Split(screen(m), "\n")[0] }
	// Expected countdowns by hand: 03:58:10 → 09:30 is 5h31m50s.
	if s := status(); !strings.Contains(s, "○ closed · opens in 5h31m") {
		t.Fatalf("03:58:10: %q", s)
	}
	if m.tickEvery != time.Minute {
		t.Fatalf("closed: ticks every %v, want a minute", m.tickEvery)
	}
	if w := m.tickWait(m.tickEvery); w != time.Minute {
		t.Errorf("03:58:10: the next tick in %v, want a minute", w)
	}
	before := m.View().Content
	clk.Advance(20 * time.Second) // 03:58:30: nothing on the line changes
	m = update(m, tickMsg{gen: m.tickGen})
	if after := m.View().Content; after != before {
		t.Errorf("a tick that changes nothing changed the screen:\n%q\n%q", strings.Split(before, "\n")[0], strings.Split(after, "\n")[0])
	}
	clk.Advance(time.Minute) // 03:59:30
	m = update(m, tickMsg{gen: m.tickGen})
	if w := m.tickWait(m.tickEvery); w != 30*time.Second {
		t.Errorf("03:59:30: the next tick in %v, want 30s (at 04:00)", w)
	}
	clk.Advance(30 * time.Second) // 04:00:00, no new snapshot
	m = update(m, tickMsg{gen: m.tickGen})
	if s := status(); !strings.Contains(s, "◐ pre · opens in 5h30m") || strings.Contains(s, "closed") {
		t.Errorf("04:00 without a new snapshot: %q, want ◐ pre · opens in 5h30m", s)
	}
	if m.tickEvery != time.Second {
		t.Errorf("pre-market: ticks every %v, want a second", m.tickEvery)
	}
}
