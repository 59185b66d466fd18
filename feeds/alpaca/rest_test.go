package alpaca

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/alpaca/alpacafake"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
)

// dailyBars makes n daily bars ending on the trading day before testNow.
func dailyBars(sym string, from time.Time, n int, price float64) []engine.Bar {
	cal := calendar.NYSE()
	var out []engine.Bar
	d := cal.TradingDate(from)
	for len(out) < n {
		out = append(out, engine.Bar{Symbol: sym, Time: d, Open: price, High: price + 1, Low: price - 1, Close: price + 0.5, Volume: 1e6})
		price++
		d = cal.NextTradingDate(d)
	}
	return out
}

func TestHistoryPaginatesAndAsksForAdjustedConsolidatedDailyBars(t *testing.T) {
	r := newRig(t, alpacafake.Options{PageSize: 3}, nil)
	iwm := dailyBars("IWM", time.Date(2026, 2, 20, 0, 0, 0, 0, calendar.Location()), 7, 200)
	spy := dailyBars("SPY", time.Date(2026, 2, 23, 0, 0, 0, 0, calendar.Location()), 5, 500)
	r.srv.SetBars("sip", "1Day", "IWM", iwm)
	r.srv.SetBars("sip", "1Day", "SPY", spy)
	h, err := r.feed.History(context.Background(), []string{"IWM", "SPY", "ZZZZ"})
	if err != nil {
		t.Fatal(err)
	}
	for sym, want := range map[string][]engine.Bar{"IWM": iwm, "SPY": spy} {
		got := h.Daily[sym]
		if len(got) != len(want) {
			t.Fatalf("%s: %d bars, want %d", sym, len(got), len(want))
		}
		for i := range want {
			if !got[i].Time.Equal(want[i].Time) || got[i].Close != want[i].Close || got[i].Time.Location().String() != "America/New_York" {
				t.Errorf("%s bar %d = %+v, want %+v keyed at midnight New York", sym, i, got[i], want[i])
			}
		}
	}
	if len(h.Errors) != 1 || h.Errors[0].Symbol != "ZZZZ" {
		t.Errorf("errors %+v: want ZZZZ without bars", h.Errors)
	}
	reqs := r.srv.Requests()
	if len(reqs) != 4 { // 12 bars, 3 a page
		t.Errorf("%d requests, want 4 pages", len(reqs))
	}
	for i, q := range reqs {
		if q.Query["timeframe"] != "1Day" || q.Query["adjustment"] != "all" || q.Query["feed"] != "sip" || q.Query["symbols"] != "IWM,SPY,ZZZZ" || q.Query["start"] != "2016-01-01T05:00:00Z" {
			t.Errorf("request %d: %v", i, q.Query)
		}
		if (i == 0) != (q.Query["page_token"] == "") {
			t.Errorf("request %d page_token %q", i, q.Query["page_token"])
		}
	}
	if h.Provenance == nil || h.Provenance.Volume != "SIP" || len(h.Provenance.History) != 1 || h.Provenance.History[0].Source != "alpaca" || h.Provenance.History[0].Symbols != 2 {
		t.Errorf("provenance %+v", h.Provenance)
	}
}

func TestHistoryHonoursRetryAfterAndRateLimitReset(t *testing.T) {
	for _, c := range []struct {
		name   string
		header func(now time.Time) map[string]string
		wait   time.Duration
	}{
		{"Retry-After", func(time.Time) map[string]string { return map[string]string{"Retry-After": "7"} }, 7 * time.Second},
		{"X-RateLimit-Reset", func(now time.Time) map[string]string {
			return map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(now.Add(12*time.Second).Unix(), 10)}
		}, 12 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, alpacafake.Options{}, nil)
			r.srv.SetBars("sip", "1Day", "IWM", dailyBars("IWM", time.Date(2026, 2, 20, 0, 0, 0, 0, calendar.Location()), 3, 200))
			r.srv.FailREST(alpacafake.Failure{Status: 429, Header: c.header(testNow), Body: `{"message":"too many requests."}`})
			type res struct {
				h   feeds.History
				err error
			}
			done := make(chan res, 1)
			go func() {
				h, err := r.feed.History(context.Background(), []string{"IWM"})
				done <- res{h, err}
			}()
			r.wait("rest 1Day sip", 1)
			if !r.clk.WaitForWaiters(1, nil) {
				t.Fatal("no retry timer")
			}
			r.clk.Advance(c.wait - time.Second)
			select {
			case x := <-done:
				t.Fatalf("History returned before the server's wait: %+v %v", x.h, x.err)
			default:
			}
			if n := len(r.srv.Requests()); n != 1 {
				t.Fatalf("%d requests before the wait was over", n)
			}
			r.clk.Advance(time.Second)
			x := <-done
			if x.err != nil || len(x.h.Daily["IWM"]) != 3 {
				t.Fatalf("after the wait: %v, %d bars", x.err, len(x.h.Daily["IWM"]))
			}
		})
	}
}

