package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// TestAnalogsBreadthSplitAddsUp (QA-4 N7): in `capwatch analogs`, every
// horizon's row of the breadth split adds up with the events before the
// members' history to the number of breakouts: confirmed n + not confirmed
// n + too recent + earlier = events (the JSON's). The table counted 22 of 23
// (5 + 0 + 17) when the last breakout was too recent for any outcome; the
// dashboard says "· 1 too recent".
func TestAnalogsBreadthSplitAddsUp(t *testing.T) {
	args := []string{"analogs", "--feed", "demo", "--seed", "1", "--as-of", "2026-12-04"}
	code, out, stderr := newHarness(t).run(append(args, "--format", "json")...)
	if code != exitOK {
		t.Fatalf("json: exit %d, stderr %q", code, stderr)
	}
	var js struct {
		Events  []json.RawMessage `json:"events"`
		Breadth *struct {
			Uncovered int `json:"uncovered"`
		} `json:"breadth"`
	}
	if err := json.Unmarshal([]byte(out), &js); err != nil || js.Breadth == nil {
		t.Fatalf("json: %v, breadth %v", err, js.Breadth)
	}
	code, out, stderr = newHarness(t).run(args...)
	if code != exitOK {
		t.Fatalf("table: exit %d, stderr %q", code, stderr)
	}
	_, split, ok := strings.Cut(out, "\nBreadth at the events")
	if !ok {
		t.Fatalf("no breadth split in\n%s", out)
	}
	lines := strings.Split(split, "\n")

	// horizon, confirmed n, led, median, not confirmed n, led, median, too recent
	if !strings.Contains(lines[1], "too recent") {
		t.Fatalf("the split has no too-recent column: %q", lines[1])
	}
	rows, recent := 0, 0
	for _, l := range lines[2:] {
		f := strings.Fields(l)
		if len(f) == 0 {
			break
		}
		if len(f) != 8 {
			t.Fatalf("row %q: %d fields, want 8", l, len(f))
		}
		var n [3]int
		for i, k := range []int{1, 4, 7} {
			v, err := strconv.Atoi(f[k])
			if err != nil {
				t.Fatalf("row %q: field %d: %v", l, k, err)
			}
			n[i] = v
		}
		if sum := n[0] + n[1] + n[2] + js.Breadth.Uncovered; sum != len(js.Events) {
			t.Errorf("%s: %d confirmed + %d not + %d too recent + %d earlier = %d, want the %d breakouts", f[0], n[0], n[1], n[2], js.Breadth.Uncovered, sum, len(js.Events))
		}
		rows++
		recent += n[2]
	}
	if rows == 0 || recent == 0 {
		t.Errorf("%d rows, %d too recent: the case no longer has a breakout too recent for an outcome", rows, recent)
	}
}
