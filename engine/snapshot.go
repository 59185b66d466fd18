package engine

import (
	"fmt"
	"slices"
	"time"
)

// pubCache holds series the engine has published, with what they were built
// from, so an unchanged series is shared by the next snapshot instead of
// being rebuilt. Published memory is never written again.
type pubCache struct {
	dailyOK  bool
	dailyKey dailyKey
	daily    []RatioPoint

	intraOK  bool
	intraKey [2]uint64 // the legs' intraVer
	intra    []RatioPoint

	flags []Flag
}

// dailyKey is what PairSnapshot.Daily is built from.
type dailyKey struct {
	gen     uint64 // pairState.gen
	forming bool
	point   RatioPoint // the forming point, if any
}

// Snapshot builds a new immutable Snapshot of the model at now (exchange
// time; it sets the session state and stale marks).
//
// The engine never mutates anything it has published: series that did not
// change (today's closed intraday prices, the pair's daily and intraday
// ratio series, the flags) are shared with earlier snapshots rather than
// copied, so readers must treat every slice as read-only.
func (e *Engine) Snapshot(now time.Time) *Snapshot {
	e.seq++
	snap := &Snapshot{Seq: e.seq, Now: now, Feed: e.feed, Risk: e.risk, Analogs: e.analogs, Provenance: e.prov, Rotation: e.rotation, RotationChanges: e.rotCh}
	if !now.IsZero() {
		st := e.cal.StateAt(now)
		_, next := e.cal.NextChange(now)
		snap.Session = SessionInfo{State: st.String(), NextChange: next, Countdown: e.cal.Countdown(now)}
	}

	snap.Symbols = make([]SymbolSnapshot, 0, len(e.syms))
	for _, s := range e.syms {
		ss := e.symbolSnapshot(s, now)
		if ss.DataTime.After(snap.AsOf) {
			snap.AsOf = ss.DataTime
		}
		snap.Symbols = append(snap.Symbols, ss)
	}
	snap.Pair = e.pairSnapshot()
	snap.Flags = e.flagSnapshot()
	snap.FlagChanges = e.changes
	snap.Sectors = e.sectorSnapshot()
	snap.Breadth, snap.BreadthLoad = e.breadthSnapshot()
	snap.Analogs = e.analogsWithBreadth(snap.Breadth)
	snap.Confirmations = e.confirmations()

	// Symbols only the confirmation strip needs are not the user's
	// watchlist: without data their items say unknown, not the error list.
	for _, sym := range e.errOr {
		if i, ok := e.index[sym]; ok && e.syms[i].role == RoleConfirm {
			continue
		}
		snap.Errors = append(snap.Errors, SymbolError{Symbol: sym, Message: e.errs[sym].message()})
	}
	for _, s := range e.syms {
		if !s.live.ok && s.starts.IsZero() && s.role != RoleConfirm {
			if _, dup := e.errs[s.sym]; !dup {
				snap.Errors = append(snap.Errors, SymbolError{Symbol: s.sym, Message: "no data"})
			}
		}
	}
	snap.Notices = e.notices()
	return snap
}

// notices lists the facts about usable data, in watchlist order: rows
// skipped from a symbol's source, and data that has not started yet.
func (e *Engine) notices() []SymbolNotice {
	var out []SymbolNotice
	for _, s := range e.syms {
		if !s.live.ok && !s.starts.IsZero() {
			out = append(out, SymbolNotice{Symbol: s.sym, Message: startsNotice + s.starts.Format(time.DateOnly)})
		}
		if k := s.skipped; k.Count > 0 {
			out = append(out, SymbolNotice{Symbol: s.sym, Message: skippedText(k)})
		}
	}
	return out
}

// skippedText says which rows were skipped: "4 rows skipped from
// data/IWM.csv, first line 102: missing close".
func skippedText(k SkippedRows) string {
	rows, first := "rows", "first line"
	if k.Count == 1 {
		rows, first = "row", "line"
	}
	msg := fmt.Sprintf("%d %s skipped", k.Count, rows)
	if k.Source != "" {
		msg += " from " + k.Source
	}
	if k.FirstLine > 0 {
		msg += fmt.Sprintf(", %s %d", first, k.FirstLine)
	}
	if k.Reason != "" {
		msg += ": " + k.Reason
	}
	return msg
}

