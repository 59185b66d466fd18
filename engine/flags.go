package engine

import (
	"cmp"
	"fmt"
	"slices"
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
	fBreadthAbove // breadth_above_sma50 (listed only with a breadth universe)
	fBreadthThrust
	nFlags
)

// flagRun is a flag's committed state after the last closed bar.
type flagRun struct {
	on    bool
	since time.Time // trading date of the first bar of the current run
	// The last closed bar the flag was evaluated on: its trading date and
	// the value and threshold compared there.
	date       time.Time
	value, thr Num
	note       string // why the state reads as it does there (Flag.CloseNote)
}

// flagLive is a flag as shown (committed state plus the forming bar).
type flagLive struct {
	state   FlagState
	since   time.Time
	value   Num
	thr     Num
	partial bool   // small_volume_surge on volume not all consolidated (Flag.Partial)
	note    string // a constant reason (Flag.Note), e.g. noteDownDay
	// sector_breadth: sector pairs with both legs known, and configured.
	covered, pairs int
}

// noteDownDay says why small_volume_surge is off (or fading) while its
// volume alone passes: it counts on an up day only.
const noteDownDay = "down day"

// MinSectorPairs is how many sector pairs sector_breadth needs with both
// legs known before it is judged: at least half of those configured
// (5 of 9), so one pair with data is never "broad leadership".
func MinSectorPairs(configured int) int { return (configured + 1) / 2 }

// coverageNote says why sector_breadth is not judged: too few sector pairs
// with data.
func coverageNote(covered, pairs int) string {
	return fmt.Sprintf("only %d of %d sector pairs with data, needs %d", covered, pairs, MinSectorPairs(pairs))
}

// thrustNote is the breadth_thrust flag's reason on a day: the date of the
// thrust that holds it (or of the last one, out of the window, when off).
func thrustNote(on bool, last string) string {
	switch {
	case last == "":
		return ""
	case on:
		return "thrust " + last
	}
	return "last thrust " + last + ", more than 20 bars ago"
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
var strictFlag = [nFlags]bool{true, true, true, true, true, true, true, false, false, false, false}

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
		"the breadth universe's share of members above their 50-day average at or above the threshold: the whole index joins",
		"a Zweig breadth thrust (its EMA from below 0.40 to above 0.615 within 10 days) on this day or one of the 20 before: a rare, broad surge",
	}
}

// step advances flag k's committed run by the bar dated d, on which the
// flag's value v was compared with thr (held: the condition held there).
// It reports whether a change was recorded (its note can then be set).
func (e *Engine) step(k int, held bool, d time.Time, v, thr Num) bool {
	if r := &e.runScratch[k]; held != r.on {
		return e.change(k, held, d, v, thr)
	}
	return false
}

// noteLast sets the note of the change just recorded.
func (e *Engine) noteLast(note string) { e.chScratch[len(e.chScratch)-1].Note = note }

// change applies a change of flag k's run on the bar dated d and records
// it in e.chScratch unless it is older than e.chFrom.
func (e *Engine) change(k int, held bool, d time.Time, v, thr Num) bool {
	rec := !d.Before(e.chFrom)
	if rec {
		e.chScratch = append(e.chScratch, FlagChange{Flag: FlagIDs[k], k: k, Date: d, On: held, Value: v, Threshold: thr})
	}
	r := &e.runScratch[k]
	r.on, r.since = held, time.Time{}
	if held {
		r.since = d
	}
	return rec
}

// atLast records what flag k compared on its last closed bar.
func (e *Engine) atLast(k int, d time.Time, v, thr Num) {
	r := &e.runScratch[k]
	r.date, r.value, r.thr, r.note = d, v, thr, ""
}

