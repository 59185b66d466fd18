package alpaca

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/alpaca/alpacafake"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

const (
	testKey    = "PKTESTKEY7Q3RVC6DK4B"
	testSecret = "s3cr3tZZ9fakeSecretValue0123456789abcdef"
)

// session time: Wednesday 2026-03-04, 15:00 New York (a regular session).
var testNow = time.Date(2026, 3, 4, 15, 0, 0, 0, calendar.Location())

type rig struct {
	t    *testing.T
	srv  *alpacafake.Server
	clk  *clock.Fake
	feed *Feed
	out  chan feeds.Batch
	logs *syncBuf
	seen []feeds.Batch
	ctx  context.Context
	stop func()
	done chan error
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newRig(t *testing.T, fo alpacafake.Options, edit func(*Options)) *rig {
	t.Helper()
	clk := clock.NewFake(testNow)
	if fo.KeyID == "" {
		fo.KeyID, fo.Secret = testKey, testSecret
	}
	fo.Now = clk.Now
	srv := alpacafake.New(fo)
	t.Cleanup(srv.Close)
	logs := &syncBuf{}
	o := Options{
		FeedOptions: httpx.FeedOptions{BaseURL: srv.URL(), Client: srv.Client(), Clock: clk, Rand: func() float64 { return 0.5 }},
		KeyID:       testKey, SecretKey: testSecret, StreamURL: srv.StreamURL(), BatchEvery: -1,
		TradeFirst: []string{"IWM", "SPY"}, Logger: slog.New(slog.NewTextHandler(logs, nil)),
	}
	if edit != nil {
		edit(&o)
	}
	f, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, srv: srv, clk: clk, feed: f, out: make(chan feeds.Batch), logs: logs}
}

func (r *rig) start(symbols ...string) {
	ctx, cancel := context.WithCancel(context.Background())
	r.ctx, r.stop, r.done = ctx, cancel, make(chan error, 1)
	go func() { r.done <- r.feed.Stream(ctx, symbols, r.out) }()
	r.t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			if err != context.Canceled {
				r.t.Errorf("Stream returned %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			r.t.Error("Stream did not return after cancel")
		}
	})
}

// next waits (bounded by a real-time deadline) for a batch satisfying
// cond, advancing the fake clock by step between polls when step > 0.
func (r *rig) next(step time.Duration, what string, cond func(feeds.Batch) bool) feeds.Batch {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		var tick <-chan time.Time
		if step > 0 {
			tick = time.After(2 * time.Millisecond)
		}
		select {
		case b := <-r.out:
			r.seen = append(r.seen, b)
			if cond(b) {
				return b
			}
		case <-tick:
			r.clk.Advance(step)
		case <-deadline:
			r.t.Fatalf("no batch with %s; transcript %v; last statuses %v", what, r.srv.Transcript(), r.statuses())
		}
	}
}

func (r *rig) statuses() []string {
	var s []string
	for _, b := range r.seen {
		s = append(s, b.Status.State.String()+": "+b.Status.LastError)
	}
	return s
}

func (r *rig) wait(event string, n int) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.srv.WaitEvent(ctx, event, n); err != nil {
		r.t.Fatal(err)
	}
}

func sameBar(a, b engine.Bar) bool {
	a.Time, b.Time = a.Time.UTC(), b.Time.UTC()
	return a == b
}

func ok(b feeds.Batch) bool { return b.Status.State == feeds.StateOK }

// dayOf is what the batches deliver of each symbol's day, in order, as the
// engine takes them: a symbol's bars in Bars are its whole day; each bar
// in Updates replaces the bar of its minute or adds one.
func dayOf(batches []feeds.Batch) map[string][]engine.Bar {
	days := map[string]map[time.Time]engine.Bar{}
	for _, b := range batches {
		whole := map[string]bool{}
		for _, x := range b.Bars {
			if !whole[x.Symbol] {
				whole[x.Symbol] = true
				days[x.Symbol] = map[time.Time]engine.Bar{}
			}
			days[x.Symbol][x.Time.UTC()] = x
		}
		for _, x := range b.Updates {
			if days[x.Symbol] == nil {
				days[x.Symbol] = map[time.Time]engine.Bar{}
			}
			days[x.Symbol][x.Time.UTC()] = x
		}
	}
	out := map[string][]engine.Bar{}
	for sym, m := range days {
		for _, x := range m {
			out[sym] = append(out[sym], x)
		}
		sort.Slice(out[sym], func(i, j int) bool { return out[sym][i].Time.Before(out[sym][j].Time) })
	}
	return out
}

