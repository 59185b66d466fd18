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
	w      varWindow
	up, dn float64
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
	return &BBands{w: newVarWindow(p), up: up, dn: dn}, nil
}

// bands turns the window's mean and variance into the three bands.
func (s *BBands) bands(mid, v float64) BB {
	sd := stdDevOf(v, 1)
	// TA-Lib multiplies only when the factor is not 1; sd*1 == sd exactly, so
	// one expression covers its four branches.
	return BB{
		Upper:  mid + float64(sd*s.up),
		Middle: mid,
		Lower:  mid - float64(sd*s.dn),
	}
}

// Update commits x and returns the bands of the window ending at x.
func (s *BBands) Update(x float64) (BB, bool, error) {
	if !validPrice(x) {
		return BB{}, false, inputError{"BBands.Update", x}
	}
	s.w.push(x)
	b, ok := s.Value()
	return b, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *BBands) Peek(x float64) (BB, bool, error) {
	if !validPrice(x) {
		return BB{}, false, inputError{"BBands.Peek", x}
	}
	if !s.w.win.fullAfterPush() {
		return BB{}, false, nil
	}
	return s.bands(s.w.peek(x)), true, nil
}

// Value returns the last committed output.
func (s *BBands) Value() (BB, bool) {
	if !s.w.win.full {
		return BB{}, false
	}
	return s.bands(s.w.value()), true
}

// Lookback returns p-1.
func (s *BBands) Lookback() int { return len(s.w.win.buf) - 1 }

// Reset returns s to its freshly-constructed state.
func (s *BBands) Reset() { s.w.reset() }

// Clone returns an independent deep copy of s.
func (s *BBands) Clone() *BBands { d := *s; d.w = s.w.clone(); return &d }
