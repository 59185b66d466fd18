package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// FeedOptions configures any network feed (feeds/yahoo, feeds/stooq,
// feeds/alpaca embed it in their Options). Zero values take the feed's
// defaults (its Spec).
type FeedOptions struct {
	BaseURL    string             // default Spec.BaseURL
	Client     *http.Client       // default: a new http.Client
	Clock      clock.Clock        // default clock.Real
	Calendar   *calendar.Calendar // default calendar.NYSE()
	PollOpen   time.Duration      // poll interval in the regular session (default Spec.PollOpen)
	PollClosed time.Duration      // poll interval in pre/after hours (default Spec.PollClosed); closed: sleep until the open
	RatePerSec float64            // shared token bucket rate (default Spec.RatePerSec)
	Burst      int                // shared token bucket size (default Spec.Burst)
	UserAgent  string             // default DefaultUserAgent (browser-like)
	Timeout    time.Duration      // per request, including the body (default Spec.Timeout)
	// AnswerTimeout: no reply within this and the host is hanging (default
	// DefaultAnswerTimeout, 10 s; at most Timeout).
	AnswerTimeout time.Duration
	MaxBody       int64          // response size cap in bytes (default DefaultMaxBody)
	Rand          func() float64 // jitter source in [0,1) (default math/rand/v2)
	// MaxRetryWait is the longest a history request waits before asking
	// again (a backoff delay or the service's Retry-After; default
	// HistoryMaxWait): a longer wait gives up at once with the cause. A
	// one-shot command sets less, so that it answers within its budget.
	MaxRetryWait time.Duration
}

// Spec is what a network feed fixes about itself: its names, its defaults
// and how its requests look.
type Spec struct {
	Feed       string // feed name for Status.Feed and messages' prefix, e.g. "yahoo" (required)
	Source     string // the service as users know it, e.g. "Yahoo" (required)
	BaseURL    string // default base URL (required)
	PollOpen   time.Duration
	PollClosed time.Duration
	RatePerSec float64
	Burst      int
	Timeout    time.Duration
	Accept     string      // Accept header
	Header     http.Header // extra headers sent with every request (e.g. API keys; never logged)
	// Workers is how many requests of one poll or one history load run at
	// once (default 4); the shared limiter paces them.
	Workers int
}

// The shared retry policy of the network feeds.
const (
	BackoffBase = 5 * time.Second // first retry ceiling (full jitter)
	BackoffMax  = 5 * time.Minute // ceiling cap
	BackoffMin  = time.Second     // floor of every retry delay
	// HistoryAttempts and HistoryMaxWait bound the retries of one symbol's
	// history request (a Retry-After longer than HistoryMaxWait is not
	// waited for: the symbol fails and the pipeline's history retry comes
	// back to it).
	HistoryAttempts = 3
	HistoryMaxWait  = 30 * time.Second
)

// Base is the part every network feed shares: validated options, the base
// URL, the paced and classifying HTTP client, the backoff, the poll loop and
// the daily-history loader. A feed embeds *Base and adds its request
// building and parsing; Base supplies Name, Kind and Stream.
type Base struct {
	Opts    FeedOptions // with every default filled in
	Spec    Spec
	URL     string // base URL without a trailing slash
	HTTP    *Client
	Backoff Backoff
	poller  *Poller
}

