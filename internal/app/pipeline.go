package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
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
	// FeedClock, if set, observes the feed's time (demo and replay feeds).
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
}

// histResult is the outcome of a background history load.
type histResult struct {
	requested []string
	h         feeds.History
	err       error
}

// Run runs until ctx is done (it then returns nil) or the engine fails. Every
// goroutine it starts has ended when it returns.
func (p *Pipeline) Run(ctx context.Context) error {
	if p.Feed == nil || p.Engine == nil || p.Clock == nil {
		return errors.New("pipeline: feed, engine and clock are required")
	}
	log := p.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	onSnap := p.OnSnapshot
	if onSnap == nil {
		onSnap = func(*engine.Snapshot) {}
	}
	onStatus := p.OnStatus
	if onStatus == nil {
		onStatus = func(feeds.Status) {}
	}
	tick := p.Tick
	if tick <= 0 {
		tick = 5 * time.Second
	}
	name := p.Feed.Name()
	live := p.Feed.Kind() == feeds.KindLive

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait() // every goroutine has ended on return
		if p.Signals != nil {
			p.Signals.Wait()
		}
	}()
	if w := p.Signals; w != nil {
		publish := onSnap
		onSnap = func(s *engine.Snapshot) {
			publish(s)
			w.Observe(ctx, s)
		}
	}

	in := make(chan engine.Input, 4)
	engErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer func() {
			if r := recover(); r != nil {
				log.Error("pipeline: engine panic", "value", fmt.Sprint(r), "stack", string(debug.Stack()))
				engErr <- fmt.Errorf("internal error: %v", r)
			}
		}()
		engErr <- p.Engine.Run(ctx, in, onSnap)
	}()
	send := func(inp engine.Input) bool {
		select {
		case in <- inp:
			return true
		case <-ctx.Done():
			return false
		}
	}

	// feedNow is "now" for the engine: the wall clock for live feeds, the
	// newest exchange time seen for demo and replay (they run on their own
	// simulated or historical time).
	var feedNow time.Time
	now := func(qs []engine.Quote) time.Time {
		for _, q := range qs {
			if q.Time.After(feedNow) {
				feedNow = q.Time
			}
		}
		if live {
			return p.Clock.Now()
		}
		if p.FeedClock != nil && !feedNow.IsZero() {
			p.FeedClock.Observe(feedNow)
		}
		return feedNow
	}

	log.Info("pipeline: loading history", "feed", name, "symbols", len(p.Symbols))
	hr := newHistoryRetry(p.Symbols, p.HistoryRetry, p.HistoryRetryMax, p.Rand)
	h, err := p.Feed.History(ctx, p.Symbols)
	hr.startup(p.Clock.Now(), h, err)
	if p.Feed.Kind() == feeds.KindReplay && err == nil {
		// A replay directory's missing or unreadable files are reported
		// once, as symbol errors: local files do not come back by retrying,
		// and a directory without the sector ETFs is not a degraded feed.
		clear(hr.pending)
	}
	startFailed := err != nil
	// historyDown is the status before the feed's first one after a total
	// failure of the history: down, with the time of the next attempt.
	historyDown := func() feeds.Status {
		s := feeds.Status{Feed: name, State: feeds.StateDown, LastError: "history: " + hr.reason}
		if !hr.inFlight {
			s.NextRetry = hr.next
		}
		return s
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		log.Error("pipeline: history", "feed", name, "err", err)
		onStatus(historyDown())
	} else {
		for _, se := range h.Errors {
			log.Warn("pipeline: history", "feed", name, "symbol", se.Symbol, "err", se.Message)
		}
		if !live {
			feedNow = lastBarEnd(h.Daily)
		}
		if !send(engine.Input{Now: now(nil), Daily: h.Daily, Intraday: h.Intraday, Errors: h.Errors, Feed: name}) {
			return nil
		}
	}

	// The background history loads: one at a time, on ctx.
	histDone := make(chan histResult, 1)
	var retryTimer <-chan time.Time // non-live feeds (no Tick)
	arm := func() {
		if !live && len(hr.pending) > 0 && !hr.inFlight {
			retryTimer = p.Clock.After(hr.next.Sub(p.Clock.Now()))
		}
	}
	arm()
	var (
		lastLive feeds.Status // the feed's latest status (before merging)
		haveLive bool
		liveErrs bool // the last live Input carried per-symbol errors
	)
	// restatus re-reports the feed status when the history state changed
	// what it says (only a healthy feed's status carries the note).
	restatus := func() {
		switch {
		case haveLive && lastLive.State == feeds.StateOK:
			onStatus(hr.merge(p.Clock.Now(), lastLive))
		case !haveLive && startFailed && len(hr.pending) == 0:
			onStatus(feeds.Status{Feed: name, State: feeds.StateOK}) // the startup failure is over
		case !haveLive && startFailed:
			onStatus(historyDown())
		}
	}
	startHistory := func() {
		syms := hr.start(p.Clock.Now())
		log.Info("pipeline: retrying history", "feed", name, "symbols", syms)
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, err := p.history(ctx, syms, log)
			select {
			case histDone <- histResult{requested: syms, h: h, err: err}:
			case <-ctx.Done():
			}
		}()
	}

	batches := make(chan feeds.Batch, 8)
	streamDone := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(streamDone)
		if err := p.stream(ctx, batches, log); err != nil && ctx.Err() == nil {
			log.Error("pipeline: stream ended", "feed", name, "err", err)
			select {
			case batches <- feeds.Batch{Status: feeds.Status{Feed: name, State: feeds.StateDown, LastError: fmt.Sprintf("stream: %v", err)}}:
			case <-ctx.Done():
			}
		}
	}()

	var ticker <-chan time.Time
	if live {
		ticker = p.Clock.After(tick)
	}
	for {
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
			// Coalesce: when the engine or the dashboard fall behind, batches
			// queue up; take them all and apply them as one Input.
			b, lastErrs := drain(b, batches)
			if b.Status.Feed == "" {
				b.Status.Feed = name
			}
			lastLive, haveLive = b.Status, true
			if hr.observe(p.Clock.Now(), b) {
				startHistory()
			}
			onStatus(hr.merge(p.Clock.Now(), b.Status))
			// Each poll reports every current per-symbol error, so the
			// newest batch's errors replace the engine's live errors: an
			// empty batch is sent when the last one had errors (they clear).
			if len(b.Quotes) == 0 && len(b.Bars) == 0 && len(lastErrs) == 0 && !liveErrs {
				continue
			}
			liveErrs = len(lastErrs) > 0
			inp := engine.Input{Quotes: b.Quotes, Errors: lastErrs, Feed: name, Live: true}
			if len(b.Bars) > 0 {
				inp.Intraday = map[string][]engine.Bar{}
				for _, bar := range b.Bars {
					inp.Intraday[bar.Symbol] = append(inp.Intraday[bar.Symbol], bar)
				}
			}
			inp.Now = now(b.Quotes)
			if !send(inp) {
				return nil
			}
		case <-ticker:
			ticker = p.Clock.After(tick)
			if hr.due(p.Clock.Now()) {
				startHistory()
				restatus()
			}
			if !send(engine.Input{Now: p.Clock.Now()}) {
				return nil
			}
		case <-retryTimer:
			retryTimer = nil
			if hr.due(p.Clock.Now()) {
				startHistory()
				restatus()
			} else {
				arm()
			}
		case r := <-histDone:
			t := p.Clock.Now()
			daily := hr.done(t, r.requested, r.h, r.err)
			switch {
			case r.err != nil:
				log.Warn("pipeline: history retry", "feed", name, "err", r.err)
			case len(daily) > 0:
				log.Info("pipeline: history loaded", "feed", name, "symbols", len(daily))
			}
			if r.err == nil {
				for _, se := range r.h.Errors {
					log.Warn("pipeline: history retry", "feed", name, "symbol", se.Symbol, "err", se.Message)
				}
			}
			arm()
			restatus()
			if len(daily) == 0 && (r.err != nil || len(r.h.Errors) == 0) {
				continue
			}
			if !live && feedNow.IsZero() {
				feedNow = lastBarEnd(daily)
			}
			// Only the loaded symbols: the engine replaces the history of the
			// symbols in Daily and keeps the others'. Intraday bars come from
			// the stream (a history's may be older than the stream's).
			inp := engine.Input{Daily: daily, Errors: r.h.Errors, Feed: name, Now: now(nil)}
			if !send(inp) {
				return nil
			}
		}
	}
}

// drain merges every batch already waiting in ch into b, in order: quotes,
// bars and errors are appended; the status and sequence are the latest.
// last is the newest batch's errors (the feed's current per-symbol errors).
func drain(b feeds.Batch, ch <-chan feeds.Batch) (merged feeds.Batch, last []engine.SymbolError) {
	last = b.Errors
	for {
		select {
		case nb := <-ch:
			b.Seq, b.Status = nb.Seq, nb.Status
			b.Quotes = append(b.Quotes, nb.Quotes...)
			b.Bars = append(b.Bars, nb.Bars...)
			b.Errors = append(b.Errors, nb.Errors...)
			last = nb.Errors
		default:
			return b, last
		}
	}
}

// history runs the feed's History, turning a panic into an error.
func (p *Pipeline) history(ctx context.Context, syms []string, log *slog.Logger) (h feeds.History, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("pipeline: feed panic", "value", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return p.Feed.History(ctx, syms)
}

// stream runs the feed's Stream, turning a panic into an error.
func (p *Pipeline) stream(ctx context.Context, out chan<- feeds.Batch, log *slog.Logger) (err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("pipeline: feed panic", "value", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return p.Feed.Stream(ctx, p.Symbols, out)
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
