package histcache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

func nyAt(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Location())
}

// Tuesday 2026-11-24 18:00 New York: after the close, every bar is closed.
var tAfter = nyAt(2026, 11, 24, 18, 0)

// series returns n trading days of bars of sym ending on the trading date
// of end (walked back with the NYSE calendar); prices depend on the date and
// the symbol only, so two calls agree on every shared date.
func series(sym string, n int, end time.Time) []engine.Bar {
	cal := calendar.NYSE()
	bars := make([]engine.Bar, n)
	d := cal.TradingDate(end)
	for i := n - 1; i >= 0; i-- {
		k := float64(d.Unix()/86400%1000) + float64(len(sym))
		c := 100 + k/7
		bars[i] = engine.Bar{Symbol: sym, Time: d, Open: c - 0.25, High: c + 1, Low: c - 1, Close: c, Volume: 1e6 + k}
		d = cal.PrevTradingDate(d)
	}
	return bars
}

// recentFake is feeds/fake with the optional Recent interface: HistorySince
// returns the scripted bars from since on, and records every since.
type recentFake struct {
	*fake.Feed
	mu     sync.Mutex
	sinces []time.Time
	fulls  int
}

func newRecentFake(h feeds.History, historyErr error) *recentFake {
	return &recentFake{Feed: fake.New(fake.Options{Name: "yahoo", History: h, HistoryErr: historyErr})}
}

func (r *recentFake) History(ctx context.Context, symbols []string) (feeds.History, error) {
	r.mu.Lock()
	r.fulls++
	r.mu.Unlock()
	return r.Feed.History(ctx, symbols)
}

func (r *recentFake) HistorySince(ctx context.Context, symbols []string, since time.Time) (feeds.History, error) {
	r.mu.Lock()
	r.sinces = append(r.sinces, since)
	r.mu.Unlock()
	h, err := r.Feed.History(ctx, symbols)
	for s, bars := range h.Daily {
		i := 0
		for i < len(bars) && bars[i].Time.Before(since) {
			i++
		}
		h.Daily[s] = bars[i:]
	}
	return h, err
}

func (r *recentFake) calls() (fulls int, sinces []time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fulls, append([]time.Time(nil), r.sinces...)
}

