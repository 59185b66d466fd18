package ta

// deque is a fixed-capacity monotonic deque of (index, value) candidates for
// a rolling extreme over a window of p inputs that includes the newest one
// (D. Lemire's streaming max-min filter). For a maximum (isMax) the values
// decrease from front to back, for a minimum they increase; the front is the
// window extreme.
type deque struct {
	p    int
	idx  []int
	val  []float64
	head int // index of the front in the ring
	size int
	t    int // index the next input will get
}

func newDeque(p int) deque {
	return deque{p: p, idx: make([]int, p), val: make([]float64, p)}
}

// dominated reports whether a stored value v can never again be the window
// extreme once x has arrived.
func dominated(v, x float64, isMax bool) bool {
	if isMax {
		return v <= x
	}
	return v >= x
}

// peek returns the extreme of the window ending at a new input x without
// mutating the deque: x against the front, skipping the front if it is about
// to leave the window.
func (d *deque) peek(x float64, isMax bool) float64 {
	if d.size == 0 {
		return x
	}
	i := d.head
	if d.idx[i] <= d.t-d.p { // front expires with this input
		if d.size == 1 {
			return x
		}
		i = next(i, d.p)
	}
	if dominated(d.val[i], x, isMax) {
		return x
	}
	return d.val[i]
}

// push commits x and returns the window extreme.
func (d *deque) push(x float64, isMax bool) float64 {
	if d.size > 0 && d.idx[d.head] <= d.t-d.p {
		d.head = next(d.head, d.p)
		d.size--
	}
	for d.size > 0 {
		back := d.head + d.size - 1
		if back >= d.p {
			back -= d.p
		}
		if !dominated(d.val[back], x, isMax) {
			break
		}
		d.size--
	}
	slot := d.head + d.size
	if slot >= d.p {
		slot -= d.p
	}
	d.idx[slot], d.val[slot] = d.t, x
	d.size++
	d.t++
	return d.val[d.head]
}

func (d *deque) reset() {
	clear(d.idx)
	clear(d.val)
	d.head, d.size, d.t = 0, 0, 0
}

func (d *deque) clone() deque {
	c := *d
	c.idx = append([]int(nil), d.idx...)
	c.val = append([]float64(nil), d.val...)
	return c
}

// ready reports whether an input now would complete a full window.
func (d *deque) ready() bool { return d.t >= d.p-1 }

// MAX is TA-Lib's rolling maximum over p inputs including the current one,
// in O(1) amortised time. Lookback p-1.
type MAX struct {
	d   deque
	val float64
	ok  bool
}

// NewMAX returns a MAX stream over p bars (p >= 2, as in TA-Lib).
func NewMAX(p int) (*MAX, error) {
	if p < 2 {
		return nil, badPeriod("NewMAX", p, 2)
	}
	return &MAX{d: newDeque(p)}, nil
}

// Update commits x and returns the maximum of the window ending at x.
func (s *MAX) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("MAX.Update", x)
	}
	ok := s.d.ready()
	v := s.d.push(x, true)
	if !ok {
		v = 0
	}
	s.val, s.ok = v, ok
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *MAX) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("MAX.Peek", x)
	}
	if !s.d.ready() {
		return 0, false, nil
	}
	return s.d.peek(x, true), true, nil
}

// Value returns the last committed output.
func (s *MAX) Value() (float64, bool) { return s.val, s.ok }

// Lookback returns p-1.
func (s *MAX) Lookback() int { return s.d.p - 1 }

// Reset returns s to its freshly-constructed state.
func (s *MAX) Reset() { s.d.reset(); s.val, s.ok = 0, false }

// Clone returns an independent deep copy of s.
func (s *MAX) Clone() *MAX { c := *s; c.d = s.d.clone(); return &c }

// MIN is TA-Lib's rolling minimum over p inputs including the current one,
// in O(1) amortised time. Lookback p-1.
type MIN struct {
	d   deque
	val float64
	ok  bool
}

// NewMIN returns a MIN stream over p bars (p >= 2, as in TA-Lib).
func NewMIN(p int) (*MIN, error) {
	if p < 2 {
		return nil, badPeriod("NewMIN", p, 2)
	}
	return &MIN{d: newDeque(p)}, nil
}

// Update commits x and returns the minimum of the window ending at x.
func (s *MIN) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("MIN.Update", x)
	}
	ok := s.d.ready()
	v := s.d.push(x, false)
	if !ok {
		v = 0
	}
	s.val, s.ok = v, ok
	return v, ok, nil
}

// Peek returns what Update(x) would return, without mutating s.
func (s *MIN) Peek(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("MIN.Peek", x)
	}
	if !s.d.ready() {
		return 0, false, nil
	}
	return s.d.peek(x, false), true, nil
}

// Value returns the last committed output.
func (s *MIN) Value() (float64, bool) { return s.val, s.ok }

// Lookback returns p-1.
func (s *MIN) Lookback() int { return s.d.p - 1 }

// Reset returns s to its freshly-constructed state.
func (s *MIN) Reset() { s.d.reset(); s.val, s.ok = 0, false }

// Clone returns an independent deep copy of s.
func (s *MIN) Clone() *MIN { c := *s; c.d = s.d.clone(); return &c }
