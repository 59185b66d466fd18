package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// replayWithMembers copies the replay test data's pair and writes two
// members (AAA rising, BBB falling on the pair's dates), a members list
// that also names a member without a file, and a FRED-format DGS2.csv whose
// last value is below the one 21 observations earlier.
func replayWithMembers(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"IWM.csv", "SPY.csv"} {
		b, err := os.ReadFile(filepath.Join(replayDir, f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, f), string(b), 0o644)
	}
	dates := readCSV(t, "IWM.csv", "").dates
	var a, b, y strings.Builder
	a.WriteString("Date,Open,High,Low,Close,Volume\n")
	b.WriteString("Date,Open,High,Low,Close,Volume\n")
	y.WriteString("observation_date,DGS2\n")
	for i, d := range dates {
		up, down := 10+0.1*float64(i), 90-0.1*float64(i)
		fmt.Fprintf(&a, "%s,%.2f,%.2f,%.2f,%.2f,1000\n", d, up, up, up, up)
		fmt.Fprintf(&b, "%s,%.2f,%.2f,%.2f,%.2f,1000\n", d, down, down, down, down)
		fmt.Fprintf(&y, "%s,%.2f\n", d, 5-0.01*float64(i))
	}
	writeFile(t, filepath.Join(dir, "AAA.csv"), a.String(), 0o644)
	writeFile(t, filepath.Join(dir, "BBB.csv"), b.String(), 0o644)
	writeFile(t, filepath.Join(dir, "DGS2.csv"), y.String(), 0o644)
	writeFile(t, filepath.Join(dir, "members.csv"), "Ticker,Name\nAAA,Rising Co\nBBB,Falling Co\nCCC,No File Inc\n", 0o644)
	return dir
}

func TestSnapshotReplayBreadth(t *testing.T) {
	dir := replayWithMembers(t)
	h := newHarness(t)
	code, out, errOut := h.run("snapshot", "--feed", "replay", "--data", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m struct {
		Breadth struct {
			Universe      string   `json:"universe"`
			Members       int      `json:"members"`
			Covered       int      `json:"covered"`
			AsOf          string   `json:"as_of"`
			PctAboveSMA50 *float64 `json:"pct_above_sma50"`
			Advancers     int      `json:"advancers"`
			Decliners     int      `json:"decliners"`
			NewHighs      int      `json:"new_highs_52w"`
			NewLows       int      `json:"new_lows_52w"`
		} `json:"breadth"`
		Load struct {
			Members, Loaded, Failed int
			Done                    bool
		} `json:"breadth_load"`
		Confirmations []struct {
			ID, State string
		} `json:"confirmations"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	b := m.Breadth
	wantAsOf := readCSV(t, "IWM.csv", "").dates
	if b.Universe != filepath.Join(dir, "members.csv") || b.Members != 3 || b.Covered != 2 || b.AsOf != wantAsOf[len(wantAsOf)-1] {
		t.Errorf("breadth %+v", b)
	}
	// AAA rises every day (above its SMA50, a 52-week high), BBB falls.
	if b.PctAboveSMA50 == nil || *b.PctAboveSMA50 != 50 || b.Advancers != 1 || b.Decliners != 1 || b.NewHighs != 1 || b.NewLows != 1 {
		t.Errorf("breadth values %+v", b)
	}
	if m.Load.Members != 3 || m.Load.Failed != 1 || !m.Load.Done {
		t.Errorf("load %+v", m.Load)
	}
	states := map[string]string{}
	for _, c := range m.Confirmations {
		states[c.ID] = c.State
	}
	if states["dgs2"] != "confirms" || states["iwm_qqq"] != "unknown" || len(states) != 6 {
		t.Errorf("confirmations %v", states)
	}

	// --members overrides the directory's list.
	only := filepath.Join(t.TempDir(), "mine.txt")
	writeFile(t, only, "# just one\nAAA\n", 0o644)
	code, out, errOut = h.run("snapshot", "--feed", "replay", "--data", dir, "--members", only)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if m.Breadth.Members != 1 || m.Breadth.Covered != 1 || *m.Breadth.PctAboveSMA50 != 100 || m.Breadth.Universe != only {
		t.Errorf("--members: %+v", m.Breadth)
	}
	// A members file that is not there is a usage error.
	if code, _, errOut = h.run("snapshot", "--feed", "replay", "--data", dir, "--members", filepath.Join(dir, "nope.csv")); code != exitUsage || !strings.Contains(errOut, "members") {
		t.Errorf("missing --members file: exit %d, %q", code, errOut)
	}
}

func TestDashboardGetsBreadth(t *testing.T) {
	h := newHarness(t)
	if code, _, errOut := h.run("--feed", "demo"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	d := h.dash
	if d == nil || d.Breadth == nil || !d.ShowBreadth || len(d.Breadth.Members) != 600 || !d.Breadth.Stream || d.Breadth.Series == nil {
		t.Fatalf("demo dashboard breadth: %+v", d)
	}
	// Breadth off and no strip: no panel, nothing to load.
	cfg := filepath.Join(t.TempDir(), "c.toml")
	writeFile(t, cfg, "confirm = []\n[breadth]\nuniverse = \"off\"\n", 0o600)
	if code, _, errOut := h.run("--feed", "demo", "--config", cfg); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if h.dash.Breadth != nil || h.dash.ShowBreadth {
		t.Errorf("breadth off: %+v %v", h.dash.Breadth, h.dash.ShowBreadth)
	}
}

// TestMemberHistorySource: the members' history comes from Alpaca when its
// keys are set and the feed is alpaca or auto (streamed only with feed
// alpaca), else from Yahoo; end of day unless streamed.
func TestMemberHistorySource(t *testing.T) {
	members := filepath.Join(t.TempDir(), "m.txt")
	writeFile(t, members, "AAA\nBBB\n", 0o644)
	for _, tc := range []struct {
		feed   string
		keys   bool
		batch  int
		stream bool
	}{
		{"yahoo", false, 10, false},
		{"auto", false, 10, false},
		{"auto", true, 200, false},
		{"alpaca", true, 200, true},
		{"yahoo", true, 10, false},
	} {
		h := newHarness(t)
		if tc.keys {
			h.vars["APCA_API_KEY_ID"], h.vars["APCA_API_SECRET_KEY"] = "key", "secret"
		}
		if code, _, errOut := h.run("--feed", tc.feed, "--members", members); code != exitOK {
			t.Fatalf("%+v: exit %d %s", tc, code, errOut)
		}
		b := h.dash.Breadth
		if b == nil || b.Batch != tc.batch || b.Stream != tc.stream || len(b.Members) != 2 || b.Refresh == nil {
			t.Errorf("%+v: breadth %+v", tc, b)
		}
	}
}
