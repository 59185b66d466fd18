// Package alpaca is capwatch's Alpaca market-data feed (a free key is
// enough; no brokerage account needs funding):
//
//   - Real time: the market-data WebSocket (wss://stream.data.alpaca.markets/
//     v2/iex on the free plan, v2/sip or v2/delayed_sip selectable). The feed
//     authenticates within the server's 10 s, subscribes minute bars (and
//     corrected "updated" bars) for every watched symbol and trades for the
//     first TradeSymbols of them (the pair legs first; the free plan caps
//     trade and quote subscriptions at 30 symbols; after a pair switch,
//     WatchPair, it unsubscribes and subscribes trades so that the new
//     legs get them within the cap), and sends one feeds.Batch per
//     ~100 ms: each symbol's last trade as a quote and the
//     complete set of today's regular-session 1-minute bars of every symbol
//     that got a new or corrected bar. Control messages and error codes
//     become clear feeds.Status reasons; the connection is pinged every
//     10 s and a missing pong within 5 s counts as a dead connection; it
//     reconnects with backoff (httpx) and back-fills the missed minutes
//     over REST so the 1D chart and the forming bar have no hole.
//   - History: GET /v2/stocks/bars (multi-symbol, timeframe=1Day,
//     adjustment=all, feed=sip, paginated with next_page_token) from 2016,
//     when Alpaca's history begins; a deeper source (Options.Deep, e.g.
//     Yahoo through the history cache) supplies the years before, spliced
//     at the first common date, and the provenance says which part came
//     from where. Every request waits for one shared token bucket and
//     honours 429 with Retry-After or X-RateLimit-Reset.
//   - Honest volume: IEX is one venue, a few per cent of the consolidated
//     volume. On the IEX feed the minute bars older than 15 minutes are
//     replaced by consolidated SIP bars (free on every plan once 15 minutes
//     old), so today's volume is consolidated up to 15 minutes ago and IEX
//     after: the provenance marks it partial (VolumePartial), as it does
//     when the SIP bars cannot be had.
//
// The keys come from the caller (environment APCA_API_KEY_ID and
// APCA_API_SECRET_KEY, or the config). They are sent only in request
// headers and the stream's auth message and never appear in an error, a
// status, a log line or the cache.
package alpaca

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// Defaults of Options.
const (
	DefaultBaseURL      = "https://data.alpaca.markets"
	DefaultStreamURL    = "wss://stream.data.alpaca.markets"
	DefaultFeed         = "iex"
	DefaultTradeSymbols = 30 // the free plan's cap on trade/quote symbols
	DefaultRatePerSec   = 3  // the free plan allows 200 requests a minute; the bucket stays under it
	DefaultBurst        = 5
	DefaultBatchEvery   = 100 * time.Millisecond
	DefaultPingEvery    = 10 * time.Second
	DefaultPongWait     = 5 * time.Second
	DefaultAuthTimeout  = 10 * time.Second // the server closes unauthenticated connections after 10 s
	DefaultTimeout      = 15 * time.Second
	// SIPDelay is how old SIP data must be for the free plan to serve it.
	SIPDelay = 15 * time.Minute
)

// HistoryStart is the first date of Alpaca's daily history.
var HistoryStart = time.Date(2016, 1, 1, 0, 0, 0, 0, calendar.Location())

// Feeds lists the valid values of Options.Feed.
func Feeds() []string { return []string{"iex", "sip", "delayed_sip"} }

