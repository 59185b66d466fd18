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
	for i, want := range []string{"Ratio > 50-day avg", "Ratio > 200-day avg", "Ratio 20-day high", "Sector breadth", "Breadth thrust", "… 6 more no data"} { // no value, no threshold
		if !strings.Contains(ansi.Strip(lines[i]), want) {
			t.Errorf("line %d %q, want %q", i, ansi.Strip(lines[i]), want)
		}
	}
}

// TestHiddenFlagsSayTheirState (QA-3 F3): the line under the listed flags
// said "… 3 more off" while the title counted those three as no data. It
// says the hidden flags' states as the title counts them.
func TestHiddenFlagsSayTheirState(t *testing.T) {
	st := NewStyles(PaletteDefault, true, true)
	for _, c := range []struct {
		name   string
		nodata map[int]bool // indexes of the flags without data
		want   string
	}{
		{"all no data", map[int]bool{8: true, 9: true, 10: true}, "… 3 more no data"},
		{"mixed", map[int]bool{9: true, 10: true}, "… 3 more: 1 off, 2 no data"},
		{"all off", nil, "… 3 more off"},
	} {
		p := newFlagsPanel(&st)
		s := *testSnapshot(1)
		s.Flags = nil
		for i, id := range engine.FlagIDs {
			f := engine.Flag{ID: id, State: engine.FlagOff, Value: engine.Some(1), Threshold: engine.Some(2)}
			switch {
			case i < 5: // on: listed
				f.State, f.Since = engine.FlagConfirmed, "2026-11-20"
			case c.nodata[i]:
				f.Value = engine.Num{}
			}
			s.Flags = append(s.Flags, f)
		}
		p.SetSnapshot(&s)
		lines := p.body(60, 9) // 5 on, 3 off listed, the line; 3 off hidden
		if got := ansi.Strip(lines[len(lines)-1]); strings.TrimSpace(got) != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
