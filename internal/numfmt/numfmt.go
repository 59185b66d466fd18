// Package numfmt formats signed numbers the way capwatch shows them: with an
// explicit sign, except that a value that rounds to zero at the shown
// precision is shown unsigned and flat ("0.00", never "-0.00" or "+0.00").
// Direction glyphs and colours are decided on the rounded value too, so a
// figure never reads "▼ 0.00%".
package numfmt

import (
	"math"
	"strconv"
)

// Round is v rounded to prec decimals, as it is shown (half away from
// zero, like fmt; -0 becomes 0). NaN and ±Inf are returned as they are.
func Round(v float64, prec int) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', prec, 64), 64)
	if err != nil || r == 0 {
		return 0
	}
	return r
}

// Dir is the direction of v as shown at prec decimals: 1, -1, or 0 when it
// rounds to zero (or is NaN).
func Dir(v float64, prec int) int {
	switch r := Round(v, prec); {
	case r > 0:
		return 1
	case r < 0:
		return -1
	}
	return 0
}

// Signed formats v with prec decimals and its sign ("+1.25", "-0.40"); a
// value that rounds to zero is "0.00". NaN and ±Inf are "—".
func Signed(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := strconv.FormatFloat(math.Abs(Round(v, prec)), 'f', prec, 64)
	switch Dir(v, prec) {
	case 1:
		return "+" + s
	case -1:
		return "-" + s
	}
	return s
}

// Arrow is the direction glyph of v at prec decimals: ▲, ▼, or = when it
// rounds to zero.
func Arrow(v float64, prec int) string {
	switch Dir(v, prec) {
	case 1:
		return "▲"
	case -1:
		return "▼"
	}
	return "="
}
