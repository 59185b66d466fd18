// Package faults is a fault-injecting stand-in for the Yahoo Finance chart
// API v8 (/v8/finance/chart/{symbol}), for tests. A Server listens on
// loopback (httptest) and serves deterministic, valid chart JSON for a set
// of symbols: daily history (range=…&interval=1d) and today's 1-minute bars
// (interval=1m) up to the time given by an injected clock. At run time it can
// be switched between behaviours (see Mode): 429 storms with and without
// Retry-After, 5xx bursts, connection resets, a handler that hangs until the
// client gives up, an HTML consent page, truncated bodies, bad prices
// (0 / null / negative) and symbols that disappear ("No data found, symbol
// may be delisted") and come back. Hostile strings (terminal escapes, bidi
// overrides) can be injected into meta.symbol, error descriptions and the
// HTML title.
//
// Prices follow Price(symbol, t), so a test can compute the value it expects
// on the screen without reading the server's output.
package faults

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// Mode is the server's behaviour for chart requests.
type Mode int

// Behaviours.
const (
	Healthy         Mode = iota // valid chart JSON
	RateLimited                 // HTTP 429 with Retry-After (Options.RetryAfter, in seconds)
	RateLimitedBare             // HTTP 429 without Retry-After
	ServerError                 // HTTP 5xx (Options.ServerStatus) with a JSON error body
	ConnReset                   // the connection is hijacked and reset (TCP RST) before any reply
	Hang                        // the handler blocks until the client gives up or the server closes
	HTMLPage                    // HTTP 200 with an HTML consent page
	Truncated                   // HTTP 200, valid headers, the JSON cut at two thirds (a parse error)
	TruncatedConn               // Content-Length promises the full body, the connection drops mid-body
	BadPrices                   // valid JSON whose newest points (and meta price) are 0, null or negative
	Garbage                     // HTTP 200, application/json, a body that is not JSON (with escapes in it)
	NoPrices                    // valid JSON in which every price is null and the meta price 0
)

func (m Mode) String() string {
	switch m {
	case Healthy:
		return "healthy"
	case RateLimited:
		return "429 with Retry-After"
	case RateLimitedBare:
		return "429 without Retry-After"
	case ServerError:
		return "5xx"
	case ConnReset:
		return "connection reset"
	case Hang:
		return "hang"
	case HTMLPage:
		return "HTML page"
	case Truncated:
		return "truncated body"
	case TruncatedConn:
		return "connection dropped mid-body"
	case BadPrices:
		return "bad prices"
	case Garbage:
		return "garbage"
	case NoPrices:
		return "no prices"
	}
	return "unknown"
}

// Options configures a Server.
type Options struct {
	// Symbols are the symbols served; any other symbol gets the 404 JSON
	// error object. Required.
	Symbols []string
	// Now is the server's clock (the test's fake clock). Required.
	Now func() time.Time
	// Calendar is the trading calendar (default calendar.NYSE()).
	Calendar *calendar.Calendar
	// DailyBars is how many daily bars history requests get (default 260).
	DailyBars int
	// RetryAfter is sent with RateLimited (default 30 s; whole seconds).
	RetryAfter time.Duration
	// ServerStatus is the status of ServerError (default 503).
	ServerStatus int
	// OnRequest, if set, is called at the start of each chart request with
	// the symbol and the behaviour chosen for it (on the handler's goroutine).
	OnRequest func(symbol string, m Mode)
}

// Defaults of Options.
const (
	DefaultDailyBars    = 260
	DefaultRetryAfter   = 30 * time.Second
	DefaultServerStatus = http.StatusServiceUnavailable
	// NotFoundDescription is Yahoo's description for an unknown or delisted symbol.
	NotFoundDescription = "No data found, symbol may be delisted"
)

// Server is a fault-injecting chart API server. Its methods are safe for
// concurrent use. Close it (t.Cleanup(s.Close)): Close releases hanging
// handlers first, so nothing is left running.
type Server struct {
	o       Options
	srv     *httptest.Server
	release chan struct{} // closed by Close: hanging handlers return

	mu        sync.Mutex
	mode      Mode
	left      int // requests left in a burst of mode (0: mode persists)
	gone      map[string]bool
	display   map[string]string // meta.symbol overrides
	errDesc   string            // description of the 404 error object
	desc5xx   string            // description of the 5xx error object ("" = the status text)
	htmlTitle string
	requests  int
	byMode    map[Mode]int
	closeOnce sync.Once
}

