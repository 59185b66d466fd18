package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingPairLegIsNamedEverywhere: a replay directory without SPY.csv
// (QA-1 item 13): every command names the missing leg's file, as the
// ratio panel does — `analogs` (it said "needs at least 201 joined daily
// bars"), `status` on its line and on stderr, exiting 1 since the ratio
// cannot be computed (it printed "IWM/SPY —" and exited 0), also from its
// cache, and the text snapshot under the ratio (exiting 1 too: see
// TestSnapshotWithoutRatioExits1).
func TestMissingPairLegIsNamedEverywhere(t *testing.T) {
	dir := copyReplay(t)
	if err := os.Remove(filepath.Join(dir, "SPY.csv")); err != nil {
		t.Fatal(err)
	}
	file := "no file " + filepath.Join(dir, "SPY.csv")
	h := newHarness(t)
	code, out, errOut := h.run("analogs", "--feed", "replay", "--data", dir)
	if code != exitFailure || !strings.Contains(errOut, "no analog study: SPY: replay: "+file) || strings.Contains(errOut, "joined daily bars") {
		t.Errorf("analogs: exit %d, stderr %q: want 1 naming %q", code, errOut, file)
	}
	for i := range 2 { // computed, then from the status cache
		code, out, errOut = h.run("status", "--feed", "replay", "--data", dir)
		if code != exitFailure || !strings.HasPrefix(out, "REPLAY IWM/SPY — ✖ SPY: replay: "+file+" ") ||
			!strings.Contains(errOut, "no ratio for IWM/SPY: SPY: replay: "+file) {
			t.Errorf("status call %d: exit %d, stdout %q, stderr %q: want 1 naming %q on both", i+1, code, out, errOut, file)
		}
	}
	code, out, errOut = h.run("snapshot", "--feed", "replay", "--data", dir, "--format", "text")
	if code != exitFailure || !strings.Contains(out, "ratio —") || !strings.Contains(out, "✖ no ratio: SPY: replay: "+file+"\n") {
		t.Errorf("snapshot: exit %d, stderr %q, want 1 and the missing file under the ratio:\n%s", code, errOut, out)
	}
	// With both legs there, status has its ratio and exits 0.
	code, out, errOut = h.run("status", "--feed", "replay", "--data", copyReplay(t))
	if code != exitOK || strings.Contains(out, "✖") {
		t.Errorf("status with both legs: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestSnapshotWithoutRatioExits1: `capwatch snapshot` without the pair's
// ratio (a replay directory without SPY.csv) still prints its whole
// document — JSON with every section, errors[] naming the file; the text
// report — and exits 1 with the one-line reason on stderr, as status and
// analogs do. It used to exit 0.
func TestSnapshotWithoutRatioExits1(t *testing.T) {
	dir := copyReplay(t)
	if err := os.Remove(filepath.Join(dir, "SPY.csv")); err != nil {
		t.Fatal(err)
	}
	spy := filepath.Join(dir, "SPY.csv")
	wantErr := "capwatch: no ratio for IWM/SPY: SPY: replay: no file " + spy + "\n"
	h := newHarness(t)
	code, out, errOut := h.run("snapshot", "--feed", "replay", "--data", dir)
	if code != exitFailure || errOut != wantErr {
		t.Errorf("snapshot: exit %d, stderr %q: want 1 and %q", code, errOut, wantErr)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("stdout is not the JSON document: %v\n%s", err, out)
	}
	for _, k := range []string{"as_of", "pair", "symbols", "flags", "sectors", "errors", "analogs"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("the document lacks %q", k)
		}
	}
	var m struct {
		Pair struct {
			Ratio *float64 `json:"ratio"`
		} `json:"pair"`
		Symbols []struct {
			Symbol string   `json:"symbol"`
			Last   *float64 `json:"last"`
		} `json:"symbols"`
		Errors []struct{ Symbol, Message string } `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if m.Pair.Ratio != nil {
		t.Errorf("ratio %v without SPY", *m.Pair.Ratio)
	}
	named := false
	for _, e := range m.Errors {
		named = named || e.Symbol == "SPY" && strings.Contains(e.Message, "no file "+spy)
	}
	if !named {
		t.Errorf("errors[] does not name %s: %+v", spy, m.Errors)
	}
	for _, y := range m.Symbols {
		if y.Symbol == "IWM" && y.Last == nil {
			t.Error("IWM's data is lost from the document")
		}
	}
	code, out, errOut = h.run("snapshot", "--feed", "replay", "--data", dir, "--format", "text")
	if code != exitFailure || errOut != wantErr || !strings.HasPrefix(out, "capwatch snapshot · feed replay") || !strings.Contains(out, "\nSymbols\n") {
		t.Errorf("text snapshot: exit %d, stderr %q, want 1 and %q, the whole report:\n%s", code, errOut, wantErr, out)
	}
	// With both legs it exits 0, stderr empty.
	if code, _, errOut = h.run("snapshot", "--feed", "replay", "--data", copyReplay(t)); code != exitOK || errOut != "" {
		t.Errorf("snapshot with both legs: exit %d, stderr %q", code, errOut)
	}
}
