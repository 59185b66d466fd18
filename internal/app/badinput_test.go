package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/feeds/replay"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// lockedBuffer is a bytes.Buffer for a logger written from goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// csvOf writes bars as a Stooq CSV, with the rows listed in nullClose
// (0-based) given a null close.
func csvOf(bars []engine.Bar, nullClose ...int) string {
	var b strings.Builder
	b.WriteString("Date,Open,High,Low,Close,Volume\n")
	for i, x := range bars {
		cl := fmt.Sprint(x.Close)
		for _, k := range nullClose {
			if k == i {
				cl = "null"
			}
		}
		fmt.Fprintf(&b, "%s,%v,%v,%v,%s,%v\n", x.Date(), x.Open, x.High, x.Low, cl, x.Volume)
	}
	return b.String()
}

// TestPipelineReplayBadInput: through the dashboard's pipeline, a replay
// directory with a broken file and skipped rows loads the rest; the
// skipped rows are on the symbol, in the notices and in the log; the
// broken file is its symbol's error (issue 14 items 6 and 7).
func TestPipelineReplayBadInput(t *testing.T) {
	iwm := genBars("IWM", 260, 200, 10, 0.05)
	spy := genBars("SPY", 260, 500, 5, 0.1)
	fsys := fstest.MapFS{
		"IWM.csv":  {Data: []byte(csvOf(iwm, 100, 101, 150, 200))},
		"SPY.csv":  {Data: []byte(csvOf(spy))},
		"PSCT.csv": {Data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")},
	}
	f, err := replay.New(replay.Options{Dir: "d", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	cfg := pairConfig()
	cfg.Extras = []string{"PSCT"}
	eng, err := engine.New(cfg, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	var logBuf lockedBuffer
	snaps := make(chan *engine.Snapshot, 16)
	p := &Pipeline{Feed: f, Engine: eng, Symbols: cfg.Symbols(), Clock: clock.NewFake(time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)),
		Log: slog.New(slog.NewTextHandler(&logBuf, nil)), OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var s *engine.Snapshot
	select {
	case s = <-snaps:
	case <-ctx.Done():
		t.Fatal("no snapshot")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if r, ok := s.Pair.Ratio.Get(); !ok || !near(r, iwm[259].Close/spy[259].Close) {
		t.Errorf("ratio %v, want %v", s.Pair.Ratio, iwm[259].Close/spy[259].Close)
	}
	y, _ := s.Symbol("IWM")
	if y.SkippedRows != 4 || y.FirstSkippedLine != 102 {
		t.Errorf("IWM skipped %d, first line %d; want 4 from line 102", y.SkippedRows, y.FirstSkippedLine)
	}
	want := "4 rows skipped from d/IWM.csv, first line 102: missing close"
	if len(s.Notices) != 1 || s.Notices[0] != (engine.SymbolNotice{Symbol: "IWM", Message: want}) {
		t.Errorf("notices %+v, want IWM: %s", s.Notices, want)
	}
	var psct string
	for _, e := range s.Errors {
		if e.Symbol == "PSCT" {
			psct = e.Message
		}
	}
	if psct != "replay: d/PSCT.csv: not a CSV file (binary data)" {
		t.Errorf("PSCT error %q", psct)
	}
	log := logBuf.String()
	if !strings.Contains(log, `msg="pipeline: history: rows skipped" feed=replay symbol=IWM rows=4 first_line=102 source=d/IWM.csv reason="missing close"`) {
		t.Errorf("the log does not count the skipped rows:\n%s", log)
	}
	if !strings.Contains(log, "symbol=PSCT") || strings.Contains(log, "PNG") {
		t.Errorf("the log does not name the broken file, or shows its bytes:\n%s", log)
	}
}

// gatedRunner runs the engine, applying each Input only when the test sends
// on gate; arrived says an Input is waiting.
type gatedRunner struct {
	eng     *engine.Engine
	gate    chan struct{}
	arrived chan struct{}
}

func (g gatedRunner) Run(ctx context.Context, in <-chan engine.Input, publish func(*engine.Snapshot)) error {
	inner := make(chan engine.Input)
	done := make(chan error, 1)
	go func() { done <- g.eng.Run(ctx, inner, publish) }()
	for {
		select {
		case inp := <-in:
			g.arrived <- struct{}{}
			select {
			case <-g.gate:
			case <-ctx.Done():
				return <-done
			}
			select {
			case inner <- inp:
			case <-ctx.Done():
				return <-done
			}
		case <-ctx.Done():
			return <-done
		}
	}
}

// TestFeedClockFollowsPublishedSnapshots: a replay's clock (the screen's
// "now") moves to a day only when the snapshot of that day is published;
// while the engine is still applying it the screen's data is not judged
// against it (issue 14 item 12: a false ⚠ STALE during replay).
func TestFeedClockFollowsPublishedSnapshots(t *testing.T) {
	iwm := genBars("IWM", 260, 200, 10, 0.05)
	spy := genBars("SPY", 260, 500, 5, 0.1)
	cal := calendar.NYSE()
	f := fake.New(fake.Options{Name: "replay", Kind: feeds.KindReplay,
		History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
	eng, err := engine.New(pairConfig(), cal)
	if err != nil {
		t.Fatal(err)
	}
	wall := clock.NewFake(time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC))
	fc := NewFeedClock(wall, 0)
	snaps := make(chan *engine.Snapshot, 16)
	g := gatedRunner{eng: eng, gate: make(chan struct{}), arrived: make(chan struct{}, 4)}
	p := &Pipeline{Feed: f, Engine: g, Symbols: []string{"IWM", "SPY"}, Clock: wall, FeedClock: fc,
		OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	<-g.arrived
	g.gate <- struct{}{} // the history
	first := <-snaps
	histEnd := endOfDay(iwm[259].Time)
	if !fc.Now().Equal(histEnd) || !first.Now.Equal(histEnd) {
		t.Fatalf("after the history: clock %v, snapshot now %v; want %v", fc.Now(), first.Now, histEnd)
	}
	next := cal.NextTradingDate(iwm[259].Time)
	_, closeT, _ := cal.Session(next)
	q := []engine.Quote{{Symbol: "IWM", Price: 210, Time: closeT}, {Symbol: "SPY", Price: 505, Time: closeT}}
	if err := f.Push(ctx, feeds.Batch{Quotes: q, Status: feeds.Status{State: feeds.StateOK}}); err != nil {
		t.Fatal(err)
	}
	// The pipeline has sent the day; it waits for the engine: the clock stays.
	select {
	case <-g.arrived:
	case <-ctx.Done():
		t.Fatal("the day never reached the engine")
	}
	if !fc.Now().Equal(histEnd) {
		t.Errorf("before the day is published: clock %v, want %v (the data on screen)", fc.Now(), histEnd)
	}
	g.gate <- struct{}{}
	s := <-snaps
	if !fc.Now().Equal(closeT) || !s.AsOf.Equal(closeT) {
		t.Errorf("after: clock %v, snapshot as of %v; want %v", fc.Now(), s.AsOf, closeT)
	}
	cancel()
	<-done
}
