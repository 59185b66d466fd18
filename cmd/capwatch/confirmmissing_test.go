package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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

// TestYieldSaysWhyItIsMissing: a replay directory without DGS2.csv (or with
// one that cannot be used) leaves the 2y yield without a value, and the item
// says why as the pair items do: "no file: DGS2", "no data: DGS2" — in the
// JSON and the text snapshot. A missing DGS2.csv never reached the snapshot
// (the item said nothing), unlike a missing leg's file.
func TestYieldSaysWhyItIsMissing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, path string)
		want  string
	}{
		{"no file", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, "no file: DGS2"},
		{"not FRED's format", func(t *testing.T, path string) {
			writeFile(t, path, "Date,Open,High\n2025-01-02,1,2\n", 0o644)
		}, "no data: DGS2"},
		{"unreadable (a directory)", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "no data: DGS2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := replayWithMembers(t)
			tc.setup(t, filepath.Join(dir, "DGS2.csv"))
			h := newHarness(t)
			code, out, errOut := h.run("snapshot", "--feed", "replay", "--data", dir)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var m struct {
				Confirmations []struct {
					ID, State, Missing string
					Value              *float64
				} `json:"confirmations"`
			}
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, c := range m.Confirmations {
				if c.ID == "dgs2" {
					found = true
					if c.Missing != tc.want || c.Value != nil || c.State != "unknown" {
						t.Errorf("dgs2: %+v, want unknown, no value, missing %q", c, tc.want)
					}
				}
			}
			if !found {
				t.Fatalf("no dgs2 item: %+v", m.Confirmations)
			}
			_, text, _ := h.run("snapshot", "--feed", "replay", "--data", dir, "--format", "text")
			if !strings.Contains(text, "2y yield  unknown  "+tc.want) {
				t.Errorf("text: no %q on the 2y yield's line:\n%s", "2y yield  unknown  "+tc.want, text)
			}
		})
	}
}