func down(b feeds.Batch) bool { return b.Status.State == feeds.StateDown }

func minute(h, m int) time.Time {
	return time.Date(2026, 3, 4, h, m, 0, 0, calendar.Location())
}

func bar(sym string, t time.Time, c, v float64) engine.Bar {
	return engine.Bar{Symbol: sym, Time: t, Open: c - 0.1, High: c + 0.2, Low: c - 0.3, Close: c, Volume: v}
}

func TestStreamLogsInSubscribesAndDeliversBarsAndTrades(t *testing.T) {
	r := newRig(t, alpacafake.Options{}, func(o *Options) { o.TradeSymbols = 2 })
	r.start("XLK", "SPY", "IWM")
	r.next(0, "an OK status", ok)

	// What the client sent: the auth message with the keys, then one
	// subscription: bars and corrected bars for all, trades for the pair legs.
	got := r.srv.Received()
	if len(got) < 2 {
		t.Fatalf("client sent %q", got)
	}
	var auth, sub map[string]any
	_ = json.Unmarshal([]byte(got[0]), &auth)
	_ = json.Unmarshal([]byte(got[1]), &sub)
	if auth["action"] != "auth" || auth["key"] != testKey || auth["secret"] != testSecret {
		t.Errorf("auth message %s", got[0])
	}
	if fmt.Sprint(sub["bars"]) != "[XLK SPY IWM]" || fmt.Sprint(sub["updatedBars"]) != "[XLK SPY IWM]" || fmt.Sprint(sub["trades"]) != "[IWM SPY]" {
		t.Errorf("subscription %s: want bars and updatedBars for all three, trades for IWM and SPY (the cap of 2, pair legs first)", got[1])
	}

	b1 := bar("IWM", minute(14, 58), 201.5, 1200)
	b2 := bar("IWM", minute(14, 59), 201.7, 900)
	if r.srv.Push(alpacafake.BarFrame(false, b1, b2)) != 1 {
		t.Fatal("no subscribed connection")
	}
	r.srv.Push(alpacafake.TradeFrame(minute(15, 0).Add(1500*time.Millisecond), alpacafake.Trade{Symbol: "IWM", Price: 201.81, Size: 100}, alpacafake.Trade{Symbol: "NOPE", Price: 1, Size: 1}))
	var bars []engine.Bar
	var quote *engine.Quote
	for quote == nil || len(bars) < 2 {
		b := r.next(0, "the bars and the trade", func(b feeds.Batch) bool { return len(b.Updates) > 0 || len(b.Quotes) > 0 })
		if len(b.Updates) > 0 {
			bars = b.Updates
		}
		for i := range b.Quotes {
			quote = &b.Quotes[i]
		}
	}
	if len(bars) != 2 || !sameBar(bars[0], b1) || !sameBar(bars[1], b2) {
		t.Errorf("updates = %+v, want %+v and %+v (the new minutes)", bars, b1, b2)
	}
	want := engine.Quote{Symbol: "IWM", Price: 201.81, DayVolume: 2100, Time: minute(15, 0).Add(1500 * time.Millisecond).UTC(), Received: testNow}
	if quote.Symbol != want.Symbol || quote.Price != want.Price || quote.DayVolume != want.DayVolume || !quote.Time.Equal(want.Time) || quote.Delayed {
		t.Errorf("quote = %+v, want %+v", *quote, want)
	}
	// The next minute is sent alone, not with the day before it; a
	// corrected bar ("updated") replaces its minute.
	b3 := bar("IWM", minute(15, 0), 201.9, 700)
	b2c := bar("IWM", minute(14, 59), 201.6, 950)
	r.srv.Push(alpacafake.BarFrame(false, b3))
	nb := r.next(0, "the 15:00 bar", func(b feeds.Batch) bool { return len(b.Updates) > 0 })
	if len(nb.Updates) != 1 || !sameBar(nb.Updates[0], b3) || len(nb.Bars) != 0 {
		t.Errorf("batch of the 15:00 bar: updates %+v, whole days %+v; want just %+v", nb.Updates, nb.Bars, b3)
	}
	r.srv.Push(alpacafake.BarFrame(true, b2c))
	nb = r.next(0, "the corrected 14:59 bar", func(b feeds.Batch) bool { return len(b.Updates) > 0 })
	if len(nb.Updates) != 1 || !sameBar(nb.Updates[0], b2c) {
		t.Errorf("batch of the correction: updates %+v, want just %+v", nb.Updates, b2c)
	}
	if day := dayOf(r.seen)["IWM"]; len(day) != 3 || !sameBar(day[0], b1) || !sameBar(day[1], b2c) || !sameBar(day[2], b3) {
		t.Errorf("the day delivered: %+v", day)
	}
}

