package rotation

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"

	rot "github.com/capwatch/capwatch/engine/rotation"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func allStyles() map[string]Styles {
	return map[string]Styles{
		"dark": NewStyles(false, true, false), "light": NewStyles(false, false, false),
		"cb-dark": NewStyles(true, true, false), "cb-light": NewStyles(true, false, false),
		"nocolor": NewStyles(false, true, true),
	}
}

// screen draws out into a vt emulator of exactly w×h and returns its rows
// (trailing spaces trimmed): what a terminal shows.
func screen(t *testing.T, out string, w, h int) []string {
	t.Helper()
	em := vt.NewEmulator(w, h)
	if _, err := em.WriteString(strings.ReplaceAll(out, "\n", "\r\n")); err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(em.String(), "\n")
	for i := range rows {
		rows[i] = strings.TrimRight(rows[i], " ")
	}
	return rows
}

// TestRenderFits: at any size, in every style and view, with any tail, the
// panel never has more lines than the pane or a line wider than it, and
// colour never changes the text.
func TestRenderFits(t *testing.T) {
	r := fixture(t)
	rng := rand.New(rand.NewPCG(21, 22))
	plainSt := NewStyles(false, true, true)
	for range 400 {
		w, h := 1+rng.IntN(220), 1+rng.IntN(60)
		in := Input{Rotation: r, View: rot.Views[rng.IntN(3)], Tail: rng.IntN(30), Small: "IWM", Large: "SPY"}
		plain := Render(in, w, h, plainSt)
		for name, st := range allStyles() {
			out := Render(in, w, h, st)
			lines := strings.Split(out, "\n")
			if len(lines) > h {
				t.Fatalf("%s %dx%d: %d lines", name, w, h, len(lines))
			}
			for _, l := range lines {
				if ansi.StringWidth(l) > w {
					t.Fatalf("%s %dx%d: line of %d cells: %q", name, w, h, ansi.StringWidth(l), ansi.Strip(l))
				}
			}
			if ansi.Strip(out) != ansi.Strip(plain) {
				t.Fatalf("%s %dx%d: colour changes the text", name, w, h)
			}
		}
	}
}

// graphCells finds the graph on the screen: the column and row of the axes'
// crossing ┼ and the graph's width (up to the table), and returns the cells
// of each head symbol in the data rows.
func graphCells(t *testing.T, rows []string) (ax, ay int, heads map[string][][2]int) {
	t.Helper()
	ax, ay = -1, -1
	for y, l := range rows {
		if x := strings.Index(l, "┼"); x >= 0 {
			ax, ay = len([]rune(l[:x])), y
		}
	}
	if ax < 0 {
		t.Fatalf("no axes crossing on screen:\n%s", strings.Join(rows, "\n"))
	}
	// The graph spans from the quadrant-name row above to the one below.
	top, bottom := -1, -1
	for y, l := range rows {
		if strings.HasPrefix(l, "△ Impr") {
			top = y
		}
		if strings.HasPrefix(l, "▽ Lag") {
			bottom = y
		}
	}
	if top < 0 || bottom < 0 {
		t.Fatalf("no quadrant names in the corners:\n%s", strings.Join(rows, "\n"))
	}
	width := 0
	for _, r := range []rune(rows[top]) {
		_ = r
		width++
	}
	if i := strings.Index(rows[top], "sector"); i >= 0 {
		width = len([]rune(rows[top][:i])) - 2
	}
	heads = map[string][][2]int{}
	for y := top + 1; y < bottom; y++ {
		for x, r := range []rune(rows[y]) {
			if x >= width {
				break
			}
			if s := string(r); s == "▲" || s == "▼" || s == "△" || s == "▽" {
				heads[s] = append(heads[s], [2]int{x, y})
			}
		}
	}
	return ax, ay, heads
}

// TestHeadsInTheirQuadrants: on screen, each head symbol sits in its own
// quadrant of the axes (leading right and up, weakening right and down,
// lagging left and down, improving left and up), and every head is drawn.
func TestHeadsInTheirQuadrants(t *testing.T) {
	r := fixture(t)
	for _, sz := range [][2]int{{200, 50}, {120, 40}, {80, 21}} {
		for _, v := range rot.Views {
			out := Render(Input{Rotation: r, View: v, Small: "IWM", Large: "SPY"}, sz[0], sz[1], NewStyles(false, true, true))
			rows := screen(t, out, sz[0], sz[1])
			ax, ay, heads := graphCells(t, rows)
			for sym, cells := range heads {
				for _, c := range cells {
					x, y := c[0], c[1]
					right, up := x >= ax, y <= ay
					ok := map[string]bool{"▲": right && up, "▼": right && !up || right && y == ay, "△": !right && up, "▽": !right && (!up || y == ay)}[sym]
					if !ok && x != ax {
						t.Errorf("%dx%d %v: %s at (%d,%d), axes cross at (%d,%d)", sz[0], sz[1], v, sym, x, y, ax, ay)
					}
				}
			}
			want := map[string]int{}
			cellsOf := map[[2]int]bool{}
			for _, e := range r.Entries(v) {
				want[Symbol(e.Quadrant)]++
			}
			n := 0
			for sym, cells := range heads {
				n += len(cells)
				for _, c := range cells {
					cellsOf[c] = true
				}
				if len(cells) > want[sym] {
					t.Errorf("%dx%d %v: %d %s heads, %d entries", sz[0], sz[1], v, len(cells), sym, want[sym])
				}
			}
			// Two heads may share a cell; none may be missing otherwise.
			if total := len(r.Entries(v)); n < total-2 {
				t.Errorf("%dx%d %v: %d heads on screen of %d", sz[0], sz[1], v, n, total)
			}
		}
	}
}

