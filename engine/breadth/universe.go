package breadth

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/capwatch/capwatch/engine"
)

// Defaults and the definitions' constants.
const (
	// DefaultAboveSMA50 is the breadth_above_sma50 threshold (percent).
	DefaultAboveSMA50 = 60.0
	// DefaultMaxBars is how many of a member's latest daily bars are kept
	// (about five years): it bounds memory for 2,000 members.
	DefaultMaxBars = 1260

	// ThrustLow and ThrustHigh are Zweig's thresholds: the EMA must go from
	// below ThrustLow to above ThrustHigh within ThrustWithin bars.
	ThrustLow    = 0.40
	ThrustHigh   = 0.615
	ThrustWithin = 10
	// ThrustRecentBars is how many bars after a thrust the breadth_thrust
	// flag's input stays on (a thrust on this bar or one of the 20 before).
	ThrustRecentBars = 20
	// ZweigPeriod is the EMA period of the Zweig breadth thrust.
	ZweigPeriod = 10

	// retScale is the fixed-point scale of the summed 21-bar returns
	// (1e-9 percentage points); retClamp bounds one member's return (percent)
	// so that 100,000 members can never overflow the int64 sum.
	retScale = 1e9
	retClamp = 1e7
)

// Config configures a Universe.
type Config struct {
	// Universe labels the members list in the JSON: "iwm", "ijr" or the
	// members file's path.
	Universe string
	// Members is the list's equities (canonical tickers, e.g. BRK.B).
	// Duplicates and blanks are dropped.
	Members []string
	// AboveSMA50 is the breadth_above_sma50 threshold in percent (0 means
	// DefaultAboveSMA50).
	AboveSMA50 float64
	// MaxBars is how many of a member's latest bars are kept (0 means
	// DefaultMaxBars; at least 253 so the 52-week measures can exist).
	MaxBars int
}

// ErrConfig is wrapped by New's errors.
var ErrConfig = errors.New("breadth: invalid config")

// contrib is one member's contribution to one date.
type contrib struct {
	f   uint16
	ret int64 // 21-bar return, fixed point (valid with fRet)
}

const (
	fWith uint16 = 1 << iota // the member has a bar (or a quote) on the date
	fE50                     // ≥ 50 bars
	fA50                     // close above SMA50
	fE200
	fA200
	fE252 // ≥ 253 bars
	fNH
	fNL
	fAdv
	fDec
	fUnch
	fRet // ≥ 22 bars
)

// agg is the per-date sum of the members' contributions.
type agg struct {
	with, e50, a50, e200, a200, e252, nh, nl, adv, dec, unch, nret int32
	ret                                                            int64
}

func (a *agg) add(c contrib, sign int32) {
	f := c.f
	if f&fWith == 0 {
		return
	}
	a.with += sign
	a.e50 += sign * int32(f>>1&1)
	a.a50 += sign * int32(f>>2&1)
	a.e200 += sign * int32(f>>3&1)
	a.a200 += sign * int32(f>>4&1)
	a.e252 += sign * int32(f>>5&1)
	a.nh += sign * int32(f>>6&1)
	a.nl += sign * int32(f>>7&1)
	a.adv += sign * int32(f>>8&1)
	a.dec += sign * int32(f>>9&1)
	a.unch += sign * int32(f>>10&1)
	if f&fRet != 0 {
		a.nret += sign
		a.ret += int64(sign) * c.ret
	}
}

// member is one member's bars and streams.
type member struct {
	sym    string
	days   []Day
	closes []float64
	loaded bool

	next      int     // bars processed (their streams updated)
	lastLeg   int     // leg index of the latest processed bar on a leg date (-1)
	lastClose float64 // its close

	st *stats // its indicators (nil until it has bars processed)

	live float64 // live quote on the forming date (0: none)
	lc   contrib // contribution currently in the live aggregate
}

// Universe is the breadth model of one members list. It is not safe for
// concurrent use.
type Universe struct {
	cfg     Config
	members []member
	index   map[string]int

	legDays   []Day
	legStr    []string // legDays formatted, built once per date
	lastDays  []Day    // the dates of the member set last (see shareDays)
	legCloses []float64
	legSym    string // the leg's symbol (Breadth.Leg)
	aggs      []agg

	dirty   bool
	derived derived

	formDay   Day // the forming (live) small-leg date; 0 when none
	formPrice float64
	live      agg
	liveNew   bool // a live quote changed since the last snapshot

	last *engine.Breadth // the last Breadth(), shared while nothing changed
}

