// Package histcache keeps a network feed's daily history on disk, so that the
// "Now what?" study gets the pair's whole record without downloading decades
// of bars on every start.
//
// A Feed wraps another feeds.Feed. Its History reads each symbol's cached
// daily bars from Dir/history/<feed>/<SYMBOL>.bars and then:
//
//   - with no usable cache file, fetches the full history from the wrapped
//     feed (Yahoo range=max, Stooq's whole CSV);
//   - with a cache file, asks the wrapped feed only for the recent part when
//     it implements Recent (Yahoo period1/period2, Stooq d1/d2), starting
//     Overlap cached bars before the end so end-of-day corrections are picked
//     up, and otherwise for its whole history;
//   - merges: from the first date the wrapped feed returned on, its bars are
//     authoritative (a corrected bar replaces the cached one, a bar the source
//     no longer has is dropped); older cached bars are kept, so a cache also
//     outgrows a source that only serves a few years;
//   - writes the merged closed bars back atomically (temporary file in the
//     same directory, fsync, rename) when they changed, and returns the
//     merged history.
//
// Only closed daily bars are cached: while today's regular session runs its
// bar is never written. A corrupt or unreadable cache file is discarded with
// a slog warning and refetched in full; a failed write is logged and the
// fetched history is still returned. A symbol that fails to fetch but has a
// cache returns the cached bars plus a SymbolError saying they may be stale.
// Stream, Name and Kind delegate to the wrapped feed.
//
// The package reads no environment: the caller passes the directory (e.g.
// os.UserCacheDir()/capwatch), the clock and the logger.
package histcache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// Recent is implemented by feeds that can fetch daily history starting at a
// date (feeds/yahoo and feeds/stooq do). since is midnight New York of the
// first trading date wanted; the reply may start a little earlier. Errors
// follow feeds.Feed.History.
type Recent interface {
	HistorySince(ctx context.Context, symbols []string, since time.Time) (feeds.History, error)
}

// DefaultOverlap is how many of the last cached bars are fetched again.
const DefaultOverlap = 5

// Options configures a Feed.
type Options struct {
	Dir      string             // cache root (required); files go to Dir/history/<feed>/
	Clock    clock.Clock        // default clock.Real
	Calendar *calendar.Calendar // decides which daily bars are closed (default calendar.NYSE())
	Logger   *slog.Logger       // warnings about the cache (default: discarded)
	Overlap  int                // last cached bars re-fetched on every History (default DefaultOverlap)

	// The fetch policy (all off by default: every History asks the wrapped
	// feed for every symbol). The cache records, per symbol, when its
	// history was last fetched and when a fetch last failed (fetched.json
	// in the feed's directory), whatever the policy.

	// OncePerSession: a symbol with cached bars is asked again only when a
	// regular session has closed since it was last fetched (judged by the
	// fetch time, not by its last bar's date: a halted or delisted symbol
	// is not asked on every call).
	OncePerSession bool
	// FailureTTL: a symbol whose last fetch failed less than this ago is not
	// asked again (doubling with each failure in a row, up to a day); its
	// cached bars, said stale, or the failure are returned meanwhile. With
	// OncePerSession a symbol with cached bars waits for the next close.
	FailureTTL time.Duration
	// MaxFetch, when > 0, is how many symbols one History asks the wrapped
	// feed for at most, in the order requested; the others return their
	// cached bars as they are (without a cache: "history not loaded yet")
	// and are asked by a later call.
	MaxFetch int
}

// Feed is a feeds.Feed whose daily history is cached on disk. It is safe for
// concurrent use; concurrent writers of the same file (even other processes)
// leave one complete version.
type Feed struct {
	inner feeds.Feed
	o     Options
	dir   string
	sync  func(*os.File) error // fsync of a temporary file (tests inject failures)
}

var _ feeds.Feed = (*Feed)(nil)

