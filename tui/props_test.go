package tui

import (
	"image/color"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
)

// sgrSet collects the distinct colour SGR sequences of a view.
func sgrSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, c := range colourParams(s) {
		out[c] = true
	}
	return out
}

func TestBackgroundAndPaletteChangeColours(t *testing.T) {
	render := func(opts Options, msgs ...tea.Msg) string {
		m, _ := testModel(t, opts)
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
		m = update(m, msgs...)
		return m.View().Content
	}
	dark := render(Options{})
	light := render(Options{}, tea.BackgroundColorMsg{Color: color.White})
	cb := render(Options{Palette: PaletteColorblind})
	if dark == light {
		t.Error("a light background did not change the styles")
	}
	if dark == cb {
		t.Error("the colour-blind palette did not change the styles")
	}
	// The colour-blind heatmap is blue/orange: no green or red 256 indices.
	for _, green := range []string{"48;5;22m", "48;5;28m", "48;5;34m", "48;5;41m", "48;5;124m", "48;5;88m"} {
		if strings.Contains(cb, green) {
			t.Errorf("colour-blind palette uses red/green background %q", green)
		}
	}
	if !strings.Contains(cb, "48;5;208m") && !strings.Contains(cb, "48;5;166m") && !strings.Contains(cb, "48;5;94m") {
		t.Error("colour-blind heatmap has no orange cells")
	}
	// Meaning survives without colour: signs and arrows are in the text.
	if len(sgrSet(dark)) == 0 {
		t.Fatal("no colours at all in the default palette")
	}
}

func TestHeatScaleDivergesAroundZero(t *testing.T) {
	st := NewStyles(PaletteDefault, true, false)
	if st.Heat(0, 2).GetBackground() != st.heatZero.GetBackground() {
		t.Error("zero is not neutral")
	}
	pos, neg := st.Heat(1, 2), st.Heat(-1, 2)
	if pos.GetBackground() == neg.GetBackground() {
		t.Error("+1 and -1 share a colour")
	}
	if st.Heat(0.1, 2).GetBackground() == st.Heat(5, 2).GetBackground() {
		t.Error("a small and a large gain share a colour")
	}
	if st.Heat(math.NaN(), 2).GetBackground() != st.heatZero.GetBackground() {
		t.Error("NaN is not neutral")
	}
}

func TestBadges(t *testing.T) {
	cases := []struct {
		kind    feeds.Kind
		delayed bool
		want    string
		notWant []string
	}{
		{feeds.KindDemo, false, "DEMO", []string{"REPLAY", "delayed"}},
		{feeds.KindReplay, false, "REPLAY", []string{"DEMO", "delayed"}},
		{feeds.KindLive, true, "yahoo (delayed)", []string{"DEMO", "REPLAY"}},
		{feeds.KindLive, false, "yahoo", []string{"DEMO", "REPLAY", "delayed"}},
	}
	for _, tc := range cases {
		m, _ := testModel(t, Options{Feed: "yahoo", Kind: tc.kind})
		s := testSnapshot(1)
		for i := range s.Symbols {
			s.Symbols[i].Delayed = tc.delayed
		}
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: s})
		status := strings.Split(screen(m), "\n")[0]
		if !strings.Contains(status, tc.want) {
			t.Errorf("%v delayed=%v: status %q lacks %q", tc.kind, tc.delayed, status, tc.want)
		}
		for _, nw := range tc.notWant {
			if strings.Contains(status, nw) {
				t.Errorf("%v delayed=%v: status %q has %q", tc.kind, tc.delayed, status, nw)
			}
		}
	}
}

func TestQuoteAgeAndStaleMarker(t *testing.T) {
	s := testSnapshot(1)
	s.Symbols[2].DataTime = testAsOf.Add(-5 * time.Minute) // QQQ: old print
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: s})
	row := regexp.MustCompile(`(QQQ|SPY) +\d+\.\d+ .*`)
	rows := map[string]string{}
	for _, l := range strings.Split(screen(m), "\n") {
		if r := row.FindStringSubmatch(l); r != nil {
			rows[r[1]] = r[0]
		}
	}
	qqq, spy := rows["QQQ"], rows["SPY"]
	if !strings.Contains(qqq, "5m12s!") {
		t.Errorf("old quote not marked stale with its age: %q", qqq)
	}
	if spy == "" || strings.Contains(spy, "!") {
		t.Errorf("fresh quote marked stale (or missing): %q", spy)
	}
}

func TestNonFiniteAndEmptySeriesDoNotPanic(t *testing.T) {
	s := testSnapshot(1)
	s.Pair.Intraday[10].Ratio = math.Inf(1)
	s.Pair.Intraday[11].Ratio = math.NaN()
	s.Pair.Daily[len(s.Pair.Daily)-3].Ratio = math.Inf(-1)
	s.Symbols[0].Intraday = []float64{math.NaN(), math.Inf(1)}
	flat := testSnapshot(2)
	for i := range flat.Pair.Intraday {
		flat.Pair.Intraday[i].Ratio = 0.4
		flat.Pair.Intraday[i].SMA50, flat.Pair.Intraday[i].SMA200 = engine.Num{}, engine.Num{}
	}
	one := testSnapshot(3)
	one.Pair.Intraday = one.Pair.Intraday[:1]
	none := testSnapshot(4)
	none.Pair.Intraday = nil
	for _, snap := range []*engine.Snapshot{s, flat, one, none} {
		for _, tf := range []string{"1", "2", "3", "4", "5"} {
			for _, sz := range sizes {
				m, _ := testModel(t, Options{})
				m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: snap}, press(tf))
				checkSize(t, screen(m), sz.w, sz.h)
			}
		}
	}
	// A constant series still fills the plot height (asciigraph alone would
	// draw a single row).
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: flat}, press("1"))
	_ = m.View()
	if n := strings.Count(m.chart().View(), "┤"); n < 10 {
		t.Errorf("flat series plotted with %d rows", n)
	}
	m = update(m, SnapshotMsg{Snap: none})
	if scr := screen(m); !strings.Contains(scr, "no intraday data yet") {
		t.Error("empty intraday not explained")
	}
}

// TestPanelCacheRendersOnlyOnChange: a second View with nothing changed
// returns the same cached lines (same backing array), and a new snapshot
// invalidates them.
func TestPanelCacheRendersOnlyOnChange(t *testing.T) {
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
	_ = m.View()
	first := &m.chart().lines[0]
	_ = m.View()
	if &m.chart().lines[0] != first {
		t.Fatal("chart re-rendered without a change")
	}
	m = update(m, SnapshotMsg{Snap: testSnapshot(2)})
	_ = m.View()
	if &m.chart().lines[0] == first {
		t.Fatal("chart not re-rendered after a new snapshot")
	}
}

func TestThinSectorMarked(t *testing.T) {
	m, _ := testModel(t, Options{NoColor: true})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
	scr := screen(m)
	if !strings.Contains(scr, "PSCU·/XLU") || !strings.Contains(scr, "· = thin") {
		t.Error("thin small leg not marked and explained")
	}
	if strings.Contains(scr, "PSCT·") {
		t.Error("a liquid small leg is marked thin")
	}
	s := testSnapshot(2)
	for i := range s.Sectors {
		s.Sectors[i].Thin = false
	}
	m = update(m, SnapshotMsg{Snap: s})
	if scr := screen(m); strings.Contains(scr, "PSCU·") || strings.Contains(scr, "· = thin") {
		t.Error("thin marker shown with no thin sector")
	}
}
