// Package alpacafake is an in-process fake of Alpaca's market-data service
// for tests: the REST endpoint GET /v2/stocks/bars (multi-symbol, paginated
// with next_page_token, key headers checked, the free plan's "no SIP data
// of the last 15 minutes" rule, scripted failures such as 429 with
// Retry-After or X-RateLimit-Reset) and the WebSocket stream /v2/{feed}
// (welcome, auth within the session, subscribe and unsubscribe with a
// trade-symbol cap, data frames pushed by the test — trades only to the
// connections subscribed to their symbol with PushTrades — every documented
// error code, a mid-stream drop, a connection that stops answering (pings
// included), a second connection refused with 406).
//
// It runs on loopback (httptest) and is written from Alpaca's documented
// message shapes; it shares no code with the client in feeds/alpaca. Other
// packages' tests (failover, internal/faults) use it as a scripted outage.
package alpacafake

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/capwatch/capwatch/engine"
)

// Options configures a Server.
type Options struct {
	KeyID, Secret string           // the accepted keys (required)
	PageSize      int              // bars per REST page (default 10000, the documented maximum)
	TradeCap      int              // trade symbols allowed per connection (default 30; 0 = default; <0 = unlimited)
	Now           func() time.Time // the server's clock (default time.Now), for the SIP 15-minute rule
	SIPRecent     bool             // the plan may read SIP data of the last 15 minutes (paid plan)
	MaxConns      int              // concurrent authenticated stream connections (default 1)
	// NoTrades scripts a server that leaves these symbols' trades out of
	// every subscription it confirms (the request is answered, the
	// symbols are not taken).
	NoTrades []string
}

// Request is a REST request the server received.
type Request struct {
	Path  string
	Query map[string]string
}

// Failure is a scripted REST reply.
type Failure struct {
	Status int
	Header map[string]string
	Body   string
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	o   Options
	srv *httptest.Server

	mu       sync.Mutex
	bars     map[string]map[string][]engine.Bar // "feed/timeframe" → symbol → bars
	fails    []Failure
	requests []Request
	conns    []*wsConn
	received []string // client messages, in order
	events   []string // transcript
	changed  chan struct{}
	refuse   *streamErr // sent to every new connection after the welcome
	subErr   []int      // error codes for the next subscribe requests
	noPong   bool
}

type streamErr struct {
	code int
	msg  string
}

// ErrorMessages are the documented stream error messages by code.
var ErrorMessages = map[int]string{
	400: "invalid syntax", 401: "not authenticated", 402: "auth failed", 403: "already authenticated",
	404: "auth timeout", 405: "symbol limit exceeded", 406: "connection limit exceeded", 407: "slow client",
	408: "v2 not enabled", 409: "insufficient subscription", 410: "invalid subscribe action for this feed",
	411: "insufficient scope", 500: "internal error",
}

// New starts a server; Close it when done.
func New(o Options) *Server {
	if o.PageSize <= 0 {
		o.PageSize = 10000
	}
	if o.TradeCap == 0 {
		o.TradeCap = 30
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 1
	}
	s := &Server{o: o, bars: map[string]map[string][]engine.Bar{}, changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/stocks/bars", s.handleBars)
	mux.HandleFunc("GET /v2/{feed}", s.handleStream)
	s.srv = httptest.NewUnstartedServer(mux)
	s.srv.Listener = &listener{Listener: s.srv.Listener}
	s.srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, c)
	}
	s.srv.Start()
	return s
}

type connKey struct{}

// URL is the REST base URL (http://127.0.0.1:port).
func (s *Server) URL() string { return s.srv.URL }

// StreamURL is the stream base URL (ws://127.0.0.1:port); the client adds /v2/<feed>.
func (s *Server) StreamURL() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") }

