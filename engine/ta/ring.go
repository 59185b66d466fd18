package ta

// ring is the fixed window of the last n inputs that the windowed streams
// share (SMA, VAR, STDDEV, BBANDS, WMA, ROC, ROCP, RVOL, MAX, MIN,
// Donchian). push stores a new input and returns the one it displaces: the
// input n pushes earlier, or 0 during the first n pushes, which lets the
// running sums treat the warm-up like the steady state (T − 0 == T exactly).
// Its methods are small enough to be inlined into every caller.
type ring struct {
	buf  []float64
	pos  int  // the slot the next push writes; it holds the oldest input
	full bool // n inputs have been pushed
}

func newRing(n int) ring { return ring{buf: make([]float64, n)} }

// push stores x and returns the input it displaces.
func (r *ring) push(x float64) (old float64) {
	old, r.buf[r.pos] = r.buf[r.pos], x
	if r.pos++; r.pos == len(r.buf) {
		r.pos, r.full = 0, true
	}
	return
}

// front returns the input the next push displaces (what push would return).
func (r *ring) front() float64 { return r.buf[r.pos] }

// back returns the last input pushed (meaningful once one was).
func (r *ring) back() float64 {
	i := r.pos - 1
	if i < 0 {
		i = len(r.buf) - 1
	}
	return r.buf[i]
}

// fullAfterPush reports whether the ring is full once one more input is
// pushed: Peek's view of full.
func (r *ring) fullAfterPush() bool { return r.full || r.pos == len(r.buf)-1 }

func (r *ring) reset() {
	clear(r.buf)
	r.pos, r.full = 0, false
}

func (r *ring) clone() ring {
	c := *r
	c.buf = append([]float64(nil), r.buf...)
	return c
}
