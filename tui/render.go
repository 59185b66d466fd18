package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/numfmt"
	"github.com/charmbracelet/x/ansi"
)

// fit truncates s (which may hold SGR styling) to exactly w cells, padding
// with spaces.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// fitLines returns exactly h lines of exactly w cells.
func fitLines(lines []string, w, h int) []string {
	if h <= 0 {
		return nil
	}
	out := make([]string, h)
	blank := strings.Repeat(" ", max(w, 0))
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = blank
		}
	}
	return out
}

// frame lays body lines into a w×h area. When bordered it draws a rounded
// box with the title in the top edge; otherwise the title is a header line.
func frame(st *Styles, title string, body []string, w, h int, bordered, focused bool) []string {
	if w <= 0 || h <= 0 {
		return nil
	}
	bs := st.Border
	if focused {
		bs = st.FocusBorder
	}
	if !bordered || w < 4 || h < 3 {
		head := st.Title.Render(title)
		if focused {
			head = bs.Render("▶ ") + head
		}
		return fitLines(append([]string{head}, body...), w, h)
	}
	inner := fitLines(body, w-2, h-2)
	out := make([]string, 0, h)
	t := " " + title + " "
	if focused {
		t = " ▶" + t
	}
	t = ansi.Truncate(t, w-4, "…")
	top := bs.Render("╭─") + st.Title.Render(t) + bs.Render(strings.Repeat("─", max(w-3-ansi.StringWidth(t), 0))+"╮")
	out = append(out, top)
	side := bs.Render("│")
	for _, l := range inner {
		out = append(out, side+l+side)
	}
	out = append(out, bs.Render("╰"+strings.Repeat("─", w-2)+"╯"))
	return out
}

// fmtPct formats a percentage with a sign ("+1.23%"; "0.00%" when it
// rounds to zero), or "—" when absent.
func fmtPct(n engine.Num, prec int) string {
	v, ok := n.Get()
	if !ok {
		return "—"
	}
	return numfmt.Signed(v, prec) + "%"
}

// fmtNum formats a number with precision chosen by magnitude.
func fmtNum(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "—"
	case a >= 1e9:
		return fmt.Sprintf("%.1fB", v/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case a >= 1e4:
		return fmt.Sprintf("%.0f", v)
	case a >= 100:
		return fmt.Sprintf("%.2f", v)
	case a >= 1:
		return fmt.Sprintf("%.3f", v)
	}
	return fmt.Sprintf("%.4f", v)
}

// fmtAge renders a duration as a short age: "4s", "3m05s", "2h13m", "3d04h".
func fmtAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd%02dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// sparkLevels are the eight levels of a sparkline (3 bytes each in UTF-8).
const sparkLevels = "▁▂▃▄▅▆▇█"

// sparkline draws vals (non-finite values skipped) as w cells, bucketing by
// the last value of each bucket. It returns "" when there is nothing to draw.
func sparkline(vals []float64, w int) string { return sparklineRef(vals, w, math.NaN()) }

// sparklineRef is sparkline on a scale that also spans ref (yesterday's
// close), so the height of a cell says where the price is against it; a NaN
// ref scales to the values alone.
func sparklineRef(vals []float64, w int, ref float64) string {
	if w <= 0 {
		return ""
	}
	pts := make([]float64, 0, len(vals))
	for _, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			pts = append(pts, v)
		}
	}
	if len(pts) == 0 {
		return ""
	}
	n := min(w, len(pts))
	cells := make([]float64, n)
	for i := range cells {
		// last point of bucket i
		j := (i+1)*len(pts)/n - 1
		cells[i] = pts[j]
	}
	lo, hi := cells[0], cells[0]
	for _, v := range cells {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if !math.IsNaN(ref) && !math.IsInf(ref, 0) {
		lo, hi = math.Min(lo, ref), math.Max(hi, ref)
	}
	var b strings.Builder
	for _, v := range cells {
		k := 3
		if hi > lo {
			k = int((v - lo) / (hi - lo) * 7.999)
		}
		b.WriteString(sparkLevels[k*3 : k*3+3])
	}
	return b.String()
}
