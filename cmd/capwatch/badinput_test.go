package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyReplay copies the replay test data into a new directory and returns it.
func copyReplay(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := os.ReadDir(replayDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(replayDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, e.Name()), string(b), 0o600)
	}
	return dir
}

// A replay file that cannot be used is that symbol's error; the rest loads
// and computes (issue 14 item 6: one random-bytes psct.csv, or a word on
// line 45 of XLK.csv, used to make `snapshot` exit 1 with nothing).
func TestSnapshotBadReplayFileIsOnlyItsSymbolsError(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 6))
	junk := make([]byte, 3000)
	for i := range junk {
		junk[i] = byte(r.UintN(256))
	}
	for _, tc := range []struct {
		name, file, want string
		edit             func(string) string
	}{
		{"random bytes", "psct.csv", "psct.csv: not a CSV file (binary data)", func(string) string { return string(junk) }},
		{"word on line 45", "XLK.csv", `XLK.csv:45: bad `, func(s string) string {
			lines := strings.SplitAfter(s, "\n")
			cells := strings.Split(lines[44], ",")
			cells[3] = "x"
			lines[44] = strings.Join(cells, ",")
			return strings.Join(lines, "")
		}},
		{"empty", "psct.csv", "psct.csv: empty file (no header)", func(string) string { return "" }},
		{"no header", "XLK.csv", "XLK.csv:1: no header", func(s string) string { return s[strings.Index(s, "\n")+1:] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyReplay(t)
			path := filepath.Join(dir, tc.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, tc.edit(string(b)), 0o600)
			h := newHarness(t)
			code, out, errOut := h.run("snapshot", "--feed", "replay", "--data", dir, "--format", "json")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatal(err)
			}
			sym := strings.ToUpper(strings.TrimSuffix(tc.file, ".csv"))
			var msg string
			for _, e := range m["errors"].([]any) {
				if e := e.(map[string]any); e["symbol"] == sym {
					msg = e["message"].(string)
				}
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("%s error %q, want it to contain %q", sym, msg, tc.want)
			}
			// The pair and the other legs still compute.
			checkPair(t, m["pair"].(map[string]any), readCSV(t, "IWM.csv", ""), readCSV(t, "SPY.csv", ""))
			other := "XLK"
			if sym == "XLK" {
				other = "PSCT"
			}
			if s := bySymbol(t, m, other); s["last"] == nil {
				t.Errorf("%s has no data: %v", other, s)
			}
		})
	}
}

// An --as-of before the data is a usage error naming the data's dates; one
// after it is a note (issue 14 item 16).
func TestAsOfOutsideTheData(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{
		{"snapshot", "--feed", "replay", "--data", replayDir, "--as-of", "2020-01-02"},
		{"analogs", "--feed", "replay", "--data", replayDir, "--as-of", "2020-01-02"},
		{"status", "--feed", "replay", "--data", replayDir, "--as-of", "2020-01-02"},
		{"--feed", "replay", "--data", replayDir, "--as-of", "2020-01-02"},
	} {
		code, out, errOut := h.run(args...)
		want := "capwatch: --as-of 2020-01-02 is before the data, which runs from 2024-08-15 to 2025-11-21 (" + replayDir + ")\n"
		if code != exitUsage || errOut != want || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2, stderr %q", args, code, out, errOut, want)
		}
	}
	if h.dashCalls != 0 {
		t.Errorf("the dashboard started %d times", h.dashCalls)
	}
	// Any feed: the demo's data ends the trading day before its start.
	code, _, errOut := h.run("snapshot", "--feed", "demo", "--as-of", "1990-01-02")
	if code != exitUsage || !strings.HasPrefix(errOut, "capwatch: --as-of 1990-01-02 is before the data, which runs from ") {
		t.Errorf("demo: exit %d, stderr %q", code, errOut)
	}
	// After the last date: the snapshot of the last date, and a note.
	code, out, errOut := h.run("snapshot", "--feed", "replay", "--data", replayDir, "--as-of", "2026-01-05", "--format", "text")
	if code != exitOK || !strings.Contains(out, "as of 2025-11-21") ||
		errOut != "capwatch: note: --as-of 2026-01-05 is after the data's last date 2025-11-21: showing 2025-11-21\n" {
		t.Errorf("after: exit %d, stderr %q\n%s", code, errOut, out)
	}
	// A weekend right after the last date is not beyond the data.
	code, _, errOut = h.run("snapshot", "--feed", "replay", "--data", replayDir, "--as-of", "2025-11-23")
	if code != exitOK || errOut != "" {
		t.Errorf("weekend: exit %d, stderr %q", code, errOut)
	}
}