// Client is an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server and every connection.
func (s *Server) Close() {
	s.mu.Lock()
	for _, c := range s.conns {
		c.raw.Close()
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

func (s *Server) notify(event string) {
	s.events = append(s.events, event)
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait blocks until cond (called with the server's lock held, on the
// transcript so far) is true or ctx ends.
func (s *Server) Wait(ctx context.Context, cond func(transcript []string) bool) error {
	for {
		s.mu.Lock()
		ok := cond(s.events)
		ch := s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			s.mu.Lock()
			defer s.mu.Unlock()
			return fmt.Errorf("alpacafake: %w; transcript: %s", ctx.Err(), strings.Join(s.events, " | "))
		}
	}
}

// WaitEvent waits until the transcript has at least n events equal to event.
func (s *Server) WaitEvent(ctx context.Context, event string, n int) error {
	return s.Wait(ctx, func(tr []string) bool {
		k := 0
		for _, e := range tr {
			if e == event {
				k++
			}
		}
		return k >= n
	})
}

// Transcript returns the events so far, e.g. "connect", "auth ok",
// "subscribed", "error 406", "drop".
func (s *Server) Transcript() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

// Received returns the messages the stream clients sent, in order.
func (s *Server) Received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.received...)
}

// Requests returns the REST requests so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// SetBars stores the bars served for a symbol by feed ("sip", "iex") and
// timeframe ("1Day", "1Min"). Daily bars are keyed by midnight New York.
func (s *Server) SetBars(feed, timeframe, symbol string, bars []engine.Bar) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := feed + "/" + timeframe
	if s.bars[k] == nil {
		s.bars[k] = map[string][]engine.Bar{}
	}
	cp := append([]engine.Bar(nil), bars...)
	sort.Slice(cp, func(i, j int) bool { return cp[i].Time.Before(cp[j].Time) })
	s.bars[k][symbol] = cp
}

// FailREST queues scripted replies for the next REST requests.
func (s *Server) FailREST(f ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = append(s.fails, f...)
}

// RefuseStreams makes every new stream connection get the error code (e.g.
// 406 connection limit exceeded) after the welcome, then close; code 0
// accepts them again.
func (s *Server) RefuseStreams(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		s.refuse = nil
		return
	}
	s.refuse = &streamErr{code, ErrorMessages[code]}
}

// FailSubscribe makes the next subscribe requests get these error codes
// (405 symbol limit, 410 invalid subscribe action, ...), one each.
func (s *Server) FailSubscribe(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subErr = append(s.subErr, codes...)
}

// Push sends a frame (a JSON array of messages) to every subscribed stream
// connection. It returns how many connections it went to.
func (s *Server) Push(frame string) int {
	s.mu.Lock()
	conns := s.live()
	s.mu.Unlock()
	for _, c := range conns {
		c.send(frame)
	}
	return len(conns)
}

// PushTrades sends a frame of trades at time t (TradeFrame) to every
// subscribed connection, each holding only the trades of the symbols that
// connection subscribed, as the service sends them (Push sends a frame as
// it is). It returns how many trades went out in all.
func (s *Server) PushTrades(t time.Time, trades ...Trade) int {
	type send struct {
		c     *wsConn
		frame string
	}
	var sends []send
	n := 0
	s.mu.Lock()
	for _, c := range s.live() {
		var mine []Trade
		for _, tr := range trades {
			if c.trades[tr.Symbol] {
				mine = append(mine, tr)
			}
		}
		if len(mine) > 0 {
			sends = append(sends, send{c, TradeFrame(t, mine...)})
			n += len(mine)
		}
	}
	s.mu.Unlock()
	for _, x := range sends {
		x.c.send(x.frame)
	}
	return n
}

// Subscription is what a stream connection is subscribed to (each list
// sorted).
type Subscription struct {
	Trades, Bars, UpdatedBars []string
}

// Subscriptions returns the subscriptions of the subscribed connections,
// oldest connection first.
func (s *Server) Subscriptions() []Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Subscription
	for _, c := range s.live() {
		out = append(out, Subscription{Trades: keys(c.trades), Bars: keys(c.bars), UpdatedBars: keys(c.updated)})
	}
	return out
}

// SendError sends {"T":"error"} with the code to the subscribed
// connections; with close it then closes them (as Alpaca does for 406/407).
func (s *Server) SendError(code int, close bool) {
	s.mu.Lock()
	conns := s.live()
	s.notify(fmt.Sprintf("error %d", code))
	s.mu.Unlock()
	for _, c := range conns {
		c.send(errFrame(code))
		if close {
			c.ws.Close(websocket.StatusPolicyViolation, ErrorMessages[code])
		}
	}
}

