package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/dashboard"
	"github.com/capwatch/capwatch/tui"
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
// line 45 of XLK.csv, used to make `snapshot` exit 1 with nothing). A
// word on one line is now that row skipped, a notice (QA-2 M2), and XLK
// computes too.
func TestSnapshotBadReplayFileIsOnlyItsSymbolsError(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 6))
	junk := make([]byte, 3000)
	for i := range junk {
		junk[i] = byte(r.UintN(256))
	}
	for _, tc := range []struct {
		name, file, want string
		edit             func(string) string
		notice           bool // a notice (rows skipped), not an error
	}{
		{"random bytes", "psct.csv", "psct.csv: not a CSV file (binary data)", func(string) string { return string(junk) }, false},
		{"word on line 45", "XLK.csv", `3 rows skipped from DIR/XLK.csv, first line 45: bad low "x"` /* + the file's 2 rows without open */, func(s string) string {
			lines := strings.SplitAfter(s, "\n")
			cells := strings.Split(lines[44], ",")
			cells[3] = "x"
			lines[44] = strings.Join(cells, ",")
			return strings.Join(lines, "")
		}, true},
		{"empty", "psct.csv", "psct.csv: empty file (no header)", func(string) string { return "" }, false},
		{"no header", "XLK.csv", "XLK.csv:1: no header", func(s string) string { return s[strings.Index(s, "\n")+1:] }, false},
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
			list := "errors"
			if tc.notice {
				list = "notices"
			}
			for _, e := range m[list].([]any) {
				if e := e.(map[string]any); e["symbol"] == sym {
					msg = e["message"].(string)
				}
			}
			if want := strings.ReplaceAll(tc.want, "DIR", dir); !strings.Contains(msg, want) {
				t.Errorf("%s %s %q, want it to contain %q", sym, list, msg, want)
			}
			// The pair and the other legs still compute.
			checkPair(t, m["pair"].(map[string]any), readCSV(t, "IWM.csv", ""), readCSV(t, "SPY.csv", ""))
			other := "XLK"
			if sym == "XLK" && !tc.notice {
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
		wantOut := "" // status: what tmux shows, never "replay down" (QA-3 F5)
		if args[0] == "status" {
			wantOut = "capwatch: usage error\n"
		}
		if code != exitUsage || errOut != want || out != wantOut {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2, stderr %q", args, code, out, errOut, want)
		}
	}
	if h.dashCalls != 0 {
		t.Errorf("the dashboard started %d times", h.dashCalls)
	}
	// (Any other feed: TestBuildSnapshotAsOfOutsideTheData in internal/app.)
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

// The demo's snapshot and status line agree with what its dashboard shows
// at start, and --seed with --as-of gives that market on any day (issue 14
// item 19: they read the last simulated close while the dashboard opened
// the next day, on a history anchored to the current date).
func TestDemoSnapshotAndStatusAgreeWithTheDashboardAtStart(t *testing.T) {
	h := newHarness(t)
	args := []string{"--feed", "demo", "--seed", "5", "--as-of", "2025-11-24"}
	code, out, errOut := h.run(append([]string{"snapshot", "--format", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("snapshot: exit %d %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	code, status, errOut := h.run(append([]string{"status"}, args...)...)
	if code != exitOK {
		t.Fatalf("status: exit %d %s", code, errOut)
	}
	if code, _, errOut := h.run(args...); code != exitOK || h.dash == nil {
		t.Fatalf("dashboard: exit %d %s", code, errOut)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	d, err := dashboard.New(ctx, *h.dash)
	if err != nil {
		t.Fatal(err)
	}
	snaps := make(chan *engine.Snapshot, 64)
	done := make(chan error, 1)
	go func() {
		done <- d.RunPipeline(ctx, func(msg tea.Msg) {
			if s, ok := msg.(tui.SnapshotMsg); ok {
				snaps <- s.Snap
			}
		})
	}()
	var first *engine.Snapshot // the dashboard's first screen with quotes
	for first == nil {
		select {
		case s := <-snaps:
			if s.Session.State != "" && s.AsOf.Format(time.RFC3339) == "2025-11-24T09:30:00-05:00" {
				first = s
			}
		case <-ctx.Done():
			t.Fatal("the dashboard never showed the demo's open")
		}
	}
	cancel()
	<-done
	if m["as_of"] != "2025-11-24T09:30:00-05:00" || m["session"].(map[string]any)["state"] != first.Session.State || first.Session.State != "open" {
		t.Errorf("snapshot as of %v, session %v; the dashboard at start: %v, %s", m["as_of"], m["session"], first.AsOf, first.Session.State)
	}
	pair := m["pair"].(map[string]any)
	for key, want := range map[string]engine.Num{"ratio": first.Pair.Ratio, "ratio_change_pct": first.Pair.RatioChangePct,
		"ratio_sma50": first.Pair.RatioSMA50, "ratio_high_20": first.Pair.RatioHigh20} {
		w, _ := want.Get()
		checkNum(t, "pair."+key, pair[key], w)
	}
	for i, f := range m["flags"].([]any) {
		f := f.(map[string]any)
		if f["id"] != first.Flags[i].ID || f["state"] != first.Flags[i].State.String() {
			t.Errorf("flag %v %v, the dashboard %s %s", f["id"], f["state"], first.Flags[i].ID, first.Flags[i].State)
		}
	}
	for _, s := range first.Symbols {
		if v, ok := s.Last.Get(); ok {
			checkNum(t, s.Symbol+".last", bySymbol(t, m, s.Symbol)["last"], v)
		}
	}
	r, _ := first.Pair.Ratio.Get()
	if want := fmt.Sprintf("DEMO IWM/SPY %.4f ", r); !strings.HasPrefix(status, want) || !strings.HasSuffix(status, " · open 6h30m\n") {
		t.Errorf("status %q, want %q… · open 6h30m (the dashboard at start)", status, want)
	}
}
