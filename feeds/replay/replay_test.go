package replay

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

var dataDir = filepath.Join("testdata", "replay")

func nyTime(t *testing.T, date string, hh, mm int) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, date, calendar.Location())
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

func newFeed(t *testing.T, o Options) *Feed {
	t.Helper()
	if o.Dir == "" && o.FS == nil {
		o.Dir = dataDir
	}
	f, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// fileRow returns the cells of the row for date in a testdata file, read
// independently of csvbars (the oracle), keyed by lower-case header.
func fileRow(t *testing.T, name, date string) map[string]float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, name))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.ReplaceAll(string(b), "\r", ""), "\n")
	hdr := strings.Split(strings.ToLower(lines[0]), ",")
	for _, ln := range lines[1:] {
		if !strings.Contains(ln, date) {
			continue
		}
		out := map[string]float64{}
		for i, c := range strings.Split(ln, ",") {
			v, err := strconv.ParseFloat(c, 64)
			if err == nil {
				out[hdr[i]] = v
			}
		}
		return out
	}
	t.Fatalf("%s has no row %s", name, date)
	return nil
}

func TestNewValidates(t *testing.T) {
	tests := map[string]Options{
		"no dir":         {},
		"missing dir":    {Dir: filepath.Join("testdata", "nope")},
		"file not dir":   {Dir: filepath.Join(dataDir, "SPY.csv")},
		"negative speed": {Dir: dataDir, Speed: -1},
		"from after as-of": {Dir: dataDir, AsOf: time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC),
			ReplayFrom: time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC)},
	}
	for name, o := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := New(o); err == nil {
				t.Error("New accepted invalid options")
			}
		})
	}
}

func TestHistoryAll(t *testing.T) {
	f := newFeed(t, Options{})
	if f.Name() != "replay" || f.Kind() != feeds.KindReplay {
		t.Errorf("Name/Kind = %s/%v", f.Name(), f.Kind())
	}
	syms, err := f.Symbols()
	if err != nil || !slices.Equal(syms, []string{"IWM", "PSCT", "SPY", "XLK"}) {
		t.Fatalf("Symbols = %v, %v", syms, err)
	}
	h, err := f.History(context.Background(), []string{"IWM", "SPY", "XLK", "PSCT", "QQQ"})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{"IWM": genDays, "SPY": genDays, "XLK": genDays - 2, "PSCT": genDays}
	for sym, n := range counts {
		bars := h.Daily[sym]
		if len(bars) != n {
			t.Errorf("%s: %d bars, want %d", sym, len(bars), n)
			continue
		}
		if bars[0].Date() != "2024-08-15" || bars[n-1].Date() != genEnd || bars[0].Symbol != sym {
			t.Errorf("%s: %s..%s symbol %s", sym, bars[0].Date(), bars[n-1].Date(), bars[0].Symbol)
		}
	}
	// A missing file is a per-symbol error naming the file, not a failure.
	want := []engine.SymbolError{{Symbol: "QQQ", Message: "replay: no file " + filepath.Join(dataDir, "QQQ.csv")}}
	if !slices.Equal(h.Errors, want) {
		t.Errorf("Errors = %+v, want %+v", h.Errors, want)
	}
	// Values match the file text (Close, not Adj Close).
	row := fileRow(t, "IWM.csv", "2025-06-02")
	for _, b := range h.Daily["IWM"] {
		if b.Date() == "2025-06-02" {
			if b.Open != row["open"] || b.High != row["high"] || b.Low != row["low"] || b.Close != row["close"] || b.Volume != row["volume"] {
				t.Errorf("IWM 2025-06-02 = %+v, file %v", b, row)
			}
		}
	}
	// psct.csv: the empty volume cell is 0; XLK's shuffled columns are mapped.
	if b := h.Daily["PSCT"][50]; b.Volume != 0 || b.Close <= 0 {
		t.Errorf("PSCT row with empty volume: %+v", b)
	}
	xrow := fileRow(t, "XLK.csv", genEnd)
	if b := h.Daily["XLK"][genDays-3]; b.Close != xrow["close"] || b.Open != xrow["open"] || b.Volume != xrow["volume"] {
		t.Errorf("XLK last = %+v, file %v", b, xrow)
	}
}

func TestHistoryAllFilesWhenNoSymbols(t *testing.T) {
	h, err := newFeed(t, Options{}).History(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Daily) != 4 || len(h.Errors) != 0 {
		t.Errorf("got %d symbols, errors %v", len(h.Daily), h.Errors)
	}
}

func TestStatsCountSkippedRows(t *testing.T) {
	st, err := newFeed(t, Options{}).Stats(context.Background(), []string{"XLK", "SPY"})
	if err != nil {
		t.Fatal(err)
	}
	// XLK.csv has null rows for generator days 100 and 250: file lines 102 and 252.
	if x := st["XLK"]; x.Rows != genDays || x.Skipped != 2 || !slices.Equal(x.SkippedLines, []int{102, 252}) {
		t.Errorf("XLK stats %+v", x)
	}
	if s := st["SPY"]; s.Rows != genDays || s.Skipped != 0 {
		t.Errorf("SPY stats %+v", s)
	}
}

