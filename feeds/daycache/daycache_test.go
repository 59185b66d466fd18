package daycache

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/clock"
)

func TestInvalidCachedCopyIsRefetched(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("good"))
	}))
	defer srv.Close()
	clk := clock.NewFake(time.Date(2025, 3, 3, 15, 0, 0, 0, time.UTC))
	cl, _ := httpx.NewClient(httpx.ClientOptions{Source: "test", Clock: clk})
	dir := t.TempDir()
	c, err := New(Options{Dir: dir, Client: cl, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	// A copy from today that no longer passes the check (e.g. truncated).
	path := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(path, []byte("bad"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(path, clk.Now(), clk.Now())
	check := func(b []byte) error {
		if string(b) != "good" {
			return errors.New("not good")
		}
		return nil
	}
	f, err := c.Get(context.Background(), "x.csv", srv.URL, check)
	if err != nil || string(f.Body) != "good" || f.Cached || hits.Load() != 1 {
		t.Fatalf("got %+v %v, %d requests", f, err, hits.Load())
	}
	b, _ := os.ReadFile(path)
	if string(b) != "good" {
		t.Errorf("cache file holds %q", b)
	}
	st, _ := os.Stat(path)
	if !st.ModTime().Equal(clk.Now()) {
		t.Errorf("cache stamped %v, want the fetch time %v", st.ModTime(), clk.Now())
	}
	for _, bad := range []string{"", "../x", "a/b", ".hidden"} {
		if _, err := c.Get(context.Background(), bad, srv.URL, nil); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	if _, err := New(Options{Client: cl}); err == nil {
		t.Error("no directory accepted")
	}
}

// TestCacheOnly: with CacheOnly nothing is downloaded; today's copy is
// returned as is, an older one as Stale with ErrNotCached, none is
// ErrNotCached.
func TestCacheOnly(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("fresh"))
	}))
	defer srv.Close()
	clk := clock.NewFake(time.Date(2025, 3, 3, 15, 0, 0, 0, time.UTC))
	cl, _ := httpx.NewClient(httpx.ClientOptions{Source: "test", Clock: clk})
	dir := t.TempDir()
	c, err := New(Options{Dir: dir, Client: cl, Clock: clk, CacheOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(t.Context(), "none.csv", srv.URL, nil); !errors.Is(err, ErrNotCached) {
		t.Errorf("no copy: err %v, want ErrNotCached", err)
	}
	today, old := filepath.Join(dir, "today.csv"), filepath.Join(dir, "old.csv")
	for p, at := range map[string]time.Time{today: clk.Now().Add(-time.Hour), old: clk.Now().Add(-48 * time.Hour)} {
		if err := os.WriteFile(p, []byte("kept"), 0o644); err != nil {
			t.Fatal(err)
		}
		_ = os.Chtimes(p, at, at)
	}
	if f, err := c.Get(t.Context(), "today.csv", srv.URL, nil); err != nil || string(f.Body) != "kept" || f.Stale {
		t.Errorf("today's copy: %+v %v", f, err)
	}
	if f, err := c.Get(t.Context(), "old.csv", srv.URL, nil); err != nil || string(f.Body) != "kept" || !f.Stale || !errors.Is(f.Err, ErrNotCached) {
		t.Errorf("older copy: %+v %v", f, err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d downloads, want none", n)
	}
}
