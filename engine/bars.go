package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// ringSize is how many recent closed bars a BarBuilder keeps so that a late
// quote can still revise them ("within the last ~30 bars").
const ringSize = 32

// builtBar is a bar plus the bookkeeping the builder needs to extend it.
type builtBar struct {
	bar      Bar
	startCum float64   // intraday: cumulative day volume before this bar
	last     time.Time // exchange time of the newest quote folded into the bar
	end      time.Time // instant the bar's period ends (the session close for daily bars)
}

// sessionCache remembers the regular session of one New York calendar day so
// that the per-quote path does not ask the calendar again.
type sessionCache struct {
	valid          bool
	dayStart       time.Time // NY midnight of the cached calendar day
	dayEnd         time.Time // NY midnight of the next calendar day
	trading        bool
	open, close    time.Time
	tradingDateKey time.Time // NY midnight of the trading date (== dayStart when trading)
}

func (c *sessionCache) lookup(cal *calendar.Calendar, loc *time.Location, t time.Time) {
	if c.valid && !t.Before(c.dayStart) && t.Before(c.dayEnd) {
		return
	}
	nt := t.In(loc)
	y, m, d := nt.Date()
	c.dayStart = time.Date(y, m, d, 0, 0, 0, 0, loc)
	c.dayEnd = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	c.open, c.close, c.trading = cal.Session(t)
	c.tradingDateKey = c.dayStart
	c.valid = true
}

// BarBuilder turns the quotes of one symbol into bars of one timeframe and
// reports what happened as BarEvents: every quote yields a BarForming event
// for the live bar (or a BarRevised event when it changes a recently closed
// bar; a late quote that changes nothing yields no event); a bar closes (BarClosed) when the first quote of a later bar
// arrives or when Advance passes the end of its period.
//
// Only quotes inside the regular session are used (pre-market and after-hours
// prints would distort the day's OHLC). Daily bars are keyed by the NY trading
// date and close at the session close (13:00 on early-close days); their
// volume is the cumulative day volume. Intraday bars are keyed by their start
// (aligned to the timeframe in exchange time) and their volume is the
// difference of the cumulative day volume.
//
// A BarBuilder is not safe for concurrent use. Add and Advance append to the
// slice they are given and do not allocate when it has room.
type BarBuilder struct {
	sym  string
	tf   Timeframe
	dur  time.Duration
	cal  *calendar.Calendar
	loc  *time.Location
	sess sessionCache

	forming    builtBar
	hasForming bool

	ring [ringSize]builtBar // recent closed bars, oldest first
	rn   int

	cum     float64   // intraday: highest cumulative day volume seen on cumDate
	cumDate time.Time // trading date cum belongs to
	dropped int       // late quotes older than the ring (ignored)
}

// NewBarBuilder returns a builder of tf bars for symbol.
func NewBarBuilder(symbol string, tf Timeframe, cal *calendar.Calendar) (*BarBuilder, error) {
	if cal == nil {
		return nil, fmt.Errorf("engine: bar builder %s: nil calendar", symbol)
	}
	if tf != Daily && tf.Duration() <= 0 {
		return nil, fmt.Errorf("engine: bar builder %s: unsupported timeframe %v", symbol, tf)
	}
	return &BarBuilder{sym: symbol, tf: tf, dur: tf.Duration(), cal: cal, loc: calendar.Location()}, nil
}

// Dropped returns how many late quotes were too old to revise a bar.
func (b *BarBuilder) Dropped() int { return b.dropped }

// Forming returns the live, unfinished bar.
func (b *BarBuilder) Forming() (Bar, bool) { return b.forming.bar, b.hasForming }

// keyOf returns the bar key (start) and end of the bar a quote at t belongs
// to; ok is false outside the regular session.
func (b *BarBuilder) keyOf(t time.Time) (key, end time.Time, ok bool) {
	b.sess.lookup(b.cal, b.loc, t)
	s := &b.sess
	if !s.trading || t.Before(s.open) || t.After(s.close) {
		return time.Time{}, time.Time{}, false
	}
	if b.tf == Daily {
		return s.tradingDateKey, s.close, true
	}
	if !t.Before(s.close) { // a print stamped exactly at the close belongs to the last bar
		t = s.close.Add(-time.Nanosecond)
	}
	key = t.Truncate(b.dur)
	end = key.Add(b.dur)
	if end.After(s.close) {
		end = s.close
	}
	return key, end, true
}