func TestStreamProvenanceIEXIsPartialUntilSIPCovers(t *testing.T) {
	r := newRig(t, alpacafake.Options{}, nil)
	// Consolidated bars are 40x IEX's volume.
	r.srv.SetBars("sip", "1Min", "IWM", []engine.Bar{bar("IWM", minute(14, 30), 200, 40000), bar("IWM", minute(14, 44), 200.5, 40000)})
	r.srv.SetBars("iex", "1Min", "IWM", []engine.Bar{bar("IWM", minute(14, 30), 200, 1000), bar("IWM", minute(14, 44), 200.5, 1000), bar("IWM", minute(14, 50), 201, 1000)})
	r.start("IWM")
	b := r.next(0, "bars after the back-fill and the SIP sync", func(b feeds.Batch) bool {
		return b.Status.Provenance != nil && strings.HasPrefix(b.Status.Provenance.Volume, "SIP to")
	})
	p := b.Status.Provenance
	if p.Prices != "IEX" || !p.VolumePartial || p.Volume != "SIP to 14:45, IEX after" || !p.VolumeConsolidatedTo.Equal(minute(14, 45)) {
		t.Errorf("provenance %+v: want IEX prices, volume SIP to 14:45 then IEX, partial, consolidated to 14:45", *p)
	}
	var vols []float64
	for _, bb := range dayOf(r.seen)["IWM"] {
		vols = append(vols, bb.Volume)
	}
	if fmt.Sprint(vols) != "[40000 40000 1000]" {
		t.Errorf("day volumes %v: the minutes before 14:45 must be the consolidated bars, the newer IEX", vols)
	}
	for _, x := range r.seen {
		if len(x.Bars) > 0 {
			t.Errorf("a whole day was sent (%d bars): the consolidated minutes replace IEX's as updates", len(x.Bars))
		}
	}

	// The next sync (15:01, consolidated to 14:46) finds an IEX minute the
	// consolidated bars do not have: the whole day goes out without it.
	r.srv.SetBars("iex", "1Min", "IWM", nil)
	r.srv.Push(alpacafake.BarFrame(false, bar("IWM", minute(14, 45), 200.7, 900)))
	r.next(0, "the 14:45 IEX bar", func(b feeds.Batch) bool { return len(b.Updates) > 0 })
	r.clk.Advance(time.Minute)
	b = r.next(0, "the whole day", func(b feeds.Batch) bool { return len(b.Bars) > 0 })
	if day := dayOf(r.seen)["IWM"]; len(day) != 3 || day[2].Time.Equal(minute(14, 45)) || !b.Status.Provenance.VolumeConsolidatedTo.Equal(minute(14, 46)) {
		t.Errorf("day after the 14:45 minute lost its bar: %+v; provenance %+v", day, b.Status.Provenance)
	}

	// The SIP feed itself is consolidated: nothing partial.
	r2 := newRig(t, alpacafake.Options{SIPRecent: true}, func(o *Options) { o.Feed = "sip" })
	r2.start("IWM")
	b2 := r2.next(0, "an OK status", ok)
	if p := b2.Status.Provenance; p == nil || p.Prices != "SIP" || p.VolumePartial || p.Volume != "SIP" {
		t.Errorf("sip provenance %+v", p)
	}
	if !strings.HasSuffix(r2.srv.Transcript()[0], "sip") {
		t.Errorf("connected to %v, want /v2/sip", r2.srv.Transcript())
	}
}

