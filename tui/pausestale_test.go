package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/clock"
)

// TestPauseIsNotStale (QA-3 F6b): paused with new data waiting, the shown
// data ages past twice the poll interval while the feed keeps delivering;
// the status line said "⚠ STALE" (and the quotes "!") beside "new data
// waiting". Staleness is judged on the newest data received: no STALE while
// fresh data waits, STALE when the feed itself stops delivering.
func TestPauseIsNotStale(t *testing.T) {
	staleAge := regexp.MustCompile(`\d[smhd]!`)
	for _, delivering := range []bool{true, false} {
		m, clk := testModel(t, Options{})
		m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: testSnapshot(1)})
		m = update(m, press("p"))
		for range 3 { // 3 polls (45 s): the shown data is 57 s old, twice the poll is 30 s
			clk.Advance(testPoll)
			if delivering {
				s := *testSnapshot(2)
				s.AsOf = clk.Now()
				s.Symbols = append([]engine.SymbolSnapshot(nil), s.Symbols...)
				for i := range s.Symbols {
					s.Symbols[i].DataTime = clk.Now()
				}
				m = update(m, SnapshotMsg{Snap: &s})
			}
			m = update(m, tickMsg{gen: m.tickGen})
		}
		scr := vtShow(t, m)
		status := strings.SplitN(scr, "\n", 2)[0]
		if !strings.Contains(status, "PAUSED") {
			t.Fatalf("not paused: %q", status)
		}
		if delivering {
			if strings.Contains(status, "STALE") || !strings.Contains(status, "new data waiting") {
				t.Errorf("paused, the feed delivering: %q, want new data waiting and no STALE", status)
			}
			if q := staleAge.FindString(scr); q != "" {
				t.Errorf("paused, the feed delivering: a quote marked stale (%q):\n%s", q, scr)
			}
		} else if !strings.Contains(status, "STALE") {
			t.Errorf("paused, the feed silent for 45 s: %q, want STALE", status)
		}
	}
}

// TestPausedWaitingKeptOverLongDate (QA-4 N6): paused at 80 columns on
// data of another day than the user's, "new data waiting" went once the
// shown data's age grew a digit, and its room went back to the long date
// form ("data Tue Nov 24 15:30 EST"): the only sign that the screen is
// behind the feed. However long the pause, the note stays and the date
// (Nov 24) with it.
func TestPausedWaitingKeptOverLongDate(t *testing.T) {
	for _, paused := range []time.Duration{2 * time.Second, 15 * time.Second, 59 * time.Second, 12 * time.Minute, 3 * time.Hour} {
		wall := clock.NewFake(testAsOf.Add(3 * 24 * time.Hour)) // the user's today: three days after the demo's
		m, clk := testModel(t, Options{Wall: wall})
		snap := *testSnapshot(1)
		snap.AsOf = clk.Now()
		m = update(m, tea.WindowSizeMsg{Width: 80, Height: 23}, SnapshotMsg{Snap: &snap})
		m = update(m, press("p"))
		clk.Advance(paused)
		wall.Advance(paused)
		next := *testSnapshot(2)
		next.AsOf = clk.Now()
		m = update(m, SnapshotMsg{Snap: &next}, tickMsg{gen: m.tickGen})
		status := strings.SplitN(vtShow(t, m), "\n", 2)[0]
		if !strings.Contains(status, "PAUSED") {
			t.Fatalf("paused %v: not paused: %q", paused, status)
		}
		if !strings.Contains(status, "new data waiting") || !strings.Contains(status, "Nov 24") {
			t.Errorf("paused %v at 80 columns: %q, want new data waiting and the data's date", paused, status)
		}
	}
}
