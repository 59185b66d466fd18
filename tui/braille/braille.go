// Package braille is a small character-cell canvas with braille-dot
// resolution (each cell holds 2×4 dots, Unicode U+2800–U+28FF) for charts
// in the terminal.
//
// A cell shows, by priority: its text (labels, markers), else its dots,
// else its background rune (axes, grid). Every cell carries a style index
// that the caller turns into colour when it renders the lines; the canvas
// itself knows nothing about terminals or colour.
//
// github.com/NimbleMarkets/ntcharts has a braille canvas, but its newest
// version (v0.4.0) is built on bubbletea v1 / lipgloss v1 and would bring
// the whole v1 stack into a v2 program; this package is the part we need.
package braille

import (
	"strings"
	"unicode/utf8"
)

// Style is a caller-defined style index (0 is the default style).
type Style uint8

// dotBits maps a dot's position (x 0–1, y 0–3 from the top) in its cell to
// its bit in the braille pattern (Unicode's dot numbering 1–8).
var dotBits = [2][4]uint8{
	{0x01, 0x02, 0x04, 0x40}, // left column: dots 1, 2, 3, 7
	{0x08, 0x10, 0x20, 0x80}, // right column: dots 4, 5, 6, 8
}

// blank is the empty braille pattern.
const blank = '\u2800'

// Canvas is a w×h cell canvas of 2w×4h dots. The zero value is an empty
// 0×0 canvas; use New or Reset to size it.
type Canvas struct {
	w, h  int
	dots  []uint8 // braille bits per cell
	dst   []Style // style of the cell's dots (the last dot drawn wins)
	text  []rune  // text layer (0: none)
	tst   []Style
	back  []rune // background layer (0: none)
	bst   []Style
	lineB strings.Builder
}

// New returns an empty canvas of w×h cells (negative sizes count as 0).
func New(w, h int) *Canvas {
	c := &Canvas{}
	c.Reset(w, h)
	return c
}

// Reset clears the canvas and resizes it to w×h cells, reusing its memory.
func (c *Canvas) Reset(w, h int) {
	w, h = max(w, 0), max(h, 0)
	n := w * h
	c.w, c.h = w, h
	if cap(c.dots) < n {
		c.dots, c.dst = make([]uint8, n), make([]Style, n)
		c.text, c.tst = make([]rune, n), make([]Style, n)
		c.back, c.bst = make([]rune, n), make([]Style, n)
		return
	}
	c.dots, c.dst = c.dots[:n], c.dst[:n]
	c.text, c.tst = c.text[:n], c.tst[:n]
	c.back, c.bst = c.back[:n], c.bst[:n]
	clear(c.dots)
	clear(c.dst)
	clear(c.text)
	clear(c.tst)
	clear(c.back)
	clear(c.bst)
}

// Cells returns the canvas size in cells.
func (c *Canvas) Cells() (w, h int) { return c.w, c.h }

// Dots returns the canvas size in dots (2 per cell across, 4 down).
func (c *Canvas) Dots() (w, h int) { return 2 * c.w, 4 * c.h }

// Set turns on the dot at (x, y), counted from the top-left corner, with
// style st; dots outside the canvas are ignored.
func (c *Canvas) Set(x, y int, st Style) {
	if x < 0 || y < 0 || x >= 2*c.w || y >= 4*c.h {
		return
	}
	i := (y/4)*c.w + x/2
	c.dots[i] |= dotBits[x%2][y%4]
	c.dst[i] = st
}

// Line draws a straight line of dots from (x0, y0) to (x1, y1), both ends
// included (Bresenham); the parts outside the canvas are clipped.
func (c *Canvas) Line(x0, y0, x1, y1 int, st Style) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	// Far outside the canvas only the clipped part matters, but a line of
	// a few thousand dots is cheap; bound it anyway against absurd input.
	if dx-dy > 1<<16 {
		return
	}
	err := dx + dy
	for {
		c.Set(x0, y0, st)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * err
		if e2 >= dy {
			err += dy
			x0 += sx
		}
		if e2 <= dx {
			err += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// SetText writes s into the text layer from cell (col, row) rightwards, one
// rune per cell (s must be single-width text); cells outside are skipped.
func (c *Canvas) SetText(col, row int, s string, st Style) {
	if row < 0 || row >= c.h {
		return
	}
	for _, r := range s {
		if col >= 0 && col < c.w {
			i := row*c.w + col
			c.text[i], c.tst[i] = r, st
		}
		col++
	}
}

// SetBack sets the background rune of cell (col, row), shown when the cell
// has neither text nor dots.
func (c *Canvas) SetBack(col, row int, r rune, st Style) {
	if col < 0 || row < 0 || col >= c.w || row >= c.h {
		return
	}
	i := row*c.w + col
	c.back[i], c.bst[i] = r, st
}

// HasText reports whether cell (col, row) has text (false outside).
func (c *Canvas) HasText(col, row int) bool {
	if col < 0 || row < 0 || col >= c.w || row >= c.h {
		return false
	}
	return c.text[row*c.w+col] != 0
}

// HasDots reports whether cell (col, row) has any dot (false outside).
func (c *Canvas) HasDots(col, row int) bool {
	if col < 0 || row < 0 || col >= c.w || row >= c.h {
		return false
	}
	return c.dots[row*c.w+col] != 0
}

// Cell returns what cell (col, row) shows and its style: its text, else its
// dots as a braille rune, else its background rune, else a space.
func (c *Canvas) Cell(col, row int) (rune, Style) {
	if col < 0 || row < 0 || col >= c.w || row >= c.h {
		return ' ', 0
	}
	i := row*c.w + col
	switch {
	case c.text[i] != 0:
		return c.text[i], c.tst[i]
	case c.dots[i] != 0:
		return blank + rune(c.dots[i]), c.dst[i]
	case c.back[i] != 0:
		return c.back[i], c.bst[i]
	}
	return ' ', 0
}

// Lines renders the canvas as h lines of w cells. paint wraps a run of
// cells of one style (nil: no styling); runs of style 0 that are only
// spaces are not painted.
func (c *Canvas) Lines(paint func(st Style, s string) string) []string {
	out := make([]string, c.h)
	var run []byte
	b := &c.lineB
	for row := range c.h {
		b.Reset()
		runSt, runBlank := Style(0), true
		flush := func() {
			if len(run) == 0 {
				return
			}
			if paint == nil || (runSt == 0 && runBlank) {
				b.Write(run)
			} else {
				b.WriteString(paint(runSt, string(run)))
			}
			run = run[:0]
		}
		for col := range c.w {
			r, st := c.Cell(col, row)
			if r == ' ' {
				st = 0 // spaces take no colour: runs of gaps merge
			}
			if st != runSt && len(run) > 0 {
				flush()
			}
			if len(run) == 0 {
				runSt, runBlank = st, true
			}
			if r != ' ' {
				runBlank = false
			}
			run = utf8.AppendRune(run, r)
		}
		flush()
		out[row] = b.String()
	}
	return out
}
