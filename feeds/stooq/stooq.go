// Package stooq is capwatch's Stooq feed: daily OHLCV history from Stooq's
// CSV download (/q/d/l/?s={symbol}.us&i=d), for end-of-day use.
//
// Stooq has no intraday data and no time of the last trade. History returns
// the daily bars (today's unfinished bar left out while the session runs).
// Stream polls a short slice of the daily CSV slowly — every PollOpen (15 min)
// in the regular session, every PollClosed (1 h) in pre-market and after
// hours, and not at all while the market is closed (it sleeps until the next
// open) — and reports the last bar's close as a quote marked Delayed.
//
// Not recommended since 2026: Stooq's keyless CSV download now answers
// programs with an HTML browser check (a SHA-256 proof-of-work page that
// POSTs to /__verify, served with HTTP 200) or a page asking for an API key.
// The feed recognises both and says "Stooq now requires a browser check or
// an API key; use --feed alpaca or yahoo" rather than a generic HTML error.
// Stooq publishes no API documentation; public reports (pandas-datareader
// issue 1012) describe a key obtained on the site behind a captcha and
// passed as the download's apikey parameter, which Options.APIKey sends.
// capwatch never solves browser checks.
//
// Failures follow the same rules as the Yahoo feed (see httpx.Poller): a
// "No data" reply is a per-symbol error, Stooq's "Exceeded the daily hits
// limit" counts as a rate limit (retried after an hour), any other HTML page
// is reported as such, and the feed recovers by itself. The API key is never
// logged or shown (error texts carry the URL with the key redacted).
package stooq

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/csvbars"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/calendar"
)

// Defaults of Options.
const (
	DefaultBaseURL    = "https://stooq.com"
	DefaultPollOpen   = 15 * time.Minute
	DefaultPollClosed = time.Hour
	DefaultRatePerSec = 1
	DefaultBurst      = 2
	DefaultTimeout    = 30 * time.Second
	// streamDays is how many calendar days of CSV a Stream poll asks for.
	streamDays = 10
	// dailyLimitWait is how long to wait after Stooq's daily hits limit.
	dailyLimitWait = time.Hour
)

// Options configures the Stooq feed. Zero values take the defaults above.
type Options struct {
	httpx.FeedOptions
	// APIKey, if set, is sent as the download's apikey parameter (see the
	// package doc). Never logged.
	APIKey string
}

// Messages for Stooq's browser check.
const (
	// MsgChallenge: the download answered with its browser check or its
	// API-key page.
	MsgChallenge = "Stooq now requires a browser check or an API key; use --feed alpaca or yahoo"
	// MsgKeyRefused: the same with an API key set.
	MsgKeyRefused = "Stooq did not accept the API key (feeds.stooq.api_key): it answered with its browser check or key page; use --feed alpaca or yahoo"
)

// spec is the Stooq feed's fixed part.
var spec = httpx.Spec{
	Feed: "stooq", Source: "Stooq", BaseURL: DefaultBaseURL,
	PollOpen: DefaultPollOpen, PollClosed: DefaultPollClosed,
	RatePerSec: DefaultRatePerSec, Burst: DefaultBurst, Timeout: DefaultTimeout,
	Accept: "text/csv,text/plain;q=0.9,*/*;q=0.1", Workers: 2,
}

// Feed is the Stooq feed.
type Feed struct {
	*httpx.Base
	apiKey string
}

var _ feeds.Feed = (*Feed)(nil)

