package breadth

import (
	"slices"

	"github.com/capwatch/capwatch/engine"
)

// zk is TA-Lib's EMA factor 2/(p+1) for the Zweig EMA.
var zk = 2.0 / float64(ZweigPeriod+1)

// zweig is the Zweig breadth thrust's state: TA-Lib's classic EMA(10)
// (seeded with the mean of the first 10 values) and the thrust detector.
type zweig struct {
	n       int // values seen
	sum     float64
	ema     float64
	i       int // index the next EMA output gets
	lastLow int // index of the latest EMA output below ThrustLow
	hasLow  bool
	fired   bool // a thrust fired since lastLow
}

// step feeds one advancers ÷ (advancers + decliners) value. ok is false
// during the EMA's warm-up; thrust is true when a thrust completes on it.
func (z *zweig) step(x float64) (ema float64, ok, thrust bool) {
	z.n++
	switch {
	case z.n < ZweigPeriod:
		z.sum += x
		return 0, false, false
	case z.n == ZweigPeriod:
		z.sum += x
		z.ema = z.sum / float64(ZweigPeriod)
	default:
		z.ema = float64((x-z.ema)*zk) + z.ema
	}
	i := z.i
	z.i++
	thrust = z.ema > ThrustHigh && z.hasLow && z.lastLow >= i-ThrustWithin && !z.fired
	if thrust {
		z.fired = true
	}
	if z.ema < ThrustLow {
		z.lastLow, z.hasLow, z.fired = i, true, false
	}
	return z.ema, true, thrust
}

// derived is what finish computes from the per-date aggregates.
type derived struct {
	first      int     // leg index of history_from (-1: no member bar yet)
	covered    []int32 // per leg index
	hist       []engine.BreadthPoint
	ad         int   // ad_line after the last closed date
	zw         zweig // the Zweig state after the last closed date
	lastThrust int   // leg index of the latest thrust (-1: none)
}

// pct returns 100·a/n, absent when n is 0.
func pct(a, n int32) engine.Num {
	if n <= 0 {
		return engine.Num{}
	}
	return engine.Some(float64(a) * 100 / float64(n))
}

// thin reports whether fewer than half of the covered members have a bar.
func thin(with, covered int32) bool { return 2*with < covered }

// finish recomputes the derived series when the aggregates changed.
func (u *Universe) finish() {
	if !u.dirty {
		return
	}
	u.dirty = false
	n := len(u.legDays)
	d := derived{first: -1, lastThrust: -1, covered: make([]int32, n)}
	firsts := make([]Day, 0, len(u.members))
	for i := range u.members {
		if m := &u.members[i]; len(m.days) > 0 {
			firsts = append(firsts, m.days[0])
		}
	}
	slices.Sort(firsts)
	j := 0
	for i, day := range u.legDays {
		for j < len(firsts) && firsts[j] <= day {
			j++
		}
		d.covered[i] = int32(j)
		if d.first < 0 && u.aggs[i].with > 0 {
			d.first = i
		}
	}
	if d.first < 0 {
		u.derived = d
		return
	}
	hist := make([]engine.BreadthPoint, 0, n-d.first)
	var prevAbove, prevRecent bool
	for i := d.first; i < n; i++ {
		a := &u.aggs[i]
		d.ad += int(a.adv - a.dec)
		p := engine.BreadthPoint{
			Date:           u.legStr[i],
			WithBar:        int(a.with),
			PctAboveSMA50:  pct(a.a50, a.e50),
			PctAboveSMA200: pct(a.a200, a.e200),
			NewHighs52w:    int(a.nh),
			NewLows52w:     int(a.nl),
			ADLine:         d.ad,
		}
		if s := a.adv + a.dec; s > 0 {
			ema, ok, th := d.zw.step(float64(a.adv) / float64(s))
			if ok {
				p.ZweigEMA10 = engine.Some(ema)
			}
			if th {
				p.Thrust = true
				d.lastThrust = i
			}
		}
		p.Thin = thin(a.with, d.covered[i])
		if p.Thin {
			p.AboveOn, p.ThrustRecent = prevAbove, prevRecent
		} else {
			p.AboveOn = p.PctAboveSMA50.Valid && p.PctAboveSMA50.V >= u.cfg.AboveSMA50
			p.ThrustRecent = d.lastThrust >= 0 && i-d.lastThrust <= ThrustRecentBars
		}
		prevAbove, prevRecent = p.AboveOn, p.ThrustRecent
		hist = append(hist, p)
	}
	d.hist = hist
	u.derived = d
}

