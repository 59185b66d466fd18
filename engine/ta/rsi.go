package ta

import "math"

// RSI is TA-Lib's relative strength index with Wilder smoothing. The seed
// averages the first p changes; the output is 100·gain/(gain+loss), or 0
// when |gain+loss| < 1e-14 (a flat series gives 0, as in TA-Lib).
// Lookback p (it needs p+1 inputs).
type RSI struct {
	p       int
	pf, pm1 float64
	st      rsiState
}

type rsiState struct {
	n          int // committed inputs, saturating at p+1
	prev       float64
	gain, loss float64 // Wilder averages (running sums during the seed)
}

// NewRSI returns an RSI stream over p bars (p >= 2).
func NewRSI(p int) (*RSI, error) {
	if err := checkPeriod("NewRSI", p, 2); err != nil {
		return nil, err
	}
	return &RSI{p: p, pf: float64(p), pm1: float64(p - 1)}, nil
}

// Update commits x and returns the RSI after x.
//
// One expression covers TA-Lib's phases: avg = (avg·a + change)/b, with
// a = 1 and b = 1 while the seed sums the first p changes, b = p at the
// p-th of them, then a = p−1, b = p (Wilder); ·1 and /1 are exact. TA-Lib
// adds a change d to gain when it is >= 0 and subtracts it from loss when
// it is < 0; adding up = max(d, 0) to gain and dn = up − d to loss does the
// same bit for bit (g + 0 == g, l + (−d) == l − d) without a branch on the
// data.
func (s *RSI) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"RSI.Update", x}
	}
	st := &s.st
	d := x - st.prev
	st.prev = x
	a, b := s.pm1, s.pf
	if st.n <= s.p { // the seed
		if st.n == 0 { // the first input has no change
			d = 0
		}
		a = 1
		if st.n < s.p {
			b = 1
		}
		st.n++
	}
	up := max(d, 0)
	st.gain = (float64(st.gain*a) + up) / b
	st.loss = (float64(st.loss*a) + (up - d)) / b
	v, ok := s.Value()
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s: the same
// expression, in the only phases with an output (the last seed change, or
// Wilder).
func (s *RSI) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"RSI.Peek", x}
	}
	st := &s.st
	if st.n < s.p {
		return 0, false, nil
	}
	a := s.pm1
	if st.n == s.p {
		a = 1
	}
	d := x - st.prev
	up := max(d, 0)
	return rsiOf((float64(st.gain*a)+up)/s.pf, (float64(st.loss*a)+(up-d))/s.pf), true, nil
}

// rsiOf is TA-Lib's output for the averages: 100·gain/(gain+loss), 0 when
// the sum is within 1e-14 of 0.
func rsiOf(gain, loss float64) float64 {
	t := gain + loss
	if math.Abs(t) < 1e-14 {
		return 0
	}
	return 100.0 * (gain / t)
}

// Value returns the last committed output.
func (s *RSI) Value() (float64, bool) {
	if s.st.n <= s.p {
		return 0, false
	}
	return rsiOf(s.st.gain, s.st.loss), true
}

// Lookback returns p.
func (s *RSI) Lookback() int { return s.p }

// Reset returns s to its freshly-constructed state.
func (s *RSI) Reset() { s.st = rsiState{} }

// Clone returns an independent copy of s.
func (s *RSI) Clone() *RSI { d := *s; return &d }
