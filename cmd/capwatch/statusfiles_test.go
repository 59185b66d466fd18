package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStatusReplayLineFollowsTheFiles (QA-2 m1): a replay's status line is
// cached for --ttl, but not across a change of the files it reads: after
// SPY.csv is removed, rewritten (same size, new time) or restored, the next
// call within the TTL says what a call without the cache says.
func TestStatusReplayLineFollowsTheFiles(t *testing.T) {
	dir := handReplayDir(t, nil)
	h := newHarness(t) // the fake clock stands still: every call is within the 60 s TTL
	uncached := func() (int, string) {
		code, out, _ := h.run("status", "--feed", "replay", "--data", dir, "--ttl", "0")
		return code, out
	}
	cached := func() (int, string) {
		code, out, _ := h.run("status", "--feed", "replay", "--data", dir)
		return code, out
	}
	check := func(what string) {
		t.Helper()
		wantCode, want := uncached()
		code, got := cached()
		if code != wantCode || got != want {
			t.Errorf("%s: cached status exit %d %q, want (as without the cache) exit %d %q", what, code, got, wantCode, want)
		}
	}
	code, first := cached()
	if code != exitOK || !strings.Contains(first, "IWM/SPY") {
		t.Fatalf("first call: exit %d %q", code, first)
	}
	spy := filepath.Join(dir, "SPY.csv")
	if err := os.Remove(spy); err != nil {
		t.Fatal(err)
	}
	check("SPY.csv removed")
	if c, out := uncached(); c != exitFailure || !strings.Contains(out, "SPY") {
		t.Fatalf("without SPY.csv: exit %d %q, want 1 naming SPY", c, out)
	}
	// Same size as the good file, not a CSV, an older time.
	writeFile(t, spy, strings.Repeat("\x00", len(handCSV)), 0o600)
	old := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(spy, old, old); err != nil {
		t.Fatal(err)
	}
	check("SPY.csv binary")
	writeFile(t, spy, handCSV, 0o600)
	if err := os.Chtimes(spy, old.Add(time.Hour), old.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	check("SPY.csv restored")
	if _, out := cached(); out != first {
		t.Errorf("restored files: %q, want the first line %q", out, first)
	}
}
