// Package failover is a composite feeds.Feed ("auto"): it serves from the
// first of its sources (the preferred one) and, when the source serving has
// been down for longer than After, from the next one that answers — saying
// so in the status ("via yahoo (alpaca down 3m)") — and goes back to the
// preferred source as soon as it is healthy again. The pipeline needs no
// special case: it sees one feed.
//
// One continuous state goes to the engine whatever the switches:
//
//   - quotes older than the last one delivered for a symbol are dropped (a
//     delayed fallback never moves a price back in time);
//   - intraday bars are delivered as updates (feeds.Batch.Updates): each
//     replaces the bar of its minute delivered before or adds one, and the
//     others stay, so a switch neither duplicates a minute nor drops the
//     newest ones. A source's whole days (Batch.Bars: Yahoo's polls) are
//     passed on as updates too, since the day they would replace may hold
//     another source's newer minutes; streaming updates pass as they are.
//     (An update cannot remove a minute: a source that drops one — Alpaca,
//     for an IEX minute without a consolidated bar — keeps it shown.)
//   - batches are numbered in one sequence.
//
// Health: a source is down from its first StateDown status until its next
// status that is not down (or its Stream ending with an error). The
// preferred source keeps running while a fallback serves, so its recovery
// is seen at once; a fallback runs only while it is needed or being tried.
//
// History asks the sources in order: the first that loads anything serves,
// and symbols it could not load are asked of the next sources.
package failover

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/clock"
)

// DefaultAfter is how long the serving source may be down before the next
// one is tried (config failover_after).
const DefaultAfter = 2 * time.Minute

// Name is the composite feed's name (config feed = "auto").
const Name = "auto"

// Options configures a Feed.
type Options struct {
	// Sources in order of preference; the first is the preferred one. At
	// least one; all of the same Kind.
	Sources []feeds.Feed
	After   time.Duration // default DefaultAfter
	Clock   clock.Clock   // default clock.Real
	Log     *slog.Logger  // switches are logged at info (default: discarded)
}

// Feed is the composite feed. History and Stream may run concurrently.
type Feed struct {
	o Options
}

var _ feeds.Feed = (*Feed)(nil)