// NewBase validates o against the feed's spec, fills in the defaults and
// builds the shared parts. live fetches one symbol for a poll (nil: the feed
// has its own Stream). Errors start with "<feed>: new: ".
func NewBase(o FeedOptions, s Spec, live FetchFunc) (*Base, error) {
	if s.Feed == "" || s.Source == "" || s.BaseURL == "" {
		return nil, errors.New("httpx: new feed: spec needs Feed, Source and BaseURL")
	}
	fail := func(err error) (*Base, error) { return nil, fmt.Errorf("%s: new: %w", s.Feed, err) }
	if o.BaseURL == "" {
		o.BaseURL = s.BaseURL
	}
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fail(fmt.Errorf("base URL %q must be http(s)://host", o.BaseURL))
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Calendar == nil {
		o.Calendar = calendar.NYSE()
	}
	o.PollOpen = cmp(o.PollOpen, s.PollOpen)
	o.PollClosed = cmp(o.PollClosed, s.PollClosed)
	o.Timeout = cmp(o.Timeout, s.Timeout)
	o.MaxRetryWait = cmp(o.MaxRetryWait, HistoryMaxWait)
	if o.RatePerSec == 0 {
		o.RatePerSec = s.RatePerSec
	}
	if o.Burst == 0 {
		o.Burst = s.Burst
	}
	if s.Workers <= 0 {
		s.Workers = 4
	}
	if live != nil && (o.PollOpen < time.Second || o.PollClosed < time.Second) {
		return fail(fmt.Errorf("poll intervals must be at least 1s (open %v, closed %v)", o.PollOpen, o.PollClosed))
	}
	lim, err := NewLimiter(o.RatePerSec, o.Burst, o.Clock)
	if err != nil {
		return fail(err)
	}
	hc, err := NewClient(ClientOptions{
		Source: s.Source, HTTP: o.Client, Limiter: lim, Clock: o.Clock, UserAgent: o.UserAgent,
		Accept: s.Accept, Header: s.Header, MaxBody: o.MaxBody, Timeout: o.Timeout, AnswerTimeout: o.AnswerTimeout,
	})
	if err != nil {
		return fail(err)
	}
	back, err := NewBackoff(BackoffBase, BackoffMax, BackoffMin, o.Rand)
	if err != nil {
		return fail(err)
	}
	b := &Base{Opts: o, Spec: s, URL: strings.TrimRight(o.BaseURL, "/"), HTTP: hc, Backoff: back}
	if live != nil {
		b.poller, err = NewPoller(PollerOptions{
			Feed: s.Feed, Source: s.Source, Clock: o.Clock, Calendar: o.Calendar,
			PollOpen: o.PollOpen, PollClosed: o.PollClosed, Backoff: back, Workers: s.Workers, Fetch: live,
		})
		if err != nil {
			return fail(err)
		}
	}
	return b, nil
}

// cmp returns v, or def when v is zero.
func cmp(v, def time.Duration) time.Duration {
	if v == 0 {
		return def
	}
	return v
}

// Name is the feed's name (Spec.Feed).
func (b *Base) Name() string { return b.Spec.Feed }

// Kind is feeds.KindLive: every network feed serves real market data.
func (b *Base) Kind() feeds.Kind { return feeds.KindLive }

// Stream polls until ctx is done (see Poller); it returns ctx.Err().
func (b *Base) Stream(ctx context.Context, symbols []string, out chan<- feeds.Batch) error {
	if b.poller == nil {
		return fmt.Errorf("%s: stream: this feed does not poll", b.Spec.Feed)
	}
	return b.poller.Run(ctx, symbols, out)
}

// Now is the feed's clock's time.
func (b *Base) Now() time.Time { return b.Opts.Clock.Now() }

// DailyFunc fetches one symbol's daily bars (oldest first) in one request.
// Errors should be *Error values.
type DailyFunc func(ctx context.Context, symbol string) ([]engine.Bar, error)

// LoadDaily is the one daily-history loader of the network feeds: every
// symbol is fetched with fetch, Spec.Workers at a time (paced by the shared
// limiter), each retried (HistoryAttempts, backoff or Retry-After up to
// Opts.MaxRetryWait, never past ctx's deadline) while the failure is
// retryable (see FetchAll for what stops the rest); today's unfinished bar is
// dropped while the session runs. Symbols that fail go into
// History.Errors; the error return is set when no symbol could be loaded,
// or when ctx ends.
func (b *Base) LoadDaily(ctx context.Context, symbols []string, fetch DailyFunc) (feeds.History, error) {
	now := b.Now()
	one := func(ctx context.Context, sym string) (Update, error) {
		var bars []engine.Bar
		err := Retry(ctx, b.Opts.Clock, b.Backoff, HistoryAttempts, b.Opts.MaxRetryWait, func(ctx context.Context) error {
			var err error
			bars, err = fetch(ctx, sym)
			return err
		})
		if err != nil {
			return Update{}, err
		}
		bars = TrimUnfinished(bars, b.Opts.Calendar, now)
		if len(bars) == 0 {
			return Update{}, &Error{Op: b.Spec.Feed + ": history " + sym, Source: b.Spec.Source, Kind: KindNoData}
		}
		return Update{Bars: bars}, nil
	}
	started := time.Now() // the caller's deadline runs on the real clock
	res := FetchAll(ctx, symbols, b.Spec.Workers, b.Spec.Source, one)
	if err := ctx.Err(); err != nil {
		return feeds.History{}, b.stopped(ctx, started, symbols, res)
	}
	return HistoryOf(b.Spec.Feed, symbols, res)
}

