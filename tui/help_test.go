package tui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
)

// helpPos is the help frame's "lines a–b of n" (0s when the help fits).
var helpPos = regexp.MustCompile(`Help · lines (\d+)–(\d+) of (\d+)`)

func helpLines(t *testing.T, m Model) (top, bottom, total int) {
	t.Helper()
	g := helpPos.FindStringSubmatch(screen(m))
	if g == nil {
		return 0, 0, 0
	}
	a, _ := strconv.Atoi(g[1])
	b, _ := strconv.Atoi(g[2])
	n, _ := strconv.Atoi(g[3])
	return a, b, n
}

// helpPages is every page of the open help screen, paged with space until
// the last line shows (at most 50 pages).
func helpPages(t *testing.T, m Model) string {
	t.Helper()
	var pages []string
	for range 50 {
		pages = append(pages, screen(m))
		if _, b, n := helpLines(t, m); b >= n {
			return strings.Join(pages, "\n")
		}
		m = update(m, press("space"))
	}
	t.Fatal("the help screen never reached its end")
	return ""
}

// refusedSnapshot is a snapshot of a feed that refused every symbol but
// five (QA-1 item 14: 23 symbol errors).
func refusedSnapshot() *engine.Snapshot {
	s := testSnapshot(1)
	for i := range 23 {
		s.Errors = append(s.Errors, engine.SymbolError{Symbol: fmt.Sprintf("S%02d", i),
			Message: "yahoo: dial tcp 127.0.0.1:9: connect: connection refused"})
	}
	return s
}

// TestHelpScrolls: the help screen fits the pane and scrolls (QA-1 item
// 14): down/j and up/k move a line, pgdown/space/f and pgup/b a page,
// G/end and g/home to the ends; the keys, quit included, are on the first
// page even with 23 symbol errors, and every error (a shared cause once,
// with its symbols) and the glossary's last line can be reached.
func TestHelpScrolls(t *testing.T) {
	for _, tc := range []struct {
		name string
		w, h int
		snap *engine.Snapshot
	}{
		{"demo 80×23", 80, 23, testSnapshot(1)},
		{"refused 80×23", 80, 23, refusedSnapshot()},
		{"refused 120×30", 120, 30, refusedSnapshot()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := testModel(t, Options{ShowNowWhat: true})
			m = update(m, tea.WindowSizeMsg{Width: tc.w, Height: tc.h}, SnapshotMsg{Snap: tc.snap}, press("?"))
			first := screen(m)
			checkSize(t, first, tc.w, tc.h)
			if !regexp.MustCompile(`q/ctrl\+c +quit`).MatchString(first) || !strings.Contains(first, "Keys (? or esc closes this help)") {
				t.Fatalf("the keys are not on the first page:\n%s", first)
			}
			if len(tc.snap.Errors) > 0 && !strings.Contains(first, fmt.Sprintf("✖ %d symbol errors", len(tc.snap.Errors))) {
				t.Errorf("the first page does not count the errors:\n%s", first)
			}
			top, bottom, total := helpLines(t, m)
			if top != 1 || total <= bottom {
				t.Fatalf("the help should not fit %d×%d: lines %d–%d of %d\n%s", tc.w, tc.h, top, bottom, total, first)
			}
			page := bottom - top + 1
			for _, step := range []struct {
				keys    []string
				wantTop int
			}{
				{[]string{"j"}, 2}, {[]string{"down"}, 3}, {[]string{"k"}, 2}, {[]string{"up"}, 1},
				{[]string{"space"}, 1 + page}, {[]string{"b"}, 1}, {[]string{"pgdown"}, 1 + page},
				{[]string{"pgup"}, 1}, {[]string{"f"}, 1 + page}, {[]string{"g"}, 1},
				{[]string{"G"}, total - page + 1}, {[]string{"home"}, 1}, {[]string{"end"}, total - page + 1},
			} {
				for _, k := range step.keys {
					m = update(m, press(k))
				}
				if top, _, _ := helpLines(t, m); top != min(step.wantTop, total-page+1) {
					t.Fatalf("after %v the help starts at line %d, want %d:\n%s", step.keys, top, step.wantTop, screen(m))
				}
			}
			last := screen(m)
			checkSize(t, last, tc.w, tc.h)
			if !strings.Contains(last, "△ improving") || !strings.Contains(last, "of "+strconv.Itoa(total)+" · end") {
				t.Errorf("G does not show the glossary's last line:\n%s", last)
			}
			all := helpPages(t, update(m, press("g")))
			for _, g := range groupErrors(tc.snap.Errors) { // a shared cause once, with every symbol
				if !strings.Contains(all, "✖ "+g.msg) {
					t.Errorf("%q is on no page of the help", g.msg)
				}
				for _, sym := range g.syms {
					if !regexp.MustCompile(`\b` + sym + `\b`).MatchString(all) {
						t.Errorf("%s (%s) is on no page of the help", sym, g.msg)
					}
				}
			}
			// Closing and opening again starts at the top.
			if top, _, _ := helpLines(t, update(m, press("esc"), press("?"))); top != 1 {
				t.Errorf("the help reopened at line %d", top)
			}
			// The scroll keys do nothing to the dashboard.
			if d := update(m, press("esc")); screen(update(d, press("j"), press("G"), press("space"))) != screen(d) {
				t.Error("a help scroll key changed the dashboard")
			}
		})
	}
}
