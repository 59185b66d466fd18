package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestStatusUsageErrorIsNotAFeedDown (QA-3 F5): a mistake on the command
// line — a missing --data directory or --members file, --feed alpaca
// without keys, a bad flag — exits 2 with `capwatch: usage error` on stdout
// (what tmux shows), never `<feed> down`, which blamed a feed that was never
// asked; stderr says what to fix, with "members:" said once.
func TestStatusUsageErrorIsNotAFeedDown(t *testing.T) {
	dir := handReplayDir(t, nil)
	missing := filepath.Join(t.TempDir(), "nodir")
	cases := []struct {
		args   []string
		stderr string // a part of stderr
	}{
		{[]string{"status", "--feed", "replay", "--data", missing}, "check --data"},
		{[]string{"status", "--feed", "replay", "--data", dir, "--members", filepath.Join(dir, "none.txt")}, "members: open "},
		{[]string{"status", "--feed", "alpaca"}, "--feed alpaca needs an API key"},
		{[]string{"status", "--tmux", "--feed", "replay"}, "--feed replay needs --data DIR"},
		{[]string{"status", "--tmx"}, "unknown flag --tmx"},
		{[]string{"status", "--feed", "replay", "--data", dir, "--as-of", "2020-01-02"}, "2020-01-02"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args[1:], " "), func(t *testing.T) {
			h := newHarness(t)
			for range 2 { // the second call within --ttl: no cached "down" either
				code, stdout, stderr := h.run(tc.args...)
				if code != exitUsage {
					t.Fatalf("exit %d, want 2 (stdout %q, stderr %q)", code, stdout, stderr)
				}
				if stdout != "capwatch: usage error\n" {
					t.Errorf("stdout %q, want \"capwatch: usage error\" (stderr %q)", stdout, stderr)
				}
				if !strings.Contains(stderr, tc.stderr) {
					t.Errorf("stderr %q does not say %q", stderr, tc.stderr)
				}
				if strings.Contains(stderr, "members: members:") {
					t.Errorf("stderr %q: members said twice", stderr)
				}
			}
		})
	}
	// The snapshot's error names the members file once too.
	h := newHarness(t)
	code, _, stderr := h.run("snapshot", "--feed", "replay", "--data", dir, "--members", filepath.Join(dir, "none.txt"))
	if code != exitUsage || strings.Count(stderr, "members:") != 1 {
		t.Errorf("snapshot with a missing members file: exit %d, stderr %q; want 2 with one \"members:\"", code, stderr)
	}
}

// TestFlagsBeforeTheCommand (QA-3 F9a): flags before the command apply to
// it, as after it: `capwatch --feed replay --data DIR snapshot --format
// text` prints what `capwatch snapshot --feed replay --data DIR --format
// text` prints; a word that is a flag's value is never taken for the
// command; a command that takes none of these flags is asked to come first.
func TestFlagsBeforeTheCommand(t *testing.T) {
	dir := handReplayDir(t, nil)
	same := []struct{ before, first []string }{
		{[]string{"--feed", "replay", "--data", dir, "snapshot", "--format", "text"},
			[]string{"snapshot", "--feed", "replay", "--data", dir, "--format", "text"}},
		{[]string{"--feed=replay", "--data", dir, "--tmux", "status", "--ttl", "0"},
			[]string{"status", "--feed=replay", "--data", dir, "--tmux", "--ttl", "0"}},
		{[]string{"--feed", "replay", "--data", replayDir, "analogs", "--format", "csv"},
			[]string{"analogs", "--feed", "replay", "--data", replayDir, "--format", "csv"}},
	}
	for _, tc := range same {
		t.Run(strings.Join(tc.before, " "), func(t *testing.T) {
			h := newHarness(t)
			wantCode, want, wantErr := h.run(tc.first...)
			if wantCode != exitOK || want == "" {
				t.Fatalf("command first: exit %d, stdout %q, stderr %q", wantCode, want, wantErr)
			}
			code, got, stderr := newHarness(t).run(tc.before...)
			if code != wantCode || got != want {
				t.Errorf("flags first: exit %d\n%s\nstderr %q\nwant exit %d\n%s", code, got, stderr, wantCode, want)
			}
			if h.dashCalls != 0 {
				t.Error("the dashboard started")
			}
		})
	}

	// A flag's value is not the command; "--" and an unknown flag end the
	// search (the parser's own message then).
	kept := [][]string{
		{"--feed", "replay", "--data", "snapshot"},
		{"--pair", "status"},
		{"--", "snapshot"},
		{"--nope", "snapshot"},
		{"--feed", "demo", "notacommand", "snapshot"},
	}
	for _, args := range kept {
		if got := commandFirst(args); !slices.Equal(got, args) {
			t.Errorf("commandFirst(%q) = %q, want it unchanged", args, got)
		}
	}
	if got, want := commandFirst([]string{"--tmux", "--as-of=2024-06-03", "-h", "status"}),
		[]string{"status", "--tmux", "--as-of=2024-06-03", "-h"}; !slices.Equal(got, want) {
		t.Errorf("commandFirst = %q, want %q", got, want)
	}

	h := newHarness(t)
	code, _, stderr := h.run("--feed", "demo", "config", "path")
	if code != exitUsage || strings.TrimSpace(stderr) != "capwatch: put the command first: capwatch config … (see capwatch --help)" {
		t.Errorf("flags before config: exit %d, stderr %q", code, stderr)
	}
}

// TestStatusUsageErrorBeforeTheCommand (QA-4 N8): a usage error in a flag
// before `status` — an unknown flag, or a flag that took "status" for its
// value — prints `capwatch: usage error` on stdout like one after it (tmux
// shows only stdout: an empty segment hid the mistake); the dashboard's own
// usage errors print nothing there.
func TestStatusUsageErrorBeforeTheCommand(t *testing.T) {
	for _, args := range [][]string{
		{"--no-such", "status"},
		{"--no-such", "status", "--tmux"},
		{"--speed", "status"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, stdout, stderr := newHarness(t).run(args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2 (stdout %q, stderr %q)", code, stdout, stderr)
			}
			if stdout != "capwatch: usage error\n" {
				t.Errorf("stdout %q, want \"capwatch: usage error\" (stderr %q)", stdout, stderr)
			}
			if stderr == "" {
				t.Error("stderr empty: the mistake is not named")
			}
		})
	}
	code, stdout, _ := newHarness(t).run("--no-such")
	if code != exitUsage || stdout != "" {
		t.Errorf("capwatch --no-such: exit %d, stdout %q; want 2 and nothing on stdout", code, stdout)
	}
}
