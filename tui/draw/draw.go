// Package draw holds the small text-drawing pieces the dashboard's panels
// share (tui and its panel subpackages, which cannot import tui): a style's
// escape sequences and the sparkline.
package draw

import (
	"math"
	"strings"

	"charm.land/lipgloss/v2"
)

// Ink is a style's opening and closing escape sequences, for single-line
// text without tabs: painting many short strings costs a concatenation,
// not a lipgloss Render each.
type Ink struct{ pre, post string }

// NewInk returns st's escape sequences (none for a plain style).
func NewInk(st lipgloss.Style) Ink {
	r := st.Render("X")
	i := strings.Index(r, "X")
	if i < 0 {
		return Ink{}
	}
	return Ink{r[:i], r[i+1:]}
}

// Paint wraps s in the ink's sequences.
func (k Ink) Paint(s string) string {
	if k.pre == "" && k.post == "" {
		return s
	}
	return k.pre + s + k.post
}

// sparkLevels are the eight levels of a sparkline (3 bytes each in UTF-8).
const sparkLevels = "▁▂▃▄▅▆▇█"

// Sparkline draws vals (non-finite values skipped) in at most w cells, each
// the last value of its bucket, on a scale that also spans ref (e.g.
// yesterday's close, so a cell's height says where the price is against
// it; a NaN ref scales to the values alone). Equal values draw at the
// middle level. It returns "" when there is nothing to draw.
func Sparkline(vals []float64, w int, ref float64) string {
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
		cells[i] = pts[(i+1)*len(pts)/n-1] // last point of bucket i
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
