package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
)

// Study is the "Now what?" hook (engine/study.Compute).
type Study func(engine.PairSeries) (*engine.Risk, *engine.Analogs)

// BuildOptions configures BuildSnapshot.
type BuildOptions struct {
	Feed     feeds.Feed
	Config   engine.Config
	Calendar *calendar.Calendar
	Study    Study     // may be nil
	AsOf     time.Time // zero: the latest bar; else only daily bars dated on or before AsOf's New York date
	Now      time.Time // the wall clock, used as "now" for a live feed without AsOf
	// QuoteWait, when > 0, makes a live feed without AsOf also take its
	// first batch of quotes (waiting at most this long) while the market is
	// in a session, so the result carries today's prices rather than the
	// last close.
	QuoteWait time.Duration
	// Breadth, Universe and Confirm add the breadth universe and the
	// confirmation strip (any may be nil): the members list and the series
	// load first; a demo or replay feed's members load in full, a live
	// feed's only from its cache (Breadth.Cached: never 2,000 requests for
	// one snapshot).
	Breadth  *Breadth
	Universe engine.BreadthModel
	Confirm  engine.ConfirmModel
	// QuoteSymbols, if set, are the symbols a live feed is asked quotes for
	// (default: every symbol); `capwatch status` asks the pair's only.
	QuoteSymbols []string
}

