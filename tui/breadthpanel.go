package tui

import (
	"time"

	"github.com/capwatch/capwatch/tui/breadth"
)

// breadthPanel is the breadth panel: the member universe's breadth, its
// load progress and the confirmation strip, drawn by the tui/breadth
// renderer. Zoomed (or tall) it adds the history's sparklines and one line
// per confirmation.
type breadthPanel struct {
	panelBase
	now time.Time
}

func newBreadthPanel(st *Styles) *breadthPanel {
	p := &breadthPanel{}
	p.panelBase = newBase(st, p.draw)
	return p
}

// breadthZoomRows is the height from which the panel shows the zoomed view.
const breadthZoomRows = 12

// setNow updates the clock the end-of-day age is judged on; the panel
// redraws only when the shown age (in minutes) can change.
func (p *breadthPanel) setNow(now time.Time, _ time.Duration, _ bool) {
	if now.Truncate(time.Minute) != p.now.Truncate(time.Minute) {
		p.now, p.dirty = now, true
	}
}

func (p *breadthPanel) input(ch int) breadth.Input {
	in := breadth.Input{Now: p.now, Zoomed: ch >= breadthZoomRows}
	if s := p.snap; s != nil {
		in.Breadth, in.Load, in.Confirm, in.Small = s.Breadth, s.BreadthLoad, s.Confirmations, s.Pair.Small
	}
	return in
}

// draw is the panel's title and content (cw×ch).
func (p *breadthPanel) draw(cw, ch int) (string, []string) {
	in := p.input(ch)
	if p.snap == nil {
		return breadth.Title(in), []string{p.st.Muted.Render("no data yet")}
	}
	return breadth.Title(in), breadth.Render(in, cw, ch, p.st.Breadth)
}
