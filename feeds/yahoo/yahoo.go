// Package yahoo is capwatch's Yahoo Finance feed, built on the unofficial
// chart API v8 (/v8/finance/chart/{symbol}):
//
//   - History: daily bars, range=2y by default (HistoryRange "max" for the
//     analog study), one request per symbol; today's unfinished daily bar is
//     left out while the session runs (the engine builds it from quotes).
//   - Stream: one poll per PollOpen (15 s) in the regular session, per
//     PollClosed (5 min) in pre-market and after hours, and a sleep until the
//     next open when the market is closed. Each poll asks range=1d&interval=1m
//     for every symbol and sends one feeds.Batch with each symbol's last price
//     (meta.regularMarketPrice/Time/Volume) and today's 1-minute bars (the
//     complete set so far, per symbol).
//
// All requests share one token bucket (RatePerSec, Burst). HTTP 429 honours
// Retry-After (seconds or date) and otherwise backs off exponentially with
// full jitter (capped at 5 min); 5xx, timeouts and network errors are retried
// with backoff; an HTML consent/block page, a JSON error object or truncated
// JSON become clear per-symbol errors and a feed Status, never a panic. The
// feed recovers by itself when the service is healthy again (see
// httpx.Poller for the status rules). Yahoo needs no API key; nothing secret
// is sent or logged.
package yahoo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// Defaults of Options.
const (
	DefaultBaseURL      = "https://query1.finance.yahoo.com"
	DefaultPollOpen     = 15 * time.Second
	DefaultPollClosed   = 5 * time.Minute
	DefaultRatePerSec   = 2
	DefaultBurst        = 4
	DefaultHistoryRange = "2y"
	DefaultTimeout      = 15 * time.Second
	// DelayedAfter: during the session a quote whose regularMarketTime lags
	// the clock by more than this is marked Delayed.
	DelayedAfter = 2 * time.Minute
)

// validRanges lists the chart API's range values usable for daily history.
const validRanges = "1mo, 3mo, 6mo, ytd, 1y, 2y, 5y, 10y, max"

// Options configures the Yahoo feed. Zero values take the defaults.
type Options struct {
	BaseURL      string             // default DefaultBaseURL
	Client       *http.Client       // default: a new http.Client
	Clock        clock.Clock        // default clock.Real
	Calendar     *calendar.Calendar // default calendar.NYSE()
	PollOpen     time.Duration      // poll interval in the regular session (default 15 s)
	PollClosed   time.Duration      // poll interval in pre/after hours (default 5 min); closed: sleep until the open
	RatePerSec   float64            // shared token bucket rate (default 2/s)
	Burst        int                // shared token bucket size (default 4)
	HistoryRange string             // daily history range (default "2y"; "max" for the analog study)
	UserAgent    string             // default a browser-like agent
	Timeout      time.Duration      // per request (default 15 s)
	MaxBody      int64              // response size cap in bytes (default 16 MiB)
	Rand         func() float64     // jitter source in [0,1) (default math/rand/v2)
}

// Feed is the Yahoo Finance feed. It is safe to call History and Stream
// concurrently; both share the rate limiter.
type Feed struct {
	o      Options
	base   string
	http   *httpx.Client
	poller *httpx.Poller
	back   httpx.Backoff
}

var _ feeds.Feed = (*Feed)(nil)

