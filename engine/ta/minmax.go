package ta

// deque is a fixed-capacity monotonic deque of (index, value) candidates for
// a rolling maximum over a window of p inputs that includes the newest one
// (D. Lemire's streaming max-min filter): values strictly decrease from
// front to back and the front is the window maximum. Minimums use the same
// deque on negated values (negation is exact). head and tail are free-running
// counters; the ring has a power-of-two capacity >= p.
type deque struct {
	p          int
	mask       int
	e          []dqEntry
	head, tail int // live entries are e[head&mask] … e[(tail-1)&mask]
	t          int // index the next input will get
}

type dqEntry struct {
	i int
	v float64
}

func newDeque(p int) deque {
	n := 1
	for n < p {
		n <<= 1
	}
	return deque{p: p, mask: n - 1, e: make([]dqEntry, n)}
}

// peek returns the maximum of the window ending at a new input x without
// mutating the deque: x against the front, skipping the front if it is about
// to leave the window.
func (d *deque) peek(x float64) float64 {
	i := d.head
	if i == d.tail {
		return x
	}
	if d.e[i&d.mask].i <= d.t-d.p { // front expires with this input
		i++
		if i == d.tail {
			return x
		}
	}
	if v := d.e[i&d.mask].v; v > x {
		return v
	}
	return x
}

// push commits x and returns the window maximum.
func (d *deque) push(x float64) float64 {
	if d.head < d.tail && d.e[d.head&d.mask].i <= d.t-d.p {
		d.head++
	}
	for d.tail > d.head && d.e[(d.tail-1)&d.mask].v <= x {
		d.tail--
	}
	d.e[d.tail&d.mask] = dqEntry{d.t, x}
	d.tail++
	d.t++
	return d.e[d.head&d.mask].v
}

func (d *deque) reset() {
	clear(d.e)
	d.head, d.tail, d.t = 0, 0, 0
}

func (d *deque) clone() deque {
	c := *d
	c.e = append([]dqEntry(nil), d.e...)
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
	if err := checkPeriod("NewMAX", p, 2); err != nil {
		return nil, err
	}
	return &MAX{d: newDeque(p)}, nil
}

// Update commits x and returns the maximum of the window ending at x.
func (s *MAX) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("MAX.Update", x)
	}
	ok := s.d.ready()
	v := s.d.push(x)
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
	return s.d.peek(x), true, nil
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
// in O(1) amortised time (a maximum deque of negated inputs). Lookback p-1.
type MIN struct {
	d   deque
	val float64
	ok  bool
}

// NewMIN returns a MIN stream over p bars (p >= 2, as in TA-Lib).
func NewMIN(p int) (*MIN, error) {
	if err := checkPeriod("NewMIN", p, 2); err != nil {
		return nil, err
	}
	return &MIN{d: newDeque(p)}, nil
}

// Update commits x and returns the minimum of the window ending at x.
func (s *MIN) Update(x float64) (float64, bool, error) {
	if !validPrice(x) {
		return 0, false, badInput("MIN.Update", x)
	}
	ok := s.d.ready()
	v := -s.d.push(-x)
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
	return -s.d.peek(-x), true, nil
}

// Value returns the last committed output.
func (s *MIN) Value() (float64, bool) { return s.val, s.ok }

// Lookback returns p-1.
func (s *MIN) Lookback() int { return s.d.p - 1 }

// Reset returns s to its freshly-constructed state.
func (s *MIN) Reset() { s.d.reset(); s.val, s.ok = 0, false }

// Clone returns an independent deep copy of s.
func (s *MIN) Clone() *MIN { c := *s; c.d = s.d.clone(); return &c }
