package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/numfmt"
)

// horizon is one of the sector return horizons.
type horizon int

const (
	h1d horizon = iota
	h1w
	h1m
	h3m
	horizonCount
)

func (h horizon) String() string { return [...]string{"1d", "1w", "1m", "3m"}[h] }

// scale is the magnitude (percent) that gets the strongest heat colour.
func (h horizon) scale() float64 { return [...]float64{2, 4, 8, 15}[h] }

func (h horizon) of(r engine.Returns) engine.Num {
	return [...]engine.Num{r.D1, r.W1, r.M1, r.M3}[h]
}

// sectorsPanel is the sector heatmap: per sector pair, the small leg, the
// large leg and the spread over 1d/1w/1m/3m on a diverging scale.
type sectorsPanel struct {
	panelBase
	keys     *keyMap
	metric   horizon // shown when only one horizon fits
	relative bool    // legs relative to their benchmark
}

func newSectorsPanel(st *Styles, keys *keyMap) *sectorsPanel {
	p := &sectorsPanel{keys: keys, metric: h1m}
	p.panelBase = newBase(st, p.draw)
	return p
}

// Bindings are the horizon and relative-to-benchmark keys.
func (p *sectorsPanel) Bindings() []key.Binding {
	return []key.Binding{p.keys.SectorMetric, p.keys.SectorRelative}
}

// Update handles the horizon and relative-to-benchmark keys.
func (p *sectorsPanel) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, p.keys.SectorMetric):
		p.metric = (p.metric + 1) % horizonCount
		p.dirty = true
	case key.Matches(k, p.keys.SectorRelative):
		p.relative = !p.relative
		p.dirty = true
	}
	return nil
}

const (
	cellW    = 5 // one heat cell: "+1.2 "
	groupGap = 1
)

// draw is the panel's title (the mode, and the horizon when only one fits)
// and content (cw×ch).
func (p *sectorsPanel) draw(cw, ch int) (string, []string) {
	title := "Sectors small vs large"
	if p.relative {
		title = "Sectors vs benchmark"
	}
	if _, _, hs := p.layout(cw); len(hs) == 1 {
		title += " · " + p.metric.String()
	}
	return title, p.body(cw, ch)
}

// layout decides the name and legs column widths and which horizons fit in
// cw cells.
func (p *sectorsPanel) layout(cw int) (nameW, legsW int, hs []horizon) {
	group := 3*cellW + groupGap
	legsW = 10 // "PSCT·/XLK "
	nameW = 12
	if cw >= nameW+legsW+4*group {
		return min(cw-legsW-4*group, 22), legsW, []horizon{h1d, h1w, h1m, h3m}
	}
	if cw < 12+legsW+group {
		legsW = 0
	}
	return min(max(cw-legsW-group, 6), 14), legsW, []horizon{p.metric}
}

func (p *sectorsPanel) body(cw, ch int) []string {
	if p.snap == nil {
		return []string{p.st.Muted.Render("no data yet")}
	}
	secs := p.snap.Sectors
	if len(secs) == 0 {
		return []string{p.st.Muted.Render("no sector data")}
	}
	st := p.st
	nameW, legsW, hs := p.layout(cw)
	smallHdr, largeHdr := "sml", "lrg"
	if p.relative { // each leg minus its benchmark
		smallHdr, largeHdr = "s-bm", "l-bm"
	}
	// Header: horizon names over their groups, then the cell names.
	h1 := fit("", nameW+legsW)
	h2 := fit("sector", nameW) + fit("small/lg", legsW)
	for _, h := range hs {
		h1 += centre(h.String(), 3*cellW) + " "
		h2 += fit(centre(smallHdr, cellW)+centre(largeHdr, cellW)+centre("sprd", cellW), 3*cellW) + " "
	}
	out := []string{st.Bold.Render(h1), st.Muted.Render(h2)}
	if len(hs) == 1 { // the horizon is in the title; save the row
		out = out[1:]
	}
	// The count is the sector_breadth flag's (engine.SmallLeads): sectors
	// with both legs known at the horizon, leading on the unrounded
	// returns; the others are said apart ("2 without data").
	leading, counted := 0, 0
	var rows []string
	for _, s := range secs {
		mark := " "
		if s.Thin {
			mark = "·"
		}
		name := shortSector(s.Sector, nameW-1)
		legs := fit(fit(s.Small+mark, 5)+"/"+s.Large, legsW)
		if legsW == 0 && s.Thin {
			name = fit(name, nameW-2) + mark
		}
		line := fit(name, nameW-1) + " " + legs
		for _, h := range hs {
			sm, lg := p.legs(s, h)
			line += p.cell(sm, h) + p.cell(lg, h) + p.cell(shownDiff(sm, lg), h) + " "
		}
		if c, l := engine.SmallLeads(p.legs(s, p.metric)); c {
			counted++
			if l {
				leading++
			}
		}
		rows = append(rows, line)
	}
	if room := ch - len(out); len(rows) > room && room > 0 { // say how many do not fit
		rows = append(rows[:room-1], st.Muted.Render(fmt.Sprintf("… %d more (z zooms)", len(rows)-room+1)))
	}
	out = append(out, rows...)
	if len(out) < ch {
		out = append(out, st.Muted.Render(firstFit(cw, p.countForms(leading, counted, len(secs)-counted)...)))
	}
	if len(out) < ch && anyThin(secs) {
		out = append(out, st.Muted.Render(firstFit(cw,
			"· = thin: small leg trades little; its moves may be noise",
			"· = thin: trades little, moves may be noise",
			"· = thin, may be noise")))
	}
	return out
}

