package ta

// WMA is TA-Lib's linearly weighted moving average (weights 1..p, newest
// heaviest), computed with TA-Lib's running periodSum/periodSub recurrence.
// Lookback p-1; p = 1 is the identity.
type WMA struct {
	p   int
	pf  float64
	div float64
	buf []float64 // last p inputs; buf[pos] receives the next one
	st  wmaState
}

type wmaState struct {
	n        int // committed inputs, saturating at p
	pos      int
	sum, sub float64
	trail    float64
	val      float64
	ok       bool
}

// NewWMA returns a WMA stream over p bars (p >= 1).
func NewWMA(p int) (*WMA, error) {
	if err := checkPeriod("NewWMA", p, 1); err != nil {
		return nil, err
	}
	return &WMA{p: p, pf: float64(p), div: float64((p * (p + 1)) >> 1), buf: make([]float64, p)}, nil
}

// step runs the transition for x on st (the committed state or a copy); it
// does not write the ring.
func (s *WMA) step(st *wmaState, x float64) {
	if s.p == 1 {
		st.val, st.ok = x, true
		return
	}
	if st.n < s.p-1 {
		st.sub += x
		st.sum += float64(x * float64(st.n+1))
		st.n++
		st.pos = next(st.pos, s.p)
		return
	}
	st.sub += x
	st.sub -= st.trail
	st.sum += float64(x * s.pf)
	st.trail = s.buf[next(st.pos, s.p)] // oldest input of the window ending at x
	st.val = st.sum / s.div
	st.ok = true
	st.sum -= st.sub
	if st.n < s.p {
		st.n++
	}
	st.pos = next(st.pos, s.p)
}

// Update commits x and returns the WMA of the window ending at x.
func (s *WMA) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("WMA.Update", x)
	}
	pos := s.st.pos
	s.step(&s.st, x)
	s.buf[pos] = x
	return s.st.val, s.st.ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *WMA) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("WMA.Peek", x)
	}
	st := s.st
	s.step(&st, x)
	return st.val, st.ok, nil
}

// Value returns the last committed output.
func (s *WMA) Value() (float64, bool) { return s.st.val, s.st.ok }

// Lookback returns p-1.
func (s *WMA) Lookback() int { return s.p - 1 }

// Reset returns s to its freshly-constructed state.
func (s *WMA) Reset() { clear(s.buf); s.st = wmaState{} }

// Clone returns an independent deep copy of s.
func (s *WMA) Clone() *WMA {
	d := *s
	d.buf = append([]float64(nil), s.buf...)
	return &d
}