// New wraps inner with the cache in o.Dir.
func New(inner feeds.Feed, o Options) (*Feed, error) {
	if inner == nil {
		return nil, errors.New("histcache: new: no feed to wrap")
	}
	if o.Dir == "" {
		return nil, errors.New("histcache: new: no cache directory")
	}
	if o.Overlap < 0 {
		return nil, fmt.Errorf("histcache: new: overlap %d is negative", o.Overlap)
	}
	if o.Overlap == 0 {
		o.Overlap = DefaultOverlap
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Calendar == nil {
		o.Calendar = calendar.NYSE()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	dir := filepath.Join(o.Dir, "history", dirName(inner.Name()))
	return &Feed{inner: inner, o: o, dir: dir, sync: (*os.File).Sync}, nil
}

// Name is the wrapped feed's name.
func (f *Feed) Name() string { return f.inner.Name() }

// Kind is the wrapped feed's kind.
func (f *Feed) Kind() feeds.Kind { return f.inner.Kind() }

// Stream is the wrapped feed's stream.
func (f *Feed) Stream(ctx context.Context, symbols []string, out chan<- feeds.Batch) error {
	return f.inner.Stream(ctx, symbols, out)
}

// Unwrap returns the wrapped feed.
func (f *Feed) Unwrap() feeds.Feed { return f.inner }

// Path returns the cache file of symbol.
func (f *Feed) Path(symbol string) (string, error) {
	name, err := fileName(symbol)
	if err != nil {
		return "", err
	}
	return filepath.Join(f.dir, name), nil
}

// Complete returns the cached daily bars of the symbols whose cache already
// holds the last closed session's bar (by the Options' clock and calendar):
// they need no request until the next close. Symbols without a usable or
// complete cache are absent. It never asks the wrapped feed.
func (f *Feed) Complete(symbols []string) map[string][]engine.Bar {
	now := f.o.Clock.Now()
	cal := f.o.Calendar
	last := cal.TradingDate(now)
	if _, cl, ok := cal.Session(last); !ok || now.Before(cl) {
		last = cal.PrevTradingDate(last)
	}
	out := make(map[string][]engine.Bar)
	for i, bars := range f.loadAll(symbols) {
		if n := len(bars); n > 0 && !bars[n-1].Time.Before(last) {
			out[symbols[i]] = bars
		}
	}
	return out
}

// loadAll reads the cache files of symbols on a few goroutines, each
// reusing one read buffer.
func (f *Feed) loadAll(symbols []string) [][]engine.Bar {
	out := make([][]engine.Bar, len(symbols))
	workers := min(len(symbols), runtime.GOMAXPROCS(0), 8)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			var buf []byte
			for {
				i := int(next.Add(1)) - 1
				if i >= len(symbols) {
					return
				}
				out[i], buf = f.load(symbols[i], buf)
			}
		})
	}
	wg.Wait()
	return out
}

// load reads symbol's cache file (into buf, returned for reuse). A missing
// file gives no bars; a corrupt one is removed and an unreadable one
// skipped, both with a warning.
func (f *Feed) load(symbol string, buf []byte) ([]engine.Bar, []byte) {
	path, err := f.Path(symbol)
	if err != nil {
		f.o.Logger.Warn("history cache: symbol not cacheable", "symbol", httpx.Sanitize(symbol), "err", err)
		return nil, buf
	}
	data, err := readFile(path, buf)
	if cap(data) > cap(buf) {
		buf = data
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, buf
	}
	if err != nil {
		f.o.Logger.Warn("history cache: unreadable file ignored, fetching the full history", "symbol", symbol, "path", path, "err", err)
		return nil, buf
	}
	bars, err := decode(data, symbol)
	if err != nil {
		f.o.Logger.Warn("history cache: discarding corrupt file, fetching the full history", "symbol", symbol, "path", path, "err", err)
		if rerr := os.Remove(path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			f.o.Logger.Warn("history cache: remove corrupt file", "path", path, "err", rerr)
		}
		return nil, buf
	}
	return bars, buf
}

// readFile reads path into buf (grown as needed).
func readFile(path string, buf []byte) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	size := st.Size()
	if size > headerSize+recordSize*maxBars+crcSize {
		return nil, fmt.Errorf("%s: %d bytes, too large for a cache file", path, size)
	}
	if int64(cap(buf)) < size+1 {
		buf = make([]byte, size+1)
	}
	// Read one byte more than the size, to see a file that grew meanwhile.
	n, err := io.ReadFull(fh, buf[:size+1])
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return buf[:n], err
}

