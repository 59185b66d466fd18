package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
)

// errorSnapshot is the test snapshot with IWC in the watchlist but without
// any data, SPY failing after a good price, and two errors of symbols
// without a row. (Strings arrive clean from the feed boundary:
// TestScreenCleanBehindTheBoundary.)
func errorSnapshot() *engine.Snapshot {
	s := testSnapshot(1)
	s.Symbols = append(s.Symbols, engine.SymbolSnapshot{Symbol: "IWC"})
	s.Errors = []engine.SymbolError{
		{Symbol: "IWC", Message: "no data"},
		{Symbol: "SPY", Message: "history may be stale"},
		{Symbol: "XLK", Message: "replay file testdata/xlk.csv: no such file"},
		{Symbol: "ZZZ", Message: "delisted symbol"},
	}
	return s
}

// TestSymbolErrorsShown: a failing symbol's row says so (✖ by the symbol;
// "no data" or "error" and an age of — when it has no price, its price and
// age kept otherwise), and every error, watchlist or not, is listed
// "SYMBOL: message" under the table.
func TestSymbolErrorsShown(t *testing.T) {
	m, _ := testModel(t, Options{})
	// 70 rows: the quotes keep every row beside the rotation map.
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 70}, SnapshotMsg{Snap: errorSnapshot()})
	if f := quoteRow(t, m, "IWC"); len(f) != 6 || f[1] != "✖" || f[2] != "no" || f[3] != "data" || f[5] != "—" {
		t.Errorf("IWC row %q: want ✖, no data, rvol — and age —", f)
	}
	if f := quoteRow(t, m, "SPY"); len(f) < 4 || f[1] != "✖" || !strings.HasPrefix(f[3], "▲") && !strings.HasPrefix(f[3], "▼") {
		t.Errorf("SPY row %q: want ✖ beside the kept price and change", f)
	}
	if f := quoteRow(t, m, "IWM"); len(f) < 4 || f[1] == "✖" {
		t.Errorf("IWM row %q: marked although it has no error", f)
	}
	scr := screen(m)
	for _, want := range []string{"✖ IWC: no data", "✖ SPY: history may be stale",
		"✖ XLK: replay file testdata/xlk.csv: no such file", "✖ ZZZ: delisted symbol"} {
		if !strings.Contains(scr, want) {
			t.Errorf("%q missing from the screen:\n%s", want, scr)
		}
	}
}

// TestSymbolErrorsOverflow: when the errors do not fit under the table the
// last line counts the rest (symbols, not lines); zooming the quotes panel
// and the help screen list them all, a cause shared by several symbols
// once, with every symbol it applies to.
func TestSymbolErrorsOverflow(t *testing.T) {
	snap := errorSnapshot()
	for i := range 6 {
		snap.Errors = append(snap.Errors, engine.SymbolError{Symbol: fmt.Sprintf("E%02d", i), Message: "no data"})
	}
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: snap})
	scr := screen(m)
	if !strings.Contains(scr, "✖ 10 symbol errors (z zooms, ? lists)") || strings.Contains(scr, "E05: no data") {
		t.Errorf("120×40: want a count of the errors (the table fills the panel):\n%s", scr)
	}
	zoom := update(m, press("tab"), press("tab"), press("tab"), press("z"))
	help := update(m, press("?"))
	for name, mm := range map[string]Model{"zoomed quotes": zoom, "help": help} {
		scr := screen(mm)
		want := []string{"✖ SPY: history may be stale", "✖ XLK: replay file testdata/xlk.csv: no such file", "✖ ZZZ: delisted symbol"}
		// Both list every symbol of a shared cause (zoomed: QA-1 R7, "z or ?
		// lists them all").
		want = append(want, "✖ no data — 7 symbols: IWC, E00, E01, E02, E03, E04, E05")
		for _, w := range want {
			if !strings.Contains(scr, w) {
				t.Errorf("%s: %q missing:\n%s", name, w, scr)
			}
		}
		if n := len(regexp.MustCompile(`(?m)(^|│)✖ [^\n]*no data`).FindAllString(scr, -1)); n != 1 || strings.Contains(scr, "E03: no data") {
			t.Errorf("%s: the shared cause is not said once:\n%s", name, scr)
		}
	}
}

