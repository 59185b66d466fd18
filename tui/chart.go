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
	"github.com/capwatch/capwatch/internal/numfmt"
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
	panelBase
	keys *keyMap
	loc  *time.Location
	tf   timeframe
}

func newChartPanel(st *Styles, keys *keyMap, loc *time.Location) *chartPanel {
	// 6M by default: the ratio against its 50- and 200-day averages is the
	// breakout question, and it reads the same at the open as at the close
	// (1D holds a single point at 09:30).
	p := &chartPanel{keys: keys, loc: loc, tf: tf6M}
	p.panelBase = newBase(st, p.draw)
	return p
}

func (p *chartPanel) setTimeframe(t timeframe) {
	if t < 0 || t >= tfCount || t == p.tf {
		return
	}
	p.tf, p.dirty = t, true
}

// Bindings are the timeframe keys.
func (p *chartPanel) Bindings() []key.Binding {
	k := p.keys
	return []key.Binding{k.TF1D, k.TF5D, k.TF1M, k.TF6M, k.TF1Y, k.TFPrev, k.TFNext}
}

// Update handles the timeframe keys.
func (p *chartPanel) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
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
	return nil
}

// draw is the panel's title and content (cw×ch).
func (p *chartPanel) draw(cw, ch int) (string, []string) {
	title := "Ratio"
	if p.snap != nil {
		title = "Ratio " + p.snap.Pair.Small + " ÷ " + p.snap.Pair.Large
	}
	return title, p.body(cw, ch)
}

// body renders the content area (cw×ch).
func (p *chartPanel) body(cw, ch int) []string {
	if cw <= 0 || ch <= 0 {
		return nil
	}
	if p.snap == nil {
		return []string{p.st.Muted.Render("no data yet")}
	}
	out := []string{p.summary(cw)}
	if _, ok := p.snap.Pair.Ratio.Get(); !ok {
		if le := p.legErrors(cw); len(le) > 0 {
			out = le
		}
	}
	if p.tf == tf1D {
		return append(out, p.intraday(cw, ch)...)
	}
	pts := p.points()
	ratio, s50, s200, ok := series(pts)
	if !ok {
		return append(out, p.st.Muted.Render("no ratio data for "+p.tf.String()), p.selector(false))
	}
	if ch < 6 { // compact: a sparkline of the ratio
		return append(out, p.st.Text.Render(sparkline(ratio, cw)), p.selector(false))
	}
	plotRows := ch - 3 // summary, time axis, legend
	// Keep the ratio's moves readable: an average far outside its range is
	// given as a number in the legend instead of flattening the plot.
	lo, hi := minMax(ratio)
	s50, s200 = nearRange(lo, hi, s50), nearRange(lo, hi, s200)
	plot, gutter := p.plot(ratio, s50, s200, nil, cw, plotRows)
	out = append(out, plot...)
	out = append(out, p.st.Muted.Render(p.timeAxis(p.dailyTicks(pts, gutter, cw), len(pts), gutter, cw)))
	out = append(out, p.legend(s50, s200, false, cw))
	return out
}

// legErrors says why there is no ratio when a leg of the pair has an error
// ("✖ no ratio: IWM: replay: DIR/IWM.csv:45: bad low "x""; both legs failing
// the same way, the cause once: "✖ no ratio: cannot reach Yahoo (IWM,
// SPY)"), wrapped to cw so the file and line stay readable.
func (p *chartPanel) legErrors(cw int) []string {
	why := p.snap.PairProblem()
	if why == "" {
		return nil
	}
	var out []string
	for _, l := range strings.Split(ansi.Wrap("✖ no ratio: "+why, cw, " /"), "\n") {
		out = append(out, p.st.Bad.Render(l))
	}
	return out
}

// sparseIntraday is the number of one-minute bars below which the 1D view is
// too short to read on its own (the first half hour).
const sparseIntraday = 30

