package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/charmbracelet/x/ansi"
)

// flagLines returns the flags panel's plain lines keyed by flag label.
func flagLines(t *testing.T, m Model) map[string]string {
	t.Helper()
	_ = m.View() // lays the panels out
	out := map[string]string{}
	for _, l := range strings.Split(ansi.Strip(m.flags().View()), "\n") {
		for _, f := range m.snap.Flags {
			if strings.Contains(l, flagLabel(f.ID)) {
				out[f.ID] = l
			}
		}
	}
	return out
}

// TestFlagsShowSinceAndValue (issue 6): every flag that is on shows its
// since date next to its value vs threshold from 60 columns up (the 120×40
// panel is 60 cells wide), and its since date in the 44 cells of 80×24.
func TestFlagsShowSinceAndValue(t *testing.T) {
	snap := testSnapshot(1)
	for _, tc := range []struct {
		w, h  int
		value bool
	}{{200, 50, true}, {160, 45, true}, {120, 40, true}, {60, 23, true}, {80, 24, false}} {
		m, _ := testModel(t, Options{ShowNowWhat: true})
		m = update(m, tea.WindowSizeMsg{Width: tc.w, Height: tc.h}, SnapshotMsg{Snap: snap})
		lines := flagLines(t, m)
		for _, f := range snap.Flags {
			l, ok := lines[f.ID]
			if !ok {
				t.Errorf("%dx%d: %s not listed", tc.w, tc.h, f.ID)
				continue
			}
			if !strings.Contains(l, "confirmed") && !strings.Contains(l, "forming") && !strings.Contains(l, "off") {
				t.Errorf("%dx%d: %s has no state word: %q", tc.w, tc.h, f.ID, l)
			}
			if on := f.State != engine.FlagOff; on != (strings.Contains(l, "since ") || strings.Contains(l, "from ")) {
				t.Errorf("%dx%d: %s (%v) since shown %v: %q", tc.w, tc.h, f.ID, f.State, !on, l)
			}
			thr := flagValue(f.ID, f.Threshold.V, false)
			if tc.value && !strings.Contains(l, flagValue(f.ID, f.Value.V, true)+" vs "+thr) {
				t.Errorf("%dx%d: %s lacks value vs %s: %q", tc.w, tc.h, f.ID, thr, l)
			}
		}
	}
	// The date is in full where it fits, "since Oct 29" at 80×24, "from Oct 29" at 60 cells.
	m, _ := testModel(t, Options{ShowNowWhat: true})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: snap})
	if l := flagLines(t, m)[engine.FlagRatioAboveSMA200]; !strings.Contains(l, "since 2026-10-29") {
		t.Errorf("200x50: since date %q, want since 2026-10-29", l)
	}
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	if l := flagLines(t, m)[engine.FlagRatioAboveSMA200]; !strings.Contains(l, "since Oct 29") {
		t.Errorf("80x24: since date %q, want since Oct 29", l)
	}
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	if l := flagLines(t, m)[engine.FlagRatioAboveSMA200]; !strings.Contains(l, "from Oct 29") {
		t.Errorf("120x40: since date %q, want from Oct 29", l)
	}
}

