package app

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/replay"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/tui"
)

// TestReplayEndIsAsOfDay: a replay that has run to its last day and
// `--as-of` that day are the same state, and the dashboard says the same
// about them: the session closed and the data's age counted on the same
// clock. The finished replay's clock stopped at the last close (16:00:
// "0s old", the engine's session "after") while --as-of stood at the end
// of the day (20:00: "4h00m old", closed); it now moves on to that end
// when the replay ends. The oracle is by hand: 20:00 − 16:00 New York.
func TestReplayEndIsAsOfDay(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ny := calendar.Location()
		dir := filepath.Join("..", "..", "feeds", "replay", "testdata", "replay")
		last := time.Date(2025, 11, 21, 0, 0, 0, 0, ny) // the data's last date
		run := func(o replay.Options, done func(*engine.Snapshot, feeds.Status) bool) (*engine.Snapshot, feeds.Status, *FeedClock) {
			clk := clock.NewFake(time.Date(2025, 12, 1, 15, 0, 0, 0, time.UTC))
			o.Dir, o.Clock = dir, clk
			f, err := replay.New(o)
			if err != nil {
				t.Fatal(err)
			}
			cfg := pairConfig()
			eng, err := engine.New(cfg, calendar.NYSE())
			if err != nil {
				t.Fatal(err)
			}
			fc := NewFeedClock(clk, 0)
			var mu sync.Mutex
			var snap *engine.Snapshot
			var st feeds.Status
			p := &Pipeline{Feed: f, Engine: eng, Symbols: cfg.Symbols(), Clock: clk, FeedClock: fc,
				OnSnapshot: func(s *engine.Snapshot) { mu.Lock(); snap = s; mu.Unlock() },
				OnStatus:   func(s feeds.Status) { mu.Lock(); st = s; mu.Unlock() }}
			ctx, cancel := context.WithCancel(t.Context())
			errc := make(chan error, 1)
			go func() { errc <- p.Run(ctx) }()
			for step := 0; ; step++ {
				synctest.Wait()
				mu.Lock()
				s, status := snap, st
				mu.Unlock()
				if s != nil && done(s, status) {
					cancel()
					if err := <-errc; err != nil {
						t.Fatal(err)
					}
					return s, status, fc
				}
				if step > 1000 {
					t.Fatal("the replay did not reach its last day")
				}
				clk.Advance(time.Second)
			}
		}
		onLast := func(s *engine.Snapshot) bool { return !s.AsOf.Before(last) }
		replayed, rst, rfc := run(replay.Options{ReplayFrom: last.AddDate(0, 0, -4), Speed: 1},
			func(s *engine.Snapshot, st feeds.Status) bool {
				return onLast(s) && strings.HasPrefix(st.Note, "replay ended")
			})
		asOf, ast, afc := run(replay.Options{AsOf: last}, func(s *engine.Snapshot, st feeds.Status) bool { return onLast(s) })

		if !replayed.AsOf.Equal(asOf.AsOf) {
			t.Fatalf("the fixture: the replay's data ends %v, --as-of's %v", replayed.AsOf, asOf.AsOf)
		}
		wantNow := time.Date(2025, 11, 21, 20, 0, 0, 0, ny)
		for _, c := range []struct {
			name string
			s    *engine.Snapshot
			fc   *FeedClock
		}{{"the finished replay", replayed, rfc}, {"--as-of", asOf, afc}} {
			if !c.s.Now.Equal(wantNow) || !c.fc.Now().Equal(wantNow) {
				t.Errorf("%s: the engine's now %v, the dashboard's clock %v, want %v", c.name, c.s.Now, c.fc.Now(), wantNow)
			}
			if c.s.Session.State != "closed" {
				t.Errorf("%s: the engine's session %q, want closed", c.name, c.s.Session.State)
			}
		}
		// The dashboard's status line on each clock: the same age.
		age := func(s *engine.Snapshot, st feeds.Status, fc *FeedClock) string {
			m := tui.New(tui.Options{Feed: "replay", Kind: feeds.KindReplay, Clock: fc, Wall: fc, Location: ny})
			var model tea.Model = m
			for _, msg := range []tea.Msg{tea.WindowSizeMsg{Width: 200, Height: 50}, tui.StatusMsg{Status: st}, tui.SnapshotMsg{Snap: s}} {
				model, _ = model.Update(msg)
			}
			line := strings.Split(ansi.Strip(model.View().Content), "\n")[0]
			for _, part := range strings.Split(line, "│") {
				if strings.Contains(part, " old") {
					return strings.TrimSpace(part)
				}
			}
			t.Fatalf("no data age on the status line %q", line)
			return ""
		}
		ra, aa := age(replayed, rst, rfc), age(asOf, ast, afc)
		if !strings.Contains(ra, "· 4h00m old") || ra != aa {
			t.Errorf("the finished replay's age %q, --as-of's %q, want both 4h00m old", ra, aa)
		}
	})
}
