package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBadReplayDirNamesItsSource (QA-4 N14): a replay directory that is
// not there is blamed on where it was set: the config file's
// feeds.replay.data (with the file's path) when no --data was given, --data
// when it was.
func TestBadReplayDirNamesItsSource(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nodir")
	cfg := filepath.Join(t.TempDir(), "c.toml")
	writeFile(t, cfg, "feed = \"replay\"\n[feeds.replay]\ndata = \""+missing+"\"\n", 0o600)
	for _, cmd := range []string{"status", "snapshot"} {
		code, _, stderr := newHarness(t).run(cmd, "--config", cfg)
		if code != exitUsage || !strings.Contains(stderr, "(check feeds.replay.data in "+cfg+")") || strings.Contains(stderr, "--data") {
			t.Errorf("%s, directory from the file: exit %d, stderr %q; want 2, naming feeds.replay.data in %s and not --data", cmd, code, stderr, cfg)
		}
		code, _, stderr = newHarness(t).run(cmd, "--config", cfg, "--data", missing+"2")
		if code != exitUsage || !strings.Contains(stderr, "(check --data)") {
			t.Errorf("%s --data: exit %d, stderr %q; want 2, naming --data", cmd, code, stderr)
		}
	}
}