// New returns an empty universe for cfg.
func New(cfg Config) (*Universe, error) {
	if cfg.AboveSMA50 == 0 {
		cfg.AboveSMA50 = DefaultAboveSMA50
	}
	if !(cfg.AboveSMA50 > 0 && cfg.AboveSMA50 <= 100) {
		return nil, fmt.Errorf("breadth: above_sma50 %v (want 0 < x ≤ 100): %w", cfg.AboveSMA50, ErrConfig)
	}
	if cfg.MaxBars == 0 {
		cfg.MaxBars = DefaultMaxBars
	}
	if cfg.MaxBars < 253 {
		return nil, fmt.Errorf("breadth: max_bars %d (want ≥ 253): %w", cfg.MaxBars, ErrConfig)
	}
	u := &Universe{cfg: cfg, index: map[string]int{}, dirty: true}
	u.SetMembers("", cfg.Members)
	return u, nil
}

// SetMembers replaces the members list (blanks and duplicates dropped): a
// member already in the list keeps its history and state; a member that
// left it is removed with its contributions. A non-empty universe also
// replaces the label.
func (u *Universe) SetMembers(universe string, members []string) {
	if universe != "" {
		u.cfg.Universe = universe
	}
	index := make(map[string]int, len(members))
	syms := make([]string, 0, len(members))
	next := make([]member, 0, len(members))
	for _, s := range members {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if _, dup := index[s]; dup {
			continue
		}
		index[s] = len(syms)
		syms = append(syms, s)
		if i, ok := u.index[s]; ok {
			next = append(next, u.members[i])
		} else {
			next = append(next, member{sym: s, lastLeg: -1})
		}
	}
	for i := range u.members {
		if m := &u.members[i]; !has(index, m.sym) {
			u.unlive(m)
			u.unload(m)
		}
	}
	u.members, u.index, u.cfg.Members = next, index, syms
	u.dirty, u.last = true, nil
}

func has(m map[string]int, k string) bool { _, ok := m[k]; return ok }

// Members returns the members list (read-only).
func (u *Universe) Members() []string { return u.cfg.Members }

// Loaded returns how many members have had their history set.
func (u *Universe) Loaded() int {
	n := 0
	for i := range u.members {
		if u.members[i].loaded {
			n++
		}
	}
	return n
}

// IsMember reports whether sym is a member.
func (u *Universe) IsMember(sym string) bool { _, ok := u.index[sym]; return ok }

// lastLegDay returns the latest closed small-leg date (0 if none).
func (u *Universe) lastLegDay() Day {
	if len(u.legDays) == 0 {
		return 0
	}
	return u.legDays[len(u.legDays)-1]
}

// cleanBars turns bars into sorted, unique (the later one wins) days and
// valid closes; it reports how many bars were dropped for a bad close.
func cleanBars(bars []engine.Bar) (days []Day, closes []float64, bad int) {
	// The usual case: dates already strictly increasing. The days are
	// taken on the way, the closes then fill a right-sized slice (no
	// temporary copy of the bars).
	days = make([]Day, 0, len(bars))
	sorted := true
	for _, b := range bars {
		if !validClose(b.Close) {
			continue
		}
		d := DayOf(b.Time)
		if n := len(days); n > 0 && d <= days[n-1] {
			sorted = false
			break
		}
		days = append(days, d)
	}
	if sorted {
		closes = make([]float64, 0, len(days))
		for _, b := range bars {
			if validClose(b.Close) {
				closes = append(closes, b.Close)
			}
		}
		return days[:len(days):len(days)], closes, len(bars) - len(days)
	}
	type dc struct {
		d Day
		c float64
	}
	v := make([]dc, 0, len(bars))
	for _, b := range bars {
		if !validClose(b.Close) {
			bad++
			continue
		}
		v = append(v, dc{DayOf(b.Time), b.Close})
	}
	sort.SliceStable(v, func(i, j int) bool { return v[i].d < v[j].d })
	w := 0
	for i := range v {
		if w > 0 && v[w-1].d == v[i].d {
			v[w-1] = v[i] // later input wins
			continue
		}
		v[w] = v[i]
		w++
	}
	v = v[:w]
	days = make([]Day, len(v))
	closes = make([]float64, len(v))
	for i, x := range v {
		days[i], closes[i] = x.d, x.c
	}
	return days, closes, bad
}