// Seed replaces the builder's memory with recent closed bars (oldest first;
// only the last ringSize are kept) and an optional forming bar, e.g. after a
// history load, so late quotes can revise them and new quotes continue them.
// An intraday builder counts the cumulative day volume before the forming
// bar from all the closed bars of its day, so a quote's DayVolume splits
// into bars as it would have live.
func (b *BarBuilder) Seed(closed []Bar, forming *Bar) {
	b.rn = 0
	b.hasForming = false
	b.cum, b.cumDate = 0, time.Time{}
	ring := closed
	if len(ring) > ringSize {
		ring = ring[len(ring)-ringSize:]
	}
	dayFrom := len(closed) // the first closed bar of the newest day
	if b.tf != Daily && len(closed) > 0 {
		b.cumDate = b.cal.TradingDate(closed[len(closed)-1].Time)
		for dayFrom > 0 && !closed[dayFrom-1].Time.Before(b.cumDate) {
			dayFrom--
			b.cum += closed[dayFrom].Volume
		}
	}
	before := b.cum // the day's volume before each ring bar, counted down
	for k := len(ring) - 1; k >= 0 && b.tf != Daily && len(closed)-len(ring)+k >= dayFrom; k-- {
		before -= ring[k].Volume
	}
	for k, c := range ring {
		// A loaded daily bar is final: its last print is taken to be at the
		// close, so a late quote widens it but does not replace its close.
		// Loaded intraday bars may be incomplete (a feed's current minute):
		// newer quotes inside them do set the close.
		end := b.endOf(c.Time)
		bb := builtBar{bar: c, last: c.Time, end: end}
		if b.tf == Daily {
			bb.last = end
		} else if len(closed)-len(ring)+k >= dayFrom {
			bb.startCum = before
			before += c.Volume
		}
		bb.bar.Symbol = b.sym
		b.ring[b.rn] = bb
		b.rn++
	}
	if forming != nil {
		b.forming = builtBar{bar: *forming, last: forming.Time, end: b.endOf(forming.Time)}
		b.forming.bar.Symbol = b.sym
		if b.tf != Daily && !forming.Time.Before(b.cumDate) {
			b.forming.startCum = b.cum
		}
		b.hasForming = true
	}
}

// endOf returns the end of the bar starting at (daily: dated) t (the
// session of t's day is remembered: a Seed of a day's bars asks the
// calendar once).
func (b *BarBuilder) endOf(t time.Time) time.Time {
	b.sess.lookup(b.cal, b.loc, t)
	s := &b.sess
	if b.tf == Daily {
		if s.trading {
			return s.close
		}
		return t.Add(24 * time.Hour)
	}
	end := t.Add(b.dur)
	if s.trading && end.After(s.close) {
		end = s.close
	}
	return end
}

// Add folds a quote into the bars and appends the resulting events to out.
// The quote must already be validated (finite positive price, finite
// non-negative volume). Quotes outside the regular session produce nothing.
func (b *BarBuilder) Add(q Quote, out []BarEvent) []BarEvent {
	key, end, ok := b.keyOf(q.Time)
	if !ok {
		return out
	}
	if b.tf != Daily && !b.sess.tradingDateKey.Equal(b.cumDate) {
		b.cumDate, b.cum = b.sess.tradingDateKey, 0
	}
	switch {
	case b.hasForming && key.Equal(b.forming.bar.Time):
		b.extend(&b.forming, q)
		out = append(out, BarEvent{Kind: BarForming, Timeframe: b.tf, Bar: b.forming.bar})
	case b.hasForming && key.Before(b.forming.bar.Time), b.rn > 0 && !key.After(b.ring[b.rn-1].bar.Time):
		out = b.revise(key, end, q, out)
	default:
		if b.hasForming {
			out = b.closeForming(out)
		}
		b.forming = builtBar{
			bar:      Bar{Symbol: b.sym, Time: key, Open: q.Price, High: q.Price, Low: q.Price, Close: q.Price},
			startCum: b.cum,
			last:     q.Time,
			end:      end,
		}
		b.forming.bar.Volume = b.volume(&b.forming, q)
		b.hasForming = true
		out = append(out, BarEvent{Kind: BarForming, Timeframe: b.tf, Bar: b.forming.bar})
	}
	if b.tf != Daily && q.DayVolume > b.cum {
		b.cum = q.DayVolume
	}
	return out
}