// New validates the options.
func New(o Options) (*Feed, error) {
	if len(o.Sources) == 0 {
		return nil, errors.New("failover: new: no sources")
	}
	names := map[string]bool{}
	for _, s := range o.Sources {
		if s == nil {
			return nil, errors.New("failover: new: nil source")
		}
		if s.Kind() != o.Sources[0].Kind() {
			return nil, fmt.Errorf("failover: new: %s is %v data, %s is %v", s.Name(), s.Kind(), o.Sources[0].Name(), o.Sources[0].Kind())
		}
		if names[s.Name()] {
			return nil, fmt.Errorf("failover: new: source %s listed twice", s.Name())
		}
		names[s.Name()] = true
	}
	if o.After < 0 {
		return nil, fmt.Errorf("failover: new: negative failover_after %v", o.After)
	}
	if o.After == 0 {
		o.After = DefaultAfter
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Feed{o: o}, nil
}

// Name is "auto".
func (f *Feed) Name() string { return Name }

// Kind is the sources' kind.
func (f *Feed) Kind() feeds.Kind { return f.o.Sources[0].Kind() }

// After is how long the serving source may be down before the next is tried.
func (f *Feed) After() time.Duration { return f.o.After }

// Sources returns the sources' names in order of preference.
func (f *Feed) Sources() []string {
	out := make([]string, len(f.o.Sources))
	for i, s := range f.o.Sources {
		out[i] = s.Name()
	}
	return out
}

// WatchPair passes a pair switch on to every source whose live data
// follows the pair (feeds.PairWatcher, e.g. Alpaca's capped trade
// subscription), serving or not: a source's running Stream follows at
// once, and a source started later starts with the pair.
func (f *Feed) WatchPair(small, large string) {
	for _, src := range f.o.Sources {
		feeds.WatchPair(src, small, large)
	}
}

var _ feeds.PairWatcher = (*Feed)(nil)

// History loads from the sources in order: the first one serves every
// symbol it can, the next ones are asked only for the rest. The error is
// set when no source loaded anything (it names each source's failure), or
// when ctx ends.
func (f *Feed) History(ctx context.Context, symbols []string) (feeds.History, error) {
	var (
		out   feeds.History
		fails []string
		errs  []error
	)
	missing := symbols
	for i, src := range f.o.Sources {
		if len(missing) == 0 {
			break
		}
		h, err := src.History(ctx, missing)
		if cerr := ctx.Err(); cerr != nil {
			return feeds.History{}, cerr
		}
		if err != nil {
			f.o.Log.Warn("failover: history", "source", src.Name(), "err", err)
			fails = append(fails, err.Error())
			errs = append(errs, err)
			continue
		}
		if i > 0 && len(h.Daily) > 0 {
			f.o.Log.Info("failover: history from a fallback", "source", src.Name(), "symbols", len(h.Daily))
		}
		if out.Daily == nil {
			out.Daily = map[string][]engine.Bar{}
		}
		for s, bars := range h.Daily {
			if len(bars) > 0 {
				out.Daily[s] = bars
			}
		}
		for s, bars := range h.Intraday {
			if out.Intraday == nil {
				out.Intraday = map[string][]engine.Bar{}
			}
			if _, ok := out.Intraday[s]; !ok {
				out.Intraday[s] = bars
			}
		}
		var still []string
		for _, s := range missing {
			if len(out.Daily[s]) == 0 {
				still = append(still, s)
			}
		}
		missing = still
		// The errors of the symbols still missing stand (the last source's
		// word on them); the others were served by this source.
		kept := out.Errors[:0:0]
		for _, e := range out.Errors {
			if len(out.Daily[e.Symbol]) == 0 && !hasErr(h.Errors, e.Symbol) {
				kept = append(kept, e)
			}
		}
		for _, e := range h.Errors {
			if len(out.Daily[e.Symbol]) == 0 {
				kept = append(kept, e)
			}
		}
		out.Errors = kept
	}
	if len(symbols) > 0 && len(out.Daily) == 0 {
		return out, &historyError{msg: "auto: history: " + strings.Join(fails, "; "), errs: errs}
	}
	return out, nil
}

func hasErr(es []engine.SymbolError, sym string) bool {
	for _, e := range es {
		if e.Symbol == sym {
			return true
		}
	}
	return false
}

// historyError is every source's history failure.
type historyError struct {
	msg  string
	errs []error
}

func (e *historyError) Error() string   { return e.msg }
func (e *historyError) Unwrap() []error { return e.errs }

// source is one source's state in a running Stream.
type source struct {
	feed      feeds.Feed
	idx       int
	gen       int                // incremented at each start: events of an earlier run are ignored
	cancel    context.CancelFunc // nil when not running
	done      chan struct{}
	ended     time.Time // when its Stream ended by itself (zero otherwise)
	downSince time.Time // since its first down status (zero while not down)
	badSince  time.Time // since its first status that was not OK (zero while OK)
	last      feeds.Status
	lastErrs  []engine.SymbolError // its last batch's (complete) per-symbol errors
}

// event is a batch (or the end) of one source's stream.
type event struct {
	idx, gen int
	b        feeds.Batch
	over     bool  // the Stream returned
	err      error // what it returned
}

// stream is the state of one Stream call (owned by its goroutine).
type stream struct {
	f       *Feed
	ctx     context.Context
	symbols []string
	srcs    []*source
	events  chan event
	active  int // the source serving
	out     chan<- feeds.Batch
	seq     uint64
	sent    feeds.Status // the last status sent

	lastQuote map[string]time.Time

	// Provenance: the last one a source stated, and what is said for a
	// source that states none while it serves after one that did (so the
	// engine never keeps the previous source's "IEX" for Yahoo's prices).
	prov     *engine.Provenance
	provFrom int
	said     map[int]*engine.Provenance
}

// Stream runs the preferred source's stream (and fallbacks when needed)
// and sends one sequence of batches to out until ctx is done; it never
// closes out and returns ctx.Err().
func (f *Feed) Stream(ctx context.Context, symbols []string, out chan<- feeds.Batch) error {
	ctx, cancel := context.WithCancel(ctx)
	s := &stream{f: f, ctx: ctx, symbols: symbols, out: out, events: make(chan event, 16),
		lastQuote: map[string]time.Time{}, said: map[int]*engine.Provenance{}}
	for i, fd := range f.o.Sources {
		s.srcs = append(s.srcs, &source{feed: fd, idx: i})
	}
	defer func() {
		cancel()
		for _, src := range s.srcs {
			s.stop(src)
		}
	}()
	s.start(s.srcs[0])
	return s.run()
}

// start runs src's Stream on its own context; its batches become events.
func (s *stream) start(src *source) {
	if src.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	src.gen++
	src.cancel, src.done, src.ended = cancel, make(chan struct{}), time.Time{}
	src.downSince, src.badSince, src.lastErrs = time.Time{}, time.Time{}, nil
	idx, gen, done := src.idx, src.gen, src.done
	emit := func(ev event) {
		select {
		case s.events <- ev:
		case <-ctx.Done():
		}
	}
	in := make(chan feeds.Batch)
	errc := make(chan error, 1)
	go func() { errc <- src.feed.Stream(ctx, s.symbols, in) }()
	go func() {
		defer close(done)
		for {
			select {
			case b := <-in:
				emit(event{idx: idx, gen: gen, b: b})
			case err := <-errc:
				if ctx.Err() == nil {
					emit(event{idx: idx, gen: gen, over: true, err: err})
				}
				return
			}
		}
	}()
	if src.idx > 0 {
		s.f.o.Log.Info("failover: trying a fallback", "source", src.feed.Name())
	}
}

// stop cancels src's Stream and waits for it to end.
func (s *stream) stop(src *source) {
	if src.cancel == nil {
		return
	}
	src.cancel()
	<-src.done
	src.cancel, src.done = nil, nil
}

// run is the event loop.
func (s *stream) run() error {
	var (
		timer   <-chan time.Time
		timerAt time.Time
	)
	for {
		select {
		case <-s.ctx.Done():
			return s.ctx.Err()
		case ev := <-s.events:
			src := s.srcs[ev.idx]
			if ev.gen != src.gen || src.cancel == nil {
				continue // from a run that was stopped
			}
			if err := s.handle(ev); err != nil {
				return err
			}
		case <-timer:
			timer, timerAt = nil, time.Time{}
		}
		s.probe()
		if at, ok := s.nextCheck(); !ok {
			timer, timerAt = nil, time.Time{}
		} else if !at.Equal(timerAt) {
			timer, timerAt = s.f.o.Clock.After(at.Sub(s.f.o.Clock.Now())), at
		}
	}
}

// handle applies one source event.
func (s *stream) handle(ev event) error {
	src := s.srcs[ev.idx]
	now := s.f.o.Clock.Now()
	b := ev.b
	if ev.over {
		src.cancel, src.done, src.ended = nil, nil, now
		msg := "stream ended"
		if ev.err != nil {
			msg = fmt.Sprintf("stream: %v", ev.err)
		}
		b = feeds.Batch{Status: feeds.Status{State: feeds.StateDown, LastError: msg}, Errors: src.lastErrs}
	}
	st := b.Status
	st.Feed = src.feed.Name()
	src.last, src.lastErrs = st, b.Errors
	if st.State == feeds.StateDown {
		if src.downSince.IsZero() {
			src.downSince = now
		}
	} else {
		src.downSince = time.Time{}
	}
	if st.State == feeds.StateOK {
		src.badSince = time.Time{}
	} else if src.badSince.IsZero() {
		src.badSince = now
	}
	from := s.srcs[s.active].feed.Name()
	switch {
	case ev.idx == s.active:
	case ev.idx == 0 && st.State == feeds.StateOK:
		// The preferred source is healthy again: back to it.
		s.f.o.Log.Info("failover: back to the preferred source", "source", src.feed.Name(), "from", from)
		s.active = 0
		for _, o := range s.srcs[1:] {
			s.stop(o)
		}
	case ev.idx > 0 && st.State != feeds.StateDown && s.activeDownFor(now) >= s.f.o.After:
		s.f.o.Log.Info("failover: switching", "to", src.feed.Name(), "from", from,
			"down_since", s.srcs[s.active].downSince, "reason", s.srcs[s.active].last.LastError)
		s.active = ev.idx
		for _, o := range s.srcs[1:] {
			if o.idx != s.active {
				s.stop(o)
			}
		}
	default:
		// A source not serving: only its health counts, and what the
		// serving source's status says about the preferred one.
		a := s.srcs[s.active]
		if d := s.decorate(a.last, now); d != s.sent {
			return s.send(feeds.Batch{Status: d, Errors: a.lastErrs}, false)
		}
		return nil
	}
	b.Status = s.decorate(st, now)
	return s.send(b, true)
}

// activeDownFor is how long the serving source has been down (0 if not).
func (s *stream) activeDownFor(now time.Time) time.Duration {
	a := s.srcs[s.active]
	if a.downSince.IsZero() {
		return 0
	}
	return now.Sub(a.downSince)
}

// provenance is what the serving source's status says about where the
// data comes from: its own statement, else — after another source stated
// one — its name as the prices' source, with the same history spans (the
// history did not change). The value is kept per source, so it changes
// only when the statement does.
func (s *stream) provenance(p *engine.Provenance) *engine.Provenance {
	if p != nil {
		s.prov, s.provFrom = p, s.active
		return p
	}
	if s.prov == nil || s.provFrom == s.active {
		return nil
	}
	if q := s.said[s.active]; q != nil && slices.Equal(q.History, s.prov.History) {
		return q
	}
	q := &engine.Provenance{Prices: s.srcs[s.active].feed.Name(), History: s.prov.History}
	s.said[s.active] = q
	return q
}

// decorate adds the failover facts to the serving source's status.
func (s *stream) decorate(st feeds.Status, now time.Time) feeds.Status {
	st.Feed = s.srcs[s.active].feed.Name()
	st.Provenance = s.provenance(st.Provenance)
	st.Preferred, st.PreferredDownSince, st.PreferredState = "", time.Time{}, feeds.StateOK
	if s.active > 0 {
		pref := s.srcs[0]
		st.Preferred, st.PreferredDownSince, st.PreferredState = pref.feed.Name(), pref.badSince, pref.last.State
		if pref.cancel == nil && !pref.ended.IsZero() {
			st.PreferredState = feeds.StateDown
		}
		return st
	}
	if st.State != feeds.StateDown || s.activeDownFor(now) < s.f.o.After {
		return st
	}
	var trying []string
	for _, o := range s.srcs[1:] {
		if o.cancel != nil {
			trying = append(trying, o.feed.Name())
		}
	}
	if len(trying) > 0 {
		st.LastError += "; trying " + strings.Join(trying, ", ")
	}
	return st
}

// probe starts what should run: while the serving source has been down for
// After, the next source after it (one more per After of outage, in order);
// the preferred source again After after its Stream ended by itself.
func (s *stream) probe() {
	now := s.f.o.Clock.Now()
	if p := s.srcs[0]; p.cancel == nil && !p.ended.IsZero() && now.Sub(p.ended) >= s.f.o.After {
		s.start(p)
	}
	d := s.activeDownFor(now)
	if d < s.f.o.After {
		return
	}
	want := int(d / s.f.o.After)
	for _, o := range s.srcs[s.active+1:] {
		if want == 0 {
			return
		}
		if o.cancel == nil {
			s.start(o)
		}
		want--
	}
}

// nextCheck is when probe may next have something to do.
func (s *stream) nextCheck() (time.Time, bool) {
	var (
		at time.Time
		ok bool
	)
	earliest := func(t time.Time) {
		if !ok || t.Before(at) {
			at, ok = t, true
		}
	}
	if p := s.srcs[0]; p.cancel == nil && !p.ended.IsZero() {
		earliest(p.ended.Add(s.f.o.After))
	}
	if a := s.srcs[s.active]; !a.downSince.IsZero() && s.active < len(s.srcs)-1 {
		d := s.f.o.Clock.Now().Sub(a.downSince)
		earliest(a.downSince.Add((d/s.f.o.After + 1) * s.f.o.After))
	}
	return at, ok
}

// send delivers a batch of the serving source with its quotes and bars
// made continuous (see the package doc); data is false for a status-only
// batch (it repeats the serving source's last errors: the set stands).
func (s *stream) send(b feeds.Batch, data bool) error {
	s.seq++
	b.Seq = s.seq
	if data {
		b.Quotes = s.quotes(b.Quotes)
		b.Bars, b.Updates = nil, updates(b.Updates, b.Bars)
	}
	s.sent = b.Status
	select {
	case s.out <- b:
		return nil
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

// quotes drops the quotes older than the last delivered for their symbol.
func (s *stream) quotes(qs []engine.Quote) []engine.Quote {
	kept := qs[:0:0]
	for _, q := range qs {
		if last, ok := s.lastQuote[q.Symbol]; ok && q.Time.Before(last) {
			continue
		}
		s.lastQuote[q.Symbol] = q.Time
		kept = append(kept, q)
	}
	if len(kept) == len(qs) {
		return qs
	}
	return kept
}

// updates is a batch's intraday bars as updates: its updates, then its
// whole days (not copied when the batch has only one kind).
func updates(upd, days []engine.Bar) []engine.Bar {
	switch {
	case len(days) == 0:
		return upd
	case len(upd) == 0:
		return days
	}
	return append(slices.Clip(upd), days...)
}
