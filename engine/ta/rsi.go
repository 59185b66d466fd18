package ta

// RSI is TA-Lib's relative strength index with Wilder smoothing. The seed
// averages the first p changes; the output is 100·gain/(gain+loss), or 0
// when |gain+loss| < 1e-14 (a flat series gives 0, as in TA-Lib).
// Lookback p (it needs p+1 inputs).
type RSI struct {
	p   int
	pf  float64
	pm1 float64
	st  rsiState
}

type rsiState struct {
	n          int // committed inputs, saturating at p+1
	prev       float64
	gain, loss float64
	val        float64
	ok         bool
}

// NewRSI returns an RSI stream over p bars (p >= 2).
func NewRSI(p int) (*RSI, error) {
	if err := checkPeriod("NewRSI", p, 2); err != nil {
		return nil, err
	}
	return &RSI{p: p, pf: float64(p), pm1: float64(p - 1)}, nil
}

// step runs the transition for x on st (the committed state or a copy).
func (s *RSI) step(st *rsiState, x float64) {
	if st.n == 0 {
		st.prev = x
		st.n = 1
		return
	}
	d := x - st.prev
	st.prev = x
	if st.n > s.p {
		st.loss = float64(st.loss * s.pm1)
		st.gain = float64(st.gain * s.pm1)
	}
	if d < 0 {
		st.loss -= d
	} else {
		st.gain += d
	}
	if st.n < s.p {
		st.n++
		return
	}
	st.loss /= s.pf
	st.gain /= s.pf
	if st.n == s.p {
		st.n++
	}
	t := st.gain + st.loss
	if !(-1e-14 < t && t < 1e-14) {
		st.val = 100.0 * (st.gain / t)
	} else {
		st.val = 0
	}
	st.ok = true
}

// Update commits x and returns the RSI after x.
func (s *RSI) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("RSI.Update", x)
	}
	s.step(&s.st, x)
	return s.st.val, s.st.ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *RSI) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("RSI.Peek", x)
	}
	st := s.st
	s.step(&st, x)
	return st.val, st.ok, nil
}

// Value returns the last committed output.
func (s *RSI) Value() (float64, bool) { return s.st.val, s.st.ok }

// Lookback returns p.
func (s *RSI) Lookback() int { return s.p }

// Reset returns s to its freshly-constructed state.
func (s *RSI) Reset() { s.st = rsiState{} }

// Clone returns an independent copy of s.
func (s *RSI) Clone() *RSI { d := *s; return &d }
