package httpx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// Update is what a feed's fetch function returns for one symbol in one poll.
type Update struct {
	Quote    engine.Quote
	HasQuote bool
	Bars     []engine.Bar // intraday bars, if the source has them
}

// FetchFunc fetches one symbol. Errors should be *Error values (use Kind
// KindRateLimited for anything that means "slow down").
type FetchFunc func(ctx context.Context, symbol string) (Update, error)

// PollerOptions configures a Poller.
type PollerOptions struct {
	Feed       string             // feed name for Status.Feed, e.g. "yahoo" (required)
	Source     string             // service name for messages, e.g. "Yahoo" (required)
	Clock      clock.Clock        // required
	Calendar   *calendar.Calendar // default calendar.NYSE()
	PollOpen   time.Duration      // interval during the regular session (required)
	PollClosed time.Duration      // interval in pre-market and after hours (required); when the market is closed the poller sleeps until the next open
	Backoff    Backoff            // delays after failed polls (default 5 s doubling to 5 min, floor 1 s)
	Workers    int                // concurrent requests per poll (default 4; the shared Limiter paces them)
	Fetch      FetchFunc          // required
}

// Poller runs the poll loop shared by the network feeds: one batch per poll
// with every symbol's quote, an honest Status, backoff with full jitter after
// failed polls, Retry-After on rate limits, and recovery by itself.
//
// Status rules:
//   - OK: every symbol succeeded.
//   - Degraded: some symbols failed (the rest are delivered; the next poll
//     comes at the normal interval), or the service rate-limited us (HTTP
//     429: the rest of the poll is skipped and NextRetry honours Retry-After,
//     else the backoff).
//   - Down: every symbol failed for another reason; NextRetry follows the
//     backoff (the poller keeps trying, even when the market is closed).
type Poller struct {
	o PollerOptions
}

// NewPoller validates the options and fills in defaults.
func NewPoller(o PollerOptions) (*Poller, error) {
	switch {
	case o.Feed == "" || o.Source == "":
		return nil, errors.New("httpx: new poller: empty feed or source name")
	case o.Clock == nil:
		return nil, errors.New("httpx: new poller: nil clock")
	case o.Fetch == nil:
		return nil, errors.New("httpx: new poller: nil fetch function")
	case o.PollOpen <= 0 || o.PollClosed <= 0:
		return nil, fmt.Errorf("httpx: new poller: poll intervals must be positive (open %v, closed %v)", o.PollOpen, o.PollClosed)
	case o.Workers < 0:
		return nil, fmt.Errorf("httpx: new poller: negative workers %d", o.Workers)
	}
	if o.Calendar == nil {
		o.Calendar = calendar.NYSE()
	}
	if o.Workers == 0 {
		o.Workers = 4
	}
	if o.Backoff.Base == 0 {
		o.Backoff = Backoff{Base: 5 * time.Second, Max: 5 * time.Minute, Min: time.Second}
	} else if o.Backoff.Max < o.Backoff.Base {
		return nil, fmt.Errorf("httpx: new poller: backoff max %v < base %v", o.Backoff.Max, o.Backoff.Base)
	}
	return &Poller{o: o}, nil
}

// Schedule returns the normal delay until the next poll at now: PollOpen in
// the regular session, PollClosed in pre-market and after hours, and the time
// until the next regular open when the market is closed.
func (p *Poller) Schedule(now time.Time) time.Duration {
	switch p.o.Calendar.StateAt(now) {
	case calendar.Regular:
		return p.o.PollOpen
	case calendar.PreMarket, calendar.AfterHours:
		return p.o.PollClosed
	}
	if d := p.o.Calendar.NextOpen(now).Sub(now); d > 0 {
		return d
	}
	return p.o.PollClosed
}

// loopState is what the poll loop remembers between polls.
type loopState struct {
	seq         uint64
	fails       int // consecutive failed (Down or rate-limited) polls
	lastSuccess time.Time
}