// intraday renders the 1D view: today's ratio on the regular session's
// clock (09:30 on the left, 16:00 on the right, so the line fills as the day
// goes on) against yesterday's close, drawn as a dashed reference line so
// the day's move reads even from the first minute.
func (p *chartPanel) intraday(cw, ch int) []string {
	pts := p.snap.Pair.Intraday
	sess := layoutSession(pts, p.loc)
	ratio, s50, s200, ok := sess.series(pts)
	if !ok {
		if ch < 6 {
			if line := p.recentDaily(cw); line != "" {
				return []string{line, p.selector(false)}
			}
		}
		return []string{p.st.Muted.Render("no intraday data yet — press 2–5 for daily views"), p.selector(false)}
	}
	if ch < 6 { // compact: a sparkline on the session clock, or the recent days while sparse
		if len(pts) < sparseIntraday {
			if line := p.recentDaily(cw); line != "" {
				return []string{line, p.selector(false)}
			}
		}
		return []string{p.st.Text.Render(clockSpark(ratio, cw)), p.selector(false)}
	}
	// Yesterday's close and today's averages are levels for the whole
	// session: drawn flat across it, the ratio is read against them from the
	// first minute.
	var ref []float64
	if pc, ok := p.prevClose(); ok {
		ref = flat(pc, len(ratio))
	}
	s50, s200 = level(p.snap.Pair.RatioSMA50, s50), level(p.snap.Pair.RatioSMA200, s200)
	lo, hi := minMax(ratio)
	if rlo, rhi := minMax(ref); !math.IsNaN(rlo) {
		lo, hi = math.Min(lo, rlo), math.Max(hi, rhi)
	}
	s50, s200 = nearRange(lo, hi, s50), nearRange(lo, hi, s200)
	plotRows := ch - 3
	plot, gutter := p.plot(ratio, s50, s200, ref, cw, plotRows)
	out := append([]string(nil), plot...)
	out = append(out, p.st.Muted.Render(p.timeAxis(sess.ticks(p.loc), sess.slots, gutter, cw)))
	out = append(out, p.legend(s50, s200, ref != nil, cw))
	return out
}

