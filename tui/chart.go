package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"
)

// timeframe is the span shown by the ratio chart.
type timeframe int

const (
	tf1D timeframe = iota // today's intraday bars
	tf5D
	tf1M
	tf6M
	tf1Y
	tfCount
)

func (t timeframe) String() string {
	switch t {
	case tf1D:
		return "1D"
	case tf5D:
		return "5D"
	case tf1M:
		return "1M"
	case tf6M:
		return "6M"
	case tf1Y:
		return "1Y"
	}
	return "?"
}

// days is the number of daily points shown (0 for the intraday 1D view).
func (t timeframe) days() int {
	return [...]int{0, 5, 21, 126, 252}[t]
}

// chartPanel draws the small÷large ratio with its 50- and 200-day averages.
// The rendered lines are cached and rebuilt only when the data, the size,
// the styles, the focus or the timeframe change.
type chartPanel struct {
	st   *Styles
	keys *keyMap
	loc  *time.Location

	snap            *engine.Snapshot
	tf              timeframe
	w, h            int
	bordered, focus bool

	dirty bool
	lines []string
}

func newChartPanel(st *Styles, keys *keyMap, loc *time.Location) *chartPanel {
	return &chartPanel{st: st, keys: keys, loc: loc, tf: tf1D, dirty: true}
}

func (p *chartPanel) SetSize(w, h int) {
	if w != p.w || h != p.h {
		p.w, p.h, p.dirty = w, h, true
	}
}

func (p *chartPanel) setFrame(bordered, focus bool) {
	if bordered != p.bordered || focus != p.focus {
		p.bordered, p.focus, p.dirty = bordered, focus, true
	}
}

func (p *chartPanel) SetSnapshot(s *engine.Snapshot) { p.snap, p.dirty = s, true }
func (p *chartPanel) restyle()                       { p.dirty = true }

func (p *chartPanel) setTimeframe(t timeframe) {
	if t < 0 || t >= tfCount || t == p.tf {
		return
	}
	p.tf, p.dirty = t, true
}

// Update handles the timeframe keys.
func (p *chartPanel) Update(msg tea.Msg) (*chartPanel, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	switch {
	case key.Matches(k, p.keys.TF1D):
		p.setTimeframe(tf1D)
	case key.Matches(k, p.keys.TF5D):
		p.setTimeframe(tf5D)
	case key.Matches(k, p.keys.TF1M):
		p.setTimeframe(tf1M)
	case key.Matches(k, p.keys.TF6M):
		p.setTimeframe(tf6M)
	case key.Matches(k, p.keys.TF1Y):
		p.setTimeframe(tf1Y)
	case key.Matches(k, p.keys.TFPrev):
		p.setTimeframe(p.tf - 1)
	case key.Matches(k, p.keys.TFNext):
		p.setTimeframe(p.tf + 1)
	}
	return p, nil
}

func (p *chartPanel) View() string { return strings.Join(p.render(), "\n") }

func (p *chartPanel) render() []string {
	if !p.dirty && len(p.lines) == p.h {
		return p.lines
	}
	p.dirty = false
	title := "Ratio"
	if p.snap != nil {
		title = "Ratio " + Sanitize(p.snap.Pair.Small) + " ÷ " + Sanitize(p.snap.Pair.Large)
	}
	cw, ch := p.w, p.h-1
	if p.bordered && p.w >= 4 && p.h >= 3 {
		cw, ch = p.w-2, p.h-2
	}
	p.lines = frame(p.st, title, p.body(cw, ch), p.w, p.h, p.bordered, p.focus)
	return p.lines
}

// body renders the content area (cw×ch).
func (p *chartPanel) body(cw, ch int) []string {
	if cw <= 0 || ch <= 0 {
		return nil
	}
	if p.snap == nil {
		return []string{p.st.Muted.Render("no data yet")}
	}
	out := []string{p.summary()}
	pts := p.points()
	ratio, s50, s200, ok := series(pts)
	if !ok {
		msg := "no ratio data for " + p.tf.String()
		if p.tf == tf1D {
			msg = "no intraday data yet — press 2–5 for daily views"
		}
		return append(out, p.st.Muted.Render(msg), p.selector())
	}
	if ch < 6 { // compact: a sparkline of the ratio
		out = append(out, p.st.Text.Render(sparkline(ratio, cw))+"", p.selector())
		return out
	}
	plotRows := ch - 3 // summary, time axis, legend
	// Keep the ratio's moves readable: an average far outside its range is
	// given as a number in the legend instead of flattening the plot.
	s50, s200 = nearRange(ratio, s50), nearRange(ratio, s200)
	plot, gutter := p.plot(ratio, s50, s200, cw, plotRows)
	out = append(out, plot...)
	out = append(out, p.st.Muted.Render(p.timeAxis(pts, gutter, cw)))
	out = append(out, p.legend(s50, s200, cw < 72)+"  "+p.selector())
	return out
}