// TestLabelsReadable: at 200×50 and 120×40 every short name appears whole
// in the graph (nudged labels never overlap).
func TestLabelsReadable(t *testing.T) {
	r := fixture(t)
	for _, sz := range [][2]int{{200, 50}, {120, 40}} {
		for _, v := range rot.Views {
			out := Render(Input{Rotation: r, View: v, Small: "IWM", Large: "SPY"}, sz[0], sz[1], NewStyles(false, true, true))
			rows := screen(t, out, sz[0], sz[1])
			top := 0
			for y, l := range rows {
				if strings.HasPrefix(l, "△ Impr") {
					top = y
				}
			}
			gw := len([]rune(rows[top][:strings.Index(rows[top], "sector")])) - 2
			var graphText strings.Builder
			for _, l := range rows {
				rr := []rune(l)
				graphText.WriteString(string(rr[:min(gw, len(rr))]) + "\n")
			}
			for _, e := range r.Entries(v) {
				if name := ShortName(e); !strings.Contains(graphText.String(), name) {
					t.Errorf("%dx%d %v: label %q not on the graph:\n%s", sz[0], sz[1], v, name, graphText.String())
				}
			}
		}
	}
}

// TestTable: one row per entry in the view's order with the quadrant's
// symbol and name, ratio and momentum to two decimals, weeks in quadrant.
func TestTable(t *testing.T) {
	r := fixture(t)
	out := ansi.Strip(Render(Input{Rotation: r, View: rot.LargeSectors, Small: "IWM", Large: "SPY"}, 200, 50, NewStyles(false, true, false)))
	if !strings.HasPrefix(out, "large-cap sectors vs SPY · weekly, N 10 · tail 8w · week of 2025-11-26 (unfinished)") {
		t.Errorf("title:\n%s", out)
	}
	lines := strings.Split(out, "\n")
	for i, e := range r.LargeSectors {
		row := lines[2+i]
		ratio, _ := e.RSRatio.Get()
		mom, _ := e.RSMomentum.Get()
		for _, want := range []string{Symbol(e.Quadrant) + " " + e.Sector[:min(len(e.Sector), 15)], e.Quadrant.String(), fmt.Sprintf("%.2f", ratio), fmt.Sprintf("%.2f", mom), fmt.Sprint(e.WeeksInQuadrant)} {
			if !strings.Contains(row, want) {
				t.Errorf("row %d (%s) lacks %q: %q", i, e.Sector, want, row)
			}
		}
	}
	// The pair's row is last in small vs large.
	out = ansi.Strip(Render(Input{Rotation: r, View: rot.SmallVsLarge, Small: "IWM", Large: "SPY"}, 200, 50, NewStyles(false, true, false)))
	lines = strings.Split(out, "\n")
	if !strings.Contains(lines[1+len(r.SmallVsLarge)], "IWM/SPY pair") {
		t.Errorf("pair row: %q", lines[1+len(r.SmallVsLarge)])
	}
}

// TestNullsAndShortHistory: entries without values are listed with "—",
// and a map without any point says why instead of drawing empty axes.
func TestNullsAndShortHistory(t *testing.T) {
	r := fixture(t)
	svl := append([]rot.Entry(nil), r.SmallVsLarge...)
	svl[1] = rot.Entry{Sector: "Health Care", Asset: "PSCH", Benchmark: "XLV", Tail: []rot.Point{}}
	rr := *r
	rr.SmallVsLarge = svl
	out := ansi.Strip(Render(Input{Rotation: &rr, Small: "IWM", Large: "SPY"}, 200, 50, NewStyles(false, true, true)))
	if !strings.Contains(out, "· Health Care       —") {
		t.Errorf("null row:\n%s", out)
	}
	empty := &rot.Rotation{Window: 10, Tail: 8, SmallVsLarge: []rot.Entry{{Sector: "pair", Asset: "IWM", Benchmark: "SPY"}}}
	out = ansi.Strip(Render(Input{Rotation: empty, Small: "IWM", Large: "SPY"}, 80, 20, NewStyles(false, true, true)))
	if !strings.Contains(out, "not enough weekly history") || strings.Contains(out, "┼") {
		t.Errorf("empty map:\n%s", out)
	}
	out = ansi.Strip(Render(Input{Small: "IWM", Large: "SPY"}, 80, 20, NewStyles(false, true, true)))
	if !strings.Contains(out, "waiting for daily history") {
		t.Errorf("nil map:\n%s", out)
	}
}