// New starts a server on loopback.
func New(o Options) (*Server, error) {
	if len(o.Symbols) == 0 {
		return nil, errors.New("faults: new: no symbols")
	}
	if o.Now == nil {
		return nil, errors.New("faults: new: nil clock (Options.Now)")
	}
	if o.Calendar == nil {
		o.Calendar = calendar.NYSE()
	}
	if o.DailyBars == 0 {
		o.DailyBars = DefaultDailyBars
	}
	if o.RetryAfter == 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	if o.ServerStatus == 0 {
		o.ServerStatus = DefaultServerStatus
	}
	switch {
	case o.DailyBars < 1 || o.DailyBars > 5000:
		return nil, fmt.Errorf("faults: new: daily bars %d not in 1..5000", o.DailyBars)
	case o.RetryAfter < time.Second:
		return nil, fmt.Errorf("faults: new: retry-after %v under 1s", o.RetryAfter)
	case o.ServerStatus < 500 || o.ServerStatus > 599:
		return nil, fmt.Errorf("faults: new: server status %d is not 5xx", o.ServerStatus)
	}
	s := &Server{
		o: o, release: make(chan struct{}),
		gone: map[string]bool{}, display: map[string]string{}, byMode: map[Mode]int{},
		errDesc:   NotFoundDescription,
		htmlTitle: "Yahoo is part of the Yahoo family of brands",
	}
	s.srv = httptest.NewServer(s)
	return s, nil
}

// URL is the base URL to give the Yahoo adapter (yahoo.Options.BaseURL).
func (s *Server) URL() string { return s.srv.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close releases hanging handlers, then shuts the server down and waits for
// its handlers. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.release)
		s.srv.CloseClientConnections()
		s.srv.Close()
	})
}

// SetMode switches every following request to m until changed.
func (s *Server) SetMode(m Mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode, s.left = m, 0
}

// Burst answers the next n requests with m, then turns healthy again.
func (s *Server) Burst(m Mode, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mode, s.left = m, max(n, 0)
	if n <= 0 {
		s.mode = Healthy
	}
}

// Mode returns the current behaviour.
func (s *Server) Mode() Mode {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mode
}

// Remove makes sym disappear: HTTP 404 with Yahoo's JSON error object.
func (s *Server) Remove(sym string) { s.setGone(sym, true) }

// Restore brings a removed symbol back.
func (s *Server) Restore(sym string) { s.setGone(sym, false) }

func (s *Server) setGone(sym string, gone bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if gone {
		s.gone[sym] = true
	} else {
		delete(s.gone, sym)
	}
}

// SetMetaSymbol makes replies for sym carry display as meta.symbol (for
// escape-injection tests); "" restores the real symbol.
func (s *Server) SetMetaSymbol(sym, display string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if display == "" {
		delete(s.display, sym)
	} else {
		s.display[sym] = display
	}
}

// SetErrorDescription sets the description of the error objects: the 404
// one and the 5xx one ("" restores NotFoundDescription and the status text).
func (s *Server) SetErrorDescription(d string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.desc5xx = d
	if d == "" {
		d = NotFoundDescription
	}
	s.errDesc = d
}

// SetHTMLTitle sets the title of the HTML consent page.
func (s *Server) SetHTMLTitle(t string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.htmlTitle = t
}

// Requests returns how many chart requests arrived, and how many were
// answered with m.
func (s *Server) Requests(m Mode) (total, inMode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.byMode[m]
}

// take decides how to answer one request.
func (s *Server) take(sym string) (m Mode, gone bool, display, desc, desc5xx, title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m = s.mode
	if s.left > 0 {
		s.left--
		if s.left == 0 {
			s.mode = Healthy
		}
	}
	s.requests++
	s.byMode[m]++
	display = s.display[sym]
	if display == "" {
		display = sym
	}
	return m, s.gone[sym], display, s.errDesc, s.desc5xx, s.htmlTitle
}

func (s *Server) served(sym string) bool {
	for _, x := range s.o.Symbols {
		if x == sym {
			return true
		}
	}
	return false
}

