package braille

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDotNumbering checks single dots against the Unicode braille chart
// (U+2800 + dot bits; dots 1–3 and 7 down the left column, 4–6 and 8 down
// the right).
func TestDotNumbering(t *testing.T) {
	for _, tc := range []struct {
		x, y int
		want rune
	}{
		{0, 0, '⠁'}, // dot 1
		{0, 1, '⠂'}, // dot 2
		{0, 2, '⠄'}, // dot 3
		{0, 3, '⡀'}, // dot 7
		{1, 0, '⠈'}, // dot 4
		{1, 1, '⠐'}, // dot 5
		{1, 2, '⠠'}, // dot 6
		{1, 3, '⢀'}, // dot 8
	} {
		c := New(1, 1)
		c.Set(tc.x, tc.y, 0)
		if r, _ := c.Cell(0, 0); r != tc.want {
			t.Errorf("dot (%d,%d) = %q (%U), want %q", tc.x, tc.y, r, r, tc.want)
		}
	}
	c := New(1, 1)
	for x := range 2 {
		for y := range 4 {
			c.Set(x, y, 0)
		}
	}
	if r, _ := c.Cell(0, 0); r != '⣿' {
		t.Errorf("all dots = %q, want ⣿", r)
	}
	// A dot lands in the cell x/2, y/4.
	c = New(3, 2)
	c.Set(5, 7, 2)
	if r, st := c.Cell(2, 1); r != '⢀' || st != 2 {
		t.Errorf("dot (5,7) → cell (2,1) = %q style %d", r, st)
	}
}

// TestLineProperties: Bresenham lines include both ends, step to an
// 8-neighbour each time, and have max(|dx|,|dy|)+1 dots.
func TestLineProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 500 {
		w, h := 1+rng.IntN(30), 1+rng.IntN(12)
		c := New(w, h)
		dw, dh := c.Dots()
		x0, y0, x1, y1 := rng.IntN(dw), rng.IntN(dh), rng.IntN(dw), rng.IntN(dh)
		c.Line(x0, y0, x1, y1, 1)
		on := func(x, y int) bool {
			return c.dots[(y/4)*c.w+x/2]&dotBits[x%2][y%4] != 0
		}
		n := 0
		for y := range dh {
			for x := range dw {
				if on(x, y) {
					n++
				}
			}
		}
		if want := max(abs(x1-x0), abs(y1-y0)) + 1; n != want {
			t.Fatalf("line (%d,%d)-(%d,%d): %d dots, want %d", x0, y0, x1, y1, n, want)
		}
		if !on(x0, y0) || !on(x1, y1) {
			t.Fatalf("line (%d,%d)-(%d,%d) misses an end", x0, y0, x1, y1)
		}
		// Connected: walking from the start through 8-neighbours reaches every dot.
		seen := map[[2]int]bool{{x0, y0}: true}
		stack := [][2]int{{x0, y0}}
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for dx := -1; dx <= 1; dx++ {
				for dy := -1; dy <= 1; dy++ {
					q := [2]int{p[0] + dx, p[1] + dy}
					if q[0] >= 0 && q[1] >= 0 && q[0] < dw && q[1] < dh && !seen[q] && on(q[0], q[1]) {
						seen[q] = true
						stack = append(stack, q)
					}
				}
			}
		}
		if len(seen) != n {
			t.Fatalf("line (%d,%d)-(%d,%d) not connected: %d of %d dots reached", x0, y0, x1, y1, len(seen), n)
		}
	}
}

func TestClipping(t *testing.T) {
	c := New(4, 2)
	c.Line(-100, -50, 200, 60, 1) // crosses the canvas
	c.Set(-1, 0, 1)
	c.Set(8, 0, 1)
	c.Set(0, 8, 1)
	c.SetText(-2, 0, "abcdefgh", 1)
	c.SetText(0, 5, "zz", 1)
	c.SetBack(9, 9, '│', 1)
	c.Line(0, 0, 1<<20, 1<<20, 1) // absurd: ignored, no hang
	lines := c.Lines(nil)
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		if utf8.RuneCountInString(l) != 4 {
			t.Errorf("line %q is not 4 cells", l)
		}
	}
	if lines[0] != "cdef" {
		t.Errorf("text clipped at the left edge: %q", lines[0])
	}
}

// TestLayers: text over dots over background; Lines paints runs by style.
func TestLayers(t *testing.T) {
	c := New(6, 1)
	c.SetBack(0, 0, '│', 3)
	c.SetBack(1, 0, '│', 3)
	c.Set(2, 0, 1)           // cell 1: dots hide the background
	c.Set(4, 0, 1)           // cell 2
	c.Set(8, 0, 1)           // cell 4
	c.SetText(2, 0, "ab", 2) // cell 2 has dots too: text wins
	c.SetText(4, 0, " ", 2)  // a space label blanks the cell
	got := c.Lines(nil)[0]
	if got != "│⠁ab  " {
		t.Errorf("plain: %q", got)
	}
	painted := c.Lines(func(st Style, s string) string { return "<" + string(rune('0'+st)) + s + ">" })[0]
	if painted != "<3│><1⠁><2ab>  " {
		t.Errorf("painted: %q", painted)
	}
	if !c.HasText(2, 0) || c.HasText(0, 0) || !c.HasDots(1, 0) || c.HasDots(0, 0) || c.HasText(-1, 0) || c.HasDots(0, 5) {
		t.Error("HasText/HasDots")
	}
}

func TestReset(t *testing.T) {
	c := New(5, 3)
	c.Line(0, 0, 9, 11, 1)
	c.SetText(0, 0, "x", 1)
	c.SetBack(4, 2, '─', 1)
	c.Reset(3, 2)
	for _, l := range c.Lines(nil) {
		if strings.TrimSpace(l) != "" {
			t.Errorf("not cleared: %q", l)
		}
	}
	if w, h := c.Cells(); w != 3 || h != 2 {
		t.Errorf("size %dx%d", w, h)
	}
	c.Reset(-1, 4)
	if len(c.Lines(nil)) != 4 {
		t.Error("negative width")
	}
	var z Canvas
	z.Set(0, 0, 1)
	if len(z.Lines(nil)) != 0 {
		t.Error("zero canvas")
	}
}