// summary is the latest ratio, today's change and leading/lagging in words.
func (p *chartPanel) summary() string {
	ps := p.snap.Pair
	st := p.st
	v, ok := ps.Ratio.Get()
	if !ok {
		return st.Muted.Render("ratio not available yet")
	}
	s := st.Bold.Render(fmt.Sprintf("%.5f", v))
	if c, ok := ps.RatioChangePct.Get(); ok {
		word := "level with"
		switch {
		case c > 0:
			word = "small caps leading"
		case c < 0:
			word = "small caps lagging"
		}
		s += "  " + st.Sign(c).Render(arrow(c)+" "+fmtPct(ps.RatioChangePct, 2)+" today") + "  " + st.Sign(c).Render(word)
		if c == 0 {
			s = strings.TrimSuffix(s, "level with") + " small and large caps level"
		}
	}
	if m, ok := ps.RatioSMA50.Get(); ok {
		if v >= m {
			s += st.Muted.Render("  · above 50d avg")
		} else {
			s += st.Muted.Render("  · below 50d avg")
		}
	}
	return s
}

// points selects the ratio points of the current timeframe.
func (p *chartPanel) points() []engine.RatioPoint {
	ps := p.snap.Pair
	if p.tf == tf1D {
		return ps.Intraday
	}
	n := p.tf.days()
	d := ps.Daily
	if len(d) > n {
		d = d[len(d)-n:]
	}
	return d
}

// series converts points into three plot series, with absent or non-finite
// values as NaN. ok is false when the ratio has no finite value.
func series(pts []engine.RatioPoint) (ratio, s50, s200 []float64, ok bool) {
	n := len(pts)
	ratio, s50, s200 = make([]float64, n), make([]float64, n), make([]float64, n)
	for i, pt := range pts {
		ratio[i] = finiteOrNaN(pt.Ratio)
		s50[i], s200[i] = numOrNaN(pt.SMA50), numOrNaN(pt.SMA200)
		if !math.IsNaN(ratio[i]) {
			ok = true
		}
	}
	return ratio, s50, s200, ok
}

func finiteOrNaN(v float64) float64 {
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

func numOrNaN(n engine.Num) float64 {
	if v, ok := n.Get(); ok && !math.IsInf(v, 0) {
		return v
	}
	return math.NaN()
}

func hasFinite(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return true
		}
	}
	return false
}

