package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// TestStatusCountsEveryFlag: the tmux line counts and shows the same flags
// as the snapshot (and the dashboard), breadth's included: "N/M" is the
// snapshot's confirmed flags of all its flags. QA-1 item 11: the line left
// out breadth_above_sma50 and breadth_thrust.
func TestStatusCountsEveryFlag(t *testing.T) {
	dir := replayWithMembers(t)
	only := filepath.Join(t.TempDir(), "mine.txt")
	writeFile(t, only, "AAA\n", 0o644) // AAA rises every day: 100% of members above their 50-day
	h := newHarness(t)
	args := []string{"--feed", "replay", "--data", dir, "--members", only}
	code, out, errOut := h.run(append([]string{"snapshot"}, args...)...)
	if code != exitOK {
		t.Fatalf("snapshot: exit %d: %s", code, errOut)
	}
	var snap struct {
		Flags []struct{ ID, State string }
	}
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatal(err)
	}
	confirmed, states := 0, map[string]string{}
	for _, f := range snap.Flags {
		states[f.ID] = f.State
		if f.State == "confirmed" {
			confirmed++
		}
	}
	if states["breadth_above_sma50"] != "confirmed" {
		t.Fatalf("precondition: breadth_above_sma50 is %q in the snapshot", states["breadth_above_sma50"])
	}
	code, line, errOut := h.run(append([]string{"status"}, args...)...)
	if code != exitOK {
		t.Fatalf("status: exit %d: %s", code, errOut)
	}
	if want := fmt.Sprintf(" %d/%d ", confirmed, len(snap.Flags)); !strings.Contains(line, want) {
		t.Errorf("status %q: want the snapshot's count %q", line, want)
	}
	if !strings.Contains(line, " M>50d") {
		t.Errorf("status %q: no M>50d (breadth_above_sma50 confirmed in the snapshot)", line)
	}
}

// hostRecorder records the host of every request a client makes.
type hostRecorder struct {
	next  http.RoundTripper
	mu    sync.Mutex
	hosts map[string]int
}

func (r *hostRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.hosts[req.URL.Host]++
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// TestStatusAsksOnlyForThePair: with breadth on (the default iwm universe and
// the confirmation strip), a live `capwatch status` reads the members list
// and the series from the day's cache only: its requests all go to the
// pair's feed, never to iShares or FRED.
func TestStatusAsksOnlyForThePair(t *testing.T) {
	ny := calendar.Location()
	tue := time.Date(2024, 6, 11, 11, 0, 0, 0, ny)
	srv, _ := yahooServer(t, tue, 260, map[string]float64{"IWM": 210, "SPY": 525})
	h := newHarness(t)
	h.e.Clock = &jumpClock{now: tue}
	rec := &hostRecorder{next: srv.Client().Transport, hosts: map[string]int{}}
	h.e.HTTP = &http.Client{Transport: rec}
	code, out, errOut := h.run("status", "--feed", "yahoo", "--base-url", srv.URL)
	if code != exitOK || !strings.HasPrefix(out, "IWM/SPY 0.4000") {
		t.Fatalf("status: exit %d %q %s", code, out, errOut)
	}
	u, _ := url.Parse(srv.URL)
	for host, n := range rec.hosts {
		if host != u.Host {
			t.Errorf("%d requests to %s: status asks the pair's feed only", n, host)
		}
	}
	if rec.hosts[u.Host] == 0 {
		t.Error("no request to the feed")
	}
}
