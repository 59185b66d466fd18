package ta

// WMA is TA-Lib's linearly weighted moving average (weights 1..p, newest
// heaviest), computed with TA-Lib's running periodSum/periodSub recurrence.
// Lookback p-1; p = 1 is the identity (as in go-talib).
type WMA struct {
	win      ring // the last p inputs; push gives back TA-Lib's trailing value
	pf, div  float64
	sum, sub float64 // TA-Lib's periodSum (after its "-= periodSub") and periodSub
	val      float64
}

// NewWMA returns a WMA stream over p bars (p >= 1).
func NewWMA(p int) (*WMA, error) {
	if err := checkPeriod("NewWMA", p, 1); err != nil {
		return nil, err
	}
	return &WMA{win: newRing(p), pf: float64(p), div: float64((p * (p + 1)) >> 1)}, nil
}

// Update commits x and returns the WMA of the window ending at x: TA-Lib's
// loop body. TA-Lib's trailing value is the input p bars before x (0.0 at
// the first output), which is what the ring gives back; during the warm-up
// it gives back 0 and sub − 0 == sub.
func (s *WMA) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"WMA.Update", x}
	}
	sub := (s.sub + x) - s.win.push(x)
	s.sub = sub
	if !s.win.full { // warm-up: weights 1..p-1 (pos is the count so far)
		s.sum += float64(x * float64(s.win.pos))
		return 0, false, nil
	}
	sum := s.sum + float64(x*s.pf)
	v := sum / s.div
	s.sum = sum - sub
	if s.pf == 1 { // go-talib copies the input
		v = x
	}
	s.val = v
	return v, true, nil
}

// Peek returns what Update(x) would return, without mutating s: the output
// does not depend on the new periodSub.
func (s *WMA) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"WMA.Peek", x}
	}
	switch {
	case !s.win.fullAfterPush():
		return 0, false, nil
	case s.pf == 1:
		return x, true, nil
	}
	return (s.sum + float64(x*s.pf)) / s.div, true, nil
}

// Value returns the last committed output.
func (s *WMA) Value() (float64, bool) { return s.val, s.win.full }

// Lookback returns p-1.
func (s *WMA) Lookback() int { return len(s.win.buf) - 1 }

// Reset returns s to its freshly-constructed state.
func (s *WMA) Reset() { s.win.reset(); s.sum, s.sub, s.val = 0, 0, 0 }

// Clone returns an independent deep copy of s.
func (s *WMA) Clone() *WMA { d := *s; d.win = s.win.clone(); return &d }
