package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/clock"
)

// Runner is the engine's owner goroutine (engine.(*Engine).Run).
type Runner interface {
	Run(ctx context.Context, in <-chan engine.Input, publish func(*engine.Snapshot)) error
}

// Pipeline runs a feed into the engine and publishes what comes out:
// History first, then the feed's Stream, each batch converted into one
// engine.Input; the engine goroutine publishes one Snapshot per Input.
//
// Symbols whose history failed (all of them after a total failure) are
// loaded again in the background while the stream runs: after
// HistoryRetry, doubling up to HistoryRetryMax (±25 % jitter), and at once
// when the live feed delivers a quote for such a symbol after failing (the
// feed recovered). Meanwhile a healthy feed status is reported degraded:
// "history unavailable: <reason>, retry in 30s". With a live feed the
// retries are checked on the Tick (so they add no timer of their own).
type Pipeline struct {
	Feed    feeds.Feed
	Engine  Runner
	Symbols []string
	Clock   clock.Clock // the wall clock (clock.Real{} in production)
	// Tick is how often, with a live feed, an Input carrying only the time is
	// sent, so bars close and stale marks appear without new data (default 5 s).
	Tick       time.Duration
	OnSnapshot func(*engine.Snapshot) // called on the engine goroutine
	OnStatus   func(feeds.Status)     // called on the pipeline goroutine
	Log        *slog.Logger
	// FeedClock, if set, observes the feed's time (demo and replay feeds)
	// as each snapshot is published (Snapshot.Now).
	FeedClock *FeedClock
	// Signals, if set, records the flag changes of every published snapshot
	// (after OnSnapshot, on the engine goroutine) and rings the alerts. Its
	// commands are cancelled and waited for before Run returns.
	Signals *SignalWatch
	// HistoryRetry is the first delay before a failed history load is
	// retried (default DefaultHistoryRetry); it doubles after each failed
	// attempt up to HistoryRetryMax (default DefaultHistoryRetryMax).
	HistoryRetry, HistoryRetryMax time.Duration
	// Rand, if set, is the jitter source (uniform in [0,1)); default
	// math/rand/v2.
	Rand func() float64
	// Breadth, if set, loads the breadth universe's members and the
	// confirmation series in the background (see Breadth).
	Breadth *Breadth
	// Pairs, if set, carries the pair key's choices to the engine (and to
	// the feed, if it is a feeds.PairWatcher). Signals and alerts stay on
	// the pair the engine started with: snapshots of another pair are not
	// recorded (closed-bar changes are caught up when the pair comes back).
	Pairs <-chan engine.PairChoice
}

// histResult is the outcome of a background history load.
type histResult struct {
	requested []string
	h         feeds.History
	err       error
}

