package engine

import (
	"sort"
	"time"
)

// Intraday input. A feed's 1-minute bars reach the engine in one of two
// forms:
//
//   - the whole day (Input.Intraday, LoadIntraday): each symbol's bars are
//     its day so far and replace today's bars — a poll of Yahoo's chart,
//     the intraday part of a history;
//   - updates (Input.IntradayUpdates, UpdateIntraday): a streaming feed's
//     new and corrected minutes in one flat slice. Each bar replaces
//     today's bar of its minute or is added; the others stay, so a feed
//     sends each minute once instead of the whole day every minute, and
//     batches coalesce by appending. A bar of a later trading date starts
//     the day over; one of an earlier day is ignored. (A minute is removed
//     only by sending the symbol's whole day.)
//
// Either way the bars are aggregated to Config.Intraday (for 5- and
// 15-minute bars the day's 1-minute bars are kept, so a corrected minute
// re-aggregates its bar), the symbol's intraday bar builder continues from
// them, and today's daily bar is widened by them: the forming one, or —
// once the day has closed — the closed one (a consolidated feed's late
// minutes raise its volume: see volume.go).

// LoadIntraday replaces today's intraday bars of the symbols in bars (the
// whole-day form above); only the bars of the latest trading date in each
// series are kept. If a symbol has no daily bar for that date yet, a
// forming daily bar is built from them; if it has one, its high, low and
// volume are widened by them.
func (e *Engine) LoadIntraday(bars map[string][]Bar) {
	keys := make([]string, 0, len(bars))
	for k := range bars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, sym := range keys {
		in := bars[sym]
		if s := e.intradaySym(sym, in); s != nil {
			e.intradayRun(s, in, true)
		}
	}
	e.afterIntraday()
}

// UpdateIntraday merges a streaming feed's new and corrected 1-minute bars
// (the updates form above), a run of one symbol's bars (consecutive, in
// time order) at a time. A breadth member's runs are left to
// memberIntraday; an unknown symbol's or an invalid run is reported.
func (e *Engine) UpdateIntraday(bars []Bar) {
	for i := 0; i < len(bars); {
		j := i + 1
		for j < len(bars) && bars[j].Symbol == bars[i].Symbol && bars[j].Time.After(bars[j-1].Time) {
			j++
		}
		run := bars[i:j]
		i = j
		if s := e.intradaySym(run[0].Symbol, run); s != nil {
			e.intradayRun(s, run, false)
		}
	}
	e.afterIntraday()
}

// afterIntraday brings the model up to date after intraday bars: settle
// when a closed daily bar was widened (it refreshes everything), else the
// live values.
func (e *Engine) afterIntraday() {
	if e.closedDirty || e.pairRebuild {
		e.settle()
		return
	}
	e.refreshAll()
}

// intradaySym returns the watched symbol whose intraday bars in are, or
// nil when they are a breadth member's (memberIntraday takes them), an
// unknown symbol's or invalid (reported as a live error), or empty.
func (e *Engine) intradaySym(sym string, in []Bar) *symState {
	i, ok := e.index[sym]
	if !ok && e.bm != nil && e.bm.IsMember(sym) {
		return nil
	}
	if !ok {
		e.noteErr(sym, "intraday: not in the watchlist", true)
		return nil
	}
	if len(in) == 0 {
		return nil
	}
	if err := validateBars(in); err != nil {
		e.noteErr(sym, "intraday: "+err.Error(), true)
		return nil
	}
	return e.syms[i]
}

