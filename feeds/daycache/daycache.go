// Package daycache downloads files that change at most once a day (the
// iShares holdings lists, FRED series) and keeps the last good copy on disk:
// a file is fetched at most once per New York calendar day, a failed refresh
// falls back to the cached copy (marked stale, with the error), and a reply
// that fails the caller's check never replaces a good copy.
package daycache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// DefaultRetry is how long a failed refresh is not retried (the cached copy,
// if any, is served meanwhile).
const DefaultRetry = time.Hour

// Options configures a Cache.
type Options struct {
	Dir    string        // directory of the cached files (required)
	Client *httpx.Client // required
	Clock  clock.Clock   // default clock.Real
	Logger *slog.Logger  // default: discarded
	Retry  time.Duration // default DefaultRetry
	// CacheOnly never downloads: Get returns the cached copy, Stale (Err
	// ErrNotCached) when it is not today's, or ErrNotCached without one
	// (`capwatch status` reads what the dashboard fetched).
	CacheOnly bool
}

// Cache fetches and caches daily files. It is safe for concurrent use.
type Cache struct {
	o      Options
	mu     sync.Mutex
	failed map[string]failure // name → the last failed refresh
}

type failure struct {
	at  time.Time
	err error
}

// New validates o.
func New(o Options) (*Cache, error) {
	if o.Dir == "" {
		return nil, errors.New("daycache: no directory")
	}
	if o.Client == nil {
		return nil, errors.New("daycache: no HTTP client")
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Retry <= 0 {
		o.Retry = DefaultRetry
	}
	return &Cache{o: o, failed: map[string]failure{}}, nil
}

// ErrNotCached is a file not downloaded today, with Options.CacheOnly.
var ErrNotCached = errors.New("not downloaded today (this command reads the cache only)")

// File is what Get returns.
type File struct {
	Body    []byte
	Fetched time.Time // when Body was downloaded
	// Cached is true when Body came from the disk without a request (it was
	// already fetched today, or a refresh failed: see Stale).
	Cached bool
	// Stale is true when a refresh was due but failed (Err says why): Body is
	// the older copy.
	Stale bool
	Err   error
}

var nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$`)

// Get returns the file called name (a plain file name), downloading url
// when the cached copy is from an earlier New York date or missing. check
// validates a download (e.g. that it parses) before it replaces the cache;
// nil accepts anything. The error is non-nil only when there is no copy at
// all.
func (c *Cache) Get(ctx context.Context, name, url string, check func([]byte) error) (File, error) {
	if !nameRe.MatchString(name) {
		return File{}, fmt.Errorf("daycache: bad file name %q", name)
	}
	path := filepath.Join(c.o.Dir, name)
	now := c.o.Clock.Now()
	cached, mtime, cerr := read(path)
	if cerr != nil && !errors.Is(cerr, fs.ErrNotExist) {
		c.o.Logger.Warn("daycache: unreadable cache file", "path", path, "err", cerr)
	}
	have := cerr == nil
	if have && check != nil {
		if err := check(cached); err != nil {
			c.o.Logger.Warn("daycache: cached file no longer valid", "path", path, "err", err)
			have = false
		}
	}
	if have && sameDay(mtime, now) && !mtime.After(now.Add(time.Minute)) {
		return File{Body: cached, Fetched: mtime, Cached: true}, nil
	}
	if c.o.CacheOnly {
		return c.fallback(name, have, cached, mtime, ErrNotCached)
	}
	c.mu.Lock()
	f, failedRecently := c.failed[name]
	c.mu.Unlock()
	if failedRecently && now.Sub(f.at) < c.o.Retry && now.Sub(f.at) >= 0 {
		return c.fallback(name, have, cached, mtime, f.err)
	}
	body, err := c.o.Client.Get(ctx, "fetch "+name, url)
	if err == nil && check != nil {
		if cerr := check(body); cerr != nil {
			err = &httpx.Error{Op: "fetch " + name, Kind: httpx.KindParse, Detail: httpx.Sanitize(cerr.Error()), Err: cerr}
		}
	}
	if err != nil {
		if httpx.KindOf(err) != httpx.KindCanceled {
			c.mu.Lock()
			c.failed[name] = failure{at: now, err: err}
			c.mu.Unlock()
		}
		return c.fallback(name, have, cached, mtime, err)
	}
	c.mu.Lock()
	delete(c.failed, name)
	c.mu.Unlock()
	if werr := write(path, body, now); werr != nil {
		c.o.Logger.Warn("daycache: cannot write cache file", "path", path, "err", werr)
	}
	return File{Body: body, Fetched: now}, nil
}

func (c *Cache) fallback(name string, have bool, body []byte, mtime time.Time, err error) (File, error) {
	if !have {
		return File{}, fmt.Errorf("daycache: %s: %w", name, err)
	}
	return File{Body: body, Fetched: mtime, Cached: true, Stale: true, Err: err}, nil
}

// sameDay reports whether a and b fall on the same New York calendar date.
func sameDay(a, b time.Time) bool {
	loc := calendar.Location()
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// read returns the file and its modification time (= when it was fetched).
func read(path string) ([]byte, time.Time, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	return b, st.ModTime(), nil
}

// write replaces path atomically (temporary file + rename) and stamps it
// with the fetch time.
func write(path string, data []byte, at time.Time) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chtimes(tmp.Name(), at, at); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