// TestTailLength: a tail of 1 draws heads only (no braille dots); longer
// tails draw more dots.
func TestTailLength(t *testing.T) {
	r := fixture(t)
	dots := func(tail int) int {
		out := ansi.Strip(Render(Input{Rotation: r, Tail: tail}, 200, 50, NewStyles(false, true, true)))
		n := 0
		for _, c := range out {
			if c > 0x2800 && c <= 0x28FF {
				n++
			}
		}
		return n
	}
	if n := dots(1); n != 0 {
		t.Errorf("tail 1: %d braille cells", n)
	}
	prev := 0
	for _, tail := range []int{2, 4, 8, 16, 26} {
		n := dots(tail)
		if n <= prev {
			t.Errorf("tail %d: %d braille cells, not more than %d", tail, n, prev)
		}
		prev = n
	}
	if !strings.Contains(ansi.Strip(Render(Input{Rotation: r, Tail: 13}, 200, 50, NewStyles(false, true, true))), "tail 13w") {
		t.Error("header does not name the tail")
	}
}

// TestNoColor: NO_COLOR output has no colour escape at all; coloured output
// gives each quadrant its own colour.
func TestNoColor(t *testing.T) {
	r := fixture(t)
	out := Render(Input{Rotation: r}, 200, 50, NewStyles(false, true, true))
	if strings.Contains(out, "[3") || strings.Contains(out, "38;") || strings.Contains(out, "48;") {
		t.Errorf("NO_COLOR output has colour escapes: %q", out[:200])
	}
	for name, st := range allStyles() {
		if name == "nocolor" {
			continue
		}
		seen := map[string]bool{}
		for _, q := range rot.Quadrants {
			seq := st.quad[q].Paint("") // the ink's escape sequences alone
			if seq == "" || seen[seq] {
				t.Errorf("%s: quadrant %v has no colour of its own (%q)", name, q, seq)
			}
			seen[seq] = true
		}
	}
}

func TestShortName(t *testing.T) {
	for _, tc := range []struct {
		e    rot.Entry
		want string
	}{
		{rot.Entry{Sector: "Technology"}, "Tech"},
		{rot.Entry{Sector: "Consumer Discretionary"}, "Discr"},
		{rot.Entry{Sector: "Semiconductors"}, "Semis"},
		{rot.Entry{Sector: "pair", Asset: "IWM", Benchmark: "SPY"}, "IWM/SPY"},
		{rot.Entry{Sector: "Transportation Stocks"}, "Transp…"},
		{rot.Entry{Sector: "\x1b[31mEvil\x07 sector"}, "Evil"}, // escape sequences dropped whole
		{rot.Entry{Sector: "日本 stocks"}, "??"},
	} {
		if got := ShortName(tc.e); got != tc.want {
			t.Errorf("ShortName(%q) = %q, want %q", tc.e.Sector, got, tc.want)
		}
	}
}

// TestScreens draws the panel at the dashboard's three sizes into a vt
// emulator: nothing wraps or scrolls (the screen is the stripped text), and
// each size shows what it should.
func TestScreens(t *testing.T) {
	r := fixture(t)
	for _, tc := range []struct {
		w, h  int
		wants []string
	}{
		{200, 50, []string{"△ Improving", "Leading ▲", "▽ Lagging", "Weakening ▼", "quadrant", "Consumer Staples", "↑ rs-momentum"}},
		{120, 40, []string{"△ Improving", "Leading ▲", "quadrant", "┼", "rs-ratio"}},
		{78, 20, []string{"△ Improving", "Leading ▲", "Weakening ▼", "┼", "Tech", "IWM/SPY"}}, // 80×23 zoomed: the panel's box
	} {
		for _, st := range []Styles{NewStyles(false, true, false), NewStyles(true, false, true)} {
			out := Render(Input{Rotation: r, Small: "IWM", Large: "SPY"}, tc.w, tc.h, st)
			rows := screen(t, out, tc.w, tc.h)
			want := strings.Split(ansi.Strip(out), "\n")
			for i := range want {
				want[i] = strings.TrimRight(want[i], " ")
			}
			got := strings.Join(rows[:len(want)], "\n")
			if got != strings.Join(want, "\n") {
				t.Errorf("%dx%d: screen differs from the text:\n%s", tc.w, tc.h, got)
			}
			for _, w := range tc.wants {
				if !strings.Contains(got, w) {
					t.Errorf("%dx%d: %q not on screen:\n%s", tc.w, tc.h, w, got)
				}
			}
		}
	}
}

// TestGolden80x20: the zoomed panel of an 80×23 terminal, without colour.
// Visual reason for a golden: at the smallest size, label nudging, the
// corner names, the scale note and the tiny table compete for space; a
// change there must be looked at, not only measured. Regenerate with
// -update and review the file by eye.
func TestGolden80x20(t *testing.T) {
	out := ansi.Strip(Render(Input{Rotation: fixture(t), Small: "IWM", Large: "SPY"}, 78, 20, NewStyles(false, true, true))) + "\n"
	path := filepath.Join("testdata", "zoom_78x20.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if out != string(want) {
		t.Errorf("differs from %s:\n%s", path, out)
	}
}
