package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// TestLayoutInUpdateNotView: after Update every placed panel already has its
// size and its rendered lines, and View changes nothing in any panel (it
// only hands the composed screen over). Oracle: the panels' sizes add up to
// the terminal (each column's slots fill the body height; the columns fill
// the width), and the screen equals the panels' lines joined.
func TestLayoutInUpdateNotView(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{200, 50}, {120, 40}, {80, 24}, {60, 15}} {
		m, _ := testModel(t, Options{ShowNowWhat: true})
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: testSnapshot(1)})
		if len(m.lay.cols) == 0 {
			t.Fatalf("%dx%d: no layout after Update", sz.w, sz.h)
		}
		type state struct {
			w, h  int
			dirty bool
			first *string
		}
		snap := func() map[panelID]state {
			out := map[panelID]state{}
			m.each(func(id panelID, p panel) {
				b := p.base()
				s := state{w: b.w, h: b.h, dirty: b.dirty}
				if len(b.lines) > 0 {
					s.first = &b.lines[0]
				}
				out[id] = s
			})
			return out
		}
		width := 0
		for _, c := range m.lay.cols {
			width += c.w
			rows := 0
			for _, s := range c.slots {
				rows += max(s.h, 0)
				if s.id == panelNone || s.h <= 0 {
					continue
				}
				b := m.panels[s.id].base()
				if b.w != c.w || b.h != s.h || b.dirty || len(b.lines) != s.h {
					t.Errorf("%dx%d panel %d: %dx%d dirty=%v %d lines, want %dx%d rendered",
						sz.w, sz.h, s.id, b.w, b.h, b.dirty, len(b.lines), c.w, s.h)
				}
			}
			if body := sz.h - 1 - btoi(m.lay.keys); rows != body {
				t.Errorf("%dx%d: a column's slots fill %d rows, want %d", sz.w, sz.h, rows, body)
			}
		}
		if width != sz.w {
			t.Errorf("%dx%d: columns fill %d cells", sz.w, sz.h, width)
		}
		before := snap()
		v := m.View()
		after := snap()
		for id, b := range before {
			if after[id] != b {
				t.Errorf("%dx%d: View changed panel %d: %+v → %+v", sz.w, sz.h, id, b, after[id])
			}
		}
		if v.Content != m.screen {
			t.Errorf("%dx%d: View is not the screen composed in Update", sz.w, sz.h)
		}
	}
}