// TestSymbolNoticesShown: notices (skipped rows, data that starts later)
// are listed under the errors, marked ⚠, in the zoomed panel
// and the help screen too; a row with only a notice is not marked ✖
// (issue 14 item 7).
func TestSymbolNoticesShown(t *testing.T) {
	snap := errorSnapshot()
	snap.Notices = []engine.SymbolNotice{
		{Symbol: "IWM", Message: "4 rows skipped from data/IWM.csv, first line 102: missing close"},
		{Symbol: "XLV", Message: "data starts 2022-09-30"},
	}
	m, _ := testModel(t, Options{})
	// 70 rows: the quotes keep every row beside the rotation map.
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 70}, SnapshotMsg{Snap: snap})
	want := []string{"⚠ IWM: 4 rows skipped from data/IWM.csv, first line 102: missing close", "⚠ XLV: data starts 2022-09-30"}
	for name, mm := range map[string]Model{"dashboard": m, "help": update(m, press("?"))} {
		scr := screen(mm)
		for _, w := range want {
			if !strings.Contains(scr, w) {
				t.Errorf("%s: %q missing:\n%s", name, w, scr)
			}
		}
	}
	if f := quoteRow(t, m, "IWM"); len(f) < 4 || f[1] == "✖" {
		t.Errorf("IWM row %q: marked as an error for a notice", f)
	}
	// When they do not fit, the count says how many errors and notices.
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	if scr := screen(m); !strings.Contains(scr, "✖ 4 symbol errors, 2 notices (z zooms, ? lists)") {
		t.Errorf("120×40: want the count of errors and notices:\n%s", scr)
	}
	snap.Errors = nil
	for i := range 20 {
		snap.Notices = append(snap.Notices, engine.SymbolNotice{Symbol: fmt.Sprintf("N%02d", i), Message: "data starts 2022-09-30"})
	}
	m = update(m, SnapshotMsg{Snap: snap})
	if scr := screen(m); !strings.Contains(scr, "⚠ 22 notices (z zooms, ? lists)") || strings.Contains(scr, "0 symbol errors") {
		t.Errorf("120×40, notices only: want their count:\n%s", scr)
	}
}

// TestStatusNoteShown: a healthy feed's note ("replay ended …") is on the
// status line (issue 14 item 12).
func TestStatusNoteShown(t *testing.T) {
	m, _ := testModel(t, Options{Kind: feeds.KindReplay})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: testSnapshot(1)},
		StatusMsg{Status: feeds.Status{Feed: "replay", State: feeds.StateOK, Note: "replay ended 2025-09-29"}})
	if line := strings.SplitN(screen(m), "\n", 2)[0]; !strings.Contains(line, "replay ended 2025-09-29") {
		t.Errorf("status line %q: the note is missing", line)
	}
}

