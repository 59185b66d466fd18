package rotation

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	rot "github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/tui/braille"
)

// Canvas style indices: 1 the axes, 2 muted text, 3+q quadrant q.
const (
	stAxis  braille.Style = 1
	stMuted braille.Style = 2
	stQuad0 braille.Style = 3
)

func quadStyle(q rot.Quadrant) braille.Style { return stQuad0 + braille.Style(q) }

// paint turns a canvas style into the panel's colours.
func (st Styles) paint(s braille.Style, text string) string {
	switch {
	case s == stAxis:
		return st.axis.Paint(text)
	case s == stMuted:
		return st.muted.Paint(text)
	case s >= stQuad0 && int(s-stQuad0) < len(st.quad):
		return st.quad[s-stQuad0].Paint(text)
	}
	return text
}

// scale maps graph values to dots.
type scale struct {
	xlo, xhi, ylo, yhi float64
	dw                 int // dots across
	ytop, ybot         int // dot rows of the data (the first and last cell rows hold labels)
}

func (s scale) x(v float64) int {
	return int(math.Round((v - s.xlo) / (s.xhi - s.xlo) * float64(s.dw-1)))
}

func (s scale) y(v float64) int {
	return s.ytop + int(math.Round((s.yhi-v)/(s.yhi-s.ylo)*float64(s.ybot-s.ytop)))
}

// minSpan is the smallest value range an axis shows (so noise around 100
// does not fill the graph); margin is the share of the range added on
// each side.
const (
	minSpan = 1.0
	margin  = 0.08
)

// bounds returns the value ranges of the drawn points, 100 included, with
// a margin.
func bounds(entries []rot.Entry, tail int) (xlo, xhi, ylo, yhi float64) {
	xlo, xhi, ylo, yhi = 100, 100, 100, 100
	for _, e := range entries {
		for _, p := range tailOf(e, tail) {
			x, okx := p.RSRatio.Get()
			y, oky := p.RSMomentum.Get()
			if !okx || !oky {
				continue
			}
			xlo, xhi = math.Min(xlo, x), math.Max(xhi, x)
			ylo, yhi = math.Min(ylo, y), math.Max(yhi, y)
		}
	}
	pad := func(lo, hi float64) (float64, float64) {
		if span := hi - lo; span < minSpan {
			mid := (lo + hi) / 2
			lo, hi = mid-minSpan/2, mid+minSpan/2
		}
		m := (hi - lo) * margin
		return lo - m, hi + m
	}
	xlo, xhi = pad(xlo, xhi)
	ylo, yhi = pad(ylo, yhi)
	return xlo, xhi, ylo, yhi
}

// graph draws the rotation graph in w×h cells (h ≥ MinCanvasH).
func graph(entries []rot.Entry, tail, w, h int, st Styles) []string {
	c := braille.New(w, h)
	xlo, xhi, ylo, yhi := bounds(entries, tail)
	dw, _ := c.Dots()
	sc := scale{xlo: xlo, xhi: xhi, ylo: ylo, yhi: yhi, dw: dw, ytop: 4, ybot: 4*h - 5}

	// Axes through (100, 100), under everything else.
	ax, ay := sc.x(100)/2, sc.y(100)/4
	for r := range h {
		c.SetBack(ax, r, '│', stAxis)
	}
	for col := range w {
		c.SetBack(col, ay, '─', stAxis)
	}
	c.SetBack(ax, ay, '┼', stAxis)
	cornerNames(c, w, h)
	scaleNotes(c, sc, w, h)

	// Tails, then heads, then labels (so a label never hides a head).
	order := drawOrder(entries)
	for _, i := range order {
		e := entries[i]
		style := quadStyle(e.Quadrant)
		px, py, prev := 0, 0, false
		for _, p := range tailOf(e, tail) {
			x, okx := p.RSRatio.Get()
			y, oky := p.RSMomentum.Get()
			if !okx || !oky {
				prev = false
				continue
			}
			dx, dy := sc.x(x), sc.y(y)
			if prev {
				c.Line(px, py, dx, dy, style)
			} else {
				c.Set(dx, dy, style)
			}
			px, py, prev = dx, dy, true
		}
	}
	type headAt struct {
		i, col, row int
	}
	var heads []headAt
	for _, i := range order {
		e := entries[i]
		hp, ok := e.Head()
		x, okx := hp.RSRatio.Get()
		y, oky := hp.RSMomentum.Get()
		if !ok || !okx || !oky {
			continue
		}
		col, row := sc.x(x)/2, sc.y(y)/4
		c.SetText(col, row, Symbol(e.Quadrant), quadStyle(e.Quadrant))
		heads = append(heads, headAt{i, col, row})
	}
	// Labels: the pair's first (it matters most), then in the entries' order.
	for k := len(heads) - 1; k >= 0; k-- {
		hd := heads[k]
		placeLabel(c, hd.col, hd.row, ShortName(entries[hd.i]), quadStyle(entries[hd.i].Quadrant))
	}
	return c.Lines(st.paint)
}