func (e *Engine) symbolSnapshot(s *symState, now time.Time) SymbolSnapshot {
	l := s.live
	ss := SymbolSnapshot{
		Symbol: s.sym, Role: s.role,
		Last: l.last, PrevClose: l.prevClose, ChangePct: l.changePct,
		SMA20: l.vals.SMA20, SMA50: l.vals.SMA50, SMA200: l.vals.SMA200, EMA20: l.vals.EMA20,
		RSI14: l.vals.RSI14, ATR14: l.vals.ATR14,
		BBUpper: l.vals.BBUpper, BBMiddle: l.vals.BBMiddle, BBLower: l.vals.BBLower,
		DonHigh20: l.vals.DonHigh20, DonLow20: l.vals.DonLow20,
		RVOL20: l.vals.RVOL20, RVOLPace: l.pace,
		Ret1d: l.ret[0], Ret5d: l.ret[1], Ret21d: l.ret[2], Ret63d: l.ret[3],
		DataTime: s.dataTime, Delayed: s.delayed,
		SkippedRows: s.skipped.Count, FirstSkippedLine: s.skipped.FirstLine,
		RVOLPartial: l.partial, RVOLAsOf: l.rvolAt,
	}
	if b, ok := latest(s); ok {
		ss.DayVolume = b.Volume
	}
	if e.cfg.StaleAfter > 0 && !s.dataTime.IsZero() && now.Sub(s.dataTime) > e.cfg.StaleAfter {
		ss.Stale = true
	}
	ss.Intraday, ss.IntradayForming = e.closedIntraday(s)
	return ss
}

// closedIntraday returns the closes of today's closed intraday bars as a
// full slice expression of the append-only pubCloses (shared with earlier
// and later snapshots, never written below its length), and whether a
// forming bar follows them (its price is the symbol's Last).
func (e *Engine) closedIntraday(s *symState) ([]float64, bool) {
	n := len(s.intra)
	if n == 0 {
		return nil, false
	}
	k := n
	if s.intraForming {
		k--
	}
	if len(s.pubCloses) > k { // cannot happen (a shrink drops pubCloses); be safe
		s.pubCloses = nil
	}
	if s.pubCloses == nil && k > 0 {
		// One array for the whole session: a session's bars plus slack.
		s.pubCloses = make([]float64, 0, max(k, int(7*time.Hour/e.cfg.Intraday.Duration())))
	}
	for i := len(s.pubCloses); i < k; i++ {
		s.pubCloses = append(s.pubCloses, s.intra[i].Close)
	}
	if k == 0 {
		return nil, s.intraForming
	}
	return s.pubCloses[:k:k], s.intraForming
}

func (e *Engine) pairSnapshot() PairSnapshot {
	p := e.pair
	l := p.live
	ps := PairSnapshot{
		Small: e.cfg.Small, Large: e.cfg.Large,
		Ratio: l.ratio, RatioChangePct: l.changePct,
		RatioSMA50: l.vals.sma50, RatioSMA200: l.vals.sma200,
		RatioHigh20: l.vals.high20, RatioRSI14: l.vals.rsi, RatioROC20: l.vals.roc,
	}
	ps.Daily = e.dailyRatio()
	key := [2]uint64{e.small.intraVer, e.large.intraVer}
	if !e.pub.intraOK || e.pub.intraKey != key {
		e.pub.intra, e.pub.intraKey, e.pub.intraOK = e.intradayRatio(), key, true
	}
	ps.Intraday = e.pub.intra
	return ps
}

// dailyRatio returns the pair's daily ratio points (the last DailyKeep
// committed days and the forming day), rebuilt only when the joined series
// or the forming point changed since the last snapshot.
func (e *Engine) dailyRatio() []RatioPoint {
	p := e.pair
	l := p.live
	key := dailyKey{gen: p.gen, forming: l.forming}
	if l.forming {
		key.point = RatioPoint{Time: l.date, Ratio: l.ratio.V, SMA50: l.vals.sma50, SMA200: l.vals.sma200, Forming: true}
	}
	if e.pub.dailyOK && e.pub.dailyKey == key {
		return e.pub.daily
	}
	n := len(p.dates)
	from := max(0, n-e.cfg.DailyKeep)
	out := make([]RatioPoint, 0, n-from+1)
	for i := from; i < n; i++ {
		out = append(out, RatioPoint{Time: p.dates[i], Ratio: p.ratio[i], SMA50: p.sma50h[i], SMA200: p.sma200h[i]})
	}
	if l.forming {
		out = append(out, key.point)
	}
	e.pub.daily, e.pub.dailyKey, e.pub.dailyOK = out, key, true
	return out
}