// Options configures the Alpaca feed. Zero values take the defaults.
type Options struct {
	// FeedOptions are the options every network feed shares (REST base URL,
	// HTTP client, clock, calendar, rate limit, timeout, jitter). The poll
	// intervals are unused: the feed streams.
	httpx.FeedOptions

	KeyID     string // APCA_API_KEY_ID (required; never logged)
	SecretKey string // APCA_API_SECRET_KEY (required; never logged)

	StreamURL string // WebSocket base (default DefaultStreamURL); "/v2/<feed>" is added when it has no path
	Feed      string // "iex" (default, free), "sip" (paid) or "delayed_sip" (15 minutes late, consolidated)

	// TradeSymbols caps the symbols whose trades are subscribed (default
	// DefaultTradeSymbols; the free plan allows 30). TradeFirst lists the
	// symbols that get trades first (the pair legs; WatchPair replaces
	// them); then the watchlist order.
	TradeSymbols int
	TradeFirst   []string

	BatchEvery  time.Duration // batch period (default 100 ms; negative: send at once, for tests)
	PingEvery   time.Duration // default 10 s
	PongWait    time.Duration // default 5 s
	AuthTimeout time.Duration // welcome + auth + subscribe (default 10 s)

	// Deep, if set, supplies the daily history before Alpaca's (which starts
	// in 2016), e.g. Yahoo behind the history cache. Its failures only
	// shorten the history.
	Deep     feeds.Feed
	DeepName string // its name for the provenance (default Deep.Name())

	Logger *slog.Logger // connection events (never keys); default discarded
}

// spec is what the Alpaca feed fixes about its REST requests.
func spec(keyID, secret string) httpx.Spec {
	return httpx.Spec{
		Feed: "alpaca", Source: "Alpaca", BaseURL: DefaultBaseURL,
		RatePerSec: DefaultRatePerSec, Burst: DefaultBurst, Timeout: DefaultTimeout, Accept: "application/json",
		Header: http.Header{"Apca-Api-Key-Id": {keyID}, "Apca-Api-Secret-Key": {secret}},
	}
}

// Feed is the Alpaca feed. History and Stream may run concurrently; they
// share the REST rate limiter.
type Feed struct {
	*httpx.Base // REST: client, limiter, backoff (the stream has its own loop)
	o           Options
	base        string
	stream      string
	http        *httpx.Client
	back        httpx.Backoff
	log         *slog.Logger

	mu    sync.Mutex
	hist  []engine.HistorySpan // the last History's spans
	first []string             // the symbols whose trades come first (TradeFirst, then WatchPair's legs)
	pairc chan struct{}        // closed (and replaced) when first changes

	wakeups atomic.Int64 // session loop iterations (a test checks it idles)
}

var _ feeds.Feed = (*Feed)(nil)

