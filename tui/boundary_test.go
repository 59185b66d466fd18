package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
)

// evil carries the terminal escapes a feed string could smuggle: an OSC 52
// clipboard write, CSI erase/colour/cursor, 8-bit CSI, BEL, bidi override.
const evil = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x1b[31m\u009b2J\x1b[H\u202e"

// TestScreenCleanBehindTheBoundary: the dashboard prints snapshot and status
// strings as they are (no render-time sanitiser), so they must come clean
// from the one feed → engine boundary. A feed whose name, history errors
// and status carry escapes goes through that boundary (app.BuildSnapshot,
// which wraps it in feeds.Sanitized; feeds.CleanStatus for the status, as
// the pipeline does) and the engine; the screen has none of the escapes and
// still shows the text around them.
func TestScreenCleanBehindTheBoundary(t *testing.T) {
	cfg := engine.DefaultConfig()
	cal := calendar.NYSE()
	daily := map[string][]engine.Bar{}
	day := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 260; day = day.AddDate(0, 0, 1) {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		for j, sym := range []string{cfg.Small, cfg.Large} {
			p := 100 + float64(i%17) + float64(j)*300
			daily[sym] = append(daily[sym], engine.Bar{Symbol: sym, Time: day, Open: p, High: p + 1, Low: p - 1, Close: p, Volume: 1e6})
		}
		i++
	}
	var errs []engine.SymbolError
	for _, sym := range cfg.Symbols() {
		if sym != cfg.Small && sym != cfg.Large {
			errs = append(errs, engine.SymbolError{Symbol: sym, Message: "boom" + evil + "gone"})
		}
	}
	f := fake.New(fake.Options{Name: "evil" + evil, Kind: feeds.KindReplay, History: feeds.History{Daily: daily, Errors: errs}})
	snap, err := app.BuildSnapshot(context.Background(), app.BuildOptions{Feed: f, Config: cfg, Calendar: cal})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Errors) == 0 {
		t.Fatal("the snapshot carries no errors: the test would not see them")
	}
	status := feeds.CleanStatus(feeds.Status{Feed: "evil" + evil, State: feeds.StateDown, LastError: "down" + evil + "hard", Note: "note" + evil})
	for _, sz := range []struct{ w, h int }{{200, 50}, {120, 40}, {80, 23}} {
		m, _ := testModelAt(t, Options{Feed: snap.Feed, Kind: feeds.KindReplay, NoColor: true, ShowNowWhat: true}, snap.AsOf)
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: snap}, StatusMsg{status}, press("?"))
		for _, view := range []string{m.View().Content, screen(update(m, press("?")))} {
			for _, bad := range []string{"\x1b]", "\x07", "\x1b[2J", "\x1b[31m", "\x1b[H", "\u009b", "\u202e", "cm0gLXJmIH4="} {
				if strings.Contains(view, bad) {
					t.Errorf("%dx%d: the screen contains %q", sz.w, sz.h, bad)
				}
			}
		}
		// The text around the escapes survives: the errors (listed whole on
		// the help screen) and the feed's reason (where they fit).
		if sz.h < 40 {
			continue
		}
		if help := screen(m); !strings.Contains(help, "boomgone") {
			t.Errorf("%dx%d: the symbols' errors are not listed:\n%s", sz.w, sz.h, help)
		}
		if scr := screen(update(m, press("?"))); !strings.Contains(scr, "feed down") || !strings.Contains(scr, "downhard") {
			t.Errorf("%dx%d: the feed's state is not shown:\n%s", sz.w, sz.h, scr)
		}
	}
}
