package ta

// ATR is TA-Lib's average true range with Wilder smoothing: the seed is the
// mean of the first p true ranges (bar 0 has none), then
// atr = (atr·(p−1) + TR)/p. p = 1 gives the true range (TRANGE). Lookback p.
type ATR struct {
	p       int
	pf, pm1 float64
	st      atrState
}

type atrState struct {
	n     int // committed bars, saturating at p+1
	prevC float64
	atr   float64 // the Wilder average (the running sum during the seed)
}

// NewATR returns an ATR stream over p bars (p >= 1).
func NewATR(p int) (*ATR, error) {
	if err := checkPeriod("NewATR", p, 1); err != nil {
		return nil, err
	}
	return &ATR{p: p, pf: float64(p), pm1: float64(p) - 1.0}, nil
}

// trueRange is TA-Lib's TRANGE for one bar (h >= l) given the previous
// close: the largest of h−l, |prevC−h| and |prevC−l|, which is
// max(h, prevC) − min(l, prevC). The bits are TA-Lib's: the difference
// taken is the one TA-Lib finds largest (rounding is monotonic, and
// |a−b| rounds like b−a), and there is no branch on the data.
func trueRange(h, l, prevC float64) float64 {
	return max(h, prevC) - min(l, prevC)
}

// Update commits a closed bar and returns the ATR after it. It rejects
// non-finite or non-positive prices and high < low. Like RSI's, one
// expression covers TA-Lib's phases: atr = (atr·a + TR)/b with a = 1,
// b = 1 while the seed sums the first p true ranges, b = p at the p-th,
// then a = p−1, b = p (Wilder).
func (s *ATR) Update(h, l, c float64) (float64, bool, error) {
	if !validBar(h, l, c) {
		return 0, false, barError{"ATR.Update", h, l, c}
	}
	st := &s.st
	tr := trueRange(h, l, st.prevC)
	st.prevC = c
	a, b := s.pm1, s.pf
	if st.n <= s.p { // the seed
		if st.n == 0 { // the first bar has no true range
			tr = 0
		}
		a = 1
		if st.n < s.p {
			b = 1
		}
		st.n++
	}
	st.atr = (float64(st.atr*a) + tr) / b
	v, ok := s.Value()
	return v, ok, nil
}

// Peek returns what Update(h, l, c) would return, without mutating s: the
// same expression, in the only phases with an output (the last seed bar, or
// Wilder).
func (s *ATR) Peek(h, l, c float64) (float64, bool, error) {
	if !validBar(h, l, c) {
		return 0, false, barError{"ATR.Peek", h, l, c}
	}
	st := &s.st
	if st.n < s.p {
		return 0, false, nil
	}
	a := s.pm1
	if st.n == s.p {
		a = 1
	}
	return (float64(st.atr*a) + trueRange(h, l, st.prevC)) / s.pf, true, nil
}

// Value returns the last committed output.
func (s *ATR) Value() (float64, bool) {
	if s.st.n <= s.p {
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
