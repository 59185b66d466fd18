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
