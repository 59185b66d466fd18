package main

import (
	"strings"
	"testing"
)

// TestLowAddressSpaceLimitIsAClearMessage: under an address-space limit
// (ulimit -v) below what capwatch needs, it says so in one line and exits
// 1 before starting anything (the dashboard never takes the terminal),
// instead of aborting half-way with a runtime stack trace. At or above the
// need, or without a limit, it starts.
func TestLowAddressSpaceLimitIsAClearMessage(t *testing.T) {
	for _, tc := range []struct {
		feed  string
		limit uint64 // bytes; 0: none
		start bool
	}{
		{"demo", 200000 << 10, false}, // `ulimit -v 200000`
		{"demo", 1900 << 20, false},
		{"demo", 2 << 30, true}, // was 2.5 GiB before the demo generated only what it hands out
		{"demo", 0, true},
		{"replay", 1 << 30, false},
		{"replay", 2 << 30, true},
	} {
		h := newHarness(t)
		h.e.Memory = func() memLimits { return memLimits{Limit: tc.limit} }
		args := []string{"--feed", tc.feed}
		if tc.feed == "replay" {
			args = append(args, "--data", t.TempDir())
		}
		code, out, errOut := h.run(args...)
		if started := h.dashCalls > 0; started != tc.start {
			t.Errorf("%s under %d KiB: dashboard started %v, want %v (exit %d, stderr %q)", tc.feed, tc.limit>>10, started, tc.start, code, errOut)
		}
		if tc.start {
			continue
		}
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if code != exitFailure || out != "" || len(lines) != 1 || !strings.Contains(errOut, "address-space limit") ||
			!strings.Contains(errOut, "ulimit -v unlimited") || strings.Contains(errOut, "goroutine") {
			t.Errorf("%s under %d KiB: exit %d, stdout %q, stderr %q; want exit 1 and one line saying what to raise", tc.feed, tc.limit>>10, code, out, errOut)
		}
	}
}
