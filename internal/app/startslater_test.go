package app

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds/replay"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// TestMembersStartingAfterAsOf: breadth members whose data begins after
// the date shown have no data yet — they have not failed — and the load
// says when the first of them starts (breadth_load.starts). The dashboard
// (--as-of, or --replay-from the next day) and the one-shot snapshot
// (--as-of, through a feed that cuts at it or one that does not) give the
// same breadth_load. The one-shot counted them as failed and left starts
// empty; so did the dashboard with --as-of (the replay feed called such a
// file an error), only a replay from that date did not.
func TestMembersStartingAfterAsOf(t *testing.T) {
	iwm := genBars("IWM", 260, 200, 10, 0.05)
	fsys := fstest.MapFS{
		"IWM.csv": barsCSV(iwm),
		"SPY.csv": barsCSV(genBars("SPY", 260, 500, 5, 0.1)),
		"AAA.csv": barsCSV(genBars("AAA", 260, 40, 2, 0.02)),
		"BBB.csv": barsCSV(genBars("BBB", 260, 60, 3, -0.02)),
		"LLL.csv": barsCSV(genBars("LLL", 260, 40, 2, 0.02)[220:]), // starts 70 days after --as-of
		"MMM.csv": barsCSV(genBars("MMM", 260, 40, 2, 0.02)[200:]), // starts 50 days after: the first
	}
	members := []string{"AAA", "LLL", "BBB", "MMM", "NOF"} // NOF has no file
	asOf := iwm[150].Time
	// The oracle, from the files above.
	want := engine.BreadthLoad{Members: 5, Loaded: 5, Failed: 1, Done: true,
		Starts:        iwm[200].Time.Format(time.DateOnly),
		FailedMembers: []engine.SymbolError{{Symbol: "NOF", Message: "replay: no file d/NOF.csv"}}}
	check := func(view string, s *engine.Snapshot) {
		t.Helper()
		if s.BreadthLoad == nil {
			t.Fatalf("%s: no breadth load", view)
		}
		if got := *s.BreadthLoad; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: breadth load\n %+v\nwant %+v", view, got, want)
		}
		if s.Breadth == nil || s.Breadth.Covered != 2 || s.Breadth.AsOf != asOf.Format(time.DateOnly) {
			t.Errorf("%s: breadth %+v, want AAA and BBB on %s", view, s.Breadth, asOf.Format(time.DateOnly))
		}
	}
	universe := func(t *testing.T) *breadth.Universe {
		u, err := breadth.New(breadth.Config{Universe: "members.csv", Members: members})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	// The dashboard, as cmd/capwatch wires it: the members load through the
	// replay feed, 2 a batch.
	dashboard := func(name string, o replay.Options) {
		synctest.Test(t, func(t *testing.T) {
			clk := clock.NewFake(time.Date(2025, 12, 1, 15, 0, 0, 0, time.UTC))
			o.Dir, o.FS, o.Clock = "d", fsys, clk
			f, err := replay.New(o)
			if err != nil {
				t.Fatal(err)
			}
			eng, err := engine.New(pairConfig(), calendar.NYSE())
			if err != nil {
				t.Fatal(err)
			}
			eng.SetBreadth(universe(t))
			snaps := make(chan *engine.Snapshot, 1024)
			p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk,
				Breadth:    &Breadth{Members: members, Load: f.History, Stream: true, Batch: 2},
				OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- p.Run(ctx) }()
			var last *engine.Snapshot
			for last == nil || last.BreadthLoad == nil || !last.BreadthLoad.Done {
				last = <-snaps
			}
			check(name, last)
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		})
	}
	dashboard("dashboard --as-of", replay.Options{AsOf: asOf})
	dashboard("dashboard --replay-from", replay.Options{ReplayFrom: calendar.NYSE().NextTradingDate(asOf)})

	// The one-shot snapshot: through the replay feed cut at --as-of (as
	// cmd/capwatch wires it), and through a feed that is not (BuildSnapshot
	// cuts the members itself, as for cached members).
	for _, cut := range []bool{true, false} {
		o := replay.Options{Dir: "d", FS: fsys}
		if cut {
			o.AsOf = asOf
		}
		f, err := replay.New(o)
		if err != nil {
			t.Fatal(err)
		}
		s, err := BuildSnapshot(context.Background(), BuildOptions{Feed: f, Config: pairConfig(), Calendar: calendar.NYSE(), AsOf: asOf,
			Breadth: &Breadth{Members: members, Load: f.History, Stream: true, Batch: 2}, Universe: universe(t)})
		if err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("snapshot (feed cut at --as-of: %v)", cut), s)
		var b strings.Builder
		if err := WriteText(&b, s); err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{"  members whose data starts later: the first on " + want.Starts + "\n", "  1 of 5 members without data\n",
			"    NOF: replay: no file d/NOF.csv\n"} {
			if !strings.Contains(b.String(), line) {
				t.Errorf("text snapshot: no %q in\n%s", line, b.String())
			}
		}
	}
}

// TestPairLegStartingAfterAsOf: a leg of the pair whose file begins after
// --as-of has no data yet: a notice ("data starts DATE"), not an error,
// and the reason every view gives for the missing ratio — through the
// replay feed cut at --as-of and through one BuildSnapshot cuts itself.
// It was "SPY: replay: d/SPY.csv has no usable rows on or before …" from
// the cut feed and "SPY: no data" from the other.
func TestPairLegStartingAfterAsOf(t *testing.T) {
	iwm := genBars("IWM", 260, 200, 10, 0.05)
	fsys := fstest.MapFS{"IWM.csv": barsCSV(iwm), "SPY.csv": barsCSV(genBars("SPY", 260, 500, 5, 0.1)[200:])}
	asOf := iwm[150].Time
	starts := "data starts " + iwm[200].Time.Format(time.DateOnly)
	for _, cut := range []bool{true, false} {
		o := replay.Options{Dir: "d", FS: fsys}
		if cut {
			o.AsOf = asOf
		}
		f, err := replay.New(o)
		if err != nil {
			t.Fatal(err)
		}
		s, err := BuildSnapshot(context.Background(), BuildOptions{Feed: f, Config: pairConfig(), Calendar: calendar.NYSE(), AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		view := fmt.Sprintf("feed cut at --as-of: %v", cut)
		for _, e := range s.Errors {
			if e.Symbol == "SPY" {
				t.Errorf("%s: SPY is an error: %q", view, e.Message)
			}
		}
		if !slices.Contains(s.Notices, engine.SymbolNotice{Symbol: "SPY", Message: starts}) {
			t.Errorf("%s: notices %+v, want SPY %q", view, s.Notices, starts)
		}
		if got := s.PairProblem(); got != "SPY: "+starts {
			t.Errorf("%s: pair problem %q, want %q", view, got, "SPY: "+starts)
		}
		if err := NoRatio(s); err == nil || err.Error() != "no ratio for IWM/SPY: SPY: "+starts {
			t.Errorf("%s: NoRatio %v", view, err)
		}
	}
}

// barsCSV is a replay file (Yahoo's columns) of bars.
func barsCSV(bars []engine.Bar) *fstest.MapFile {
	var b strings.Builder
	b.WriteString("Date,Open,High,Low,Close,Volume\n")
	for _, x := range bars {
		fmt.Fprintf(&b, "%s,%.4f,%.4f,%.4f,%.4f,%.0f\n", x.Time.Format(time.DateOnly), x.Open, x.High, x.Low, x.Close, x.Volume)
	}
	return &fstest.MapFile{Data: []byte(b.String())}
}
