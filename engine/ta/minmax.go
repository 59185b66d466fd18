package ta

import "math"

// windowMax is the maximum of a sliding window of p inputs in O(1)
// amortised time whatever the data (the van Herk/Gil–Werman algorithm:
// M. van Herk, Pattern Recognition Letters 13(7), 1992; J. Gil and
// M. Werman, IEEE PAMI 15(5), 1993). The stream is cut into blocks of p
// inputs, one per turn of the ring. The window ending at offset o of the
// current block is the previous block's tail o+1..p-1 plus the current
// block's head 0..o, so its maximum is max(suffix[o+1], prefix): suffix
// holds the previous block's suffix maxima (one backward pass when a block
// completes; suffix[p] = −Inf) and prefix is the running maximum of the
// current block. That is 3 comparisons per input, and a falling market
// (where a rescan-on-expiry MAX rescans every bar) costs the same as a
// rising one. Minimums use it on negated inputs (negation is exact). The
// values equal TA-Lib's MAX/MIN exactly.
type windowMax struct {
	win    ring      // the current block so far; win.pos is the next offset
	suffix []float64 // p+1 suffix maxima of the previous block
	prefix float64   // maximum of the current block so far
}

func newWindowMax(p int) windowMax {
	m := windowMax{win: newRing(p), suffix: make([]float64, p+1)}
	m.reset()
	return m
}

// push commits x and reports whether x completed a block; the caller then
// calls closeBlock (kept out of push so that push inlines).
func (m *windowMax) push(x float64) (blockDone bool) {
	m.win.push(x)
	if x > m.prefix {
		m.prefix = x
	}
	return m.win.pos == 0
}

// closeBlock computes the suffix maxima of the block just completed (the
// ring in slot order) and starts the next block.
func (m *windowMax) closeBlock() {
	b := m.win.buf
	s := m.suffix[:len(b)+1]
	acc := s[len(b)] // −Inf
	for i := len(b) - 1; i >= 0; i-- {
		acc = max(acc, b[i])
		s[i] = acc
	}
	m.prefix = math.Inf(-1)
}

// value is the maximum of the window ending at the last input (the whole
// previous block right after it completes: suffix[0] and an empty prefix).
func (m *windowMax) value() float64 { return max(m.suffix[m.win.pos], m.prefix) }

// peek is the maximum of the window ending at x, without committing x.
func (m *windowMax) peek(x float64) float64 {
	return max(m.suffix[m.win.pos+1], m.prefix, x)
}

func (m *windowMax) reset() {
	m.win.reset()
	for i := range m.suffix {
		m.suffix[i] = math.Inf(-1)
	}
	m.prefix = math.Inf(-1)
}

func (m *windowMax) clone() windowMax {
	c := *m
	c.win = m.win.clone()
	c.suffix = append([]float64(nil), m.suffix...)
	return c
}

// MAX is TA-Lib's rolling maximum over p inputs including the current one,
// in O(1) amortised time. Lookback p-1.
type MAX struct{ m windowMax }

// NewMAX returns a MAX stream over p bars (p >= 2, as in TA-Lib).
func NewMAX(p int) (*MAX, error) {
	if err := checkPeriod("NewMAX", p, 2); err != nil {
		return nil, err
	}
	return &MAX{m: newWindowMax(p)}, nil
}

// Update commits x and returns the maximum of the window ending at x.
func (s *MAX) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"MAX.Update", x}
	}
	if s.m.push(x) {
		s.m.closeBlock()
	}
	v, ok := s.Value()
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *MAX) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"MAX.Peek", x}
	}
	if !s.m.win.fullAfterPush() {
		return 0, false, nil
	}
	return s.m.peek(x), true, nil
}

// Value returns the last committed output.
func (s *MAX) Value() (float64, bool) {
	if !s.m.win.full {
		return 0, false
	}
	return s.m.value(), true
}

// Lookback returns p-1.
func (s *MAX) Lookback() int { return len(s.m.win.buf) - 1 }

// Reset returns s to its freshly-constructed state.
func (s *MAX) Reset() { s.m.reset() }

// Clone returns an independent deep copy of s.
func (s *MAX) Clone() *MAX { return &MAX{m: s.m.clone()} }

// MIN is TA-Lib's rolling minimum over p inputs including the current one,
// in O(1) amortised time (the maximum of the negated inputs). Lookback p-1.
type MIN struct{ m windowMax }

// NewMIN returns a MIN stream over p bars (p >= 2, as in TA-Lib).
func NewMIN(p int) (*MIN, error) {
	if err := checkPeriod("NewMIN", p, 2); err != nil {
		return nil, err
	}
	return &MIN{m: newWindowMax(p)}, nil
}

// Update commits x and returns the minimum of the window ending at x.
func (s *MIN) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"MIN.Update", x}
	}
	if s.m.push(-x) {
		s.m.closeBlock()
	}
	v, ok := s.Value()
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *MIN) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"MIN.Peek", x}
	}
	if !s.m.win.fullAfterPush() {
		return 0, false, nil
	}
	return -s.m.peek(-x), true, nil
}

// Value returns the last committed output.
func (s *MIN) Value() (float64, bool) {
	if !s.m.win.full {
		return 0, false
	}
	return -s.m.value(), true
}

// Lookback returns p-1.
func (s *MIN) Lookback() int { return len(s.m.win.buf) - 1 }

// Reset returns s to its freshly-constructed state.
func (s *MIN) Reset() { s.m.reset() }

// Clone returns an independent deep copy of s.
func (s *MIN) Clone() *MIN { return &MIN{m: s.m.clone()} }
