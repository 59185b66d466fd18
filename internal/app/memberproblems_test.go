package app

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
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

// TestFailedMembersAreNamed (QA-2 M8): breadth members that fail are named
// with their cause, not only counted — the first engine.MaxNamedMembers of
// them and how many more — and so are members whose files had rows
// skipped; the dashboard's load and the one-shot snapshot say the same.
// QA's directory: DDD.csv random bytes, EEE.csv missing, CCC.csv with two
// rows without an open; here also 12 more members without a file (F01…).
func TestFailedMembersAreNamed(t *testing.T) {
	csv := func(bars []engine.Bar, noOpen ...int) *fstest.MapFile {
		var b strings.Builder
		b.WriteString("Date,Open,High,Low,Close,Volume\n")
		for i, x := range bars {
			open := fmt.Sprintf("%.4f", x.Open)
			for _, k := range noOpen {
				if i == k {
					open = ""
				}
			}
			fmt.Fprintf(&b, "%s,%s,%.4f,%.4f,%.4f,%.0f\n", x.Time.Format(time.DateOnly), open, x.High, x.Low, x.Close, x.Volume)
		}
		return &fstest.MapFile{Data: []byte(b.String())}
	}
	junk := make([]byte, 3000)
	r := rand.New(rand.NewPCG(8, 8))
	for i := range junk {
		junk[i] = byte(r.UintN(256))
	}
	fsys := fstest.MapFS{
		"IWM.csv": csv(genBars("IWM", 260, 200, 10, 0.05)),
		"SPY.csv": csv(genBars("SPY", 260, 500, 5, 0.1)),
		"AAA.csv": csv(genBars("AAA", 260, 40, 2, 0.02)),
		"BBB.csv": csv(genBars("BBB", 260, 40, 2, 0.02)),
		"CCC.csv": csv(genBars("CCC", 260, 40, 2, 0.02), 100, 150), // lines 102 and 152
		"DDD.csv": {Data: junk},
	}
	members := []string{"AAA", "BBB", "CCC", "DDD", "EEE"}
	for i := 1; i <= 12; i++ {
		members = append(members, fmt.Sprintf("F%02d", i))
	}
	// The oracle, written from the files above.
	path := func(f string) string { return "d/" + f }
	wantFailed := []engine.SymbolError{
		{Symbol: "DDD", Message: "replay: " + path("DDD.csv") + ": not a CSV file (binary data)"},
		{Symbol: "EEE", Message: "replay: no file " + path("EEE.csv")},
	}
	for i := 1; i <= 8; i++ { // up to 10 named
		wantFailed = append(wantFailed, engine.SymbolError{Symbol: fmt.Sprintf("F%02d", i), Message: "replay: no file " + path(fmt.Sprintf("F%02d.csv", i))})
	}
	wantSkips := []engine.SymbolNotice{{Symbol: "CCC", Message: "2 rows skipped from " + path("CCC.csv") + ", first line 102: missing open"}}
	check := func(view string, l *engine.BreadthLoad) {
		t.Helper()
		if l == nil {
			t.Fatalf("%s: no breadth load", view)
		}
		if l.Failed != 14 || l.Members != 17 || !reflect.DeepEqual(l.FailedMembers, wantFailed) {
			t.Errorf("%s: failed %d of %d, named %+v\nwant 14 of 17, named %+v", view, l.Failed, l.Members, l.FailedMembers, wantFailed)
		}
		if l.SkippedMembers != 1 || !reflect.DeepEqual(l.MemberSkips, wantSkips) {
			t.Errorf("%s: skipped %d, named %+v; want 1, %+v", view, l.SkippedMembers, l.MemberSkips, wantSkips)
		}
		if got := l.FailedLines(); len(got) != 11 || got[10] != "… and 4 more" || got[0] != "DDD: "+wantFailed[0].Message {
			t.Errorf("%s: failed lines %q", view, got)
		}
	}
	newEngine := func(t *testing.T) (*engine.Engine, *breadth.Universe) {
		eng, err := engine.New(pairConfig(), calendar.NYSE())
		if err != nil {
			t.Fatal(err)
		}
		u, err := breadth.New(breadth.Config{Universe: "members.csv", Members: members})
		if err != nil {
			t.Fatal(err)
		}
		return eng, u
	}

	// The dashboard: the pipeline's background load, 4 members a batch.
	synctest.Test(t, func(t *testing.T) {
		clk := clock.NewFake(time.Date(2025, 12, 1, 15, 0, 0, 0, time.UTC))
		f, err := replay.New(replay.Options{Dir: "d", FS: fsys, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		eng, u := newEngine(t)
		eng.SetBreadth(u)
		snaps := make(chan *engine.Snapshot, 1024)
		p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk,
			Breadth:    &Breadth{Members: members, Load: f.History, Batch: 4},
			OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		var last *engine.Snapshot
		for last == nil || last.BreadthLoad == nil || !last.BreadthLoad.Done {
			last = <-snaps
		}
		check("dashboard", last.BreadthLoad)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})

	// The one-shot snapshot, and its text.
	f, err := replay.New(replay.Options{Dir: "d", FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	_, u := newEngine(t)
	s, err := BuildSnapshot(context.Background(), BuildOptions{Feed: f, Config: pairConfig(), Calendar: calendar.NYSE(),
		Breadth: &Breadth{Members: members, Load: f.History, Batch: 4}, Universe: u})
	if err != nil {
		t.Fatal(err)
	}
	check("snapshot", s.BreadthLoad)
	var b strings.Builder
	ew := &errWriter{w: &b}
	writeLoadNotes(ew, s.BreadthLoad)
	for _, want := range []string{
		"14 of 17 members without data\n",
		"    DDD: replay: d/DDD.csv: not a CSV file (binary data)\n",
		"    EEE: replay: no file d/EEE.csv\n",
		"    … and 4 more\n",
		"1 member with rows skipped\n    CCC: 2 rows skipped from d/CCC.csv, first line 102: missing open\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("snapshot text lacks %q:\n%s", want, b.String())
		}
	}
	js, err := s.BreadthLoad.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"failed_members":[{"symbol":"DDD","message":"replay: d/DDD.csv: not a CSV file (binary data)"}`) ||
		!strings.Contains(string(js), `"skipped_members":1,"member_skips":[{"symbol":"CCC"`) {
		t.Errorf("JSON %s", js)
	}
	if js, _ := (engine.BreadthLoad{}).MarshalJSON(); !strings.Contains(string(js), `"failed_members":[],"skipped_members":0,"member_skips":[]`) {
		t.Errorf("empty lists: %s", js)
	}
}