// New validates the options and returns a feed.
func New(o Options) (*Feed, error) {
	f := &Feed{apiKey: strings.TrimSpace(o.APIKey)}
	var err error
	f.Base, err = httpx.NewBase(o.FeedOptions, spec, f.fetchLive)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// StooqSymbol maps a ticker to Stooq's name: lower case with ".us" for US
// listings ("IWM" → "iwm.us"); index symbols ("^SPX") and symbols that
// already name a market ("VOD.UK") are only lower-cased.
func StooqSymbol(sym string) string {
	s := strings.ToLower(sym)
	if strings.HasPrefix(s, "^") || strings.Contains(s, ".") {
		return s
	}
	return s + ".us"
}

// csvURL builds the CSV download URL; from/to are optional (zero = open).
func (f *Feed) csvURL(sym string, from, to time.Time) string {
	q := url.Values{"s": {StooqSymbol(sym)}, "i": {"d"}}
	if !from.IsZero() {
		q.Set("d1", from.In(calendar.Location()).Format("20060102"))
	}
	if !to.IsZero() {
		q.Set("d2", to.In(calendar.Location()).Format("20060102"))
	}
	if f.apiKey != "" {
		q.Set("apikey", f.apiKey)
	}
	return f.URL + "/q/d/l/?" + q.Encode()
}

// fetchDaily downloads and parses daily bars for sym. Every error is an
// *httpx.Error.
func (f *Feed) fetchDaily(ctx context.Context, sym string, from, to time.Time) ([]engine.Bar, error) {
	bars, _, err := f.dailyReply(ctx, sym, from, to)
	return bars, err
}

// Probe asks for SPY's last ten days of daily bars and describes the
// reply, for `capwatch doctor`. Errors are as in History (the browser check
// is a KindChallenge error saying what to do).
func (f *Feed) Probe(ctx context.Context) (httpx.Reply, error) {
	now := f.Now()
	_, r, err := f.dailyReply(ctx, "SPY", now.AddDate(0, 0, -streamDays), time.Time{})
	return r, err
}

// dailyReply is fetchDaily that also describes the reply.
func (f *Feed) dailyReply(ctx context.Context, sym string, from, to time.Time) ([]engine.Bar, httpx.Reply, error) {
	op := "stooq: fetch " + sym
	body, reply, err := f.HTTP.GetReply(ctx, op, f.csvURL(sym, from, to))
	var he *httpx.Error
	if errors.As(err, &he) && he.Kind == httpx.KindHTML && IsChallenge(he.Body) {
		msg := MsgChallenge
		if f.apiKey != "" {
			msg = MsgKeyRefused
		}
		return nil, reply, &httpx.Error{Op: op, Source: "Stooq", Kind: httpx.KindChallenge, Status: he.Status, Detail: msg}
	}
	if err != nil {
		return nil, reply, err
	}
	if err := replyError(op, body); err != nil {
		return nil, reply, err
	}
	bars, _, err := csvbars.Parse(bytes.NewReader(body), StooqSymbol(sym)+".csv", sym)
	if err != nil {
		return nil, reply, &httpx.Error{Op: op, Source: "Stooq", Kind: httpx.KindParse, Detail: httpx.Sanitize(err.Error()), Err: err}
	}
	if len(bars) == 0 {
		return nil, reply, &httpx.Error{Op: op, Source: "Stooq", Kind: httpx.KindNoData}
	}
	return bars, reply, nil
}

// IsChallenge reports whether an HTML reply is Stooq's browser check (a
// proof-of-work page that posts its answer to /__verify) or its page asking
// for an API key, rather than another HTML page (a consent or error page).
func IsChallenge(body []byte) bool {
	b := bytes.ToLower(body)
	has := func(s string) bool { return bytes.Contains(b, []byte(s)) }
	switch {
	case has("/__verify"), has("proof-of-work"), has("proof of work"):
		return true
	case has("crypto.subtle") && has("sha-256"):
		return true
	case has("get_apikey"), has("apikey=") && has("api key"):
		return true
	}
	return false
}

// replyError recognises Stooq's plain-text replies that are not CSV.
func replyError(op string, body []byte) error {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	first, _, _ := bytes.Cut(b, []byte("\n"))
	first = bytes.TrimSpace(first)
	lower := strings.ToLower(string(first))
	switch {
	case len(b) == 0 || strings.HasPrefix(lower, "no data"):
		return &httpx.Error{Op: op, Source: "Stooq", Kind: httpx.KindNoData, Detail: `it answered "No data" (check the ticker)`}
	case strings.Contains(lower, "exceeded the daily hits limit") || strings.Contains(lower, "limit"):
		return &httpx.Error{Op: op, Source: "Stooq", Kind: httpx.KindRateLimited, Status: http.StatusOK, Detail: httpx.Sanitize(string(first)),
			RetryAfter: dailyLimitWait, HasRetryAfter: true}
	case !strings.HasPrefix(lower, "date") && !strings.Contains(lower, ","):
		return &httpx.Error{Op: op, Source: "Stooq", Kind: httpx.KindParse, Detail: "unexpected reply: " + httpx.Sanitize(string(first))}
	}
	return nil
}

// History loads every symbol's full daily history. Retryable failures are
// retried up to 3 times with backoff. Symbols that fail go into
// History.Errors; the error return is set when no symbol could be loaded, or
// when ctx ends.
func (f *Feed) History(ctx context.Context, symbols []string) (feeds.History, error) {
	return f.history(ctx, symbols, time.Time{}, time.Time{})
}

// HistorySince loads the daily bars of every symbol from the New York date
// of since up to today (d1=YYYYMMDD&d2=YYYYMMDD): the on-disk history cache
// (feeds/histcache) uses it to extend its files. Errors and retries are as
// in History.
func (f *Feed) HistorySince(ctx context.Context, symbols []string, since time.Time) (feeds.History, error) {
	since, err := f.Since(since)
	if err != nil {
		return feeds.History{}, err
	}
	return f.history(ctx, symbols, since, f.Now())
}

// history loads daily bars for every symbol between from and to (zero:
// open-ended).
func (f *Feed) history(ctx context.Context, symbols []string, from, to time.Time) (feeds.History, error) {
	return f.LoadDaily(ctx, symbols, func(ctx context.Context, sym string) ([]engine.Bar, error) {
		return f.fetchDaily(ctx, sym, from, to)
	})
}

// fetchLive reports the last daily close of sym as a delayed quote. Its
// Time is the close of that bar's session, or now while that session is
// still running (Stooq gives no trade time).
func (f *Feed) fetchLive(ctx context.Context, sym string) (httpx.Update, error) {
	now := f.Now()
	bars, err := f.fetchDaily(ctx, sym, now.AddDate(0, 0, -streamDays), time.Time{})
	if err != nil {
		return httpx.Update{}, err
	}
	last := bars[len(bars)-1]
	t := now
	if _, closeAt, ok := f.Opts.Calendar.Session(last.Time.Add(12 * time.Hour)); ok && closeAt.Before(now) {
		t = closeAt
	}
	q := engine.Quote{Symbol: sym, Price: last.Close, DayVolume: last.Volume, Time: t, Received: now, Delayed: true}
	return httpx.Update{Quote: q, HasQuote: true}, nil
}