// intradayRun applies one symbol's valid intraday bars (oldest first): the
// whole day (whole) or a run of updates.
func (e *Engine) intradayRun(s *symState, in []Bar, whole bool) {
	if s.liveErr {
		e.clearErr(s.sym, true) // valid bars: the feed recovered
	}
	date := e.cal.TradingDate(in[len(in)-1].Time)
	first := sort.Search(len(in), func(k int) bool { return !e.cal.TradingDate(in[k].Time).Before(date) })
	in = in[first:]
	switch {
	case whole || s.intraDate.IsZero() || date.After(s.intraDate):
		e.setIntraday(s, in, date, !whole)
	case date.Before(s.intraDate):
		return // minutes of an earlier day: not shown any more
	default:
		e.mergeIntraday(s, in)
	}
	s.intraVer++
	closed, n := s.intra, len(s.intra)
	var forming *Bar
	if s.intraForming { // a quote-built minute after the feed's bars: the builder continues it
		closed, forming = s.intra[:n-1], &s.intra[n-1]
	}
	s.intraB.Seed(closed, forming)
	last := in[len(in)-1]
	if last.Time.After(s.dataTime) {
		s.dataTime = last.Time
	}
	// Today's daily bar from the intraday bars: built if the symbol has
	// none yet, else widened (a spike between two polls is in the bars
	// but not in the quotes).
	f := Bar{Symbol: s.sym, Time: date, Open: s.intra[0].Open, High: s.intra[0].High, Low: s.intra[0].Low, Close: s.intra[n-1].Close}
	for k := range s.intra {
		b := &s.intra[k]
		f.High = max(f.High, b.High)
		f.Low = min(f.Low, b.Low)
		f.Volume += b.Volume
	}
	// The newest 1-minute bar's volume is known as of its end (or now, if
	// that is earlier: the feed's current minute).
	at := last.Time.Add(time.Minute)
	if !e.now.IsZero() && e.now.Before(at) && e.now.After(last.Time) {
		at = e.now
	}
	switch nd := len(s.daily); {
	case s.hasForm:
		if m, ok := s.dailyB.MergeForming(f); ok {
			s.forming = m
			s.noteFormAt(at)
		}
	case nd == 0 || s.daily[nd-1].Time.Before(date):
		s.forming, s.hasForm = f, true
		s.formAt = at
		s.dailyB.Seed(s.daily, &f)
	case s.daily[nd-1].Time.Equal(date):
		e.widenClosed(s, f)
	}
	e.setCons(s)
}

// setIntraday makes in (the bars of trading date date) today's bars; a
// day begun by updates gets room for the whole session, so the day's
// updates never move it.
func (e *Engine) setIntraday(s *symState, in []Bar, date time.Time, updates bool) {
	size := len(in) + 16
	if updates {
		size = max(len(in), sessionBars(e.cfg.Intraday))
	}
	agg := aggregateInto(make([]Bar, 0, size), in, e.cfg.Intraday, s.sym)
	if !date.Equal(s.intraDate) || !extendsCloses(agg, s.pubCloses) {
		s.pubCloses = nil // published snapshots keep the old array
	}
	s.intra, s.intraForming, s.intraDate = agg, false, date
	if e.cfg.Intraday != Minute1 {
		if cap(s.min1) == 0 {
			s.min1 = make([]Bar, 0, sessionBars(Minute1))
		}
		s.min1 = aggregateInto(s.min1[:0], in, Minute1, s.sym)
	}
}

// mergeIntraday merges in (bars of today, oldest first) into today's
// bars: each replaces the bar of its minute (its bar of Config.Intraday,
// re-aggregated from the day's minutes) or is added. It allocates only
// when the day outgrows its array.
func (e *Engine) mergeIntraday(s *symState, in []Bar) {
	tf := e.cfg.Intraday
	src := in
	if tf != Minute1 { // re-aggregate the bars the run touches from the day's minutes
		if len(s.min1) > 0 && !e.cal.TradingDate(s.min1[0].Time).Equal(s.intraDate) {
			s.min1 = s.min1[:0]
		}
		run := aggregateInto(e.runBuf[:0], in, Minute1, s.sym)
		e.runBuf = run[:0]
		s.min1 = mergeBars(s.min1, run, sessionBars(Minute1))
		d := tf.Duration()
		from, to := run[0].Time.Truncate(d), run[len(run)-1].Time.Truncate(d).Add(d)
		lo := sort.Search(len(s.min1), func(k int) bool { return !s.min1[k].Time.Before(from) })
		hi := sort.Search(len(s.min1), func(k int) bool { return !s.min1[k].Time.Before(to) })
		src = s.min1[lo:hi]
	}
	agg := aggregateInto(e.aggBuf[:0], src, tf, s.sym)
	e.aggBuf = agg[:0]
	n := len(s.intra)
	if n > 0 && !agg[len(agg)-1].Time.Before(s.intra[n-1].Time) {
		s.intraForming = false // the feed's bar replaces a quote-built one, or comes after it
	}
	lo := sort.Search(n, func(k int) bool { return !s.intra[k].Time.Before(agg[0].Time) })
	s.intra = mergeBars(s.intra, agg, sessionBars(tf))
	// Published closes stay as they are: a snapshot gets a new array when
	// one of them changed or moved.
	for k := lo; k < len(s.pubCloses); k++ {
		if s.pubCloses[k] != s.intra[k].Close {
			s.pubCloses = nil
			break
		}
	}
}