// BuildSnapshot loads the feed's history and computes, through the same
// engine path as the dashboard, everything the dashboard would show at the
// latest (or AsOf) bar. For replay feeds, and whenever AsOf is set, "now"
// is the end (20:00 New York) of the newest bar's date, so the result is
// fully determined by the data. The demo is read as its dashboard shows it
// at start (with QuoteWait > 0): the history and the first batch of quotes
// of the simulated day, "now" at their time. Symbols without data end up in
// Snapshot.Errors; the rest still computes.
func BuildSnapshot(ctx context.Context, o BuildOptions) (*engine.Snapshot, error) {
	if o.Feed == nil || o.Calendar == nil {
		return nil, errors.New("snapshot: feed and calendar are required")
	}
	o.Feed = feeds.Sanitized(o.Feed) // the feed → engine boundary: every string clean
	eng, err := engine.New(o.Config, o.Calendar)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if o.Study != nil {
		eng.SetStudy(o.Study)
	}
	if o.Universe != nil {
		eng.SetBreadth(o.Universe)
	}
	if o.Confirm != nil {
		eng.SetConfirm(o.Confirm)
	}
	syms := o.Config.Symbols()
	h, err := o.Feed.History(ctx, syms)
	if err != nil {
		if strings.HasPrefix(err.Error(), o.Feed.Name()+":") { // "yahoo: history: …" names itself
			return nil, err
		}
		return nil, fmt.Errorf("load history from %s: %w", o.Feed.Name(), err)
	}
	daily := h.Daily
	intraday := h.Intraday
	starts := h.Starts // data that begins later: a notice, not an error
	if !o.AsOf.IsZero() {
		if first, last := DataSpan(daily); !first.IsZero() {
			if err := CheckAsOf(o.AsOf, first, last); err != nil {
				return nil, err
			}
		}
		cut := CutDaily(daily, o.AsOf)
		for sym, bars := range daily { // all after AsOf: it starts later
			if len(bars) > 0 && len(cut[sym]) == 0 {
				if starts == nil {
					starts = map[string]time.Time{}
				}
				starts[sym] = bars[0].Time
				delete(cut, sym)
			}
		}
		daily = cut
		intraday = nil
	}
	now := o.Now
	if o.Feed.Kind() != feeds.KindLive || !o.AsOf.IsZero() || now.IsZero() {
		if end := lastBarEnd(daily); !end.IsZero() {
			now = end
		}
	}
	inp := engine.Input{Now: now, Daily: daily, Intraday: intraday, Errors: h.Errors, Feed: o.Feed.Name(), Skipped: h.Skipped,
		Starts: starts, Provenance: h.Provenance}
	// The engine runs while the members load: each batch of their bars is
	// applied (kept as closes) and dropped before the next is loaded, never
	// all 600 demo members' bars at once (BENCHMARKS.md "Memory").
	runCtx, stop := context.WithCancel(ctx)
	in := make(chan engine.Input, 1)
	ran := make(chan error, 1)
	var snap *engine.Snapshot
	go func() { ran <- eng.Run(runCtx, in, func(s *engine.Snapshot) { snap = s }) }()
	running := true
	defer func() {
		if running { // an early return: stop the engine and wait for it
			stop()
			<-ran
		}
		stop()
	}()
	send := func(x engine.Input) error {
		select {
		case in <- x:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	qsyms := syms
	if o.Breadth != nil {
		all, err := oneShotBreadth(ctx, o, &inp, send)
		if err != nil {
			return nil, err
		}
		if o.Breadth.Stream { // the members' first quotes, as the dashboard's stream has them
			qsyms = append(slices.Clip(syms), all...)
		}
	}
	if o.QuoteWait > 0 && o.Feed.Kind() == feeds.KindLive && o.AsOf.IsZero() && o.Calendar.StateAt(now) != calendar.Closed {
		qs := syms
		if len(o.QuoteSymbols) > 0 {
			qs = o.QuoteSymbols
		}
		b := firstQuotes(ctx, o.Feed, qs, o.QuoteWait)
		inp.Quotes = b.Quotes
		inp.Errors = append(inp.Errors, b.Errors...)
		if days := wholeDays(b.Bars); len(days) > 0 {
			if inp.Intraday == nil {
				inp.Intraday = map[string][]engine.Bar{}
			}
			for sym, day := range days { // the stream's day replaces the history's
				inp.Intraday[sym] = day
			}
		}
		inp.IntradayUpdates = b.Updates
		if b.Status.Provenance != nil { // what the stream says about today's volume
			inp.Provenance = b.Status.Provenance
		}
	}
	if o.QuoteWait > 0 && o.Feed.Kind() == feeds.KindDemo {
		// The demo is read as its dashboard shows it at start: the history
		// and the first quotes of the simulated day, at their time.
		b := firstQuotes(ctx, o.Feed, qsyms, o.QuoteWait)
		inp.Quotes = b.Quotes
		for _, q := range b.Quotes {
			if q.Time.After(inp.Now) {
				inp.Now = q.Time
			}
		}
	}
	if err := send(inp); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	close(in)
	running = false
	if err := <-ran; err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if snap == nil {
		return nil, errors.New("snapshot: the engine published nothing")
	}
	return snap, nil
}

// firstQuotes runs the feed's Stream until its first batch with quotes, at
// most wait long, and returns that batch (empty on timeout or failure).
// oneBatch is a channel holding just b (for drain).
func oneBatch(b feeds.Batch) <-chan feeds.Batch {
	ch := make(chan feeds.Batch, 1)
	ch <- b
	return ch
}

func firstQuotes(ctx context.Context, f feeds.Feed, syms []string, wait time.Duration) feeds.Batch {
	ctx, cancel := context.WithTimeout(ctx, wait)
	out := make(chan feeds.Batch, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Stream(ctx, syms, out)
	}()
	defer func() {
		cancel()
		<-done
	}()
	var acc feeds.Batch // the bars of the batches before the first quotes
	for {
		select {
		case b := <-out:
			acc, _ = drain(acc, oneBatch(b))
			if len(b.Quotes) > 0 {
				return acc
			}
		case <-ctx.Done():
			return feeds.Batch{}
		case <-done:
			return feeds.Batch{}
		}
	}
}

// AsOfError is an --as-of date before all the data: there is nothing to
// show. It names the data's dates.
type AsOfError struct {
	AsOf, First, Last time.Time
}

func (e *AsOfError) Error() string {
	return fmt.Sprintf("--as-of %s is before the data, which runs from %s to %s",
		e.AsOf.Format(time.DateOnly), e.First.Format(time.DateOnly), e.Last.Format(time.DateOnly))
}

// CheckAsOf returns an *AsOfError when asOf's New York date is before
// first, the data's first date (last is its last date, for the message).
func CheckAsOf(asOf, first, last time.Time) error {
	loc := calendar.Location()
	y, m, d := asOf.In(loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if day.Before(first) {
		return &AsOfError{AsOf: day, First: first, Last: last}
	}
	return nil
}

// AfterData returns the note to show when the trading days up to asOf go
// beyond the data, whose newest point is at dataTime: "--as-of 2026-01-02
// is after the data's last date 2025-09-29" (else ""). A weekend or holiday
// asOf after the last trading day is not beyond the data.
func AfterData(asOf, dataTime time.Time, cal *calendar.Calendar) string {
	if asOf.IsZero() || dataTime.IsZero() {
		return ""
	}
	loc := calendar.Location()
	y, m, d := dataTime.In(loc).Date()
	last := time.Date(y, m, d, 0, 0, 0, 0, loc)
	y, m, d = asOf.In(loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if next := cal.NextTradingDate(last); next.After(day) {
		return ""
	}
	return fmt.Sprintf("--as-of %s is after the data's last date %s", day.Format(time.DateOnly), last.Format(time.DateOnly))
}

// DataSpan returns the earliest first and the latest last date of the
// daily series (zero when there is no bar).
func DataSpan(daily map[string][]engine.Bar) (first, last time.Time) {
	for _, bars := range daily {
		if n := len(bars); n > 0 {
			if first.IsZero() || bars[0].Time.Before(first) {
				first = bars[0].Time
			}
			if bars[n-1].Time.After(last) {
				last = bars[n-1].Time
			}
		}
	}
	return first, last
}

// CutDaily keeps, per symbol, the daily bars dated on or before asOf's New
// York date. The input is not modified.
func CutDaily(daily map[string][]engine.Bar, asOf time.Time) map[string][]engine.Bar {
	loc := calendar.Location()
	y, m, d := asOf.In(loc).Date()
	limit := time.Date(y, m, d, 0, 0, 0, 0, loc).AddDate(0, 0, 1) // exclusive
	out := make(map[string][]engine.Bar, len(daily))
	for sym, bars := range daily {
		n := len(bars)
		for n > 0 && !bars[n-1].Time.Before(limit) {
			n--
		}
		out[sym] = bars[:n:n]
	}
	return out
}

// endOfDay is 20:00 New York on t's New York date: after the after-hours
// session, when the day's bars are final.
func endOfDay(t time.Time) time.Time {
	loc := calendar.Location()
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 20, 0, 0, 0, loc)
}

// oneShotBreadth hands the members list and the members' histories to the
// engine through send, a batch at a time (so only a batch of bars is held),
// and adds the load's progress and the series to inp, which is sent last
// (see BuildOptions.Breadth). The members go first: their closes wait for
// the small leg's history in inp, as they would in the dashboard.
func oneShotBreadth(ctx context.Context, o BuildOptions, inp *engine.Input, send func(engine.Input) error) ([]string, error) {
	b := o.Breadth
	all := b.Members
	prog := engine.BreadthLoad{Note: b.Note}
	if b.List != nil {
		universe, list, err := b.List(ctx)
		if err != nil {
			prog.Error = "members list: " + err.Error()
		} else {
			all = list
			if err := send(engine.Input{MemberList: &engine.MemberList{Universe: universe, Members: list}}); err != nil {
				return nil, err
			}
		}
	}
	prog.Members = len(all)
	// later are the members whose data begins after AsOf: no data yet, not
	// failed (breadth_load.starts), as the dashboard's load counts them.
	later := map[string]time.Time{}
	apply := func(members map[string][]engine.Bar) error {
		if len(members) == 0 {
			return nil
		}
		if !o.AsOf.IsZero() {
			cut := CutDaily(members, o.AsOf)
			for s, bars := range members {
				if len(bars) > 0 && len(cut[s]) == 0 {
					later[s] = bars[0].Time
					delete(cut, s)
				}
			}
			members = cut
		}
		return send(engine.Input{Members: members})
	}
	rest := all
	if b.Cached != nil { // read cachedChunk at a time, as the dashboard does
		rest = nil
		for i := 0; i < len(all); i += cachedChunk {
			ask := all[i:min(i+cachedChunk, len(all))]
			cached := b.Cached(ask)
			have := make(map[string][]engine.Bar, len(cached))
			for _, s := range ask {
				if len(cached[s]) > 0 {
					have[s] = cached[s]
				} else {
					rest = append(rest, s)
				}
			}
			if err := apply(have); err != nil {
				return nil, err
			}
		}
	}
	if b.Load != nil && o.Feed.Kind() != feeds.KindLive {
		batch := b.Batch
		if batch <= 0 {
			batch = 50
		}
		for len(rest) > 0 {
			ask := rest[:min(batch, len(rest))]
			rest = rest[len(ask):]
			h, err := b.Load(ctx, ask)
			if err != nil {
				if ctx.Err() != nil {
					return nil, err
				}
				noteMembers(&prog, memberFailures(ask, feeds.History{}, err), nil, nil)
				continue
			}
			h = feeds.CleanHistory(h) // its messages are named on screen
			got := make(map[string][]engine.Bar, len(ask))
			for _, s := range ask {
				if bars := h.Daily[s]; len(bars) > 0 {
					got[s] = bars
				}
			}
			noteMembers(&prog, memberFailures(ask, h, nil), h.Skipped, ask)
			noteStarts(&prog, h.Starts)
			if err := apply(got); err != nil {
				return nil, err
			}
		}
	} else {
		prog.Failed += len(rest) // not cached yet: the note says so, no names
	}
	noteStarts(&prog, later)
	prog.Loaded, prog.Done = len(all), true
	if o.Feed.Kind() == feeds.KindLive && prog.Failed > 0 {
		prog.Note = "members not cached yet are left out (the dashboard loads them)"
	}
	inp.MembersLoad = &prog
	if b.Series != nil {
		series, err := b.Series(ctx)
		if err != nil && ctx.Err() != nil {
			return nil, err
		}
		if !o.AsOf.IsZero() {
			for id, obs := range series {
				n := len(obs)
				for n > 0 && obs[n-1].Time.After(o.AsOf) {
					n--
				}
				series[id] = obs[:n]
			}
		}
		inp.Series = series
		inp.SeriesErrors = SeriesErrors(err) // the strip's item says why, as in the dashboard
	}
	return all, nil
}
