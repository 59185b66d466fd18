package histcache

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/feeds/stooq"
	"github.com/capwatch/capwatch/feeds/yahoo"
	"github.com/capwatch/capwatch/internal/clock"
)

// market is the truth both test servers serve: n bars per symbol ending on
// end's trading date, with optional corrections of single closes.
type market struct {
	mu      sync.Mutex
	n       int
	end     time.Time
	fix     map[string]float64 // "SYM 2006-01-02" → corrected close
	queries []string
}

func (m *market) bars(sym string) []engine.Bar {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := series(sym, m.n, m.end)
	for i := range b {
		if c, ok := m.fix[sym+" "+b[i].Date()]; ok {
			b[i].Close, b[i].High, b[i].Low = c, max(b[i].High, c), min(b[i].Low, c)
		}
	}
	return b
}

func (m *market) record(q string) {
	m.mu.Lock()
	m.queries = append(m.queries, q)
	m.mu.Unlock()
}

// takeQueries returns and forgets the queries seen so far.
func (m *market) takeQueries() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.queries
	m.queries = nil
	return q
}

func (m *market) set(n int, end time.Time, fix map[string]float64) {
	m.mu.Lock()
	m.n, m.end, m.fix = n, end, fix
	m.mu.Unlock()
}

// yahooHandler serves the chart API: range=max, or period1 ≤ stamp < period2
// (daily points stamped at the 09:30 open, as Yahoo does).
func (m *market) yahooHandler(w http.ResponseWriter, r *http.Request) {
	sym, ok := strings.CutPrefix(r.URL.Path, "/v8/finance/chart/")
	q := r.URL.Query()
	m.record(sym + "?" + r.URL.RawQuery)
	if !ok || q.Get("interval") != "1d" {
		http.NotFound(w, r)
		return
	}
	lo, hi := int64(-1<<62), int64(1<<62)
	if q.Get("range") != "max" {
		var err1, err2 error
		lo, err1 = strconv.ParseInt(q.Get("period1"), 10, 64)
		hi, err2 = strconv.ParseInt(q.Get("period2"), 10, 64)
		if err1 != nil || err2 != nil {
			http.Error(w, "bad period", 400)
			return
		}
	}
	var ts []int64
	var o, h, l, c, v []float64
	for _, b := range m.bars(sym) {
		st := b.Time.Add(9*time.Hour + 30*time.Minute).Unix()
		if st < lo || st >= hi {
			continue
		}
		ts = append(ts, st)
		o, h, l, c, v = append(o, b.Open), append(h, b.High), append(l, b.Low), append(c, b.Close), append(v, b.Volume)
	}
	doc := map[string]any{"chart": map[string]any{"result": []any{map[string]any{
		"meta": map[string]any{"symbol": sym, "exchangeTimezoneName": "America/New_York"}, "timestamp": ts,
		"indicators": map[string]any{"quote": []any{map[string]any{"open": o, "high": h, "low": l, "close": c, "volume": v}}},
	}}, "error": nil}}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(doc)
}

// stooqHandler serves the daily CSV, filtered to d1 ≤ date ≤ d2 if given.
func (m *market) stooqHandler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m.record(r.URL.RawQuery)
	sym, ok := strings.CutSuffix(q.Get("s"), ".us")
	if r.URL.Path != "/q/d/l/" || !ok {
		http.NotFound(w, r)
		return
	}
	d1, d2 := q.Get("d1"), q.Get("d2")
	w.Header().Set("Content-Type", "text/csv")
	fmt.Fprint(w, "Date,Open,High,Low,Close,Volume\r\n")
	for _, b := range m.bars(strings.ToUpper(sym)) {
		d := b.Time.Format("20060102")
		if (d1 != "" && d < d1) || (d2 != "" && d > d2) {
			continue
		}
		fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s\r\n", b.Date(), ff(b.Open), ff(b.High), ff(b.Low), ff(b.Close), ff(b.Volume))
	}
}

