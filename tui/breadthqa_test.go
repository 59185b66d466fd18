package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
)

// TestBreadthFlagsWaitForTheMembers (QA-1 2): while the members' first
// load runs, the two breadth flags show how far it is ("loading 450/600")
// in the flags panel, never a state with a value of part of the index; the
// line changes as the load goes on, and the value shows once it is done.
func TestBreadthFlagsWaitForTheMembers(t *testing.T) {
	snap := func(loaded int, done bool) *engine.Snapshot {
		s := testSnapshot(1)
		s.Flags = append(s.Flags,
			engine.Flag{ID: engine.FlagBreadthAboveSMA50, State: engine.FlagOff, Threshold: engine.Some(60), Text: "most members above their 50-day average"},
			engine.Flag{ID: engine.FlagBreadthThrust, State: engine.FlagOff, Threshold: engine.Some(0.615), Text: "a Zweig breadth thrust"})
		s.Breadth = &engine.Breadth{Universe: "demo", Members: 600, Covered: loaded, AsOf: "2026-11-24", Partial: !done,
			PctAboveSMA50: engine.Some(72)}
		s.BreadthLoad = &engine.BreadthLoad{Members: 600, Loaded: loaded, Done: done}
		if done {
			s.Flags[len(s.Flags)-2].Value = engine.Some(68.67)
		}
		return s
	}
	m, _ := testModel(t, Options{ShowNowWhat: true})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: snap(450, false)})
	row := regexp.MustCompile(`(?m)^.*Members > 50-day.*$`)
	line := row.FindString(screen(m))
	if !strings.Contains(line, "loading 450/600") || strings.Contains(line, "confirmed") {
		t.Fatalf("while 450/600 members are in, the flag row is %q\n%s", line, screen(m))
	}
	m = update(m, SnapshotMsg{Snap: snap(500, false)})
	if line = row.FindString(screen(m)); !strings.Contains(line, "loading 500/600") {
		t.Errorf("the row does not follow the load: %q", line)
	}
	m = update(m, SnapshotMsg{Snap: snap(600, true)})
	if line = row.FindString(screen(m)); strings.Contains(line, "loading") || !strings.Contains(line, "69% vs 60%") {
		t.Errorf("once loaded the row is %q", line)
	}
}

// TestHelpListsTheBreadthFailure (QA-1 8): a failed members' load is
// counted on the help screen's first line and its cause listed, whole.
func TestHelpListsTheBreadthFailure(t *testing.T) {
	s := testSnapshot(1)
	cause := "members list: cannot reach iShares: no such host www.ishares.com"
	s.BreadthLoad = &engine.BreadthLoad{Done: true, Error: cause}
	m, _ := testModel(t, Options{ShowNowWhat: true})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 23}, SnapshotMsg{Snap: s}, press("?"))
	if first := screen(m); !strings.Contains(first, "✖ breadth not loaded") {
		t.Errorf("the first page does not say the breadth failed:\n%s", first)
	}
	all := strings.Join(strings.Fields(helpPages(t, m)), " ")
	if !strings.Contains(all, "✖ "+cause) {
		t.Errorf("the help does not list the cause %q", cause)
	}
}

// TestHelpNamesTheFailedMembers (QA-2 M8): members whose history failed,
// or had rows skipped, are counted on the help screen's first line and
// named under the keys with why — the first few and how many more.
func TestHelpNamesTheFailedMembers(t *testing.T) {
	s := testSnapshot(1)
	s.Errors, s.Notices = nil, nil
	l := &engine.BreadthLoad{Members: 600, Loaded: 600, Done: true}
	for i := 1; i <= 40; i++ {
		l.AddFailed(fmt.Sprintf("SC%03d", i), fmt.Sprintf("replay: no file rp/SC%03d.csv", i))
	}
	l.AddSkipped("CCC", engine.SkippedRows{Count: 2, FirstLine: 3, Source: "rp/CCC.csv", Reason: "missing open"})
	s.BreadthLoad = l
	m, _ := testModel(t, Options{ShowNowWhat: true})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: s}, press("?"))
	if first := screen(m); !strings.Contains(first, "⚠ 40 members without data, 1 with rows skipped") {
		t.Errorf("the first page does not count the members' problems:\n%s", first)
	}
	all := strings.Join(strings.Fields(helpPages(t, m)), " ")
	for _, want := range []string{
		"Breadth: 40 of 600 members without data",
		"✖ SC001: replay: no file rp/SC001.csv",
		"✖ SC010: replay: no file rp/SC010.csv",
		"✖ … and 30 more",
		"Breadth: 1 member with rows skipped",
		"⚠ CCC: 2 rows skipped from rp/CCC.csv, first line 3: missing open",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the help lacks %q", want)
		}
	}
	if strings.Contains(all, "SC011") {
		t.Error("more members named than engine.MaxNamedMembers")
	}
}
