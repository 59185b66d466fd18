package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
)

// TestAlertClearsWhenItsFlagMoves (QA-3 F6): in a fast replay the 🔔 line
// stayed a real minute beside a flag that had gone off a second after it
// confirmed. The alert is cleared by the first shown snapshot in which a
// flag behind it is in another state; while the flag holds, it stays its
// minute.
func TestAlertClearsWhenItsFlagMoves(t *testing.T) {
	const id = engine.FlagRatioAboveSMA200
	withState := func(st engine.FlagState) *engine.Snapshot {
		s := *testSnapshot(1)
		s.Flags = append([]engine.Flag(nil), s.Flags...)
		for i := range s.Flags {
			if s.Flags[i].ID == id {
				s.Flags[i].State, s.Flags[i].Since = st, ""
				if st != engine.FlagOff {
					s.Flags[i].Since = "2026-11-24"
				}
			}
		}
		return &s
	}
	for _, c := range []struct {
		name  string
		next  engine.FlagState
		shown bool
	}{
		{"flag holds", engine.FlagConfirmed, true},
		{"flag went off", engine.FlagOff, false},
		{"flag fading", engine.FlagFading, false},
	} {
		m, clk := testModel(t, Options{Kind: 0})
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: withState(engine.FlagConfirmed)})
		m, _ = step(t, m, AlertMsg{Text: "capwatch: ratio_above_sma200 confirmed since 2026-11-24 (0.3953 > 0.3735)",
			At: clk.Now(), Flags: map[string]string{id: "confirmed"}})
		if !strings.Contains(statusOf(m), "🔔 ratio_above_sma200") {
			t.Fatalf("%s: the alert is not shown: %q", c.name, statusOf(m))
		}
		clk.Advance(time.Second) // one second of the dashboard's (and the wall's) clock
		m, _ = step(t, m, SnapshotMsg{Snap: withState(c.next)})
		m, _ = step(t, m, tickMsg{gen: m.tickGen})
		status := strings.SplitN(vtShow(t, m), "\n", 2)[0]
		if got := strings.Contains(status, "🔔"); got != c.shown {
			t.Errorf("%s: alert shown %v, want %v: %q", c.name, got, c.shown, status)
		}
	}
}
