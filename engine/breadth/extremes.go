package breadth

// week52 is the window of the 52-week highs and lows: a member's last 252
// committed closes.
const week52 = 252

// extremes are the highest and the lowest of a member's last week52
// committed closes. They are kept as two monotonic deques of indexes into
// the member's closes, which the member holds anyway (D. Lemire's streaming
// maximum–minimum filter): from front to back the closes strictly decrease
// (hi) or increase (lo), so each front is its window's extreme. That is 2 KB
// a member where two MAX/MIN streams held 8 KB of copies of those closes.
// The values are TA-Lib's MAX/MIN exactly (a comparison, no arithmetic).
type extremes struct {
	hi, lo idxDeque
	n      int // closes pushed
}

// idxDeque is a ring of close indexes; head and tail are free-running.
type idxDeque struct {
	e          [idxRing]int32
	head, tail uint32
}

// idxRing is the ring's size: a power of two ≥ week52 (a deque never holds
// more than the window).
const idxRing = 256

// push commits closes[j], the member's next committed close.
func (x *extremes) push(closes []float64, j int) {
	x.hi.push(closes, j, false)
	x.lo.push(closes, j, true)
	x.n++
}

// value returns the highest and the lowest close of the window, ok once it
// is full.
func (x *extremes) value(closes []float64) (hi, lo float64, ok bool) {
	if x.n < week52 {
		return 0, 0, false
	}
	return closes[x.hi.front()], closes[x.lo.front()], true
}

func (x *extremes) reset() { *x = extremes{} }

// push adds index j, dropping the front when it leaves the window and
// the back entries that can no longer be the extreme (closes not above
// closes[j] for a maximum, not below it for a minimum).
func (d *idxDeque) push(closes []float64, j int, min bool) {
	if d.tail != d.head && int(d.e[d.head%idxRing]) <= j-week52 {
		d.head++
	}
	v := closes[j]
	for d.tail != d.head {
		b := closes[d.e[(d.tail-1)%idxRing]]
		if (!min && b > v) || (min && b < v) {
			break
		}
		d.tail--
	}
	d.e[d.tail%idxRing] = int32(j)
	d.tail++
}

// front is the index of the window's extreme.
func (d *idxDeque) front() int32 { return d.e[d.head%idxRing] }