// recomputeFlagRuns replays the committed history of every flag (after a bar
// closed, a revision or a load; never per quote): the state after the last
// closed bar and every change on the way, each on its own bar (listed for
// the last DailyKeep bars: a backlog is never that long, and what came
// before is history). The list of changes is published anew only when it
// differs from the last one, so a replay that finds the same history
// allocates nothing but the notes of its changes.
func (e *Engine) recomputeFlagRuns() {
	e.runScratch = [nFlags]flagRun{}
	e.chScratch = e.chScratch[:0]
	e.chFrom = time.Time{}
	if n := len(e.pair.dates); n > e.cfg.DailyKeep {
		e.chFrom = e.pair.dates[n-e.cfg.DailyKeep]
	}
	for _, s := range [2]*symState{e.small, e.bleg} {
		if n := len(s.daily); n > e.cfg.DailyKeep && s.daily[n-e.cfg.DailyKeep].Time.Before(e.chFrom) {
			e.chFrom = s.daily[n-e.cfg.DailyKeep].Time
		}
	}
	runs := &e.runScratch
	h := e.cfg.Thresholds.Hysteresis
	th := e.cfg.Thresholds
	p := e.pair
	cur := e.cursors[:0]
	for range e.sectors {
		cur = append(cur, 0, 0)
	}
	leadThr, breadthThr, surgeThr := Some(th.SmallLeadsPts), Some(th.SectorBreadth), Some(th.VolumeSurgeRVOL)
	var lead, breadth Num // on the last bar, after the loop
	covered := 0          // sector pairs with data on the last bar
	for i, d := range p.dates {
		r := Some(p.ratio[i])
		e.step(fRatio50, holds(runs[fRatio50].on, r, p.sma50h[i], true, h), d, r, p.sma50h[i])
		e.step(fRatio200, holds(runs[fRatio200].on, r, p.sma200h[i], true, h), d, r, p.sma200h[i])
		e.step(fHigh20, holds(runs[fHigh20].on, r, p.maxP20h[i], true, h), d, r, p.maxP20h[i])
		e.step(fHigh252, holds(runs[fHigh252].on, r, p.maxP252h[i], true, h), d, r, p.maxP252h[i])
		lead = leadOf(p.small.retAt(p.si[i], 21), p.large.retAt(p.li[i], 21))
		e.step(fLeads, holds(runs[fLeads].on, lead, leadThr, true, h), d, lead, leadThr)
		breadth, covered = e.breadthAt(d, cur)
		if e.step(fBreadth, holds(runs[fBreadth].on, breadth, breadthThr, false, h), d, breadth, breadthThr) && !breadth.Valid && covered > 0 {
			e.noteLast(coverageNote(covered, len(e.sectors)))
		}
	}
	if n := len(p.dates); n > 0 {
		i, d := n-1, p.dates[n-1]
		r := Some(p.ratio[i])
		e.atLast(fRatio50, d, r, p.sma50h[i])
		e.atLast(fRatio200, d, r, p.sma200h[i])
		e.atLast(fHigh20, d, r, p.maxP20h[i])
		e.atLast(fHigh252, d, r, p.maxP252h[i])
		e.atLast(fLeads, d, lead, leadThr)
		e.atLast(fBreadth, d, breadth, breadthThr)
		if !breadth.Valid && covered > 0 {
			runs[fBreadth].note = coverageNote(covered, len(e.sectors))
		}
	}
	e.breadthFlagRuns()
	s := p.small
	for i, b := range s.daily {
		c := Some(b.Close)
		e.step(fSmall200, holds(runs[fSmall200].on, c, s.sma200h[i], true, h), b.Time, c, s.sma200h[i])
		e.step(fGolden, holds(runs[fGolden].on, s.sma50h[i], s.sma200h[i], true, h), b.Time, s.sma50h[i], s.sma200h[i])
		up := i > 0 && b.Close > s.daily[i-1].Close
		if e.step(fSurge, up && holds(runs[fSurge].on, s.rvolh[i], surgeThr, false, h), b.Time, s.rvolh[i], surgeThr) &&
			!up && holds(false, s.rvolh[i], surgeThr, false, 0) {
			e.noteLast(noteDownDay)
		}
	}
	if n := len(s.daily); n > 0 {
		i, d := n-1, s.daily[n-1].Time
		e.atLast(fSmall200, d, Some(s.daily[i].Close), s.sma200h[i])
		e.atLast(fGolden, d, s.sma50h[i], s.sma200h[i])
		e.atLast(fSurge, d, s.rvolh[i], surgeThr)
		if up := i > 0 && s.daily[i].Close > s.daily[i-1].Close; !up && holds(false, s.rvolh[i], surgeThr, false, 0) {
			runs[fSurge].note = noteDownDay
		}
	}
	e.runs = *runs
	for k := range e.closes {
		if d := runs[k].date; !d.Equal(e.closes[k].d) {
			e.closes[k] = e.barCloseOf(d)
		}
	}
	e.publishChanges()
}

