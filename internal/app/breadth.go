package app

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/termsafe"
)

// Breadth is what a Pipeline loads for the breadth universe and the
// confirmation strip, in the background: it never delays the first frame or
// the pair's history, and starts once the pair's history has loaded (at the
// start, or when a retry succeeds).
type Breadth struct {
	// Members are the universe's members (canonical tickers, e.g. BRK.B),
	// when they are known at the start.
	Members []string
	// List, if set, fetches the members list in the background instead
	// (a live universe: the iShares holdings file); it replaces Members.
	// Its error ends the load with the error as the progress's note.
	List func(ctx context.Context) (universe string, members []string, err error)
	// Cached, if set, returns the members' histories that need no request
	// (a cache already complete through the last closed session); they are
	// loaded first and not asked for again.
	Cached func(members []string) map[string][]engine.Bar
	// Load fetches members' daily histories, at most Batch at a time, one
	// call after another (its own rate limit paces it). Keys are the
	// members' canonical tickers.
	Load func(ctx context.Context, members []string) (feeds.History, error)
	// Batch is how many members one Load call asks for (default 50).
	Batch int
	// Stream adds the members to the feed's stream (demo, replay: their
	// quotes make breadth intraday); otherwise breadth is end of day.
	Stream bool
	// Note is shown with the load's progress, e.g. "end of day".
	Note string
	// Series, if set, loads the confirmation strip's observation series
	// (FRED's DGS2, or a replay/demo stand-in): at the start and, with
	// Refresh, again every Refresh. A series that could not be loaded is a
	// *SeriesError in its error (several joined with errors.Join): the
	// strip's item then says why (engine.Input.SeriesErrors).
	Series func(ctx context.Context) (map[string][]engine.Observation, error)
	// Refresh, if set, says when to reload the members (incrementally:
	// Cached skips the complete ones) and the series after a load finished
	// at now (live feeds: NextEvening, when a day's bars are final).
	Refresh func(now time.Time) time.Duration
}

// cachedChunk is how many cached members go to the engine in one Input
// (loading one costs ~0.1 ms: the engine goroutine never stalls for long).
const cachedChunk = 100

// membersChunk is one part of the members' load.
type membersChunk struct {
	list    *engine.MemberList // the members list, when List resolved it
	listErr error
	daily   map[string][]engine.Bar
	asked   int                           // members this chunk answers for
	failed  []engine.SymbolError          // of those, the members without data, each with why
	skipped map[string]engine.SkippedRows // members whose history had rows skipped
	order   []string                      // the members asked, in order (the names' order)
	errs    []engine.SymbolError
	err     error                // the batch's failure (every member asked failed)
	starts  map[string]time.Time // members whose data begins after the history
	done    bool                 // the last chunk of this load
	applied chan struct{}        // closed once the engine applied it (a loaded batch; the loader waits for it)
}

// seriesResult is the series' load.
type seriesResult struct {
	series map[string][]engine.Observation
	err    error
}

// breadthRun is the pipeline's state of the breadth load.
type breadthRun struct {
	b        *Breadth
	progress engine.BreadthLoad
	chunks   chan membersChunk
	series   chan seriesResult
	loading  bool
	started  bool // the first load has started
	timer    <-chan time.Time
}

func newBreadthRun(b *Breadth) *breadthRun {
	if b == nil {
		return nil
	}
	if b.Batch <= 0 {
		b.Batch = 50
	}
	return &breadthRun{
		b:        b,
		progress: engine.BreadthLoad{Members: len(b.Members), Note: b.Note},
		chunks:   make(chan membersChunk, 1),
		series:   make(chan seriesResult, 1),
	}
}

// streamSymbols is what the feed's stream is asked for: the watched symbols
// and, when the members stream, the members.
func (r *run) streamSymbols() []string {
	if r.br == nil || !r.br.b.Stream {
		return r.p.Symbols
	}
	out := slices.Clone(r.p.Symbols)
	seen := make(map[string]bool, len(out))
	for _, s := range out {
		seen[s] = true
	}
	for _, s := range r.br.b.Members {
		if !seen[s] {
			out = append(out, s)
		}
	}
	return out
}

// startBreadth starts the members' and the series' background loads (the
// progress goes to the engine at once, so the status line shows 0/N).
func (r *run) startBreadth() bool {
	br := r.br
	if br == nil || br.loading {
		return true
	}
	br.loading, br.started = true, true
	br.timer = nil
	br.progress.ResetMembers()
	br.progress.Note, br.progress.Error, br.progress.Starts = br.b.Note, "", ""
	b := br.b
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		r.loadMembers(b, br.chunks)
	}()
	if b.Series != nil {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			var res seriesResult
			func() {
				defer func() {
					if v := recover(); v != nil {
						r.log.Error("pipeline: series panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
						res.err = fmt.Errorf("internal error: %v", v)
					}
				}()
				res.series, res.err = b.Series(r.ctx)
			}()
			select {
			case br.series <- res:
			case <-r.ctx.Done():
			}
		}()
	}
	p := br.progress
	return r.send(engine.Input{MembersLoad: &p, Now: r.now(nil)})
}