// TestFlagMeanings: the engine's meanings are long ("IWM/SPY above its
// 50-day average: small caps leading over ~2½ months"). At 200×50 each
// flag's line ends with its meaning, cut to the room left; where fewer than
// minMeaning cells would be left it is not squeezed in; zooming the flags
// panel (tab, z) shows every meaning whole on a second line, at 120×40 and
// at 80×24.
func TestFlagMeanings(t *testing.T) {
	snap := testSnapshot(1)
	flags := append([]engine.Flag(nil), snap.Flags...)
	for i := range flags {
		flags[i].Text = fmt.Sprintf("IWM/SPY flag %d above its average: small caps leading over ~2½ months and more", i)
	}
	snap.Flags = flags
	m, _ := testModel(t, Options{ShowNowWhat: true})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: snap})
	lines := flagLines(t, m)
	for i, f := range flags {
		if l := lines[f.ID]; !strings.Contains(l, fmt.Sprintf("IWM/SPY flag %d above its average", i)) {
			t.Errorf("200x50: %s lacks its meaning: %q", f.ID, l)
		}
	}
	m = update(m, tea.WindowSizeMsg{Width: 160, Height: 45})
	for _, l := range flagLines(t, m) {
		if strings.Contains(l, "IWM/SPY flag") {
			t.Errorf("160x45: meaning squeezed into the line: %q", l)
		}
	}
	for _, sz := range []struct{ w, h int }{{120, 40}, {80, 24}} {
		m, _ := testModel(t, Options{ShowNowWhat: true})
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: snap}, press("tab"))
		if scr := screen(m); sz.w >= 120 && !strings.Contains(scr, "Breakout flags 3/9 confirmed, 2 forming · z explains") {
			t.Errorf("%dx%d: the focused flags panel does not say z explains:\n%s", sz.w, sz.h, scr)
		}
		m = update(m, press("z"))
		scr := screen(m)
		if strings.Contains(scr, "z explains") {
			t.Errorf("%dx%d zoomed: still says z explains", sz.w, sz.h)
		}
		for _, f := range flags {
			if !strings.Contains(scr, f.Text) {
				t.Errorf("%dx%d zoomed: meaning %q not shown whole:\n%s", sz.w, sz.h, f.Text, scr)
			}
		}
		if !strings.Contains(scr, "since 2026-10-29") {
			t.Errorf("%dx%d zoomed: no since date", sz.w, sz.h)
		}
	}
}

// TestConfirmedFlagBeforeLiveValue: a confirmed flag whose live value is
// not defined yet (the paced volume in the first minutes of the session)
// shows the value and threshold it held at the last close, not "—" next
// to "confirmed"; without a close known it says the threshold was met at
// the close.
func TestConfirmedFlagBeforeLiveValue(t *testing.T) {
	const id = engine.FlagSmallVolumeSurge
	withSurge := func(v, atClose engine.Num) *engine.Snapshot {
		s := testSnapshot(1)
		s.Session.State = "open"
		flags := append([]engine.Flag(nil), s.Flags...)
		for i := range flags {
			if flags[i].ID == id {
				flags[i].State, flags[i].Since, flags[i].Value = engine.FlagConfirmed, "2026-11-23", v
				flags[i].CloseValue, flags[i].CloseThreshold = atClose, engine.Some(1.5)
			}
		}
		s.Flags = flags
		return s
	}
	m, _ := testModel(t, Options{ShowNowWhat: true})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: withSurge(engine.Num{}, engine.Some(1.83))})
	l := flagLines(t, m)[id]
	if !strings.Contains(l, "1.83× vs 1.50×") || strings.Contains(l, "—") {
		t.Errorf("before the live value: %q, want the close's 1.83× vs 1.50×", l)
	}
	m = update(m, SnapshotMsg{Snap: withSurge(engine.Num{}, engine.Num{})})
	l = flagLines(t, m)[id]
	if !strings.Contains(l, "≥1.50× at close") || strings.Contains(l, "—") {
		t.Errorf("no close known: %q, want ≥1.50× at close", l)
	}
	if !strings.Contains(l, "from Nov 23") {
		t.Errorf("since date lost: %q", l)
	}
	// An off flag without a value keeps the dash.
	off := withSurge(engine.Num{}, engine.Num{})
	off.Flags[7].State, off.Flags[7].Since = engine.FlagOff, ""
	m = update(m, SnapshotMsg{Snap: off})
	if l := flagLines(t, m)[id]; !strings.Contains(l, "— vs 1.50×") {
		t.Errorf("off flag without a value: %q", l)
	}
}