// Run runs until ctx is done (it then returns nil) or the engine fails. Every
// goroutine it starts has ended when it returns.
//
// Run owns one run: the engine goroutine, the feed's stream and the
// background history loads send to it, and its event loop hands each event
// to one method (batch, tick, retryDue, historyDone) on the run's state.
func (p *Pipeline) Run(ctx context.Context) error {
	if p.Feed == nil || p.Engine == nil || p.Clock == nil {
		return errors.New("pipeline: feed, engine and clock are required")
	}
	ctx, cancel := context.WithCancel(ctx)
	r := p.newRun(ctx)
	defer func() {
		cancel()
		r.wg.Wait() // every goroutine has ended on return
		if p.Signals != nil {
			p.Signals.Wait()
			if err := p.Signals.Close(); err != nil {
				r.log.Warn("signal log: close", "err", err)
			}
		}
	}()
	engErr := r.startEngine()
	if !r.loadHistory() {
		return nil
	}
	// The breadth load starts once the pair's history is in: when the
	// feed cannot load the pair, it cannot load 2,000 members either.
	if !r.startFailed && !r.startBreadth() {
		return nil
	}
	r.armRetry()
	// A replay starts once the members are loaded (local files, seconds at
	// most): every replayed day then has the whole universe's closes, and
	// the breadth flags' first state is the one at the history's end, at
	// every speed. Anything else streams at once.
	var batches chan feeds.Batch
	var streamDone chan struct{}
	waitMembers := r.feed.Kind() == feeds.KindReplay && r.br != nil && r.br.loading
	if !waitMembers {
		batches, streamDone = r.startStream()
	}
	if r.live {
		r.ticker = p.Clock.After(r.tick)
	}
	if p.Signals != nil && p.Signals.Waiting() {
		r.lockTimer = p.Clock.After(p.Signals.LockRetry())
	}
	for {
		ok := true
		mchunks, mseries, mtimer := r.breadthChannels()
		select {
		case <-ctx.Done():
			return nil
		case err := <-engErr:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("pipeline: engine: %w", err)
		case <-streamDone:
			streamDone = nil // keep the dashboard up on the last data
		case b := <-batches:
			ok = r.batch(b, batches)
		case <-r.ticker:
			ok = r.tickDue()
		case <-r.retryTimer:
			r.retryDue()
		case <-r.lockTimer:
			r.lockDue()
		case res := <-r.histDone:
			ok = r.historyDone(res)
		case c := <-mchunks:
			ok = r.membersDone(c)
			if waitMembers && c.done {
				waitMembers = false
				batches, streamDone = r.startStream()
			}
		case res := <-mseries:
			ok = r.seriesDone(res)
		case <-mtimer:
			ok = r.startBreadth()
		case pc := <-p.Pairs:
			// A feed whose live data follows the pair (Alpaca's capped
			// trade subscription) is told first.
			feeds.WatchPair(r.feed, pc.Small, pc.Large)
			ok = r.send(engine.Input{Pair: &pc, Now: r.now(nil)})
		}
		if !ok { // ctx ended while sending to the engine
			return nil
		}
	}
}

// run is the state of one Pipeline.Run, owned by its event loop (the
// pipeline goroutine); the goroutines it starts only send to it.
type run struct {
	p        *Pipeline
	feed     feeds.Feed // p.Feed behind the boundary: every string clean (feeds.Sanitized)
	ctx      context.Context
	wg       sync.WaitGroup
	log      *slog.Logger
	name     string // the feed's name
	live     bool   // a live feed: "now" is the wall clock, retries ride the tick
	tick     time.Duration
	onSnap   func(*engine.Snapshot)
	onStatus func(feeds.Status)

	in       chan engine.Input // to the engine goroutine
	hr       *historyRetry
	histDone chan histResult // the background history load's result
	// feedNow is "now" for a demo or replay feed: the newest exchange time
	// seen (they run on their own simulated or historical time).
	feedNow     time.Time
	startFailed bool // the first history load failed as a whole

	ticker     <-chan time.Time // live feeds: the next tick
	retryTimer <-chan time.Time // non-live feeds (no tick): the next history retry
	lockTimer  <-chan time.Time // the next try to take over the signal log (nil: not waiting)

	br *breadthRun // the breadth load (nil: none)

	lastLive feeds.Status // the feed's latest status (before merging)
	haveLive bool
	liveErrs bool               // the last live Input carried per-symbol errors
	lastProv *engine.Provenance // the provenance the engine was last given
}

func (p *Pipeline) newRun(ctx context.Context) *run {
	r := &run{p: p, ctx: ctx, log: p.Log, onSnap: p.OnSnapshot, onStatus: p.OnStatus, tick: p.Tick,
		feed: feeds.Sanitized(p.Feed), live: p.Feed.Kind() == feeds.KindLive,
		in: make(chan engine.Input, 4), histDone: make(chan histResult, 1)}
	r.name = r.feed.Name()
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.onSnap == nil {
		r.onSnap = func(*engine.Snapshot) {}
	}
	if r.onStatus == nil {
		r.onStatus = func(feeds.Status) {}
	}
	if r.tick <= 0 {
		r.tick = 5 * time.Second
	}
	if fc := p.FeedClock; fc != nil && !r.live {
		// The feed's clock moves when the snapshot of that time is
		// published, not when its data is sent to the engine: the screen's
		// ages and stale marks are never judged against data it does not
		// show yet (a replay day or a demo batch still in the engine).
		publish := r.onSnap
		r.onSnap = func(s *engine.Snapshot) {
			if !s.Now.IsZero() {
				fc.Observe(s.Now)
			}
			publish(s)
		}
	}
	if w := p.Signals; w != nil {
		publish := r.onSnap
		var main engine.PairChoice // the pair of the first snapshot: the configured one
		r.onSnap = func(s *engine.Snapshot) {
			publish(s)
			cur := engine.PairChoice{Small: s.Pair.Small, Large: s.Pair.Large}
			if main == (engine.PairChoice{}) {
				main = cur
			}
			if cur == main {
				w.Observe(ctx, s)
			}
		}
	}
	r.hr = newHistoryRetry(p.Symbols, p.HistoryRetry, p.HistoryRetryMax, p.Rand)
	r.hr.feed = r.name
	r.br = newBreadthRun(p.Breadth)
	return r
}