func TestHistoryErrorsNameTheProblemNotTheKeys(t *testing.T) {
	r := newRig(t, alpacafake.Options{KeyID: "OTHER", Secret: "OTHERSECRET"}, nil)
	h, err := r.feed.History(context.Background(), []string{"IWM"})
	if err == nil {
		t.Fatal("no error with refused keys")
	}
	msg := err.Error() + fmt.Sprint(h.Errors)
	if !strings.Contains(msg, "HTTP 401") || !strings.Contains(msg, "APCA_API_KEY_ID") {
		t.Errorf("error %q", msg)
	}
	js, _ := json.Marshal(h)
	for _, s := range []string{msg, string(js), r.logs.String()} {
		if strings.Contains(s, testKey) || strings.Contains(s, testSecret) {
			t.Errorf("a key appears in %q", s)
		}
	}
	// An error body that echoes a key is scrubbed.
	r2 := newRig(t, alpacafake.Options{}, nil)
	r2.srv.FailREST(alpacafake.Failure{Status: 403, Body: `{"message":"key ` + testKey + ` may not read sip"}`})
	_, err = r2.feed.History(context.Background(), []string{"IWM"})
	if err == nil || strings.Contains(err.Error(), testKey) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error %v", err)
	}
}

func TestHistoryMergesDeeperSourceAtTheSeam(t *testing.T) {
	loc := calendar.Location()
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, loc) }
	// Yahoo-like deep history: closes not dividend-adjusted (2x Alpaca's).
	deep := []engine.Bar{
		{Symbol: "IWM", Time: d(2015, 12, 30), Open: 100, High: 102, Low: 98, Close: 100, Volume: 5},
		{Symbol: "IWM", Time: d(2015, 12, 31), Open: 100, High: 104, Low: 96, Close: 102, Volume: 6},
		{Symbol: "IWM", Time: d(2016, 1, 4), Open: 102, High: 106, Low: 100, Close: 104, Volume: 7},
	}
	alp := []engine.Bar{
		{Symbol: "IWM", Time: d(2016, 1, 4), Open: 51, High: 53, Low: 50, Close: 52, Volume: 70},
		{Symbol: "IWM", Time: d(2016, 1, 5), Open: 52, High: 54, Low: 51, Close: 53, Volume: 80},
	}
	deepFeed := fake.New(fake.Options{Name: "yahoo", History: feeds.History{Daily: map[string][]engine.Bar{"IWM": deep,
		"OLD": {{Symbol: "OLD", Time: d(2010, 1, 4), Open: 1, High: 1, Low: 1, Close: 1}, {Symbol: "OLD", Time: d(2017, 1, 4), Open: 1, High: 1, Low: 1, Close: 1}}}}})
	r := newRig(t, alpacafake.Options{}, func(o *Options) { o.Deep = deepFeed })
	r.srv.SetBars("sip", "1Day", "IWM", alp)
	h, err := r.feed.History(context.Background(), []string{"IWM", "OLD"})
	if err != nil {
		t.Fatal(err)
	}
	got := h.Daily["IWM"]
	// Hand-computed: factor 52/104 = 0.5 on the deep bars before 2016-01-04.
	want := []engine.Bar{
		{Symbol: "IWM", Time: d(2015, 12, 30), Open: 50, High: 51, Low: 49, Close: 50, Volume: 5},
		{Symbol: "IWM", Time: d(2015, 12, 31), Open: 50, High: 52, Low: 48, Close: 51, Volume: 6},
		alp[0], alp[1],
	}
	if len(got) != len(want) {
		t.Fatalf("merged %+v", got)
	}
	for i := range want {
		if !sameBar(got[i], want[i]) {
			t.Errorf("bar %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if len(h.Daily["OLD"]) != 2 || len(h.Errors) != 0 {
		t.Errorf("a symbol only the deep source has: %v, errors %v", h.Daily["OLD"], h.Errors)
	}
	js, _ := json.Marshal(h.Provenance.History)
	if string(js) != `[{"source":"yahoo","from":"2010-01-04","to":"2017-01-04","symbols":2},{"source":"alpaca","from":"2016-01-04","to":"2016-01-05","symbols":1}]` {
		t.Errorf("history spans %s", js)
	}
}
