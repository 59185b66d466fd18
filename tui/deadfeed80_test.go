package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestDeadFeedReasonAt80 (QA-3 F2): a dead feed at 80 columns. The README
// promises the cause at 80 columns and the give-up order "the countdown
// shortens, the reason is cut, the pair goes": the status line dropped the
// reason whole (its room after the countdown shortened was under 12 cells)
// while the pair stayed, and the undo pass then lengthened the countdown
// back into the reason's room. The reason is cut, not dropped, and the pair
// goes first; the countdown stays short.
func TestDeadFeedReasonAt80(t *testing.T) {
	ny := calendar.Location()
	now := time.Date(2026, 12, 7, 0, 15, 0, 0, ny) // Monday 00:15: closed, opens in 9h15m
	m, _ := testModelAt(t, Options{Feed: "yahoo", Kind: feeds.KindLive}, now)
	s := *testSnapshot(1)
	s.AsOf = time.Time{} // nothing came: "no data time"
	reason := "cannot reach Yahoo: dial tcp 127.0.0.1:9: connect: connection refused"
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 23}, SnapshotMsg{Snap: &s},
		StatusMsg{Status: feeds.Status{State: feeds.StateDown, LastError: reason, NextRetry: now.Add(13 * time.Second)}})
	status := strings.SplitN(vtShow(t, m), "\n", 2)[0]
	if !strings.Contains(status, "feed down") || !strings.Contains(status, "retry in 13s") || !strings.Contains(status, "no data time") {
		t.Fatalf("the essentials: %q", status)
	}
	if !strings.Contains(status, reason[:11]) { // cut to at least minCut cells: "cannot reac…"
		t.Errorf("the reason is dropped at 80 columns: %q", status)
	}
	if strings.Contains(status, "IWM/SPY") && !strings.Contains(status, reason) {
		t.Errorf("the pair stays while the reason is cut or dropped: %q", status)
	}
	if strings.Contains(status, "opens in 9h") && !strings.Contains(status, reason) {
		t.Errorf("the long countdown stays while the reason is cut: %q", status)
	}
}
