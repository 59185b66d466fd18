package nowwhat

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine/study"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestLatestBreakoutCountSaysWhatItCounts: a breakout on Tue 2026-12-01
// seen on Fri Dec 4 during the session (the last close is Thu Dec 3) is two
// closes back (Dec 2, Dec 3), three trading days counted to today. The line
// said "2 trading days ago" (QA-1 item 23); it must say what it counts:
// closes since, counted here from the history itself.
func TestLatestBreakoutCountSaysWhatItCounts(t *testing.T) {
	cal := calendar.NYSE()
	last := time.Date(2026, 12, 3, 0, 0, 0, 0, calendar.Location())
	event := time.Date(2026, 12, 1, 0, 0, 0, 0, calendar.Location())
	var dates []time.Time
	for d := last; len(dates) < 260; d = cal.PrevTradingDate(d) {
		dates = append([]time.Time{d}, dates...)
	}
	small, large := make([]float64, len(dates)), make([]float64, len(dates))
	for i, d := range dates {
		large[i] = 100
		small[i] = 40 - 0.01*float64(i) // a slow decline: the ratio under its SMA200
		if !d.Before(event) {
			small[i] = 45 // Dec 1 jumps above the SMA200 at a 20-day high; then holds
		}
	}
	a := study.Analogs(dates, small, large)
	if a.LastEvent == nil || *a.LastEvent != "2026-12-01" {
		t.Fatalf("the fixture's event: %v", a.LastEvent)
	}
	closes := 0 // the oracle: closed bars after the event's
	for _, d := range dates {
		if d.After(event) {
			closes++
		}
	}
	out := ansi.Strip(Render(&a, nil, "IWM", "SPY", 120, 40, NewStyles(true, false)))
	want := fmt.Sprintf("Latest breakout 2026-12-01, %d closes since; IWM/SPY", closes)
	if !strings.Contains(out, want) || strings.Contains(out, "trading days ago") {
		t.Errorf("want %q (closes after the event, to the last close) in\n%s", want, out)
	}

	// On the close of the event itself nothing has closed since: never
	// "today", which is wrong on the next morning.
	zero := 0
	a.BarsSinceLastEvent = &zero
	out = ansi.Strip(Render(&a, nil, "IWM", "SPY", 120, 40, NewStyles(true, false)))
	if !strings.Contains(out, "Latest breakout 2026-12-01, at the last close.") || strings.Contains(out, "today") {
		t.Errorf("0 closes since:\n%s", out)
	}
}
