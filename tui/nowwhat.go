package tui

import (
	"fmt"
	"strings"

	"github.com/capwatch/capwatch/engine"
)

// nowWhatPanel holds the slot of the "Now what?" panel (what happened after
// past breakouts). Its content is drawn by renderFn; until the dedicated
// renderer is wired a short built-in summary is used.
type nowWhatPanel struct {
	st *Styles

	snap            *engine.Snapshot
	w, h            int
	bordered, focus bool

	dirty bool
	lines []string
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

func (p *nowWhatPanel) SetSnapshot(s *engine.Snapshot) { p.snap, p.dirty = s, true }
func (p *nowWhatPanel) restyle()                       { p.dirty = true }

func (p *nowWhatPanel) View() string { return strings.Join(p.render(), "\n") }

func (p *nowWhatPanel) render() []string {
	if !p.dirty && len(p.lines) == p.h {
		return p.lines
	}
	p.dirty = false
	p.lines = frame(p.st, "Now what?", p.body(), p.w, p.h, p.bordered, p.focus)
	return p.lines
}

func (p *nowWhatPanel) body() []string {
	st := p.st
	if p.snap == nil || p.snap.Analogs == nil {
		return []string{st.Muted.Render("waiting for the analog study (needs long daily history)")}
	}
	a := p.snap.Analogs
	out := []string{fmt.Sprintf("%d past %s events since %s", len(a.Events), Sanitize(a.Event), Sanitize(a.HistoryFrom))}
	for _, h := range a.Horizons {
		hit, ok := h.RelHitRate.Get()
		if !ok {
			out = append(out, st.Muted.Render(fmt.Sprintf("%-3s  not enough history", h.Horizon)))
			continue
		}
		line := fmt.Sprintf("%-3s  small led %3.0f%% of the time, median %s (n=%d)",
			Sanitize(h.Horizon), hit*100, fmtPct(h.RelMedianPct, 1), h.N)
		if b, ok := h.BaseRelHitRate.Get(); ok {
			line += st.Muted.Render(fmt.Sprintf("  vs any day %.0f%%", b*100))
		}
		out = append(out, line)
	}
	return out
}