// mergeBars merges src into dst (both oldest first, times strictly
// increasing): a bar of src replaces dst's bar of the same time or is
// inserted. In place, from the back, when dst's array has room; a new
// array has room for at least room bars (a session's).
func mergeBars(dst, src []Bar, room int) []Bar {
	n, m := len(dst), len(src)
	if n+m > cap(dst) {
		grown := make([]Bar, n, max(room, n+m+(n+m)/4+16))
		copy(grown, dst)
		dst = grown
	}
	if n == 0 || dst[n-1].Time.Before(src[0].Time) { // the usual case: new minutes after the day's
		return append(dst, src...)
	}
	lo := sort.Search(n, func(k int) bool { return !dst[k].Time.Before(src[0].Time) })
	added := m // src's times not in dst
	for i, j := lo, 0; i < n && j < m; {
		switch {
		case dst[i].Time.Before(src[j].Time):
			i++
		case dst[i].Time.Equal(src[j].Time):
			added--
			i++
			j++
		default:
			j++
		}
	}
	size := n + added
	out := dst[:size] // room: n+m ≥ size

	i, j := n-1, m-1
	for k := size - 1; j >= 0; k-- {
		switch {
		case i >= lo && dst[i].Time.After(src[j].Time):
			out[k] = dst[i]
			i--
		case i >= lo && dst[i].Time.Equal(src[j].Time):
			out[k] = src[j]
			i--
			j--
		default:
			out[k] = src[j]
			j--
		}
	}
	return out
}

// widenClosed raises today's closed daily bar to the high, low and volume
// of its intraday bars f (they arrived after the close, e.g. Alpaca's
// consolidated minutes 15 minutes late): a revision, rare.
func (e *Engine) widenClosed(s *symState, f Bar) {
	d := s.daily[len(s.daily)-1]
	w := d
	w.High, w.Low, w.Volume = max(d.High, f.High), min(d.Low, f.Low), max(d.Volume, f.Volume)
	if w == d {
		return
	}
	s.dailyB.MergeClosed(f) // a late quote then revises the widened bar
	s.revise(w)
	e.closedDirty, s.rebuilt = true, true
	if s == e.small || s == e.large {
		e.pairRebuild = true
	}
}

// extendsCloses reports whether bars start with the closes pub (a feed's
// poll that repeats today's published bars and adds newer ones), so the
// snapshots' shared array can be kept and extended.
func extendsCloses(bars []Bar, pub []float64) bool {
	if len(bars) < len(pub) {
		return false
	}
	for i, c := range pub {
		if bars[i].Close != c {
			return false
		}
	}
	return true
}

// sessionBars is how many tf bars a regular session has (and one more).
func sessionBars(tf Timeframe) int { return int(fullSessionMinutes*time.Minute/tf.Duration()) + 1 }

// aggregateInto is aggregate appending to out.
func aggregateInto(out, in []Bar, tf Timeframe, sym string) []Bar {
	d := tf.Duration()
	for _, b := range in {
		b.Symbol = sym
		k := b.Time.Truncate(d)
		if n := len(out); n > 0 && out[n-1].Time.Equal(k) {
			o := &out[n-1]
			o.High = max(o.High, b.High)
			o.Low = min(o.Low, b.Low)
			o.Close = b.Close
			o.Volume += b.Volume
			continue
		}
		b.Time = k
		out = append(out, b)
	}
	return out
}
