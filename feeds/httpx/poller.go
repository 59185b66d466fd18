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
//     comes at the normal interval), or the service rate-limited us after
//     some data got through (HTTP 429: the rest of the poll is skipped and
//     NextRetry honours Retry-After, else the backoff).
//   - Down: nothing got through — every symbol failed, a rate limit
//     included; NextRetry follows the backoff or Retry-After (the poller
//     keeps trying, even when the market is closed).
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
//   - a KindRateLimited result: the service asks this client to wait;
//   - a KindChallenge result (the service turns this client away);
//   - a KindHTML result (a consent or block page) before any request of
//     this call got data: the service answers this client with pages, not
//     data, and asking for every other symbol would only make the user
//     wait for the same answer;
//   - a KindTimeout or KindUnreachable result before any request of this
//     call got an answer (the host hangs, or cannot be reached), so a
//     hanging host costs one timeout, not one per round of workers.
//
// The error of a symbol not requested (or cut short) is that cause's, with
// the same message, so every view can say the cause once for all of them.
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
		gotData  bool   // a request of this call succeeded
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
			stop := false
			switch {
			case err == nil:
				answered, gotData = true, true
			case e == nil:
			case e.Kind == KindRateLimited || e.Kind == KindChallenge:
				stop = true
			case e.Kind == KindHTML && !gotData:
				stop = true
			case e.Status != 0:
				answered = true
			case !answered && (e.Kind == KindTimeout || e.Kind == KindUnreachable):
				stop = true
			}
			if stop {
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

// skipped is the error of a symbol not requested (or cut short) because of
// cause: the cause's kind and message for that symbol, marked errSkipped.
func skipped(source, sym string, cause *Error) *Error {
	if cause == nil { // not reached: an abort always has its cause
		return &Error{Op: "fetch " + sym, Source: source, Kind: KindCanceled, Err: errSkipped}
	}
	e := *cause
	e.Op, e.Body, e.Err = "fetch "+sym, nil, errSkipped
	return &e
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
			firstErr = r.Err
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
		// Degraded while some data gets through; down when none does (a
		// blanket 429 is an outage for the user, whatever its cause).
		s.State = feeds.StateDegraded
		if ok == 0 {
			s.State = feeds.StateDown
		}
		s.NextRetry = now.Add(delay)
		s.LastError = rateLimited.Message()
	case failed > 0 && ok == 0:
		delay = p.o.Backoff.Delay(st.fails)
		st.fails++
		s.State = feeds.StateDown
		s.Hanging = errors.Is(firstErr, feeds.ErrNotAnswering)
		s.NextRetry = now.Add(delay)
		s.LastError = Summary(results, symbols)
	case failed > 0:
		st.fails = 0
		s.State = feeds.StateDegraded
		s.NextRetry = now.Add(delay)
		s.LastError = Summary(results, symbols)
	default:
		st.fails = 0
		s.State = feeds.StateOK
	}
	s.LastError = Sanitize(s.LastError)
	b.Status = s
	return b, delay
}

// Summary describes the failures among results (one per symbol) in one
// line, cause first and without a count of symbols (the views count the
// symbols they show; the feed's set may be larger):
//
//	cannot reach Yahoo: connection refused          (all failed, one cause)
//	QQQ: Yahoo has no such symbol (HTTP 404)         (one symbol failed)
//	IWM: Yahoo has no data…; other symbols failed too (all failed, causes differ)
//	QQQ, XLK: Yahoo has no such symbol (HTTP 404)    (a few, one cause)
//	QQQ, XLK, PSCT, IWC, …: first cause; …           (more, or causes differ)
//
// It is "" when nothing failed.
func Summary(results []Result, symbols []string) string {
	var (
		failed   []string
		msg      string
		same     = true
		firstSym string
	)
	for i, r := range results {
		if r.Err == nil {
			continue
		}
		m := MessageOf(r.Err)
		if len(failed) == 0 {
			msg, firstSym = m, symbols[i]
		} else if m != msg {
			same = false
		}
		failed = append(failed, symbols[i])
	}
	switch {
	case len(failed) == 0:
		return ""
	case len(failed) == 1:
		return firstSym + ": " + msg
	case len(failed) == len(results) && same:
		return msg
	case len(failed) == len(results):
		return firstSym + ": " + msg + "; other symbols failed too"
	}
	list := failed
	more := ""
	if len(list) > 4 {
		list, more = list[:4], ", …"
	}
	names := strings.Join(list, ", ") + more
	if same {
		return names + ": " + msg
	}
	return names + " failed; " + firstSym + ": " + msg
}

// Retry calls fn until it succeeds, fails with a non-retryable error, or
// attempts are used up. Between attempts it waits (on clk) the backoff delay
// or the server's Retry-After, whichever is longer; when that wait would
// exceed maxWait, or end after ctx's deadline (a command's time budget), it
// gives up at once with the last error.
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
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
			return err // the answer would come after the caller stopped waiting
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