func TestAsOfCut(t *testing.T) {
	tests := []struct {
		asOf time.Time
		last string
	}{
		{nyTime(t, "2025-06-02", 0, 0), "2025-06-02"},
		{nyTime(t, "2025-06-01", 12, 0), "2025-05-30"},              // a Sunday: Friday's row
		{time.Date(2025, 6, 3, 2, 0, 0, 0, time.UTC), "2025-06-02"}, // 22:00 June 2 in New York
	}
	for _, tc := range tests {
		h, err := newFeed(t, Options{AsOf: tc.asOf}).History(context.Background(), []string{"SPY"})
		if err != nil {
			t.Fatal(err)
		}
		bars := h.Daily["SPY"]
		if got := bars[len(bars)-1].Date(); got != tc.last {
			t.Errorf("AsOf %v: last row %s, want %s", tc.asOf, got, tc.last)
		}
	}
	// Before the first row: a per-symbol error.
	h, err := newFeed(t, Options{AsOf: nyTime(t, "2020-01-02", 0, 0)}).History(context.Background(), []string{"SPY"})
	if err != nil || len(h.Daily) != 0 || len(h.Errors) != 1 || !strings.Contains(h.Errors[0].Message, "no usable rows") {
		t.Errorf("History = %+v, %v", h, err)
	}
}

func TestMalformedAndUnreadableFiles(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(dataDir, "SPY.csv"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(good), "2024-08-21,", "2024-08-32,", 1) // data row 5 → line 6
	fsys := fstest.MapFS{
		"SPY.csv":     {Data: []byte(bad)},
		"IWM.csv/x":   {Data: []byte("a directory, not a file")},
		"XLK.csv":     {Data: []byte("Date,Open,High,Low\n")},
		"PSCT.csv":    {Data: good},
		"README.md":   {Data: []byte("ignored")},
		"not ok!.csv": {Data: good},
	}
	f := newFeed(t, Options{Dir: "data", FS: fsys})
	syms, err := f.Symbols()
	if err != nil || !slices.Equal(syms, []string{"PSCT", "SPY", "XLK"}) { // IWM.csv is a directory
		t.Errorf("Symbols = %v, %v", syms, err)
	}
	tests := []struct{ sym, want string }{
		{"SPY", `replay: ` + filepath.Join("data", "SPY.csv") + `:6: bad date "2024-08-32"`},
		{"XLK", `replay: ` + filepath.Join("data", "XLK.csv") + `:1: missing column "close" in header "Date,Open,High,Low"`},
		{"IWM", `replay: ` + filepath.Join("data", "IWM.csv") + `: read: `},
	}
	for _, tc := range tests {
		_, err := f.History(context.Background(), []string{"PSCT", tc.sym})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want prefix %q", tc.sym, err, tc.want)
		}
	}
}

// stream runs Stream on a fake clock and returns a receive function.
type streamRun struct {
	t    *testing.T
	fc   *clock.Fake
	out  chan feeds.Batch
	ctx  context.Context
	done chan error
	stop context.CancelFunc
}

func startStream(t *testing.T, o Options, syms []string) *streamRun {
	t.Helper()
	fc := clock.NewFake(time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC))
	o.Clock = fc
	f := newFeed(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	sctx, stop := context.WithCancel(ctx)
	r := &streamRun{t: t, fc: fc, out: make(chan feeds.Batch), ctx: ctx, done: make(chan error, 1), stop: stop}
	go func() { r.done <- f.Stream(sctx, syms, r.out) }()
	return r
}

func (r *streamRun) recv() feeds.Batch {
	r.t.Helper()
	select {
	case b := <-r.out:
		return b
	case <-r.ctx.Done():
		r.t.Fatal("timed out waiting for a batch")
	}
	return feeds.Batch{}
}

// idle checks that the stream sends nothing now (it can only send after the
// clock fires, and the test holds the clock).
func (r *streamRun) idle() {
	r.t.Helper()
	select {
	case b := <-r.out:
		r.t.Fatalf("unexpected batch %d", b.Seq)
	default:
	}
}

func (r *streamRun) finish() {
	r.t.Helper()
	r.stop()
	if err := <-r.done; !errors.Is(err, context.Canceled) {
		r.t.Errorf("Stream returned %v, want context.Canceled", err)
	}
}

