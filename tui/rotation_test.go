package tui

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/capwatch/capwatch/engine"
	rot "github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/calendar"
)

// testRotation is the rotation map of testSnapshot: the default sectors'
// legs on NYSE trading days up to the snapshot's date, each small leg
// cycling around its large leg with its own period and phase (so the
// sectors sit in different quadrants), computed by engine/rotation.
var testRotation = sync.OnceValue(func() *rot.Rotation {
	cal := calendar.NYSE()
	ny := calendar.Location()
	var days []rot.Day
	for d := time.Date(2024, 1, 2, 12, 0, 0, 0, ny); d.Before(time.Date(2026, 11, 24, 13, 0, 0, 0, ny)); d = d.AddDate(0, 0, 1) {
		if cal.IsTradingDay(d) {
			days = append(days, rot.DayOf(d))
		}
	}
	in := rot.Input{Small: "IWM", Large: "SPY", Series: map[string]rot.Series{}}
	mk := func(sym string, f func(w float64) float64) {
		s := rot.Series{Days: days, Closes: make([]float64, len(days))}
		for i, d := range days {
			s.Closes[i] = f(float64(d-days[0]) / 7)
		}
		in.Series[sym] = s
	}
	mk("SPY", func(w float64) float64 { return 500 * math.Exp(0.002*w) })
	mk("IWM", func(w float64) float64 { return 200 * math.Exp(0.002*w) * (1 + 0.04*math.Sin(w/4)) })
	for k, sp := range engine.DefaultSectors() {
		in.Sectors = append(in.Sectors, rot.Sector{Name: sp.Name, Small: sp.Small, Large: sp.Large})
		kk := float64(k)
		mk(sp.Large, func(w float64) float64 { return (60 + 9*kk) * math.Exp(0.002*w) * (1 + 0.03*math.Sin(w/5+kk)) })
		mk(sp.Small, func(w float64) float64 {
			return (25 + 4*kk) * math.Exp(0.002*w) * (1 + 0.03*math.Sin(w/5+kk)) * (1 + 0.05*math.Sin(2*math.Pi*w/(14+2*kk)+0.9*kk))
		})
	}
	c, err := rot.NewComputer(rot.Config{}, cal)
	if err != nil {
		panic(err)
	}
	return c.Compute(in)
})

// TestRotationPanelKeys: v cycles the three views (the header names each),
// - and + shorten and lengthen the tails within 1…the points kept, and the
// help screen lists the keys under the panel's name.
func TestRotationPanelKeys(t *testing.T) {
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
	if !m.lay.shown(panelRotation) {
		t.Fatal("200×50 does not show the rotation map")
	}
	for _, want := range []string{"small-cap sectors vs IWM", "large-cap sectors vs SPY", "small vs large by sector"} {
		m = update(m, press("v"))
		if scr := screen(m); !strings.Contains(scr, want) {
			t.Errorf("after v: %q not on screen:\n%s", want, scr)
		}
	}
	p := m.panels[panelRotation].(*rotationPanel)
	if p.tail != 8 {
		t.Fatalf("tail %d, want the engine's 8", p.tail)
	}
	for range 30 {
		m = update(m, press("-"))
	}
	if p.tail != 1 || !strings.Contains(screen(m), "tail 1w") {
		t.Errorf("tail after many -: %d", p.tail)
	}
	for range 40 {
		m = update(m, press("+"))
	}
	if p.tail != rot.DefaultKeep || !strings.Contains(screen(m), "tail 26w") {
		t.Errorf("tail after many +: %d", p.tail)
	}
	m = update(m, press("?"))
	help := screen(m)
	for _, want := range []string{"rotation map", "rotation view", "shorter tails", "+/= longer tails", "▲ leading"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
}

// TestRotationReachedByZoom: at 80×23 the map has no place; z then tab
// reaches it, drawn whole in the zoomed pane (axes, corner names, table).
func TestRotationReachedByZoom(t *testing.T) {
	m, _ := testModel(t, Options{NoColor: true})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 23}, SnapshotMsg{Snap: testSnapshot(1)})
	if m.lay.shown(panelRotation) {
		t.Fatal("80×23 shows the rotation map; the test needs it hidden")
	}
	m = update(m, press("z"))
	for range panelCount {
		if m.focus == panelRotation {
			break
		}
		m = update(m, press("tab"))
	}
	scr := ansi.Strip(screen(m))
	for _, want := range []string{"Rotation map (JdK-style)", "△ Improving", "Leading ▲", "▽ Lagging", "Weakening ▼", "┼", "IWM/SPY", "wks"} {
		if !strings.Contains(scr, want) {
			t.Errorf("zoomed 80×23: %q not on screen:\n%s", want, scr)
		}
	}
}

