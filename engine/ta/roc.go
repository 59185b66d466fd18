package ta

// lagCore remembers the last p inputs so that x[t-p] is available.
type lagCore struct {
	p   int
	buf []float64 // buf[pos] holds x[t-p] once n >= p, and receives x[t]
	n   int       // committed inputs, saturating at p
	pos int
}

func newLagCore(p int) lagCore { return lagCore{p: p, buf: make([]float64, p)} }

// lagged returns x[t-p] for the next input and whether it exists.
func (c *lagCore) lagged() (float64, bool) {
	if c.n < c.p {
		return 0, false
	}
	return c.buf[c.pos], true
}

func (c *lagCore) push(x float64) {
	c.buf[c.pos] = x
	c.pos = next(c.pos, c.p)
	if c.n < c.p {
		c.n++
	}
}

func (c *lagCore) reset() { clear(c.buf); c.n, c.pos = 0, 0 }

func (c *lagCore) clone() lagCore {
	d := *c
	d.buf = append([]float64(nil), c.buf...)
	return d
}

// ROC is TA-Lib's rate of change ((x/x[t-p])-1)·100. Lookback p.
type ROC struct {
	lag lagCore
	val float64
	ok  bool
}

// NewROC returns a ROC stream over p bars (p >= 1).
func NewROC(p int) (*ROC, error) {
	if err := checkPeriod("NewROC", p, 1); err != nil {
		return nil, err
	}
	return &ROC{lag: newLagCore(p)}, nil
}

func (s *ROC) eval(x float64) (float64, bool) {
	old, ok := s.lag.lagged()
	if !ok {
		return 0, false
	}
	return ((x / old) - 1.0) * 100.0, true
}

// Update commits x and returns the ROC at x.
func (s *ROC) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("ROC.Update", x)
	}
	s.val, s.ok = s.eval(x)
	s.lag.push(x)
	return s.val, s.ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *ROC) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("ROC.Peek", x)
	}
	v, ok := s.eval(x)
	return v, ok, nil
}

// Value returns the last committed output.
func (s *ROC) Value() (float64, bool) { return s.val, s.ok }

// Lookback returns p.
func (s *ROC) Lookback() int { return s.lag.p }

// Reset returns s to its freshly-constructed state.
func (s *ROC) Reset() { s.lag.reset(); s.val, s.ok = 0, false }

// Clone returns an independent deep copy of s.
func (s *ROC) Clone() *ROC { d := *s; d.lag = s.lag.clone(); return &d }

// ROCP is TA-Lib's rate of change as a fraction, (x-x[t-p])/x[t-p].
// Lookback p.
type ROCP struct {
	lag lagCore
	val float64
	ok  bool
}

// NewROCP returns a ROCP stream over p bars (p >= 1).
func NewROCP(p int) (*ROCP, error) {
	if err := checkPeriod("NewROCP", p, 1); err != nil {
		return nil, err
	}
	return &ROCP{lag: newLagCore(p)}, nil
}

func (s *ROCP) eval(x float64) (float64, bool) {
	old, ok := s.lag.lagged()
	if !ok {
		return 0, false
	}
	return (x - old) / old, true
}

// Update commits x and returns the ROCP at x.
func (s *ROCP) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("ROCP.Update", x)
	}
	s.val, s.ok = s.eval(x)
	s.lag.push(x)
	return s.val, s.ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *ROCP) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("ROCP.Peek", x)
	}
	v, ok := s.eval(x)
	return v, ok, nil
}

// Value returns the last committed output.
func (s *ROCP) Value() (float64, bool) { return s.val, s.ok }

// Lookback returns p.
func (s *ROCP) Lookback() int { return s.lag.p }

// Reset returns s to its freshly-constructed state.
func (s *ROCP) Reset() { s.lag.reset(); s.val, s.ok = 0, false }

// Clone returns an independent deep copy of s.
func (s *ROCP) Clone() *ROCP { d := *s; d.lag = s.lag.clone(); return &d }
