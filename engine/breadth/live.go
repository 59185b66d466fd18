package breadth

import "math"

// SetForming sets the small leg's forming (live, unfinished) daily date and
// its live price (≤ 0: unknown). A date on or before the last closed date
// clears the forming bar; a new date drops the members' quotes of the old
// one.
func (u *Universe) SetForming(day Day, smallPrice float64) {
	if day <= u.lastLegDay() {
		day = 0
	}
	if !(smallPrice > 0 && smallPrice <= math.MaxFloat64) {
		smallPrice = 0
	}
	if day != u.formDay {
		u.clearLive()
		u.formDay = day
		u.relive()
	}
	u.formPrice = smallPrice
}

// Quote records a member's live price on day. It reports false (and changes
// nothing) for a symbol that is not a member, a day that is not the forming
// date, or a price that is not positive and finite. It costs O(1) and does
// not allocate.
func (u *Universe) Quote(sym string, day Day, price float64) bool {
	i, ok := u.index[sym]
	if !ok {
		return false
	}
	return u.QuoteAt(i, day, price)
}

// Index returns sym's member index for QuoteAt.
func (u *Universe) Index(sym string) (int, bool) {
	i, ok := u.index[sym]
	return i, ok
}

// QuoteAt is Quote by member index (see Index).
func (u *Universe) QuoteAt(i int, day Day, price float64) bool {
	if day == 0 || day != u.formDay || i < 0 || i >= len(u.members) || !(price > 0 && price <= math.MaxFloat64) {
		return false
	}
	m := &u.members[i]
	u.live.add(m.lc, -1)
	m.live = price
	m.lc = u.liveEval(m)
	u.live.add(m.lc, 1)
	u.liveNew = true
	return true
}

// liveEval is m's contribution on the forming date: its quote, or else an
// official bar on that date it already has. A member whose committed bars
// stop short of the dates before the forming one in a way the streams cannot
// bridge (a bar on a non-leg date in between) is left out.
func (u *Universe) liveEval(m *member) contrib {
	d := u.formDay
	if d == 0 {
		return contrib{}
	}
	x := m.live
	if m.next < len(m.days) {
		switch nd := m.days[m.next]; {
		case nd < d:
			return contrib{}
		case nd == d && x <= 0:
			x = m.closes[m.next]
		}
	}
	if x <= 0 {
		return contrib{}
	}
	m.streams()
	return m.eval(x, len(u.legDays) > 0 && m.lastLeg == len(u.legDays)-1)
}

// unlive removes m's live contribution (before its committed state changes).
func (u *Universe) unlive(m *member) {
	u.live.add(m.lc, -1)
	m.lc = contrib{}
}

// addLive re-evaluates m's live contribution (after its committed state
// changed).
func (u *Universe) addLive(m *member) {
	m.lc = u.liveEval(m)
	u.live.add(m.lc, 1)
	u.liveNew = true
}

// relive re-evaluates every member's live contribution.
func (u *Universe) relive() {
	u.live = agg{}
	for i := range u.members {
		m := &u.members[i]
		m.lc = contrib{}
		if u.formDay != 0 {
			u.addLive(m)
		}
	}
	u.liveNew = true
}

// clearLive drops every live quote.
func (u *Universe) clearLive() {
	for i := range u.members {
		m := &u.members[i]
		m.live, m.lc = 0, contrib{}
	}
	u.live = agg{}
	u.liveNew = true
}

// Quoted returns how many members have a live quote on the forming date.
func (u *Universe) Quoted() int {
	n := 0
	for i := range u.members {
		if u.members[i].live > 0 {
			n++
		}
	}
	return n
}