// stopped is LoadDaily's error when ctx ended first. A cancellation is
// returned as is; for a deadline (a one-shot command's time budget) the
// error says what was wrong rather than "context deadline exceeded": the
// first real failure, else that the source did not answer in the time
// allowed. It still matches ctxErr with errors.Is.
func (b *Base) stopped(ctx context.Context, started time.Time, symbols []string, res []Result) error {
	ctxErr := ctx.Err()
	if !errors.Is(ctxErr, context.DeadlineExceeded) {
		return ctxErr
	}
	for i, r := range res {
		if r.Err != nil && KindOf(r.Err) != KindCanceled {
			cause := symbols[i] + ": " + MessageOf(r.Err)
			return &loadError{op: b.Spec.Feed + ": history", cause: cause, errs: []error{ctxErr, r.Err}}
		}
	}
	// The time allowed, not the time measured: on a loaded machine the
	// load notices its deadline a little late, and "within 400ms" for a
	// 300 ms budget would misstate the budget.
	waited := time.Since(started)
	if dl, ok := ctx.Deadline(); ok {
		waited = dl.Sub(started)
	}
	if waited >= time.Second {
		waited = waited.Round(time.Second)
	} else {
		waited = waited.Round(100 * time.Millisecond)
	}
	e := &Error{Source: b.Spec.Source, Kind: KindTimeout, Timeout: waited}
	return &loadError{op: b.Spec.Feed + ": history", cause: e.Message(), errs: []error{ctxErr, e}}
}

// loadError is a failed history load: "<feed>: history: <cause> (<scope>)"
// for a command's error, and its cause alone (Message) for a status line —
// no operation prefix repeated, no raw network text. It still unwraps to
// its causes (errors.Is(err, feeds.ErrNotAnswering), a context error).
type loadError struct {
	op    string // "yahoo: history"
	cause string // the human cause, first: "Yahoo returned an HTML page (consent/block), not data"
	scope string // what it cost: "no symbol loaded" (no count: the views count the symbols they show, which may be fewer than the feed was asked for)
	errs  []error
}

func (e *loadError) Error() string {
	s := e.op + ": " + e.cause
	if e.scope != "" {
		s += " (" + e.scope + ")"
	}
	return s
}

// Message is the cause alone, for a status line (see feeds.Reason).
func (e *loadError) Message() string { return e.cause }

func (e *loadError) Unwrap() []error { return e.errs }

// HistoryOf assembles a History from one result per symbol (in the order
// of symbols; a result's Update.Bars are the daily bars). The error is set
// when symbols is not empty and none loaded: its cause comes first (the
// symbols' common cause, else the first symbol's), and it unwraps to the
// first failure.
func HistoryOf(feed string, symbols []string, res []Result) (feeds.History, error) {
	h := feeds.History{Daily: make(map[string][]engine.Bar, len(symbols))}
	var first error
	for i, r := range res {
		if r.Err != nil {
			h.Errors = append(h.Errors, engine.SymbolError{Symbol: symbols[i], Message: MessageOf(r.Err)})
			if first == nil {
				first = r.Err
			}
			continue
		}
		h.Daily[symbols[i]] = r.Update.Bars
	}
	if len(symbols) > 0 && len(h.Daily) == 0 {
		return h, &loadError{op: feed + ": history", cause: Summary(res, symbols),
			scope: "no symbol loaded", errs: []error{first}}
	}
	return h, nil
}

// Since checks a HistorySince start and returns it, or a week before now
// when it lies in the future (ask for the last few days).
func (b *Base) Since(since time.Time) (time.Time, error) {
	if since.IsZero() {
		return time.Time{}, fmt.Errorf("%s: history since: no start date", b.Spec.Feed)
	}
	if now := b.Now(); since.After(now) {
		return now.AddDate(0, 0, -7), nil
	}
	return since, nil
}