// startEngine runs the engine on its goroutine; a panic there becomes an
// error on the returned channel.
func (r *run) startEngine() <-chan error {
	engErr := make(chan error, 1)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() {
			if v := recover(); v != nil {
				r.log.Error("pipeline: engine panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
				engErr <- fmt.Errorf("internal error: %v", v)
			}
		}()
		engErr <- r.p.Engine.Run(r.ctx, r.in, r.onSnap)
	}()
	return engErr
}

// startStream runs the feed's stream on its goroutine. A stream that ends
// with an error reports the feed down; streamDone closes when it ends.
func (r *run) startStream() (batches chan feeds.Batch, streamDone chan struct{}) {
	batches, streamDone = make(chan feeds.Batch, 8), make(chan struct{})
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer close(streamDone)
		if err := r.stream(batches); err != nil && r.ctx.Err() == nil {
			r.log.Error("pipeline: stream ended", "feed", r.name, "err", err)
			select {
			case batches <- feeds.Batch{Status: feeds.Status{Feed: r.name, State: feeds.StateDown, LastError: reasonFor("stream", r.name, err)}}:
			case <-r.ctx.Done():
			}
		}
	}()
	return batches, streamDone
}

// send hands an Input to the engine; false when ctx ended first.
func (r *run) send(inp engine.Input) bool {
	select {
	case r.in <- inp:
		return true
	case <-r.ctx.Done():
		return false
	}
}

// now is "now" for the engine: the wall clock for live feeds, the newest
// exchange time seen (qs included) for demo and replay.
func (r *run) now(qs []engine.Quote) time.Time {
	for _, q := range qs {
		if q.Time.After(r.feedNow) {
			r.feedNow = q.Time
		}
	}
	if r.live {
		return r.p.Clock.Now()
	}
	return r.feedNow
}

// loadHistory is the first history load: its bars go to the engine (false:
// ctx ended), its failures to the retry schedule.
func (r *run) loadHistory() bool {
	p := r.p
	r.log.Info("pipeline: loading history", "feed", r.name, "symbols", len(p.Symbols))
	h, err := r.feed.History(r.ctx, p.Symbols)
	r.hr.startup(p.Clock.Now(), h, err)
	if r.feed.Kind() == feeds.KindReplay && err == nil {
		// A replay directory's missing or unreadable files are reported
		// once, as symbol errors: local files do not come back by retrying,
		// and a directory without the sector ETFs is not a degraded feed.
		clear(r.hr.pending)
	}
	r.startFailed = err != nil
	if err != nil {
		if r.ctx.Err() != nil {
			return false
		}
		r.log.Error("pipeline: history", "feed", r.name, "err", err)
		r.onStatus(r.historyDown())
		// Each symbol says why it has no data (the feed's cause, not "no
		// data"), so the rows, the error list and the ratio name it.
		inp := engine.Input{Now: r.now(nil), Errors: r.historyErrors(p.Symbols, h, err), Feed: r.name}
		if br := r.br; br != nil {
			// The members' load waits for the pair's history: it ends
			// failed, with the cause, until a retry of the history starts it.
			l := br.progress
			l.Done, l.Error = true, "not loaded: the pair's history failed ("+r.hr.reason+")"
			inp.MembersLoad = &l
		}
		return r.send(inp)
	}
	for _, se := range h.Errors {
		r.log.Warn("pipeline: history", "feed", r.name, "symbol", se.Symbol, "err", se.Message)
	}
	logSkipped(r.log, "pipeline: history", r.name, h.Skipped)
	if !r.live {
		r.feedNow = lastBarEnd(h.Daily)
	}
	inp := engine.Input{Now: r.now(nil), Daily: h.Daily, Intraday: h.Intraday, Errors: h.Errors, Feed: r.name,
		Skipped: h.Skipped, Starts: h.Starts, Provenance: h.Provenance}
	if r.br != nil {
		// The members' load is about to start: from the first snapshot on,
		// the breadth is partial (its flags wait) until it is done.
		p := r.br.progress
		inp.MembersLoad = &p
	}
	return r.send(inp)
}