func TestStreamReplaysDays(t *testing.T) {
	// Replay 2024-11-27 .. 2024-12-02: Wed, (Thanksgiving), Fri early close, Mon.
	r := startStream(t, Options{Speed: 2, ReplayFrom: nyTime(t, "2024-11-27", 0, 0), AsOf: nyTime(t, "2024-12-02", 0, 0)},
		[]string{"SPY", "IWM", "QQQ"})
	days := []struct {
		date  string
		close time.Time
	}{
		{"2024-11-27", nyTime(t, "2024-11-27", 16, 0)},
		{"2024-11-29", nyTime(t, "2024-11-29", 13, 0)},
		{"2024-12-02", nyTime(t, "2024-12-02", 16, 0)},
	}
	for i, d := range days {
		b := r.recv()
		if b.Seq != uint64(i+1) || b.Status.Feed != "replay" || b.Status.State != feeds.StateOK || b.Status.Interval != 500*time.Millisecond {
			t.Errorf("day %s: seq %d status %+v", d.date, b.Seq, b.Status)
		}
		if i == 0 && (len(b.Errors) != 1 || b.Errors[0].Symbol != "QQQ") {
			t.Errorf("first batch errors %+v, want the missing QQQ", b.Errors)
		}
		if len(b.Quotes) != 8 {
			t.Fatalf("day %s: %d quotes, want 4 per symbol", d.date, len(b.Quotes))
		}
		for _, sym := range []string{"SPY", "IWM"} {
			var qs []engine.Quote
			for _, q := range b.Quotes {
				if q.Symbol == sym {
					qs = append(qs, q)
				}
			}
			row := fileRow(t, sym+".csv", d.date)
			open, last := qs[0], qs[len(qs)-1]
			if open.Price != row["open"] || !open.Time.Equal(nyTime(t, d.date, 9, 30)) {
				t.Errorf("%s %s open quote %+v, row %v", sym, d.date, open, row)
			}
			if last.Price != row["close"] || last.DayVolume != row["volume"] || !last.Time.Equal(d.close) || !last.Received.Equal(d.close) || last.Delayed {
				t.Errorf("%s %s close quote %+v, want close %v volume %v at %v", sym, d.date, last, row["close"], row["volume"], d.close)
			}
			hi, lo := slices.MaxFunc(qs, func(a, b engine.Quote) int { return compare(a.Price, b.Price) }),
				slices.MinFunc(qs, func(a, b engine.Quote) int { return compare(a.Price, b.Price) })
			if hi.Price != row["high"] || lo.Price != row["low"] {
				t.Errorf("%s %s high/low %v/%v, row %v", sym, d.date, hi.Price, lo.Price, row)
			}
			for j := 1; j < len(qs); j++ {
				if !qs[j].Time.After(qs[j-1].Time) || qs[j].DayVolume < qs[j-1].DayVolume {
					t.Errorf("%s %s quotes out of order: %+v", sym, d.date, qs)
				}
			}
		}
		// Pacing: 1/Speed = 500 ms per day on the injected clock.
		if i < len(days)-1 {
			if !r.fc.WaitForWaiters(1, r.ctx.Done()) {
				t.Fatal("stream never waited")
			}
			r.fc.Advance(499 * time.Millisecond)
			r.idle()
			r.fc.Advance(time.Millisecond)
		}
	}
	// After the last day it sends nothing more and sets no timer.
	r.fc.Advance(time.Hour)
	r.idle()
	if r.fc.Waiters() != 0 {
		t.Errorf("%d timers pending after the last day", r.fc.Waiters())
	}
	r.finish()
}

func compare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestHistoryStopsBeforeReplayFrom(t *testing.T) {
	h, err := newFeed(t, Options{ReplayFrom: nyTime(t, "2024-11-29", 0, 0)}).History(context.Background(), []string{"IWM"})
	if err != nil {
		t.Fatal(err)
	}
	bars := h.Daily["IWM"]
	if got := bars[len(bars)-1].Date(); got != "2024-11-27" {
		t.Errorf("history ends %s, want 2024-11-27", got)
	}
}

func TestStreamWithoutReplayFromOnlyReportsStatus(t *testing.T) {
	r := startStream(t, Options{}, []string{"SPY", "QQQ"})
	b := r.recv()
	if len(b.Quotes) != 0 || b.Status.State != feeds.StateOK || b.Status.Feed != "replay" {
		t.Errorf("batch %+v", b)
	}
	r.fc.Advance(time.Hour)
	r.idle()
	r.finish()
}

func TestStreamMalformedFileReportsDown(t *testing.T) {
	fsys := fstest.MapFS{"SPY.csv": {Data: []byte("Date,Open,High,Low,Close\n2024-13-01,1,1,1,1\n")}}
	fc := clock.NewFake(time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC))
	f := newFeed(t, Options{Dir: "d", FS: fsys, Clock: fc, ReplayFrom: nyTime(t, "2024-01-02", 0, 0)})
	out := make(chan feeds.Batch, 1)
	err := f.Stream(context.Background(), []string{"SPY"}, out)
	want := `replay: ` + filepath.Join("d", "SPY.csv") + `:2: bad date "2024-13-01"`
	if err == nil || err.Error() != want {
		t.Errorf("Stream = %v, want %s", err, want)
	}
	b := <-out
	if b.Status.State != feeds.StateDown || b.Status.LastError != want {
		t.Errorf("status %+v", b.Status)
	}
}
