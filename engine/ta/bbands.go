package ta

import (
	"fmt"
	"math"
)

// BB is one Bollinger Bands output.
type BB struct{ Upper, Middle, Lower float64 }

// BBands is TA-Lib's BBANDS with an SMA middle band:
// Upper = SMA + STDDEV·up, Lower = SMA − STDDEV·dn (population STDDEV, 0 when
// the variance is below 1e-14). Lookback p-1.
type BBands struct {
	core   sumCore
	up, dn float64
	val    BB
	ok     bool
}

// NewBBands returns a BBANDS stream over p bars (p >= 2) with finite band
// multipliers up and dn.
func NewBBands(p int, up, dn float64) (*BBands, error) {
	if err := checkPeriod("NewBBands", p, 2); err != nil {
		return nil, err
	}
	if math.IsNaN(up) || math.IsInf(up, 0) || math.IsNaN(dn) || math.IsInf(dn, 0) {
		return nil, fmt.Errorf("ta: NewBBands: deviations up=%v dn=%v: %w", up, dn, ErrPeriod)
	}
	return &BBands{core: newSumCore(p), up: up, dn: dn}, nil
}

func (s *BBands) bands(mid, v float64, ok bool) (BB, bool) {
	if !ok {
		return BB{}, false
	}
	sd := stdDevOf(v, 1)
	// TA-Lib multiplies only when the factor is not 1; sd*1 == sd exactly, so
	// one expression covers its four branches.
	return BB{
		Upper:  mid + float64(sd*s.up),
		Middle: mid,
		Lower:  mid - float64(sd*s.dn),
	}, true
}

// Update commits x and returns the bands of the window ending at x.
func (s *BBands) Update(x float64) (BB, bool, error) {
	if !validPrice(x) {
		return BB{}, false, badInput("BBands.Update", x)
	}
	b, ok := s.bands(s.core.updateVar(x))
	s.val, s.ok = b, ok
	return b, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *BBands) Peek(x float64) (BB, bool, error) {
	if !validPrice(x) {
		return BB{}, false, badInput("BBands.Peek", x)
	}
	b, ok := s.bands(s.core.peekVar(x))
	return b, ok, nil
}

// Value returns the last committed output.
func (s *BBands) Value() (BB, bool) { return s.val, s.ok }

// Lookback returns p-1.
func (s *BBands) Lookback() int { return s.core.p - 1 }

// Reset returns s to its freshly-constructed state.
func (s *BBands) Reset() { s.core.reset(); s.val, s.ok = BB{}, false }

// Clone returns an independent deep copy of s.
func (s *BBands) Clone() *BBands { d := *s; d.core = s.core.clone(); return &d }
