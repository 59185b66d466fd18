package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/replay"
	"github.com/capwatch/capwatch/internal/clock"
)

// TestReplayWithNothingToPlayHasNoCountdown (QA-4 N11): the README's replay
// (no --replay-from) has nothing to play from the start; its clock stands at
// the data's last day's end, and the status line said "○ closed · opens in
// 2d13h", a countdown that never runs. It is a replay at its end: the feed's
// one status batch says so (Ended), and the session reads as a finished
// replay's, "○ closed · replay ended 2025-11-21" (README, feeds: replay).
func TestReplayWithNothingToPlayHasNoCountdown(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz data:", err)
	}
	end := time.Date(2025, 11, 21, 20, 0, 0, 0, ny) // the data's last day (a Friday), 20:00 New York
	fc := clock.NewFake(end)
	f, err := replay.New(replay.Options{Dir: "../feeds/replay/testdata/replay", Clock: fc})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	out, done := make(chan feeds.Batch, 1), make(chan error, 1)
	go func() { done <- f.Stream(ctx, []string{"IWM", "SPY"}, out) }()
	var b feeds.Batch
	select {
	case b = <-out:
	case <-time.After(time.Minute): // failure only
		t.Fatal("no status batch from the replay")
	}
	cancel()
	<-done

	m, _ := testModelAt(t, Options{Kind: feeds.KindReplay, Feed: "replay"}, end)
	snap := testSnapshot(1)
	snap.AsOf, snap.Now, snap.Session.State = end.Add(-4*time.Hour), end, "closed"
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: snap}, StatusMsg{b.Status}, tickMsg{gen: m.tickGen})
	top := strings.SplitN(vtShow(t, m), "\n", 2)[0]
	if strings.Contains(top, "opens") || !strings.Contains(top, "○ closed · replay ended 2025-11-21") {
		t.Errorf("a replay with nothing to play: %q, want ○ closed · replay ended 2025-11-21 and no countdown", strings.TrimSpace(top))
	}
}
