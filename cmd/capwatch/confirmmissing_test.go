package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestConfirmationsSayNoFile (QA-2 M9): in a replay directory without the
// strip's legs (here IWM, SPY, two members and DGS2.csv), each pair or
// credit item says which leg has no file (`missing`), so the strip says
// "no file" instead of promising data "yet"; an item with a value, and the
// yield, have none. A leg whose file is there but unusable is "no data".
func TestConfirmationsSayNoFile(t *testing.T) {
	dir := replayWithMembers(t)
	if err := os.WriteFile(filepath.Join(dir, "LQD.csv"), []byte{0, 1, 2, 3, 0xff}, 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	code, out, errOut := h.run("snapshot", "--feed", "replay", "--data", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m struct {
		Confirmations []struct {
			ID, State, Missing string
		} `json:"confirmations"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"iwm_qqq": "no file: QQQ",
		"ijr_spy": "no file: IJR",
		"rsp_spy": "no file: RSP",
		"iwc_iwm": "no file: IWC",
		"hyg_lqd": "no data: HYG, LQD", // HYG has no file, LQD is not a CSV
		"dgs2":    "",
	}
	got := map[string]string{}
	for _, c := range m.Confirmations {
		got[c.ID] = c.Missing
	}
	for id, w := range want {
		if g, ok := got[id]; !ok || g != w {
			t.Errorf("%s: missing %q, want %q", id, g, w)
		}
	}
}