// fill copies an aggregate's counts and percentages into b.
func fill(b *engine.Breadth, a *agg) {
	b.WithBar = int(a.with)
	b.PctAboveSMA50 = pct(a.a50, a.e50)
	b.PctAboveSMA200 = pct(a.a200, a.e200)
	b.NewHighs52w, b.NewLows52w = int(a.nh), int(a.nl)
	b.Advancers, b.Decliners, b.Unchanged = int(a.adv), int(a.dec), int(a.unch)
	b.NSMA50, b.NSMA200, b.N52w, b.NReturn21d = int(a.e50), int(a.e200), int(a.e252), int(a.nret)
	if a.nret > 0 {
		b.EWReturn21dPct = engine.Some(float64(a.ret) / retScale / float64(a.nret))
	}
}

// roc21 is TA-Lib's ROC(21) of the small leg at x (the bar after index
// base+20), absent without 21 earlier closes.
func (u *Universe) roc21(x float64, base int) engine.Num {
	if base < 0 || x <= 0 {
		return engine.Num{}
	}
	return engine.Some(((x / u.legCloses[base]) - 1.0) * 100.0)
}

// liveCovered counts members covered on the forming date.
func (u *Universe) liveCovered() int32 {
	var c int32
	for i := range u.members {
		m := &u.members[i]
		if (len(m.days) > 0 && m.days[0] <= u.formDay) || m.live > 0 {
			c++
		}
	}
	return c
}

// Snapshot returns the breadth as of the latest date that at least half of
// the covered members have a bar on: today's forming bar when the members'
// quotes cover it, else the latest such closed date. It is nil until some
// member has a bar on a small-leg date (or a quote on the forming one). The
// result is never mutated afterwards.
func (u *Universe) Snapshot() *engine.Breadth {
	u.finish()
	u.liveNew = false
	d := &u.derived
	b := &engine.Breadth{
		Universe: u.cfg.Universe,
		Leg:      u.legSym,
		Members:  len(u.members),
		History:  d.hist,
	}
	if d.first >= 0 {
		b.HistoryFrom = u.legStr[d.first]
	}
	if u.formDay != 0 && u.live.with > 0 {
		cov := u.liveCovered()
		if !thin(u.live.with, cov) || d.first < 0 {
			u.fillLive(b, cov)
			return b
		}
	}
	if d.first < 0 {
		return nil
	}
	i := len(u.legDays) - 1
	for i > d.first && thin(u.aggs[i].with, d.covered[i]) {
		i--
	}
	p := &d.hist[i-d.first]
	fill(b, &u.aggs[i])
	b.AsOf = p.Date
	b.Covered = int(d.covered[i])
	b.ADLine = p.ADLine
	b.ZweigEMA10 = p.ZweigEMA10
	b.CWReturn21dPct = u.roc21(u.legCloses[i], i-21)
	for k := i - d.first; k >= 0; k-- {
		if d.hist[k].Thrust {
			s := d.hist[k].Date
			b.LastThrust = &s
			break
		}
	}
	return b
}

// fillLive fills b with the forming date's values.
func (u *Universe) fillLive(b *engine.Breadth, covered int32) {
	d := &u.derived
	a := &u.live
	fill(b, a)
	b.Forming = true
	b.AsOf = u.formDay.String()
	if b.HistoryFrom == "" {
		b.HistoryFrom = b.AsOf
	}
	b.Covered = int(covered)
	b.ADLine = d.ad + int(a.adv-a.dec)
	if s := a.adv + a.dec; s > 0 {
		zw := d.zw
		ema, ok, thrust := zw.step(float64(a.adv) / float64(s))
		if ok {
			b.ZweigEMA10 = engine.Some(ema)
		}
		if thrust { // a thrust completes on the forming bar (as LiveFlags finds it)
			s := b.AsOf
			b.LastThrust = &s
		}
	}
	b.CWReturn21dPct = u.roc21(u.formPrice, len(u.legDays)-21)
	if b.LastThrust == nil && d.lastThrust >= 0 {
		s := u.legStr[d.lastThrust]
		b.LastThrust = &s
	}
}

// LiveFlags returns the breadth flags' inputs on the forming bar: above
// (pct_above_sma50 at or above the threshold) and thrust (a thrust completes
// on the forming bar or completed on one of the 20 closed bars before it).
// ok is false when there is no forming bar or its quotes cover fewer than
// half of the covered members (the flags then show the closed bar's state).
func (u *Universe) LiveFlags() (above, thrust, ok bool) {
	if u.formDay == 0 || u.live.with == 0 || thin(u.live.with, u.liveCovered()) {
		return false, false, false
	}
	u.finish()
	d := &u.derived
	a := &u.live
	p := pct(a.a50, a.e50)
	above = p.Valid && p.V >= u.cfg.AboveSMA50
	if s := a.adv + a.dec; s > 0 {
		zw := d.zw
		_, _, thrust = zw.step(float64(a.adv) / float64(s))
	}
	if d.lastThrust >= 0 && len(u.legDays)-d.lastThrust <= ThrustRecentBars {
		thrust = true
	}
	return above, thrust, true
}

// Changed reports whether a live quote changed the forming values since the
// last Snapshot.
func (u *Universe) Changed() bool { return u.liveNew || u.dirty }
