package tui

import (
	"cmp"
	"fmt"
	"github.com/capwatch/capwatch/engine"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// panelTitles are text every panel's title starts with (oracle: what the
// user reads on screen).
var panelTitles = map[panelID]string{
	panelChart: "Ratio IWM ÷ SPY", panelFlags: "Breakout flags", panelSectors: "Sectors small vs large",
	panelQuotes: "Quotes by", panelNowWhat: "Now what?", panelBreadth: "Breadth", panelRotation: "Rotation map",
}

// TestEveryPanelOnCommonPanes drives the real program at the panes users
// run it in (80×23 is an 80×24 terminal under tmux's status line) and reads
// the emulated screen: every panel's title, the flags' lines, the key line
// with quit, and no run of blank rows.
func TestEveryPanelOnCommonPanes(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 23}, {100, 25}, {119, 31}, {159, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m, _ := testModel(t, Options{ShowNowWhat: true, ShowBreadth: true})
			s := newVTScreen(t, m, sz.w, sz.h)
			s.tm.Send(SnapshotMsg{Snap: testSnapshot(1)})
			want := []string{"q quit", "? help", "● confirmed Ratio > 200-day avg", "◐ forming", "Sector breadth"}
			for id, title := range panelTitles {
				if id != panelRotation { // 14 rows of its own: z shows it on these panes
					want = append(want, title)
				}
			}
			s.waitFor(t, want...)
			blank := 0
			for i, l := range strings.Split(s.em.String(), "\n") {
				if strings.TrimSpace(l) == "" || strings.Trim(l, " │") == "" {
					blank++
					if blank > 2 {
						t.Errorf("rows %d..%d are blank:\n%s", i-blank+1, i, s.em.String())
						break
					}
				} else {
					blank = 0
				}
			}
			s.tm.Type("q")
			s.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		})
	}
}

