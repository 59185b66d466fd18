package tui

import (
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
)

// TestLongValueKeepsEveryValue (QA-3 F4): at 120×40 one long value (the
// sector breadth's coverage "1/9 pairs, needs 5", the volume surge's
// "1.79× vs 1.50×, down day") took the value column away from every flag:
// the layout dropped all values before the since dates. Every flag with a
// value keeps it on its line (vt screen), and the long ones say their
// substance (the pairs' count, the down day).
func TestLongValueKeepsEveryValue(t *testing.T) {
	for _, fading := range []bool{false, true} {
		s := *testSnapshot(1)
		s.Flags = append([]engine.Flag(nil), s.Flags...)
		for i := range s.Flags {
			f := &s.Flags[i]
			switch f.ID {
			case engine.FlagSectorBreadth:
				f.State, f.Since, f.Value, f.Threshold = engine.FlagOff, "", engine.Num{}, engine.Some(0.6)
				f.Note = "only 1 of 9 sector pairs with data, needs 5"
			case engine.FlagSmallVolumeSurge:
				f.State, f.Since, f.Value, f.Threshold, f.Note = engine.FlagOff, "", engine.Some(1.79), engine.Some(1.5), "down day"
				if fading {
					f.State, f.Since, f.CloseValue, f.CloseThreshold = engine.FlagFading, "2026-11-20", engine.Some(1.9), engine.Some(1.5)
				}
			}
		}
		m, _ := testModel(t, Options{ShowNowWhat: true})
		m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: &s})
		scr := vtShow(t, m)
		for _, f := range s.Flags {
			line := regexp.MustCompile(`(?m)^.*` + regexp.QuoteMeta(flagLabel(f.ID)) + `.*$`).FindString(scr)
			if line == "" {
				continue // not listed at this size
			}
			switch {
			case f.ID == engine.FlagSectorBreadth:
				if !strings.Contains(line, "1/9 pairs, needs 5") { // an off row: its value runs on into the blank since column
					t.Errorf("fading %v: %q, want the pairs' count", fading, line)
				}
			case f.ID == engine.FlagSmallVolumeSurge:
				if !strings.Contains(line, "1.79×") || !strings.Contains(line, "down day") {
					t.Errorf("fading %v: %q, want the value and the down day", fading, line)
				}
			case f.Value.Valid && f.ID != engine.FlagBreadthThrust:
				if !strings.Contains(line, " vs ") {
					t.Errorf("fading %v: %q has no value vs threshold:\n%s", fading, line, scr)
				}
			}
		}
	}
}

// TestCoverageIsTheEngines: sector_breadth's coverage is the engine's
// note, not a recount of the snapshot's sector returns: the engine counts
// pairs with data on the last bar, which the panel cannot know.
func TestCoverageIsTheEngines(t *testing.T) {
	s := *testSnapshot(1)
	s.Flags = append([]engine.Flag(nil), s.Flags...)
	for i := range s.Flags {
		if f := &s.Flags[i]; f.ID == engine.FlagSectorBreadth {
			f.State, f.Since, f.Value, f.Threshold = engine.FlagOff, "", engine.Num{}, engine.Some(0.6)
			f.Note = "only 3 of 9 sector pairs with data, needs 5"
		}
	}
	m, _ := testModel(t, Options{ShowNowWhat: true})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: &s})
	if line := flagLines(t, m)[engine.FlagSectorBreadth]; !strings.Contains(line, "3/9 pairs, needs 5") {
		t.Errorf("%q, want the engine's count 3/9 pairs, needs 5", line)
	}
}
