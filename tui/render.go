package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/numfmt"
	"github.com/capwatch/capwatch/tui/draw"
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

// sparkline draws vals (non-finite values skipped) as at most w cells,
// bucketing by the last value of each bucket. It returns "" when there is
// nothing to draw.
func sparkline(vals []float64, w int) string { return draw.Sparkline(vals, w, math.NaN()) }

// sparklineRef is sparkline on a scale that also spans ref (yesterday's
// close), so the height of a cell says where the price is against it; a NaN
// ref scales to the values alone.
func sparklineRef(vals []float64, w int, ref float64) string { return draw.Sparkline(vals, w, ref) }
