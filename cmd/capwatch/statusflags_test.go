package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// TestStatusCountsEveryFlag: the tmux line counts and shows the same flags
// as the snapshot (and the dashboard), breadth's included: "N/M" is the
// snapshot's confirmed flags of its flags that could be judged. QA-1 item
// 11: the line left out breadth_above_sma50 and breadth_thrust.
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
		Flags []jsonFlag
	}
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatal(err)
	}
	confirmed, judged, states := 0, 0, map[string]string{}
	for _, f := range snap.Flags {
		states[f.ID] = f.State
		if f.State == "confirmed" {
			confirmed++
		}
		if !f.unjudged() {
			judged++
		}
	}
	if states["breadth_above_sma50"] != "confirmed" {
		t.Fatalf("precondition: breadth_above_sma50 is %q in the snapshot", states["breadth_above_sma50"])
	}
	code, line, errOut := h.run(append([]string{"status"}, args...)...)
	if code != exitOK {
		t.Fatalf("status: exit %d: %s", code, errOut)
	}
	if want := fmt.Sprintf(" %d/%d ", confirmed, judged); !strings.Contains(line, want) {
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

// jsonFlag is a flag of the snapshot's JSON.
type jsonFlag struct {
	ID         string   `json:"id"`
	State      string   `json:"state"`
	Value      *float64 `json:"value"`
	Threshold  *float64 `json:"threshold"`
	CloseValue *float64 `json:"close_value"`
	Partial    bool     `json:"partial"`
	NoData     *bool    `json:"no_data"`
}

// unjudged is the README's rule for a flag that cannot be judged, from the
// JSON's own fields: off (not held off on partial volume) with no threshold
// or with no value on the live bar nor at the close.
func (f jsonFlag) unjudged() bool {
	return f.State == "off" && !f.Partial && (f.Threshold == nil || f.Value == nil && f.CloseValue == nil)
}

// TestStatusSaysNoData: flags that cannot be judged are left out of the
// count and said apart, the same in every view. A replay directory with
// IWM.csv but no SPY.csv (and no sector files): the four ratio flags,
// small_leads_21d (IWM against SPY) and sector_breadth (0 of 9 pairs)
// cannot be judged; small_above_sma200 and small_golden_cross (IWM alone)
// are confirmed and small_volume_surge is off — 2 of 3 judged confirmed,
// 6 no data. The status line said "2/9" and did not say "no data"; the
// text snapshot said "off" for them.
func TestStatusSaysNoData(t *testing.T) {
	dir := copyReplay(t)
	if err := os.Remove(filepath.Join(dir, "SPY.csv")); err != nil {
		t.Fatal(err)
	}
	noData := map[string]bool{"ratio_above_sma50": true, "ratio_above_sma200": true, "ratio_new_high_20d": true,
		"ratio_new_high_52w": true, "small_leads_21d": true, "sector_breadth": true}
	h := newHarness(t)
	args := []string{"--feed", "replay", "--data", dir}
	_, out, _ := h.run(append([]string{"snapshot"}, args...)...) // exits 1: no ratio
	var snap struct{ Flags []jsonFlag }
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(snap.Flags) != 9 {
		t.Fatalf("%d flags, want the 9 without members", len(snap.Flags))
	}
	for _, f := range snap.Flags {
		if f.NoData == nil || *f.NoData != noData[f.ID] || f.unjudged() != noData[f.ID] {
			t.Errorf("JSON flag %s: no_data %v, by the README's rule %v; want %v", f.ID, f.NoData, f.unjudged(), noData[f.ID])
		}
	}
	_, line, _ := h.run(append([]string{"status", "--ttl", "0"}, args...)...)
	if !strings.Contains(line, " 2/3 S>200d S×gold ·") || !strings.Contains(line, " · 6 no data · ") {
		t.Errorf("status %q: want \" 2/3 S>200d S×gold ·\" and \" · 6 no data · \"", line)
	}
	_, text, _ := h.run(append([]string{"snapshot", "--format", "text"}, args...)...)
	if !strings.Contains(text, "\nFlags 2/3 confirmed, 6 no data\n") {
		t.Errorf("text snapshot: no \"Flags 2/3 confirmed, 6 no data\":\n%s", text)
	}
	for _, l := range strings.Split(text, "\n") {
		fields := strings.Fields(l)
		if len(fields) < 3 || fields[0] != "○" {
			continue
		}
		id, state := fields[1], strings.Join(fields[2:4], " ")
		if noData[id] != (state == "no data") {
			t.Errorf("text row %q: says %q, want no data: %v", l, state, noData[id])
		}
	}
}
