package engine

import (
	"fmt"
	"time"
)

// Flag indexes, in FlagIDs order.
const (
	fRatio50 = iota
	fRatio200
	fHigh20
	fHigh252
	fSmall200
	fGolden
	fLeads
	fSurge
	fBreadth
	nFlags
)

// flagRun is a flag's committed state after the last closed bar.
type flagRun struct {
	on    bool
	since time.Time // trading date of the first bar of the current run
}

// flagLive is a flag as shown (committed state plus the forming bar).
type flagLive struct {
	state FlagState
	since time.Time
	value Num
	thr   Num
}

// holds evaluates "v above thr" with the hysteresis band h: once on (prevOn),
// the flag stays on until v falls below thr×(1−h). With h = 0 it is the plain
// comparison (strict: v > thr, else v ≥ thr).
func holds(prevOn bool, v, thr Num, strict bool, h float64) bool {
	if !v.Valid || !thr.Valid {
		return false
	}
	if prevOn && h > 0 {
		return v.V >= float64(thr.V*(1-h))
	}
	if strict {
		return v.V > thr.V
	}
	return v.V >= thr.V
}

// strictFlag says whether a flag compares with > (true) or ≥.
var strictFlag = [nFlags]bool{true, true, true, true, true, true, true, false, false}

// flagTexts returns the one-line meaning of every flag.
func flagTexts(cfg Config) [nFlags]string {
	s, l, t := cfg.Small, cfg.Large, cfg.Thresholds
	return [nFlags]string{
		fmt.Sprintf("%s/%s above its 50-day average: small caps leading over ~2½ months", s, l),
		fmt.Sprintf("%s/%s above its 200-day average: small caps leading over ~10 months", s, l),
		fmt.Sprintf("%s/%s above its prior 20-day high: a fresh one-month breakout vs large caps", s, l),
		fmt.Sprintf("%s/%s above its prior 52-week high: small caps strongest vs large caps in a year", s, l),
		fmt.Sprintf("%s above its 200-day average: small caps in a long-term uptrend", s),
		fmt.Sprintf("%s 50-day average above its 200-day (golden cross): the long trend turned up", s),
		fmt.Sprintf("%s beat %s by more than %.1f pts over 21 days: a month of leadership", s, l, t.SmallLeadsPts),
		fmt.Sprintf("%s volume at least %.1f× its 20-day average on an up day (live: paced to the time of day): buyers piling in", s, t.VolumeSurgeRVOL),
		fmt.Sprintf("at least %.0f%% of sector pairs have small beating large over 21 days: broad leadership", t.SectorBreadth*100),
	}
}

// step advances a committed run by one bar.
func (r *flagRun) step(held bool, d time.Time) {
	if held && !r.on {
		r.since = d
	}
	if !held {
		r.since = time.Time{}
	}
	r.on = held
}

// recomputeFlagRuns replays the committed history of every flag (after a bar
// closed, a revision or a load; never per quote).
func (e *Engine) recomputeFlagRuns() {
	var runs [nFlags]flagRun
	h := e.cfg.Thresholds.Hysteresis
	th := e.cfg.Thresholds
	p := e.pair
	cur := e.cursors[:0]
	for range e.sectors {
		cur = append(cur, 0, 0)
	}
	for i, d := range p.dates {
		r := Some(p.ratio[i])
		runs[fRatio50].step(holds(runs[fRatio50].on, r, p.sma50h[i], true, h), d)
		runs[fRatio200].step(holds(runs[fRatio200].on, r, p.sma200h[i], true, h), d)
		runs[fHigh20].step(holds(runs[fHigh20].on, r, p.maxP20h[i], true, h), d)
		runs[fHigh252].step(holds(runs[fHigh252].on, r, p.maxP252h[i], true, h), d)
		lead := leadOf(p.small.retAt(p.si[i], 21), p.large.retAt(p.li[i], 21))
		runs[fLeads].step(holds(runs[fLeads].on, lead, Some(th.SmallLeadsPts), true, h), d)
		runs[fBreadth].step(holds(runs[fBreadth].on, e.breadthAt(d, cur), Some(th.SectorBreadth), false, h), d)
	}
	s := p.small
	for i, b := range s.daily {
		c := Some(b.Close)
		runs[fSmall200].step(holds(runs[fSmall200].on, c, s.sma200h[i], true, h), b.Time)
		runs[fGolden].step(holds(runs[fGolden].on, s.sma50h[i], s.sma200h[i], true, h), b.Time)
		up := i > 0 && b.Close > s.daily[i-1].Close
		runs[fSurge].step(up && holds(runs[fSurge].on, s.rvolh[i], Some(th.VolumeSurgeRVOL), false, h), b.Time)
	}
	e.runs = runs
}

func leadOf(a, b Num) Num {
	if !a.Valid || !b.Valid {
		return Num{}
	}
	return Some(a.V - b.V)
}

