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

// oldest returns the oldest input of the p-window ending at the new input x,
// which goes to slot pos.
func (c *sumCore) oldest(pos int, x float64) float64 {
	if c.p == 1 {
		return x
	}
	return c.buf[next(pos, c.p)]
}

// stepMean runs TA-Lib's SMA transition for x on st (the committed state or
// a copy of it) and returns the mean of the window ending at x (ok=false in
// warm-up). It does not write the ring.
func (c *sumCore) stepMean(st *sumState, x float64) (float64, bool) {
	if st.n < c.p-1 {
		st.t1 += x
		st.n++
		st.pos = next(st.pos, c.p)
		return 0, false
	}
	t := st.t1 + x
	out := t / c.pf
	st.t1 = t - c.oldest(st.pos, x)
	if st.n < c.p {
		st.n++
	}
	st.pos = next(st.pos, c.p)
	return out, true
}

// stepVar runs TA-Lib's VAR transition (population, E[x²]-mean²) for x on
// st, like stepMean.
func (c *sumCore) stepVar(st *sumState, x float64) (mean, variance float64, ok bool) {
	if st.n < c.p-1 {
		st.t1 += x
		st.t2 += float64(x * x)
		st.n++
		st.pos = next(st.pos, c.p)
		return 0, 0, false
	}
	st.t1 += x
	st.t2 += float64(x * x)
	m1 := st.t1 / c.pf
	m2 := st.t2 / c.pf
	old := c.oldest(st.pos, x)
	st.t1 -= old
	st.t2 -= float64(old * old)
	if st.n < c.p {
		st.n++
	}
	st.pos = next(st.pos, c.p)
	return m1, m2 - float64(m1*m1), true
}

// updateMean commits x: the SMA transition on the committed state, then x
// stored in the ring.
func (c *sumCore) updateMean(x float64) (float64, bool) {
	pos := c.st.pos
	v, ok := c.stepMean(&c.st, x)
	c.buf[pos] = x
	return v, ok
}

// peekMean is stepMean on a copy of the committed state.
func (c *sumCore) peekMean(x float64) (float64, bool) {
	st := c.st
	return c.stepMean(&st, x)
}

// updateVar commits x like updateMean, with the VAR transition.
func (c *sumCore) updateVar(x float64) (mean, variance float64, ok bool) {
	pos := c.st.pos
	mean, variance, ok = c.stepVar(&c.st, x)
	c.buf[pos] = x
	return mean, variance, ok
}

// peekVar is stepVar on a copy of the committed state.
func (c *sumCore) peekVar(x float64) (mean, variance float64, ok bool) {
	st := c.st
	return c.stepVar(&st, x)
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
	if err := checkPeriod("NewSMA", p, 1); err != nil {
		return nil, err
	}
	return &SMA{core: newSumCore(p)}, nil
}

// Update commits x and returns the SMA of the window ending at x.
func (s *SMA) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("SMA.Update", x)
	}
	v, ok := s.core.updateMean(x)
	s.val, s.ok = v, ok
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *SMA) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("SMA.Peek", x)
	}
	v, ok := s.core.peekMean(x)
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
