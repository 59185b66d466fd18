package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine"
)

// fitsWidth fails when a line of the model's frame is wider than its
// pane, and returns the screen a terminal of that size shows.
func fitsWidth(t *testing.T, m Model, what string) string {
	t.Helper()
	for i, l := range strings.Split(m.View().Content, "\n") {
		if w := ansi.StringWidth(l); w > m.w {
			t.Errorf("%s: line %d is %d cells wide in a %d-column pane: %q", what, i, w, m.w, ansi.Strip(l))
		}
	}
	return vtShow(t, m)
}

// TestHelpFirstLineFitsAt80: with many kinds of data problems the help's
// first line ("✖ 12 symbol errors, 3 notices, 40 members without data, 1
// with rows skipped: listed under the keys (↓/j, pgdn/space, G)") was
// wider than the 78 columns of the 80×23 help box, so it was cut and the
// keys that reach the list were lost. It takes a shorter form that keeps
// the counts and the keys whole; G then shows the list.
func TestHelpFirstLineFitsAt80(t *testing.T) {
	s := errorSnapshot()
	for i := range 8 {
		s.Errors = append(s.Errors, engine.SymbolError{Symbol: fmt.Sprintf("X%02d", i), Message: "no data"})
	}
	s.Notices = []engine.SymbolNotice{{Symbol: "IWM", Message: "2 rows skipped"}, {Symbol: "SPY", Message: "1 row skipped"}, {Symbol: "XLK", Message: "3 rows skipped"}}
	l := &engine.BreadthLoad{Members: 600, Loaded: 600, Done: true}
	for i := 1; i <= 40; i++ {
		l.AddFailed(fmt.Sprintf("SC%03d", i), "replay: no file")
	}
	l.AddSkipped("CCC", engine.SkippedRows{Count: 2, FirstLine: 3, Source: "rp/CCC.csv", Reason: "missing open"})
	s.BreadthLoad = l
	for _, w := range []int{80, 70, 60} {
		m, _ := testModel(t, Options{ShowNowWhat: true})
		m = update(m, tea.WindowSizeMsg{Width: w, Height: 23}, SnapshotMsg{Snap: s}, press("?"))
		scr := fitsWidth(t, m, fmt.Sprintf("help at %d×23", w))
		lines := strings.Split(scr, "\n")
		first := strings.Trim(strings.TrimSpace(lines[2]), "│ ") // under the status line and the box's top
		if !strings.Contains(first, "12") || !strings.Contains(first, "3 notices") || !strings.Contains(first, "40 members") {
			t.Errorf("%d×23: the first line does not count the problems: %q", w, first)
		}
		if !strings.HasSuffix(first, "G)") && !strings.HasSuffix(first, "↓/j G") || !strings.Contains(first, "↓/j") {
			t.Errorf("%d×23: the first line lost the keys that reach the list: %q", w, first)
		}
		// The keys it names reach the list: ↓ from the top.
		found := false
		for mm, k := m, 0; k < 100 && !found; k++ {
			found = strings.Contains(vtShow(t, mm), "Symbols without usable data")
			mm = update(mm, press("down"))
		}
		if !found {
			t.Errorf("%d×23: ↓ does not reach the list", w)
		}
	}
}

// TestFlagsHintFitsAt80: at 80×23 the focused flags panel (44 columns)
// had no room for "· z explains" beside "Breakout flags 0/11 confirmed, 4
// forming", so the zoom that shows the meanings was never offered there.
// The counts take the list's glyphs and the hint fits whole.
func TestFlagsHintFitsAt80(t *testing.T) {
	snap := testSnapshot(1)
	snap.Flags = append(snap.Flags,
		engine.Flag{ID: engine.FlagBreadthAboveSMA50, State: engine.FlagForming, Since: "2026-11-24", Text: "most members of the index above their 50-day average"},
		engine.Flag{ID: engine.FlagBreadthThrust, Text: "a breadth thrust: members above their 50-day average jumped within ten days"})
	on, forming, nodata := 0, 0, 0
	for _, f := range snap.Flags {
		switch {
		case f.State == engine.FlagConfirmed:
			on++
		case f.State == engine.FlagForming:
			forming++
		case !f.Threshold.Valid: // the thrust added above: nothing to judge it by
			nodata++
		}
	}
	m, _ := testModel(t, Options{ShowNowWhat: true, ShowBreadth: true})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 23}, SnapshotMsg{Snap: snap})
	for m.focus != panelFlags {
		m = update(m, press("tab"))
	}
	scr := fitsWidth(t, m, "flags focused at 80×23")
	// The counts from the fixture: confirmed of the flags that can be
	// judged, a flag without data to judge it counted apart (as status and
	// the text snapshot count them).
	want := regexp.MustCompile(fmt.Sprintf(`▶ (Breakout flags|Flags) %d/%d ●, %d ◐, %d no data · z explains`, on, len(snap.Flags)-nodata, forming, nodata))
	if !want.MatchString(scr) {
		t.Fatalf("the focused flags panel's title does not match %s:\n%s", want, scr)
	}
	// The hint is true: z shows the meanings.
	if z := vtShow(t, update(m, press("z"))); !strings.Contains(z, "Members > 50-day: most members of the index") {
		t.Errorf("z does not show the meanings:\n%s", z)
	}
}