// historyErrors are the per-symbol errors of a history load that failed as
// a whole: the feed's own (each symbol's cause), else the load's cause for
// every symbol asked.
func (r *run) historyErrors(syms []string, h feeds.History, err error) []engine.SymbolError {
	if len(h.Errors) > 0 {
		return h.Errors
	}
	why := reasonFor("history", r.name, err)
	out := make([]engine.SymbolError, len(syms))
	for i, s := range syms {
		out[i] = engine.SymbolError{Symbol: s, Message: why}
	}
	return out
}

// reasonFor is a feed's error in words for the status line and the error
// list, its cause said once: a network feed's cause alone (feeds.Reason:
// "Yahoo returned an HTML page (consent/block), not data", not "history:
// yahoo: history: …"); another error as it is when it names the feed's
// operation already ("fake: stream: gone"), else after op ("history: boom").
func reasonFor(op, feed string, err error) string {
	why := feeds.Reason(err)
	if why != err.Error() || strings.HasPrefix(why, feed+": ") {
		return why
	}
	return op + ": " + why
}

// historyDown is the status before the feed's first one after a total
// failure of the history: down, with the time of the next attempt.
func (r *run) historyDown() feeds.Status {
	s := feeds.Status{Feed: r.name, State: feeds.StateDown, LastError: r.hr.down, Hanging: r.hr.hanging}
	if !r.hr.inFlight {
		s.NextRetry = r.hr.next
	}
	return s
}

// armRetry sets the retry timer of a non-live feed (a live feed's retries
// are checked on its tick, so they add no timer of their own).
func (r *run) armRetry() {
	if !r.live && len(r.hr.pending) > 0 && !r.hr.inFlight {
		r.retryTimer = r.p.Clock.After(r.hr.next.Sub(r.p.Clock.Now()))
	}
}

// restatus re-reports the feed status when the history state changed what
// it says (only a healthy feed's status carries the note).
func (r *run) restatus() {
	switch {
	case r.haveLive && r.lastLive.State == feeds.StateOK:
		r.onStatus(r.hr.merge(r.p.Clock.Now(), r.lastLive))
	case !r.haveLive && r.startFailed && len(r.hr.pending) == 0:
		r.onStatus(feeds.Status{Feed: r.name, State: feeds.StateOK}) // the startup failure is over
	case !r.haveLive && r.startFailed:
		r.onStatus(r.historyDown())
	}
}

// startHistory starts a background load of the pending symbols' history
// (one at a time); its result comes back as historyDone.
func (r *run) startHistory() {
	syms := r.hr.start(r.p.Clock.Now())
	r.log.Info("pipeline: retrying history", "feed", r.name, "symbols", syms)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		h, err := r.history(syms)
		select {
		case r.histDone <- histResult{requested: syms, h: h, err: err}:
		case <-r.ctx.Done():
		}
	}()
}

