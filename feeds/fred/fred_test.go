package fred

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds/daycache"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/clock"
)

func TestParseDGS2(t *testing.T) {
	data, err := os.ReadFile("testdata/DGS2.csv")
	if err != nil {
		t.Fatal(err)
	}
	obs, err := Parse(data, "DGS2")
	if err != nil {
		t.Fatal(err)
	}
	// 33 rows, two of them "." (Labor Day, Columbus Day).
	if len(obs) != 31 {
		t.Fatalf("%d observations, want 31", len(obs))
	}
	if obs[0].Date() != "2025-08-29" || obs[0].Value != 3.59 || obs[1].Date() != "2025-09-02" || obs[30].Date() != "2025-10-14" || obs[30].Value != 3.50 {
		t.Errorf("first %v %v, second %v, last %v %v", obs[0].Date(), obs[0].Value, obs[1].Date(), obs[30].Date(), obs[30].Value)
	}
	// The confirmation: 3.50 against the value 21 observations earlier
	// (2025-09-12, 3.56): the yield fell, so it confirms.
	var yo []breadth.YieldObs
	for _, o := range obs {
		yo = append(yo, breadth.YieldObs{Day: breadth.DayOf(o.Time), Value: o.Value})
	}
	spec, _ := breadth.ConfirmSpec{Kind: "yield"}.Normalize()
	c := breadth.ConfirmYield(spec, yo)
	if c.State != engine.ConfirmConfirms || c.Reference.V != 3.56 || c.Value.V != 3.50 || c.AsOf != "2025-10-14" {
		t.Errorf("confirmation %+v", c)
	}
}

func TestParseFormatsAndErrors(t *testing.T) {
	old := "DATE,DGS2\r\n2020-01-02,1.58\r\n2020-01-03,.\r\n2020-01-06,1.54\r\n"
	obs, err := Parse([]byte(old), "DGS2")
	if err != nil || len(obs) != 2 || obs[1].Value != 1.54 {
		t.Fatalf("old header: %v %v", obs, err)
	}
	for name, in := range map[string]string{
		"no column":  "DATE,DGS10\n2020-01-02,1.8\n",
		"bad value":  "DATE,DGS2\n2020-01-02,abc\n",
		"bad date":   "DATE,DGS2\n01/02/2020,1.5\n",
		"order":      "DATE,DGS2\n2020-01-03,1.5\n2020-01-02,1.5\n",
		"all dots":   "DATE,DGS2\n2020-01-02,.\n",
		"empty":      "",
		"html":       "<html><body>maintenance</body></html>",
		"nan":        "DATE,DGS2\n2020-01-02,NaN\n",
		"short line": "DATE,DGS2\n2020-01-02\n",
	} {
		if _, err := Parse([]byte(in), "DGS2"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSourceDailyCache(t *testing.T) {
	var hits atomic.Int32
	var mode atomic.Value
	mode.Store("ok")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/graph/fredgraph.csv" || r.URL.Query().Get("id") != "DGS2" {
			http.NotFound(w, r)
			return
		}
		if mode.Load() == "429" {
			w.Header().Set("Retry-After", "120")
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		b, _ := os.ReadFile("testdata/DGS2.csv")
		_, _ = w.Write(b)
	}))
	defer srv.Close()
	ny, _ := time.LoadLocation("America/New_York")
	clk := clock.NewFake(time.Date(2025, 10, 15, 9, 0, 0, 0, ny))
	cl, _ := httpx.NewClient(httpx.ClientOptions{Source: "FRED", Clock: clk})
	cache, err := daycache.New(daycache.Options{Dir: t.TempDir(), Client: cl, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	src := &Source{Cache: cache, BaseURL: srv.URL}
	ctx := context.Background()

	// Rate limited before any copy exists: an error that says so.
	mode.Store("429")
	if _, _, err := src.Series(ctx, "DGS2"); err == nil || !strings.Contains(httpx.MessageOf(err), "429") {
		t.Fatalf("429 without a copy: %v", err)
	}
	clk.Advance(2 * time.Hour)
	mode.Store("ok")
	obs, f, err := src.Series(ctx, "DGS2")
	if err != nil || len(obs) != 31 || f.Cached {
		t.Fatalf("fetch: %d obs, %+v, %v", len(obs), f, err)
	}
	clk.Advance(3 * time.Hour)
	if _, f, err = src.Series(ctx, "DGS2"); err != nil || !f.Cached || hits.Load() != 2 {
		t.Fatalf("same day: %+v %v, %d requests (want 2)", f, err, hits.Load())
	}
	clk.Advance(24 * time.Hour)
	if _, f, err = src.Series(ctx, "DGS2"); err != nil || f.Cached || hits.Load() != 3 {
		t.Fatalf("next day: %+v %v, %d requests (want 3)", f, err, hits.Load())
	}
	if _, _, err := src.Series(ctx, "dgs2; rm"); err == nil {
		t.Error("bad id accepted")
	}
}
