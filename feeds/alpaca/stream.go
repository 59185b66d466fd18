package alpaca

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
)

// maxFrame bounds one stream frame (a burst of 2,000 minute bars is ~250 KB).
const maxFrame = 16 << 20

// StreamError is an error message of the stream ({"T":"error","code":...}).
type StreamError struct {
	Code int
	Msg  string // as sent by the server, sanitised
}

func (e *StreamError) Error() string { return fmt.Sprintf("alpaca stream: %d %s", e.Code, e.Msg) }

// Explain is the status-line text of a stream error: what happened and
// what to do.
func (e *StreamError) Explain(feed string) string {
	switch e.Code {
	case 400:
		return "Alpaca did not understand a stream request (400 invalid syntax)"
	case 401:
		return "Alpaca stream: subscribed before logging in (401 not authenticated); reconnecting"
	case 402:
		return "Alpaca rejected the API keys (402 auth failed): check APCA_API_KEY_ID and APCA_API_SECRET_KEY"
	case 404:
		return "Alpaca closed the stream: no login within 10 s (404 auth timeout)"
	case 405:
		return "Alpaca symbol limit exceeded (405): the plan allows fewer trade symbols; lower feeds.alpaca.trade_symbols"
	case 406:
		return "Alpaca allows one stream per key and another program (a second capwatch?) is using it (406 connection limit exceeded)"
	case 407:
		return "Alpaca dropped the stream: capwatch read too slowly (407 slow client); reconnecting"
	case 408:
		return "this Alpaca account has no market data v2 access (408)"
	case 409:
		return fmt.Sprintf("the Alpaca plan does not include the %s feed (409 insufficient subscription): use feed \"iex\" (free) or \"delayed_sip\"", feed)
	case 410:
		return "Alpaca refused a subscription for this feed (410 invalid subscribe action)"
	case 411:
		return "the Alpaca key may not read market data (411 insufficient scope)"
	case 500:
		return "Alpaca stream internal error (500); reconnecting"
	}
	return fmt.Sprintf("Alpaca stream error %d: %s", e.Code, e.Msg)
}

// fatal reports whether retrying soon cannot help (keys, plan): the feed
// then waits the longest backoff between attempts.
func (e *StreamError) fatal() bool {
	switch e.Code {
	case 402, 408, 409, 411:
		return true
	}
	return false
}

// sessionError is how a connection ended.
type sessionError struct {
	reason  string // for the status line (sanitised, key-free)
	fatal   bool
	err     error
	healthy bool // the connection streamed normally before it ended
}

func (e *sessionError) Error() string { return e.reason }

func (f *Feed) prices() string {
	switch f.o.Feed {
	case "sip":
		return "SIP"
	case "delayed_sip":
		return "SIP delayed 15m"
	}
	return "IEX"
}

// Stream connects, subscribes and sends batches until ctx is done (see
// the package doc); it returns ctx.Err() and never closes out.
func (f *Feed) Stream(ctx context.Context, symbols []string, out chan<- feeds.Batch) error {
	st := newState(symbols, f.o.Calendar, f.o.Feed)
	f.mu.Lock()
	st.history = f.hist
	f.mu.Unlock()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		f.sender(sctx, st, out)
	}()
	defer func() { cancel(); <-sent }()

	fails := 0
	var lastOK time.Time
	for {
		err := f.session(sctx, st, symbols)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var se *sessionError
		if !errors.As(err, &se) {
			se = &sessionError{reason: f.errorf("%v", err).Error()}
		}
		if se.healthy {
			fails = 0
		}
		delay := f.back.Delay(fails)
		if se.fatal {
			delay = max(delay, f.back.Max)
		}
		fails++
		now := f.o.Clock.Now()
		wait := f.o.Clock.After(delay) // registered before the status is sent
		st.mu.Lock()
		if st.lastData.After(lastOK) {
			lastOK = st.lastData
		}
		st.mu.Unlock()
		f.log.Warn("alpaca: stream ended", "reason", se.reason, "retry_in", delay)
		st.setStatus(feeds.Status{Feed: "alpaca", State: feeds.StateDown, LastSuccess: lastOK,
			LastError: httpx.Sanitize(f.redact(se.reason)), NextRetry: now.Add(delay), Interval: time.Minute})
		select {
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// sender sends a batch whenever the state has news, waiting BatchEvery
// after the first news so that a burst becomes one batch.
func (f *Feed) sender(ctx context.Context, st *state, out chan<- feeds.Batch) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-st.kick:
		}
		if f.o.BatchEvery > 0 {
			select {
			case <-f.o.Clock.After(f.o.BatchEvery):
			case <-ctx.Done():
				return
			}
		}
		b, ok := st.takeBatch(f.o.Clock.Now(), f.prices())
		if !ok {
			continue
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return
		}
	}
}

