package main

import (
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
// cache, and the text snapshot under the ratio.
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
	if code != exitOK || !strings.Contains(out, "ratio —") || !strings.Contains(out, "✖ no ratio: SPY: replay: "+file+"\n") {
		t.Errorf("snapshot: exit %d, stderr %q, want the missing file under the ratio:\n%s", code, errOut, out)
	}
	// With both legs there, status has its ratio and exits 0.
	code, out, errOut = h.run("status", "--feed", "replay", "--data", copyReplay(t))
	if code != exitOK || strings.Contains(out, "✖") {
		t.Errorf("status with both legs: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
