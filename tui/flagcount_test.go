package tui

import (
	"bytes"
	"regexp"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestFlagsTitleIsTheSnapshotsCount: with the pair's large leg missing
// the ratio flags cannot be judged, and the flags panel's title counts
// them exactly as the text snapshot (and `capwatch status`) do —
// confirmed of the flags judged, the rest "no data" apart. The panel said
// "4/9 confirmed, 1 no data" where status said "4/8 … · 1 no data".
func TestFlagsTitleIsTheSnapshotsCount(t *testing.T) {
	cal := calendar.NYSE()
	ny := calendar.Location()
	series := growthSeries(cal, time.Date(2026, 12, 3, 0, 0, 0, 0, ny), 260)
	hist := map[string][]engine.Bar{}
	for _, sym := range []string{"IWM", "PSCT", "XLK", "PSCH", "XLV"} { // no SPY
		hist[sym] = series(sym, 0.001)
	}
	e, err := engine.New(engine.DefaultConfig(), cal)
	if err != nil {
		t.Fatal(err)
	}
	e.LoadHistory(hist)
	snap := e.Snapshot(time.Date(2026, 12, 3, 20, 0, 0, 0, ny))

	var text bytes.Buffer
	if err := app.WriteText(&text, snap); err != nil {
		t.Fatal(err)
	}
	tm := regexp.MustCompile(`(?m)^Flags (\d+/\d+) confirmed.*?(\d+) no data`).FindStringSubmatch(text.String())
	if tm == nil {
		t.Fatalf("the fixture: the text snapshot has no flags without data:\n%s", text.String())
	}
	for _, sz := range []struct{ w, h int }{{120, 40}, {200, 50}, {80, 23}} {
		m, _ := testModelAt(t, Options{ShowNowWhat: true}, snap.Now)
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: snap})
		scr := vtShow(t, m)
		dm := regexp.MustCompile(`[Ff]lags (\d+/\d+) (?:confirmed|●).*?(\d+) no data`).FindStringSubmatch(scr)
		if dm == nil {
			t.Fatalf("%dx%d: no flag count on screen:\n%s", sz.w, sz.h, scr)
		}
		if dm[1] != tm[1] || dm[2] != tm[2] {
			t.Errorf("%dx%d: the panel counts %s, %s no data; the text snapshot %s, %s no data:\n%s", sz.w, sz.h, dm[1], dm[2], tm[1], tm[2], scr)
		}
	}
}
