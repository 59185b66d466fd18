package ta

// DonchianValue is one Donchian channel output. Upper and Lower include the
// current bar (TA-Lib MAX(high,p)/MIN(low,p)); the breakout flags compare the
// close with the PREVIOUS bar's channel, since a close can never exceed a
// channel that already contains its own high.
type DonchianValue struct {
	Upper, Lower         float64
	PrevUpper, PrevLower float64 // previous committed channel (valid when PrevOK)
	PrevOK               bool
	BreakUp, BreakDown   bool // close > PrevUpper / close < PrevLower
}

// Donchian is an N-bar high/low channel with breakout detection.
// Lookback p-1.
type Donchian struct {
	hi, lo windowMax // lo holds negated lows
	val    DonchianValue
	ok     bool
}

// NewDonchian returns a Donchian channel over p bars (p >= 2).
func NewDonchian(p int) (*Donchian, error) {
	if err := checkPeriod("NewDonchian", p, 2); err != nil {
		return nil, err
	}
	return &Donchian{hi: newWindowMax(p), lo: newWindowMax(p)}, nil
}

func (s *Donchian) value(upper, lower, c float64) DonchianValue {
	v := DonchianValue{Upper: upper, Lower: lower}
	if s.ok {
		v.PrevUpper, v.PrevLower, v.PrevOK = s.val.Upper, s.val.Lower, true
		v.BreakUp = c > v.PrevUpper
		v.BreakDown = c < v.PrevLower
	}
	return v
}

// Update commits a closed bar and returns the channel after it. It rejects
// non-finite or non-positive prices and high < low.
func (s *Donchian) Update(h, l, c float64) (DonchianValue, bool, error) {
	if !validBar(h, l, c) {
		return DonchianValue{}, false, barError{"Donchian.Update", h, l, c}
	}
	if s.hi.push(h) {
		s.hi.closeBlock()
	}
	if s.lo.push(-l) {
		s.lo.closeBlock()
	}
	if !s.hi.win.full {
		return DonchianValue{}, false, nil
	}
	s.val = s.value(s.hi.value(), -s.lo.value(), c)
	s.ok = true
	return s.val, true, nil
}

// Peek returns what Update(h, l, c) would return, without mutating s.
func (s *Donchian) Peek(h, l, c float64) (DonchianValue, bool, error) {
	if !validBar(h, l, c) {
		return DonchianValue{}, false, barError{"Donchian.Peek", h, l, c}
	}
	if !s.hi.win.fullAfterPush() {
		return DonchianValue{}, false, nil
	}
	return s.value(s.hi.peek(h), -s.lo.peek(-l), c), true, nil
}

// Value returns the last committed output.
func (s *Donchian) Value() (DonchianValue, bool) { return s.val, s.ok }

// Lookback returns p-1.
func (s *Donchian) Lookback() int { return len(s.hi.win.buf) - 1 }

// Reset returns s to its freshly-constructed state.
func (s *Donchian) Reset() {
	s.hi.reset()
	s.lo.reset()
	s.val, s.ok = DonchianValue{}, false
}

// Clone returns an independent deep copy of s.
func (s *Donchian) Clone() *Donchian {
	d := *s
	d.hi, d.lo = s.hi.clone(), s.lo.clone()
	return &d
}