// clockTimeout cancels the returned context after d on the feed's clock.
func (f *Feed) clockTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc, func() bool) {
	c, cancel := context.WithCancel(ctx)
	fired := make(chan struct{})
	timer := f.o.Clock.After(d)
	go func() {
		select {
		case <-timer:
			close(fired)
			cancel()
		case <-c.Done():
		}
	}()
	return c, cancel, func() bool {
		select {
		case <-fired:
			return true
		default:
			return false
		}
	}
}

// ctrl is what the reader saw of the control messages.
type ctrl struct {
	subscribed bool
	trades     []string
	bars       []string
	err        *StreamError
}

// session runs one connection: dial, log in, subscribe, back-fill, stream.
// It returns how the connection ended.
func (f *Feed) session(ctx context.Context, st *state, symbols []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hctx, hcancel, hfired := f.clockTimeout(ctx, f.o.AuthTimeout)
	defer hcancel()
	conn, resp, err := websocket.Dial(hctx, f.stream, &websocket.DialOptions{
		HTTPClient: f.o.Client, HTTPHeader: http.Header{"User-Agent": {"capwatch"}},
	})
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case hfired():
			return &sessionError{reason: fmt.Sprintf("Alpaca stream did not answer within %v", f.o.AuthTimeout)}
		case resp != nil && resp.StatusCode != http.StatusSwitchingProtocols:
			return &sessionError{reason: fmt.Sprintf("Alpaca stream refused the connection (HTTP %d %s)", resp.StatusCode, http.StatusText(resp.StatusCode)), err: err}
		}
		return &sessionError{reason: "cannot reach the Alpaca stream: " + httpx.Sanitize(rootMsg(err)), err: err}
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxFrame)

	ctrlc := make(chan ctrl, 4)
	readErr := make(chan error, 1)
	go func() { readErr <- f.read(ctx, conn, st, ctrlc) }()

	healthy := false
	hdone := hctx.Done() // the handshake's deadline (nil once over)
	end := func(reason string, err error, fatal bool) error {
		return &sessionError{reason: reason, err: err, fatal: fatal, healthy: healthy}
	}
	var (
		pingT        <-chan time.Time
		pongT        <-chan time.Time
		pongc        chan error
		syncT        <-chan time.Time
		syncc        chan syncResult
		syncAgain    bool // a sync fell due while one ran
		subOK        bool
		authed       bool
		backfillDone bool
		dropped      []string // subscription keys dropped after a 410
		// The trade subscription: the symbols the server confirmed
		// (held), the cap (lowered after a 405), the pair legs that come
		// first (WatchPair) and the request awaiting its answer (one at a
		// time, so the server's count never passes the cap).
		held     []string
		tradeCap = f.o.TradeSymbols
		pending  bool
		asked    []string // the trades the pending request adds
		dropping []string // the trades the pending request removes
		// Symbols the server answered a request for without taking it
		// (not streamed): not asked again on this connection, or every
		// answer would bring another request.
		stuck = map[string]bool{}
	)
	first, pairc := f.pair()
	want := func() []string { return f.tradeSymbols(symbols, first, tradeCap) }
	// reconcile sends the next request that brings the server's trade
	// subscription to want(): the whole subscription first; then trades
	// beyond it are unsubscribed before the missing ones are subscribed.
	reconcile := func() error {
		if !authed || pending {
			return nil
		}
		w := want()
		if !subOK {
			pending, asked, dropping = true, w, nil
			return f.subscribe(ctx, conn, symbols, w, dropped)
		}
		if gone := minus(held, w, stuck); len(gone) > 0 {
			pending, asked, dropping = true, nil, gone
			f.log.Info("alpaca: trades unsubscribed", "symbols", strings.Join(gone, ","))
			return f.change(ctx, conn, "unsubscribe", gone)
		}
		if add := minus(w, held, stuck); len(add) > 0 {
			pending, asked, dropping = true, add, nil
			f.log.Info("alpaca: trades subscribed", "symbols", strings.Join(add, ","))
			return f.change(ctx, conn, "subscribe", add)
		}
		return nil
	}
	startSync := func(backfill bool) {
		if syncc != nil {
			return
		}
		syncc = make(chan syncResult, 1)
		go func() { syncc <- f.sync(ctx, st, symbols, backfill) }()
	}
	for {
		f.wakeups.Add(1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-hdone:
			hdone = nil // closed for good: never select it again
			if !subOK && ctx.Err() == nil {
				return end(fmt.Sprintf("Alpaca stream: no login and subscription within %v", f.o.AuthTimeout), nil, false)
			}
		case err := <-readErr:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			select { // an error message sent just before the close explains it
			case c := <-ctrlc:
				if c.err != nil && c.err.Code != 403 {
					return end(c.err.Explain(f.o.Feed), c.err, c.err.fatal())
				}
			default:
			}
			var se *StreamError
			if errors.As(err, &se) {
				return end(se.Explain(f.o.Feed), err, se.fatal())
			}
			return end(closeReason(err), err, false)
		case <-pairc:
			first, pairc = f.pair()
			if err := reconcile(); err != nil {
				return end("Alpaca stream: subscribe failed: "+closeReason(err), err, false)
			}
		case c := <-ctrlc:
			switch {
			case c.err != nil && c.err.Code == 403: // already authenticated: harmless
			case c.err != nil && c.err.Code == 405 && pending && len(asked) > 0:
				// The request was refused whole: ask for fewer trades.
				pending, tradeCap = false, len(want())/2
				f.log.Warn("alpaca: symbol limit exceeded; fewer trade symbols", "trades", tradeCap)
			case c.err != nil && c.err.Code == 410 && len(dropped) == 0:
				pending, dropped = false, []string{"updatedBars"}
			case c.err != nil:
				return end(c.err.Explain(f.o.Feed), c.err, c.err.fatal())
			case !c.subscribed: // authenticated
				authed = true
			default:
				initial := !subOK
				subOK, healthy, pending, held = true, true, false, c.trades
				for _, x := range minus(asked, held, nil) {
					stuck[x] = true
				}
				for _, x := range dropping {
					if slices.Contains(held, x) {
						stuck[x] = true
					}
				}
				asked, dropping = nil, nil
				hcancel()
				hdone = nil
				errs := f.unsubscribed(symbols, c.bars)
				if !initial {
					st.setSymErrs(errs)
				} else {
					// The first batch of the connection says it is up
					// (never the status before it, or none): set before
					// the back-fill starts filling the state.
					st.setStatusErrs(f.okStatus(st, ""), errs)
					pingT = f.o.Clock.After(f.o.PingEvery)
					syncT = f.o.Clock.After(time.Minute)
					startSync(true)
					if len(stuck) > 0 {
						f.log.Warn("alpaca: fewer trade symbols than asked", "got", len(c.trades), "refused", len(stuck))
					}
				}
			}
			if err := reconcile(); err != nil {
				return end("Alpaca stream: subscribe failed: "+closeReason(err), err, false)
			}
		case <-pingT:
			pingT = nil
			pongc = make(chan error, 1)
			pongT = f.o.Clock.After(f.o.PongWait)
			go func(c chan error) { c <- conn.Ping(ctx) }(pongc)
		case err := <-pongc:
			pongc, pongT = nil, nil
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return end(closeReason(err), err, false)
			}
			pingT = f.o.Clock.After(f.o.PingEvery)
		case <-pongT:
			return end(fmt.Sprintf("Alpaca stream did not answer a ping within %v (connection dead)", f.o.PongWait), nil, false)
		case <-syncT:
			syncT = f.o.Clock.After(time.Minute)
			if syncc != nil {
				syncAgain = true // due while one runs: after it, not skipped
			} else {
				startSync(!backfillDone)
			}
		case r := <-syncc:
			syncc = nil
			if r.backfill && r.err == nil {
				backfillDone = true
			}
			note := ""
			if r.err != nil {
				note = r.what + ": " + httpx.MessageOf(r.err)
			}
			st.setStatus(f.okStatus(st, note))
			if syncAgain {
				syncAgain = false
				startSync(!backfillDone)
			}
		}
	}
}