// logBuf is a goroutine-safe log sink.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newCache(t *testing.T, inner feeds.Feed, dir string, now time.Time) (*Feed, *logBuf) {
	t.Helper()
	logs := &logBuf{}
	f, err := New(inner, Options{Dir: dir, Clock: clock.NewFake(now), Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return f, logs
}

func daily(m map[string][]engine.Bar) feeds.History { return feeds.History{Daily: m} }

// readCache decodes the cache file of sym.
func readCache(t *testing.T, f *Feed, sym string) []engine.Bar {
	t.Helper()
	p, err := f.Path(sym)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	bars, err := decode(data, sym)
	if err != nil {
		t.Fatal(err)
	}
	return bars
}

func TestNewValidates(t *testing.T) {
	inner := fake.New(fake.Options{})
	for name, tc := range map[string]struct {
		inner feeds.Feed
		o     Options
	}{
		"no feed":    {nil, Options{Dir: t.TempDir()}},
		"no dir":     {inner, Options{}},
		"neg overlp": {inner, Options{Dir: t.TempDir(), Overlap: -1}},
	} {
		if _, err := New(tc.inner, tc.o); err == nil || !strings.HasPrefix(err.Error(), "histcache: new: ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestDelegates(t *testing.T) {
	inner := fake.New(fake.Options{Name: "stooq", Kind: feeds.KindLive})
	f, _ := newCache(t, inner, t.TempDir(), tAfter)
	if f.Name() != "stooq" || f.Kind() != feeds.KindLive || f.Unwrap() != inner {
		t.Fatal("Name/Kind/Unwrap")
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan feeds.Batch)
	done := make(chan error, 1)
	go func() { done <- f.Stream(ctx, []string{"IWM"}, out) }()
	if err := inner.Push(ctx, feeds.Batch{Seq: 7}); err != nil {
		t.Fatal(err)
	}
	if b := <-out; b.Seq != 7 {
		t.Fatalf("batch %d", b.Seq)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Stream: %v", err)
	}
}

// TestFirstRunThenIncremental: the first History fetches everything and
// writes the cache; the next (a new process: a new Feed on the same
// directory, three sessions later) asks only from the fifth-last cached bar
// on and returns exactly what a full fetch returns.
func TestFirstRunThenIncremental(t *testing.T) {
	dir := t.TempDir()
	friday := nyAt(2026, 11, 20, 18, 0)
	first := newRecentFake(daily(map[string][]engine.Bar{
		"IWM": series("IWM", 300, friday), "SPY": series("SPY", 300, friday),
	}), nil)
	f, _ := newCache(t, first, dir, friday)
	h, err := f.History(context.Background(), []string{"IWM", "SPY"})
	if err != nil {
		t.Fatal(err)
	}
	if fulls, sinces := first.calls(); fulls != 1 || len(sinces) != 0 {
		t.Fatalf("first run: %d full, sinces %v", fulls, sinces)
	}
	for _, s := range []string{"IWM", "SPY"} {
		want := series(s, 300, friday)
		if !reflect.DeepEqual(h.Daily[s], want) {
			t.Fatalf("%s: history differs from the source", s)
		}
		if got := readCache(t, f, s); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: cache file differs from the source", s)
		}
	}
	if p, _ := f.Path("IWM"); p != filepath.Join(dir, "history", "yahoo", "IWM.bars") {
		t.Fatalf("path %s", p)
	}

	// Three sessions later (Mon, Tue, and Wed 2026-11-25 after the close).
	wed := nyAt(2026, 11, 25, 18, 0)
	truth := map[string][]engine.Bar{"IWM": series("IWM", 303, wed), "SPY": series("SPY", 303, wed)}
	second := newRecentFake(daily(truth), nil)
	f2, logs := newCache(t, second, dir, wed)
	h2, err := f2.History(context.Background(), []string{"IWM", "SPY"})
	if err != nil {
		t.Fatal(err)
	}
	fulls, sinces := second.calls()
	// The fifth-last cached bar: 2026-11-20 minus four trading days.
	if fulls != 0 || len(sinces) != 1 || !sinces[0].Equal(nyAt(2026, 11, 16, 0, 0)) {
		t.Fatalf("second run: %d full, sinces %v", fulls, sinces)
	}
	full, _ := fake.New(fake.Options{History: daily(truth)}).History(context.Background(), []string{"IWM", "SPY"})
	if !reflect.DeepEqual(h2.Daily, full.Daily) || len(h2.Errors) != 0 {
		t.Fatalf("incremental history differs from a full fetch (errors %v)", h2.Errors)
	}
	if got := readCache(t, f2, "SPY"); !reflect.DeepEqual(got, truth["SPY"]) {
		t.Fatal("cache not extended")
	}
	if logs.String() != "" {
		t.Fatalf("unexpected logs: %s", logs)
	}
}

// TestCorrectionWins: a bar the source corrected inside the overlap replaces
// the cached one, in the result and on disk; a bar it no longer has there is
// dropped.
func TestCorrectionWins(t *testing.T) {
	dir := t.TempDir()
	orig := series("IWM", 50, tAfter)
	f, _ := newCache(t, newRecentFake(daily(map[string][]engine.Bar{"IWM": orig}), nil), dir, tAfter)
	if _, err := f.History(context.Background(), []string{"IWM"}); err != nil {
		t.Fatal(err)
	}
	fixed := series("IWM", 50, tAfter)
	fixed[48].Close, fixed[48].Volume = 123.45, 42
	fixed = append(fixed[:46:46], fixed[47:]...) // the source dropped bar 46
	f2, _ := newCache(t, newRecentFake(daily(map[string][]engine.Bar{"IWM": fixed}), nil), dir, tAfter)
	h, err := f2.History(context.Background(), []string{"IWM"})
	if err != nil {
		t.Fatal(err)
	}
	got := h.Daily["IWM"]
	if len(got) != 49 || got[47].Close != 123.45 || got[47].Volume != 42 || !got[47].Time.Equal(orig[48].Time) {
		t.Fatalf("corrected bar: %d bars, %+v", len(got), got[47])
	}
	if !reflect.DeepEqual(got, fixed) {
		t.Fatal("merged history differs from the corrected source")
	}
	if disk := readCache(t, f2, "IWM"); !reflect.DeepEqual(disk, fixed) {
		t.Fatal("correction not written")
	}
}

// TestOlderCacheKept: a source that serves less history than the cache
// holds (a feed without Recent, e.g. Yahoo range=2y) keeps the older bars.
func TestOlderCacheKept(t *testing.T) {
	dir := t.TempDir()
	long := series("SPY", 400, tAfter)
	f, _ := newCache(t, fake.New(fake.Options{History: daily(map[string][]engine.Bar{"SPY": long})}), dir, tAfter)
	if _, err := f.History(context.Background(), []string{"SPY"}); err != nil {
		t.Fatal(err)
	}
	short := fake.New(fake.Options{History: daily(map[string][]engine.Bar{"SPY": series("SPY", 100, tAfter)})})
	f2, _ := newCache(t, short, dir, tAfter)
	h, err := f2.History(context.Background(), []string{"SPY"})
	if err != nil {
		t.Fatal(err)
	}
	if short.HistoryCalls() != 1 || !reflect.DeepEqual(h.Daily["SPY"], long) {
		t.Fatalf("calls %d, %d bars, want the cached 400", short.HistoryCalls(), len(h.Daily["SPY"]))
	}
}

// TestCorruptCacheRefetched: every kind of damaged file is discarded with a
// warning and the full history fetched again (and cached again).
func TestCorruptCacheRefetched(t *testing.T) {
	bars := series("IWM", 40, tAfter)
	good := encode(bars)
	flipped := bytes.Clone(good)
	flipped[headerSize+recordSize*3+33] ^= 0x10
	unsorted := encode(append([]engine.Bar{bars[1], bars[0]}, bars[2:]...))
	newer := bytes.Clone(good)
	newer[4] = 2
	for name, data := range map[string][]byte{
		"empty":      {},
		"truncated":  good[:len(good)/2],
		"tail cut":   good[:len(good)-1],
		"garbage":    []byte("Date,Open,High,Low,Close,Volume\n2026-11-24,1,2,3,4,5\n"),
		"bit flip":   flipped,
		"unsorted":   unsorted,
		"version 2":  newer,
		"huge count": append([]byte("CWHC\x01\x00\x00\x00\xff\xff\xff\x7f\x00\x00\x00\x00"), make([]byte, 64)...),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			inner := newRecentFake(daily(map[string][]engine.Bar{"IWM": bars}), nil)
			f, logs := newCache(t, inner, dir, tAfter)
			p, _ := f.Path("IWM")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			h, err := f.History(context.Background(), []string{"IWM"})
			if err != nil {
				t.Fatal(err)
			}
			if fulls, sinces := inner.calls(); fulls != 1 || len(sinces) != 0 {
				t.Fatalf("%d full fetches, sinces %v", fulls, sinces)
			}
			if !reflect.DeepEqual(h.Daily["IWM"], bars) {
				t.Fatal("history differs from the source")
			}
			if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "discarding corrupt file") || !strings.Contains(l, "IWM.bars") {
				t.Fatalf("log: %q", l)
			}
			if !reflect.DeepEqual(readCache(t, f, "IWM"), bars) {
				t.Fatal("cache not rewritten")
			}
		})
	}
}

