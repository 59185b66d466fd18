package tui

import (
	"math"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/charmbracelet/x/ansi"
)

// chartRows returns the chart panel's plot rows (ANSI stripped, border
// removed) with their y labels, and the legend line.
func chartRows(t *testing.T, m Model) (rows []string, labels []float64, legend string) {
	t.Helper()
	_ = m.View()
	lines := strings.Split(ansi.Strip(m.chart().View()), "\n")
	for _, l := range lines {
		l = strings.TrimSuffix(strings.TrimPrefix(l, "│"), "│")
		f := strings.Fields(l)
		if len(f) > 1 && (strings.HasPrefix(f[1], "┤") || strings.HasPrefix(f[1], "┼")) {
			v, err := strconv.ParseFloat(f[0], 64)
			if err != nil {
				t.Fatalf("y label %q: %v", f[0], err)
			}
			rows, labels = append(rows, l), append(labels, v)
		}
		if strings.Contains(l, "─ ratio") {
			legend = l
		}
	}
	if len(rows) < 3 {
		t.Fatalf("no plot rows in\n%s", strings.Join(lines, "\n"))
	}
	return rows, labels, legend
}

// dataCols is the columns (after the y axis) where a row holds a ratio
// glyph (not a reference or average glyph, not blank).
func dataCols(row string) []int {
	rs := []rune(row)
	axis := -1
	for i, r := range rs {
		if r == '┤' || r == '┼' {
			axis = i
			break
		}
	}
	var cols []int
	for i := axis + 1; i < len(rs); i++ {
		if strings.ContainsRune("─╭╮╰╯│╴╶", rs[i]) {
			cols = append(cols, i-axis-1)
		}
	}
	return cols
}

// TestOneDayChartOnSessionClock: the 1D chart runs from 09:30 at the left
// to 16:00 at the right, so two minutes after the open the ratio holds only
// the first columns and at 15:30 it stops short of the right edge; yesterday's
// close is a dashed line at its level, and the averages are levels too
// (taken from the pair when the bars lack them).
func TestOneDayChartOnSessionClock(t *testing.T) {
	for _, tc := range []struct {
		name     string
		snap     *engine.Snapshot
		min, max float64 // share of the plot width the ratio's last column may reach
	}{
		{"09:31", openingSnapshot(1), 0, 0.02},
		{"15:30", testSnapshot(1), 361.0/390 - 0.03, 361.0/390 + 0.02},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.snap.Pair.Intraday { // averages only on the pair
				tc.snap.Pair.Intraday[i].SMA50, tc.snap.Pair.Intraday[i].SMA200 = engine.Num{}, engine.Num{}
			}
			m, _ := testModel(t, Options{})
			m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: tc.snap}, press("1"))
			rows, labels, legend := chartRows(t, m)
			plotW, last := 0, -1
			for _, r := range rows {
				rs := []rune(r)
				for i, c := range rs {
					if c == '┤' || c == '┼' {
						plotW = len(rs) - i - 1
						break
					}
				}
				for _, c := range dataCols(r) {
					last = max(last, c)
				}
			}
			if got := float64(last) / float64(plotW); got < tc.min || got > tc.max {
				t.Errorf("ratio reaches column %d of %d (%.3f), want %.3f…%.3f", last, plotW, got, tc.min, tc.max)
			}
			// Yesterday's close: the row with the dashed line is within one
			// row of the previous daily close.
			prev := tc.snap.Pair.Daily[len(tc.snap.Pair.Daily)-2].Ratio
			step := math.Abs(labels[0] - labels[1])
			best, at := 0, -1
			for i, r := range rows {
				if n := strings.Count(r, "┄"); n > best {
					best, at = n, i
				}
			}
			if at < 0 || best < plotW/2 {
				t.Fatalf("no dashed reference line across the plot (best row has %d dashes)", best)
			}
			if d := math.Abs(labels[at] - prev); d > step {
				t.Errorf("reference line at %.5f, yesterday's close %.5f (row step %.5f)", labels[at], prev, step)
			}
			if !strings.Contains(legend, "┄ prev close") {
				t.Errorf("legend does not name the reference line: %q", legend)
			}
			if !strings.Contains(legend, "· 50") { // (the 200-day is off the range: a number)
				t.Errorf("50-day average not plotted from the pair's value: %q", legend)
			}
			axis := ansi.Strip(m.chart().View())
			for _, lbl := range []string{"09:30", "12:00", "16:00"} {
				if !strings.Contains(axis, lbl) {
					t.Errorf("time axis lacks %s", lbl)
				}
			}
		})
	}
}

