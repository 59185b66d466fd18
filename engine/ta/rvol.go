package ta

// RVOL is relative volume: the latest volume divided by the mean of the n
// PREVIOUS volumes (TA-Lib's SMA running sum, so it equals
// vol[t] / talib.Sma(vol, n)[t-1]). ok is false until n previous volumes
// exist, and whenever their mean is 0. Lookback n.
type RVOL struct {
	win ring // the last n committed volumes
	nf  float64
	sum float64 // their running sum, carried like SMA's
	val float64
	ok  bool
}

// NewRVOL returns an RVOL stream averaging n previous volumes (n >= 1).
func NewRVOL(n int) (*RVOL, error) {
	if err := checkPeriod("NewRVOL", n, 1); err != nil {
		return nil, err
	}
	return &RVOL{win: newRing(n), nf: float64(n)}, nil
}

// eval is vol relative to the mean of the committed window.
func (s *RVOL) eval(vol float64) (float64, bool) {
	if !s.win.full {
		return 0, false
	}
	mean := s.sum / s.nf
	if mean == 0 {
		return 0, false
	}
	return vol / mean, true
}

// Update commits a closed bar's volume and returns its relative volume.
// Volumes must be finite and non-negative.
func (s *RVOL) Update(vol float64) (float64, bool, error) {
	if !validVolume(vol) {
		return 0, false, inputError{"RVOL.Update", vol}
	}
	s.val, s.ok = s.eval(vol)
	s.sum = (s.sum - s.win.push(vol)) + vol
	return s.val, s.ok, nil
}

// Peek returns what Update(vol) would return, without mutating s.
func (s *RVOL) Peek(vol float64) (float64, bool, error) {
	if !validVolume(vol) {
		return 0, false, inputError{"RVOL.Peek", vol}
	}
	v, ok := s.eval(vol)
	return v, ok, nil
}

// Value returns the last committed output.
func (s *RVOL) Value() (float64, bool) { return s.val, s.ok }

// Lookback returns n.
func (s *RVOL) Lookback() int { return len(s.win.buf) }

// Reset returns s to its freshly-constructed state.
func (s *RVOL) Reset() {
	s.win.reset()
	s.sum, s.val, s.ok = 0, 0, false
}

// Clone returns an independent deep copy of s.
func (s *RVOL) Clone() *RVOL { d := *s; d.win = s.win.clone(); return &d }