func TestStreamErrorCodesBecomeStatusReasons(t *testing.T) {
	cases := []struct {
		code  int
		want  string
		fatal bool
	}{
		{400, "400 invalid syntax", false},
		{401, "401 not authenticated", false},
		{402, "402 auth failed", true},
		{404, "404 auth timeout", false},
		{406, "second capwatch", false},
		{407, "407 slow client", false},
		{408, "408", true},
		{409, "409 insufficient subscription", true},
		{411, "411 insufficient scope", true},
		{500, "500", false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.code), func(t *testing.T) {
			r := newRig(t, alpacafake.Options{}, nil)
			r.srv.RefuseStreams(c.code)
			r.start("IWM")
			b := r.next(0, "a down status", down)
			if !strings.Contains(b.Status.LastError, c.want) {
				t.Errorf("reason %q does not contain %q", b.Status.LastError, c.want)
			}
			wait := b.Status.NextRetry.Sub(testNow)
			if c.fatal != (wait == r.feed.back.Max) {
				t.Errorf("retry in %v (max %v): fatal should be %v", wait, r.feed.back.Max, c.fatal)
			}
		})
	}
}

func TestStreamAuthFailedNamesTheKeysButNeverShowsThem(t *testing.T) {
	r := newRig(t, alpacafake.Options{KeyID: "OTHERKEY", Secret: "othersecret"}, nil)
	r.start("IWM", "SPY")
	b := r.next(0, "a down status", down)
	if !strings.Contains(b.Status.LastError, "402 auth failed") || !strings.Contains(b.Status.LastError, "APCA_API_KEY_ID") {
		t.Errorf("reason %q", b.Status.LastError)
	}
	if wait := b.Status.NextRetry.Sub(testNow); wait != r.feed.back.Max {
		t.Errorf("auth failure retries in %v, want the longest backoff %v", wait, r.feed.back.Max)
	}
	r.stop()
	<-r.done
	r.done <- context.Canceled
	js, _ := json.Marshal(r.seen)
	for _, s := range []string{string(js), r.logs.String(), fmt.Sprint(r.seen), fmt.Sprintf("%+v", r.feed.back)} {
		if strings.Contains(s, testKey) || strings.Contains(s, testSecret) {
			t.Errorf("a key appears in %q", s)
		}
	}
}

func TestStreamSecondConnectionOnTheSameKey(t *testing.T) {
	r := newRig(t, alpacafake.Options{}, nil)
	r.start("IWM")
	r.next(0, "an OK status", ok)
	// A second capwatch with the same key.
	f2, err := New(r.feed.o)
	if err != nil {
		t.Fatal(err)
	}
	out2 := make(chan feeds.Batch)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f2.Stream(ctx, []string{"IWM"}, out2) }()
	defer func() { cancel(); <-done }()
	select {
	case b := <-out2:
		if b.Status.State != feeds.StateDown || !strings.Contains(b.Status.LastError, "406 connection limit exceeded") || !strings.Contains(b.Status.LastError, "another program") {
			t.Errorf("second connection status %v: %q", b.Status.State, b.Status.LastError)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no status from the second feed")
	}
}

func TestStreamSymbolLimitAndInvalidSubscribeResubscribe(t *testing.T) {
	r := newRig(t, alpacafake.Options{TradeCap: 1}, func(o *Options) { o.TradeSymbols = 4 })
	r.srv.FailSubscribe(410)
	r.start("IWM", "SPY", "XLK", "PSCT")
	r.next(0, "an OK status", ok)
	var subs []map[string]any
	for _, m := range r.srv.Received() {
		var x map[string]any
		_ = json.Unmarshal([]byte(m), &x)
		if x["action"] == "subscribe" {
			subs = append(subs, x)
		}
	}
	// 1: all four trades, refused with 410; 2: without updatedBars, refused
	// with 405 (cap 1); 3: two trades, 405; 4: one trade, accepted.
	if len(subs) != 4 {
		t.Fatalf("subscribe messages %v", subs)
	}
	if _, ok := subs[1]["updatedBars"]; ok {
		t.Errorf("after 410 the feed should drop updatedBars: %v", subs[1])
	}
	if fmt.Sprint(subs[2]["trades"]) != "[IWM SPY]" || fmt.Sprint(subs[3]["trades"]) != "[IWM]" {
		t.Errorf("after 405 the feed should halve the trade symbols: %v, %v", subs[2]["trades"], subs[3]["trades"])
	}
}