// breadthFlagRuns replays the breadth flags' committed runs on the breadth
// leg's own closed dates (the members' dates: the small leg's at New),
// whatever the pair's join: a pair leg without data, or a pair switched to
// other legs, neither stops nor shifts them.
func (e *Engine) breadthFlagRuns() {
	if e.bm == nil {
		return
	}
	runs := &e.runScratch
	bcur := e.breadthCursor()
	aboveThr, thrustThr := e.breadthThresholds()
	var pct, zweig Num
	daily := e.bleg.daily
	for _, b := range daily {
		d := b.Time
		var above, thrust bool
		above, thrust, pct, zweig = e.breadthFlagsAt(d, &bcur)
		e.step(fBreadthAbove, above, d, pct, aboveThr)
		if e.step(fBreadthThrust, thrust, d, zweig, thrustThr) {
			e.noteLast(thrustNote(thrust, bcur.lastThrust))
		}
	}
	if n := len(daily); n > 0 {
		d := daily[n-1].Time
		e.atLast(fBreadthAbove, d, pct, aboveThr)
		e.atLast(fBreadthThrust, d, zweig, thrustThr)
		runs[fBreadthThrust].note = thrustNote(runs[fBreadthThrust].on, bcur.lastThrust)
	}
}

// barClose is a closed bar's date, formatted, and its session close.
type barClose struct {
	d    time.Time
	date string    // YYYY-MM-DD ("" for the zero date)
	at   time.Time // the session close (exchange time)
}

func (e *Engine) barCloseOf(d time.Time) barClose {
	if d.IsZero() {
		return barClose{}
	}
	return barClose{d: d, date: d.Format("2006-01-02"), at: e.sessionClose(d)}
}

// sessionClose is the close of the session of trading date d (16:00 New
// York for a date the calendar thinks closed).
func (e *Engine) sessionClose(d time.Time) time.Time {
	if _, cl, ok := e.cal.Session(d); ok {
		return cl
	}
	y, m, dd := d.In(e.loc).Date()
	return time.Date(y, m, dd, 16, 0, 0, 0, e.loc)
}

// publishChanges makes the changes just replayed the published list,
// oldest first (by date, then in display order), unless they equal it.
// chScratch holds one sorted run per group of flags stepped together (the
// pair's, the breadth leg's, the small leg's); a flag changes at most once
// a bar, so the order by date and flag index is total.
func (e *Engine) publishChanges() {
	slices.SortFunc(e.chScratch, func(a, b FlagChange) int {
		if c := a.Date.Compare(b.Date); c != 0 {
			return c
		}
		return cmp.Compare(a.k, b.k)
	})
	n := len(e.chScratch)
	if n == len(e.changes) {
		same := true
		for i, c := range e.chScratch {
			if !sameChange(c, e.changes[i]) {
				same = false
				break
			}
		}
		if same {
			return
		}
	}
	out := make([]FlagChange, 0, n)
	for _, c := range e.chScratch {
		c.Close = e.sessionClose(c.Date)
		out = append(out, c)
	}
	e.changes = out
}

// sameChange compares two changes (Close is derived from Date).
func sameChange(a, b FlagChange) bool {
	return a.k == b.k && a.Date.Equal(b.Date) && a.On == b.On && a.Value == b.Value && a.Threshold == b.Threshold && a.Note == b.Note
}

func leadOf(a, b Num) Num {
	if !a.Valid || !b.Valid {
		return Num{}
	}
	return Some(a.V - b.V)
}

// breadthAt is the share of sector pairs whose small leg beat its large leg
// over 21 bars on the committed bars dated d, and how many pairs had both
// legs known (the share is absent below MinSectorPairs). cur holds one
// cursor per leg (small, large per sector); calls must come with
// increasing d so each leg's bars are walked once per replay.
func (e *Engine) breadthAt(d time.Time, cur []int) (Num, int) {
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
	return e.breadthShare(beat, n), n
}

