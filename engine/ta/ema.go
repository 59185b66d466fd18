package ta

// EMA is TA-Lib's classic exponential moving average: k = 2/(p+1), seeded
// with the SMA of the first p inputs (the output at index p-1), then
// prev = ((x-prev)·k)+prev. Lookback p-1.
type EMA struct {
	p     int
	pf, k float64
	n     int     // committed inputs, saturating at p
	sum   float64 // the seed's running sum
	prev  float64 // the last output
}

// NewEMA returns an EMA stream over p bars (p >= 1).
func NewEMA(p int) (*EMA, error) {
	if err := checkPeriod("NewEMA", p, 1); err != nil {
		return nil, err
	}
	return &EMA{p: p, pf: float64(p), k: 2.0 / float64(p+1)}, nil
}

// Update commits x and returns the EMA after x. Like Peek, it is small
// enough to be inlined into the caller.
func (s *EMA) Update(x float64) (float64, bool, error) {
	if validPrice(x) {
		if s.n == s.p {
			s.prev = float64((x-s.prev)*s.k) + s.prev
			return s.prev, true, nil
		}
		s.sum += x // the seed
		if s.n++; s.n == s.p {
			s.prev = s.sum / s.pf
			return s.prev, true, nil
		}
		return 0, false, nil
	}
	return 0, false, inputError{"EMA.Update", x}
}

// Peek returns what Update(x) would return, without mutating s.
func (s *EMA) Peek(x float64) (float64, bool, error) {
	if validPrice(x) {
		switch s.n {
		case s.p:
			return float64((x-s.prev)*s.k) + s.prev, true, nil
		case s.p - 1:
			return (s.sum + x) / s.pf, true, nil
		}
		return 0, false, nil
	}
	return 0, false, inputError{"EMA.Peek", x}
}

// Value returns the last committed output.
func (s *EMA) Value() (float64, bool) {
	if s.n < s.p {
		return 0, false
	}
	return s.prev, true
}

// Lookback returns p-1.
func (s *EMA) Lookback() int { return s.p - 1 }

// Reset returns s to its freshly-constructed state.
func (s *EMA) Reset() { s.n, s.sum, s.prev = 0, 0, 0 }

// Clone returns an independent copy of s.
func (s *EMA) Clone() *EMA { d := *s; return &d }