// TestRatioSaysWhichLegFailed: without a ratio because a leg of the pair
// has no usable file, the ratio panel names the file and line, wrapped
// (issue 14 item 6).
func TestRatioSaysWhichLegFailed(t *testing.T) {
	snap := testSnapshot(1)
	snap.Pair = engine.PairSnapshot{Small: "IWM", Large: "SPY"}
	snap.Errors = []engine.SymbolError{
		{Symbol: "XLK", Message: "replay: data/XLK.csv: empty file (no header)"},
		{Symbol: "IWM", Message: `replay: /home/someone/market/daily-history/IWM.csv:45: bad low "x"`},
	}
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: snap})
	scr := screen(m)
	var chart []string
	for _, l := range strings.Split(scr, "\n") {
		if i := strings.Index(l, "╮╭"); i > 0 { // the left column
			l = l[:i]
		} else if i := strings.Index(l, "││"); i > 0 {
			l = l[:i]
		}
		chart = append(chart, strings.Trim(l, "│ "))
	}
	joined := strings.Join(chart, " ")
	if !strings.Contains(joined, "✖ no ratio: IWM: replay: /home/someone/market/daily-history/") ||
		!strings.Contains(joined, `IWM.csv:45: bad low "x"`) {
		t.Errorf("the ratio panel does not name the file and line:\n%s", scr)
	}
	if strings.Contains(joined, "no ratio: XLK") {
		t.Errorf("a sector leg's error is blamed for the ratio:\n%s", scr)
	}

	// Both legs failing the same way: the cause once, naming both legs.
	cause := "cannot reach Yahoo: connection refused (127.0.0.1:1)"
	snap = testSnapshot(2)
	snap.Pair = engine.PairSnapshot{Small: "IWM", Large: "SPY"}
	snap.Errors = []engine.SymbolError{{Symbol: "IWM", Message: cause}, {Symbol: "SPY", Message: cause}}
	m = update(m, SnapshotMsg{Snap: snap})
	scr = screen(m)
	if strings.Count(scr, "✖ no ratio") != 1 || !strings.Contains(scr, "✖ no ratio: "+cause[:28]) || !strings.Contains(scr, "(IWM, SPY)") {
		t.Errorf("both legs' one cause is not said once with both legs:\n%s", scr)
	}
}

// TestHelpListsDataProblems: in an 80×23 pane the help screen counts the
// symbols without usable data and the notices on its first line and lists
// them under the keys, wrapped, so each file and line can be read by
// scrolling (issue 14 item 6: "in ?"; QA-1 14: the keys stay on the first
// page).
func TestHelpListsDataProblems(t *testing.T) {
	snap := errorSnapshot()
	snap.Errors = append(snap.Errors[:1], engine.SymbolError{Symbol: "XLK", Message: `replay: /home/someone/market-data/daily/us-etfs/XLK.csv:45: bad low "x"`})
	snap.Notices = []engine.SymbolNotice{{Symbol: "IWM", Message: "4 rows skipped from /home/someone/market-data/daily/us-etfs/IWM.csv, first line 5000: missing close"}}
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 23}, SnapshotMsg{Snap: snap}, press("?"))
	if first := screen(m); !strings.Contains(first, "✖ 2 symbol errors, 1 notice: listed under the keys") {
		t.Errorf("the first help page does not count the problems:\n%s", first)
	}
	var text []string
	for _, l := range strings.Split(helpPages(t, m), "\n") {
		text = append(text, strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "│")))
	}
	joined := strings.Join(text, " ")
	for _, want := range []string{"Symbols without usable data", "✖ IWC: no data",
		"XLK.csv:45: bad low \"x\"", "Notices about the data", "IWM.csv, first line 5000: missing close"} {
		if !strings.Contains(joined, want) {
			t.Errorf("%q not in the 80×23 help:\n%s", want, strings.Join(text, "\n"))
		}
	}
}