// loadMembers runs on its own goroutine: the cached members first (in
// chunks), then the others, Batch at a time.
func (r *run) loadMembers(b *Breadth, out chan<- membersChunk) {
	emit := func(c membersChunk) bool {
		select {
		case out <- c:
			return true
		case <-r.ctx.Done():
			return false
		}
	}
	all := b.Members
	if b.List != nil {
		universe, list, err := r.loadList(b)
		if r.ctx.Err() != nil {
			return
		}
		if err != nil {
			emit(membersChunk{listErr: err, done: true})
			return
		}
		all = list
		if !emit(membersChunk{list: &engine.MemberList{Universe: universe, Members: list}}) {
			return
		}
	}
	// A chunk is read or loaded while the engine applies the one before it,
	// never further ahead: the cache and a local feed are faster than the
	// engine, and every chunk waiting in between was a chunk of bars alive
	// (BENCHMARKS.md "Memory"; 2,000 cached members of five years were
	// 200 MB read at once). before is the chunk sent before the last one.
	var before, last chan struct{}
	wait := func() bool {
		if before == nil {
			return true
		}
		select {
		case <-before:
			return true
		case <-r.ctx.Done():
			return false
		}
	}
	send := func(c membersChunk) bool {
		c.applied = make(chan struct{})
		if !emit(c) {
			return false
		}
		before, last = last, c.applied
		return true
	}
	rest := all
	if b.Cached != nil {
		rest = rest[:0:0]
		for i := 0; i < len(all); i += cachedChunk {
			if !wait() {
				return
			}
			ask := all[i:min(i+cachedChunk, len(all))]
			cached := b.Cached(ask)
			c := membersChunk{daily: make(map[string][]engine.Bar, len(cached))}
			for _, s := range ask {
				if len(cached[s]) > 0 {
					c.daily[s] = cached[s]
				} else {
					rest = append(rest, s)
				}
			}
			if c.asked = len(c.daily); c.asked > 0 && !send(c) {
				return
			}
		}
	}
	for i := 0; i < len(rest); i += b.Batch {
		if !wait() {
			return
		}
		batch := rest[i:min(i+b.Batch, len(rest))]
		h, err := r.loadBatch(b, batch)
		if r.ctx.Err() != nil {
			return
		}
		c := membersChunk{daily: h.Daily, asked: len(batch), errs: h.Errors, starts: h.Starts, skipped: h.Skipped, order: batch}
		if err != nil {
			r.log.Warn("pipeline: breadth members", "members", len(batch), "err", err)
			c.err = err
			c.failed = memberFailures(batch, feeds.History{}, err)
			c.daily, c.skipped = nil, nil
		} else {
			c.failed = memberFailures(batch, h, nil)
		}
		if !send(c) {
			return
		}
	}
	emit(membersChunk{done: true})
}

// loadList is the List call, with a panic turned into an error.
func (r *run) loadList(b *Breadth) (universe string, members []string, err error) {
	defer func() {
		if v := recover(); v != nil {
			r.log.Error("pipeline: members list panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", v)
		}
	}()
	return b.List(r.ctx)
}

// loadBatch is one Load call, with a panic turned into an error.
func (r *run) loadBatch(b *Breadth, batch []string) (h feeds.History, err error) {
	defer func() {
		if v := recover(); v != nil {
			r.log.Error("pipeline: breadth load panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", v)
		}
	}()
	h, err = b.Load(r.ctx, batch)
	return feeds.CleanHistory(h), err // its messages are named on screen
}

// memberFailures lists the members of batch without data in h, each with
// why: the batch's error when the whole batch failed, else the member's
// own error in h (or "no data"). A member whose data begins later (a
// replay from before its file) has not failed.
func memberFailures(batch []string, h feeds.History, err error) []engine.SymbolError {
	var why map[string]string
	if err == nil && len(h.Errors) > 0 {
		why = make(map[string]string, len(h.Errors))
		for _, e := range h.Errors {
			why[e.Symbol] = e.Message
		}
	}
	var out []engine.SymbolError
	for _, s := range batch {
		if _, later := h.Starts[s]; err == nil && (len(h.Daily[s]) > 0 || later) {
			continue
		}
		msg := "no data"
		switch {
		case err != nil:
			msg = termsafe.Line(err.Error(), feeds.MaxMessageLen)
		case why[s] != "":
			msg = why[s]
		}
		out = append(out, engine.SymbolError{Symbol: s, Message: msg})
	}
	return out
}

