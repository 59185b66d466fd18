package ta

// The rate-of-change streams keep the last p inputs in a ring: pushing x[t]
// gives back x[t-p]. Prices are > 0, so a 0 from the ring means "no input p
// bars back yet" (the warm-up).

// ROC is TA-Lib's rate of change ((x/x[t-p])-1)·100. Lookback p.
type ROC struct {
	win ring    // the last p inputs
	old float64 // x[t-p] for the last input x[t]; 0 until it exists
}

// NewROC returns a ROC stream over p bars (p >= 1).
func NewROC(p int) (*ROC, error) {
	if err := checkPeriod("NewROC", p, 1); err != nil {
		return nil, err
	}
	return &ROC{win: newRing(p)}, nil
}

// roc is the output for x against old = x[t-p].
func roc(x, old float64) float64 { return ((x / old) - 1.0) * 100.0 }

// Update commits x and returns the ROC at x. Like Peek, it is small
// enough to be inlined into the caller.
func (s *ROC) Update(x float64) (float64, bool, error) {
	if validPrice(x) {
		if s.old = s.win.push(x); s.old != 0 {
			return ((x / s.old) - 1.0) * 100.0, true, nil // roc, written out to stay within the inliner's budget
		}
		return 0, false, nil
	}
	return 0, false, inputError{"ROC.Update", x}
}

// Peek returns what Update(x) would return, without mutating s.
func (s *ROC) Peek(x float64) (float64, bool, error) {
	if validPrice(x) {
		if old := s.win.front(); old != 0 {
			return roc(x, old), true, nil
		}
		return 0, false, nil
	}
	return 0, false, inputError{"ROC.Peek", x}
}

// Value returns the last committed output.
func (s *ROC) Value() (float64, bool) {
	if s.old == 0 {
		return 0, false
	}
	return roc(s.win.back(), s.old), true
}

// Lookback returns p.
func (s *ROC) Lookback() int { return len(s.win.buf) }

// Reset returns s to its freshly-constructed state.
func (s *ROC) Reset() { s.win.reset(); s.old = 0 }

// Clone returns an independent deep copy of s.
func (s *ROC) Clone() *ROC { d := *s; d.win = s.win.clone(); return &d }

// ROCP is TA-Lib's rate of change as a fraction, (x-x[t-p])/x[t-p].
// Lookback p.
type ROCP struct {
	win ring    // the last p inputs
	old float64 // x[t-p] for the last input x[t]; 0 until it exists
}

// NewROCP returns a ROCP stream over p bars (p >= 1).
func NewROCP(p int) (*ROCP, error) {
	if err := checkPeriod("NewROCP", p, 1); err != nil {
		return nil, err
	}
	return &ROCP{win: newRing(p)}, nil
}

// rocp is the output for x against old = x[t-p].
func rocp(x, old float64) float64 { return (x - old) / old }

// Update commits x and returns the ROCP at x. Like Peek, it is small
// enough to be inlined into the caller.
func (s *ROCP) Update(x float64) (float64, bool, error) {
	if validPrice(x) {
		if s.old = s.win.push(x); s.old != 0 {
			return (x - s.old) / s.old, true, nil // rocp, written out to stay within the inliner's budget
		}
		return 0, false, nil
	}
	return 0, false, inputError{"ROCP.Update", x}
}

// Peek returns what Update(x) would return, without mutating s.
func (s *ROCP) Peek(x float64) (float64, bool, error) {
	if validPrice(x) {
		if old := s.win.front(); old != 0 {
			return rocp(x, old), true, nil
		}
		return 0, false, nil
	}
	return 0, false, inputError{"ROCP.Peek", x}
}

// Value returns the last committed output.
func (s *ROCP) Value() (float64, bool) {
	if s.old == 0 {
		return 0, false
	}
	return rocp(s.win.back(), s.old), true
}

// Lookback returns p.
func (s *ROCP) Lookback() int { return len(s.win.buf) }

// Reset returns s to its freshly-constructed state.
func (s *ROCP) Reset() { s.win.reset(); s.old = 0 }

// Clone returns an independent deep copy of s.
func (s *ROCP) Clone() *ROCP { d := *s; d.win = s.win.clone(); return &d }
