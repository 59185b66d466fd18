package faults_test

import (
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/tui"
)

// TestStaleRulesAgree: the dashboard (tui.Stale) and `capwatch status`
// (app.FormatStatus's "stale" marker) judge the same data the same way with
// a healthy feed, on a table of hand-picked instants around the NYSE week of
// Thanksgiving 2026 (Thu 26 closed, Fri 27 closes at 13:00).
func TestStaleRulesAgree(t *testing.T) {
	ny := calendar.Location()
	at := func(d, h, mi int) time.Time { return time.Date(2026, 11, d, h, mi, 0, 0, ny) }
	cal := calendar.NYSE()
	const limit = 2 * time.Minute
	cases := []struct {
		name      string
		asOf, now time.Time
		stale     bool // hand-decided
	}{
		{"open, fresh", at(24, 10, 59), at(24, 11, 0), false},
		{"open, 10 minutes old", at(24, 10, 50), at(24, 11, 0), true},
		{"after-hours, the close", at(24, 16, 0), at(24, 16, 20), false},
		{"after-hours, the last minute bar", at(24, 15, 59), at(24, 19, 0), false},
		{"after-hours, yesterday's close", at(23, 16, 0), at(24, 17, 0), true},
		{"pre-market, yesterday's close", at(24, 16, 0), at(25, 8, 0), false},
		{"pre-market, two days old", at(23, 16, 0), at(25, 8, 0), true},
		{"holiday, the day before's close", at(25, 16, 0), at(26, 12, 0), false},
		{"Saturday, Friday's early close", at(27, 13, 0), at(28, 12, 0), false},
		{"Saturday, Wednesday's close", at(25, 16, 0), at(28, 12, 0), true},
	}
	for _, c := range cases {
		d := app.StatusData{Feed: "yahoo", Live: true, Small: "IWM", Large: "SPY", AsOf: c.asOf}
		appStale := strings.Contains(app.FormatStatus(d, c.now, cal, app.StatusOptions{StaleAfter: limit}), "stale ")
		tuiStale := tui.Stale(c.asOf, c.now, limit, cal, true)
		if appStale != c.stale || tuiStale != c.stale {
			t.Errorf("%s: status says stale=%v, dashboard says stale=%v, want %v", c.name, appStale, tuiStale, c.stale)
		}
	}
	// The one deliberate difference: a session cut short by the feed (data
	// from 13:00) seen after the close is stale on the dashboard only.
	if !tui.Stale(at(24, 13, 0), at(24, 17, 0), limit, cal, true) {
		t.Error("dashboard: data from 13:00 seen at 17:00 is not stale")
	}
}