// countForms say in how many of the counted sectors the small leg leads at
// the horizon shown, and how many have no data there, longest first.
func (p *sectorsPanel) countForms(leading, counted, missing int) []string {
	k, h := fmt.Sprintf("%d/%d", leading, counted), p.metric.String()
	forms := []string{
		fmt.Sprintf("small leg leading in %s sectors (%s spread)", k, h),
		fmt.Sprintf("small leads in %s sectors (%s)", k, h),
		fmt.Sprintf("small leads %s (%s)", k, h)}
	if p.relative {
		forms = []string{
			fmt.Sprintf("small leg ahead of large vs benchmarks in %s (%s)", k, h),
			fmt.Sprintf("sprd > 0 in %s sectors (%s)", k, h),
			fmt.Sprintf("sprd > 0: %s (%s)", k, h)}
	}
	if missing == 0 {
		return forms
	}
	return []string{
		forms[0] + fmt.Sprintf("; %d without data", missing),
		forms[1] + fmt.Sprintf(", %d without data", missing),
		forms[1] + fmt.Sprintf(", %d no data", missing),
		forms[2] + fmt.Sprintf(", %d no data", missing),
		forms[2]}
}

// firstFit is the first of forms (longest first) that fits w cells, else
// the last.
func firstFit(w int, forms ...string) string {
	for _, f := range forms {
		if ansi.StringWidth(f) <= w {
			return f
		}
	}
	return forms[len(forms)-1]
}

func anyThin(secs []engine.SectorSnapshot) bool {
	for _, s := range secs {
		if s.Thin {
			return true
		}
	}
	return false
}

// legs are the two leg columns of a sector at horizon h: the legs' returns,
// or each leg's return less its benchmark's (the pair's legs) in relative
// mode.
func (p *sectorsPanel) legs(s engine.SectorSnapshot, h horizon) (small, large engine.Num) {
	if p.relative {
		return h.of(s.SmallVsBench), h.of(s.LargeVsBench)
	}
	return h.of(s.SmallRet), h.of(s.LargeRet)
}

// shownDiff is the spread column: the small column less the large column,
// as both are shown (rounded to their cells' precision), so the three
// numbers on a row always add up. Absent when either leg is.
func shownDiff(small, large engine.Num) engine.Num {
	s, ok1 := small.Get()
	l, ok2 := large.Get()
	if !ok1 || !ok2 {
		return engine.Num{}
	}
	return engine.Some(numfmt.Round(s, cellPrec(s)) - numfmt.Round(l, cellPrec(l)))
}

// cell renders one heat cell: the number (with its sign, so meaning survives
// without colour) on the diverging background.
func (p *sectorsPanel) cell(n engine.Num, h horizon) string {
	v, ok := n.Get()
	if !ok {
		return centre("—", cellW)
	}
	prec := cellPrec(v)
	return p.st.heatInk(numfmt.Round(v, prec), h.scale()).Paint(fmt.Sprintf("%*s ", cellW-1, numfmt.Signed(v, prec)))
}

// cellPrec is the decimals a heat cell shows v with: one, or none from
// ±9.95 up (keeping four characters: "+12", "-104").
func cellPrec(v float64) int {
	if v >= 9.95 || v <= -9.95 {
		return 0
	}
	return 1
}

// centre pads s to w cells, centred.
func centre(s string, w int) string {
	n := len([]rune(s))
	if n >= w {
		return fit(s, w)
	}
	l := (w - n) / 2
	return strings.Repeat(" ", l) + s + strings.Repeat(" ", w-n-l)
}

// shortSector abbreviates the long standard sector names when they do not
// fit in w cells ("Consumer Discretionary" → "Cons. Disc."), so the word
// that tells sectors apart survives; other names are cut by the caller.
func shortSector(name string, w int) string {
	if ansi.StringWidth(name) <= w {
		return name
	}
	switch name {
	case "Consumer Discretionary":
		return "Cons. Disc."
	case "Consumer Staples":
		return "Cons. Staples"
	case "Communication Services":
		return "Comm. Services"
	case "Information Technology":
		return "Technology"
	}
	return name
}