// TestFadingFlagShown (issue 14 item 1): a flag that held at the last close
// but fails on the live bar is shown as fading, by its own symbol and word
// (also without colour), with the live value against the live threshold
// and, where it fits, the value it held at the close; the title counts it
// apart from the confirmed ones. Narrow panels keep the word and the date.
func TestFadingFlagShown(t *testing.T) {
	const id = engine.FlagRatioAboveSMA50
	s := testSnapshot(1)
	flags := append([]engine.Flag(nil), s.Flags...)
	for i := range flags {
		if flags[i].ID == id {
			flags[i].State, flags[i].Since = engine.FlagFading, "2026-11-02"
			flags[i].Value, flags[i].Threshold = engine.Some(0.3822), engine.Some(0.3828)
			flags[i].CloseDate, flags[i].CloseValue, flags[i].CloseThreshold = "2026-11-23", engine.Some(0.3847), engine.Some(0.3826)
		}
	}
	s.Flags = flags
	for _, tc := range []struct {
		w, h         int
		value, close bool // the panel has room for them (80×23: the since dates come first)
	}{{200, 50, true, true}, {120, 40, true, false}, {80, 23, false, false}} {
		m, _ := testModel(t, Options{ShowNowWhat: true, NoColor: true})
		m = update(m, tea.WindowSizeMsg{Width: tc.w, Height: tc.h}, SnapshotMsg{Snap: s})
		l := flagLines(t, m)[id]
		if !strings.Contains(l, "◑ fading") || strings.Contains(l, "0.3822 vs 0.3828") != tc.value || !strings.Contains(l, "11-02") && !strings.Contains(l, "Nov 02") {
			t.Errorf("%d×%d: %q, want ◑ fading, the run's start, the live 0.3822 vs 0.3828 %v", tc.w, tc.h, l, tc.value)
		}
		if got := strings.Contains(l, "close 0.3847"); got != tc.close {
			t.Errorf("%d×%d: %q: the close's value shown %v, want %v", tc.w, tc.h, l, got, tc.close)
		}
		if strings.Contains(l, "confirmed") {
			t.Errorf("%d×%d: a fading flag reads confirmed: %q", tc.w, tc.h, l)
		}
		title := strings.SplitN(ansi.Strip(m.flags().View()), "\n", 2)[0]
		if tc.w >= 120 && !strings.Contains(title, "1 fading") {
			t.Errorf("%d×%d: title %q does not count the fading flag", tc.w, tc.h, title)
		}
	}
}

// TestVolumeSurgeSaysDownDay: the surge counts on an up day only, so on a
// down day it is off however high the volume; the line says why ("1.79× vs
// 1.50×" while off read as a contradiction) with the engine's note. On an
// up day, while the flag holds, or on a down day whose volume would not
// pass anyway (the engine notes nothing), nothing is added: the panel
// renders the note, it does not re-derive it from the quotes.
func TestVolumeSurgeSaysDownDay(t *testing.T) {
	for _, c := range []struct {
		name      string
		last      float64 // the small leg's last; its previous close is 200
		value     float64
		state     engine.FlagState
		note      string // the engine's
		wantDown  bool
		wantValue string
	}{
		{"down day, off", 199.5, 1.79, engine.FlagOff, "down day", true, "1.79× vs 1.50×"},
		{"flat day, off", 200, 1.79, engine.FlagOff, "down day", true, "1.79× vs 1.50×"},
		{"down day, fading", 199.5, 1.79, engine.FlagFading, "down day", true, "1.79× vs 1.50×"},
		{"down day, low volume", 199.5, 1.2, engine.FlagOff, "", false, "1.20× vs 1.50×"},
		{"up day, off", 200.5, 1.79, engine.FlagOff, "", false, "1.79× vs 1.50×"},
		{"up day, forming", 200.5, 1.79, engine.FlagForming, "", false, "1.79× vs 1.50×"},
	} {
		s := *testSnapshot(1)
		s.Flags = append([]engine.Flag(nil), s.Flags...)
		s.Symbols = append([]engine.SymbolSnapshot(nil), s.Symbols...)
		for i := range s.Symbols {
			if s.Symbols[i].Symbol == s.Pair.Small {
				s.Symbols[i].Last, s.Symbols[i].PrevClose = engine.Some(c.last), engine.Some(200)
			}
		}
		for i := range s.Flags {
			if f := &s.Flags[i]; f.ID == engine.FlagSmallVolumeSurge {
				f.State, f.Value, f.Threshold, f.Since, f.Note = c.state, engine.Some(c.value), engine.Some(1.5), "", c.note
				if c.state != engine.FlagOff {
					f.Since = "2025-11-20"
				}
				if c.state == engine.FlagFading {
					f.CloseValue = engine.Some(1.9)
				}
			}
		}
		m, _ := testModel(t, Options{ShowNowWhat: true})
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: &s})
		line := flagLines(t, m)[engine.FlagSmallVolumeSurge]
		if !strings.Contains(line, c.wantValue) || strings.Contains(line, "down day") != c.wantDown {
			t.Errorf("%s: %q (want %q, down day %v)", c.name, line, c.wantValue, c.wantDown)
		}
	}
}