func TestStreamMidStreamDropReconnectsAndBackFills(t *testing.T) {
	r := newRig(t, alpacafake.Options{}, nil)
	r.start("IWM")
	r.next(0, "an OK status", ok)
	r.wait("rest 1Min sip", 1) // the first SIP sync
	r.srv.Push(alpacafake.BarFrame(false, bar("IWM", minute(14, 59), 201, 500)))
	r.next(0, "the 14:59 bar", func(b feeds.Batch) bool { return len(b.Updates) == 1 })

	// While disconnected, 15:00..15:02 happen; the REST back-fill has them.
	missed := []engine.Bar{bar("IWM", minute(14, 59), 201, 500), bar("IWM", minute(15, 0), 201.2, 600), bar("IWM", minute(15, 1), 201.4, 700), bar("IWM", minute(15, 2), 201.1, 800)}
	r.srv.SetBars("iex", "1Min", "IWM", missed)
	r.srv.Drop()
	b := r.next(0, "a down status", down)
	if !strings.Contains(b.Status.LastError, "dropped") {
		t.Errorf("reason %q", b.Status.LastError)
	}
	r.clk.Advance(3 * time.Minute) // past the backoff; the missed minutes are over
	got := r.next(0, "the back-filled minutes", func(b feeds.Batch) bool { return len(b.Updates) >= 3 })
	if got.Status.State != feeds.StateOK {
		t.Errorf("status %v %q after the reconnect", got.Status.State, got.Status.LastError)
	}
	day := dayOf(r.seen)["IWM"]
	for i, m := range missed {
		if i >= len(day) || !sameBar(day[i], m) {
			t.Errorf("bar %d of %+v, want %+v", i, day, m)
		}
	}
	// The back-fill asked only for the minutes since the newest bar held.
	var start string
	for _, q := range r.srv.Requests() {
		if q.Query["feed"] == "iex" {
			start = q.Query["start"]
		}
	}
	if want := minute(14, 59).UTC().Format(time.RFC3339); start != want {
		t.Errorf("back-fill start %q, want %q", start, want)
	}
}

func TestStreamDeadConnectionIsDetectedByPing(t *testing.T) {
	r := newRig(t, alpacafake.Options{}, nil)
	r.start("IWM")
	r.next(0, "an OK status", ok)
	r.wait("rest 1Min sip", 1)
	// Pings are answered: a few intervals pass without trouble.
	for range 3 {
		r.clk.Advance(r.feed.o.PingEvery)
		r.clk.Advance(time.Second)
	}
	select {
	case b := <-r.out:
		if b.Status.State == feeds.StateDown {
			t.Fatalf("down while the server answers pings: %q", b.Status.LastError)
		}
	default:
	}
	r.srv.Hang()
	b := r.next(time.Second, "a down status", down)
	if !strings.Contains(b.Status.LastError, "did not answer a ping within 5s") {
		t.Errorf("reason %q", b.Status.LastError)
	}
}

func TestStreamSlowConsumerLosesNothing(t *testing.T) {
	r := newRig(t, alpacafake.Options{SIPRecent: true}, func(o *Options) { o.Feed = "sip" })
	r.start("IWM", "SPY")
	r.next(0, "an OK status", ok)
	r.wait("rest 1Min sip", 1) // the back-fill
	// The consumer does not read while 240 frames arrive (a bar and a
	// trade for both symbols each minute from 13:00 to 14:59). The feed
	// keeps reading the socket (Push writes synchronously) and keeps
	// everything.
	before := len(r.seen)
	var last float64
	for i := range 120 {
		t0 := minute(13, 0).Add(time.Duration(i) * time.Minute)
		last = 200 + float64(i)/100
		r.srv.Push(alpacafake.BarFrame(false, bar("IWM", t0, last, 10), bar("SPY", t0, 2*last, 20)))
		r.srv.Push(alpacafake.TradeFrame(t0.Add(30*time.Second), alpacafake.Trade{Symbol: "IWM", Price: last, Size: 1}, alpacafake.Trade{Symbol: "SPY", Price: 2 * last, Size: 1}))
	}
	want := last
	b := r.next(0, "the last trade", func(b feeds.Batch) bool {
		for _, q := range b.Quotes {
			if q.Symbol == "IWM" && q.Price == want {
				return true
			}
		}
		return false
	})
	// Each minute is delivered (the last bar frame came before the last
	// trade frame): the batches hold all 120 minutes of each symbol.
	days := dayOf(r.seen[before:])
	if n, m := len(days["IWM"]), len(days["SPY"]); n != 120 || m != 120 || days["IWM"][119].Close != last {
		t.Errorf("minutes delivered: IWM %d, SPY %d; want 120 each, the last at %v", n, m, last)
	}
	if len(b.Quotes) != 2 {
		t.Errorf("quotes %+v: want one (the newest) per symbol", b.Quotes)
	}
}