// Drop cuts every stream connection at the TCP level (no close frame); the
// server forgets them at once (a reconnect is accepted). To script the
// server still counting a dropped session, use RefuseStreams(406).
func (s *Server) Drop() {
	s.mu.Lock()
	conns := s.conns
	for _, c := range conns {
		c.closed = true // gone at once: a reconnect is not refused with 406
	}
	s.notify("drop")
	s.mu.Unlock()
	for _, c := range conns {
		c.raw.Close()
	}
}

// Hang makes every current stream connection stop answering: nothing more
// is written to it (pongs included) until it is closed, as with a dead
// network path.
func (s *Server) Hang() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		if fc, ok := c.raw.(*freezable); ok {
			fc.freeze()
		}
	}
	s.notify("hang")
}

// live returns the subscribed connections (lock held).
func (s *Server) live() []*wsConn {
	var out []*wsConn
	for _, c := range s.conns {
		if c.subscribed && !c.closed {
			out = append(out, c)
		}
	}
	return out
}

// --- REST ---

type barJSON struct {
	T  string  `json:"t"`
	O  float64 `json:"o"`
	H  float64 `json:"h"`
	L  float64 `json:"l"`
	C  float64 `json:"c"`
	V  float64 `json:"v"`
	N  int     `json:"n"`
	VW float64 `json:"vw"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) handleBars(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	req := Request{Path: r.URL.Path, Query: map[string]string{}}
	for k := range q {
		req.Query[k] = q.Get(k)
	}
	s.requests = append(s.requests, req)
	var fail *Failure
	if len(s.fails) > 0 {
		f := s.fails[0]
		s.fails = s.fails[1:]
		fail = &f
	}
	s.notify("rest " + q.Get("timeframe") + " " + q.Get("feed"))
	s.mu.Unlock()

	w.Header().Set("X-RateLimit-Limit", "200")
	if fail != nil {
		for k, v := range fail.Header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(fail.Status)
		_, _ = w.Write([]byte(fail.Body))
		return
	}
	if r.Header.Get("APCA-API-KEY-ID") != s.o.KeyID || r.Header.Get("APCA-API-SECRET-KEY") != s.o.Secret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "unauthorized."})
		return
	}
	feed := q.Get("feed")
	if feed == "" {
		feed = "iex"
	}
	tf := q.Get("timeframe")
	start, err1 := parseOptTime(q.Get("start"))
	end, err2 := parseOptTime(q.Get("end"))
	if err1 != nil || err2 != nil || tf == "" || q.Get("symbols") == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "invalid request"})
		return
	}
	now := s.o.Now()
	if end.IsZero() {
		end = now
	}
	if feed == "sip" && !s.o.SIPRecent && end.After(now.Add(-15*time.Minute)) {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "subscription does not permit querying recent SIP data"})
		return
	}
	limit := s.o.PageSize
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 && l < limit {
		limit = l
	}
	offset := 0
	if tok := q.Get("page_token"); tok != "" {
		b, err := base64.StdEncoding.DecodeString(tok)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "invalid page token"})
			return
		}
		if offset, err = strconv.Atoi(string(b)); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "invalid page token"})
			return
		}
	}
	syms := strings.Split(q.Get("symbols"), ",")
	sort.Strings(syms)
	type item struct {
		sym string
		b   engine.Bar
	}
	var all []item
	s.mu.Lock()
	store := s.bars[feed+"/"+tf]
	for _, sym := range syms {
		for _, b := range store[sym] {
			if (!start.IsZero() && b.Time.Before(start)) || b.Time.After(end) {
				continue
			}
			all = append(all, item{sym, b})
		}
	}
	s.mu.Unlock()
	out := struct {
		Bars          map[string][]barJSON `json:"bars"`
		NextPageToken *string              `json:"next_page_token"`
	}{Bars: map[string][]barJSON{}}
	hi := min(offset+limit, len(all))
	for _, it := range all[min(offset, len(all)):hi] {
		b := it.b
		out.Bars[it.sym] = append(out.Bars[it.sym], barJSON{T: b.Time.UTC().Format(time.RFC3339), O: b.Open, H: b.High, L: b.Low, C: b.Close, V: b.Volume, N: 1, VW: b.Close})
	}
	if hi < len(all) {
		tok := base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(hi)))
		out.NextPageToken = &tok
	}
	writeJSON(w, http.StatusOK, out)
}

func parseOptTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

// --- stream ---

type wsConn struct {
	s          *Server
	ws         *websocket.Conn
	raw        net.Conn
	wmu        sync.Mutex
	authed     bool
	subscribed bool
	closed     bool
	trades     map[string]bool
	bars       map[string]bool
	updated    map[string]bool
}

func (c *wsConn) send(frame string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.ws.Write(ctx, websocket.MessageText, []byte(frame))
}

func errFrame(code int) string {
	return fmt.Sprintf(`[{"T":"error","code":%d,"msg":%q}]`, code, ErrorMessages[code])
}

func (s *Server) handleStream(w http.ResponseWriter, r *http.Request) {
	raw, _ := r.Context().Value(connKey{}).(net.Conn)
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	ws.SetReadLimit(1 << 20)
	c := &wsConn{s: s, ws: ws, raw: raw, trades: map[string]bool{}, bars: map[string]bool{}, updated: map[string]bool{}}
	s.mu.Lock()
	s.conns = append(s.conns, c)
	refuse := s.refuse
	s.notify("connect " + r.PathValue("feed"))
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		c.closed = true
		s.notify("closed")
		s.mu.Unlock()
		ws.CloseNow()
	}()
	c.send(`[{"T":"success","msg":"connected"}]`)
	if refuse != nil {
		c.send(errFrame(refuse.code))
		s.mu.Lock()
		s.notify(fmt.Sprintf("error %d", refuse.code))
		s.mu.Unlock()
		ws.Close(websocket.StatusPolicyViolation, refuse.msg)
		return
	}
	for {
		_, data, err := ws.Read(context.Background())
		if err != nil {
			return
		}
		if !c.handle(data) {
			return
		}
	}
}

type clientMsg struct {
	Action      string   `json:"action"`
	Key         string   `json:"key"`
	Secret      string   `json:"secret"`
	Trades      []string `json:"trades"`
	Quotes      []string `json:"quotes"`
	Bars        []string `json:"bars"`
	UpdatedBars []string `json:"updatedBars"`
}

// handle answers one client message; false closes the connection.
func (c *wsConn) handle(data []byte) bool {
	s := c.s
	var m clientMsg
	s.mu.Lock()
	s.received = append(s.received, string(data))
	s.mu.Unlock()
	if err := json.Unmarshal(data, &m); err != nil {
		c.sendEvent(400, "")
		return true
	}
	switch m.Action {
	case "auth":
		if c.authed {
			c.sendEvent(403, "")
			return true
		}
		if m.Key != s.o.KeyID || m.Secret != s.o.Secret {
			c.sendEvent(402, "")
			c.ws.Close(websocket.StatusPolicyViolation, "auth failed")
			return false
		}
		s.mu.Lock()
		n := 0
		for _, o := range s.conns {
			if o != c && o.authed && !o.closed {
				n++
			}
		}
		s.mu.Unlock()
		if n >= s.o.MaxConns {
			c.sendEvent(406, "")
			c.ws.Close(websocket.StatusPolicyViolation, "connection limit exceeded")
			return false
		}
		c.authed = true
		c.send(`[{"T":"success","msg":"authenticated"}]`)
		s.mu.Lock()
		s.notify("auth ok")
		s.mu.Unlock()
	case "subscribe", "unsubscribe":
		if !c.authed {
			c.sendEvent(401, "")
			return true
		}
		s.mu.Lock()
		code := 0
		if len(s.subErr) > 0 {
			code, s.subErr = s.subErr[0], s.subErr[1:]
		}
		s.mu.Unlock()
		if code != 0 {
			c.sendEvent(code, "")
			return true
		}
		add := m.Action == "subscribe"
		s.mu.Lock() // the sets are read by PushTrades and Subscriptions
		trades := copySet(c.trades)
		apply(trades, m.Trades, add)
		for _, x := range s.o.NoTrades {
			delete(trades, x)
		}
		if s.o.TradeCap > 0 && len(trades) > s.o.TradeCap {
			s.mu.Unlock()
			c.sendEvent(405, "")
			return true
		}
		c.trades = trades
		apply(c.bars, m.Bars, add)
		apply(c.updated, m.UpdatedBars, add)
		sub := struct {
			T           string   `json:"T"`
			Trades      []string `json:"trades"`
			Quotes      []string `json:"quotes"`
			Bars        []string `json:"bars"`
			UpdatedBars []string `json:"updatedBars"`
			DailyBars   []string `json:"dailyBars"`
			Statuses    []string `json:"statuses"`
			LULDs       []string `json:"lulds"`
			Corrections []string `json:"corrections"`
			CancelErrs  []string `json:"cancelErrors"`
		}{T: "subscription", Trades: keys(c.trades), Quotes: []string{}, Bars: keys(c.bars), UpdatedBars: keys(c.updated),
			DailyBars: []string{}, Statuses: []string{}, LULDs: []string{}, Corrections: keys(c.trades), CancelErrs: keys(c.trades)}
		b, _ := json.Marshal([]any{sub})
		c.subscribed = true // before the reply: a client that saw it may push at once
		s.mu.Unlock()
		c.send(string(b))
		s.mu.Lock()
		s.notify(m.Action + "d") // "subscribed", "unsubscribed"
		s.mu.Unlock()
	default:
		c.sendEvent(400, "")
	}
	return true
}

func (c *wsConn) sendEvent(code int, _ string) {
	c.send(errFrame(code))
	c.s.mu.Lock()
	c.s.notify(fmt.Sprintf("error %d", code))
	c.s.mu.Unlock()
}

func copySet(m map[string]bool) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func apply(set map[string]bool, syms []string, add bool) {
	for _, s := range syms {
		if add {
			set[s] = true
		} else {
			delete(set, s)
		}
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// --- frames ---

// TradeFrame is a frame with one trade per symbol at price p and time t.
func TradeFrame(t time.Time, trades ...Trade) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, tr := range trades {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"T":"t","i":%d,"S":%q,"x":"V","p":%s,"s":%d,"t":%q,"c":["@"],"z":"B"}`,
			i+1, tr.Symbol, strconv.FormatFloat(tr.Price, 'f', -1, 64), tr.Size, t.UTC().Format(time.RFC3339Nano))
	}
	b.WriteByte(']')
	return b.String()
}