// store writes symbol's closed bars if they differ from what was cached.
func (f *Feed) store(symbol string, cached, merged []engine.Bar, now time.Time) {
	closed := httpx.TrimUnfinished(merged, f.o.Calendar, now)
	if len(closed) == 0 || sameBars(cached, closed) {
		return
	}
	path, err := f.Path(symbol)
	if err != nil {
		return // already warned by load
	}
	if why := cacheable(closed); why != "" {
		f.o.Logger.Warn("history cache: bars not cached", "symbol", symbol, "reason", why)
		return
	}
	if err := writeAtomic(path, encode(closed), f.sync); err != nil {
		f.o.Logger.Warn("history cache: write failed (the history is still used)", "symbol", symbol, "err", err)
		return
	}
	removeStaleTemps(path, now)
	f.o.Logger.Debug("history cache: written", "symbol", symbol, "path", path, "bars", len(closed),
		"from", closed[0].Date(), "to", closed[len(closed)-1].Date())
}

// removeStaleTemps removes temporary files of path left by a writer that
// died more than an hour ago (a live writer renames its file within
// seconds).
func removeStaleTemps(path string, now time.Time) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*"))
	for _, m := range matches {
		if st, err := os.Lstat(m); err == nil && st.Mode().IsRegular() && now.Sub(st.ModTime()) > time.Hour {
			os.Remove(m)
		}
	}
}

func sameBars(a, b []engine.Bar) bool {
	return slices.EqualFunc(a, b, func(x, y engine.Bar) bool {
		return x.Time.Equal(y.Time) && x.Open == y.Open && x.High == y.High && x.Low == y.Low &&
			x.Close == y.Close && x.Volume == y.Volume
	})
}

// call is one request to the wrapped feed.
type call struct {
	symbols []string
	since   time.Time // zero: full history
	h       feeds.History
	err     error
}

