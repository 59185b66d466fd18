package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/charmbracelet/x/ansi"
)

// numericDate matches a month/day without a year ("11/24"), which reads
// like a year.
var numericDate = regexp.MustCompile(`\b\d{1,2}/\d{1,2}\b`)

// shiftSnapshot is testSnapshot moved by d (data, dates and flag dates).
func shiftSnapshot(d time.Duration) *engine.Snapshot {
	s := testSnapshot(1)
	s.AsOf = s.AsOf.Add(d)
	s.Session.NextChange = s.Session.NextChange.Add(d)
	for i := range s.Pair.Daily {
		s.Pair.Daily[i].Time = s.Pair.Daily[i].Time.Add(d)
	}
	for i := range s.Pair.Intraday {
		s.Pair.Intraday[i].Time = s.Pair.Intraday[i].Time.Add(d)
	}
	for i := range s.Symbols {
		s.Symbols[i].DataTime = s.Symbols[i].DataTime.Add(d)
	}
	for i := range s.Flags {
		if s.Flags[i].Since != "" {
			t, _ := time.Parse(time.DateOnly, s.Flags[i].Since)
			s.Flags[i].Since = t.Add(d).Format(time.DateOnly)
		}
	}
	return s
}

// TestFlagDatesCarryTheYear: a flag that began in an earlier year than the
// data shows that year at every size; no date is ever month/day digits.
func TestFlagDatesCarryTheYear(t *testing.T) {
	// Data of 2027-01-14: the flags began in Oct–Dec 2026 and in 2027.
	d := time.Date(2027, 1, 14, 15, 30, 0, 0, testLoc).Sub(testAsOf)
	snap := shiftSnapshot(d)
	for _, sz := range []struct{ w, h int }{{200, 50}, {160, 45}, {120, 40}, {100, 25}, {80, 24}, {80, 23}, {60, 23}} {
		m, _ := testModelAt(t, Options{ShowNowWhat: true}, snap.AsOf.Add(12*time.Second))
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: snap})
		lines := flagLines(t, m)
		for _, f := range snap.Flags {
			l := lines[f.ID]
			if f.State == engine.FlagOff || !strings.Contains(l, "since") && !strings.Contains(l, "from") {
				continue
			}
			if strings.HasPrefix(f.Since, "2026") && !strings.Contains(l, "2026") {
				t.Errorf("%dx%d: %s began %s, the line has no year: %q", sz.w, sz.h, f.ID, f.Since, l)
			}
			if numericDate.MatchString(l) {
				t.Errorf("%dx%d: %s: numeric date in %q", sz.w, sz.h, f.ID, l)
			}
		}
	}
}

// axisLine is the chart's time axis (the line under the plot).
func axisLine(t *testing.T, m Model) string {
	t.Helper()
	lines := strings.Split(ansi.Strip(m.chart().View()), "\n")
	for i, l := range lines {
		if strings.Contains(l, "┼") || strings.Contains(l, "┤") {
			continue
		}
		if i > 0 && (strings.Contains(lines[i-1], "┤") || strings.Contains(lines[i-1], "┼")) {
			return l
		}
	}
	t.Fatalf("no axis under the plot:\n%s", strings.Join(lines, "\n"))
	return ""
}

// TestChartAxisShowsYears: the 1Y axis names years; a 6M span that crosses
// New Year names them too; a span within one year does not need to.
func TestChartAxisShowsYears(t *testing.T) {
	year := regexp.MustCompile(`\b20\d\d\b`)
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: testSnapshot(1)}, press("5"))
	if a := axisLine(t, m); !year.MatchString(a) {
		t.Errorf("1Y axis without years: %q", a)
	}
	m = update(m, press("4"))
	if a := axisLine(t, m); year.MatchString(a) {
		t.Errorf("6M axis within 2026 shows years: %q", a)
	}
	// Data of 2027-02-10: six months back is 2026.
	snap := shiftSnapshot(time.Date(2027, 2, 10, 15, 30, 0, 0, testLoc).Sub(testAsOf))
	m, _ = testModelAt(t, Options{}, snap.AsOf.Add(12*time.Second))
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: snap}, press("4"))
	a := axisLine(t, m)
	if !strings.Contains(a, "2026") || !strings.Contains(a, "2027") {
		t.Errorf("6M axis across New Year: %q, want 2026 and 2027", a)
	}
}