// TestCompactOneDay: in the 60×15 layout the 1D sparkline shows the last 60
// days and today while the session is young, then today's ratio on the
// session clock.
func TestCompactOneDay(t *testing.T) {
	line := func(snap *engine.Snapshot) string {
		m, _ := testModel(t, Options{})
		m = update(m, tea.WindowSizeMsg{Width: 60, Height: 15}, SnapshotMsg{Snap: snap}, press("1"))
		_ = m.View()
		return strings.Split(ansi.Strip(m.chart().View()), "\n")[2]
	}
	if l := line(openingSnapshot(1)); !strings.Contains(l, "60d+today") || ansi.StringWidth(strings.TrimRight(l, " ")) < 50 {
		t.Errorf("sparse 1D: %q, want a wide 60-day sparkline", l)
	}
	// 15:30: 361 of 390 minutes of 60 cells → ⌈55.5⌉ = 56 cells, then blank.
	if l := line(testSnapshot(1)); strings.Contains(l, "60d") || ansi.StringWidth(strings.TrimRight(l, " ")) != 56 {
		t.Errorf("1D at 15:30: %q (%d cells), want 56 cells of today", l, ansi.StringWidth(strings.TrimRight(l, " ")))
	}
}

// TestSummarySeparatesTodayFromTrend: a day when small caps lead while the
// ratio is below both averages says "leading today" and "below 50d & 200d",
// at every width; "leading" never appears without "today".
func TestSummarySeparatesTodayFromTrend(t *testing.T) {
	s := testSnapshot(1)
	s.Pair.RatioChangePct = engine.Some(0.8)
	s.Pair.RatioSMA50 = engine.Some(s.Pair.Ratio.V * 1.01)
	s.Pair.RatioSMA200 = engine.Some(s.Pair.Ratio.V * 1.02)
	m, _ := testModel(t, Options{})
	m.chart().SetSnapshot(s)
	for _, w := range []int{30, 44, 60, 90, 120} {
		got := ansi.Strip(m.chart().summary(w))
		if ansi.StringWidth(got) > w {
			t.Errorf("%d: summary is %d cells: %q", w, ansi.StringWidth(got), got)
		}
		if strings.Contains(got, "leading") && !strings.Contains(got, "leading today") {
			t.Errorf("%d: %q says leading without today", w, got)
		}
		if w >= 44 && !strings.Contains(got, "below 50d & 200d avg") {
			t.Errorf("%d: %q lacks the trend", w, got)
		}
	}
	if got := ansi.Strip(m.chart().summary(120)); !strings.Contains(got, "small caps leading today") {
		t.Errorf("wide summary lacks today's lead: %q", got)
	}
}

// TestFlagsTinyShowsOnlyActiveWhenShort: the tiny layout lists every flag
// when they fit and only the ones that are on when they do not.
func TestFlagsTinyShowsOnlyActiveWhenShort(t *testing.T) {
	m, _ := testModel(t, Options{})
	p := m.flags()
	p.SetSnapshot(testSnapshot(1))
	p.place(60, 10, false, false)
	if v := ansi.Strip(p.View()); strings.Count(v, "○ off") != 4 {
		t.Errorf("all nine flags fit in 9 rows, want the 4 off ones listed:\n%s", v)
	}
	p.SetSize(60, 6)
	if v := ansi.Strip(p.View()); strings.Contains(v, "○ off") || strings.Count(v, "● confirmed") != 3 {
		t.Errorf("5 rows: want only the flags that are on:\n%s", v)
	}
}