// plot draws the series with asciigraph into exactly rows lines of cw cells
// and returns them with the y-gutter width (the column where data starts).
func (p *chartPanel) plot(ratio, s50, s200 []float64, cw, rows int) ([]string, int) {
	data := [][]float64{ratio}
	colors := []asciigraph.AnsiColor{p.st.Series[0]}
	chars := []asciigraph.CharSet{asciigraph.DefaultCharSet}
	if hasFinite(s50) {
		data = append(data, s50)
		colors = append(colors, p.st.Series[1])
		chars = append(chars, asciigraph.CreateCharSet("·"))
	}
	if hasFinite(s200) {
		data = append(data, s200)
		colors = append(colors, p.st.Series[2])
		chars = append(chars, asciigraph.CreateCharSet("•"))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range data {
		for _, v := range s {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if hi-lo < math.Abs(hi)*1e-6 || hi == lo { // constant: give it a range so Height holds
		pad := math.Max(math.Abs(hi)*0.001, 1e-6)
		lo, hi = lo-pad, hi+pad
	}
	// Decimals that resolve one row of the range, at least 2.
	dec := 2
	if step := (hi - lo) / float64(max(rows, 1)); step > 0 {
		dec = min(max(int(math.Ceil(-math.Log10(step))), 2), 6)
	}
	yfmt := func(v float64) string { return fmt.Sprintf("%.*f", dec, v) }
	labelW := max(len(yfmt(lo)), len(yfmt(hi)))
	const offset = 3 // asciigraph puts " label ┤" in labelW+offset cells
	gutter := labelW + offset
	width := cw - gutter
	if width < 2 || rows < 2 {
		return fitLines([]string{sparkline(ratio, cw)}, cw, rows), 0
	}
	for i := range data {
		if len(data[i]) == 1 { // asciigraph needs two points to interpolate
			data[i] = []float64{data[i][0], data[i][0]}
		}
	}
	opts := []asciigraph.Option{
		asciigraph.Height(rows - 1), asciigraph.Width(width), asciigraph.Offset(offset),
		asciigraph.LowerBound(lo), asciigraph.UpperBound(hi),
		asciigraph.YAxisValueFormatter(yfmt), asciigraph.SeriesChars(chars...),
	}
	if !p.st.NoColor {
		opts = append(opts, asciigraph.SeriesColors(colors...), asciigraph.AxisColor(p.st.Axis), asciigraph.LabelColor(p.st.Axis))
	}
	lines := strings.Split(asciigraph.PlotMany(data, opts...), "\n")
	if len(lines) > 0 {
		gutter = yGutter(lines[0], gutter)
	}
	if len(lines) > rows { // rounding in asciigraph can add a row
		lines = lines[:rows]
	}
	return fitLines(lines, cw, rows), gutter
}

// nearRange returns ref, or nil when ref lies further from ratio's range
// than the range is wide (it would flatten the ratio into a line).
func nearRange(ratio, ref []float64) []float64 {
	lo, hi := minMax(ratio)
	rlo, rhi := minMax(ref)
	if math.IsNaN(rlo) {
		return nil
	}
	span := math.Max(hi-lo, math.Abs(hi)*0.002)
	if rlo < lo-span || rhi > hi+span {
		return nil
	}
	return ref
}

// minMax of the finite values (NaN, NaN when none).
func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if math.IsInf(lo, 1) {
		return math.NaN(), math.NaN()
	}
	return lo, hi
}

// yGutter finds the data start column of a plot line: just after the y axis
// glyph. def is returned when no axis glyph is found.
func yGutter(line string, def int) int {
	plain := ansi.Strip(line)
	col := 0
	for _, r := range plain {
		col++
		if r == '┤' || r == '┼' {
			return col
		}
	}
	return def
}

// timeAxis places time labels under the plot, aligned with the data columns
// (which start at gutter).
func (p *chartPanel) timeAxis(pts []engine.RatioPoint, gutter, cw int) string {
	width := cw - gutter
	n := len(pts)
	if n == 0 || width < 6 {
		return ""
	}
	layout := "Jan 02"
	if p.tf == tf1D {
		layout = "15:04"
	}
	lbl := func(i int) string { return pts[i].Time.In(p.loc).Format(layout) }
	lw := len(lbl(0))
	buf := []byte(strings.Repeat(" ", cw))
	slots := max(width/(lw+6), 1) // room for edge labels that shift inwards
	last := -1
	for k := 0; k <= slots; k++ {
		i := 0
		if slots > 0 {
			i = k * (n - 1) / slots
		}
		col := gutter
		if n > 1 {
			col = gutter + int(math.Round(float64(i)*float64(width-1)/float64(n-1)))
		}
		start := col - lw/2
		start = max(start, gutter)
		start = min(start, cw-lw)
		if start < last+2 || start < 0 { // keep two cells between labels
			continue
		}
		copy(buf[start:], lbl(i))
		last = start + lw
	}
	return string(buf)
}

// legend names the series with their glyphs (meaning kept without colour).
// An average that is not plotted (too far from today's range) is given as a
// number with its direction.
func (p *chartPanel) legend(s50, s200 []float64, short bool) string {
	st := p.st
	col := func(i int, s string) string {
		if st.NoColor {
			return s
		}
		return "\x1b[38;5;" + strconv.Itoa(int(st.Series[i])) + "m" + s + "\x1b[0m"
	}
	ratio, _ := p.snap.Pair.Ratio.Get()
	item := func(i int, plotted []float64, glyph, name string, n engine.Num) string {
		if hasFinite(plotted) {
			return col(i, glyph+" "+name)
		}
		v, ok := n.Get()
		if !ok {
			return ""
		}
		where := "above chart ↑"
		if v < ratio {
			where = "below chart ↓"
		}
		if short {
			where = where[len(where)-len("↑"):]
		}
		return st.Muted.Render(name + " " + fmtNum(v) + " " + where)
	}
	parts := []string{col(0, "─ ratio")}
	n50, n200 := "50-day avg", "200-day avg"
	if short {
		n50, n200 = "50d", "200d"
	}
	if s := item(1, s50, "·", n50, p.snap.Pair.RatioSMA50); s != "" {
		parts = append(parts, s)
	}
	if s := item(2, s200, "•", n200, p.snap.Pair.RatioSMA200); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, "  ")
}

// selector shows the timeframes with the current one bracketed.
func (p *chartPanel) selector() string {
	var b strings.Builder
	for t := tf1D; t < tfCount; t++ {
		if t > 0 {
			b.WriteByte(' ')
		}
		if t == p.tf {
			b.WriteString(p.st.Bold.Render("[" + t.String() + "]"))
		} else {
			b.WriteString(p.st.Muted.Render(t.String()))
		}
	}
	return b.String()
}
