package faults_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds/yahoo"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/faults"
)

func TestNewValidates(t *testing.T) {
	now := func() time.Time { return t0 }
	for name, o := range map[string]faults.Options{
		"no symbols":  {Now: now},
		"no clock":    {Symbols: []string{"IWM"}},
		"bars":        {Symbols: []string{"IWM"}, Now: now, DailyBars: -1},
		"retry-after": {Symbols: []string{"IWM"}, Now: now, RetryAfter: time.Millisecond},
		"status":      {Symbols: []string{"IWM"}, Now: now, ServerStatus: 404},
	} {
		if s, err := faults.New(o); err == nil {
			s.Close()
			t.Errorf("%s: accepted", name)
		} else if !strings.HasPrefix(err.Error(), "faults: new: ") {
			t.Errorf("%s: error %q lacks the operation", name, err)
		}
	}
}

func newServer(t *testing.T, o faults.Options) (*faults.Server, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(t0)
	if o.Symbols == nil {
		o.Symbols = []string{"IWM", "SPY"}
	}
	o.Now = clk.Now
	s, err := faults.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, clk
}

// get fetches a chart with a short real-time timeout (a deadline, not a wait).
func get(t *testing.T, s *faults.Server, sym, query string) (*http.Response, []byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/v8/finance/chart/"+sym+"?"+query, nil)
	resp, err := s.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

const (
	qDaily = "range=2y&interval=1d&includePrePost=false"
	qLive  = "range=1d&interval=1m&includePrePost=false"
)

// TestHealthyReplies: the replies parse with the Yahoo adapter's parser and
// carry Price() on the calendar's trading days and minutes.
func TestHealthyReplies(t *testing.T) {
	s, clk := newServer(t, faults.Options{})
	resp, body, err := get(t, s, "IWM", qLive)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("live: %v %v", resp, err)
	}
	ch, err := yahoo.ParseChart(body, "IWM", engine.Minute1)
	if err != nil {
		t.Fatal(err)
	}
	// 09:30 … 10:15 inclusive is 46 one-minute bars.
	if len(ch.Bars) != 46 || ch.Dropped != 0 {
		t.Fatalf("%d bars, %d dropped", len(ch.Bars), ch.Dropped)
	}
	open := time.Date(2026, 11, 24, 9, 30, 0, 0, calendar.Location())
	for i, b := range ch.Bars {
		if at := open.Add(time.Duration(i) * time.Minute); !b.Time.Equal(at) || b.Close != faults.Price("IWM", at) || b.Close <= 0 {
			t.Fatalf("bar %d: %+v, want %v at %v", i, b, faults.Price("IWM", at), at)
		}
	}
	if p, _ := ch.Meta.RegularMarketPrice.Get(); p != faults.Price("IWM", t0) || !ch.Meta.RegularMarketTime.Equal(t0) || ch.Meta.Symbol != "IWM" {
		t.Fatalf("meta %+v", ch.Meta)
	}

	_, body, err = get(t, s, "SPY", qDaily)
	if err != nil {
		t.Fatal(err)
	}
	ch, err = yahoo.ParseChart(body, "SPY", engine.Daily)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Bars) != faults.DefaultDailyBars {
		t.Fatalf("%d daily bars", len(ch.Bars))
	}
	cal := calendar.NYSE()
	for i, b := range ch.Bars {
		if !cal.IsTradingDay(b.Time) || (i > 0 && !cal.NextTradingDate(ch.Bars[i-1].Time).Equal(b.Time)) {
			t.Fatalf("bar %d on %s: not the next trading day", i, b.Date())
		}
	}
	if last := ch.Bars[len(ch.Bars)-1]; last.Date() != "2026-11-24" || last.Close != faults.Price("SPY", t0) {
		t.Fatalf("today's partial bar %+v", last)
	}
	if b := ch.Bars[len(ch.Bars)-2]; b.Date() != "2026-11-23" ||
		b.Close != faults.Price("SPY", time.Date(2026, 11, 23, 15, 59, 0, 0, calendar.Location())) {
		t.Fatalf("yesterday's bar %+v", b)
	}
	// Before the open, today has no bar and the live chart is yesterday's session.
	clk.Advance(-2 * time.Hour)
	_, body, _ = get(t, s, "SPY", qDaily)
	if ch, _ = yahoo.ParseChart(body, "SPY", engine.Daily); ch.Bars[len(ch.Bars)-1].Date() != "2026-11-23" {
		t.Fatalf("pre-market daily ends %s", ch.Bars[len(ch.Bars)-1].Date())
	}
	_, body, _ = get(t, s, "SPY", qLive)
	if ch, _ = yahoo.ParseChart(body, "SPY", engine.Minute1); len(ch.Bars) != 390 || ch.Bars[0].Date() != "2026-11-23" {
		t.Fatalf("pre-market live: %d bars from %s", len(ch.Bars), ch.Bars[0].Date())
	}
}