// flat is n copies of v.
func flat(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// level is an average as a flat line across the session: the pair's current
// value, else the last finite value of the bars' series v (nil when
// neither is known).
func level(cur engine.Num, v []float64) []float64 {
	if x, ok := cur.Get(); ok && !math.IsInf(x, 0) {
		return flat(x, len(v))
	}
	for i := len(v) - 1; i >= 0; i-- {
		if !math.IsNaN(v[i]) && !math.IsInf(v[i], 0) {
			return flat(v[i], len(v))
		}
	}
	return nil
}

// recentDaily is a one-line sparkline of the last 60 daily ratio closes and
// today's (forming) value, labelled, for the compact 1D view while the
// intraday series is still short. "" when there are no daily points.
func (p *chartPanel) recentDaily(cw int) string {
	d := p.snap.Pair.Daily
	if len(d) > 61 {
		d = d[len(d)-61:]
	}
	ratio, _, _, ok := series(d)
	if !ok {
		return ""
	}
	label := fmt.Sprintf(" %dd+today", len(d)-1)
	if len(d) == 0 || !d[len(d)-1].Forming {
		label = fmt.Sprintf(" %dd", len(d))
	}
	sw := cw - len(label)
	if sw < 5 {
		return p.st.Text.Render(sparkline(ratio, cw))
	}
	return p.st.Text.Render(sparkline(ratio, sw)) + p.st.Muted.Render(label)
}

// prevClose is the ratio at the previous daily close: today's ratio less
// today's change (the engine's RatioChangePct is measured against it).
func (p *chartPanel) prevClose() (float64, bool) {
	ps := p.snap.Pair
	v, ok1 := ps.Ratio.Get()
	c, ok2 := ps.RatioChangePct.Get()
	if !ok1 || !ok2 || c <= -100 {
		return 0, false
	}
	pc := v / (1 + c/100)
	if math.IsNaN(pc) || math.IsInf(pc, 0) {
		return 0, false
	}
	return pc, true
}

// summary is the latest ratio, today's change and who leads today, then
// where the ratio stands against its averages, so "leading today" is never
// read as a breakout while the trend is still down. It is shortened to fit cw.
func (p *chartPanel) summary(cw int) string {
	ps := p.snap.Pair
	st := p.st
	v, ok := ps.Ratio.Get()
	if !ok {
		return st.Muted.Render("ratio not available yet")
	}
	val := st.Bold.Render(fmt.Sprintf("%.5f", v))
	var chg, chgShort, word string
	if c, ok := ps.RatioChangePct.Get(); ok {
		c = numfmt.Round(c, 2) // as shown: a change that rounds to zero is level
		chg = st.Sign(c).Render(numfmt.Arrow(c, 2) + " " + fmtPct(ps.RatioChangePct, 2) + " today")
		chgShort = st.Sign(c).Render(numfmt.Arrow(c, 2) + fmtPct(ps.RatioChangePct, 2))
		switch {
		case c > 0:
			word = st.Sign(c).Render("small caps leading today")
		case c < 0:
			word = st.Sign(c).Render("small caps lagging today")
		default:
			word = st.Sign(c).Render("small and large caps level today")
		}
	}
	trend, trendShort := p.trend(v)
	candidates := []struct {
		sep   string
		parts []string
	}{
		{"  ", []string{chg, word, trend}},
		{"  ", []string{chg, trend}},
		{"  ", []string{chgShort, trendShort}},
		{" ", []string{chgShort, trendShort}},
		{"  ", []string{chgShort}},
	}
	for _, c := range candidates {
		s := joinNonEmpty(val, c.sep, c.parts...)
		if ansi.StringWidth(s) <= cw {
			return s
		}
	}
	return joinNonEmpty(val, " ", chgShort)
}

// trend says where the ratio is against its 50- and 200-day averages (long
// and short forms; "" when neither average is known).
func (p *chartPanel) trend(v float64) (long, short string) {
	ps := p.snap.Pair
	pos := func(n engine.Num) string {
		m, ok := n.Get()
		switch {
		case !ok:
			return ""
		case v >= m:
			return "above"
		}
		return "below"
	}
	a50, a200 := pos(ps.RatioSMA50), pos(ps.RatioSMA200)
	switch {
	case a50 == "" && a200 == "":
		return "", ""
	case a200 == "":
		long = a50 + " 50d avg"
	case a50 == "":
		long = a200 + " 200d avg"
	case a50 == a200:
		long = a50 + " 50d & 200d avg"
	default:
		long = a50 + " 50d, " + a200 + " 200d avg"
	}
	return p.st.Muted.Render("· ratio " + long), p.st.Muted.Render("· " + long)
}

// joinNonEmpty joins first and the non-empty parts with sep.
func joinNonEmpty(first, sep string, parts ...string) string {
	s := first
	for _, x := range parts {
		if x != "" {
			s += sep + x
		}
	}
	return s
}

// points selects the daily ratio points of the current timeframe.
func (p *chartPanel) points() []engine.RatioPoint {
	n := p.tf.days()
	d := p.snap.Pair.Daily
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
// ref, when present, is drawn first as a dashed reference line (yesterday's
// close on the 1D view), then the averages, then the ratio on top.
func (p *chartPanel) plot(ratio, s50, s200, ref []float64, cw, rows int) ([]string, int) {
	var data [][]float64
	var colors []asciigraph.AnsiColor
	var chars []asciigraph.CharSet
	if hasFinite(ref) {
		data = append(data, ref)
		colors = append(colors, p.st.Axis)
		chars = append(chars, asciigraph.CreateCharSet("┄"))
	}
	if hasFinite(s200) {
		data = append(data, s200)
		colors = append(colors, p.st.Series[2])
		chars = append(chars, asciigraph.CreateCharSet("•"))
	}
	if hasFinite(s50) {
		data = append(data, s50)
		colors = append(colors, p.st.Series[1])
		chars = append(chars, asciigraph.CreateCharSet("·"))
	}
	// The ratio last: where the lines meet, the ratio stays readable.
	data = append(data, ratio)
	colors = append(colors, p.st.Series[0])
	chars = append(chars, asciigraph.DefaultCharSet)
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
		// One value per column, the last of the column's span: asciigraph's
		// linear resampling would blur the newest value into a gap.
		data[i] = resample(data[i], width)
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

// resample maps v onto w columns when it is longer: each column holds the
// last finite value of its span of v (NaN when the span has none). Shorter
// series are left to asciigraph's linear interpolation (a line between the
// points, not steps); a single value becomes two, since asciigraph needs two
// points to draw.
func resample(v []float64, w int) []float64 {
	n := len(v)
	if n == 0 {
		return []float64{math.NaN(), math.NaN()}
	}
	if n == 1 {
		return []float64{v[0], v[0]}
	}
	if n <= w {
		return v
	}
	w = max(w, 2)
	out := make([]float64, w)
	for c := range out {
		lo := c * n / w
		hi := max((c+1)*n/w, lo+1)
		out[c] = math.NaN()
		for i := hi - 1; i >= lo; i-- {
			if !math.IsNaN(v[i]) && !math.IsInf(v[i], 0) {
				out[c] = v[i]
				break
			}
		}
	}
	return out
}

// nearRange returns ref, or nil when ref lies further from the plotted range
// [lo, hi] than the range is wide (it would flatten the ratio into a line).
func nearRange(lo, hi float64, ref []float64) []float64 {
	rlo, rhi := minMax(ref)
	if math.IsNaN(rlo) || math.IsNaN(lo) {
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

// axisTick is one time label of the x axis: the label and the index of the
// point (or session minute) it names.
type axisTick struct {
	i     int
	label string
}

// dailyTicks spreads date labels evenly over the daily points: "Jan 02"
// while every point is in the year of the newest; with years when the span
// crosses into another year ("Nov 2025" over six months or a year,
// "2025-12-29" over days) and always on the 1Y view.
func (p *chartPanel) dailyTicks(pts []engine.RatioPoint, gutter, cw int) []axisTick {
	n := len(pts)
	width := cw - gutter
	if n == 0 || width < 6 {
		return nil
	}
	layout := "Jan 02"
	if first, last := pts[0].Time.In(p.loc), pts[n-1].Time.In(p.loc); p.tf == tf1Y || first.Year() != last.Year() {
		layout = "Jan 2006"
		if p.tf < tf6M {
			layout = time.DateOnly
		}
	}
	slots := max(width/(len(layout)+6), 1) // room for edge labels that shift inwards
	ticks := make([]axisTick, 0, slots+1)
	for k := 0; k <= slots; k++ {
		i := k * (n - 1) / slots
		ticks = append(ticks, axisTick{i, pts[i].Time.In(p.loc).Format(layout)})
	}
	return ticks
}

// timeAxis places the tick labels under the plot, aligned with the data
// columns (which start at gutter) of an n-point series; labels that would
// touch the previous one are skipped.
func (p *chartPanel) timeAxis(ticks []axisTick, n, gutter, cw int) string {
	width := cw - gutter
	if n == 0 || width < 6 || len(ticks) == 0 {
		return ""
	}
	buf := []byte(strings.Repeat(" ", cw))
	last := -1
	for _, t := range ticks {
		lw := len(t.label)
		col := gutter
		if n > 1 {
			col = gutter + int(math.Round(float64(t.i)*float64(width-1)/float64(n-1)))
		}
		start := col - lw/2
		start = max(start, gutter)
		start = min(start, cw-lw)
		if start < last+2 || start < 0 { // keep two cells between labels
			continue
		}
		copy(buf[start:], t.label)
		last = start + lw
	}
	return string(buf)
}

// sessionMinutes is the regular session (09:30–16:00) in one-minute bars.
const sessionMinutes = 390

// session places intraday bars on the regular session's minute grid, so a
// chart drawn over it fills from the left as the day goes on.
type session struct {
	open  time.Time // 09:30 of the bars' date (the first bar's time when off-grid)
	slots int       // grid length: 390, or more when bars run past the session
	at    []int     // grid slot of each bar
	grid  bool      // bars sit on the 09:30–16:00 grid
}

// layoutSession places pts (oldest first) on the session grid of their date
// in loc; bars outside the regular session (or out of order) fall back to one
// slot per bar.
func layoutSession(pts []engine.RatioPoint, loc *time.Location) session {
	if len(pts) == 0 {
		return session{slots: sessionMinutes}
	}
	t0 := pts[0].Time.In(loc)
	open := time.Date(t0.Year(), t0.Month(), t0.Day(), 9, 30, 0, 0, loc)
	at := make([]int, len(pts))
	prev := -1
	for i, pt := range pts {
		d := pt.Time.Sub(open)
		k := int(d / time.Minute)
		if d < 0 || k >= sessionMinutes || k <= prev {
			for j := range at {
				at[j] = j
			}
			return session{open: pts[0].Time, slots: max(sessionMinutes, len(pts)), at: at}
		}
		at[i], prev = k, k
	}
	return session{open: open, slots: sessionMinutes, at: at, grid: true}
}

// series lays the ratio and its averages on the grid: NaN before the first
// bar and after the last, minutes without a bar carry the previous value.
func (s session) series(pts []engine.RatioPoint) (ratio, s50, s200 []float64, ok bool) {
	r, a, b, ok := series(pts)
	if !ok {
		return nil, nil, nil, false
	}
	place := func(v []float64) []float64 {
		out := make([]float64, s.slots)
		for i := range out {
			out[i] = math.NaN()
		}
		for i, k := range s.at {
			out[k] = v[i]
			if i > 0 {
				for j := s.at[i-1] + 1; j < k; j++ {
					out[j] = v[i-1]
				}
			}
		}
		return out
	}
	return place(r), place(a), place(b), true
}

// ticks are the session's time labels: the open and every full hour to the
// close on the grid; evenly spread bar times otherwise.
func (s session) ticks(loc *time.Location) []axisTick {
	lbl := func(k int) string { return s.open.Add(time.Duration(k) * time.Minute).In(loc).Format("15:04") }
	if s.grid {
		ticks := []axisTick{{0, lbl(0)}}
		for k := 30; k <= sessionMinutes; k += 60 {
			ticks = append(ticks, axisTick{k, lbl(k)})
		}
		return ticks
	}
	var ticks []axisTick
	for k := 0; k <= 6; k++ {
		i := k * (s.slots - 1) / 6
		ticks = append(ticks, axisTick{i, lbl(i)})
	}
	return ticks
}

// clockSpark draws the filled part of a session series (up to its last
// finite value) in the same share of w cells as it holds of the session, and
// pads the rest with spaces: the sparkline fills left to right like a clock.
func clockSpark(v []float64, w int) string {
	filled := 0
	for i := len(v) - 1; i >= 0; i-- {
		if !math.IsNaN(v[i]) && !math.IsInf(v[i], 0) {
			filled = i + 1
			break
		}
	}
	return sessionSpark(v[:filled], math.NaN(), filled, len(v), w)
}

// sessionSpark draws vals, one-minute closes covering the first elapsed of
// total session minutes, in the first ⌈elapsed·w/total⌉ of w cells and pads
// the rest with spaces. The scale spans ref (yesterday's close; NaN: none).
func sessionSpark(vals []float64, ref float64, elapsed, total, w int) string {
	if w <= 0 {
		return ""
	}
	total = max(total, 1)
	elapsed = min(max(elapsed, len(vals), 1), total)
	cells := min(max((elapsed*w+total-1)/total, 1), w)
	if n := len(vals); n > 0 && n < cells { // fewer closes than cells: stretch them
		st := make([]float64, cells)
		for i := range st {
			st[i] = vals[i*n/cells]
		}
		vals = st
	}
	sp := sparklineRef(vals, cells, ref)
	return sp + strings.Repeat(" ", w-ansi.StringWidth(sp))
}

// legend names the series with their glyphs (meaning kept without colour)
// and ends with the timeframe selector, shortened to fit cw. An average
// that is not plotted (too far from the range) is given as a number with its
// direction; ref adds yesterday's close (the 1D reference line).
func (p *chartPanel) legend(s50, s200 []float64, ref bool, cw int) string {
	for level := range 4 {
		s := joinNonEmpty(p.legendItems(s50, s200, ref, level), "  ", p.selector(level >= 2))
		if ansi.StringWidth(s) <= cw || level == 3 {
			return s
		}
	}
	return ""
}

// legendItems are the legend's series names at a level of detail (0: full
// words, 1: short names, 2: short names without off-chart values, 3: the
// tightest names of what is plotted).
func (p *chartPanel) legendItems(s50, s200 []float64, ref bool, level int) string {
	st := p.st
	col := func(c asciigraph.AnsiColor, s string) string {
		if st.NoColor {
			return s
		}
		return "\x1b[38;5;" + strconv.Itoa(int(c)) + "m" + s + "\x1b[0m"
	}
	ratio, _ := p.snap.Pair.Ratio.Get()
	item := func(i int, plotted []float64, glyph, name string, n engine.Num) string {
		if hasFinite(plotted) {
			return col(st.Series[i], glyph+" "+name)
		}
		v, ok := n.Get()
		if !ok || level >= 3 {
			return ""
		}
		where := "above chart ↑"
		if v < ratio {
			where = "below chart ↓"
		}
		switch level {
		case 0:
			return st.Muted.Render(name + " " + fmtNum(v) + " " + where)
		case 1:
			return st.Muted.Render(name + " " + fmtNum(v) + " " + where[len(where)-len("↑"):])
		}
		return st.Muted.Render(name + where[len(where)-len("↑"):])
	}
	parts := []string{col(st.Series[0], "─ ratio")}
	if ref {
		if pc, ok := p.prevClose(); ok {
			switch level {
			case 0:
				parts = append(parts, col(st.Axis, "┄ prev close "+fmtNum(pc)))
			case 3:
				parts = append(parts, col(st.Axis, "┄ prev"))
			default:
				parts = append(parts, col(st.Axis, "┄ prev close"))
			}
		}
	}
	n50, n200 := "50-day avg", "200-day avg"
	if level > 0 {
		n50, n200 = "50d", "200d"
	}
	if level == 3 {
		return strings.Join(append(parts, p.plottedAvgs(s50, s200)...), " ")
	}
	if s := item(1, s50, "·", n50, p.snap.Pair.RatioSMA50); s != "" {
		parts = append(parts, s)
	}
	if s := item(2, s200, "•", n200, p.snap.Pair.RatioSMA200); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, "  ")
}

// plottedAvgs are the tightest legend names of the plotted averages.
func (p *chartPanel) plottedAvgs(s50, s200 []float64) []string {
	var out []string
	if hasFinite(s50) {
		out = append(out, p.seriesInk(1, "·50d"))
	}
	if hasFinite(s200) {
		out = append(out, p.seriesInk(2, "•200d"))
	}
	return out
}

// seriesInk colours s like plot series i (plain without colour).
func (p *chartPanel) seriesInk(i int, s string) string {
	if p.st.NoColor {
		return s
	}
	return "\x1b[38;5;" + strconv.Itoa(int(p.st.Series[i])) + "m" + s + "\x1b[0m"
}

// selector shows the timeframes with the current one bracketed; compact
// shows only the current one and the keys that change it.
func (p *chartPanel) selector(compact bool) string {
	if compact {
		return p.st.Bold.Render("["+p.tf.String()+"]") + p.st.Muted.Render(" 1–5")
	}
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