// New validates the options and returns a feed.
func New(o Options) (*Feed, error) {
	if strings.TrimSpace(o.KeyID) == "" || strings.TrimSpace(o.SecretKey) == "" {
		return nil, errors.New("alpaca: new: no API key: set APCA_API_KEY_ID and APCA_API_SECRET_KEY (a free Alpaca account is enough)")
	}
	if o.StreamURL == "" {
		o.StreamURL = DefaultStreamURL
	}
	if o.Feed == "" {
		o.Feed = DefaultFeed
	}
	if !slices.Contains(Feeds(), o.Feed) {
		return nil, fmt.Errorf("alpaca: new: feed %q is not one of %s", o.Feed, strings.Join(Feeds(), ", "))
	}
	su, err := url.Parse(o.StreamURL)
	if err != nil || (su.Scheme != "ws" && su.Scheme != "wss" && su.Scheme != "http" && su.Scheme != "https") || su.Host == "" {
		return nil, fmt.Errorf("alpaca: new: stream URL %q must be ws(s)://host", o.StreamURL)
	}
	if su.Path == "" || su.Path == "/" {
		su.Path = "/v2/" + o.Feed
	}
	if o.TradeSymbols == 0 {
		o.TradeSymbols = DefaultTradeSymbols
	}
	if o.TradeSymbols < 0 {
		return nil, fmt.Errorf("alpaca: new: negative trade symbol cap %d", o.TradeSymbols)
	}
	if o.BatchEvery == 0 {
		o.BatchEvery = DefaultBatchEvery
	}
	if o.PingEvery == 0 {
		o.PingEvery = DefaultPingEvery
	}
	if o.PongWait == 0 {
		o.PongWait = DefaultPongWait
	}
	if o.AuthTimeout == 0 {
		o.AuthTimeout = DefaultAuthTimeout
	}
	if o.PingEvery < 0 || o.PongWait < 0 || o.AuthTimeout < 0 {
		return nil, errors.New("alpaca: new: negative interval")
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.UserAgent == "" {
		o.UserAgent = "capwatch" // an honest agent: Alpaca is an official API
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	stream := o.Client // the WebSocket handshake uses the caller's client as it is
	rest := *o.Client  // REST: the same client plus the rate-limit headers
	rest.Transport = &resetTransport{base: o.Client.Transport, clk: o.Clock}
	fo := o.FeedOptions
	fo.Client = &rest
	b, err := httpx.NewBase(fo, spec(o.KeyID, o.SecretKey), nil)
	if err != nil {
		return nil, err
	}
	o.FeedOptions = b.Opts
	o.Client = stream
	return &Feed{Base: b, o: o, base: b.URL, stream: su.String(), http: b.HTTP, back: b.Backoff, log: o.Logger,
		first: slices.Clone(o.TradeFirst), pairc: make(chan struct{})}, nil
}

// WatchPair makes small and large the symbols whose trades come first
// (feeds.PairWatcher; the pipeline calls it when the pair key switches the
// pair). A connected stream changes its subscription at once: it
// unsubscribes the trades that no longer fit under TradeSymbols, then
// subscribes the new legs' trades (minute bars are subscribed for every
// watched symbol already); a later connection starts with it.
func (f *Feed) WatchPair(small, large string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	first := []string{small, large}
	if slices.Equal(first, f.first) {
		return
	}
	f.first = first
	close(f.pairc)
	f.pairc = make(chan struct{})
}

// pair returns the symbols whose trades come first and a channel closed
// when they change.
func (f *Feed) pair() ([]string, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first, f.pairc
}

// StreamURL is the WebSocket URL the feed connects to.
func (f *Feed) StreamURL() string { return f.stream }

// History loads daily bars from Alpaca (2016 on, consolidated SIP volume,
// split- and dividend-adjusted) and, with Options.Deep, the years before
// from the deeper source. Today's unfinished bar is left out while the
// session runs. Symbols that fail go into History.Errors; the error return
// is set when no symbol could be loaded, or when ctx ends.
func (f *Feed) History(ctx context.Context, symbols []string) (feeds.History, error) {
	type deepRes struct {
		h   feeds.History
		err error
	}
	deepc := make(chan deepRes, 1)
	if f.o.Deep != nil {
		go func() {
			h, err := f.o.Deep.History(ctx, symbols)
			deepc <- deepRes{h, err}
		}()
	} else {
		deepc <- deepRes{}
	}
	h, err := f.daily(ctx, symbols, HistoryStart)
	deep := <-deepc
	if ctx.Err() != nil {
		return feeds.History{}, ctx.Err()
	}
	if deep.err != nil {
		f.log.Warn("alpaca: deep history", "source", f.deepName(), "err", httpx.MessageOf(deep.err))
	}
	h, deepOnly := f.merge(symbols, h, deep.h)
	spans := spansOf(h.Daily, f.deepName(), deepOnly)
	h.Provenance = &engine.Provenance{Volume: "SIP", History: spans}
	f.mu.Lock()
	f.hist = spans
	f.mu.Unlock()
	if len(symbols) > 0 && len(h.Daily) == 0 {
		if err == nil {
			err = errors.New("no data")
		}
		return h, fmt.Errorf("alpaca: history: %s (no symbol loaded)", httpx.MessageOf(err))
	}
	return h, nil
}

// HistorySince loads Alpaca's daily bars from since (New York date) on, for
// the history cache (feeds/histcache) to extend its files.
func (f *Feed) HistorySince(ctx context.Context, symbols []string, since time.Time) (feeds.History, error) {
	if since.IsZero() {
		return feeds.History{}, errors.New("alpaca: history since: no start date")
	}
	h, err := f.daily(ctx, symbols, since)
	if len(symbols) > 0 && len(h.Daily) == 0 {
		if err == nil {
			err = errors.New("no data")
		}
		return h, fmt.Errorf("alpaca: history: %s (no symbol loaded)", httpx.MessageOf(err))
	}
	h.Provenance = &engine.Provenance{Volume: "SIP", History: spansOf(h.Daily, "", nil)}
	return h, nil
}

// daily fetches Alpaca's daily bars from start. A request failure makes
// every symbol of the request an error; symbols without bars are errors.
func (f *Feed) daily(ctx context.Context, symbols []string, start time.Time) (feeds.History, error) {
	now := f.o.Clock.Now()
	h := feeds.History{Daily: make(map[string][]engine.Bar, len(symbols))}
	bars, err := f.fetchBars(ctx, barsQuery{Symbols: symbols, Timeframe: "1Day", Start: start, End: now.Add(-SIPDelay), Feed: "sip", Adjustment: "all"})
	if ctx.Err() != nil {
		return h, ctx.Err()
	}
	for _, s := range symbols {
		b := httpx.TrimUnfinished(bars[s], f.o.Calendar, now)
		switch {
		case len(b) > 0:
			h.Daily[s] = b
		case err != nil:
			h.Errors = append(h.Errors, engine.SymbolError{Symbol: s, Message: httpx.MessageOf(err)})
		default:
			h.Errors = append(h.Errors, engine.SymbolError{Symbol: s, Message: "Alpaca has no daily bars for this symbol"})
		}
	}
	return h, err
}

func (f *Feed) deepName() string {
	switch {
	case f.o.DeepName != "":
		return f.o.DeepName
	case f.o.Deep != nil:
		return f.o.Deep.Name()
	}
	return ""
}

// merge puts the deep source's bars before Alpaca's first bar of each
// symbol. When both have that first date the deep bars are scaled by
// Alpaca's close over the deep close on it (the two adjust dividends
// differently), so the series has no step at the seam. A symbol Alpaca
// lacks keeps the deep bars alone (with Alpaca's error cleared).
func (f *Feed) merge(symbols []string, h, deep feeds.History) (feeds.History, map[string]bool) {
	deepOnly := map[string]bool{}
	if len(deep.Daily) == 0 {
		return h, deepOnly
	}
	for _, s := range symbols {
		d := deep.Daily[s]
		if len(d) == 0 {
			continue
		}
		a := h.Daily[s]
		if len(a) == 0 {
			h.Daily[s] = d
			deepOnly[s] = true
			h.Errors = slices.DeleteFunc(h.Errors, func(e engine.SymbolError) bool { return e.Symbol == s })
			continue
		}
		first := a[0].Time
		cut := sort.Search(len(d), func(i int) bool { return !d[i].Time.Before(first) })
		if cut == 0 {
			continue
		}
		k := 1.0
		if cut < len(d) && d[cut].Time.Equal(first) && d[cut].Close > 0 {
			k = a[0].Close / d[cut].Close
		}
		merged := make([]engine.Bar, 0, cut+len(a))
		for _, b := range d[:cut] {
			b.Open, b.High, b.Low, b.Close = b.Open*k, b.High*k, b.Low*k, b.Close*k
			merged = append(merged, b)
		}
		h.Daily[s] = append(merged, a...)
	}
	return h, deepOnly
}

// spansOf summarises which source each part of the history came from:
// bars before Alpaca's first date are the deep source's, and all bars of
// the symbols only the deep source has.
func spansOf(daily map[string][]engine.Bar, deep string, deepOnly map[string]bool) []engine.HistorySpan {
	type acc struct {
		from, to time.Time
		n        int
	}
	var a, d acc
	note := func(x *acc, from, to time.Time) {
		if x.n == 0 || from.Before(x.from) {
			x.from = from
		}
		if x.n == 0 || to.After(x.to) {
			x.to = to
		}
		x.n++
	}
	for sym, bars := range daily {
		if len(bars) == 0 {
			continue
		}
		if deepOnly[sym] {
			note(&d, bars[0].Time, bars[len(bars)-1].Time)
			continue
		}
		cut := sort.Search(len(bars), func(i int) bool { return !bars[i].Time.Before(HistoryStart) })
		if cut > 0 && deep != "" {
			note(&d, bars[0].Time, bars[cut-1].Time)
		}
		if cut < len(bars) {
			note(&a, bars[cut].Time, bars[len(bars)-1].Time)
		}
	}
	var out []engine.HistorySpan
	if d.n > 0 {
		out = append(out, engine.HistorySpan{Source: deep, From: d.from.Format("2006-01-02"), To: d.to.Format("2006-01-02"), Symbols: d.n})
	}
	if a.n > 0 {
		out = append(out, engine.HistorySpan{Source: "alpaca", From: a.from.Format("2006-01-02"), To: a.to.Format("2006-01-02"), Symbols: a.n})
	}
	return out
}