// TestStatusShowsDataDate: the status line names the data's date whenever
// it is not the user's today (a replay of 2024, a Saturday showing
// Friday's close), with the year when it is not this year, at every width;
// today's data shows the time only.
func TestStatusShowsDataDate(t *testing.T) {
	replay := shiftSnapshot(time.Date(2024, 6, 3, 15, 30, 0, 0, testLoc).Sub(testAsOf))
	friday := shiftSnapshot(time.Date(2026, 11, 27, 15, 59, 0, 0, testLoc).Sub(testAsOf))
	friday.Session = engine.SessionInfo{State: "closed"}
	cases := []struct {
		name      string
		snap      *engine.Snapshot
		kind      feeds.Kind
		data, now time.Time // the data's clock and the user's
		want      []string  // one of these is in the status line
	}{
		{"replay", replay, feeds.KindReplay, replay.AsOf.Add(4 * time.Second), testAsOf, []string{"2024-06-03"}},
		{"weekend", friday, feeds.KindLive, time.Date(2026, 11, 28, 10, 0, 0, 0, testLoc), time.Date(2026, 11, 28, 10, 0, 0, 0, testLoc), []string{"Nov 27"}},
	}
	for _, tc := range cases {
		for _, w := range []int{60, 80, 100, 120, 200} {
			m, _ := testModelAt(t, Options{Feed: "x", Kind: tc.kind, Wall: clock.NewFake(tc.now)}, tc.data)
			m = update(m, tea.WindowSizeMsg{Width: w, Height: 30}, SnapshotMsg{Snap: tc.snap})
			status := strings.Split(screen(m), "\n")[0]
			ok := false
			for _, s := range tc.want {
				ok = ok || strings.Contains(status, s)
			}
			if !ok {
				t.Errorf("%s at %d columns: %q lacks the data's date %v", tc.name, w, status, tc.want)
			}
		}
	}
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
	if status := strings.Split(screen(m), "\n")[0]; strings.Contains(status, "Nov 24") || !strings.Contains(status, "data 15:30:00 EST") {
		t.Errorf("today's data: %q, want the time only", status)
	}
}

// TestNowWhatCountIsTheSnapshotCount: the dashboard states the number of
// past breakouts that `capwatch snapshot` and `analogs` give
// (len(analogs.events)), the horizon's smaller sample beside it, and the
// "kept leading" base rate on any day beside the leading rate, at the
// common pane sizes.
func TestNowWhatCountIsTheSnapshotCount(t *testing.T) {
	snap := testSnapshot(1) // 23 events; the 6m horizon has 21 outcomes
	total, n6 := len(snap.Analogs.Events), snap.Analogs.Horizons[2].N
	if total == n6 {
		t.Fatal("the test needs a horizon with fewer outcomes than breakouts")
	}
	for _, sz := range []struct{ w, h int }{{80, 23}, {100, 25}, {119, 31}, {159, 40}, {200, 50}} {
		m, _ := testModel(t, Options{ShowNowWhat: true})
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: snap})
		// The panel's text in reading order: its frame's sides are not words
		// (a sentence wrapped at "on any│ │day" reads "on any day").
		flat := strings.Join(strings.Fields(strings.ReplaceAll(ansi.Strip(m.nowWhat().View()), "│", " ")), " ")
		if !strings.Contains(flat, fmt.Sprintf("%d past breakouts", total)) && !strings.Contains(flat, fmt.Sprintf("After %d breakouts", total)) {
			t.Errorf("%dx%d: the count is not %d: %s", sz.w, sz.h, total, flat)
		}
		if !strings.Contains(flat, fmt.Sprintf("(%d with", n6)) {
			t.Errorf("%dx%d: the 6m sample %d is not said: %s", sz.w, sz.h, n6, flat)
		}
		if base := fmt.Sprintf("%.0f%%", snap.Analogs.Horizons[2].BaseRelHitRate.V*100); !strings.Contains(flat, "any day "+base) && !strings.Contains(flat, base+" on any day") {
			t.Errorf("%dx%d: the kept-leading base rate %s is not beside the rate: %s", sz.w, sz.h, base, flat)
		}
	}
}

// TestZeroIsFlatEverywhere: values that round to zero at their shown
// precision (a quote's change, the ratio's change, a sector cell, the
// 21-day lead) are shown unsigned and flat on every panel: never "-0.0",
// "+0.00", "▼-0.00%" or "▲+0.00%".
func TestZeroIsFlatEverywhere(t *testing.T) {
	snap := testSnapshot(1)
	snap.Symbols[0].ChangePct = engine.Some(-0.001)
	snap.Symbols[1].ChangePct = engine.Some(0.003)
	snap.Pair.RatioChangePct = engine.Some(-0.004)
	for i := range snap.Sectors {
		snap.Sectors[i].SmallRet.M1 = engine.Some(-0.04)
		snap.Sectors[i].LargeRet.M1 = engine.Some(0.02)
		snap.Sectors[i].Spread.M1 = engine.Some(-0.06)
	}
	for i := range snap.Flags {
		if snap.Flags[i].ID == engine.FlagSmallLeads21d {
			snap.Flags[i].Value = engine.Some(-0.03)
		}
	}
	bad := regexp.MustCompile(`[-+]0\.0+\b|[▲▼][-+]?0\.00`)
	for _, sz := range []struct{ w, h int }{{200, 50}, {120, 40}, {80, 23}} {
		m, _ := testModel(t, Options{ShowNowWhat: true})
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: snap})
		scr := screen(m)
		if b := bad.FindString(scr); b != "" {
			t.Errorf("%dx%d: %q on screen:\n%s", sz.w, sz.h, b, scr)
		}
		if !strings.Contains(scr, "=0.00%") {
			t.Errorf("%dx%d: a change that rounds to zero is not shown as =0.00%%:\n%s", sz.w, sz.h, scr)
		}
	}
}
