// Package rotation renders capwatch's rotation map panel: a JdK-style
// relative rotation graph (engine/rotation) drawn on a braille canvas, with
// a compact table beside or below it.
//
// Everything here is a pure function of its inputs: no bubbletea model, no
// I/O. The graph has rs-ratio across and rs-momentum up, the axes crossing
// at (100, 100); the quadrant names sit in the corners; each entry draws its
// tail over the last T weeks and its head as the quadrant's symbol with the
// short sector name beside it (labels move aside rather than overlap). The
// quadrant is told by colour and by symbol, so it reads without colour:
//
//	▲ leading (ratio ≥ 100, momentum ≥ 100)   △ improving (ratio < 100, momentum ≥ 100)
//	▼ weakening (ratio ≥ 100, momentum < 100) ▽ lagging (both < 100)
//
// (up = momentum at or above 100, filled = ratio at or above 100).
package rotation

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	rot "github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/termsafe"
	"github.com/capwatch/capwatch/tui/draw"
)

// Minimum sizes: below MinCanvasW×MinCanvasH cells for the graph the panel
// shows the table only; below MinWidth×MinHeight a one-line summary.
const (
	MinCanvasW = 24
	MinCanvasH = 7
	MinWidth   = 20
	MinHeight  = 3
)

// Symbol returns the quadrant's marker: up when momentum ≥ 100, filled
// when ratio ≥ 100 ("·" for no quadrant).
func Symbol(q rot.Quadrant) string {
	switch q {
	case rot.Leading:
		return "▲"
	case rot.Weakening:
		return "▼"
	case rot.Lagging:
		return "▽"
	case rot.Improving:
		return "△"
	}
	return "·"
}

// ink is a style's escape sequences (shared with tui).
type ink = draw.Ink

// Styles are the panel's styles, built by NewStyles.
type Styles struct {
	quad                 [5]ink // by rot.Quadrant (None: muted)
	header, muted, label ink
	axis                 ink
}

// NewStyles builds the panel's styles: colorblind picks the Okabe–Ito
// based palette (blue / yellow / orange / purple instead of green / yellow /
// red / blue), isDark the background, noColor drops every colour (bold stays).
func NewStyles(colorblind, isDark, noColor bool) Styles {
	plain := lipgloss.NewStyle()
	if noColor {
		b := draw.NewInk(plain.Bold(true))
		return Styles{quad: [5]ink{{}, b, b, b, b}, header: b}
	}
	// 256-colour indices: they read the same in tmux's default 256 colours.
	var q [4]string // leading, weakening, lagging, improving
	var muted, text, axis string
	switch {
	case isDark && colorblind:
		q = [4]string{"74", "227", "208", "175"}
	case isDark:
		q = [4]string{"41", "220", "203", "75"}
	case colorblind:
		q = [4]string{"25", "136", "166", "127"}
	default:
		q = [4]string{"28", "136", "160", "25"}
	}
	if isDark {
		muted, text, axis = "244", "252", "240"
	} else {
		muted, text, axis = "242", "235", "248"
	}
	c := lipgloss.Color
	s := Styles{
		header: draw.NewInk(plain.Bold(true).Foreground(c(muted))),
		muted:  draw.NewInk(plain.Foreground(c(muted))),
		label:  draw.NewInk(plain.Foreground(c(text))),
		axis:   draw.NewInk(plain.Foreground(c(axis))),
	}
	s.quad[rot.None] = s.muted
	for i, qq := range []rot.Quadrant{rot.Leading, rot.Weakening, rot.Lagging, rot.Improving} {
		s.quad[qq] = draw.NewInk(plain.Foreground(c(q[i])))
	}
	return s
}

// Input is what the panel draws.
type Input struct {
	Rotation *rot.Rotation // nil: not computed yet
	View     rot.View
	// Tail is how many weekly points each tail shows (the head included);
	// 0 means Rotation.Tail. It is capped by the points the engine keeps.
	Tail         int
	Small, Large string // the pair's symbols, for the titles
}

// ViewTitle names a view for the panel's header.
func ViewTitle(v rot.View, small, large string) string {
	switch v {
	case rot.SmallSectors:
		return "small-cap sectors vs " + clean(small, 8)
	case rot.LargeSectors:
		return "large-cap sectors vs " + clean(large, 8)
	}
	return "small vs large by sector"
}

// shortNames are the labels of the sectors of the default and industry presets.
var shortNames = map[string]string{
	"Technology": "Tech", "Health Care": "Health", "Financials": "Fin", "Energy": "Energy",
	"Industrials": "Indus", "Consumer Discretionary": "Discr", "Consumer Staples": "Stapl",
	"Materials": "Mater", "Utilities": "Util", "Real Estate": "RealEst", "Communication Services": "Comm",
	"Biotech": "Biotech", "Regional Banks": "Banks", "Oil & Gas E&P": "E&P", "Retail": "Retail",
	"Metals & Mining": "Mining", "Semiconductors": "Semis",
}

// ShortName is an entry's label on the graph: a known sector's short name,
// "SMALL/LARGE" for the pair, else the first word of the name (at most 7
// cells).
func ShortName(e rot.Entry) string {
	if e.Sector == rot.PairSector {
		return clean(e.Asset, 6) + "/" + clean(e.Benchmark, 6)
	}
	if s, ok := shortNames[e.Sector]; ok {
		return s
	}
	name := clean(e.Sector, 40)
	if f := strings.Fields(name); len(f) > 0 {
		name = f[0]
	}
	return cut(name, 7)
}