// breadthAt is the share of sector pairs whose small leg beat its large leg
// over 21 bars on the committed bars dated d (absent if no pair has data).
// cur holds one cursor per leg (small, large per sector); calls must come
// with increasing d so each leg's bars are walked once per replay.
func (e *Engine) breadthAt(d time.Time, cur []int) Num {
	n, beat := 0, 0
	for k, sp := range e.sectors {
		a := sp.small.retAt(seek(sp.small.daily, &cur[2*k], d), 21)
		b := sp.large.retAt(seek(sp.large.daily, &cur[2*k+1], d), 21)
		if !a.Valid || !b.Valid {
			continue
		}
		n++
		if a.V > b.V {
			beat++
		}
	}
	if n == 0 {
		return Num{}
	}
	return Some(float64(beat) / float64(n))
}

// seek advances *j to the first bar not before d and returns its index if
// it is dated d, else -1.
func seek(bars []Bar, j *int, d time.Time) int {
	for *j < len(bars) && bars[*j].Time.Before(d) {
		*j++
	}
	if *j < len(bars) && bars[*j].Time.Equal(d) {
		return *j
	}
	return -1
}

// breadthLive is breadth on the live values (forming bars where present); it
// reports whether any sector leg has a forming bar and the latest date.
func (e *Engine) breadthLive() (v Num, forming bool, date time.Time) {
	n, beat := 0, 0
	for _, sp := range e.sectors {
		a, b := sp.small.live, sp.large.live
		forming = forming || a.forming || b.forming
		if a.ok && a.date.After(date) {
			date = a.date
		}
		if b.ok && b.date.After(date) {
			date = b.date
		}
		if !a.ret[2].Valid || !b.ret[2].Valid {
			continue
		}
		n++
		if a.ret[2].V > b.ret[2].V {
			beat++
		}
	}
	if n == 0 {
		return Num{}, forming, date
	}
	return Some(float64(beat) / float64(n)), forming, date
}

// setLive combines a committed run with the live evaluation.
func (f *flagLive) set(run flagRun, v, thr Num, forming bool, date time.Time, formHeld bool) {
	f.value, f.thr = v, thr
	switch {
	case run.on:
		f.state, f.since = FlagConfirmed, run.since
	case forming && formHeld:
		f.state, f.since = FlagForming, date
	default:
		f.state, f.since = FlagOff, time.Time{}
	}
}

// computePairFlags refreshes the live state of the pair and small-leg flags.
func (e *Engine) computePairFlags() {
	h := e.cfg.Thresholds.Hysteresis
	th := e.cfg.Thresholds
	p := e.pair
	pl := p.live
	fl := &e.flags
	r := &e.runs
	fl[fRatio50].set(r[fRatio50], pl.ratio, pl.vals.sma50, pl.forming, pl.date, holds(false, pl.ratio, pl.vals.sma50, true, h))
	fl[fRatio200].set(r[fRatio200], pl.ratio, pl.vals.sma200, pl.forming, pl.date, holds(false, pl.ratio, pl.vals.sma200, true, h))
	fl[fHigh20].set(r[fHigh20], pl.ratio, pl.vals.high20, pl.forming, pl.date, holds(false, pl.ratio, pl.vals.high20, true, h))
	fl[fHigh252].set(r[fHigh252], pl.ratio, pl.vals.high252, pl.forming, pl.date, holds(false, pl.ratio, pl.vals.high252, true, h))
	lead := leadOf(p.small.live.ret[2], p.large.live.ret[2])
	leadThr := Some(th.SmallLeadsPts)
	fl[fLeads].set(r[fLeads], lead, leadThr, pl.forming, pl.date, holds(false, lead, leadThr, true, h))

	sl := p.small.live
	c := sl.last
	fl[fSmall200].set(r[fSmall200], c, sl.vals.SMA200, sl.forming, sl.date, holds(false, c, sl.vals.SMA200, true, h))
	fl[fGolden].set(r[fGolden], sl.vals.SMA50, sl.vals.SMA200, sl.forming, sl.date, holds(false, sl.vals.SMA50, sl.vals.SMA200, true, h))
	surgeThr := Some(th.VolumeSurgeRVOL)
	// Forming: today's volume paced to the time of day (RVOLPace), since
	// the partial day's RVOL20 is not comparable with full days; the
	// committed run uses RVOL20 on closed bars (equal to RVOLPace there).
	fl[fSurge].set(r[fSurge], sl.pace, surgeThr, sl.forming, sl.date, sl.up && holds(false, sl.pace, surgeThr, false, h))
}

// computeBreadthFlag refreshes the live sector_breadth flag.
func (e *Engine) computeBreadthFlag() {
	v, forming, date := e.breadthLive()
	thr := Some(e.cfg.Thresholds.SectorBreadth)
	e.flags[fBreadth].set(e.runs[fBreadth], v, thr, forming, date, holds(false, v, thr, false, e.cfg.Thresholds.Hysteresis))
}
