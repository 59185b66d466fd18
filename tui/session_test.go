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