// ServeHTTP answers /v8/finance/chart/{symbol}.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sym, ok := strings.CutPrefix(r.URL.Path, "/v8/finance/chart/")
	if !ok || r.Method != http.MethodGet {
		writeJSON(w, http.StatusNotFound, errorObject("Not Found", "no such endpoint"))
		return
	}
	mode, gone, display, desc, desc5xx, title := s.take(sym)
	if s.o.OnRequest != nil {
		s.o.OnRequest(sym, mode)
	}
	switch mode {
	case RateLimited:
		w.Header().Set("Retry-After", strconv.Itoa(int(s.o.RetryAfter/time.Second)))
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte("Too Many Requests\r\n"))
		return
	case RateLimitedBare:
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte("Too Many Requests\r\n"))
		return
	case ServerError:
		if desc5xx == "" {
			desc5xx = http.StatusText(s.o.ServerStatus)
		}
		b, _ := json.Marshal(map[string]any{"finance": map[string]any{"result": nil,
			"error": map[string]string{"code": "internal-error", "description": desc5xx}}})
		writeJSON(w, s.o.ServerStatus, b)
		return
	case ConnReset:
		reset(w)
		return
	case Hang:
		select {
		case <-r.Context().Done(): // the client gave up
		case <-s.release: // the server is closing
		}
		return
	case HTMLPage:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(consentPage(title))
		return
	case Garbage:
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		// Control bytes and an OSC 52 clipboard write: parse errors that
		// quote the offending input must not carry them to a terminal.
		_, _ = w.Write([]byte("\x1b]52;c;cm0gLXJmIH4=\x07\x00\x9b2J not json }{"))
		return
	}
	if gone || !s.served(sym) {
		writeJSON(w, http.StatusNotFound, errorObject("Not Found", desc))
		return
	}
	q := r.URL.Query()
	var body []byte
	if q.Get("interval") == "1d" {
		body = s.daily(sym, display, q.Get("range"))
	} else {
		body = s.intraday(sym, display, mode)
	}
	switch mode {
	case Truncated:
		writeJSON(w, http.StatusOK, body[:len(body)*2/3])
	case TruncatedConn:
		truncateConn(w, body)
	default:
		writeJSON(w, http.StatusOK, body)
	}
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// reset hijacks the connection and closes it with SO_LINGER 0 (a TCP RST).
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok { // httptest's HTTP/1 server always can
		http.Error(w, "faults: reset: cannot hijack the connection", http.StatusInternalServerError)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// truncateConn promises the whole body, sends half of it and drops the connection.
func truncateConn(w http.ResponseWriter, body []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "faults: truncate: cannot hijack the connection", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=utf-8\r\nContent-Length: %d\r\n\r\n", len(body))
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

// errorObject is Yahoo's chart error reply.
func errorObject(code, desc string) []byte {
	b, _ := json.Marshal(map[string]any{"chart": map[string]any{"result": nil,
		"error": map[string]string{"code": code, "description": desc}}})
	return b
}

// consentPage is an HTML consent wall like the one Yahoo serves in the EU.
func consentPage(title string) []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en-us\"><head><meta charset=\"utf-8\"><title>")
	b.WriteString(title) // raw on purpose: hostile titles are part of the test
	b.WriteString("</title></head>\n<body><form method=\"post\" action=\"https://guce.yahoo.com/consent\">" +
		"<h2>Yahoo is part of the Yahoo family of brands.</h2><button name=\"agree\">Accept all</button></form></body></html>\n")
	return b.Bytes()
}

// Price is the deterministic price of sym at minute t of a session (and,
// for daily bars, the close of the day with t as its open). It is positive,
// moves a little every minute, and differs between symbols.
func Price(sym string, t time.Time) float64 {
	base := 120 + float64(hash(sym)%400) // ≥ 100 at any time: two decimals on screen
	m := float64(t.Unix() / 60)          // minutes since the epoch
	// A slow wave over days and a fast one over minutes.
	phase := float64(hash(sym) % 628)
	p := base * (1 + 0.05*math.Sin(m/(60*24*7)+phase/100) + 0.002*math.Sin(m/7+phase))
	return math.Round(p*100) / 100
}

// Volume is the deterministic volume of a bar of sym starting at t.
func Volume(sym string, t time.Time, daily bool) float64 {
	v := 1000 + float64((hash(sym)+uint32(t.Unix()/60))%500)
	if daily {
		v *= 390
	}
	return v
}

func hash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

// chart is a chart reply; nil entries in the arrays marshal as JSON null.
type chart struct {
	meta                           map[string]any
	ts                             []int64
	open, high, low, close, volume []any
}

func (c *chart) add(t time.Time, o, h, l, cl, v any) {
	c.ts = append(c.ts, t.Unix())
	c.open, c.high, c.low, c.close, c.volume = append(c.open, o), append(c.high, h), append(c.low, l), append(c.close, cl), append(c.volume, v)
}

