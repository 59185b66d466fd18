package tui

import (
	"strings"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/tui/nowwhat"
)

// nowWhatPanel is the "Now what?" panel: what followed past breakouts like
// today's, drawn by the nowwhat renderer and cached like every panel.
type nowWhatPanel struct {
	st *Styles

	snap            *engine.Snapshot
	w, h            int
	bordered, focus bool

	dirty bool
	lines []string
}

// nowWhatKey is everything the panel's content depends on. The engine
// publishes the same Analogs and Risk pointers until the study reruns at a
// day close (and never mutates what it published), so comparing pointers
// is enough to skip the per-snapshot re-render.
type nowWhatKey struct {
	analogs      *engine.Analogs
	risk         *engine.Risk
	small, large string
}

func keyOfNowWhat(s *engine.Snapshot) nowWhatKey {
	return nowWhatKey{s.Analogs, s.Risk, s.Pair.Small, s.Pair.Large}
}

func newNowWhatPanel(st *Styles) *nowWhatPanel { return &nowWhatPanel{st: st, dirty: true} }

func (p *nowWhatPanel) SetSize(w, h int) {
	if w != p.w || h != p.h {
		p.w, p.h, p.dirty = w, h, true
	}
}

func (p *nowWhatPanel) setFrame(bordered, focus bool) {
	if bordered != p.bordered || focus != p.focus {
		p.bordered, p.focus, p.dirty = bordered, focus, true
	}
}

// SetSnapshot re-renders only when the study or the pair changed.
func (p *nowWhatPanel) SetSnapshot(s *engine.Snapshot) {
	if p.snap == nil || s == nil || keyOfNowWhat(p.snap) != keyOfNowWhat(s) {
		p.dirty = true
	}
	p.snap = s
}
func (p *nowWhatPanel) restyle() { p.dirty = true }

func (p *nowWhatPanel) View() string { return strings.Join(p.render(), "\n") }

func (p *nowWhatPanel) render() []string {
	if !p.dirty && len(p.lines) == p.h {
		return p.lines
	}
	p.dirty = false
	cw, ch := p.w, p.h-1
	if p.bordered && p.w >= 4 && p.h >= 3 {
		cw, ch = p.w-2, p.h-2
	}
	p.lines = frame(p.st, "Now what? past breakouts like today's", p.body(cw, ch), p.w, p.h, p.bordered, p.focus)
	return p.lines
}

func (p *nowWhatPanel) body(cw, ch int) []string {
	if cw <= 0 || ch <= 0 {
		return nil
	}
	if p.snap == nil {
		return []string{p.st.Muted.Render("no data yet")}
	}
	out := nowwhat.Render(p.snap.Analogs, p.snap.Risk, p.snap.Pair.Small, p.snap.Pair.Large, cw, ch, p.st.NowWhat)
	return strings.Split(out, "\n")
}
