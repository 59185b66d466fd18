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
	"net/url"
	"strconv"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/calendar"
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

// Options configures the Yahoo feed. Zero values take the defaults above.
type Options struct {
	httpx.FeedOptions
	HistoryRange string // daily history range (default "2y"; "max" for the analog study)
}

// spec is the Yahoo feed's fixed part.
var spec = httpx.Spec{
	Feed: "yahoo", Source: "Yahoo", BaseURL: DefaultBaseURL,
	PollOpen: DefaultPollOpen, PollClosed: DefaultPollClosed,
	RatePerSec: DefaultRatePerSec, Burst: DefaultBurst, Timeout: DefaultTimeout,
	Accept: "application/json", Workers: 4,
}

// Feed is the Yahoo Finance feed. It is safe to call History and Stream
// concurrently; both share the rate limiter.
type Feed struct {
	*httpx.Base
	historyRange string
}

var _ feeds.Feed = (*Feed)(nil)

// New validates the options and returns a feed.
func New(o Options) (*Feed, error) {
	if o.HistoryRange == "" {
		o.HistoryRange = DefaultHistoryRange
	}
	if !validRange(o.HistoryRange) {
		return nil, fmt.Errorf("yahoo: new: history range %q is not one of %s", o.HistoryRange, validRanges)
	}
	f := &Feed{historyRange: o.HistoryRange}
	var err error
	f.Base, err = httpx.NewBase(o.FeedOptions, spec, f.fetchLive)
	if err != nil {
		return nil, err
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

// chartURL builds the chart API URL for sym.
func (f *Feed) chartURL(sym string, q url.Values) string {
	return f.URL + "/v8/finance/chart/" + url.PathEscape(sym) + "?" + q.Encode()
}

// fetchChart requests and parses one chart. Every error is an *httpx.Error
// (a JSON error object becomes KindNotFound/KindNoData/KindClient with the
// service's description as detail; bad JSON is KindParse).
func (f *Feed) fetchChart(ctx context.Context, sym string, q url.Values, tf engine.Timeframe) (Chart, error) {
	ch, _, err := f.chartReply(ctx, sym, q, tf)
	return ch, err
}

// Probe asks for one small chart (SPY's daily bars of the last five days)
// and describes the reply, for `capwatch doctor`. Errors are as in History.
func (f *Feed) Probe(ctx context.Context) (httpx.Reply, error) {
	q := url.Values{"range": {"5d"}, "interval": {"1d"}, "includePrePost": {"false"}}
	_, r, err := f.chartReply(ctx, "SPY", q, engine.Daily)
	return r, err
}

// chartReply is fetchChart that also describes the reply.
func (f *Feed) chartReply(ctx context.Context, sym string, q url.Values, tf engine.Timeframe) (Chart, httpx.Reply, error) {
	op := "yahoo: fetch " + sym
	body, reply, err := f.HTTP.GetReply(ctx, op, f.chartURL(sym, q))
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
		return Chart{}, reply, err
	}
	ch, err := ParseChart(body, sym, tf)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			k := httpx.KindClient
			if ae.NotFound() {
				k = httpx.KindNoData
			}
			return Chart{}, reply, &httpx.Error{Op: op, Source: "Yahoo", Kind: k, Detail: ae.Error(), Err: err}
		}
		e := &httpx.Error{Op: op, Source: "Yahoo", Kind: httpx.KindParse, Err: err}
		if inner := errors.Unwrap(err); inner != nil {
			e.Detail = httpx.Sanitize(inner.Error()) // e.g. "unexpected end of JSON input"
		}
		return Chart{}, reply, e
	}
	return ch, reply, nil
}

// History loads daily bars for every symbol (range Options.HistoryRange).
// Retryable failures are retried up to 3 times with backoff (or Retry-After
// up to 30 s). Symbols that fail go into History.Errors; the error return is
// set when no symbol could be loaded, or when ctx ends.
func (f *Feed) History(ctx context.Context, symbols []string) (feeds.History, error) {
	q := url.Values{"range": {f.historyRange}, "interval": {"1d"}, "includePrePost": {"false"}}
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
	if _, err := f.Since(since); err != nil {
		return feeds.History{}, err
	}
	ny := since.In(calendar.Location())
	p1 := time.Date(ny.Year(), ny.Month(), ny.Day()-1, 0, 0, 0, 0, calendar.Location()).Unix()
	p2 := f.Now().Unix()
	if p1 >= p2 { // a start in the future: ask for the last few days
		p1 = p2 - 7*24*3600
	}
	q := url.Values{"period1": {strconv.FormatInt(p1, 10)}, "period2": {strconv.FormatInt(p2, 10)},
		"interval": {"1d"}, "includePrePost": {"false"}}
	return f.history(ctx, symbols, q)
}

// history loads daily bars for every symbol with the chart query q.
func (f *Feed) history(ctx context.Context, symbols []string, q url.Values) (feeds.History, error) {
	return f.LoadDaily(ctx, symbols, func(ctx context.Context, sym string) ([]engine.Bar, error) {
		ch, err := f.fetchChart(ctx, sym, q, engine.Daily)
		return ch.Bars, err
	})
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
	now := f.Now()
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
		(f.Opts.Calendar.StateAt(now) == calendar.Regular && now.Sub(q.Time) > DelayedAfter)
	return q, nil
}