func TestFaultReplies(t *testing.T) {
	s, _ := newServer(t, faults.Options{RetryAfter: 7 * time.Second, ServerStatus: 502})
	expect := func(m faults.Mode, check func(resp *http.Response, body []byte, err error) string) {
		t.Helper()
		s.SetMode(m)
		resp, body, err := get(t, s, "IWM", qLive)
		if msg := check(resp, body, err); msg != "" {
			t.Errorf("%v: %s (err %v)", m, msg, err)
		}
	}
	expect(faults.RateLimited, func(r *http.Response, _ []byte, err error) string {
		if err != nil || r.StatusCode != 429 || r.Header.Get("Retry-After") != "7" {
			return "want 429 with Retry-After: 7"
		}
		return ""
	})
	expect(faults.RateLimitedBare, func(r *http.Response, _ []byte, err error) string {
		if err != nil || r.StatusCode != 429 || r.Header.Get("Retry-After") != "" {
			return "want 429 without Retry-After"
		}
		return ""
	})
	expect(faults.ServerError, func(r *http.Response, b []byte, err error) string {
		if err != nil || r.StatusCode != 502 || !json.Valid(b) {
			return "want 502 with a JSON body"
		}
		return ""
	})
	expect(faults.HTMLPage, func(r *http.Response, b []byte, err error) string {
		if err != nil || r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), "<title>") {
			return "want an HTML page"
		}
		return ""
	})
	expect(faults.Truncated, func(r *http.Response, b []byte, err error) string {
		if err != nil || r.StatusCode != 200 || json.Valid(b) || !strings.HasPrefix(string(b), `{"chart"`) {
			return "want a complete reply of cut JSON"
		}
		return ""
	})
	expect(faults.TruncatedConn, func(_ *http.Response, _ []byte, err error) string {
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			return "want the body cut short (unexpected EOF)"
		}
		return ""
	})
	expect(faults.ConnReset, func(_ *http.Response, _ []byte, err error) string {
		if err == nil {
			return "want a transport error"
		}
		return ""
	})
	expect(faults.Garbage, func(r *http.Response, b []byte, err error) string {
		if err != nil || r.StatusCode != 200 || json.Valid(b) {
			return "want 200 with a body that is not JSON"
		}
		return ""
	})
	expect(faults.BadPrices, func(r *http.Response, b []byte, err error) string {
		ch, perr := yahoo.ParseChart(b, "IWM", engine.Minute1)
		if err != nil || perr != nil || ch.Dropped != 3 || len(ch.Bars) != 43 {
			return "want three bad points dropped of 46"
		}
		if _, ok := ch.Meta.RegularMarketPrice.Get(); ok && ch.Meta.RegularMarketPrice.V > 0 {
			return "want a bad meta price"
		}
		return ""
	})
	expect(faults.NoPrices, func(r *http.Response, b []byte, err error) string {
		ch, perr := yahoo.ParseChart(b, "IWM", engine.Minute1)
		if err != nil || perr != nil || len(ch.Bars) != 0 || ch.Dropped != 46 {
			return "want every point dropped"
		}
		return ""
	})
	if total, n := s.Requests(faults.ConnReset); n < 1 || total < 10 {
		t.Errorf("requests: %d of %d", n, total)
	}
}

