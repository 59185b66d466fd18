package tui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
)

// newHelpView is the help screen's scroller: a bubbles viewport driven by
// the key map's help scroll keys (no half pages, no sideways scrolling: the
// help is wrapped to the pane).
func newHelpView(k *keyMap) viewport.Model {
	vp := viewport.New()
	off := key.NewBinding(key.WithDisabled())
	vp.KeyMap = viewport.KeyMap{
		PageDown: k.HelpPageDown, PageUp: k.HelpPageUp, Down: k.HelpDown, Up: k.HelpUp,
		HalfPageDown: off, HalfPageUp: off, Left: off, Right: off,
	}
	vp.SetHorizontalStep(0)
	vp.MouseWheelEnabled = false
	return vp
}

// scrollHelp scrolls the help screen for a scroll key and reports whether k
// was one.
func (m *Model) scrollHelp(k tea.KeyPressMsg) bool {
	switch {
	case key.Matches(k, m.keys.HelpTop):
		m.helpView.GotoTop()
	case key.Matches(k, m.keys.HelpBottom):
		m.helpView.GotoBottom()
	case key.Matches(k, m.keys.HelpDown, m.keys.HelpUp, m.keys.HelpPageDown, m.keys.HelpPageUp):
		m.helpView, _ = m.helpView.Update(k)
	default:
		return false
	}
	return true
}

// helpTitle is the help frame's title: where the view is in the help when
// it does not fit the pane.
func (m *Model) helpTitle() string {
	total, h := m.helpView.TotalLineCount(), m.helpView.Height()
	if total <= h || h <= 0 {
		return "Help"
	}
	top := m.helpView.YOffset() + 1
	bottom := min(top+h-1, total)
	more := "↓ more"
	switch {
	case bottom >= total:
		more = "end"
	case top > 1:
		more = "↑↓ more"
	}
	return fmt.Sprintf("Help · lines %d–%d of %d · %s", top, bottom, total, more)
}