// TestCorruptCacheRemoved: a corrupt file is removed even when the refetch
// fails, so it is not read (and warned about) again.
func TestCorruptCacheRemoved(t *testing.T) {
	f, logs := newCache(t, newRecentFake(feeds.History{}, errors.New("offline")), t.TempDir(), tAfter)
	p, _ := f.Path("IWM")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("CWHC garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.History(context.Background(), []string{"IWM"}); err == nil || !strings.Contains(err.Error(), "offline") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("corrupt file still there: %v", err)
	}
	if !strings.Contains(logs.String(), "discarding corrupt file") {
		t.Fatalf("log: %q", logs)
	}
}

// TestUnreadableCache: a cache path that cannot be read (a directory here)
// is logged and the history fetched; nothing crashes.
func TestUnreadableCache(t *testing.T) {
	dir := t.TempDir()
	inner := newRecentFake(daily(map[string][]engine.Bar{"IWM": series("IWM", 10, tAfter)}), nil)
	f, logs := newCache(t, inner, dir, tAfter)
	p, _ := f.Path("IWM")
	if err := os.MkdirAll(filepath.Join(p, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	h, err := f.History(context.Background(), []string{"IWM"})
	if err != nil || len(h.Daily["IWM"]) != 10 {
		t.Fatalf("err %v, %d bars", err, len(h.Daily["IWM"]))
	}
	if l := logs.String(); !strings.Contains(l, "unreadable file ignored") || !strings.Contains(l, "write failed") {
		t.Fatalf("log: %q", l)
	}
}

// TestFailedWriteLeavesOldFile: a write that fails before the rename leaves
// the previous cache file untouched and no temporary file behind; the
// fetched history is still returned.
func TestFailedWriteLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	f, _ := newCache(t, newRecentFake(daily(map[string][]engine.Bar{"IWM": series("IWM", 30, tAfter)}), nil), dir, tAfter)
	if _, err := f.History(context.Background(), []string{"IWM"}); err != nil {
		t.Fatal(err)
	}
	p, _ := f.Path("IWM")
	before, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	wed := nyAt(2026, 11, 25, 18, 0)
	longer := series("IWM", 31, wed)
	f2, logs := newCache(t, newRecentFake(daily(map[string][]engine.Bar{"IWM": longer}), nil), dir, wed)
	f2.sync = func(*os.File) error { return errors.New("disk full") }
	h, err := f2.History(context.Background(), []string{"IWM"})
	if err != nil || !reflect.DeepEqual(h.Daily["IWM"], longer) {
		t.Fatalf("err %v; history not returned after a failed write", err)
	}
	after, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("cache file changed by a failed write (err %v)", err)
	}
	entries, err := os.ReadDir(filepath.Dir(p))
	entries = slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return e.Name() == fetchLogName })
	if err != nil || len(entries) != 1 || entries[0].Name() != "IWM.bars" {
		t.Fatalf("directory holds %v (err %v)", entries, err)
	}
	if l := logs.String(); !strings.Contains(l, "level=WARN") || !strings.Contains(l, "disk full") {
		t.Fatalf("log: %q", l)
	}
}