func (c *chart) json() []byte {
	doc := map[string]any{"chart": map[string]any{"result": []any{map[string]any{
		"meta": c.meta, "timestamp": c.ts,
		"indicators": map[string]any{"quote": []any{map[string]any{
			"open": c.open, "high": c.high, "low": c.low, "close": c.close, "volume": c.volume}}},
	}}, "error": nil}}
	b, err := json.Marshal(doc)
	if err != nil { // only finite numbers and strings: cannot happen
		return errorObject("Internal Error", fmt.Sprintf("faults: marshal chart: %v", err))
	}
	return b
}

func (s *Server) meta(display, rng, gran string) map[string]any {
	return map[string]any{
		"currency": "USD", "symbol": display, "exchangeName": "PCX", "instrumentType": "ETF",
		"gmtoffset": -18000, "timezone": "EST", "exchangeTimezoneName": "America/New_York",
		"dataGranularity": gran, "range": rng, "priceHint": 2,
	}
}

// daily is the history reply: DailyBars trading days up to today (today's
// bar, partial during the session, included once the session has opened),
// stamped at the 09:30 open like Yahoo's.
func (s *Server) daily(sym, display, rng string) []byte {
	now := s.o.Now()
	cal := s.o.Calendar
	d := cal.TradingDate(now)
	if open, _, ok := cal.Session(now); ok && now.Before(open) {
		d = cal.PrevTradingDate(d)
	}
	days := make([]time.Time, 0, s.o.DailyBars)
	for len(days) < s.o.DailyBars {
		days = append(days, d)
		d = cal.PrevTradingDate(d)
	}
	c := &chart{meta: s.meta(display, rng, "1d")}
	var last float64
	for i := len(days) - 1; i >= 0; i-- {
		open, closeAt, _ := cal.Session(days[i])
		end := closeAt.Add(-time.Minute)
		if now.Before(closeAt) {
			end = now
		}
		o, cl := Price(sym, open), Price(sym, end)
		c.add(open, o, max(o, cl)*1.004, min(o, cl)*0.996, cl, Volume(sym, open, true))
		last = cl
	}
	c.meta["regularMarketPrice"] = last
	c.meta["regularMarketTime"] = now.Unix()
	return c.json()
}

// intraday is the range=1d&interval=1m reply: today's 1-minute bars from the
// open to now (the last session's, outside it). With BadPrices the meta
// price and the three newest points are corrupted (close 0, all-null,
// negative); with NoPrices every point is null and the meta price 0.
func (s *Server) intraday(sym, display string, mode Mode) []byte {
	now := s.o.Now()
	cal := s.o.Calendar
	open, closeAt, ok := cal.Session(now)
	if !ok || now.Before(open) {
		open, closeAt, _ = cal.Session(cal.PrevTradingDate(cal.TradingDate(now)))
	}
	end := now
	if end.After(closeAt) {
		end = closeAt.Add(-time.Minute)
	}
	c := &chart{meta: s.meta(display, "1d", "1m")}
	var last, vol float64
	var lastT time.Time
	for t := open; !t.After(end); t = t.Add(time.Minute) {
		p := Price(sym, t)
		v := Volume(sym, t, false)
		c.add(t, p, p+0.05, p-0.05, p, v)
		last, lastT, vol = p, t, vol+v
	}
	c.meta["regularMarketPrice"] = last
	c.meta["regularMarketTime"] = max(lastT.Unix(), min(now.Unix(), closeAt.Unix()))
	c.meta["regularMarketVolume"] = vol
	c.meta["chartPreviousClose"] = Price(sym, cal.PrevTradingDate(open).Add(16*time.Hour-time.Minute))
	switch mode {
	case NoPrices:
		for i := range c.close {
			c.open[i], c.high[i], c.low[i], c.close[i] = nil, nil, nil, nil
		}
		c.meta["regularMarketPrice"] = 0.0
	case BadPrices:
		n := len(c.close)
		for k, v := range []any{0.0, nil, -Price(sym, lastT)} {
			if i := n - 1 - k; i >= 0 {
				c.open[i], c.high[i], c.low[i], c.close[i] = v, v, v, v
			}
		}
		switch hash(sym) % 3 {
		case 0:
			c.meta["regularMarketPrice"] = 0.0
		case 1:
			c.meta["regularMarketPrice"] = nil
		default:
			c.meta["regularMarketPrice"] = -last
		}
	}
	return c.json()
}
