package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
)

// TestMissingFilesGrouped (QA-3 F9c): a replay directory without 19
// members' files listed 19 lines "✖ DIA: replay: no file DIR/DIA.csv" (each
// message carries its own path), pushing the pair leg's real error out of
// sight; the README promises symbols failing the same way on one line.
// Messages that differ only in the symbol's own file are one group, said
// with the directory; a lone error keeps its path; other errors stay apart.
func TestMissingFilesGrouped(t *testing.T) {
	const dir = "/tmp/qa3/rp/mem"
	s := *testSnapshot(1)
	s.Errors = []engine.SymbolError{{Symbol: "SPY", Message: "replay: " + dir + "/SPY.csv: line 1: bad header"}}
	missing := []string{"DIA", "AAPL", "MSFT", "brk.b"}
	for _, sym := range missing {
		s.Errors = append(s.Errors, engine.SymbolError{Symbol: strings.ToUpper(sym), Message: "replay: no file " + dir + "/" + sym + ".csv"})
	}
	s.Errors = append(s.Errors, engine.SymbolError{Symbol: "QQQ", Message: "replay: no file /elsewhere/QQQ.csv"})
	m, _ := testModel(t, Options{Kind: 0})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: &s}, press("?"))
	help := vtShow(t, m)
	for _, want := range []string{
		"replay: no file in " + dir + " — 4 symbols: DIA, AAPL, MSFT, BRK.B",
		"SPY: replay: " + dir + "/SPY.csv: line 1: bad header",
		"QQQ: replay: no file /elsewhere/QQQ.csv",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("%q missing from the help:\n%s", want, help)
		}
	}
	for _, sym := range missing {
		if strings.Contains(help, sym+".csv") {
			t.Errorf("%s's file listed on its own:\n%s", sym, help)
		}
	}
}
