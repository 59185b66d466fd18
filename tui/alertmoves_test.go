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

// TestAlertStaysOnStartedPair (QA-4 N5): alerts are of the pair the
// dashboard started with (README, key P). After P a snapshot of another
// pair, whose flag of the same ID is off, cleared the 🔔 of the started
// pair while its flag still held. Only a snapshot of the started pair with
// the flag in another state clears it.
func TestAlertStaysOnStartedPair(t *testing.T) {
	const id = engine.FlagRatioAboveSMA200
	pairs := []engine.PairChoice{{Small: "IWM", Large: "SPY"}, {Small: "IWM", Large: "QQQ"}}
	of := func(pc engine.PairChoice, st engine.FlagState) *engine.Snapshot {
		s := *testSnapshot(1)
		s.Pair.Small, s.Pair.Large = pc.Small, pc.Large
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
	m, clk := testModel(t, Options{Pairs: pairs, OnPair: func(engine.PairChoice) {}})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: of(pairs[0], engine.FlagConfirmed)})
	m, _ = step(t, m, AlertMsg{Text: "capwatch: ratio_above_sma200 confirmed since 2026-11-24 (0.3953 > 0.3735)",
		At: clk.Now(), Flags: map[string]string{id: "confirmed"}})
	shown := func() bool {
		return strings.Contains(strings.SplitN(vtShow(t, m), "\n", 2)[0], "🔔 ratio_above_sma200")
	}
	if !shown() {
		t.Fatalf("the alert is not shown: %q", statusOf(m))
	}
	clk.Advance(time.Second)
	m, _ = step(t, m, SnapshotMsg{Snap: of(pairs[1], engine.FlagOff)}) // after P: IWM/QQQ, its flag off
	m, _ = step(t, m, tickMsg{gen: m.tickGen})
	if !shown() {
		t.Errorf("another pair's snapshot cleared the started pair's alert: %q", strings.SplitN(vtShow(t, m), "\n", 2)[0])
	}
	clk.Advance(time.Second)
	m, _ = step(t, m, SnapshotMsg{Snap: of(pairs[0], engine.FlagOff)}) // back on IWM/SPY, its flag went off
	m, _ = step(t, m, tickMsg{gen: m.tickGen})
	if shown() {
		t.Errorf("the started pair's flag went off, the alert stays: %q", strings.SplitN(vtShow(t, m), "\n", 2)[0])
	}
}