// drawOrder draws the pair's own entry last (on top).
func drawOrder(entries []rot.Entry) []int {
	order := make([]int, 0, len(entries))
	pair := -1
	for i, e := range entries {
		if e.Sector == rot.PairSector {
			pair = i
			continue
		}
		order = append(order, i)
	}
	if pair >= 0 {
		order = append(order, pair)
	}
	return order
}

// cornerNames writes the quadrant names into the corners: improving top
// left, leading top right, lagging bottom left, weakening bottom right
// (shorter forms in a narrow graph).
func cornerNames(c *braille.Canvas, w, h int) {
	type corner struct {
		q           rot.Quadrant
		long, short string
		right       bool
		row         int
	}
	for _, pair := range [2][2]corner{
		{{rot.Improving, "△ Improving", "△ Impr", false, 0}, {rot.Leading, "Leading ▲", "Lead ▲", true, 0}},
		{{rot.Lagging, "▽ Lagging", "▽ Lag", false, h - 1}, {rot.Weakening, "Weakening ▼", "Weak ▼", true, h - 1}},
	} {
		long := utf8.RuneCountInString(pair[0].long) + utf8.RuneCountInString(pair[1].long)
		for _, cn := range pair {
			s := cn.long
			if long+1 > w {
				s = cn.short
			}
			col := 0
			if cn.right {
				col = w - utf8.RuneCountInString(s)
			}
			c.SetText(col, cn.row, s, quadStyle(cn.q))
		}
	}
}

// scaleNotes writes the value ranges between the corner names, each in the
// longest form that fits: momentum (up) in the top row, ratio (across) in
// the bottom row.
func scaleNotes(c *braille.Canvas, sc scale, w, h int) {
	mom := fmt.Sprintf("%.1f…%.1f", sc.ylo, sc.yhi)
	ratio := fmt.Sprintf("%.1f…%.1f", sc.xlo, sc.xhi)
	for _, n := range []struct {
		row   int
		forms []string
	}{
		{0, []string{"↑ rs-momentum " + mom, "↑ momentum " + mom, "↑ mom " + mom, "↑ " + mom}},
		{h - 1, []string{"rs-ratio " + ratio + " →", "ratio " + ratio + " →", ratio + " →"}},
	} {
		for _, text := range n.forms {
			l := utf8.RuneCountInString(text)
			col := (w - l) / 2
			free := col >= 1 && col+l < w
			for i := col - 2; free && i < col+l+2; i++ {
				free = !c.HasText(i, n.row)
			}
			if free {
				c.SetText(col, n.row, text, stMuted)
				break
			}
		}
	}
}

// placeLabel writes label next to the head at (col, row): to the right,
// else the left, else above or below, further out if needed, at the first
// place that overlaps no other text and covers the fewest tail dots. A
// label with no free place is left out (the table still lists the entry).
func placeLabel(c *braille.Canvas, col, row int, label string, style braille.Style) {
	n := utf8.RuneCountInString(label)
	w, h := c.Cells()
	cands := [][2]int{
		{col + 1, row}, {col - n, row},
		{col + 1, row - 1}, {col + 1, row + 1}, {col - n, row - 1}, {col - n, row + 1},
		{col - n/2, row - 1}, {col - n/2, row + 1},
		{col + 2, row}, {col - n - 1, row},
		{col + 1, row - 2}, {col + 1, row + 2}, {col - n, row - 2}, {col - n, row + 2},
		{col - n/2, row - 2}, {col - n/2, row + 2},
	}
	best, bestScore := -1, math.MaxInt
	for k, p := range cands {
		x, y := p[0], p[1]
		if x < 0 || y < 0 || x+n > w || y >= h {
			continue
		}
		ok, score := true, 0
		for i := x - 1; i <= x+n && ok; i++ {
			inside := i >= x && i < x+n
			if c.HasText(i, y) && (inside || !(i == col && y == row)) {
				ok = false // overlaps or touches other text (its own head may touch)
			}
			if inside && c.HasDots(i, y) {
				score++
			}
		}
		if ok && score < bestScore {
			best, bestScore = k, score
			if score == 0 {
				break
			}
		}
	}
	if best < 0 {
		return
	}
	c.SetText(cands[best][0], cands[best][1], label, style)
}

