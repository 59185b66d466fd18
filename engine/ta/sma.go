package ta

// SMA is TA-Lib's simple moving average (SMA), lookback p-1.
//
// It carries TA-Lib's running sum over a ring of the last p inputs. TA-Lib
// subtracts the input leaving the window right after each output and adds
// the next input before the next one; here the subtraction waits for the
// next input, ((sum − x[t−p]) + x[t]): the same operations in the same
// order, so the sums are bit-identical. During the warm-up the ring gives
// back zeros and the sum is built as ((0+x0)+x1)… exactly as in TA-Lib.
type SMA struct {
	win ring
	pf  float64
	sum float64 // sum of the window ending at the last input
}

// NewSMA returns an SMA stream over p bars (p >= 1).
func NewSMA(p int) (*SMA, error) {
	if err := checkPeriod("NewSMA", p, 1); err != nil {
		return nil, err
	}
	return &SMA{win: newRing(p), pf: float64(p)}, nil
}

// Update commits x and returns the SMA of the window ending at x. Like
// Peek, it is small enough to be inlined into the caller.
func (s *SMA) Update(x float64) (float64, bool, error) {
	if validPrice(x) {
		s.sum = (s.sum - s.win.push(x)) + x
		if s.win.full {
			return s.sum / s.pf, true, nil
		}
		return 0, false, nil
	}
	return 0, false, inputError{"SMA.Update", x}
}

// Peek returns what Update(x) would return, without mutating s.
func (s *SMA) Peek(x float64) (float64, bool, error) {
	if validPrice(x) {
		if s.win.fullAfterPush() {
			return ((s.sum - s.win.front()) + x) / s.pf, true, nil
		}
		return 0, false, nil
	}
	return 0, false, inputError{"SMA.Peek", x}
}

// Value returns the last committed output.
func (s *SMA) Value() (float64, bool) {
	if !s.win.full {
		return 0, false
	}
	return s.sum / s.pf, true
}

// Lookback returns p-1.
func (s *SMA) Lookback() int { return len(s.win.buf) - 1 }

// Reset returns s to its freshly-constructed state.
func (s *SMA) Reset() { s.win.reset(); s.sum = 0 }

// Clone returns an independent deep copy of s.
func (s *SMA) Clone() *SMA { d := *s; d.win = s.win.clone(); return &d }