// okStatus is the status of a working connection; note (if any) makes it
// degraded (e.g. the back-fill failed).
func (f *Feed) okStatus(st *state, note string) feeds.Status {
	now := f.o.Clock.Now()
	st.mu.Lock()
	s := st.status
	st.mu.Unlock()
	s.Feed, s.State, s.NextRetry, s.Interval, s.LastError = "alpaca", feeds.StateOK, time.Time{}, time.Minute, ""
	if s.LastSuccess.IsZero() {
		s.LastSuccess = now
	}
	if note != "" {
		s.State = feeds.StateDegraded
		s.LastError = httpx.Sanitize(f.redact(note))
	}
	return s
}

// unsubscribed lists the watched symbols whose minute bars the server did
// not confirm.
func (f *Feed) unsubscribed(symbols, bars []string) []engine.SymbolError {
	got := make(map[string]bool, len(bars))
	for _, b := range bars {
		got[b] = true
	}
	if got["*"] {
		return nil
	}
	var errs []engine.SymbolError
	for _, s := range symbols {
		if !got[s] {
			errs = append(errs, engine.SymbolError{Symbol: s, Message: "Alpaca does not stream this symbol"})
		}
	}
	return errs
}

// tradeSymbols picks the symbols whose trades are subscribed: first (the
// pair legs), then the watchlist, up to n; only watched symbols.
func (f *Feed) tradeSymbols(symbols, first []string, n int) []string {
	watched := make(map[string]bool, len(symbols))
	for _, s := range symbols {
		watched[s] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, list := range [][]string{first, symbols} {
		for _, s := range list {
			if len(out) >= n {
				return out
			}
			if watched[s] && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// subscribe sends the subscription: minute bars and corrected bars for
// every symbol, trades for the chosen ones.
func (f *Feed) subscribe(ctx context.Context, conn *websocket.Conn, symbols, trades, dropped []string) error {
	msg := map[string]any{"action": "subscribe", "bars": symbols, "updatedBars": symbols}
	if len(trades) > 0 {
		msg["trades"] = trades
	}
	for _, k := range dropped {
		delete(msg, k)
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	return f.write(ctx, conn, b)
}

// change sends a subscribe or unsubscribe of trades alone ({"action":
// "unsubscribe","trades":[...]}): the server adds them to (or removes them
// from) the session's subscription and answers with the whole of it.
func (f *Feed) change(ctx context.Context, conn *websocket.Conn, action string, trades []string) error {
	b, err := json.Marshal(struct {
		Action string   `json:"action"`
		Trades []string `json:"trades"`
	}{action, trades})
	if err != nil {
		return err
	}
	return f.write(ctx, conn, b)
}

// minus returns the elements of a that are neither in b nor in skip, in
// a's order.
func minus(a, b []string, skip map[string]bool) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) && !skip[s] {
			out = append(out, s)
		}
	}
	return out
}

func (f *Feed) write(ctx context.Context, conn *websocket.Conn, b []byte) error {
	wctx, cancel, _ := f.clockTimeout(ctx, f.o.AuthTimeout)
	defer cancel()
	return conn.Write(wctx, websocket.MessageText, b)
}

// read reads and decodes frames until the connection fails. Data goes
// into the state; control messages go to ctrlc. Errors from the server
// end the read with a *StreamError (except those the session handles).
func (f *Feed) read(ctx context.Context, conn *websocket.Conn, st *state, ctrlc chan<- ctrl) error {
	var (
		dec   Decoder
		buf   = make([]byte, 0, 64<<10)
		c     ctrl
		acted bool
	)
	handle := func(m *Msg) error {
		switch m.Type {
		case MsgTrade:
			st.trade(m, st.now)
		case MsgBar, MsgUpdatedBar:
			st.bar(m)
		case MsgSuccess:
			switch string(m.Text) {
			case "connected":
				c.err, acted = nil, true
				c.subscribed = false
				c.trades = nil
				c.bars = nil
				return errConnected
			case "authenticated":
				acted = true
			}
		case MsgError:
			c.err = &StreamError{Code: m.Code, Msg: httpx.Sanitize(string(m.Text))}
			acted = true
		case MsgSubscription:
			c.subscribed, acted = true, true
			c.trades = strs(m.Trades)
			c.bars = strs(m.Bars)
		}
		return nil
	}
	for {
		_, r, err := conn.Reader(ctx)
		if err != nil {
			return err
		}
		buf, err = readFrame(r, buf[:0])
		if err != nil {
			return err
		}
		c, acted = ctrl{}, false
		now := f.o.Clock.Now()
		st.mu.Lock()
		st.now = now
		n0 := len(st.dirty)
		err = dec.Decode(buf, handle)
		data := len(st.dirty) > n0
		if data {
			st.lastData = now
		}
		st.mu.Unlock()
		if data {
			st.signal()
		}
		if errors.Is(err, errConnected) {
			if err := f.auth(ctx, conn); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			f.log.Warn("alpaca: bad stream message", "err", httpx.Sanitize(err.Error()))
			continue // one malformed frame is skipped, not fatal
		}
		if acted {
			select {
			case ctrlc <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

var errConnected = errors.New("connected")

// auth sends the login message (the keys leave only here and in REST headers).
func (f *Feed) auth(ctx context.Context, conn *websocket.Conn) error {
	b, err := json.Marshal(struct {
		Action string `json:"action"`
		Key    string `json:"key"`
		Secret string `json:"secret"`
	}{"auth", f.o.KeyID, f.o.SecretKey})
	if err != nil {
		return err
	}
	return f.write(ctx, conn, b)
}

func strs(b [][]byte) []string {
	out := make([]string, len(b))
	for i, s := range b {
		out[i] = string(s)
	}
	return out
}

// readFrame reads one frame into buf (reused), up to maxFrame bytes.
func readFrame(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// closeReason describes how a connection ended, for the status line.
func closeReason(err error) string {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Reason != "" {
			return fmt.Sprintf("Alpaca closed the stream (%d %s)", int(ce.Code), httpx.Sanitize(ce.Reason))
		}
		return fmt.Sprintf("Alpaca closed the stream (%d)", int(ce.Code))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "EOF") {
		return "the Alpaca stream connection dropped"
	}
	return "the Alpaca stream connection failed: " + httpx.Sanitize(rootMsg(err))
}

func rootMsg(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}