// Run polls until ctx is done, sending one batch per poll to out. It never
// closes out and returns ctx.Err().
func (p *Poller) Run(ctx context.Context, symbols []string, out chan<- feeds.Batch) error {
	var st loopState
	for {
		b, delay := p.poll(ctx, symbols, &st)
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-p.o.Clock.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// errSkipped marks symbols not requested because an earlier request of the
// same call showed that asking was pointless (see FetchAll).
var errSkipped = errors.New("not requested")

// Result is the outcome of fetching one symbol.
type Result struct {
	Update Update
	Err    error
}

// FetchAll calls fetch for every symbol with up to workers requests at a
// time (errgroup.SetLimit) and returns the results in the order of symbols.
// The remaining symbols are not requested, and the requests in flight are
// cancelled, after
//   - a KindRateLimited result: their error is a KindRateLimited *Error
//     with Detail "not requested";
//   - a KindChallenge result (the service turns this client away): their
//     error says the same;
//   - a KindTimeout or KindUnreachable result before any request of this
//     call got an answer (the host hangs, or cannot be reached): their error
//     says the same as that result's, so a hanging host costs one timeout,
//     not one per round of workers.
func FetchAll(ctx context.Context, symbols []string, workers int, source string, fetch FetchFunc) []Result {
	res := make([]Result, len(symbols))
	if len(symbols) == 0 {
		return res
	}
	pctx, abort := context.WithCancel(ctx)
	defer abort()
	var (
		mu       sync.Mutex
		answered bool   // a request of this call got a reply
		cause    *Error // why the rest is not requested
	)
	aborted := func() bool { return pctx.Err() != nil && ctx.Err() == nil }
	skip := func(sym string) error {
		mu.Lock()
		defer mu.Unlock()
		return skipped(source, sym, cause)
	}
	var g errgroup.Group
	g.SetLimit(max(1, workers))
	for i, sym := range symbols {
		g.Go(func() error {
			if aborted() {
				res[i].Err = skip(sym)
				return nil
			}
			up, err := fetch(pctx, sym)
			if err != nil && aborted() && KindOf(err) == KindCanceled {
				res[i].Err = skip(sym) // cut short by the abort
				return nil
			}
			res[i] = Result{up, err}
			var e *Error
			errors.As(err, &e)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case e != nil && (e.Kind == KindRateLimited || e.Kind == KindChallenge):
				if cause == nil {
					cause = e
				}
				abort()
			case err == nil || (e != nil && e.Status != 0):
				answered = true
			case e != nil && !answered && (e.Kind == KindTimeout || e.Kind == KindUnreachable):
				if cause == nil {
					cause = e
				}
				abort()
			}
			return nil
		})
	}
	_ = g.Wait() // the goroutines report through res, never an error
	return res
}

// skipped is the error of a symbol not requested because of cause.
func skipped(source, sym string, cause *Error) *Error {
	e := &Error{Op: "fetch " + sym, Source: source, Kind: KindRateLimited, Detail: "not requested", Err: errSkipped}
	if cause != nil && cause.Kind != KindRateLimited {
		e.Kind, e.Timeout, e.Detail = cause.Kind, cause.Timeout, cause.Detail
	}
	return e
}

// poll fetches every symbol once and builds the batch and the delay until
// the next poll.
func (p *Poller) poll(ctx context.Context, symbols []string, st *loopState) (feeds.Batch, time.Duration) {
	results := FetchAll(ctx, symbols, p.o.Workers, p.o.Source, p.o.Fetch)
	now := p.o.Clock.Now()
	st.seq++
	b := feeds.Batch{Seq: st.seq}
	var (
		ok          int
		rateLimited *Error
		firstErr    error
		firstSym    string
		failed      int
	)
	for i, r := range results {
		if r.Err == nil {
			ok++
			if r.Update.HasQuote {
				b.Quotes = append(b.Quotes, r.Update.Quote)
			}
			b.Bars = append(b.Bars, r.Update.Bars...)
			continue
		}
		failed++
		b.Errors = append(b.Errors, engine.SymbolError{Symbol: symbols[i], Message: MessageOf(r.Err)})
		var e *Error
		if errors.As(r.Err, &e) && e.Kind == KindRateLimited && !errors.Is(e, errSkipped) && rateLimited == nil {
			rateLimited = e
		}
		if firstErr == nil {
			firstErr, firstSym = r.Err, symbols[i]
		}
	}
	if ok > 0 {
		st.lastSuccess = now
	}
	normal := p.Schedule(now)
	s := feeds.Status{Feed: p.o.Feed, LastSuccess: st.lastSuccess, Interval: normal}
	delay := normal
	switch {
	case rateLimited != nil:
		delay = p.o.Backoff.Delay(st.fails)
		if rateLimited.HasRetryAfter {
			delay = max(delay, min(rateLimited.RetryAfter, MaxPause))
		}
		st.fails++
		s.State = feeds.StateDegraded
		s.NextRetry = now.Add(delay)
		s.LastError = fmt.Sprintf("%s; %d of %d symbols updated", rateLimited.Message(), ok, len(symbols))
	case failed > 0 && ok == 0:
		delay = p.o.Backoff.Delay(st.fails)
		st.fails++
		s.State = feeds.StateDown
		s.Hanging = errors.Is(firstErr, feeds.ErrNotAnswering)
		s.NextRetry = now.Add(delay)
		s.LastError = summary(results, symbols, firstSym, firstErr, true)
	case failed > 0:
		st.fails = 0
		s.State = feeds.StateDegraded
		s.NextRetry = now.Add(delay)
		s.LastError = summary(results, symbols, firstSym, firstErr, false)
	default:
		st.fails = 0
		s.State = feeds.StateOK
	}
	s.LastError = Sanitize(s.LastError)
	b.Status = s
	return b, delay
}

// summary describes the failures of a poll in one line.
func summary(results []Result, symbols []string, firstSym string, firstErr error, all bool) string {
	msg := MessageOf(firstErr)
	same := true
	failed := 0
	for _, r := range results {
		if r.Err != nil {
			failed++
			if MessageOf(r.Err) != msg {
				same = false
			}
		}
	}
	switch {
	case all && failed == 1:
		return fmt.Sprintf("%s: %s", firstSym, msg)
	case all && same:
		return fmt.Sprintf("all %d symbols failed: %s", failed, msg)
	case all:
		return fmt.Sprintf("all %d symbols failed; %s: %s", failed, firstSym, msg)
	case failed == 1:
		return fmt.Sprintf("1 of %d symbols failed: %s: %s", len(symbols), firstSym, msg)
	}
	var names []string
	for i, r := range results {
		if r.Err != nil && len(names) < 4 {
			names = append(names, symbols[i])
		}
	}
	list := strings.Join(names, ", ")
	if failed > len(names) {
		list += ", …"
	}
	return fmt.Sprintf("%d of %d symbols failed (%s); %s: %s", failed, len(symbols), list, firstSym, msg)
}

// Retry calls fn until it succeeds, fails with a non-retryable error, or
// attempts are used up. Between attempts it waits (on clk) the backoff delay
// or the server's Retry-After, whichever is longer; when that wait would
// exceed maxWait it gives up at once with the last error.
func Retry(ctx context.Context, clk clock.Clock, b Backoff, attempts int, maxWait time.Duration, fn func(context.Context) error) error {
	for a := 0; ; a++ {
		err := fn(ctx)
		if err == nil || a+1 >= attempts || !KindOf(err).Retryable() {
			return err
		}
		d := b.Delay(a)
		var e *Error
		if errors.As(err, &e) && e.HasRetryAfter {
			d = max(d, e.RetryAfter)
		}
		if d > maxWait {
			return err
		}
		select {
		case <-clk.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// TrimUnfinished drops today's daily bar (and anything later) while today's
// regular session has not closed: it is a partial bar that the engine builds
// from quotes. Daily bars are keyed by midnight New York of their date.
func TrimUnfinished(bars []engine.Bar, cal *calendar.Calendar, now time.Time) []engine.Bar {
	_, closeAt, ok := cal.Session(now)
	if !ok || !now.Before(closeAt) {
		return bars
	}
	ny := now.In(calendar.Location())
	today := time.Date(ny.Year(), ny.Month(), ny.Day(), 0, 0, 0, 0, calendar.Location())
	for len(bars) > 0 && !bars[len(bars)-1].Time.Before(today) {
		bars = bars[:len(bars)-1]
	}
	return bars
}
