package dashboard

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds/demo"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/tui"
)

// TestDemoHistoryWaitsForTheOpen: the dashboard hands the demo's simulated
// open to the model, so the snapshot of the demo's history (the previous
// day's end) is not shown before the first quotes (QA-1 item 19).
func TestDemoHistoryWaitsForTheOpen(t *testing.T) {
	open := time.Date(2026, 12, 4, 9, 30, 0, 0, calendar.Location())
	wall := clock.NewFake(open.Add(-time.Minute))
	cfg := config.Default()
	ec := cfg.Engine()
	f, err := demo.New(demo.Options{Seed: 1, Speed: 1, Symbols: ec.Symbols(), Clock: wall, Small: ec.Small, Large: ec.Large, Start: open})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(ec, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(t.Context(), Options{Feed: f, Engine: eng, Config: cfg, Symbols: ec.Symbols(), Clock: wall, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	thu := time.Date(2026, 12, 3, 20, 0, 0, 0, calendar.Location())
	hist := &engine.Snapshot{Seq: 1, Now: thu, AsOf: thu.Add(-4 * time.Hour), Feed: "demo", Session: engine.SessionInfo{State: "closed"}}
	m, _ := d.Model.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m, _ = m.Update(tui.SnapshotMsg{Snap: hist})
	if top := strings.SplitN(m.View().Content, "\n", 2)[0]; !strings.Contains(top, "waiting for the first quotes") || strings.Contains(top, "closed") {
		t.Errorf("the demo's history is shown before its open: %q", top)
	}
}
