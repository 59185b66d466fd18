package draw

import (
	"math"
	"testing"

	"charm.land/lipgloss/v2"
)

// TestSparkline: hand-drawn cases — one cell per value on a rising run,
// buckets keep their last value, equal values sit at the middle level,
// non-finite values are skipped, ref widens the scale, nothing to draw
// gives "".
func TestSparkline(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		vals []float64
		w    int
		ref  float64
		want string
	}{
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, 8, nan, "▁▂▃▄▅▆▇█"},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, 4, nan, "▁▃▆█"},      // 2, 4, 6, 8 on 2…8: levels 0, 2, 5, 7
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, 20, nan, "▁▂▃▄▅▆▇█"}, // never more cells than values
		{[]float64{5, 5, 5}, 3, nan, "▄▄▄"},
		{[]float64{nan, 1, inf, 3, -inf}, 5, nan, "▁█"},
		{[]float64{2, 2}, 2, 1, "██"}, // above yesterday's close
		{[]float64{1, 3}, 2, 5, "▁▄"}, // (3-1)/(5-1) × 7.999 = level 3
		{[]float64{nan}, 4, nan, ""},
		{[]float64{1, 2}, 0, nan, ""},
	} {
		if got := Sparkline(tc.vals, tc.w, tc.ref); got != tc.want {
			t.Errorf("Sparkline(%v, %d, %v) = %q, want %q", tc.vals, tc.w, tc.ref, got, tc.want)
		}
	}
}

// TestInkPaintsLikeRender: painting with a style's ink gives what the
// style renders; a plain style's ink leaves the text alone.
func TestInkPaintsLikeRender(t *testing.T) {
	st := lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#ff0000"))
	if got, want := NewInk(st).Paint("abc"), st.Render("abc"); got != want {
		t.Errorf("Paint = %q, want %q", got, want)
	}
	if got := NewInk(lipgloss.NewStyle()).Paint("abc"); got != "abc" {
		t.Errorf("plain Paint = %q", got)
	}
}
