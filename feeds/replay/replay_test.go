package replay

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"math/rand/v2"
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
	var lines []int
	for _, k := range st["XLK"].Skips {
		lines = append(lines, k.Line)
	}
	if x := st["XLK"]; x.Rows != genDays || x.Skipped != 2 || !slices.Equal(lines, []int{102, 252}) {
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
	// Before the first row: the data starts later (History.Starts, with
	// its first date, as for a replay from before it), no error. Changed
	// deliberately: it was an error, so a breadth member starting after
	// --as-of counted as failed.
	h, err := newFeed(t, Options{AsOf: nyTime(t, "2020-01-02", 0, 0)}).History(context.Background(), []string{"SPY"})
	if err != nil || len(h.Daily) != 0 || len(h.Errors) != 0 || len(h.Starts) != 1 || h.Starts["SPY"].Format(time.DateOnly) != "2024-08-15" {
		t.Errorf("History = %+v, %v", h, err)
	}
}

// A file that cannot be used is its symbol's error, naming the file and
// line; the other files load (issue 14 item 6: one bad file used to fail
// the whole history). One malformed row among good ones is skipped and
// counted with its line and reason, like a missing price (QA-2 M2: it
// rejected the whole file, and with a pair leg the whole ratio); a file
// whose rows all fail to parse is still an error.
func TestMalformedAndUnreadableFiles(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(dataDir, "SPY.csv"))
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(good), "2024-08-21,", "2024-08-32,", 1) // data row 5 → line 6
	lines := strings.SplitAfter(string(good), "\n")
	lines[44] = "2024-03-05,1,2,x,3,100\n" // line 45
	cell45 := strings.Join(lines, "")
	fsys := fstest.MapFS{
		"SPY.csv":     {Data: []byte(bad)},
		"IWM.csv/x":   {Data: []byte("a directory, not a file")},
		"XLK.csv":     {Data: []byte("Date,Open,High,Low\n")},
		"PSCT.csv":    {Data: good},
		"XLV.csv":     {Data: randomBytes(1, 4096)},
		"XLF.csv":     {Data: []byte{}},
		"XLE.csv":     {Data: []byte(strings.Join(lines[1:], ""))}, // no header
		"XLI.csv":     {Data: []byte(cell45)},
		"XLY.csv":     {Data: []byte("Date,Open,High,Low,Close,Adj Close,Volume\n2025-01-02,abc,1,1,1,1,100\n2025-01-03,1,1,1,1,100\n")},
		"README.md":   {Data: []byte("ignored")},
		"not ok!.csv": {Data: good},
	}
	f := newFeed(t, Options{Dir: "data", FS: fsys})
	syms, err := f.Symbols()
	if err != nil || !slices.Equal(syms, []string{"PSCT", "SPY", "XLE", "XLF", "XLI", "XLK", "XLV", "XLY"}) { // IWM.csv is a directory
		t.Errorf("Symbols = %v, %v", syms, err)
	}
	path := func(n string) string { return filepath.Join("data", n) }
	want := map[string]string{
		"XLK": `replay: ` + path("XLK.csv") + `:1: missing column "close" in header "Date,Open,High,Low"`,
		"IWM": `replay: ` + path("IWM.csv") + `: read: `,
		"XLV": `replay: ` + path("XLV.csv") + `: not a CSV file (binary data)`,
		"XLF": `replay: ` + path("XLF.csv") + `: empty file (no header)`,
		"XLE": `replay: ` + path("XLE.csv") + `:1: no header: the first line is data (want a header such as Date,Open,High,Low,Close,Volume)`,
		"XLY": `replay: ` + path("XLY.csv") + `:2: bad open "abc"`,
		"QQQ": `replay: no file ` + path("QQQ.csv"),
	}
	h, err := f.History(context.Background(), []string{"PSCT", "SPY", "XLK", "IWM", "XLV", "XLF", "XLE", "XLI", "XLY", "QQQ"})
	if err != nil {
		t.Fatalf("History failed as a whole: %v", err)
	}
	if len(h.Daily) != 3 || len(h.Daily["PSCT"]) != genDays || len(h.Daily["SPY"]) != genDays-1 || len(h.Daily["XLI"]) != genDays-1 {
		t.Errorf("Daily has %d symbols, PSCT %d bars, SPY %d, XLI %d; want PSCT all %d, SPY and XLI one fewer",
			len(h.Daily), len(h.Daily["PSCT"]), len(h.Daily["SPY"]), len(h.Daily["XLI"]), genDays)
	}
	for sym, w := range map[string]engine.SkippedRows{
		"SPY": {Count: 1, FirstLine: 6, Source: path("SPY.csv"), Reason: `bad date "2024-08-32"`},
		"XLI": {Count: 1, FirstLine: 45, Source: path("XLI.csv"), Reason: `bad low "x"`},
	} {
		if got := h.Skipped[sym]; got != w {
			t.Errorf("%s skipped %+v, want %+v", sym, got, w)
		}
	}
	got := map[string]string{}
	for _, e := range h.Errors {
		got[e.Symbol] = e.Message
	}
	for sym, w := range want {
		if !strings.HasPrefix(got[sym], w) {
			t.Errorf("%s: error %q, want prefix %q", sym, got[sym], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("errors %v", got)
	}
}

// randomBytes returns n seeded pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// Skipped rows are counted per symbol, with the first one's line and
// reason, up to AsOf (issue 14 item 7).
func TestHistoryCountsSkippedRows(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(dataDir, "IWM.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(good), "\n")
	var dates []string
	for _, i := range []int{100, 101, 150, 300} { // 0-based: file lines 101, 102, 151, 301
		f := strings.Split(lines[i], ",")
		dates = append(dates, f[0])
		f[4] = "null" // Close
		lines[i] = strings.Join(f, ",")
	}
	fsys := fstest.MapFS{"IWM.csv": {Data: []byte(strings.Join(lines, ""))}, "SPY.csv": {Data: good}}
	h, err := newFeed(t, Options{Dir: "d", FS: fsys}).History(context.Background(), []string{"IWM", "SPY"})
	if err != nil {
		t.Fatal(err)
	}
	want := engine.SkippedRows{Count: 4, FirstLine: 101, Source: filepath.Join("d", "IWM.csv"), Reason: "missing close"}
	if got := h.Skipped["IWM"]; got != want || len(h.Skipped) != 1 {
		t.Errorf("Skipped = %+v, want IWM %+v only", h.Skipped, want)
	}
	if n := len(h.Daily["IWM"]); n != genDays-4 {
		t.Errorf("IWM has %d bars, want %d", n, genDays-4)
	}
	// As of the day before the last skipped row: three of them.
	asOf, _ := time.ParseInLocation(time.DateOnly, dates[3], calendar.Location())
	h, err = newFeed(t, Options{Dir: "d", FS: fsys, AsOf: asOf.AddDate(0, 0, -1)}).History(context.Background(), []string{"IWM"})
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Skipped["IWM"]; got.Count != 3 || got.FirstLine != 101 {
		t.Errorf("as of %s: Skipped %+v, want 3 from line 101", asOf.AddDate(0, 0, -1).Format(time.DateOnly), got)
	}
	// A file with nothing but skipped rows is an error that says so.
	only := "Date,Open,High,Low,Close\n2024-01-02,1,1,1,null\n2024-01-03,1,1,0,1\n"
	h, err = newFeed(t, Options{Dir: "d", FS: fstest.MapFS{"IWM.csv": {Data: []byte(only)}}}).History(context.Background(), []string{"IWM"})
	wantMsg := "replay: " + filepath.Join("d", "IWM.csv") + " has no usable rows (2 rows skipped, line 2: missing close)"
	if err != nil || len(h.Errors) != 1 || h.Errors[0].Message != wantMsg {
		t.Errorf("History = %+v, %v; want %q", h, err, wantMsg)
	}
}

// A symbol whose data starts during the replay is no error: History names
// its first date in Starts (issue 14 item 12).
func TestHistoryStartsDuringReplay(t *testing.T) {
	h, err := newFeed(t, Options{ReplayFrom: nyTime(t, "2024-08-01", 0, 0)}).History(context.Background(), []string{"IWM", "SPY", "QQQ"})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Daily) != 0 {
		t.Errorf("Daily %v, want none (the files start 2024-08-15)", slices.Collect(maps.Keys(h.Daily)))
	}
	for _, sym := range []string{"IWM", "SPY"} {
		if d := h.Starts[sym]; d.Format(time.DateOnly) != "2024-08-15" {
			t.Errorf("Starts[%s] = %v, want 2024-08-15", sym, d)
		}
	}
	if len(h.Errors) != 1 || h.Errors[0].Symbol != "QQQ" {
		t.Errorf("Errors = %+v, want only the missing QQQ", h.Errors)
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

// A malformed file is that symbol's error in the stream's first batch; the
// stream runs. Only a directory that cannot be read stops it.
func TestStreamMalformedFileIsItsSymbolsError(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(dataDir, "SPY.csv"))
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"SPY.csv": {Data: []byte("Date,Open,High,Low,Close\n2024-13-01,1,1,1,1\n")},
		"IWM.csv": {Data: good},
	}
	r := startStream(t, Options{Dir: "d", FS: fsys, ReplayFrom: nyTime(t, "2025-11-20", 0, 0)}, []string{"SPY", "IWM"})
	b := r.recv()
	want := `replay: ` + filepath.Join("d", "SPY.csv") + `:2: bad date "2024-13-01"`
	if b.Status.State != feeds.StateOK || len(b.Errors) != 1 || b.Errors[0].Message != want || len(b.Quotes) != 4 {
		t.Errorf("first batch: status %+v errors %+v, %d quotes", b.Status, b.Errors, len(b.Quotes))
	}
	r.finish()

	fc := clock.NewFake(time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC))
	f := newFeed(t, Options{Dir: "d", FS: brokenDir{}, Clock: fc, ReplayFrom: nyTime(t, "2024-01-02", 0, 0)})
	out := make(chan feeds.Batch, 1)
	err = f.Stream(context.Background(), nil, out)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Stream = %v, want the listing error", err)
	}
	if b := <-out; b.Status.State != feeds.StateDown || b.Status.LastError != err.Error() {
		t.Errorf("status %+v", b.Status)
	}
}

