package ta

import "math"

// ATR is TA-Lib's average true range with Wilder smoothing: the seed is the
// mean of the first p true ranges (bar 0 has none), then
// atr = (atr·(p−1) + TR)/p. p = 1 gives the true range (TRANGE). Lookback p.
type ATR struct {
	p   int
	pf  float64
	pm1 float64
	st  atrState
}

type atrState struct {
	n     int // committed bars, saturating at p+1
	prevC float64
	sum   float64
	atr   float64
	ok    bool
}

// NewATR returns an ATR stream over p bars (p >= 1).
func NewATR(p int) (*ATR, error) {
	if err := checkPeriod("NewATR", p, 1); err != nil {
		return nil, err
	}
	return &ATR{p: p, pf: float64(p), pm1: float64(p) - 1.0}, nil
}

// trueRange is TA-Lib's TRANGE for one bar given the previous close.
func trueRange(h, l, prevC float64) float64 {
	tr := h - l
	if v := math.Abs(prevC - h); v > tr {
		tr = v
	}
	if v := math.Abs(prevC - l); v > tr {
		tr = v
	}
	return tr
}

// step runs the transition for one bar on st (the committed state or a copy).
func (s *ATR) step(st *atrState, h, l, c float64) {
	if st.n == 0 {
		st.prevC = c
		st.n = 1
		return
	}
	tr := trueRange(h, l, st.prevC)
	st.prevC = c
	switch {
	case st.n < s.p:
		st.sum += tr
		st.n++
	case st.n == s.p:
		st.sum += tr
		st.atr = st.sum / s.pf
		st.n++
		st.ok = true
	default:
		st.atr = float64(st.atr * s.pm1)
		st.atr += tr
		st.atr /= s.pf
	}
}

// Update commits a closed bar and returns the ATR after it. It rejects
// non-finite or non-positive prices and high < low.
func (s *ATR) Update(h, l, c float64) (float64, bool, error) {
	if !validBar(h, l, c) {
		return 0, false, badBar("ATR.Update", h, l, c)
	}
	s.step(&s.st, h, l, c)
	v, ok := s.Value()
	return v, ok, nil
}

// Peek returns what Update(h, l, c) would return, without mutating s.
func (s *ATR) Peek(h, l, c float64) (float64, bool, error) {
	if !validBar(h, l, c) {
		return 0, false, badBar("ATR.Peek", h, l, c)
	}
	st := s.st
	s.step(&st, h, l, c)
	if !st.ok {
		return 0, false, nil
	}
	return st.atr, true, nil
}

// Value returns the last committed output.
func (s *ATR) Value() (float64, bool) {
	if !s.st.ok {
		return 0, false
	}
	return s.st.atr, true
}

// Lookback returns p.
func (s *ATR) Lookback() int { return s.p }

// Reset returns s to its freshly-constructed state.
func (s *ATR) Reset() { s.st = atrState{} }

// Clone returns an independent copy of s.
func (s *ATR) Clone() *ATR { d := *s; return &d }