// volume returns the bar volume implied by q's cumulative day volume.
func (b *BarBuilder) volume(bb *builtBar, q Quote) float64 {
	if b.tf == Daily {
		return math.Max(bb.bar.Volume, q.DayVolume)
	}
	return math.Max(bb.bar.Volume, q.DayVolume-bb.startCum)
}

// extend folds q into bb (high/low always; close only if q is not older than
// the newest quote already in the bar).
func (b *BarBuilder) extend(bb *builtBar, q Quote) {
	p := q.Price
	if p > bb.bar.High {
		bb.bar.High = p
	}
	if p < bb.bar.Low {
		bb.bar.Low = p
	}
	if !q.Time.Before(bb.last) {
		bb.bar.Close = p
		bb.last = q.Time
	}
	bb.bar.Volume = b.volume(bb, q)
}

// revise applies a late quote to a recently closed bar (or inserts the bar if
// the period had none) and emits BarRevised.
func (b *BarBuilder) revise(key, end time.Time, q Quote, out []BarEvent) []BarEvent {
	for i := b.rn - 1; i >= 0; i-- {
		t := b.ring[i].bar.Time
		if t.Equal(key) {
			before := b.ring[i].bar
			b.extend(&b.ring[i], q)
			if b.ring[i].bar == before {
				return out // e.g. the closing print polled again after the close
			}
			return append(out, BarEvent{Kind: BarRevised, Timeframe: b.tf, Bar: b.ring[i].bar})
		}
		if t.Before(key) {
			// A period that had no bar: insert after i.
			nb := builtBar{
				bar:  Bar{Symbol: b.sym, Time: key, Open: q.Price, High: q.Price, Low: q.Price, Close: q.Price},
				last: q.Time, end: end, startCum: b.ring[i].startCum + b.ring[i].bar.Volume,
			}
			nb.bar.Volume = b.volume(&nb, q)
			at := i + 1
			if b.rn == ringSize {
				copy(b.ring[:at-1], b.ring[1:at])
				at--
			} else {
				copy(b.ring[at+1:b.rn+1], b.ring[at:b.rn])
				b.rn++
			}
			b.ring[at] = nb
			return append(out, BarEvent{Kind: BarRevised, Timeframe: b.tf, Bar: nb.bar})
		}
	}
	b.dropped++
	return out
}

// closeForming moves the forming bar into the ring and emits BarClosed.
func (b *BarBuilder) closeForming(out []BarEvent) []BarEvent {
	if b.rn == ringSize {
		copy(b.ring[:], b.ring[1:])
		b.rn--
	}
	b.ring[b.rn] = b.forming
	b.rn++
	b.hasForming = false
	return append(out, BarEvent{Kind: BarClosed, Timeframe: b.tf, Bar: b.forming.bar})
}

// Advance closes the forming bar if its period has ended at now (intraday: at
// the bar's end; daily: at the session close, 13:00 on early-close days).
func (b *BarBuilder) Advance(now time.Time, out []BarEvent) []BarEvent {
	if b.hasForming && !now.Before(b.forming.end) {
		out = b.closeForming(out)
	}
	return out
}

// MergeClosed widens the recent closed bar with bar's start like
// MergeForming; ok is false when the builder does not hold that bar or
// nothing changed.
func (b *BarBuilder) MergeClosed(bar Bar) (Bar, bool) {
	for i := b.rn - 1; i >= 0; i-- {
		r := &b.ring[i].bar
		if r.Time.Equal(bar.Time) {
			old := *r
			r.High = max(r.High, bar.High)
			r.Low = min(r.Low, bar.Low)
			r.Volume = max(r.Volume, bar.Volume)
			return *r, *r != old
		}
		if r.Time.Before(bar.Time) {
			break
		}
	}
	return Bar{}, false
}

// MergeForming widens the forming bar with a summary of the same period from
// another source (e.g. the day's 1-minute bars from a feed): the high and low
// are extended and the volume raised to bar's if larger; open and close stay
// as built from quotes. It reports the merged bar; ok is false (and nothing
// changes) when there is no forming bar with bar's start.
func (b *BarBuilder) MergeForming(bar Bar) (Bar, bool) {
	if !b.hasForming || !b.forming.bar.Time.Equal(bar.Time) {
		return Bar{}, false
	}
	f := &b.forming.bar
	f.High = max(f.High, bar.High)
	f.Low = min(f.Low, bar.Low)
	f.Volume = max(f.Volume, bar.Volume)
	return *f, true
}