// validClose reports whether a close is positive and finite.
func validClose(c float64) bool { return c > 0 && c <= math.MaxFloat64 }

// SetLeg sets the small leg's closed daily bars (oldest first). When the new
// bars extend the old ones, only the new dates are computed; otherwise the
// whole universe is recomputed. A live quote on a newly closed date becomes
// that member's provisional bar until SetMember brings its official one.
func (u *Universe) SetLeg(bars []engine.Bar) {
	days, closes, _ := cleanBars(bars)
	if len(bars) > 0 {
		u.legSym = bars[0].Symbol
	}
	old := len(u.legDays)
	appendOnly := len(days) >= old && slices.Equal(days[:old], u.legDays)
	u.legCloses = closes
	u.dirty = true
	if appendOnly && len(days) == old {
		return // only closes changed (cw return)
	}
	if appendOnly {
		for _, d := range days[old:] {
			u.legStr = append(u.legStr, d.String())
		}
		u.legDays = days
		u.aggs = append(u.aggs, make([]agg, len(days)-old)...)
	} else {
		u.legDays = days
		u.legStr = make([]string, len(days))
		for i, d := range days {
			u.legStr[i] = d.String()
		}
		u.aggs = make([]agg, len(days))
		for i := range u.members {
			u.resetStreams(&u.members[i])
		}
	}
	if u.formDay != 0 && u.formDay <= u.lastLegDay() {
		u.quotesToBars()
		u.clearLive()
		u.formDay, u.formPrice = 0, 0
	}
	for i := range u.members {
		u.run(&u.members[i], 1)
	}
	u.relive()
}

// quotesToBars appends each member's live quote on the forming date as a
// provisional bar when the small leg has just closed that date and the
// member has no bar on it yet.
func (u *Universe) quotesToBars() {
	d := u.formDay
	if d == 0 || d > u.lastLegDay() {
		return
	}
	for i := range u.members {
		m := &u.members[i]
		if m.live <= 0 {
			continue
		}
		if n := len(m.days); n > 0 && m.days[n-1] >= d {
			continue
		}
		m.days = append(m.days, d)
		m.closes = append(m.closes, m.live)
	}
}

// SetMember replaces sym's daily history (closed bars, oldest first). The
// member's bars dated after the new history's last date (closes its live
// quotes gave on dates the history does not reach yet) are kept: a history
// that ends earlier never takes a later close away. It returns an error
// for a symbol that is not a member; bars with a non-positive or
// non-finite close are dropped and counted in the error (the rest still
// load).
func (u *Universe) SetMember(sym string, bars []engine.Bar) error {
	i, ok := u.index[sym]
	if !ok {
		return fmt.Errorf("breadth: %s is not a member", sym)
	}
	days, closes, bad := cleanBars(bars)
	if old := u.members[i].days; len(old) > 0 {
		var last Day
		if n := len(days); n > 0 {
			last = days[n-1]
		}
		if j, _ := slices.BinarySearch(old, last+1); j < len(old) {
			days = append(days, old[j:]...)
			closes = append(closes, u.members[i].closes[j:]...)
		}
	}
	if n := len(days) - u.cfg.MaxBars; n > 0 {
		days, closes = days[n:], closes[n:]
	}
	days = u.shareDays(days)
	m := &u.members[i]
	m.loaded = true
	u.dirty = true
	u.unlive(m)
	p := m.next
	if p <= len(days) && slices.Equal(days[:p], m.days[:p]) && slices.Equal(closes[:p], m.closes[:p]) {
		// The processed bars are unchanged: only process the new ones.
		m.days, m.closes = days, closes
	} else {
		u.unload(m)
		m.days, m.closes = days, closes
	}
	u.run(m, 1)
	u.addLive(m)
	if bad > 0 {
		return fmt.Errorf("breadth: %s: %d bars with an invalid close dropped", sym, bad)
	}
	return nil
}

// shareDays returns the dates of the member set before when they equal
// days (the members of one market mostly trade on the same dates: one
// array for all of them), else days, which the next member may share.
// The shared array is only read: its capacity ends at its length, so an
// append (quotesToBars) copies it.
func (u *Universe) shareDays(days []Day) []Day {
	if slices.Equal(days, u.lastDays) {
		return u.lastDays
	}
	days = days[:len(days):len(days)]
	u.lastDays = days
	return days
}