// TestZoomedQuotesListProblems: zoomed at 80×23, the quotes panel lists
// every symbol error and notice whole (long paths wrapped, not cut) and the
// table gives up rows for them, keeping its header, two symbols and the
// count of the rest
// (QA-1 R7: only "✖ 3 symbol errors, 1 notice (z zooms, ? lists)"); when
// even that leaves too little room, the last line counts the rest and
// points to ? only.
func TestZoomedQuotesListProblems(t *testing.T) {
	snap := testSnapshot(1)
	snap.Errors = []engine.SymbolError{
		{Symbol: "XLK", Message: `replay: /home/someone/market-data/daily/us-etfs/XLK.csv:45: bad low "x"`},
		{Symbol: "PSCT", Message: "replay: no file /home/someone/market-data/daily/us-etfs/PSCT.csv"},
		{Symbol: "QQQ", Message: "delisted symbol"},
	}
	snap.Notices = []engine.SymbolNotice{{Symbol: "IWM", Message: "4 rows skipped from /home/someone/market-data/daily/us-etfs/IWM.csv, first line 5000: missing close"}}
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 23}, SnapshotMsg{Snap: snap})
	for m.focus != panelQuotes {
		m = update(m, press("tab"))
	}
	m = update(m, press("z"))
	scr := screen(m)
	joined := strings.Join(strings.Fields(scr), " ")
	for _, want := range []string{`✖ XLK: replay: /home/someone/market-data/daily/us-etfs/XLK.csv:45: bad low "x"`,
		"✖ PSCT: replay: no file /home/someone/market-data/daily/us-etfs/PSCT.csv", "✖ QQQ: delisted symbol",
		"⚠ IWM: 4 rows skipped from /home/someone/market-data/daily/us-etfs/IWM.csv, first line 5000: missing close"} {
		if !strings.Contains(joined, want) {
			t.Errorf("zoomed 80×23: %q not listed:\n%s", want, scr)
		}
	}
	if strings.Contains(scr, "z zooms") || strings.Contains(scr, "symbol errors") {
		t.Errorf("zoomed 80×23: a count instead of the list:\n%s", scr)
	}
	if strings.Contains(scr, "…/") || !strings.Contains(scr, "IWM ") || !strings.Contains(scr, "SPY ") {
		t.Errorf("zoomed 80×23: cut lines or no table:\n%s", scr)
	}
	// Forty causes do not fit: the table keeps two symbols, the list counts
	// the rest.
	for i := range 40 {
		snap.Errors = append(snap.Errors, engine.SymbolError{Symbol: fmt.Sprintf("E%02d", i), Message: fmt.Sprintf("cause %d", i)})
	}
	m = update(m, SnapshotMsg{Snap: snap})
	scr = screen(m)
	if !regexp.MustCompile(`… \d+ more errors, 1 notice \(\? lists\)`).MatchString(scr) || strings.Contains(scr, "z zooms") {
		t.Errorf("zoomed 80×23, 43 errors: no count of the rest:\n%s", scr)
	}
	if !strings.Contains(scr, "… ") || !strings.Contains(scr, "more (s sorts)") {
		t.Errorf("zoomed 80×23, 43 errors: the table does not keep its first rows:\n%s", scr)
	}
	checkSize(t, scr, 80, 23)
}

// TestNowWhatNamesTheMissingLeg: without a study because a leg of the pair
// has no file, the Now what? panel names the file as the ratio panel does
// (QA-1 item 13: it said "Not enough history yet"); without a leg error it
// still says the history is short.
func TestNowWhatNamesTheMissingLeg(t *testing.T) {
	snap := testSnapshot(1)
	snap.Pair = engine.PairSnapshot{Small: "IWM", Large: "SPY"}
	snap.Analogs = nil
	snap.Errors = []engine.SymbolError{{Symbol: "SPY", Message: "replay: no file data/SPY.csv"}}
	m, _ := testModel(t, Options{ShowNowWhat: true})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: snap})
	scr := screen(m)
	if !strings.Contains(scr, "✖ no breakout study: SPY: replay: no file data/SPY.csv") || strings.Contains(scr, "Not enough history") {
		t.Errorf("Now what? does not name the missing leg's file:\n%s", scr)
	}
	short := testSnapshot(2)
	short.Pair, short.Analogs, short.Errors = snap.Pair, nil, nil
	if scr := screen(update(m, SnapshotMsg{Snap: short})); !strings.Contains(scr, "Not enough history") || strings.Contains(scr, "no breakout study") {
		t.Errorf("a short history (no leg error) is not said so:\n%s", scr)
	}
}