// breadthShare is beat of n sector pairs as a share, absent when fewer than
// MinSectorPairs of the configured pairs have data (n).
func (e *Engine) breadthShare(beat, n int) Num {
	if n == 0 || n < MinSectorPairs(len(e.sectors)) {
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
// reports whether any sector leg has a forming bar, the latest date and how
// many pairs have both legs known.
func (e *Engine) breadthLive() (v Num, forming bool, date time.Time, n int) {
	beat := 0
	for _, sp := range e.sectors {
		a, b := sp.small.live, sp.large.live
		forming = forming || a.forming || b.forming
		if a.ok && a.date.After(date) {
			date = a.date
		}
		if b.ok && b.date.After(date) {
			date = b.date
		}
		counted, leads := SmallLeads(a.ret[2], b.ret[2])
		if !counted {
			continue
		}
		n++
		if leads {
			beat++
		}
	}
	return e.breadthShare(beat, n), forming, date, n
}

// SmallLeads is how a sector pair counts towards sector breadth at one
// horizon: counted when both legs' returns are known, leading when the
// small leg's is above the large leg's (unrounded). The sector_breadth flag
// (1m) and every view that says "small leads in k/n sectors" count with it,
// so their k and n agree.
func SmallLeads(small, large Num) (counted, leads bool) {
	if !small.Valid || !large.Valid {
		return false, false
	}
	return true, small.V > large.V
}

// set combines a committed run with the live evaluation: v against thr on
// the live bar (forming: there is an unfinished bar), liveHeld whether the
// condition holds there (judged as the next close would judge it, with the
// run's hysteresis). A run that held at the last close is confirmed, or
// fading while the live bar says it would not hold (only when the live value
// is known: an undefined live value says nothing against the close).
func (f *flagLive) set(run flagRun, v, thr Num, forming bool, date time.Time, liveHeld bool) {
	f.value, f.thr = v, thr
	switch {
	case run.on && forming && !liveHeld && v.Valid && thr.Valid:
		f.state, f.since = FlagFading, run.since
	case run.on:
		f.state, f.since = FlagConfirmed, run.since
	case forming && liveHeld:
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
	fl[fRatio50].set(r[fRatio50], pl.ratio, pl.vals.sma50, pl.forming, pl.date, holds(r[fRatio50].on, pl.ratio, pl.vals.sma50, true, h))
	fl[fRatio200].set(r[fRatio200], pl.ratio, pl.vals.sma200, pl.forming, pl.date, holds(r[fRatio200].on, pl.ratio, pl.vals.sma200, true, h))
	fl[fHigh20].set(r[fHigh20], pl.ratio, pl.vals.high20, pl.forming, pl.date, holds(r[fHigh20].on, pl.ratio, pl.vals.high20, true, h))
	fl[fHigh252].set(r[fHigh252], pl.ratio, pl.vals.high252, pl.forming, pl.date, holds(r[fHigh252].on, pl.ratio, pl.vals.high252, true, h))
	lead := leadOf(p.small.live.ret[2], p.large.live.ret[2])
	leadThr := Some(th.SmallLeadsPts)
	fl[fLeads].set(r[fLeads], lead, leadThr, pl.forming, pl.date, holds(r[fLeads].on, lead, leadThr, true, h))

	sl := p.small.live
	c := sl.last
	fl[fSmall200].set(r[fSmall200], c, sl.vals.SMA200, sl.forming, sl.date, holds(r[fSmall200].on, c, sl.vals.SMA200, true, h))
	fl[fGolden].set(r[fGolden], sl.vals.SMA50, sl.vals.SMA200, sl.forming, sl.date, holds(r[fGolden].on, sl.vals.SMA50, sl.vals.SMA200, true, h))
	surgeThr := Some(th.VolumeSurgeRVOL)
	// Live: today's volume paced to the time of day (RVOLPace), since
	// the partial day's RVOL20 is not comparable with full days; the
	// committed run uses RVOL20 on closed bars (equal to RVOLPace there).
	// On volume that is not all consolidated (one venue's, see volume.go)
	// the live evaluation is held off: the value is unknown, so the flag
	// keeps the last close's state, neither forming nor fading.
	pace := sl.pace
	if sl.partial {
		pace = Num{}
	}
	fl[fSurge].set(r[fSurge], pace, surgeThr, sl.forming, sl.date, sl.up && holds(r[fSurge].on, pace, surgeThr, false, h))
	fl[fSurge].partial = sl.partial
	fl[fSurge].note = ""
	if st := fl[fSurge].state; (st == FlagOff || st == FlagFading) && !sl.up && holds(false, pace, surgeThr, false, 0) {
		fl[fSurge].note = noteDownDay // the volume alone would pass
	}
}

// computeBreadthFlag refreshes the live sector_breadth flag.
func (e *Engine) computeBreadthFlag() {
	v, forming, date, n := e.breadthLive()
	thr := Some(e.cfg.Thresholds.SectorBreadth)
	on := e.runs[fBreadth].on
	f := &e.flags[fBreadth]
	f.set(e.runs[fBreadth], v, thr, forming, date, holds(on, v, thr, false, e.cfg.Thresholds.Hysteresis))
	f.covered, f.pairs = n, len(e.sectors)
}
