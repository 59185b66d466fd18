package members

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/capwatch/capwatch/feeds/daycache"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/clock"
)

// fakeIShares serves the holdings fixture; reply can be switched.
type fakeIShares struct {
	hits  atomic.Int32
	mode  atomic.Value // "ok", "500", "html", "notishares"
	paths atomic.Value
}

func (f *fakeIShares) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.hits.Add(1)
	f.paths.Store(r.URL.RequestURI())
	switch f.mode.Load() {
	case "500":
		http.Error(w, "down", http.StatusInternalServerError)
	case "html":
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>Please accept cookies</body></html>"))
	case "notishares":
		_, _ = w.Write([]byte("Ticker\nAAPL\n"))
	default:
		b, _ := os.ReadFile("testdata/ishares_iwm.csv")
		w.Header().Set("Content-Type", "text/csv")
		_, _ = w.Write(b)
	}
}

func TestSourceFetchesOnceADayAndFallsBack(t *testing.T) {
	fake := &fakeIShares{}
	fake.mode.Store("ok")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ny, _ := time.LoadLocation("America/New_York")
	clk := clock.NewFake(time.Date(2025, 10, 13, 8, 0, 0, 0, ny))
	cl, err := httpx.NewClient(httpx.ClientOptions{Source: "iShares", Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cache, err := daycache.New(daycache.Options{Dir: dir, Client: cl, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	src := &Source{Cache: cache, BaseURL: srv.URL}
	ctx := context.Background()

	l, f, err := src.Load(ctx, "IWM")
	if err != nil || len(l.Symbols) != 7 || f.Cached || f.Stale {
		t.Fatalf("first load: %d symbols, file %+v, err %v", len(l.Symbols), f, err)
	}
	if p, _ := fake.paths.Load().(string); !strings.Contains(p, "fileName=IWM_holdings") || !strings.HasPrefix(p, "/us/products/239710/") {
		t.Errorf("requested %q", p)
	}
	// Later the same New York day (even past midnight UTC): from the cache.
	clk.Advance(time.Date(2025, 10, 13, 21, 30, 0, 0, ny).Sub(clk.Now()))
	if l, f, err = src.Load(ctx, "iwm"); err != nil || !f.Cached || f.Stale || len(l.Symbols) != 7 {
		t.Fatalf("same day: file %+v err %v", f, err)
	}
	if n := fake.hits.Load(); n != 1 {
		t.Fatalf("%d requests on one day, want 1", n)
	}
	// Next day the server fails: the cached list, marked stale.
	clk.Advance(time.Date(2025, 10, 14, 7, 0, 0, 0, ny).Sub(clk.Now()))
	fake.mode.Store("500")
	l, f, err = src.Load(ctx, "iwm")
	if err != nil || !f.Stale || f.Err == nil || len(l.Symbols) != 7 {
		t.Fatalf("failed refresh: file %+v err %v", f, err)
	}
	if !strings.Contains(httpx.MessageOf(f.Err), "HTTP 500") {
		t.Errorf("stale reason %q", httpx.MessageOf(f.Err))
	}
	// Within the retry pause: no new request.
	clk.Advance(time.Date(2025, 10, 14, 7, 30, 0, 0, ny).Sub(clk.Now()))
	if _, f, _ = src.Load(ctx, "iwm"); !f.Stale || fake.hits.Load() != 2 {
		t.Fatalf("retry pause: file %+v, %d requests, want 2", f, fake.hits.Load())
	}
	// A consent page or a file that is not a holdings list never replaces
	// the good copy.
	for _, mode := range []string{"html", "notishares"} {
		clk.Advance(2 * time.Hour)
		fake.mode.Store(mode)
		l, f, err = src.Load(ctx, "iwm")
		if err != nil || !f.Stale || len(l.Symbols) != 7 {
			t.Fatalf("%s: %d symbols, file %+v err %v", mode, len(l.Symbols), f, err)
		}
	}
	// Recovery: a fresh copy.
	clk.Advance(2 * time.Hour)
	fake.mode.Store("ok")
	if _, f, err = src.Load(ctx, "iwm"); err != nil || f.Stale || f.Cached {
		t.Fatalf("recovery: file %+v err %v", f, err)
	}
}

func TestSourceWithoutCacheFails(t *testing.T) {
	fake := &fakeIShares{}
	fake.mode.Store("500")
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cl, _ := httpx.NewClient(httpx.ClientOptions{Source: "iShares"})
	cache, _ := daycache.New(daycache.Options{Dir: t.TempDir(), Client: cl})
	src := &Source{Cache: cache, BaseURL: srv.URL}
	if _, _, err := src.Load(context.Background(), "ijr"); err == nil || !strings.Contains(err.Error(), "IJR") {
		t.Fatalf("err %v, want an IJR holdings error", err)
	}
	if p, _ := fake.paths.Load().(string); !strings.Contains(p, "IJR_holdings") {
		t.Errorf("requested %q", p)
	}
	// A path universe is a file.
	l, _, err := src.Load(context.Background(), "testdata/lines.txt")
	if err != nil || len(l.Symbols) != 3 {
		t.Errorf("path universe: %v %v", l.Symbols, err)
	}
}
