package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/vt"
)

// vtShow is the screen a terminal of the model's size shows after it draws
// the model's view (the view's lines written to a vt emulator).
func vtShow(t *testing.T, m Model) string {
	t.Helper()
	em := vt.NewEmulator(max(m.w, 1), max(m.h, 1))
	if _, err := em.Write([]byte(strings.ReplaceAll(m.View().Content, "\n", "\r\n"))); err != nil {
		t.Fatal(err)
	}
	return em.String()
}

// TestTooSmallSaysTheSize: below 60×15 the pane says the size it needs in
// whatever form fits whole ("capwatch: enlarge t…" at 20×5 said nothing
// usable, QA-1 item 20).
func TestTooSmallSaysTheSize(t *testing.T) {
	need := fmt.Sprintf("%d×%d", tinyW, tinyH)
	for _, sz := range []struct{ w, h int }{{20, 5}, {12, 1}, {5, 1}, {59, 14}, {40, 10}, {80, 14}, {8, 3}} {
		m, _ := testModel(t, Options{ShowNowWhat: true})
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: testSnapshot(1)})
		scr := vtShow(t, m)
		if !strings.Contains(scr, need) {
			t.Errorf("%dx%d: the screen does not say %s:\n%s", sz.w, sz.h, need, scr)
		}
		if strings.Contains(scr, "…") {
			t.Errorf("%dx%d: the message is cut:\n%s", sz.w, sz.h, scr)
		}
	}
	// Where it fits, it says what to do.
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 20, Height: 5})
	if scr := strings.Join(strings.Fields(vtShow(t, m)), " "); !strings.Contains(scr, "enlarge the pane to at least "+need) {
		t.Errorf("20x5: %q", scr)
	}
}