// TestVolumeSurgeNoteIsTheEngines drives the engine through live down days
// of the small leg, with volume below and above the surge's threshold, and
// checks the panel says "down day" exactly when the engine's flag (its
// JSON note, the signal log's) does: on a down day with ordinary volume
// the dashboard said "down day" while the JSON had no note.
func TestVolumeSurgeNoteIsTheEngines(t *testing.T) {
	cal := calendar.NYSE()
	ny := calendar.Location()
	var days []time.Time
	for d := time.Date(2026, 12, 3, 0, 0, 0, 0, ny); len(days) < 30; d = cal.PrevTradingDate(d) {
		days = append([]time.Time{d}, days...)
	}
	hist := map[string][]engine.Bar{}
	for _, sym := range []string{"IWM", "SPY"} {
		for i, d := range days[:len(days)-1] {
			c := 100 + float64(i)
			hist[sym] = append(hist[sym], engine.Bar{Symbol: sym, Time: d, Open: c, High: c, Low: c, Close: c, Volume: 1e6})
		}
	}
	prev := hist["IWM"][len(hist["IWM"])-1].Close
	at := days[len(days)-1].Add(15 * time.Hour) // 15:00 New York: most of the day's volume is in
	for _, c := range []struct {
		name   string
		volume float64 // the small leg's volume so far today
		up     bool
	}{
		{"down day, ordinary volume", 0.8e6, false},
		{"down day, heavy volume", 5e6, false},
		{"up day, heavy volume", 5e6, true},
	} {
		e, err := engine.New(engine.DefaultConfig(), cal)
		if err != nil {
			t.Fatal(err)
		}
		e.LoadHistory(hist)
		price := prev - 1
		if c.up {
			price = prev + 1
		}
		e.ApplyQuotes([]engine.Quote{{Symbol: "IWM", Price: price, DayVolume: c.volume, Time: at}, {Symbol: "SPY", Price: 130, DayVolume: 1e6, Time: at}})
		snap := e.Snapshot(at)
		var f engine.Flag
		for _, x := range snap.Flags {
			if x.ID == engine.FlagSmallVolumeSurge {
				f = x
			}
		}
		b, err := f.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		jsonNote := strings.Contains(string(b), `"note":"down day"`)
		if c.name == "down day, heavy volume" && !jsonNote || c.name != "down day, heavy volume" && jsonNote {
			t.Fatalf("%s: the fixture: the engine's flag %s", c.name, b)
		}
		m, _ := testModelAt(t, Options{ShowNowWhat: true}, at)
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: snap})
		line := flagLines(t, m)[engine.FlagSmallVolumeSurge]
		if strings.Contains(line, "down day") != jsonNote {
			t.Errorf("%s: the panel reads %q, the engine's JSON %s", c.name, line, b)
		}
	}
}