// intradayRatio joins today's intraday bars of both legs by bar start; a
// leg without a bar for a minute is forward-filled and the point is marked
// Filled. Points start once both legs have had a bar.
func (e *Engine) intradayRatio() []RatioPoint {
	a, b := e.small.intra, e.large.intra
	if len(a) == 0 || len(b) == 0 || !e.small.intraDate.Equal(e.large.intraDate) {
		return nil
	}
	out := make([]RatioPoint, 0, max(len(a), len(b)))
	var ca, cb float64
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var t time.Time
		var fa, fb bool
		switch {
		case j >= len(b) || (i < len(a) && a[i].Time.Before(b[j].Time)):
			t, ca, fa = a[i].Time, a[i].Close, true
			i++
		case i >= len(a) || b[j].Time.Before(a[i].Time):
			t, cb, fb = b[j].Time, b[j].Close, true
			j++
		default:
			t, ca, cb, fa, fb = a[i].Time, a[i].Close, b[j].Close, true, true
			i++
			j++
		}
		if ca == 0 || cb == 0 {
			continue
		}
		out = append(out, RatioPoint{Time: t, Ratio: ca / cb, Filled: !(fa && fb)})
	}
	if n := len(out); n > 0 && (e.small.intraForming || e.large.intraForming) {
		out[n-1].Forming = true
	}
	return out
}

// flagSnapshot returns the flags, sharing the previous snapshot's slice when
// no flag changed.
func (e *Engine) flagSnapshot() []Flag {
	var all [nFlags]Flag
	cur := all[:]
	if e.bm == nil {
		cur = all[:fBreadthAbove] // the breadth flags need a universe
	}
	for k := range cur {
		f := e.flags[k]
		cur[k] = Flag{ID: FlagIDs[k], State: f.state, Value: f.value, Threshold: f.thr, Text: e.texts[k], Partial: f.partial, Note: f.note}
		switch k {
		case fBreadth:
			if !f.value.Valid && f.covered > 0 {
				cur[k].Note = coverageNote(f.covered, f.pairs)
			}
		case fBreadthThrust:
			if b := e.bm.Breadth(); b != nil && b.LastThrust != nil && !e.breadthPartial() {
				cur[k].Note = thrustNote(f.state != FlagOff, *b.LastThrust)
			}
		}
		if f.state != FlagOff && !f.since.IsZero() {
			cur[k].Since = f.since.Format("2006-01-02")
		}
		if r := e.runs[k]; !r.date.IsZero() {
			c := e.closes[k]
			cur[k].CloseDate, cur[k].Closed, cur[k].CloseValue, cur[k].CloseThreshold = c.date, c.at, r.value, r.thr
			cur[k].CloseNote = r.note
		}
	}
	if slices.Equal(e.pub.flags, cur) {
		return e.pub.flags
	}
	e.pub.flags = append([]Flag(nil), cur...)
	return e.pub.flags
}

func returnsOf(l symLive) Returns {
	return Returns{D1: l.ret[0], W1: l.ret[1], M1: l.ret[2], M3: l.ret[3]}
}

func diffRet(a, b Returns) Returns {
	return Returns{D1: leadOf(a.D1, b.D1), W1: leadOf(a.W1, b.W1), M1: leadOf(a.M1, b.M1), M3: leadOf(a.M3, b.M3)}
}

func (e *Engine) sectorSnapshot() []SectorSnapshot {
	out := make([]SectorSnapshot, 0, len(e.sectors))
	bs, bl := returnsOf(e.small.live), returnsOf(e.large.live)
	for _, sp := range e.sectors {
		sr, lr := returnsOf(sp.small.live), returnsOf(sp.large.live)
		ss := SectorSnapshot{
			Sector: sp.pair.Name, Large: sp.pair.Large, Small: sp.pair.Small,
			LargeRet: lr, SmallRet: sr, Spread: diffRet(sr, lr),
			SmallVsBench: diffRet(sr, bs), LargeVsBench: diffRet(lr, bl),
			SmallDollarVol20: sp.small.dollar20,
		}
		ss.Thin = ss.SmallDollarVol20.Valid && ss.SmallDollarVol20.V < e.cfg.Thresholds.ThinDollarVolume
		out = append(out, ss)
	}
	return out
}

// startsNotice begins the notice of a symbol whose data starts later.
const startsNotice = "data starts "
