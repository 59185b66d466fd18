package engine

import "time"

// Honest volume: RVOL against consolidated volume only.
//
// RVOL20 and RVOLPace compare today's volume with the mean of 20 full days
// of consolidated (all venues, SIP) volume. A feed that has only one
// venue's volume for part of the day — Alpaca's free IEX feed, a few per
// cent of the consolidated volume, whose minute bars are replaced by the
// consolidated SIP bars once they are 15 minutes old — says so in its
// Provenance: VolumePartial, and VolumeConsolidatedTo, the time up to which
// the minute bars are consolidated. For each symbol the engine then:
//
//   - when the day's volume is consolidated up to an earlier time T
//     ("SIP to 14:45, IEX after"): counts the consolidated volume of its
//     own minute bars that end by T, and computes RVOL20 from it and
//     RVOLPace against the expected share of a day's volume AT T (not now):
//     RVOLPace = V(to T) ÷ (mean of 20 days × F(T − open)). The IEX minutes
//     after T are left out rather than mixed in. SymbolSnapshot.RVOLAsOf
//     says T.
//   - when none of the day's volume is consolidated ("IEX only": the first
//     15 minutes of a session, or the consolidated bars cannot be had):
//     keeps the values, which are lower bounds, and marks them
//     (SymbolSnapshot.RVOLPartial). small_volume_surge is then held off:
//     its live evaluation is not made (Flag.Value absent), so it keeps the
//     state of the last close and neither forms nor fades on one venue's
//     volume, and it says so (Flag.Partial).
//   - when the latest bar is a closed day whose last minutes are not
//     consolidated yet (16:00 to 16:15 on IEX): marks it partial too; when
//     the consolidated minutes arrive they widen the closed bar (widenClosed)
//     and the mark goes.
//
// A feed that states nothing (demo, replay, Yahoo) or consolidated volume
// (Alpaca's sip and delayed_sip feeds) is taken as it is.

// consStmt is the feed's statement about consolidated volume, worked out
// once per Provenance.
type consStmt struct {
	partial bool      // the day's volume is not all consolidated
	date    time.Time // the trading date the statement is about (zero: not known)
	to      time.Time // consolidated up to here (the bars that end by it), truncated to Config.Intraday
	none    bool      // nothing of that day's volume is consolidated
}

// volCons is the statement as it applies to one symbol, with the volume of
// its own intraday bars up to `to`.
type volCons struct {
	consStmt
	have bool    // the symbol has intraday bars of the statement's date
	vol  float64 // their volume up to `to`
}

// setProvenance takes a feed's new Provenance; when what it says about
// consolidated volume changed, every symbol's consolidated volume is
// counted again and the live values refreshed (once a minute on Alpaca's
// IEX feed, never per quote).
func (e *Engine) setProvenance(p *Provenance) {
	e.prov = p
	var st consStmt
	if p != nil && p.VolumePartial {
		st = consStmt{partial: true, none: true}
		if t := p.VolumeConsolidatedTo; !t.IsZero() {
			st.date = e.cal.TradingDate(t)
			st.to = t.Truncate(e.cfg.Intraday.Duration())
			open, _, ok := e.cal.Session(st.date)
			st.none = !ok || !st.to.After(open)
		}
	}
	if st == e.cstmt {
		return
	}
	e.cstmt = st
	for _, s := range e.syms {
		e.setCons(s)
	}
	e.refreshAll()
}

// setCons applies the feed's statement to s (after its intraday bars or
// the statement changed): O(today's bars), never per quote.
func (e *Engine) setCons(s *symState) {
	c := volCons{consStmt: e.cstmt}
	if c.partial && !c.none && s.intraDate.Equal(c.date) && len(s.intra) > 0 {
		c.have = true
		d := e.cfg.Intraday.Duration()
		for k := range s.intra {
			if b := &s.intra[k]; !b.Time.Add(d).After(c.to) {
				c.vol += b.Volume
				continue
			}
			break
		}
	}
	s.cons = c
}

// formingRVOL sets the forming bar's RVOL from the consolidated volume
// when the day is consolidated only up to an earlier time, or marks it
// partial when none of it is, and returns its RVOLPace (l.vals holds the
// forming bar's values).
func (s *symState) formingRVOL(l *symLive) Num {
	c := &s.cons
	at := s.formAt
	switch {
	case !c.partial || c.date.After(l.date):
		// consolidated, or a statement about a later day
	case c.date.Equal(l.date) && !c.none && c.have:
		if c.to.Before(at) {
			l.vals.RVOL20 = streamNum(s.st.rvol20.Peek(c.vol))
			l.rvolAt, at = c.to, c.to
		}
	default: // one venue's volume only (or a statement about an earlier day)
		l.partial = true
	}
	return s.formingPace(l.vals.RVOL20, at)
}

// closedPartial reports whether the closed bar dated d counted volume that
// is not all consolidated (its session's last minutes are not yet).
func (s *symState) closedPartial(d time.Time) bool {
	c := &s.cons
	if !c.partial || c.date.After(d) {
		return false
	}
	if c.date.Equal(d) && !c.none {
		if _, cl, ok := s.session(d); ok && !c.to.Before(cl) {
			return false
		}
	}
	return true
}
