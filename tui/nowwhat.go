package tui

import (
	"github.com/charmbracelet/x/ansi"
	"strings"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/tui/breadth"
	"github.com/capwatch/capwatch/tui/nowwhat"
)

// nowWhatPanel is the "Now what?" panel: what followed past breakouts like
// today's, drawn by the nowwhat renderer and cached like every panel.
type nowWhatPanel struct{ panelBase }

// nowWhatKey is everything the panel's content depends on. The engine
// publishes the same Analogs and Risk pointers until the study reruns at a
// day close (and never mutates what it published), so comparing pointers
// is enough to skip the per-snapshot re-render.
type nowWhatKey struct {
	analogs      *engine.Analogs
	risk         *engine.Risk
	small, large string
	problem      string // why a leg has no data (said when there is no study)
}

func keyOfNowWhat(s *engine.Snapshot) nowWhatKey {
	k := nowWhatKey{analogs: s.Analogs, risk: s.Risk, small: s.Pair.Small, large: s.Pair.Large}
	if s.Analogs == nil {
		k.problem = s.PairProblem()
	}
	return k
}

func newNowWhatPanel(st *Styles) *nowWhatPanel {
	p := &nowWhatPanel{}
	p.panelBase = newBase(st, p.draw)
	return p
}

// SetSnapshot re-renders only when the study or the pair changed.
func (p *nowWhatPanel) SetSnapshot(s *engine.Snapshot) {
	if p.snap == nil || s == nil || keyOfNowWhat(p.snap) != keyOfNowWhat(s) {
		p.dirty = true
	}
	p.snap = s
}

// draw is the panel's title and content (cw×ch).
func (p *nowWhatPanel) draw(cw, ch int) (string, []string) {
	return "Now what? past breakouts like today's", p.body(cw, ch)
}

func (p *nowWhatPanel) body(cw, ch int) []string {
	if cw <= 0 || ch <= 0 {
		return nil
	}
	if p.snap == nil {
		return []string{p.st.Muted.Render("no data yet")}
	}
	if why := p.snap.PairProblem(); p.snap.Analogs == nil && why != "" {
		// No study because a leg has no data: its cause (the file, the
		// feed's reason), as the ratio panel says it, not "not enough
		// history yet".
		var out []string
		for _, l := range strings.Split(ansi.Wrap("✖ no breakout study: "+why, cw, " /"), "\n") {
			out = append(out, p.st.Bad.Render(l))
		}
		return out
	}
	out := strings.Split(nowwhat.Render(p.snap.Analogs, p.snap.Risk, p.snap.Pair.Small, p.snap.Pair.Large, cw, ch, p.st.NowWhat), "\n")
	for len(out) > 0 && strings.TrimSpace(ansi.Strip(out[len(out)-1])) == "" {
		out = out[:len(out)-1]
	}
	// The events split by breadth at the event, in the rows the study
	// leaves: a line per group when they fit (zoomed), else one line.
	if a := p.snap.Analogs; a != nil && a.Breadth != nil {
		from := ""
		if b := p.snap.Breadth; b != nil {
			from = b.HistoryFrom
		}
		spare := ch - len(out)
		if lines := breadth.SplitLines(a.Breadth, from, cw, p.st.Breadth); spare > len(lines) {
			out = append(append(out, ""), lines...)
		} else if spare >= 1 {
			out = append(out, breadth.SplitLine(a.Breadth, cw, p.st.Breadth)...)
		}
	}
	return out
}