// TestStreamIdlesBetweenMessages: once subscribed, a quiet connection costs
// nothing: the session loop waits (it once spun on the handshake's closed
// deadline channel, a whole core).
func TestStreamIdlesBetweenMessages(t *testing.T) {
	r := newRig(t, alpacafake.Options{}, nil)
	r.start("IWM")
	r.next(0, "an OK status", ok)
	r.wait("rest 1Min sip", 1)
	before := r.feed.wakeups.Load()
	<-time.After(100 * time.Millisecond) // a quiet stretch of real time, nothing to do in it
	if n := r.feed.wakeups.Load() - before; n > 5 {
		t.Errorf("the session loop woke %d times in 100 ms of silence", n)
	}
}

// TestStreamIntervalFollowsTheSession: in the session a bar is due every
// minute; while the market is closed nothing is due until the next open,
// so the last session's data is not called stale.
func TestStreamIntervalFollowsTheSession(t *testing.T) {
	cal := calendar.NYSE()
	if got := dataInterval(cal, testNow); got != time.Minute {
		t.Errorf("in the session: %v", got)
	}
	sat := time.Date(2026, 3, 14, 12, 0, 0, 0, calendar.Location()) // Saturday noon (no DST change before Monday 09:30)
	if got, want := dataInterval(cal, sat), 45*time.Hour+30*time.Minute; got != want {
		t.Errorf("Saturday noon: %v, want %v", got, want)
	}
	r := newRig(t, alpacafake.Options{}, nil)
	r.clk.Advance(sat.Sub(testNow)) // the feed's and the server's clock (its SIP rule): a feed on another clock got 403s
	r.start("IWM")
	if b := r.next(0, "an OK status", ok); b.Status.Interval != 45*time.Hour+30*time.Minute {
		t.Errorf("status interval on Saturday %v", b.Status.Interval)
	}
}

// subscriptionMessages returns the subscribe and unsubscribe messages the
// client sent, in order.
func subscriptionMessages(t *testing.T, srv *alpacafake.Server) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range srv.Received() {
		var x map[string]any
		if err := json.Unmarshal([]byte(m), &x); err != nil {
			t.Fatalf("client message %q: %v", m, err)
		}
		if a := x["action"]; a == "subscribe" || a == "unsubscribe" {
			out = append(out, x)
		}
	}
	return out
}

