package app

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds/replay"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// TestSkippedReasonIsWhole (QA-4 N2): the reasons csvbars gives for a
// skipped row reach the snapshot whole — the stray-date reason (71
// characters) was cut mid-date at the engine's 60 ("the file runs
// 2024-08-15 to 2…"), and the longest reason csvbars can give (a bad
// volume cell of 41 quote marks: 40 shown, each escaped, then "…") is 94.
func TestSkippedReasonIsWhole(t *testing.T) {
	iwm := genBars("IWM", 260, 200, 10, 0.05)
	spy := genBars("SPY", 260, 500, 5, 0.1)
	// IWM: row 100 (line 102) dated a year before the file's first date.
	ic := strings.Split(csvOf(iwm), "\n")
	ic[101] = strings.Replace(ic[101], iwm[100].Date(), "2022-01-04", 1)
	// SPY: line 52's volume is a quoted cell of 41 quote marks.
	sc := strings.Split(csvOf(spy), "\n")
	cells := strings.Split(sc[51], ",")
	cells[5] = `"` + strings.Repeat(`""`, 41) + `"`
	sc[51] = strings.Join(cells, ",")
	fsys := fstest.MapFS{
		"IWM.csv": {Data: []byte(strings.Join(ic, "\n"))},
		"SPY.csv": {Data: []byte(strings.Join(sc, "\n"))},
	}
	f, err := replay.New(replay.Options{Dir: "d", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	cfg := pairConfig()
	eng, err := engine.New(cfg, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	snaps := make(chan *engine.Snapshot, 16)
	p := &Pipeline{Feed: f, Engine: eng, Symbols: cfg.Symbols(), Clock: clock.NewFake(time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)),
		OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
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
	want := map[string]string{
		"IWM": "1 row skipped from d/IWM.csv, line 102: date 2022-01-04 out of order (the file runs " +
			iwm[0].Date() + " to " + iwm[259].Date() + ")",
		"SPY": `1 row skipped from d/SPY.csv, line 52: bad volume "` + strings.Repeat(`\"`, 40) + `"…`,
	}
	got := map[string]string{}
	for _, n := range s.Notices {
		got[n.Symbol] = n.Message
	}
	for sym, w := range want {
		if got[sym] != w {
			t.Errorf("%s notice\n%q, want\n%q", sym, got[sym], w)
		}
	}
}