// brokenDir is a directory that cannot be listed.
type brokenDir struct{}

func (brokenDir) Open(string) (fs.File, error) { return nil, errors.New("disk on fire") }

// The last replayed day says the replay ended; nothing follows (issue 14
// item 12). A ReplayFrom or AsOf outside the data is said in every status
// (item 16).
func TestStreamSaysWhenReplayEndsAndWhenOutsideTheData(t *testing.T) {
	r := startStream(t, Options{Speed: 1000, ReplayFrom: nyTime(t, "2025-11-19", 0, 0)}, []string{"SPY", "IWM"})
	for i, date := range []string{"2025-11-19", "2025-11-20", "2025-11-21"} {
		b := r.recv()
		want := ""
		if date == "2025-11-21" {
			want = "replay ended 2025-11-21"
		}
		if b.Status.Note != want || b.Status.State != feeds.StateOK || len(b.Quotes) != 8 || b.Quotes[0].Time.Format(time.DateOnly) != date {
			t.Errorf("day %d: note %q (want %q), %d quotes", i, b.Status.Note, want, len(b.Quotes))
		}
		if i < 2 {
			if !r.fc.WaitForWaiters(1, r.ctx.Done()) {
				t.Fatal("stream never waited")
			}
			r.fc.Advance(time.Millisecond)
		}
	}
	r.fc.Advance(time.Hour)
	r.idle()
	r.finish()

	span := "the data runs 2024-08-15 to 2025-11-21"
	tests := []struct {
		o    Options
		note string
	}{
		{Options{ReplayFrom: nyTime(t, "2026-01-02", 0, 0)}, "nothing to replay from 2026-01-02: " + span},
		{Options{AsOf: nyTime(t, "2026-02-02", 0, 0)}, "as-of 2026-02-02 is after the data's last date: " + span},
		{Options{ReplayFrom: nyTime(t, "2026-01-02", 0, 0), AsOf: nyTime(t, "2026-02-02", 0, 0)},
			"nothing to replay from 2026-01-02: " + span + " · as-of 2026-02-02 is after the data's last date: " + span},
	}
	for _, tc := range tests {
		r := startStream(t, tc.o, []string{"SPY"})
		b := r.recv()
		if b.Status.Note != tc.note || len(b.Quotes) != 0 {
			t.Errorf("%+v: note %q, want %q", tc.o, b.Status.Note, tc.note)
		}
		// Nothing to play is a replay at its end (QA-4 N11): no countdown.
		if !b.Status.Ended {
			t.Errorf("%+v: nothing to replay, Status.Ended not set", tc.o)
		}
		r.finish()
	}
	// Replaying from before the data: it starts at the first date, says so,
	// and still says when it ended.
	r = startStream(t, Options{Speed: 1e6, ReplayFrom: nyTime(t, "2024-01-02", 0, 0)}, []string{"SPY"})
	first := r.recv()
	if want := "replay from 2024-01-02 starts at 2024-08-15: " + span; first.Status.Note != want {
		t.Errorf("note %q, want %q", first.Status.Note, want)
	}
	var last feeds.Batch
	for range genDays - 1 {
		if !r.fc.WaitForWaiters(1, r.ctx.Done()) {
			t.Fatal("stream never waited")
		}
		r.fc.Advance(time.Microsecond)
		last = r.recv()
	}
	if want := "replay ended 2025-11-21 · replay from 2024-01-02 starts at 2024-08-15: " + span; last.Status.Note != want {
		t.Errorf("last note %q, want %q", last.Status.Note, want)
	}
	r.finish()
}

