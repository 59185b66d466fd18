package ta

import (
	"fmt"
	"math"
)

// VAR is TA-Lib's population variance (VAR) computed as E[x²]-mean² with
// running sums, lookback p-1. The output may be slightly negative through
// cancellation, exactly as in TA-Lib.
type VAR struct {
	core sumCore
	val  float64
	ok   bool
}

// NewVAR returns a VAR stream over p bars (p >= 1).
func NewVAR(p int) (*VAR, error) {
	if err := checkPeriod("NewVAR", p, 1); err != nil {
		return nil, err
	}
	return &VAR{core: newSumCore(p)}, nil
}

// Update commits x and returns the variance of the window ending at x.
func (s *VAR) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("VAR.Update", x)
	}
	_, v, ok := s.core.updateVar(x)
	s.val, s.ok = v, ok
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *VAR) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("VAR.Peek", x)
	}
	_, v, ok := s.core.peekVar(x)
	return v, ok, nil
}

// Value returns the last committed output.
func (s *VAR) Value() (float64, bool) { return s.val, s.ok }

// Lookback returns p-1.
func (s *VAR) Lookback() int { return s.core.p - 1 }

// Reset returns s to its freshly-constructed state.
func (s *VAR) Reset() { s.core.reset(); s.val, s.ok = 0, false }

// Clone returns an independent deep copy of s.
func (s *VAR) Clone() *VAR { d := *s; d.core = s.core.clone(); return &d }

// stdDevOf is TA-Lib's STDDEV post-processing of a variance: variances
// below 1e-14 (including negative ones) give 0.
func stdDevOf(v, nbDev float64) float64 {
	if v < 1e-14 {
		return 0
	}
	out := math.Sqrt(v)
	if nbDev != 1 {
		out *= nbDev
	}
	return out
}

// StdDev is TA-Lib's STDDEV: sqrt(VAR)·nbDev, 0 when VAR < 1e-14.
type StdDev struct {
	core  sumCore
	nbDev float64
	val   float64
	ok    bool
}

// NewStdDev returns a STDDEV stream over p bars (p >= 1) scaled by a finite
// nbDev.
func NewStdDev(p int, nbDev float64) (*StdDev, error) {
	if err := checkPeriod("NewStdDev", p, 1); err != nil {
		return nil, err
	}
	if math.IsNaN(nbDev) || math.IsInf(nbDev, 0) {
		return nil, fmt.Errorf("ta: NewStdDev: nbDev %v: %w", nbDev, ErrPeriod)
	}
	return &StdDev{core: newSumCore(p), nbDev: nbDev}, nil
}

// Update commits x and returns the standard deviation of the window ending at x.
func (s *StdDev) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("StdDev.Update", x)
	}
	_, v, ok := s.core.updateVar(x)
	if ok {
		v = stdDevOf(v, s.nbDev)
	}
	s.val, s.ok = v, ok
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *StdDev) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("StdDev.Peek", x)
	}
	_, v, ok := s.core.peekVar(x)
	if ok {
		v = stdDevOf(v, s.nbDev)
	}
	return v, ok, nil
}

// Value returns the last committed output.
func (s *StdDev) Value() (float64, bool) { return s.val, s.ok }

// Lookback returns p-1.
func (s *StdDev) Lookback() int { return s.core.p - 1 }

// Reset returns s to its freshly-constructed state.
func (s *StdDev) Reset() { s.core.reset(); s.val, s.ok = 0, false }

// Clone returns an independent deep copy of s.
func (s *StdDev) Clone() *StdDev { d := *s; d.core = s.core.clone(); return &d }