// batch applies a live batch (and every batch queued behind it) as one
// Input, and reports the feed's status.
func (r *run) batch(b feeds.Batch, queued <-chan feeds.Batch) bool {
	// Coalesce: when the engine or the dashboard fall behind, batches queue
	// up; take them all and apply them as one Input.
	b, lastErrs := drain(b, queued)
	if b.Status.Feed == "" {
		b.Status.Feed = r.name
	}
	r.lastLive, r.haveLive = b.Status, true
	if r.hr.observe(r.p.Clock.Now(), b) {
		r.startHistory()
	}
	r.onStatus(r.hr.merge(r.p.Clock.Now(), b.Status))
	// Each poll reports every current per-symbol error, so the newest
	// batch's errors replace the engine's live errors: an empty batch is
	// sent when the last one had errors (they clear).
	// A new provenance (the feed's data source changed) is passed on too.
	newProv := b.Status.Provenance != nil && b.Status.Provenance != r.lastProv
	if len(b.Quotes) == 0 && len(b.Bars) == 0 && len(b.Updates) == 0 && len(lastErrs) == 0 && !r.liveErrs && !newProv {
		return true
	}
	r.liveErrs = len(lastErrs) > 0
	// A streaming source's updates go to the engine as they are (no copy).
	inp := engine.Input{Quotes: b.Quotes, Errors: lastErrs, Feed: r.name, Live: true, IntradayUpdates: b.Updates}
	if newProv {
		inp.Provenance, r.lastProv = b.Status.Provenance, b.Status.Provenance
	}
	inp.Intraday = wholeDays(b.Bars)
	inp.Now = r.now(b.Quotes)
	if b.Status.Ended && !r.live {
		// A replay's last day: its clock moves on to the end of that day,
		// where --as-of on that day stands (lastBarEnd), so the two show
		// the same state — closed, the close 4h00m old — not the close's
		// instant (0s old, after hours).
		r.feedNow = endOfDay(r.feedNow)
		inp.Now = r.feedNow
	}
	return r.send(inp)
}

// wholeDays groups whole-day bars by symbol (nil when there are none). A
// symbol's day that starts again (not after the bar before: a later
// batch's whole day, coalesced) replaces the one collected.
func wholeDays(bars []engine.Bar) map[string][]engine.Bar {
	if len(bars) == 0 {
		return nil
	}
	days := map[string][]engine.Bar{}
	for _, bar := range bars {
		day := days[bar.Symbol]
		if n := len(day); n > 0 && !bar.Time.After(day[n-1].Time) {
			day = day[:0:0]
		}
		days[bar.Symbol] = append(day, bar)
	}
	return days
}

// tickDue is a live feed's tick: an Input carrying only the time (bars
// close and stale marks appear without new data), and a due history retry.
func (r *run) tickDue() bool {
	r.ticker = r.p.Clock.After(r.tick)
	if r.hr.due(r.p.Clock.Now()) {
		r.startHistory()
		r.restatus()
	}
	return r.send(engine.Input{Now: r.p.Clock.Now()})
}

// lockDue tries to take over the signal log another capwatch recorded
// (SignalWatch.Retry), again after LockRetry while it is still held.
func (r *run) lockDue() {
	r.lockTimer = nil
	if r.p.Signals.Retry() {
		r.lockTimer = r.p.Clock.After(r.p.Signals.LockRetry())
	}
}

// retryDue is a non-live feed's retry timer.
func (r *run) retryDue() {
	r.retryTimer = nil
	if r.hr.due(r.p.Clock.Now()) {
		r.startHistory()
		r.restatus()
	} else {
		r.armRetry()
	}
}

// historyDone applies a background history load: the symbols that loaded
// go to the engine (only those: it keeps the others' history), the rest
// back to the retry schedule.
func (r *run) historyDone(res histResult) bool {
	daily := r.hr.done(r.p.Clock.Now(), res.requested, res.h, res.err)
	switch {
	case res.err != nil:
		r.log.Warn("pipeline: history retry", "feed", r.name, "err", res.err)
		if r.ctx.Err() == nil && !r.send(engine.Input{Errors: r.historyErrors(res.requested, res.h, res.err), Feed: r.name, Now: r.now(nil)}) {
			return false
		}
	case len(daily) > 0:
		r.log.Info("pipeline: history loaded", "feed", r.name, "symbols", len(daily))
	}
	if res.err == nil {
		for _, se := range res.h.Errors {
			r.log.Warn("pipeline: history retry", "feed", r.name, "symbol", se.Symbol, "err", se.Message)
		}
		logSkipped(r.log, "pipeline: history retry", r.name, res.h.Skipped)
	}
	r.armRetry()
	r.restatus()
	if len(daily) == 0 && (res.err != nil || len(res.h.Errors) == 0) {
		return true
	}
	if !r.live && r.feedNow.IsZero() {
		r.feedNow = lastBarEnd(daily)
	}
	if len(daily) > 0 && r.br != nil && !r.br.started && !r.startBreadth() {
		return false
	}
	// Intraday bars come from the stream (a history's may be older than the
	// stream's).
	return r.send(engine.Input{Daily: daily, Errors: res.h.Errors, Feed: r.name, Now: r.now(nil), Skipped: res.h.Skipped})
}