// shownPanels is the set of panels in the layout (with at least a title).
func shownPanels(m Model) []panelID {
	var ids []panelID
	for id := range panelCount {
		if m.lay.shown(id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// TestPanelsDegradeOneAtATime: shrinking the pane a row or a column at a
// time never adds a panel and removes at most one; every panel shown gets
// at least its title and a line, and its title is on screen.
func TestPanelsDegradeOneAtATime(t *testing.T) {
	for _, snap := range []bool{true, false} {
		m, _ := testModel(t, Options{ShowNowWhat: true, ShowBreadth: true})
		if snap {
			m = update(m, SnapshotMsg{Snap: testSnapshot(1)})
		}
		check := func(prev []panelID, w, h int, allowed int) []panelID {
			m = update(m, tea.WindowSizeMsg{Width: w, Height: h})
			got := shownPanels(m)
			for _, id := range got {
				if prev != nil && !slices.Contains(prev, id) {
					t.Errorf("%dx%d shows panel %d, the larger pane did not (%v → %v)", w, h, id, prev, got)
				}
			}
			if prev != nil && len(prev)-len(got) > allowed {
				t.Errorf("%dx%d: %d panels gone at once (%v → %v)", w, h, len(prev)-len(got), prev, got)
			}
			if snap && (w == 80 || w == 79 || h == 23) {
				scr := screen(m)
				for _, id := range got {
					if !strings.Contains(scr, panelTitles[id]) {
						t.Errorf("%dx%d: panel %d shown without its title %q:\n%s", w, h, id, panelTitles[id], scr)
					}
				}
			}
			return got
		}
		for _, w := range []int{60, 79, 80, 119, 120, 159} {
			var prev []panelID
			for h := 50; h >= tinyH; h-- {
				prev = check(prev, w, h, 1)
			}
		}
		// Narrower than 80 columns the panels stack in one column: from
		// two columns to one, the short panes lose two at once (three
		// below 19 rows, with the breadth panel registered).
		for _, h := range []int{15, 18, 19, 23, 24, 31, 32, 40} {
			var prev []panelID
			for w := 200; w >= tinyW; w -= 1 + btoi(w > 125)*4 {
				allowed := 1
				if w == compactW-1 {
					allowed = 2
					if h < 19 {
						allowed = 3
					}
				}
				prev = check(prev, w, h, allowed)
			}
		}
		// The rotation map needs a wide column and 14 rows of its own: on
		// these panes z shows it.
		for _, sz := range []struct{ w, h int }{{80, 23}, {100, 25}, {119, 31}, {159, 40}, {120, 40}, {119, 60}} {
			m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
			if got := shownPanels(m); len(got) != int(panelCount)-1 || slices.Contains(got, panelRotation) {
				t.Errorf("%dx%d shows %v, want every panel but the rotation map", sz.w, sz.h, got)
			}
		}
		for _, sz := range []struct{ w, h int }{{200, 50}, {180, 60}} {
			m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
			if n := len(shownPanels(m)); n != int(panelCount) {
				t.Errorf("%dx%d shows %d of %d panels", sz.w, sz.h, n, panelCount)
			}
		}
	}
}

// TestZoomReachesEveryPanel: where a panel has no place (60×15), tab then
// zoom still shows it, and tab while zoomed walks every panel.
func TestZoomReachesEveryPanel(t *testing.T) {
	m, _ := testModel(t, Options{ShowNowWhat: true, ShowBreadth: true})
	m = update(m, tea.WindowSizeMsg{Width: 60, Height: 15}, SnapshotMsg{Snap: testSnapshot(1)})
	if shown := shownPanels(m); len(shown) == int(panelCount) {
		t.Fatalf("60×15 shows every panel; the test needs hidden ones")
	}
	m = update(m, press("z"))
	seen := map[panelID]bool{}
	for range panelCount {
		scr := screen(m)
		for id, title := range panelTitles {
			if strings.Contains(scr, title) {
				seen[id] = true
			}
		}
		m = update(m, press("tab"))
	}
	for id := range panelCount {
		if !seen[id] {
			t.Errorf("panel %d (%q) never shown while zoomed", id, panelTitles[id])
		}
	}
}

// TestKeyLineKeepsHelpAndQuit: at every width the key line fits and keeps
// "? help" and "q quit" (bindings are dropped from the middle instead).
func TestKeyLineKeepsHelpAndQuit(t *testing.T) {
	for w := tinyW; w <= 220; w++ {
		m, _ := testModel(t, Options{ShowNowWhat: true, ShowBreadth: true})
		m = update(m, tea.WindowSizeMsg{Width: w, Height: 30}, SnapshotMsg{Snap: testSnapshot(1)})
		if !m.lay.keys {
			continue
		}
		lines := strings.Split(screen(m), "\n")
		last := lines[len(lines)-1]
		if !strings.Contains(last, "? help") || !strings.Contains(last, "q quit") || strings.Contains(last, "…") {
			t.Errorf("%d columns: key line %q", w, strings.TrimRight(last, " "))
		}
	}
}

// keyMapKeys are every key of every binding in the key map (by reflection,
// so a new binding cannot be missed).
func keyMapKeys() []string {
	km := defaultKeyMap()
	v := reflect.ValueOf(km)
	var keys []string
	for i := range v.NumField() {
		if b, ok := v.Field(i).Interface().(key.Binding); ok {
			keys = append(keys, b.Keys()...)
		}
	}
	sort.Strings(keys)
	return keys
}

// TestHelpListsEveryKey: the help screen names every key of every binding
// (enter, ctrl+c, esc included), at 80×23 and wider, and "q/ctrl+c  quit"
// is never cut.
func TestHelpListsEveryKey(t *testing.T) {
	pairs := []engine.PairChoice{{Small: "IWM", Large: "SPY"}, {Small: "IWM", Large: "QQQ"}}
	for _, sz := range []struct{ w, h int }{{80, 23}, {120, 40}, {200, 50}} {
		m, _ := testModel(t, Options{ShowNowWhat: true, ShowBreadth: true, Pairs: pairs, OnPair: func(engine.PairChoice) {}})
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: testSnapshot(1)}, press("?"))
		scr := screen(m)
		tokens := map[string]bool{}
		for _, f := range strings.FieldsFunc(scr, func(r rune) bool { return r == ' ' || r == '/' || r == '│' || r == '\n' }) {
			tokens[f] = true
		}
		for _, k := range keyMapKeys() {
			if !tokens[k] {
				t.Errorf("%dx%d: help does not list %q", sz.w, sz.h, k)
			}
		}
		if !regexp.MustCompile(`q/ctrl\+c +quit`).MatchString(scr) {
			t.Errorf("%dx%d: help lacks 'q/ctrl+c quit':\n%s", sz.w, sz.h, scr)
		}
	}
}

// TestREADMEKeyTable: the README's key table lists exactly the key map's
// keys (first column, each key in backticks).
func TestREADMEKeyTable(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "| Key | Action |")
	if i < 0 {
		t.Fatal("README has no '| Key | Action |' table")
	}
	var readme []string
	tick := regexp.MustCompile("`([^`]+)`")
	for _, row := range strings.Split(text[i:], "\n")[2:] {
		if !strings.HasPrefix(row, "|") {
			break
		}
		first := strings.Split(row, "|")[1]
		for _, m := range tick.FindAllStringSubmatch(first, -1) {
			readme = append(readme, m[1])
		}
	}
	sort.Strings(readme)
	if want := keyMapKeys(); !slices.Equal(readme, want) {
		t.Errorf("README key table lists %q,\nthe key map has %q", readme, want)
	}
}

