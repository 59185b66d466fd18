package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine"
)

// TestFlagsWhenNotAllFit: with fewer rows than flags the panel keeps every
// flag that is on, fills the rows left with the off ones from the top (in
// display order) and says how many more are off.
func TestFlagsWhenNotAllFit(t *testing.T) {
	st := NewStyles(PaletteDefault, true, true)
	p := newFlagsPanel(&st)
	snap := testSnapshot(1)
	s := *snap
	s.Flags = nil
	for i, id := range engine.FlagIDs {
		f := engine.Flag{ID: id, State: engine.FlagOff}
		if i == 8 || i == 10 { // sector breadth and the breadth thrust are on
			f.State, f.Since = engine.FlagConfirmed, "2026-11-20"
		}
		s.Flags = append(s.Flags, f)
	}
	p.SetSnapshot(&s)
	lines := p.body(60, 6)
	got := ansi.Strip(strings.Join(lines, "\n"))
	if len(lines) != 6 {
		t.Fatalf("%d lines:\n%s", len(lines), got)
	}
	for i, want := range []string{"Ratio > 50-day avg", "Ratio > 200-day avg", "Ratio 20-day high", "Sector breadth", "Breadth thrust", "… 6 more off"} {
		if !strings.Contains(ansi.Strip(lines[i]), want) {
			t.Errorf("line %d %q, want %q", i, ansi.Strip(lines[i]), want)
		}
	}
}