// TestStreamPairSwitchResubscribesTradesWithinTheCap: 34 watched symbols,
// the free plan's 30 trade symbols (the fake refuses more with 405). At
// connect the pair legs IWM and SPY and the next 28 symbols get trades;
// IWC and RSP (watched last) get minute bars only. The pair key switches
// to IWC/RSP: the feed unsubscribes the two trades that no longer fit
// (S27, S28), then subscribes IWC and RSP, so the server never holds more
// than 30; the new legs' trades then reach the batches as quotes, with
// the status and provenance unchanged. Switching back undoes it, and a
// reconnection starts with the pair shown.
func TestStreamPairSwitchResubscribesTradesWithinTheCap(t *testing.T) {
	r := newRig(t, alpacafake.Options{TradeCap: 30}, nil)
	symbols := []string{"IWM", "SPY"}
	for i := 1; i <= 30; i++ {
		symbols = append(symbols, fmt.Sprintf("S%02d", i))
	}
	symbols = append(symbols, "IWC", "RSP")
	r.start(symbols...)
	before := r.next(0, "an OK status", ok)

	subs := r.srv.Subscriptions()
	if len(subs) != 1 || len(subs[0].Trades) != 30 || fmt.Sprint(subs[0].Bars) != fmt.Sprint(sorted(symbols)) {
		t.Fatalf("subscription at connect %+v: want 30 trades and bars for all 34", subs)
	}
	if n := r.srv.PushTrades(minute(15, 0), alpacafake.Trade{Symbol: "IWC", Price: 61.5, Size: 10}); n != 0 {
		t.Fatalf("IWC's trade was sent before the switch (%d): IWC should be beyond the cap", n)
	}

	r.feed.WatchPair("IWC", "RSP")
	r.wait("unsubscribed", 1)
	r.wait("subscribed", 2)
	msgs := subscriptionMessages(t, r.srv)
	if len(msgs) != 3 {
		t.Fatalf("subscription messages %v: want the one at connect, an unsubscribe and a subscribe", msgs)
	}
	if msgs[1]["action"] != "unsubscribe" || fmt.Sprint(msgs[1]["trades"]) != "[S27 S28]" || len(msgs[1]) != 2 {
		t.Errorf("second message %v: want an unsubscribe of the trades of S27 and S28 only", msgs[1])
	}
	if msgs[2]["action"] != "subscribe" || fmt.Sprint(msgs[2]["trades"]) != "[IWC RSP]" || len(msgs[2]) != 2 {
		t.Errorf("third message %v: want a subscribe of the trades of IWC and RSP only", msgs[2])
	}
	subs = r.srv.Subscriptions()
	if len(subs) != 1 || len(subs[0].Trades) != 30 || !slices.Contains(subs[0].Trades, "IWC") || !slices.Contains(subs[0].Trades, "RSP") ||
		!slices.Contains(subs[0].Trades, "IWM") || slices.Contains(subs[0].Trades, "S27") || len(subs[0].Bars) != 34 {
		t.Errorf("subscription after the switch %+v", subs)
	}

	at := minute(15, 0).Add(2 * time.Second)
	if n := r.srv.PushTrades(at, alpacafake.Trade{Symbol: "IWC", Price: 61.5, Size: 10}, alpacafake.Trade{Symbol: "RSP", Price: 180.25, Size: 5},
		alpacafake.Trade{Symbol: "S27", Price: 9, Size: 1}); n != 2 {
		t.Fatalf("%d trades sent, want IWC's and RSP's (S27 is unsubscribed)", n)
	}
	got := map[string]float64{}
	var last feeds.Batch
	for len(got) < 2 {
		last = r.next(0, "the new legs' quotes", func(b feeds.Batch) bool { return len(b.Quotes) > 0 })
		for _, q := range last.Quotes {
			got[q.Symbol] = q.Price
			if !q.Time.Equal(at) {
				t.Errorf("%s quote at %v, want %v", q.Symbol, q.Time, at)
			}
		}
	}
	if got["IWC"] != 61.5 || got["RSP"] != 180.25 || len(got) != 2 {
		t.Errorf("quotes %v: want IWC 61.5 and RSP 180.25", got)
	}
	for _, b := range r.seen {
		if s := b.Status; s.Feed != "alpaca" || s.State != feeds.StateOK || s.LastError != "" {
			t.Errorf("status during the switch: %+v", s)
		}
		if len(b.Errors) != 0 {
			t.Errorf("symbol errors during the switch: %v", b.Errors)
		}
	}
	if p, q := before.Status.Provenance, last.Status.Provenance; p == nil || q == nil || p.Prices != "IEX" || q.Prices != p.Prices || q.Volume != p.Volume || q.VolumePartial != p.VolumePartial {
		t.Errorf("provenance before the switch %+v, after %+v: want the same IEX prices", p, q)
	}

	// Back to IWM/SPY: IWC and RSP go, S27 and S28 come back.
	r.feed.WatchPair("IWM", "SPY")
	r.wait("unsubscribed", 2)
	r.wait("subscribed", 3)
	msgs = subscriptionMessages(t, r.srv)
	if len(msgs) != 5 || msgs[3]["action"] != "unsubscribe" || fmt.Sprint(msgs[3]["trades"]) != "[IWC RSP]" ||
		msgs[4]["action"] != "subscribe" || fmt.Sprint(msgs[4]["trades"]) != "[S27 S28]" {
		t.Errorf("switching back sent %v", msgs[3:])
	}

	// A new connection subscribes the pair shown first.
	r.feed.WatchPair("IWC", "RSP")
	r.wait("subscribed", 4)
	r.srv.Drop()
	r.next(0, "a down status", down)
	r.clk.Advance(time.Minute) // past the backoff
	r.wait("subscribed", 5)
	msgs = subscriptionMessages(t, r.srv)
	lastMsg := msgs[len(msgs)-1]
	trades, _ := lastMsg["trades"].([]any)
	if lastMsg["action"] != "subscribe" || len(trades) != 30 || trades[0] != "IWC" || trades[1] != "RSP" || lastMsg["bars"] == nil {
		t.Errorf("subscription of the new connection %v: want bars for all and 30 trades, IWC and RSP first", lastMsg)
	}
	if tr := strings.Join(r.srv.Transcript(), " "); strings.Contains(tr, "error 405") {
		t.Errorf("the server refused a subscription over the cap: %s", tr)
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

// TestStreamRapidPairSwitchesEndOnTheLastPair: the pair key pressed three
// times in a row (one request in flight at a time): the subscription ends
// on the last pair's legs, never over the cap.
func TestStreamRapidPairSwitchesEndOnTheLastPair(t *testing.T) {
	r := newRig(t, alpacafake.Options{TradeCap: 4}, func(o *Options) { o.TradeSymbols = 4 })
	r.start("IWM", "SPY", "AAA", "BBB", "CCC", "DDD", "EEE", "FFF")
	r.next(0, "an OK status", ok)
	r.feed.WatchPair("CCC", "DDD")
	r.feed.WatchPair("EEE", "FFF")
	r.feed.WatchPair("DDD", "EEE")
	want := "[DDD EEE IWM SPY]"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		n := len(r.srv.Transcript()) // before the check: a change after it ends the wait
		subs := r.srv.Subscriptions()
		if len(subs) == 1 && fmt.Sprint(subs[0].Trades) == want {
			break
		}
		if err := r.srv.Wait(ctx, func(tr []string) bool { return len(tr) > n }); err != nil {
			t.Fatalf("trades %+v, want %s: %v", subs, want, err)
		}
	}
	if tr := strings.Join(r.srv.Transcript(), " "); strings.Contains(tr, "error") {
		t.Errorf("the server refused a request: %s", tr)
	}
}

// TestStreamTradeTheServerLeavesOutIsNotAskedAgain: a server that answers
// a subscribe without taking a symbol's trades (scripted: NoTrades) is not
// asked for them again on that connection — each answer would otherwise
// bring another request, for ever — and later switches still work.
func TestStreamTradeTheServerLeavesOutIsNotAskedAgain(t *testing.T) {
	r := newRig(t, alpacafake.Options{TradeCap: 3, NoTrades: []string{"RSP"}}, func(o *Options) { o.TradeSymbols = 3 })
	r.start("IWM", "SPY", "AAA", "RSP")
	r.next(0, "an OK status", ok)
	r.feed.WatchPair("AAA", "RSP") // want AAA RSP IWM: SPY goes, RSP is not taken
	r.wait("unsubscribed", 1)
	r.wait("subscribed", 2)
	r.feed.WatchPair("AAA", "IWM") // want AAA IWM SPY: SPY comes back
	r.wait("subscribed", 3)
	msgs := subscriptionMessages(t, r.srv)
	var got []string
	for _, m := range msgs[1:] {
		got = append(got, fmt.Sprint(m["action"], m["trades"]))
	}
	if want := "[unsubscribe[SPY] subscribe[RSP] subscribe[SPY]]"; fmt.Sprint(got) != want {
		t.Errorf("requests after connect %v, want %s", got, want)
	}
	if subs := r.srv.Subscriptions(); len(subs) != 1 || fmt.Sprint(subs[0].Trades) != "[AAA IWM SPY]" {
		t.Errorf("subscription %+v", subs)
	}
}

// TestStateHoldsDataUntilTheFirstStatus: a trade read just before the
// session took the subscription's answer is not sent with an empty status
// (Feed "", which reads as healthy); it goes out with the first status.
func TestStateHoldsDataUntilTheFirstStatus(t *testing.T) {
	st := newState([]string{"IWM"}, calendar.NYSE(), "iex")
	st.mu.Lock()
	st.trade(&Msg{Type: MsgTrade, Symbol: []byte("IWM"), Price: 201.5, Size: 10, Time: testNow}, testNow)
	st.mu.Unlock()
	if b, ok := st.takeBatch(testNow, "IEX"); ok {
		t.Fatalf("a batch before any status: %+v", b)
	}
	st.setStatusErrs(feeds.Status{Feed: "alpaca", State: feeds.StateOK}, nil)
	b, ok := st.takeBatch(testNow, "IEX")
	if !ok || b.Status.Feed != "alpaca" || len(b.Quotes) != 1 || b.Quotes[0].Price != 201.5 {
		t.Fatalf("first batch %+v (sent %v): want the status and the trade held for it", b, ok)
	}
}
