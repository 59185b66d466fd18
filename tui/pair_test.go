package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
)

// TestPairKeyCycles: P asks for the next configured pair (wrapping), the
// status line names the pair shown and the one asked for until its
// snapshot arrives; without pairs the key does nothing and is not listed.
func TestPairKeyCycles(t *testing.T) {
	var asked []engine.PairChoice
	pairs := []engine.PairChoice{{Small: "IWM", Large: "SPY"}, {Small: "IWM", Large: "QQQ"}, {Small: "IJR", Large: "SPY"}}
	m, _ := testModel(t, Options{Pairs: pairs, OnPair: func(pc engine.PairChoice) { asked = append(asked, pc) }})
	snap := testSnapshot(1)
	m = update(m, tea.WindowSizeMsg{Width: 160, Height: 40}, SnapshotMsg{Snap: snap})
	if !strings.Contains(screen(m), "IWM/SPY") {
		t.Fatalf("the status line does not name the pair:\n%s", strings.SplitN(screen(m), "\n", 2)[0])
	}
	pressP := func() {
		nm, cmd := m.Update(press("P"))
		m = nm.(Model)
		if cmd == nil {
			t.Fatal("P gave no command")
		}
		cmd()
	}
	pressP()
	if len(asked) != 1 || asked[0] != pairs[1] {
		t.Fatalf("asked %v, want IWM/QQQ", asked)
	}
	if top := strings.SplitN(screen(m), "\n", 2)[0]; !strings.Contains(top, "IWM/SPY → IWM/QQQ…") {
		t.Errorf("status line while switching: %q", top)
	}
	pressP() // a second press before the snapshot: the one after the asked one
	if asked[1] != pairs[2] {
		t.Errorf("second press asked %v, want IJR/SPY", asked[1])
	}
	s2 := *snap
	s2.Seq++
	s2.Pair.Small, s2.Pair.Large = "IJR", "SPY"
	m = update(m, SnapshotMsg{Snap: &s2})
	if top := strings.SplitN(screen(m), "\n", 2)[0]; !strings.Contains(top, "IJR/SPY") || strings.Contains(top, "→") {
		t.Errorf("status line after the switch: %q", top)
	}
	pressP()
	if asked[2] != pairs[0] {
		t.Errorf("wrap: asked %v, want IWM/SPY", asked[2])
	}
	if !strings.Contains(m.helpScreenText(), "next pair") {
		t.Error("help does not list the pair key")
	}

	// No pairs: P does nothing and is not offered.
	m2, _ := testModel(t, Options{})
	m2 = update(m2, tea.WindowSizeMsg{Width: 160, Height: 40}, SnapshotMsg{Snap: snap})
	if _, cmd := m2.Update(press("P")); cmd != nil {
		t.Error("P without pairs gave a command")
	}
	if strings.Contains(screen(m2), "next pair") {
		t.Error("the key line offers the pair key without pairs")
	}
}

// helpScreenText is the help screen as text.
func (m Model) helpScreenText() string {
	m = update(m, press("?"))
	return screen(m)
}
