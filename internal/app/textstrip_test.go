package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/capwatch/capwatch/engine"
)

// TestTextStripWithoutScore (QA-3 F7): with no item judged the text
// snapshot's strip said "0/0 confirm"; it says what the dashboard's panel
// says, "confirm (no file)" when every pair and credit item lacks a leg's
// file, "confirm (no data)" when one failed otherwise, "confirm (no data
// yet)" while one may still come, and each item's own reason.
func TestTextStripWithoutScore(t *testing.T) {
	item := func(label string, kind, missing string) engine.Confirmation {
		return engine.Confirmation{Label: label, Kind: kind, State: engine.ConfirmUnknown, Missing: missing}
	}
	for _, tc := range []struct {
		cs   []engine.Confirmation
		want string
	}{
		{[]engine.Confirmation{item("IWM/QQQ", engine.ConfirmKindPair, "no file: QQQ"), item("HYG/LQD", engine.ConfirmKindCredit, "no file: HYG, LQD"),
			item("2y yield", engine.ConfirmKindYield, "no data: DGS2")}, "confirm (no file)"},
		{[]engine.Confirmation{item("IWM/QQQ", engine.ConfirmKindPair, "no file: QQQ"), item("HYG/LQD", engine.ConfirmKindCredit, "no data: HYG")}, "confirm (no data)"},
		{[]engine.Confirmation{item("IWM/QQQ", engine.ConfirmKindPair, "no file: QQQ"), item("RSP/SPY", engine.ConfirmKindPair, "")}, "confirm (no data yet)"},
	} {
		var buf bytes.Buffer
		if err := WriteText(&buf, &engine.Snapshot{Feed: "replay", Pair: engine.PairSnapshot{Small: "IWM", Large: "SPY"}, Confirmations: tc.cs}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if !strings.Contains(out, "Confirmation strip: "+tc.want+" (") || strings.Contains(out, "0/0") {
			t.Errorf("want the strip's score %q:\n%s", tc.want, out)
		}
		if !strings.Contains(out, tc.cs[0].Missing) {
			t.Errorf("the item's reason %q is not said:\n%s", tc.cs[0].Missing, out)
		}
	}
}