func TestBurstAndDisappearingSymbol(t *testing.T) {
	s, _ := newServer(t, faults.Options{})
	s.Burst(faults.RateLimitedBare, 2)
	for i, want := range []int{429, 429, 200, 200} {
		if r, _, err := get(t, s, "IWM", qLive); err != nil || r.StatusCode != want {
			t.Fatalf("request %d: %v %v, want %d", i+1, r, err, want)
		}
	}
	s.Remove("SPY")
	r, b, err := get(t, s, "SPY", qLive)
	if err != nil || r.StatusCode != 404 {
		t.Fatalf("removed: %v %v", r, err)
	}
	var ae *yahoo.APIError
	if _, perr := yahoo.ParseChart(b, "SPY", engine.Minute1); !errors.As(perr, &ae) || !ae.NotFound() || ae.Description != faults.NotFoundDescription {
		t.Fatalf("removed: %v", perr)
	}
	if r, _, _ := get(t, s, "IWM", qLive); r.StatusCode != 200 {
		t.Fatal("the other symbol is affected")
	}
	if r, _, _ := get(t, s, "NOPE", qLive); r.StatusCode != 404 {
		t.Fatal("an unknown symbol is served")
	}
	s.Restore("SPY")
	if r, _, _ := get(t, s, "SPY", qLive); r.StatusCode != 200 {
		t.Fatal("restored symbol not served")
	}
}

// TestHangReleasedOnClose: a client that never gives up does not keep the
// server (or the test) alive: Close releases the hanging handler.
func TestHangReleasedOnClose(t *testing.T) {
	arrived := make(chan struct{}, 1)
	s, _ := newServer(t, faults.Options{OnRequest: func(string, faults.Mode) { arrived <- struct{}{} }})
	s.SetMode(faults.Hang)
	errc := make(chan error, 1)
	go func() {
		resp, err := s.Client().Get(s.URL() + "/v8/finance/chart/IWM?" + qLive) // no timeout
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		errc <- err
	}()
	select {
	case <-arrived:
	case <-time.After(deadline):
		t.Fatal("the request never arrived")
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(deadline):
		t.Fatal("Close blocked on the hanging handler")
	}
	select {
	case <-errc: // an error or an empty reply: either way the client is free
	case <-time.After(deadline):
		t.Fatal("the client is still hanging")
	}
	s.Close() // idempotent
}

// TestHangUntilClientTimeout: the hanging handler returns when the client
// gives up.
func TestHangUntilClientTimeout(t *testing.T) {
	s, _ := newServer(t, faults.Options{})
	s.SetMode(faults.Hang)
	c := s.Client()
	c.Timeout = 50 * time.Millisecond
	_, err := c.Get(s.URL() + "/v8/finance/chart/IWM?" + qLive)
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
}

// TestHostileDetector: the checks the end-to-end tests apply to every frame
// catch each escape kind, and let the styles' attribute SGRs through.
func TestHostileDetector(t *testing.T) {
	if bad := hostile(stripAttrSGR("\x1b[1mcapwatch\x1b[m │ \x1b[1;7m ok \x1b[0m\n"), true); bad != "" {
		t.Fatalf("styles flagged: %s", bad)
	}
	for _, s := range []string{"\x1b]52;c;eA==\x07", "\x1b[2J", "\x1b[31m", "\x1b[38;5;1m", "\u009b31m", "a\u202eb", "\u2066", "\x1b", "\a", "\r"} {
		if hostile(stripAttrSGR("x"+s+"y"), true) == "" {
			t.Errorf("%q not caught", s)
		}
	}
}
