package ta

import (
	"fmt"
	"math"
)

// varWindow is TA-Lib's VAR running sums of x and x² over a ring of p
// inputs, carried like meanWindow's sum. The variance is E[x²]−mean², so it
// may come out slightly negative through cancellation, exactly as in TA-Lib.
type varWindow struct {
	win        ring
	pf         float64
	sum, sumSq float64 // sums of x and x² over the window ending at the last input
}

func newVarWindow(p int) varWindow { return varWindow{win: newRing(p), pf: float64(p)} }

// push commits x.
func (w *varWindow) push(x float64) {
	old := w.win.push(x)
	w.sum = (w.sum - old) + x
	w.sumSq = (w.sumSq - float64(old*old)) + float64(x*x)
}

// stats turns window sums into TA-Lib's mean and variance.
func (w *varWindow) stats(sum, sumSq float64) (mean, variance float64) {
	m1 := sum / w.pf
	m2 := sumSq / w.pf
	return m1, m2 - float64(m1*m1)
}

// value is the mean and variance of the window ending at the last input.
func (w *varWindow) value() (mean, variance float64) { return w.stats(w.sum, w.sumSq) }

// peek is the mean and variance of the window ending at x, without
// committing x.
func (w *varWindow) peek(x float64) (mean, variance float64) {
	old := w.win.front()
	return w.stats((w.sum-old)+x, (w.sumSq-float64(old*old))+float64(x*x))
}

func (w *varWindow) reset() { w.win.reset(); w.sum, w.sumSq = 0, 0 }

func (w *varWindow) clone() varWindow { c := *w; c.win = w.win.clone(); return c }

// VAR is TA-Lib's population variance (VAR) computed as E[x²]-mean² with
// running sums, lookback p-1. The output may be slightly negative through
// cancellation, exactly as in TA-Lib.
type VAR struct{ w varWindow }

// NewVAR returns a VAR stream over p bars (p >= 1).
func NewVAR(p int) (*VAR, error) {
	if err := checkPeriod("NewVAR", p, 1); err != nil {
		return nil, err
	}
	return &VAR{w: newVarWindow(p)}, nil
}

// Update commits x and returns the variance of the window ending at x.
func (s *VAR) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"VAR.Update", x}
	}
	s.w.push(x)
	v, ok := s.Value()
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *VAR) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"VAR.Peek", x}
	}
	if !s.w.win.fullAfterPush() {
		return 0, false, nil
	}
	_, v := s.w.peek(x)
	return v, true, nil
}

// Value returns the last committed output.
func (s *VAR) Value() (float64, bool) {
	if !s.w.win.full {
		return 0, false
	}
	_, v := s.w.value()
	return v, true
}

// Lookback returns p-1.
func (s *VAR) Lookback() int { return len(s.w.win.buf) - 1 }

// Reset returns s to its freshly-constructed state.
func (s *VAR) Reset() { s.w.reset() }

// Clone returns an independent deep copy of s.
func (s *VAR) Clone() *VAR { return &VAR{w: s.w.clone()} }

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
	w     varWindow
	nbDev float64
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
	return &StdDev{w: newVarWindow(p), nbDev: nbDev}, nil
}

// Update commits x and returns the standard deviation of the window ending at x.
func (s *StdDev) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"StdDev.Update", x}
	}
	s.w.push(x)
	v, ok := s.Value()
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *StdDev) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, inputError{"StdDev.Peek", x}
	}
	if !s.w.win.fullAfterPush() {
		return 0, false, nil
	}
	_, v := s.w.peek(x)
	return stdDevOf(v, s.nbDev), true, nil
}

// Value returns the last committed output.
func (s *StdDev) Value() (float64, bool) {
	if !s.w.win.full {
		return 0, false
	}
	_, v := s.w.value()
	return stdDevOf(v, s.nbDev), true
}

// Lookback returns p-1.
func (s *StdDev) Lookback() int { return len(s.w.win.buf) - 1 }

// Reset returns s to its freshly-constructed state.
func (s *StdDev) Reset() { s.w.reset() }

// Clone returns an independent deep copy of s.
func (s *StdDev) Clone() *StdDev { d := *s; d.w = s.w.clone(); return &d }
