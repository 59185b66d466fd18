package dashboard

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/tui"
)

// TestDemoAtSpeedIsNotFalselyStale: at --speed 600 a second of wall time is
// ten simulated minutes, so a delivery a second late is no stale feed; the
// marker still comes when the demo stops delivering for a while (issue 14
// item 12: ⚠ STALE flickered at demo speed 600).
func TestDemoAtSpeedIsNotFalselyStale(t *testing.T) {
	wall := clock.NewFake(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC))
	cfg := config.Default()
	cfg.Feeds.Demo.Speed = 600
	ec := engine.DefaultConfig()
	eng, err := engine.New(ec, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	f := fake.New(fake.Options{Name: "demo", Kind: feeds.KindDemo})
	d, err := New(t.Context(), Options{Feed: f, Engine: eng, Config: cfg, Symbols: []string{"IWM", "SPY"}, Clock: wall, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 10, 15, 0, 0, calendar.Location())
	snap := &engine.Snapshot{Seq: 1, AsOf: t0, Feed: "demo", Session: engine.SessionInfo{State: "open"},
		Symbols: []engine.SymbolSnapshot{{Symbol: "IWM", Last: engine.Some(200), DataTime: t0}}}
	d.FeedClock.Observe(t0)
	m := d.Model
	update := func(msgs ...tea.Msg) {
		for _, msg := range msgs {
			m, _ = m.Update(msg)
		}
	}
	update(tea.WindowSizeMsg{Width: 120, Height: 40}, tui.StatusMsg{Status: feeds.Status{Feed: "demo", State: feeds.StateOK, Interval: time.Second / 600}})
	for _, late := range []time.Duration{time.Second, 3 * time.Second} {
		wall.Advance(late)
		update(tui.SnapshotMsg{Snap: snap})
		if v := m.View().Content; strings.Contains(v, "STALE") {
			t.Errorf("%v of wall time late (%v simulated): STALE\n%s", late, d.FeedClock.Now().Sub(t0), v)
		}
	}
	wall.Advance(30 * time.Second) // five simulated hours without data
	update(tui.SnapshotMsg{Snap: snap})
	if v := m.View().Content; !strings.Contains(v, "STALE") {
		t.Errorf("34 s of wall time without data (%v simulated): not stale\n%s", d.FeedClock.Now().Sub(t0), v)
	}
}