// unload subtracts m's contributions (by replaying its processed bars with
// sign −1) and resets its streams.
func (u *Universe) unload(m *member) {
	p := m.next
	if p == 0 {
		return
	}
	u.resetStreams(m)
	u.runTo(m, p, -1)
	u.resetStreams(m)
}

// resetStreams returns m to "nothing processed".
func (u *Universe) resetStreams(m *member) {
	m.next, m.lastLeg, m.lastClose = 0, -1, 0
	if m.st != nil {
		m.st.reset()
	}
}

// streams allocates m's indicators on first use.
func (m *member) streams() {
	if m.st == nil {
		m.st = new(stats)
	}
}

// must is for constructors with constant, valid periods.
func must(err error) {
	if err != nil {
		panic("breadth: " + err.Error())
	}
}

// run processes m's bars up to the last closed small-leg date.
func (u *Universe) run(m *member, sign int32) {
	last := u.lastLegDay()
	end := m.next
	for end < len(m.days) && m.days[end] <= last {
		end++
	}
	u.runTo(m, end, sign)
}

// runTo processes m's bars [m.next, end), adding (sign +1) or subtracting
// (−1) their contributions on the small leg's dates.
func (u *Universe) runTo(m *member, end int, sign int32) {
	if m.next >= end {
		return
	}
	m.streams()
	k, _ := slices.BinarySearch(u.legDays, m.days[m.next])
	for j := m.next; j < end; j++ {
		d, c := m.days[j], m.closes[j]
		for k < len(u.legDays) && u.legDays[k] < d {
			k++
		}
		if k < len(u.legDays) && u.legDays[k] == d {
			u.aggs[k].add(m.commit(j, k > 0 && m.lastLeg == k-1), sign)
			m.lastLeg, m.lastClose = k, c
		} else {
			m.commit(j, false)
		}
	}
	m.next = end
}

// commit advances m's indicators by its bar j (the next one: m.closes[j])
// and returns its contribution. push returns what peek would have, so this
// equals eval(x, prevOK) before the bar (tested).
func (m *member) commit(j int, prevOK bool) contrib {
	x := m.closes[j]
	ct := m.hiLo(x, contrib{f: fWith}) // against the 252 closes before x
	ct = m.prev(x, prevOK, ct)
	return finishContrib(ct, x, m.st.push(m.closes, j))
}

// eval is m's contribution for a bar (or quote) with close x on the date
// after its committed bars; prevOK says it has a bar on the small leg's
// previous date (m.lastClose). It does not mutate m.
func (m *member) eval(x float64, prevOK bool) contrib {
	ct := m.hiLo(x, contrib{f: fWith})
	ct = m.prev(x, prevOK, ct)
	return finishContrib(ct, x, m.st.peek(m.closes, x))
}

// hiLo adds the 52-week measures: x against the 252 committed closes.
func (m *member) hiLo(x float64, ct contrib) contrib {
	if hi, lo, ok := m.st.ext.value(m.closes); ok {
		ct.f |= fE252
		if x > hi {
			ct.f |= fNH
		}
		if x < lo {
			ct.f |= fNL
		}
	}
	return ct
}

// prev adds the advance/decline against the close on the leg's previous
// date.
func (m *member) prev(x float64, prevOK bool, ct contrib) contrib {
	if prevOK {
		switch {
		case x > m.lastClose:
			ct.f |= fAdv
		case x < m.lastClose:
			ct.f |= fDec
		default:
			ct.f |= fUnch
		}
	}
	return ct
}

// finishContrib adds the averages and the 21-bar return.
func finishContrib(ct contrib, x float64, v statVals) contrib {
	v50, ok50, v200, ok200, r, okr := v.v50, v.ok50, v.v200, v.ok200, v.roc, v.okRoc
	if ok50 {
		ct.f |= fE50
		if x > v50 {
			ct.f |= fA50
		}
	}
	if ok200 {
		ct.f |= fE200
		if x > v200 {
			ct.f |= fA200
		}
	}
	if okr {
		ct.f |= fRet
		ct.ret = int64(math.Round(math.Max(-retClamp, math.Min(retClamp, r)) * retScale))
	}
	return ct
}
