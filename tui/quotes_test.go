package tui

import (
	"math"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/charmbracelet/x/ansi"
)

// quoteRow returns the quotes panel's row of sym (ANSI stripped, fields).
func quoteRow(t *testing.T, m Model, sym string) []string {
	t.Helper()
	_ = m.View()
	for _, l := range strings.Split(ansi.Strip(m.quotes().View()), "\n") {
		f := strings.Fields(strings.Trim(l, "│ "))
		if len(f) > 0 && f[0] == sym {
			return f
		}
	}
	t.Fatalf("no row for %s", sym)
	return nil
}

// TestRVOLColumn: during the session the column is the pace-adjusted RVOL
// (absent, "—", in the first minutes rather than a part-day ratio near
// zero); outside the session it is the full-day RVOL20.
func TestRVOLColumn(t *testing.T) {
	rv := func(snap *engine.Snapshot) string {
		m, _ := testModel(t, Options{})
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: snap})
		f := quoteRow(t, m, "IWM")
		return f[len(f)-2] // rvol, then age
	}
	if got := rv(testSnapshot(1)); got != "1.7" { // RVOLPace 1.7, RVOL20 1.581
		t.Errorf("open session: rvol %q, want the pace 1.7", got)
	}
	if got := rv(openingSnapshot(1)); got != "—" {
		t.Errorf("first minutes: rvol %q, want —", got)
	}
	closed := testSnapshot(1)
	closed.Session.State = "closed"
	closed.Symbols[0].RVOL20 = engine.Some(2.24)
	closed.Symbols[0].RVOLPace = engine.Num{}
	if got := rv(closed); got != "2.2" {
		t.Errorf("closed: rvol %q, want RVOL20 2.2", got)
	}
}

// TestQuoteSparklineFollowsSessionClock: the day's sparkline takes the
// share of its column that the session has run (09:31 → the first cell
// only; 15:30:00 → 361 of 390 minutes → ⌈36.1⌉ = 37 of 39 cells) and pads
// the rest.
func TestQuoteSparklineFollowsSessionClock(t *testing.T) {
	for _, tc := range []struct {
		snap  *engine.Snapshot
		cells int
	}{{openingSnapshot(1), 1}, {testSnapshot(1), 37}} {
		m, _ := testModel(t, Options{})
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: tc.snap})
		f := quoteRow(t, m, "SPY")
		spark := f[3]
		if n := ansi.StringWidth(spark); n != tc.cells || strings.Trim(spark, "▁▂▃▄▅▆▇█") != "" {
			t.Errorf("%s: sparkline %q has %d cells, want %d", tc.snap.AsOf.Format("15:04"), spark, n, tc.cells)
		}
	}
	if got := sessionSpark([]float64{1, 2, 3}, math.NaN(), 195, 390, 20); ansi.StringWidth(got) != 20 || ansi.StringWidth(strings.TrimRight(got, " ")) != 10 {
		t.Errorf("half a session in 20 cells: %q", got)
	}
}

// TestSparklineScaleSpansYesterdaysClose: with yesterday's close on the
// scale, a day spent above it draws high cells and one below it low cells.
func TestSparklineScaleSpansYesterdaysClose(t *testing.T) {
	for _, tc := range []struct {
		vals []float64
		ref  float64
		want string
	}{
		{[]float64{101, 102}, 100, "▄█"}, // (1/2)·7.999 → level 3; 2/2 → 7
		{[]float64{99, 98}, 100, "▄▁"},
		{[]float64{101, 102}, math.NaN(), "▁█"}, // no reference: the values' own range
	} {
		if got := sparklineRef(tc.vals, 2, tc.ref); got != tc.want {
			t.Errorf("sparklineRef(%v, ref %v) = %q, want %q", tc.vals, tc.ref, got, tc.want)
		}
	}
}

// TestDaySeriesAppendsFormingMinute: the sparkline's day is the closed
// minutes plus the forming minute's price (Last), built in a copy (the
// engine's array past the closed minutes is never written).
func TestDaySeriesAppendsFormingMinute(t *testing.T) {
	backing := []float64{10, 11, 12, -1}
	s := engine.SymbolSnapshot{Intraday: backing[:3], Last: engine.Some(13), IntradayForming: true}
	if got := daySeries(s); !slices.Equal(got, []float64{10, 11, 12, 13}) {
		t.Errorf("forming: %v, want [10 11 12 13]", got)
	}
	if backing[3] != -1 {
		t.Errorf("daySeries wrote into the snapshot's array: %v", backing)
	}
	s.IntradayForming = false
	if got := daySeries(s); !slices.Equal(got, []float64{10, 11, 12}) {
		t.Errorf("no forming minute: %v, want [10 11 12]", got)
	}
	s.IntradayForming, s.Intraday = true, nil // the first minute of the day
	if got := daySeries(s); !slices.Equal(got, []float64{13}) {
		t.Errorf("first minute forming: %v, want [13]", got)
	}
	// On the dashboard: a forming minute far above the closed ones draws the
	// top level in the sparkline's last cell.
	snap := testSnapshot(1)
	for i := range snap.Symbols {
		if sym := &snap.Symbols[i]; sym.Symbol == "SPY" {
			sym.Intraday = sym.Intraday[: len(sym.Intraday)-1 : len(sym.Intraday)-1]
			sym.Last, sym.IntradayForming = engine.Some(sym.PrevClose.V*1.5), true
		}
	}
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: snap})
	spark := []rune(strings.TrimRight(quoteRow(t, m, "SPY")[3], " "))
	if len(spark) < 2 || spark[len(spark)-1] != '█' || strings.Trim(string(spark[:len(spark)-1]), "▁") != "" {
		t.Errorf("sparkline %q: want the closed minutes at the bottom and the forming minute's high at the top", string(spark))
	}
}
