package ta

// sumCore is TA-Lib's SMA/VAR running-sum window: it carries the sum of the
// previous p-1 inputs (built as ((0+x0)+x1)…) and subtracts the oldest input
// of each p-window after using it. Optionally it carries the sum of squares
// too (VAR). It does no input validation.
type sumCore struct {
	p   int
	pf  float64
	buf []float64 // last p inputs; buf[pos] receives the next one
	st  sumState
}

type sumState struct {
	n      int // committed inputs, saturating at p
	pos    int
	t1, t2 float64
}

func newSumCore(p int) sumCore {
	return sumCore{p: p, pf: float64(p), buf: make([]float64, p)}
}

// oldest returns the oldest input of the p-window ending at the new input x.
func (c *sumCore) oldest(x float64) float64 {
	if c.p == 1 {
		return x
	}
	return c.buf[next(c.st.pos, c.p)]
}

// stepMean runs TA-Lib's SMA transition for x: it returns the new state and
// the mean of the window ending at x (ok=false in warm-up).
func (c *sumCore) stepMean(x float64) (sumState, float64, bool) {
	st := c.st
	if st.n < c.p-1 {
		st.t1 += x
		st.n++
		st.pos = next(st.pos, c.p)
		return st, 0, false
	}
	t := st.t1 + x
	out := t / c.pf
	st.t1 = t - c.oldest(x)
	if st.n < c.p {
		st.n++
	}
	st.pos = next(st.pos, c.p)
	return st, out, true
}

// stepVar runs TA-Lib's VAR transition (population, E[x²]-mean²) for x.
func (c *sumCore) stepVar(x float64) (st sumState, mean, variance float64, ok bool) {
	st = c.st
	if st.n < c.p-1 {
		st.t1 += x
		st.t2 += float64(x * x)
		st.n++
		st.pos = next(st.pos, c.p)
		return st, 0, 0, false
	}
	st.t1 += x
	st.t2 += float64(x * x)
	m1 := st.t1 / c.pf
	m2 := st.t2 / c.pf
	old := c.oldest(x)
	st.t1 -= old
	st.t2 -= float64(old * old)
	if st.n < c.p {
		st.n++
	}
	st.pos = next(st.pos, c.p)
	return st, m1, m2 - float64(m1*m1), true
}

// commit stores x in the ring and installs st.
func (c *sumCore) commit(x float64, st sumState) {
	c.buf[c.st.pos] = x
	c.st = st
}

func (c *sumCore) reset() {
	clear(c.buf)
	c.st = sumState{}
}

func (c *sumCore) clone() sumCore {
	d := *c
	d.buf = append([]float64(nil), c.buf...)
	return d
}

// SMA is TA-Lib's simple moving average (SMA), lookback p-1.
type SMA struct {
	core sumCore
	val  float64
	ok   bool
}

// NewSMA returns an SMA stream over p bars (p >= 1).
func NewSMA(p int) (*SMA, error) {
	if p < 1 {
		return nil, badPeriod("NewSMA", p, 1)
	}
	return &SMA{core: newSumCore(p)}, nil
}

// Update commits x and returns the SMA of the window ending at x.
func (s *SMA) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("SMA.Update", x)
	}
	st, v, ok := s.core.stepMean(x)
	s.core.commit(x, st)
	s.val, s.ok = v, ok
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *SMA) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("SMA.Peek", x)
	}
	_, v, ok := s.core.stepMean(x)
	return v, ok, nil
}

// Value returns the last committed output.
func (s *SMA) Value() (float64, bool) { return s.val, s.ok }

// Lookback returns p-1.
func (s *SMA) Lookback() int { return s.core.p - 1 }

// Reset returns s to its freshly-constructed state.
func (s *SMA) Reset() { s.core.reset(); s.val, s.ok = 0, false }

// Clone returns an independent deep copy of s.
func (s *SMA) Clone() *SMA { d := *s; d.core = s.core.clone(); return &d }