// TestScreenFitsAtPaneSizes is the size check at the common tmux panes:
// every line exactly w cells, exactly h lines.
func TestScreenFitsAtPaneSizes(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 23}, {100, 25}, {119, 31}, {159, 40}} {
		m, _ := testModel(t, Options{ShowNowWhat: true, ShowBreadth: true})
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: testSnapshot(1)})
		scr := screen(m)
		checkSize(t, scr, sz.w, sz.h)
		if ansi.StringWidth(scr) == 0 {
			t.Fatal("empty screen")
		}
	}
}

// readingOrder is the order a reader meets the panels on scr (w cells
// wide): the left column top to bottom, then the right one (by where each
// title is), then the panels not on screen in their ID order (QA-2 C2).
func readingOrder(t *testing.T, scr string, w int) []panelID {
	t.Helper()
	type pos struct {
		id       panelID
		col, row int
	}
	var on []pos
	var off []panelID
	lines := strings.Split(scr, "\n")
	for id := range panelCount {
		found := false
		for row, l := range lines[1:] { // under the status line
			if i := strings.Index(l, panelTitles[id]); i >= 0 {
				col := 0
				if ansi.StringWidth(l[:i]) >= w/3 {
					col = 1
				}
				on, found = append(on, pos{id, col, row}), true
				break
			}
		}
		if !found {
			off = append(off, id)
		}
	}
	slices.SortFunc(on, func(a, b pos) int { return cmp.Or(a.col-b.col, a.row-b.row) })
	var order []panelID
	for _, p := range on {
		order = append(order, p.id)
	}
	return append(order, off...)
}

// TestTabReachesEveryPanel: at any size tab walks every panel, in the
// order they are read on screen (QA-2 C2), and shift+tab back (README: "at any size tab to it"; QA-1 R5: at 80×23
// and 120×40 tab never reached the rotation map). A panel without a place
// at this size is shown zoomed, alone with its whole title; tab on to a
// placed panel returns to the dashboard, and z leaves tab's zoom too.
func TestTabReachesEveryPanel(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 23}, {120, 40}, {60, 15}} {
		m, _ := testModel(t, Options{ShowNowWhat: true, ShowBreadth: true})
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: testSnapshot(1)})
		placed := map[panelID]bool{}
		for _, id := range shownPanels(m) {
			placed[id] = true
		}
		if placed[panelRotation] {
			t.Fatalf("%dx%d shows the rotation map; the test needs it without a place", sz.w, sz.h)
		}
		order := readingOrder(t, screen(m), sz.w)
		at := func(id panelID) int { return slices.Index(order, id) }
		for i := range 2 * panelCount {
			key := press("tab")
			want := order[(at(m.focus)+1)%len(order)]
			if i >= panelCount {
				key, want = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}, order[(at(m.focus)+len(order)-1)%len(order)]
			}
			m = update(m, key)
			if m.focus != want {
				t.Fatalf("%dx%d: key %d focuses %v, want %v", sz.w, sz.h, i+1, m.focus, want)
			}
			scr := screen(m)
			if !strings.Contains(scr, panelTitles[want]) {
				t.Errorf("%dx%d: panel %q focused but not on screen:\n%s", sz.w, sz.h, panelTitles[want], scr)
			}
			others := 0
			for id, title := range panelTitles {
				if id != want && strings.Contains(scr, title) {
					others++
				}
			}
			if placed[want] && m.zoom || !placed[want] && others > 0 {
				t.Errorf("%dx%d: %q (placed %v): zoom %v with %d other panels:\n%s", sz.w, sz.h, panelTitles[want], placed[want], m.zoom, others, scr)
			}
		}
		// z leaves tab's zoom: back on the dashboard, the focus on a placed panel.
		for m.focus != panelRotation {
			m = update(m, press("tab"))
		}
		m = update(m, press("z"))
		if m.zoom || !placed[m.focus] {
			t.Errorf("%dx%d: z on tab's zoom: zoom %v, focus %v", sz.w, sz.h, m.zoom, m.focus)
		}
	}
}