// TestStaleTempsRemoved: temporary files left by a writer that died are
// removed on the next write once they are more than an hour old.
func TestStaleTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	f, _ := newCache(t, newRecentFake(daily(map[string][]engine.Bar{"IWM": series("IWM", 5, tAfter)}), nil), dir, tAfter)
	p, _ := f.Path("IWM")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	d := filepath.Dir(p)
	old, fresh, other := filepath.Join(d, ".IWM.bars.tmp-1"), filepath.Join(d, ".IWM.bars.tmp-2"), filepath.Join(d, ".SPY.bars.tmp-3")
	for name, mtime := range map[string]time.Time{old: tAfter.Add(-2 * time.Hour), fresh: tAfter.Add(-time.Minute), other: tAfter.Add(-48 * time.Hour)} {
		if err := os.WriteFile(name, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(name, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.History(context.Background(), []string{"IWM"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{old: false, fresh: true, other: true, p: true} {
		if _, err := os.Stat(name); (err == nil) != want {
			t.Errorf("%s: exists=%v, want %v", filepath.Base(name), err == nil, want)
		}
	}
}

// TestStaleFallback: a fetch failure returns the cached bars with a
// SymbolError; a symbol without a cache reports the feed's failure; nothing
// at all is a total failure.
func TestStaleFallback(t *testing.T) {
	dir := t.TempDir()
	f, _ := newCache(t, newRecentFake(daily(map[string][]engine.Bar{"IWM": series("IWM", 20, tAfter)}), nil), dir, tAfter)
	if _, err := f.History(context.Background(), []string{"IWM"}); err != nil {
		t.Fatal(err)
	}
	down := errors.New("Yahoo is down\x1b[2J")
	f2, _ := newCache(t, newRecentFake(feeds.History{}, down), dir, tAfter)
	h, err := f2.History(context.Background(), []string{"IWM", "SPY"})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h.Daily["IWM"], series("IWM", 20, tAfter)) {
		t.Fatal("cached bars not returned")
	}
	if _, ok := h.Daily["SPY"]; ok || len(h.Errors) != 2 {
		t.Fatalf("errors %+v", h.Errors)
	}
	for _, e := range h.Errors {
		if strings.ContainsRune(e.Message, 0x1b) || !strings.Contains(e.Message, "fake: history: Yahoo is down") {
			t.Errorf("unsanitised or unclear: %+v", e)
		}
	}
	if e := h.Errors[0]; e.Symbol != "IWM" || !strings.HasPrefix(e.Message, "history may be stale (cached up to 2026-11-24): ") {
		t.Errorf("stale message %+v", e)
	}
	if _, err := f2.History(context.Background(), []string{"SPY"}); err == nil || !strings.Contains(err.Error(), "Yahoo is down") {
		t.Fatalf("total failure: err = %v", err)
	}
	// The source answers but has nothing since the cache's overlap start.
	f4, _ := newCache(t, newRecentFake(daily(map[string][]engine.Bar{"IWM": series("IWM", 20, nyAt(2026, 10, 1, 18, 0))}), nil), dir, tAfter)
	h, err = f4.History(context.Background(), []string{"IWM"})
	if err != nil || len(h.Daily["IWM"]) != 20 || len(h.Errors) != 1 ||
		h.Errors[0].Message != "history may be stale (cached up to 2026-11-24): no recent bars" {
		t.Fatalf("err %v, errors %+v", err, h.Errors)
	}
	// A per-symbol error of the source (not a total failure) is kept as is.
	f3, _ := newCache(t, newRecentFake(daily(map[string][]engine.Bar{"SPY": series("SPY", 5, tAfter)}), nil), dir, tAfter)
	h, err = f3.History(context.Background(), []string{"IWM", "SPY", "QQQ"})
	if err != nil || len(h.Daily["SPY"]) != 5 || len(h.Daily["IWM"]) != 20 || len(h.Errors) != 2 ||
		!strings.Contains(h.Errors[0].Message, "stale") || h.Errors[1].Message != "fake: no history for QQQ" {
		t.Fatalf("err %v, errors %+v", err, h.Errors)
	}
}

func TestCanceled(t *testing.T) {
	f, _ := newCache(t, newRecentFake(daily(map[string][]engine.Bar{"IWM": series("IWM", 5, tAfter)}), nil), t.TempDir(), tAfter)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.History(ctx, []string{"IWM"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// TestOnlyClosedBarsCached: during the session today's bar (if the source
// sends one) is returned but not written; after the close it is.
func TestOnlyClosedBarsCached(t *testing.T) {
	dir := t.TempDir()
	session := nyAt(2026, 11, 24, 11, 0)
	withToday := series("IWM", 10, session) // ends with Tuesday's forming bar
	if withToday[9].Date() != "2026-11-24" {
		t.Fatalf("series ends %s", withToday[9].Date())
	}
	inner := newRecentFake(daily(map[string][]engine.Bar{"IWM": withToday}), nil)
	f, _ := newCache(t, inner, dir, session)
	h, err := f.History(context.Background(), []string{"IWM"})
	if err != nil || len(h.Daily["IWM"]) != 10 {
		t.Fatalf("err %v, %d bars", err, len(h.Daily["IWM"]))
	}
	if disk := readCache(t, f, "IWM"); !reflect.DeepEqual(disk, withToday[:9]) {
		t.Fatalf("cached %d bars ending %s, want 9 ending 2026-11-23", len(disk), disk[len(disk)-1].Date())
	}
	f2, _ := newCache(t, inner, dir, tAfter)
	if _, err := f2.History(context.Background(), []string{"IWM"}); err != nil {
		t.Fatal(err)
	}
	if disk := readCache(t, f2, "IWM"); !reflect.DeepEqual(disk, withToday) {
		t.Fatalf("after the close: cached %d bars", len(disk))
	}
}

func TestFileNames(t *testing.T) {
	for sym, want := range map[string]string{
		"IWM":       "IWM.bars",
		"BRK-B":     "BRK-B.bars",
		"^RUT":      "_5ERUT.bars",
		"BRK.B":     "BRK_2EB.bars",
		"iwm":       "_69_77_6D.bars",
		"CON":       "_CON.bars",
		"LPT1":      "_LPT1.bars",
		"../../etc": "_2E_2E_2F_2E_2E_2F_65_74_63.bars",
		`..\x`:      "_2E_2E_5C_78.bars",
		"A_2EB":     "A_5F2EB.bars",
	} {
		got, err := fileName(sym)
		if err != nil || got != want {
			t.Errorf("fileName(%q) = %q, %v; want %q", sym, got, err, want)
		}
	}
	for _, bad := range []string{"", strings.Repeat("A", 65)} {
		if _, err := fileName(bad); err == nil {
			t.Errorf("fileName(%q) accepted", bad)
		}
	}
	if dirName("yahoo") != "yahoo" || dirName("../x") != "_2E_2E_2Fx" || dirName("") != "_" || dirName("nul") != "_nul" {
		t.Error("dirName")
	}
}

// TestNoPathTraversal: hostile symbols and feed names stay inside
// Dir/history/<feed>/.
func TestNoPathTraversal(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "cache")
	syms := []string{"../../etc/passwd", "..", "/abs", `..\..\win`, "a/../../b"}
	m := map[string][]engine.Bar{}
	for _, s := range syms {
		m[s] = series(s, 3, tAfter)
	}
	inner := fake.New(fake.Options{Name: "../../evil", History: daily(m)})
	f, _ := newCache(t, inner, dir, tAfter)
	h, err := f.History(context.Background(), syms)
	if err != nil || len(h.Daily) != len(syms) {
		t.Fatalf("err %v, %d symbols", err, len(h.Daily))
	}
	feedDir := filepath.Join(dir, "history", "_2E_2E_2F_2E_2E_2Fevil")
	n := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			if d.Name() != fetchLogName {
				n++
			}
			if filepath.Dir(p) != feedDir {
				t.Errorf("file outside the feed's directory: %s", p)
			}
		}
		return nil
	})
	if err != nil || n != len(syms) {
		t.Fatalf("walk: %v, %d files", err, n)
	}
	for _, s := range syms {
		if !reflect.DeepEqual(readCache(t, f, s), m[s]) {
			t.Errorf("%q: cache differs", s)
		}
	}
}

// TestConcurrent: many symbols and concurrent History calls on one cache
// (run with -race) agree with the source.
func TestConcurrent(t *testing.T) {
	dir := t.TempDir()
	m := map[string][]engine.Bar{}
	var syms []string
	for i := range 20 {
		s := fmt.Sprintf("S%02d", i)
		syms = append(syms, s)
		m[s] = series(s, 200, tAfter)
	}
	inner := newRecentFake(daily(m), nil)
	f, logs := newCache(t, inner, dir, tAfter)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			h, err := f.History(context.Background(), syms)
			if err == nil && !reflect.DeepEqual(h.Daily, m) {
				err = errors.New("history differs from the source")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range syms {
		if !reflect.DeepEqual(readCache(t, f, s), m[s]) {
			t.Fatalf("%s: cache differs", s)
		}
	}
	if logs.String() != "" {
		t.Fatalf("logs: %s", logs)
	}
}

func TestMergeAndNormalise(t *testing.T) {
	b := series("X", 6, tAfter)
	if got := merge(b[:4], b[2:]); !reflect.DeepEqual(got, b) {
		t.Error("overlapping merge")
	}
	if got := merge(b[:2], b[4:]); !reflect.DeepEqual(got, append(b[:2:2], b[4:]...)) {
		t.Error("merge with a gap keeps both sides")
	}
	if got := merge(nil, b); !reflect.DeepEqual(got, b) {
		t.Error("merge into nothing")
	}
	if got := merge(b, nil); !reflect.DeepEqual(got, b) {
		t.Error("merge of nothing")
	}
	dup := b[3]
	dup.Close = 1
	messy := []engine.Bar{b[2], b[0], b[3], b[1], dup}
	if got := feeds.NormaliseBars(messy); !reflect.DeepEqual(got, append(b[:3:3], dup)) {
		t.Errorf("normalise: %+v", got)
	}
}

// TestComplete: Complete returns, without asking the feed, the cached
// histories that already hold the last closed session's bar; during the
// session that is the day before's, after the close today's.
func TestComplete(t *testing.T) {
	dir := t.TempDir()
	friday := nyAt(2026, 11, 20, 18, 0)
	src := newRecentFake(daily(map[string][]engine.Bar{
		"AAA": series("AAA", 300, friday), "BBB": series("BBB", 300, nyAt(2026, 11, 19, 18, 0)),
	}), nil)
	f, _ := newCache(t, src, dir, friday)
	if _, err := f.History(context.Background(), []string{"AAA", "BBB"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now  time.Time
		want []string
	}{
		{friday, []string{"AAA"}},                           // Friday evening: Friday's bar needed
		{nyAt(2026, 11, 20, 12, 0), []string{"AAA", "BBB"}}, // Friday noon: Thursday's
		{nyAt(2026, 11, 22, 12, 0), []string{"AAA"}},        // Sunday: Friday's
		{nyAt(2026, 11, 23, 17, 0), nil},                    // Monday after the close: Monday's
	} {
		g, _ := newCache(t, src, dir, tc.now)
		fulls, sinces := src.calls()
		got := g.Complete([]string{"AAA", "BBB", "CCC"})
		var keys []string
		for _, s := range []string{"AAA", "BBB", "CCC"} {
			if len(got[s]) > 0 {
				keys = append(keys, s)
			}
		}
		if !reflect.DeepEqual(keys, tc.want) {
			t.Errorf("at %v: complete %v, want %v", tc.now, keys, tc.want)
		}
		if f2, s2 := src.calls(); f2 != fulls || len(s2) != len(sinces) {
			t.Error("Complete asked the feed")
		}
		if len(got["AAA"]) > 0 && !reflect.DeepEqual(got["AAA"], series("AAA", 300, friday)) {
			t.Error("AAA's cached bars differ")
		}
	}
}