// TestRotationPanelRedraw: the panel redraws only when the map changes, not
// on every snapshot (the engine publishes the same map until a daily close).
func TestRotationPanelRedraw(t *testing.T) {
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
	p := m.panels[panelRotation].(*rotationPanel)
	p.SetSnapshot(testSnapshot(2)) // same map, new quotes
	if p.dirty {
		t.Error("a snapshot with the same map marks the panel dirty")
	}
	s := testSnapshot(3)
	r := *s.Rotation
	s.Rotation = &r
	p.SetSnapshot(s)
	if !p.dirty {
		t.Error("a new map does not redraw the panel")
	}
}

// TestRotationScreens runs the program (teatest, NO_COLOR) at 200×50, where
// the map has its place, and at 120×40 and 80×23, where z then tab reaches
// it, and reads the vt emulator's screen: the frame title, the corner
// names, the axes' crossing, the pair's label and the table header; no
// colour escape reaches the terminal.
func TestRotationScreens(t *testing.T) {
	for _, tc := range []struct {
		w, h int
		zoom bool
	}{{200, 50, false}, {120, 40, true}, {80, 23, true}} {
		t.Run(fmt.Sprintf("%dx%d", tc.w, tc.h), func(t *testing.T) {
			m, _ := testModel(t, Options{NoColor: true})
			s := newVTScreen(t, m, tc.w, tc.h)
			s.tm.Send(SnapshotMsg{Snap: testSnapshot(1)})
			s.waitFor(t, "Ratio IWM ÷ SPY")
			if tc.zoom {
				s.tm.Type("z")
				for id := panelChart + 1; id <= panelRotation; id++ { // tab walks every panel while zoomed
					if m.panels[id] != nil {
						s.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
					}
				}
			}
			s.waitFor(t, "Rotation map (JdK-style)", "△ Improving", "Leading ▲", "▽ Lagging", "Weakening ▼", "┼", "IWM/SPY", "wks")
			s.tm.Type("q")
			out, err := io.ReadAll(s.tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(out, []byte("38;5;")) || bytes.Contains(out, []byte("48;5;")) {
				t.Error("NO_COLOR: a colour escape reached the terminal")
			}
		})
	}
}

// TestZoomedRotationFitsAt80x23: the zoomed map at 80×23 shows both value
// ranges (momentum up, ratio across) and its header whole, the unfinished
// week included (QA-1 item 22: only "rs-ratio 97.5…102.8 →" and a header
// cut to "(unfinis…").
func TestZoomedRotationFitsAt80x23(t *testing.T) {
	m, _ := testModel(t, Options{NoColor: true})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 23}, SnapshotMsg{Snap: testSnapshot(1)}, press("z"))
	for range panelCount {
		if m.focus == panelRotation {
			break
		}
		m = update(m, press("tab"))
	}
	scr := vtShow(t, m)
	rows := strings.Split(scr, "\n")
	var head string
	for _, r := range rows {
		if strings.Contains(r, "small vs large by sector") {
			head = strings.TrimSpace(r)
		}
	}
	unfinished := false
	for _, e := range testRotation().Entries(rot.SmallVsLarge) {
		unfinished = unfinished || e.Unfinished
	}
	if head == "" || strings.Contains(head, "…") || !strings.Contains(head, "tail 8w") || !strings.Contains(head, "week of") ||
		unfinished != strings.Contains(head, "(unfinished)") {
		t.Errorf("header %q (unfinished week: %v)\n%s", head, unfinished, scr)
	}
	rng := `\d+\.\d…\d+\.\d`
	if !regexp.MustCompile(`↑ [a-z -]*` + rng).MatchString(scr) {
		t.Errorf("no momentum range (↑ … lo…hi) on the zoomed map:\n%s", scr)
	}
	if !regexp.MustCompile(`ratio ` + rng + ` →`).MatchString(scr) {
		t.Errorf("no ratio range on the zoomed map:\n%s", scr)
	}
}