// tableForm is one of the table's layouts, widest first.
type tableForm int

const (
	formWide    tableForm = iota // full sector names, quadrant words
	formCompact                  // short names, quadrant words
	formTiny                     // short names, no quadrant words (the symbol tells)
)

// tableRow is one row's texts.
type tableRow struct {
	sym, name, quad, ratio, mom, weeks string
	q                                  rot.Quadrant
}

func rowsOf(entries []rot.Entry, f tableForm) []tableRow {
	rows := make([]tableRow, 0, len(entries))
	for _, e := range entries {
		r := tableRow{sym: Symbol(e.Quadrant), q: e.Quadrant, ratio: fmtNum(e.RSRatio), mom: fmtNum(e.RSMomentum), quad: e.Quadrant.String()}
		switch {
		case f != formWide:
			r.name = ShortName(e)
		case e.Sector == rot.PairSector:
			r.name = ShortName(e) + " pair"
		default:
			r.name = cut(clean(e.Sector, 40), 16)
		}
		if r.quad == "" {
			r.quad = "—"
		}
		r.weeks = "—"
		if e.WeeksInQuadrant > 0 {
			r.weeks = itoa(e.WeeksInQuadrant)
		}
		rows = append(rows, r)
	}
	return rows
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// colWidths are the table's column widths for rows (header included).
func colWidths(rows []tableRow) (name, quad, ratio, mom, weeks int) {
	name, quad, ratio, mom, weeks = len("sector"), len("quadrant"), len("ratio"), len("mom"), len("wks")
	for _, r := range rows {
		name = max(name, utf8.RuneCountInString(r.name))
		quad = max(quad, utf8.RuneCountInString(r.quad))
		ratio = max(ratio, utf8.RuneCountInString(r.ratio))
		mom = max(mom, utf8.RuneCountInString(r.mom))
		weeks = max(weeks, utf8.RuneCountInString(r.weeks))
	}
	return
}

// width is the table's width in form f.
func (f tableForm) width(entries []rot.Entry) int {
	name, quad, ratio, mom, weeks := colWidths(rowsOf(entries, f))
	w := 2 + name + 2 + ratio + 2 + mom + 2 + weeks
	if f != formTiny {
		w += quad + 2
	}
	return w
}

func padRight(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s)))
}

func padLeft(s string, n int) string {
	return strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s))) + s
}

// table renders the header and one row per entry, every line the table's
// full width.
func table(entries []rot.Entry, f tableForm, st Styles) []string {
	rows := rowsOf(entries, f)
	name, quad, ratio, mom, weeks := colWidths(rows)
	var b strings.Builder
	b.WriteString("  " + padRight("sector", name) + "  ")
	if f != formTiny {
		b.WriteString(padRight("quadrant", quad) + "  ")
	}
	b.WriteString(padLeft("ratio", ratio) + "  " + padLeft("mom", mom) + "  " + padLeft("wks", weeks))
	out := []string{st.header.Paint(b.String())}
	num := func(s string, n int) string {
		if s == "—" {
			return st.muted.Paint(padLeft(s, n))
		}
		return st.label.Paint(padLeft(s, n))
	}
	for _, r := range rows {
		b.Reset()
		q := st.quad[r.q]
		b.WriteString(q.Paint(r.sym) + " " + st.label.Paint(padRight(r.name, name)) + "  ")
		if f != formTiny {
			b.WriteString(q.Paint(padRight(r.quad, quad)) + "  ")
		}
		b.WriteString(num(r.ratio, ratio) + "  " + num(r.mom, mom) + "  " + num(r.weeks, weeks))
		out = append(out, b.String())
	}
	return out
}
