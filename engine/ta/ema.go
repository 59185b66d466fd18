package ta

// EMA is TA-Lib's classic exponential moving average: k = 2/(p+1), seeded
// with the SMA of the first p inputs (the output at index p-1), then
// prev = ((x-prev)·k)+prev. Lookback p-1.
type EMA struct {
	p  int
	pf float64
	k  float64
	st emaState
}

type emaState struct {
	n    int // committed inputs, saturating at p
	sum  float64
	prev float64
	ok   bool
}

// NewEMA returns an EMA stream over p bars (p >= 1).
func NewEMA(p int) (*EMA, error) {
	if err := checkPeriod("NewEMA", p, 1); err != nil {
		return nil, err
	}
	return &EMA{p: p, pf: float64(p), k: 2.0 / float64(p+1)}, nil
}

// step runs the transition for x on st (the committed state or a copy).
func (s *EMA) step(st *emaState, x float64) {
	switch {
	case st.n < s.p-1:
		st.sum += x
		st.n++
	case st.n == s.p-1:
		st.sum += x
		st.prev = st.sum / s.pf
		st.n++
		st.ok = true
	default:
		st.prev = float64((x-st.prev)*s.k) + st.prev
	}
}

// Update commits x and returns the EMA after x.
func (s *EMA) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("EMA.Update", x)
	}
	s.step(&s.st, x)
	v, ok := s.Value()
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *EMA) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("EMA.Peek", x)
	}
	st := s.st
	s.step(&st, x)
	if !st.ok {
		return 0, false, nil
	}
	return st.prev, true, nil
}

// Value returns the last committed output.
func (s *EMA) Value() (float64, bool) {
	if !s.st.ok {
		return 0, false
	}
	return s.st.prev, true
}

// Lookback returns p-1.
func (s *EMA) Lookback() int { return s.p - 1 }

// Reset returns s to its freshly-constructed state.
func (s *EMA) Reset() { s.st = emaState{} }

// Clone returns an independent copy of s.
func (s *EMA) Clone() *EMA { d := *s; return &d }