// Trade is one trade for TradeFrame.
type Trade struct {
	Symbol string
	Price  float64
	Size   int
}

// BarFrame is a frame of minute bars ("b"); updated makes them "u" bars.
func BarFrame(updated bool, bars ...engine.Bar) string {
	typ := "b"
	if updated {
		typ = "u"
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, x := range bars {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"T":%q,"S":%q,"o":%s,"h":%s,"l":%s,"c":%s,"v":%s,"t":%q,"n":7,"vw":%s}`, typ, x.Symbol,
			ff(x.Open), ff(x.High), ff(x.Low), ff(x.Close), ff(x.Volume), x.Time.UTC().Format(time.RFC3339), ff(x.Close))
	}
	b.WriteByte(']')
	return b.String()
}

func ff(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// --- connections that can hang ---

type listener struct{ net.Listener }

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &freezable{Conn: c, thaw: make(chan struct{})}, nil
}

// freezable is a connection whose writes can be made to block forever (a
// dead path): the peer then gets nothing, pongs included.
type freezable struct {
	net.Conn
	mu     sync.Mutex
	frozen bool
	thaw   chan struct{}
	once   sync.Once
}

func (c *freezable) freeze() {
	c.mu.Lock()
	c.frozen = true
	c.mu.Unlock()
}

func (c *freezable) Write(p []byte) (int, error) {
	c.mu.Lock()
	frozen := c.frozen
	c.mu.Unlock()
	if frozen {
		<-c.thaw
		return 0, net.ErrClosed
	}
	return c.Conn.Write(p)
}

func (c *freezable) Close() error {
	c.once.Do(func() { close(c.thaw) })
	return c.Conn.Close()
}
