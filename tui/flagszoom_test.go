package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
)

// TestZoomedFlagsExplainInTheirSpareRows (QA-2 C8): at 80×23 the zoomed
// flags panel has no row per meaning, yet rows to spare: they hold the
// meanings (the flags that are on first), and the title no longer says
// "z explains" there (z would leave the zoom).
func TestZoomedFlagsExplainInTheirSpareRows(t *testing.T) {
	m, _ := testModel(t, Options{ShowNowWhat: true, ShowBreadth: true})
	snap := testSnapshot(1)
	// The eleven flags of a dashboard with breadth: 11 lines and 11
	// meanings do not fit the zoomed panel's 20 rows.
	snap.Flags = append(snap.Flags,
		engine.Flag{ID: engine.FlagBreadthAboveSMA50, State: engine.FlagForming, Since: "2026-11-24", Text: "most members of the index above their 50-day average"},
		engine.Flag{ID: engine.FlagBreadthThrust, Text: "a breadth thrust: members above their 50-day average jumped within ten days"})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 23}, SnapshotMsg{Snap: snap})
	for m.focus != panelFlags {
		m = update(m, press("tab"))
	}
	m = update(m, press("z"))
	if !m.zoom {
		t.Fatal("z did not zoom the flags panel")
	}
	scr := screen(m)
	if strings.Contains(scr, "z explains") {
		t.Errorf("zoomed flags panel says z explains:\n%s", scr)
	}
	lines := strings.Split(scr, "\n")
	blank := 0
	for _, l := range lines[2 : len(lines)-1] { // under the status line and the title, above the keys
		if strings.TrimSpace(l) == "" {
			blank++
		}
	}
	// A meaning is shown whole when its end is on screen (not cut with …).
	whole := 0
	for _, f := range snap.Flags {
		end := f.Text[max(len(f.Text)-12, 0):]
		ok := strings.Contains(scr, end)
		if ok {
			whole++
		}
		if f.State != engine.FlagOff && !ok {
			t.Errorf("the meaning of %s (on) is not shown whole (%q):\n%s", f.ID, end, scr)
		}
	}
	// One blank row may set the meanings apart; more are rows wasted
	// while a meaning is cut or missing.
	if blank > 1 && whole < len(snap.Flags) {
		t.Errorf("%d of %d meanings shown whole with %d blank rows:\n%s", whole, len(snap.Flags), blank, scr)
	}
}
