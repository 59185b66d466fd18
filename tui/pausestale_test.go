package tui

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
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