// New validates the options and returns a feed.
func New(o Options) (*Feed, error) {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("yahoo: new: base URL %q must be http(s)://host", o.BaseURL)
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Calendar == nil {
		o.Calendar = calendar.NYSE()
	}
	if o.PollOpen == 0 {
		o.PollOpen = DefaultPollOpen
	}
	if o.PollClosed == 0 {
		o.PollClosed = DefaultPollClosed
	}
	if o.RatePerSec == 0 {
		o.RatePerSec = DefaultRatePerSec
	}
	if o.Burst == 0 {
		o.Burst = DefaultBurst
	}
	if o.HistoryRange == "" {
		o.HistoryRange = DefaultHistoryRange
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if !validRange(o.HistoryRange) {
		return nil, fmt.Errorf("yahoo: new: history range %q is not one of %s", o.HistoryRange, validRanges)
	}
	if o.PollOpen < time.Second || o.PollClosed < time.Second {
		return nil, fmt.Errorf("yahoo: new: poll intervals must be at least 1s (open %v, closed %v)", o.PollOpen, o.PollClosed)
	}
	lim, err := httpx.NewLimiter(o.RatePerSec, o.Burst, o.Clock)
	if err != nil {
		return nil, fmt.Errorf("yahoo: new: %w", err)
	}
	hc, err := httpx.NewClient(httpx.ClientOptions{
		Source: "Yahoo", HTTP: o.Client, Limiter: lim, Clock: o.Clock, UserAgent: o.UserAgent,
		Accept: "application/json", MaxBody: o.MaxBody, Timeout: o.Timeout,
	})
	if err != nil {
		return nil, fmt.Errorf("yahoo: new: %w", err)
	}
	back, err := httpx.NewBackoff(5*time.Second, 5*time.Minute, time.Second, o.Rand)
	if err != nil {
		return nil, fmt.Errorf("yahoo: new: %w", err)
	}
	f := &Feed{o: o, base: strings.TrimRight(o.BaseURL, "/"), http: hc, back: back}
	f.poller, err = httpx.NewPoller(httpx.PollerOptions{
		Feed: "yahoo", Source: "Yahoo", Clock: o.Clock, Calendar: o.Calendar,
		PollOpen: o.PollOpen, PollClosed: o.PollClosed, Backoff: back, Fetch: f.fetchLive,
	})
	if err != nil {
		return nil, fmt.Errorf("yahoo: new: %w", err)
	}
	return f, nil
}

func validRange(r string) bool {
	switch r {
	case "1mo", "3mo", "6mo", "ytd", "1y", "2y", "5y", "10y", "max":
		return true
	}
	return false
}

// Name is "yahoo".
func (f *Feed) Name() string { return "yahoo" }

// Kind is feeds.KindLive.
func (f *Feed) Kind() feeds.Kind { return feeds.KindLive }

// chartURL builds the chart API URL for sym.
func (f *Feed) chartURL(sym string, q url.Values) string {
	return f.base + "/v8/finance/chart/" + url.PathEscape(sym) + "?" + q.Encode()
}

// fetchChart requests and parses one chart. Every error is an *httpx.Error
// (a JSON error object becomes KindNotFound/KindNoData/KindClient with the
// service's description as detail; bad JSON is KindParse).
func (f *Feed) fetchChart(ctx context.Context, sym string, q url.Values, tf engine.Timeframe) (Chart, error) {
	op := "yahoo: fetch " + sym
	body, err := f.http.Get(ctx, op, f.chartURL(sym, q))
	if err != nil {
		var he *httpx.Error
		if errors.As(err, &he) && len(he.Body) > 0 {
			if _, perr := ParseChart(he.Body, sym, tf); perr != nil {
				var ae *APIError
				if errors.As(perr, &ae) {
					he.Detail = ae.Error()
				}
			}
		}
		return Chart{}, err
	}
	ch, err := ParseChart(body, sym, tf)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			k := httpx.KindClient
			if ae.NotFound() {
				k = httpx.KindNoData
			}
			return Chart{}, &httpx.Error{Op: op, Source: "Yahoo", Kind: k, Detail: ae.Error(), Err: err}
		}
		e := &httpx.Error{Op: op, Source: "Yahoo", Kind: httpx.KindParse, Err: err}
		if inner := errors.Unwrap(err); inner != nil {
			e.Detail = httpx.Sanitize(inner.Error()) // e.g. "unexpected end of JSON input"
		}
		return Chart{}, e
	}
	return ch, nil
}

// History loads daily bars for every symbol (range Options.HistoryRange).
// Retryable failures are retried up to 3 times with backoff (or Retry-After
// up to 30 s). Symbols that fail go into History.Errors; the error return is
// set when no symbol could be loaded, or when ctx ends.
func (f *Feed) History(ctx context.Context, symbols []string) (feeds.History, error) {
	q := url.Values{"range": {f.o.HistoryRange}, "interval": {"1d"}, "includePrePost": {"false"}}
	return f.history(ctx, symbols, q)
}

// HistorySince loads the daily bars of every symbol from the trading date
// of since (New York) up to now, with the chart API's period1/period2
// (unix seconds) instead of a range: the on-disk history cache
// (feeds/histcache) uses it to extend its files. period1 starts a day
// before since's date, so series stamped at midnight UTC (the evening
// before in New York) still include that date; the reply may therefore
// hold one bar before since. Errors and retries are as in History.
func (f *Feed) HistorySince(ctx context.Context, symbols []string, since time.Time) (feeds.History, error) {
	if since.IsZero() {
		return feeds.History{}, errors.New("yahoo: history since: no start date")
	}
	now := f.o.Clock.Now()
	ny := since.In(calendar.Location())
	p1 := time.Date(ny.Year(), ny.Month(), ny.Day()-1, 0, 0, 0, 0, calendar.Location()).Unix()
	p2 := now.Unix()
	if p1 >= p2 { // a start in the future: ask for the last few days
		p1 = p2 - 7*24*3600
	}
	q := url.Values{"period1": {strconv.FormatInt(p1, 10)}, "period2": {strconv.FormatInt(p2, 10)},
		"interval": {"1d"}, "includePrePost": {"false"}}
	return f.history(ctx, symbols, q)
}