// strayDir is a copy of testdata/replay whose psct.csv (not a pair leg) has
// line 17 (2024-09-06) rewritten by edit.
func strayDir(t *testing.T, edit func(cells []string)) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, n := range []string{"IWM.csv", "SPY.csv", "XLK.csv", "psct.csv"} {
		b, err := os.ReadFile(filepath.Join(dataDir, n))
		if err != nil {
			t.Fatal(err)
		}
		if n == "psct.csv" {
			lines := strings.SplitAfter(string(b), "\n")
			cells := strings.Split(lines[16], ",")
			if cells[0] != "2024-09-06" {
				t.Fatalf("psct.csv line 17 is %q", lines[16])
			}
			edit(cells)
			lines[16] = strings.Join(cells, ",")
			b = []byte(strings.Join(lines, ""))
		}
		fsys[n] = &fstest.MapFile{Data: b}
	}
	return fsys
}

// TestStrayRowInANonPairFile (QA-3 F8): one mistyped date in a sector file
// (in the future of the wall clock, or in its past but out of the file's
// order beyond its end) or an absurd close is a skipped row of that file,
// counted and named with its line and reason; the data's span, the newest
// bar (the pipeline's replay clock) and PSCT's last close are those of the
// directory without that row, also with --as-of in the past and in a
// replay's schedule. On the old code the 2031 row became PSCT's last bar and
// the span's end.
func TestStrayRowInANonPairFile(t *testing.T) {
	wall := clock.NewFake(time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC))
	syms := []string{"IWM", "SPY", "XLK", "PSCT"}
	ctx := context.Background()
	// The oracle: the same directory with line 17 removed.
	without := strayDir(t, func(c []string) {})
	{
		b := without["psct.csv"].Data
		lines := strings.SplitAfter(string(b), "\n")
		without["psct.csv"] = &fstest.MapFile{Data: []byte(strings.Join(append(lines[:16:16], lines[17:]...), ""))}
	}
	base := newFeed(t, Options{Dir: "d", FS: without, Wall: wall})
	wantFirst, wantLast, err := base.Span(ctx, syms)
	if err != nil || wantLast.Format(time.DateOnly) != genEnd {
		t.Fatalf("oracle span %v..%v, %v", wantFirst, wantLast, err)
	}
	wantH, err := base.History(ctx, syms)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join("d", "psct.csv")
	for _, tc := range []struct {
		name   string
		edit   func([]string)
		reason string
	}{
		{"date after today", func(c []string) { c[0] = "2031-01-01" }, "date 2031-01-01 after today"},
		{"stray date before today", func(c []string) { c[0] = "2026-03-02" }, "date 2026-03-02 out of order (the file runs 2024-08-15 to " + genEnd + ")"},
		{"absurd close", func(c []string) { c[4] = "1e308" }, `close "1e308" above 1e12`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := strayDir(t, tc.edit)
			f := newFeed(t, Options{Dir: "d", FS: fsys, Wall: wall})
			first, last, err := f.Span(ctx, syms)
			if err != nil || !first.Equal(wantFirst) || !last.Equal(wantLast) {
				t.Errorf("span %v..%v (%v), want %v..%v", first, last, err, wantFirst, wantLast)
			}
			if first, last, _ := f.Span(ctx, nil); !first.Equal(wantFirst) || !last.Equal(wantLast) {
				t.Errorf("span of all files %v..%v, want %v..%v", first, last, wantFirst, wantLast)
			}
			h, err := f.History(ctx, syms)
			if err != nil {
				t.Fatal(err)
			}
			for _, sym := range syms {
				if !slices.Equal(h.Daily[sym], wantH.Daily[sym]) {
					t.Errorf("%s: %d bars, want the %d without the row", sym, len(h.Daily[sym]), len(wantH.Daily[sym]))
				}
			}
			want := engine.SkippedRows{Count: 1, FirstLine: 17, Source: src, Reason: tc.reason}
			if got := h.Skipped["PSCT"]; got != want || len(h.Skipped) != 2 { // and XLK's two null rows
				t.Errorf("Skipped = %+v, want PSCT %+v", h.Skipped, want)
			}
			// --as-of in the past: the same row is still skipped and counted.
			h, err = newFeed(t, Options{Dir: "d", FS: fsys, Wall: wall, AsOf: nyTime(t, "2025-01-02", 0, 0)}).History(ctx, []string{"PSCT"})
			if err != nil || h.Skipped["PSCT"] != want || h.Daily["PSCT"][len(h.Daily["PSCT"])-1].Date() != "2025-01-02" {
				t.Errorf("as of 2025-01-02: %+v, %v", h.Skipped, err)
			}
		})
	}
	// A replay from the last days ends on the pair's last day, not on 2031.
	r := startStream(t, Options{Dir: "d", FS: strayDir(t, func(c []string) { c[0] = "2031-01-01" }), Wall: wall, Speed: 1000,
		ReplayFrom: nyTime(t, "2025-11-20", 0, 0)}, syms)
	if b := r.recv(); b.Status.Note != "" || b.Quotes[0].Time.Format(time.DateOnly) != "2025-11-20" {
		t.Errorf("first day: note %q", b.Status.Note)
	}
	if !r.fc.WaitForWaiters(1, r.ctx.Done()) {
		t.Fatal("stream never waited")
	}
	r.fc.Advance(time.Millisecond)
	if b := r.recv(); b.Status.Note != "replay ended "+genEnd {
		t.Errorf("second day: note %q, want the replay ended %s", b.Status.Note, genEnd)
	}
	r.finish()
}