func ff(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// networkCase builds a feed of one kind against the market on a fake clock.
type networkCase struct {
	name    string
	handler func(*market) http.HandlerFunc
	feed    func(t *testing.T, url string, c *http.Client, clk clock.Clock) feeds.Feed
	full    []string // substrings of every first-run query
	since   []string // substrings of every incremental query (since = 2026-11-16, clock Wed 2026-11-25 18:00)
	notIncr string   // must not appear in an incremental query
}

var networkCases = []networkCase{
	{
		name:    "yahoo",
		handler: func(m *market) http.HandlerFunc { return m.yahooHandler },
		feed: func(t *testing.T, url string, c *http.Client, clk clock.Clock) feeds.Feed {
			f, err := yahoo.New(yahoo.Options{FeedOptions: httpx.FeedOptions{BaseURL: url, Client: c, Clock: clk, RatePerSec: 1000, Burst: 100}, HistoryRange: "max"})
			if err != nil {
				t.Fatal(err)
			}
			return f
		},
		full: []string{"range=max", "interval=1d"},
		// period1: 2026-11-15 00:00 EST (05:00 UTC); period2: 2026-11-25
		// 18:00 EST (23:00 UTC); unix seconds from GNU date.
		since:   []string{"period1=1794718800", "period2=1795647600", "interval=1d"},
		notIncr: "range=",
	},
	{
		name:    "stooq",
		handler: func(m *market) http.HandlerFunc { return m.stooqHandler },
		feed: func(t *testing.T, url string, c *http.Client, clk clock.Clock) feeds.Feed {
			f, err := stooq.New(stooq.Options{FeedOptions: httpx.FeedOptions{BaseURL: url, Client: c, Clock: clk, RatePerSec: 1000, Burst: 100}})
			if err != nil {
				t.Fatal(err)
			}
			return f
		},
		full:    []string{"i=d"},
		since:   []string{"i=d", "d1=20261116", "d2=20261125"},
		notIncr: "",
	},
}

// TestNetworkFeeds runs the real Yahoo and Stooq adapters against loopback
// servers: the first History asks for the full record and fills the cache;
// three sessions later (with a correction inside the overlap) it asks only
// for the recent range and returns exactly what an uncached full fetch
// returns.
func TestNetworkFeeds(t *testing.T) {
	for _, nc := range networkCases {
		t.Run(nc.name, func(t *testing.T) {
			m := &market{}
			m.set(2500, nyAt(2026, 11, 20, 0, 0), nil)
			srv := httptest.NewServer(nc.handler(m))
			t.Cleanup(srv.Close)
			dir := t.TempDir()
			syms := []string{"IWM", "SPY"}

			clk := clock.NewFake(nyAt(2026, 11, 20, 18, 0))
			f, logs := newCache(t, nc.feed(t, srv.URL, srv.Client(), clk), dir, clk.Now())
			h, err := f.History(context.Background(), syms)
			if err != nil {
				t.Fatal(err)
			}
			if len(h.Daily["IWM"]) != 2500 || h.Daily["IWM"][2499].Date() != "2026-11-20" || len(h.Errors) != 0 {
				t.Fatalf("first run: %d bars, errors %v", len(h.Daily["IWM"]), h.Errors)
			}
			qs := m.takeQueries()
			if len(qs) != 2 {
				t.Fatalf("first run queries %q", qs)
			}
			for _, q := range qs {
				for _, want := range nc.full {
					if !strings.Contains(q, want) {
						t.Errorf("first run: query %q lacks %q", q, want)
					}
				}
				if strings.Contains(q, "period1") || strings.Contains(q, "d1=") {
					t.Errorf("first run: query %q asks for a range", q)
				}
			}
			for _, s := range syms {
				if !reflect.DeepEqual(readCache(t, f, s), h.Daily[s]) {
					t.Fatalf("%s: cache differs from the fetched history", s)
				}
			}

			// Wednesday evening: three more sessions, Thursday's close corrected.
			m.set(2503, nyAt(2026, 11, 25, 0, 0), map[string]float64{"IWM 2026-11-19": 77.5})
			clk2 := clock.NewFake(nyAt(2026, 11, 25, 18, 0))
			f2, _ := newCache(t, nc.feed(t, srv.URL, srv.Client(), clk2), dir, clk2.Now())
			h2, err := f2.History(context.Background(), syms)
			if err != nil {
				t.Fatal(err)
			}
			qs = m.takeQueries()
			if len(qs) != 2 {
				t.Fatalf("second run queries %q", qs)
			}
			for _, q := range qs {
				for _, want := range nc.since {
					if !strings.Contains(q, want) {
						t.Errorf("second run: query %q lacks %q", q, want)
					}
				}
				if nc.notIncr != "" && strings.Contains(q, nc.notIncr) {
					t.Errorf("second run: query %q contains %q", q, nc.notIncr)
				}
			}
			fresh, err := nc.feed(t, srv.URL, srv.Client(), clk2).History(context.Background(), syms)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(h2.Daily, fresh.Daily) || len(h2.Errors) != 0 {
				t.Fatalf("cached+incremental history differs from a full fetch (errors %v)", h2.Errors)
			}
			iwm := h2.Daily["IWM"]
			if len(iwm) != 2503 || iwm[2498].Date() != "2026-11-19" || iwm[2498].Close != 77.5 {
				t.Fatalf("IWM: %d bars, %+v", len(iwm), iwm[2498])
			}
			if !reflect.DeepEqual(readCache(t, f2, "IWM"), iwm) {
				t.Fatal("cache not updated")
			}
			if logs.String() != "" {
				t.Fatalf("logs: %s", logs)
			}
		})
	}
}
