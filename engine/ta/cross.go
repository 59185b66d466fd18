package ta

import (
	"fmt"
	"math"
)

// Cross detects sign changes of a difference series (e.g. fast − slow). It
// keeps the last NON-ZERO committed sign, so a touch (diff == 0) followed by a
// cross is still reported, and a zero diff never changes the sign. With
// hysteresis h, a change to the opposite sign needs |diff| > h. The first
// non-zero diff only establishes the sign (no event).
type Cross struct {
	h    float64
	sign int
}

// NewCross returns a crossing detector with hysteresis h >= 0.
func NewCross(hysteresis float64) (*Cross, error) {
	if !(hysteresis >= 0) || math.IsInf(hysteresis, 1) {
		return nil, fmt.Errorf("ta: NewCross: hysteresis %v (want finite >= 0): %w", hysteresis, ErrPeriod)
	}
	return &Cross{h: hysteresis}, nil
}

func (c *Cross) step(diff float64) (sign, event int) {
	s := 0
	switch {
	case diff > 0:
		s = 1
	case diff < 0:
		s = -1
	}
	switch {
	case s == 0 || s == c.sign:
		return c.sign, 0
	case c.sign == 0:
		return s, 0
	case math.Abs(diff) > c.h:
		return s, s
	default:
		return c.sign, 0
	}
}

// Update commits one closed bar's diff and returns +1 for a cross up, -1 for
// a cross down, 0 otherwise. It rejects non-finite input.
func (c *Cross) Update(diff float64) (int, error) {
	if math.IsNaN(diff) || math.IsInf(diff, 0) {
		return 0, inputError{"Cross.Update", diff}
	}
	var ev int
	c.sign, ev = c.step(diff)
	return ev, nil
}

// Peek returns the provisional event a forming bar's diff would produce
// against the committed sign, without mutating c.
func (c *Cross) Peek(diff float64) (int, error) {
	if math.IsNaN(diff) || math.IsInf(diff, 0) {
		return 0, inputError{"Cross.Peek", diff}
	}
	_, ev := c.step(diff)
	return ev, nil
}

// Sign returns the committed sign: -1, +1, or 0 before any non-zero diff.
func (c *Cross) Sign() int { return c.sign }

// Reset returns c to its freshly-constructed state.
func (c *Cross) Reset() { c.sign = 0 }

// Clone returns an independent copy of c.
func (c *Cross) Clone() *Cross { d := *c; return &d }