// history loads daily bars for every symbol with the chart query q.
func (f *Feed) history(ctx context.Context, symbols []string, q url.Values) (feeds.History, error) {
	now := f.o.Clock.Now()
	fetch := func(ctx context.Context, sym string) (httpx.Update, error) {
		var ch Chart
		err := httpx.Retry(ctx, f.o.Clock, f.back, 3, 30*time.Second, func(ctx context.Context) error {
			var err error
			ch, err = f.fetchChart(ctx, sym, q, engine.Daily)
			return err
		})
		if err != nil {
			return httpx.Update{}, err
		}
		bars := httpx.TrimUnfinished(ch.Bars, f.o.Calendar, now)
		if len(bars) == 0 {
			return httpx.Update{}, &httpx.Error{Op: "yahoo: history " + sym, Source: "Yahoo", Kind: httpx.KindNoData}
		}
		return httpx.Update{Bars: bars}, nil
	}
	res := httpx.FetchAll(ctx, symbols, 4, "Yahoo", fetch)
	if err := ctx.Err(); err != nil {
		return feeds.History{}, err
	}
	h := feeds.History{Daily: make(map[string][]engine.Bar, len(symbols))}
	var (
		first    error
		firstSym string
	)
	for i, r := range res {
		if r.Err != nil {
			h.Errors = append(h.Errors, engine.SymbolError{Symbol: symbols[i], Message: httpx.MessageOf(r.Err)})
			if first == nil {
				first, firstSym = r.Err, symbols[i]
			}
			continue
		}
		h.Daily[symbols[i]] = r.Update.Bars
	}
	if len(symbols) > 0 && len(h.Daily) == 0 {
		return h, fmt.Errorf("yahoo: history: none of %d symbols loaded; %s: %s", len(symbols), firstSym, httpx.MessageOf(first))
	}
	return h, nil
}

// Stream polls until ctx is done (see the package doc); it returns ctx.Err().
func (f *Feed) Stream(ctx context.Context, symbols []string, out chan<- feeds.Batch) error {
	return f.poller.Run(ctx, symbols, out)
}

// fetchLive gets one symbol's last price and today's 1-minute bars.
func (f *Feed) fetchLive(ctx context.Context, sym string) (httpx.Update, error) {
	q := url.Values{"range": {"1d"}, "interval": {"1m"}, "includePrePost": {"false"}}
	ch, err := f.fetchChart(ctx, sym, q, engine.Minute1)
	if err != nil {
		return httpx.Update{}, err
	}
	qt, err := f.quote(sym, ch)
	if err != nil {
		return httpx.Update{}, err
	}
	return httpx.Update{Quote: qt, HasQuote: true, Bars: ch.Bars}, nil
}

// quote builds the symbol's quote from the chart meta (falling back to the
// last bar) and marks it Delayed when Yahoo says so or when, during the
// session, its time lags the clock by more than DelayedAfter.
func (f *Feed) quote(sym string, ch Chart) (engine.Quote, error) {
	now := f.o.Clock.Now()
	m := ch.Meta
	q := engine.Quote{Symbol: sym, Received: now}
	if p, ok := m.RegularMarketPrice.Get(); ok && p > 0 {
		q.Price, q.Time = p, m.RegularMarketTime
	}
	n := len(ch.Bars)
	if q.Price == 0 && n > 0 {
		q.Price, q.Time = ch.Bars[n-1].Close, ch.Bars[n-1].Time
	}
	if q.Price == 0 {
		return q, &httpx.Error{Op: "yahoo: quote " + sym, Source: "Yahoo", Kind: httpx.KindNoData, Detail: "no price in the reply"}
	}
	if q.Time.IsZero() {
		if n > 0 {
			q.Time = ch.Bars[n-1].Time
		} else {
			q.Time = now
		}
	}
	if v, ok := m.RegularMarketVolume.Get(); ok && v >= 0 {
		q.DayVolume = v
	} else {
		for _, b := range ch.Bars {
			q.DayVolume += b.Volume
		}
	}
	q.Delayed = m.ExchangeDataDelayed > 0 ||
		(f.o.Calendar.StateAt(now) == calendar.Regular && now.Sub(q.Time) > DelayedAfter)
	return q, nil
}