// History returns the cached history of every symbol, extended and corrected
// from the wrapped feed (see the package doc). The error return is set when
// no symbol has any bars, or when ctx ends.
func (f *Feed) History(ctx context.Context, symbols []string) (feeds.History, error) {
	if err := ctx.Err(); err != nil {
		return feeds.History{}, err
	}
	now := f.o.Clock.Now()
	cached := f.loadAll(symbols)
	skip := f.plan(symbols, cached, now) // index → why it is not asked

	// Plan: one full request for the symbols without a cache, one
	// incremental request per distinct start date.
	rec, incremental := f.inner.(Recent)
	var calls []*call
	full := &call{}
	bySince := map[time.Time]*call{}
	for i, s := range symbols {
		if _, ok := skip[i]; ok {
			continue
		}
		c := cached[i]
		if len(c) == 0 || !incremental {
			full.symbols = append(full.symbols, s)
			continue
		}
		since := c[max(0, len(c)-f.o.Overlap)].Time
		k, ok := bySince[since]
		if !ok {
			k = &call{since: since}
			bySince[since] = k
			calls = append(calls, k)
		}
		k.symbols = append(k.symbols, s)
	}
	if len(full.symbols) > 0 {
		calls = append(calls, full)
	}
	for _, c := range calls {
		if c.since.IsZero() {
			f.o.Logger.Debug("history cache: fetching the full history", "feed", f.inner.Name(), "symbols", c.symbols)
		} else {
			f.o.Logger.Debug("history cache: fetching recent bars", "feed", f.inner.Name(), "symbols", c.symbols, "since", c.since.Format(time.DateOnly))
		}
	}
	var wg sync.WaitGroup
	for _, c := range calls {
		wg.Go(func() {
			if c.since.IsZero() {
				c.h, c.err = f.inner.History(ctx, c.symbols)
			} else {
				c.h, c.err = rec.HistorySince(ctx, c.symbols, c.since)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		// The wrapped feed's error says why it did not finish in time (it
		// still matches ctx's error with errors.Is).
		for _, c := range calls {
			if c.err != nil && errors.Is(c.err, err) {
				return feeds.History{}, c.err
			}
		}
		return feeds.History{}, err
	}

	// Collect each symbol's fetched bars or failure message.
	fetched := make(map[string][]engine.Bar, len(symbols))
	failed := map[string]string{}
	var out feeds.History
	var firstErr error
	for _, c := range calls {
		for _, e := range c.h.Errors {
			failed[e.Symbol] = e.Message
		}
		for _, s := range c.symbols {
			if bars, ok := c.h.Daily[s]; ok {
				fetched[s] = bars
			}
			if bars, ok := c.h.Intraday[s]; ok {
				if out.Intraday == nil {
					out.Intraday = map[string][]engine.Bar{}
				}
				out.Intraday[s] = bars
			}
			if _, ok := failed[s]; !ok && c.err != nil && len(fetched[s]) == 0 {
				failed[s] = feeds.Reason(c.err) // the cause, without the load's "yahoo: history:" prefix
			}
		}
		if c.err != nil && firstErr == nil {
			firstErr = c.err
		}
	}

	out.Daily = make(map[string][]engine.Bar, len(symbols))
	var writes []int // indexes of symbols to store
	fetchLog := map[string]fetchRecord{}
	for i, s := range symbols {
		c, got := cached[i], feeds.NormaliseBars(fetched[s])
		why, skipped := skip[i]
		switch {
		case skipped:
			if len(c) > 0 {
				out.Daily[s] = c
			}
			switch {
			case why == skipFresh || (why == skipLater && len(c) > 0):
			case why == skipLater:
				out.Errors = append(out.Errors, engine.SymbolError{Symbol: s, Message: "history not loaded yet (a few symbols per call)"})
			case len(c) > 0:
				out.Errors = append(out.Errors, engine.SymbolError{Symbol: s, Message: httpx.Sanitize(fmt.Sprintf(
					"history may be stale (cached up to %s): %s", c[len(c)-1].Date(), why))})
			default:
				out.Errors = append(out.Errors, engine.SymbolError{Symbol: s, Message: httpx.Sanitize(why)})
			}
			continue
		case len(got) > 0:
			out.Daily[s] = merge(c, got)
			writes = append(writes, i)
			fetchLog[s] = fetchRecord{Fetched: now}
		case len(c) > 0:
			out.Daily[s] = c
			msg := failed[s]
			if msg == "" {
				msg = "no recent bars"
			}
			fetchLog[s] = fetchRecord{Failed: now, Error: httpx.Sanitize(msg)}
			out.Errors = append(out.Errors, engine.SymbolError{Symbol: s, Message: httpx.Sanitize(fmt.Sprintf(
				"history may be stale (cached up to %s): %s", c[len(c)-1].Date(), msg))})
		default:
			msg, ok := failed[s]
			if !ok {
				msg = "no history"
			}
			fetchLog[s] = fetchRecord{Failed: now, Error: httpx.Sanitize(msg)}
			out.Errors = append(out.Errors, engine.SymbolError{Symbol: s, Message: httpx.Sanitize(msg)})
		}
	}
	// Writes wait mostly on fsync: a few run at once.
	var next atomic.Int64
	for range min(len(writes), 4) {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= len(writes) {
					return
				}
				i := writes[k]
				f.store(symbols[i], cached[i], out.Daily[symbols[i]], now)
			}
		})
	}
	wg.Wait()
	f.recordFetches(fetchLog)
	if len(symbols) > 0 && len(out.Daily) == 0 {
		if firstErr != nil {
			// The wrapped feed's error already names the feed and the
			// operation ("yahoo: history: <cause> (no symbol loaded)").
			return out, firstErr
		}
		// Nothing was asked (the failures are remembered): the feed's
		// name, as its own errors have it, and the cause (the first
		// symbol's, named, when the causes differ). No count: the views
		// count the symbols they show.
		why := out.Errors[0].Message
		for _, e := range out.Errors[1:] {
			if e.Message != why {
				why = out.Errors[0].Symbol + ": " + why
				break
			}
		}
		return out, fmt.Errorf("%s: history: %s (no symbol loaded)", f.inner.Name(), why)
	}
	return out, nil
}

// merge keeps the cached bars before recent's first date and then recent
// (both oldest first).
func merge(cached, recent []engine.Bar) []engine.Bar {
	if len(recent) == 0 {
		return cached
	}
	first := recent[0].Time
	k := sort.Search(len(cached), func(i int) bool { return !cached[i].Time.Before(first) })
	out := make([]engine.Bar, 0, k+len(recent))
	out = append(out, cached[:k]...)
	return append(out, recent...)
}