// noteMembers counts a chunk's failed members and those with skipped rows
// in the progress p, naming the first few (engine.MaxNamedMembers).
func noteMembers(p *engine.BreadthLoad, failed []engine.SymbolError, skipped map[string]engine.SkippedRows, order []string) {
	for _, f := range failed {
		p.AddFailed(f.Symbol, f.Message)
	}
	for _, s := range order {
		if k, ok := skipped[s]; ok {
			p.AddSkipped(s, k)
		}
	}
}

// noteStarts records in p the earliest first date of the members whose
// data begins after the history (feeds.History.Starts: a replay from, or
// an --as-of, before their files begin): no data yet, not failed.
func noteStarts(p *engine.BreadthLoad, starts map[string]time.Time) {
	for _, t := range starts {
		if d := t.In(calendar.Location()).Format(time.DateOnly); p.Starts == "" || d < p.Starts {
			p.Starts = d
		}
	}
}

// membersDone hands a chunk of members to the engine with the progress.
func (r *run) membersDone(c membersChunk) bool {
	br := r.br
	if c.list != nil {
		br.progress.Members = len(c.list.Members)
	}
	if c.listErr != nil {
		r.log.Warn("pipeline: breadth members list", "err", c.listErr)
		br.progress.Error = "members list: " + c.listErr.Error()
	}
	if c.err != nil {
		br.progress.Error = "member histories: " + c.err.Error()
	}
	noteStarts(&br.progress, c.starts)
	br.progress.Loaded += c.asked
	noteMembers(&br.progress, c.failed, c.skipped, c.order)
	if c.done {
		br.progress.Done, br.loading = true, false
		r.log.Info("pipeline: breadth members loaded", "members", br.progress.Members, "failed", br.progress.Failed)
		if br.b.Refresh != nil {
			d := br.b.Refresh(r.p.Clock.Now())
			if c.listErr != nil {
				d = min(d, listRetry) // no list, no breadth: try again soon
			}
			br.timer = r.p.Clock.After(d)
		}
	}
	for _, se := range c.errs {
		r.log.Debug("pipeline: breadth member", "symbol", se.Symbol, "err", se.Message)
	}
	p := br.progress.Clip()
	return r.send(engine.Input{MemberList: c.list, Members: c.daily, MembersLoad: &p, Now: r.now(nil), Applied: c.applied})
}

// listRetry is how soon a live members list that failed is asked again.
const listRetry = 10 * time.Minute

// seriesDone hands the series, and why any could not be loaded, to the
// engine.
func (r *run) seriesDone(res seriesResult) bool {
	if res.err != nil {
		r.log.Warn("pipeline: confirmation series", "err", res.err)
	}
	errs := SeriesErrors(res.err)
	if len(res.series) == 0 && len(errs) == 0 {
		return true
	}
	return r.send(engine.Input{Series: res.series, SeriesErrors: errs, Now: r.now(nil)})
}

// SeriesError is a confirmation series that could not be loaded: its id
// and why ("replay: no file DIR/DGS2.csv", FRED's answer).
type SeriesError struct {
	ID  string
	Err error
}

func (e *SeriesError) Error() string { return e.ID + ": " + e.Err.Error() }
func (e *SeriesError) Unwrap() error { return e.Err }

// SeriesErrors lists the *SeriesError in err (errors.Join's included), in
// order, as the engine takes them (Symbol: the series id).
func SeriesErrors(err error) []engine.SymbolError {
	var out []engine.SymbolError
	var walk func(error)
	walk = func(err error) {
		switch x := err.(type) {
		case nil:
		case *SeriesError:
			out = append(out, engine.SymbolError{Symbol: x.ID, Message: x.Err.Error()})
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(x.Unwrap())
		}
	}
	walk(err)
	return out
}

// breadthChannels returns the channels the event loop listens on (nil
// without a breadth load).
func (r *run) breadthChannels() (<-chan membersChunk, <-chan seriesResult, <-chan time.Time) {
	if r.br == nil {
		return nil, nil, nil
	}
	return r.br.chunks, r.br.series, r.br.timer
}

// NextEvening is how long from now until 18:00 New York on the next
// trading day (after its close, when its daily bars are final): the
// members' refresh interval for a live feed.
func NextEvening(cal *calendar.Calendar, now time.Time) time.Duration {
	loc := calendar.Location()
	d := cal.TradingDate(now)
	for i := 0; i < 10; i++ {
		y, m, dd := d.In(loc).Date()
		t := time.Date(y, m, dd, 18, 0, 0, 0, loc)
		if t.After(now) && cal.IsTradingDay(d) {
			return t.Sub(now)
		}
		d = cal.NextTradingDate(d)
	}
	return 24 * time.Hour
}