// logSkipped logs the rows a history's source left out, per symbol.
func logSkipped(log *slog.Logger, msg, feed string, skipped map[string]engine.SkippedRows) {
	for _, sym := range slices.Sorted(maps.Keys(skipped)) {
		k := skipped[sym]
		log.Warn(msg+": rows skipped", "feed", feed, "symbol", sym, "rows", k.Count,
			"first_line", k.FirstLine, "source", k.Source, "reason", k.Reason)
	}
}

// drain merges every batch already waiting in ch into b, in order: quotes,
// bars, updates and errors are appended (a later whole day of a symbol
// replaces its earlier one and the updates before it: the engine applies
// whole days first); the status and sequence are the latest. last is the
// newest batch's errors (the feed's current per-symbol errors).
func drain(b feeds.Batch, ch <-chan feeds.Batch) (merged feeds.Batch, last []engine.SymbolError) {
	last = b.Errors
	for {
		select {
		case nb := <-ch:
			b.Seq, b.Status = nb.Seq, nb.Status
			b.Quotes = append(b.Quotes, nb.Quotes...)
			if len(nb.Bars) > 0 && len(b.Updates) > 0 {
				b.Updates = withoutSymbols(b.Updates, nb.Bars)
			}
			b.Bars = append(b.Bars, nb.Bars...)
			b.Updates = append(b.Updates, nb.Updates...)
			b.Errors = append(b.Errors, nb.Errors...)
			last = nb.Errors
		default:
			return b, last
		}
	}
}

// history runs the feed's History, turning a panic into an error.
func (r *run) history(syms []string) (h feeds.History, err error) {
	defer func() {
		if v := recover(); v != nil {
			r.log.Error("pipeline: feed panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", v)
		}
	}()
	return r.feed.History(r.ctx, syms)
}

// stream runs the feed's Stream, turning a panic into an error.
func (r *run) stream(out chan<- feeds.Batch) (err error) {
	defer func() {
		if v := recover(); v != nil {
			r.log.Error("pipeline: feed panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", v)
		}
	}()
	err = r.feed.Stream(r.ctx, r.streamSymbols(), out)
	if pe := (*feeds.PanicError)(nil); errors.As(err, &pe) { // recovered where the feed ran
		r.log.Error("pipeline: feed panic", "value", fmt.Sprint(pe.Value), "stack", string(pe.Stack))
	}
	return err
}

// lastBarEnd returns the end (20:00 New York, after the after-hours session)
// of the newest daily bar's date in the history, or the zero time.
func lastBarEnd(daily map[string][]engine.Bar) time.Time {
	var last time.Time
	for _, bars := range daily {
		if n := len(bars); n > 0 && bars[n-1].Time.After(last) {
			last = bars[n-1].Time
		}
	}
	if last.IsZero() {
		return last
	}
	return endOfDay(last)
}

// withoutSymbols returns the updates of the symbols that have no whole day
// in days (a copy; rare: a source that sends both kinds).
func withoutSymbols(updates, days []engine.Bar) []engine.Bar {
	whole := map[string]bool{}
	for _, b := range days {
		whole[b.Symbol] = true
	}
	var kept []engine.Bar
	for _, b := range updates {
		if !whole[b.Symbol] {
			kept = append(kept, b)
		}
	}
	return kept
}
