package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/capwatch/capwatch/feeds/failover"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestFeedAuto: --feed auto (or feed = "auto") is live data behind the
// failover feed: Yahoo alone without Alpaca's keys; its failover_after
// comes from the config; snapshot works through it (feed "auto").
func TestFeedAuto(t *testing.T) {
	ny := calendar.Location()
	sat := time.Date(2024, 6, 8, 11, 0, 0, 0, ny)
	srv, _ := yahooServer(t, sat, 260, nil)
	h := newHarness(t)
	h.e.Clock = &jumpClock{now: sat}
	h.e.HTTP = srv.Client()
	cfg := filepath.Join(t.TempDir(), "c.toml")
	writeFile(t, cfg, "feed = \"auto\"\nfailover_after = \"45s\"\n[feeds.yahoo]\nbase_url = \""+srv.URL+"\"\n", 0o600)

	if code, _, errOut := h.run("--config", cfg); code != exitOK || h.dash == nil {
		t.Fatalf("dashboard: exit %d %s", code, errOut)
	}
	f, ok := h.dash.Feed.(*failover.Feed)
	if !ok {
		t.Fatalf("feed %T, want the failover feed", h.dash.Feed)
	}
	if f.Name() != "auto" || !slices.Equal(f.Sources(), []string{"yahoo"}) || f.After() != 45*time.Second {
		t.Fatalf("auto: name %q sources %v after %v", f.Name(), f.Sources(), f.After())
	}

	// With Alpaca's keys, Alpaca first and Yahoo behind it.
	h.vars["APCA_API_KEY_ID"], h.vars["APCA_API_SECRET_KEY"] = "PKAUTO", "auto-secret"
	if code, _, errOut := h.run("--config", cfg); code != exitOK {
		t.Fatalf("dashboard with keys: exit %d %s", code, errOut)
	}
	if f := h.dash.Feed.(*failover.Feed); !slices.Equal(f.Sources(), []string{"alpaca", "yahoo"}) {
		t.Fatalf("with keys: sources %v", f.Sources())
	}
	delete(h.vars, "APCA_API_KEY_ID")

	code, out, errOut := h.run("snapshot", "--config", cfg)
	if code != exitOK {
		t.Fatalf("snapshot: exit %d %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if m["feed"] != "auto" || m["as_of"] != "2024-06-07T16:00:00-04:00" {
		t.Fatalf("snapshot feed %v as_of %v", m["feed"], m["as_of"])
	}
}
