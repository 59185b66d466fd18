package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
)

// TestFeedNameFromFirstFrame (QA-3 F9e): at 80 columns the demo's first
// frames said " DEMO  │ IWM/SPY │ …" and a second later " DEMO  │ demo │
// IWM/SPY │ …": the members' load progress ("breadth: 130/600 members"),
// tied with the feed's name, took the name down with it and kept it away
// after it was dropped itself. The progress goes first; the feed's name is
// on the status line while the members load exactly when it is after.
func TestFeedNameFromFirstFrame(t *testing.T) {
	for _, w := range []int{80, 100, 120} {
		status := func(load *engine.BreadthLoad) string {
			m, _ := testModel(t, Options{})
			s := *testSnapshot(1)
			s.BreadthLoad = load
			m = update(m, tea.WindowSizeMsg{Width: w, Height: 23}, SnapshotMsg{Snap: &s})
			return strings.SplitN(vtShow(t, m), "\n", 2)[0]
		}
		loading, done := status(&engine.BreadthLoad{Members: 600, Loaded: 130}), status(&engine.BreadthLoad{Members: 600, Loaded: 600, Done: true})
		if strings.Contains(loading, "│ demo │") != strings.Contains(done, "│ demo │") {
			t.Errorf("%d columns: the feed's name depends on the members' load:\nloading %q\ndone    %q", w, loading, done)
		}
	}
}