// clean sanitises text from config or a feed and keeps single-width runes
// only (the canvas puts one rune in each cell).
func clean(s string, max int) string {
	s = termsafe.Line(s, max)
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if ansi.StringWidth(string(r)) == 1 {
			b.WriteRune(r)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// cut shortens single-width text to n runes (with "…" when cut).
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n <= 1 {
		return string(r[:max(n, 0)])
	}
	return string(r[:n-1]) + "…"
}

// fmtNum renders a value with two decimals, "—" when null.
func fmtNum(n rot.Num) string {
	if v, ok := n.Get(); ok {
		return fmt.Sprintf("%.2f", v)
	}
	return "—"
}

// Render draws the panel in at most width×height cells: a header line,
// then the graph with the table beside it (wide panes) or below it, the
// table alone when the graph would not be readable, or one summary line
// in a tiny pane.
func Render(in Input, width, height int, st Styles) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	entries := in.Rotation.Entries(in.View)
	tail := in.Tail
	if tail <= 0 && in.Rotation != nil {
		tail = in.Rotation.Tail
	}
	tail = max(tail, 1)
	head := header(in, entries, tail, width)
	if in.Rotation == nil || !anyPoint(entries) {
		msg := "Rotation map: not enough weekly history yet (rs-ratio needs N weeks of both legs, momentum 2N)."
		if in.Rotation == nil {
			msg = "Rotation map: waiting for daily history."
		}
		lines := []string{st.header.Paint(head)}
		for _, l := range strings.Split(ansi.Wrap(msg, width, ""), "\n") {
			lines = append(lines, st.muted.Paint(l))
		}
		return strings.Join(lines[:min(len(lines), height)], "\n")
	}
	if width < MinWidth || height < MinHeight {
		return st.header.Paint(ansi.Truncate(summary(entries), width, "…"))
	}

	lines := []string{st.header.Paint(head)}
	bodyH := height - 1
	forms := []tableForm{formWide, formCompact, formTiny}
	// Beside: the widest table that leaves a graph at least as wide as
	// it, else the widest that leaves a readable graph.
	if bodyH >= MinCanvasH && bodyH >= len(entries)+1 {
		for k := range 2 * len(forms) {
			f := forms[k%len(forms)]
			tw := f.width(entries)
			cw := width - tw - 2
			if cw >= MinCanvasW && (cw >= tw || k >= len(forms)) {
				g := graph(entries, tail, cw, bodyH, st)
				t := table(entries, f, st)
				for i := range bodyH {
					l := g[i] + "  "
					if i < len(t) {
						l += t[i]
					}
					lines = append(lines, l)
				}
				return strings.Join(lines, "\n")
			}
		}
	}
	// Below: the graph on top, the table under it.
	for _, f := range forms {
		if tw := f.width(entries); tw > width {
			continue
		}
		th := len(entries) + 1
		if gh := bodyH - th; gh >= MinCanvasH && width >= MinCanvasW {
			lines = append(lines, graph(entries, tail, width, gh, st)...)
			lines = append(lines, table(entries, f, st)...)
			return strings.Join(lines, "\n")
		}
		// The table alone (as many rows as fit).
		t := table(entries, f, st)
		lines = append(lines, t[:min(len(t), bodyH)]...)
		return strings.Join(lines, "\n")
	}
	// Too narrow for any table: the graph alone, or the summary.
	if width >= MinCanvasW && bodyH >= MinCanvasH {
		lines = append(lines, graph(entries, tail, width, bodyH, st)...)
		return strings.Join(lines, "\n")
	}
	return st.header.Paint(ansi.Truncate(summary(entries), width, "…"))
}

// header is the panel's first line: which view, the window and the tail,
// and as of which week (the frame's title names the map), in the longest
// of its forms that fits width (the last one cut with …).
func header(in Input, entries []rot.Entry, tail, width int) string {
	view := ViewTitle(in.View, in.Small, in.Large)
	var window, tails string
	if in.Rotation != nil {
		window, tails = fmt.Sprintf(" · weekly, N %d", in.Rotation.Window), fmt.Sprintf(" · tail %dw", tail)
	}
	var latest rot.Point
	unfinished := false
	for _, e := range entries {
		if h, ok := e.Head(); ok && h.Week > latest.Week {
			latest, unfinished = h, e.Unfinished
		}
	}
	week, weekShort := "", ""
	if latest.Week != 0 {
		week = " · week of " + latest.Week.String()
		weekShort = " · wk " + latest.Week.String()
		if unfinished {
			week += " (unfinished)"
			weekShort += " (so far)"
		}
	}
	shortWindow := strings.Replace(window, "weekly, ", "", 1)
	forms := []string{
		view + window + tails + week,
		view + shortWindow + tails + week,
		view + tails + week,
		view + tails + weekShort,
		view + weekShort,
	}
	for _, f := range forms {
		if ansi.StringWidth(f) <= width {
			return f
		}
	}
	return ansi.Truncate(forms[len(forms)-1], width, "…")
}

// summary is one line for a tiny pane: each entry's symbol and short name.
func summary(entries []rot.Entry) string {
	parts := make([]string, 0, len(entries))
	for _, e := range entries {
		parts = append(parts, Symbol(e.Quadrant)+ShortName(e))
	}
	return strings.Join(parts, " ")
}

func anyPoint(entries []rot.Entry) bool {
	for _, e := range entries {
		for _, p := range e.History {
			if p.RSRatio.Valid && p.RSMomentum.Valid {
				return true
			}
		}
	}
	return false
}

// tailOf returns the last n points of e.
func tailOf(e rot.Entry, n int) []rot.Point {
	return e.History[max(0, len(e.History)-n):]
}
