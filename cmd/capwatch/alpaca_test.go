package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds/alpaca/alpacafake"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestSnapshotFromAlpaca: `capwatch snapshot --feed alpaca` against the
// fake Alpaca server, with Yahoo (a loopback fake) for the years before
// Alpaca's history: the ratio comes from Alpaca's newest closes, the JSON
// says which source each part came from, and the keys appear nowhere.
func TestSnapshotFromAlpaca(t *testing.T) {
	ny := calendar.Location()
	sat := time.Date(2024, 6, 8, 11, 0, 0, 0, ny)
	ysrv, _ := yahooServer(t, sat, 2700, nil) // from 2013 on
	const key, secret = "PKCLITESTKEY0000", "cliTestSecretValue000000000000"
	fake := alpacafake.New(alpacafake.Options{KeyID: key, Secret: secret, Now: func() time.Time { return sat }})
	t.Cleanup(fake.Close)
	cal := calendar.NYSE()
	closes := map[string]float64{}
	for sym, base := range map[string]float64{"IWM": 150, "SPY": 300} {
		var bars []engine.Bar
		p := base
		for d := time.Date(2016, 1, 4, 0, 0, 0, 0, ny); d.Before(sat); d = cal.NextTradingDate(d) {
			p *= 1.0002
			bars = append(bars, engine.Bar{Symbol: sym, Time: d, Open: p, High: p * 1.01, Low: p * 0.99, Close: p, Volume: 1e6})
		}
		closes[sym] = p
		fake.SetBars("sip", "1Day", sym, bars)
	}

	h := newHarness(t)
	h.e.Clock = &jumpClock{now: sat}
	h.e.HTTP = fake.Client()
	h.vars["APCA_API_KEY_ID"], h.vars["APCA_API_SECRET_KEY"] = key, secret
	cfg := filepath.Join(t.TempDir(), "config.toml")
	writeFile(t, cfg, "[feeds.yahoo]\nbase_url = \""+ysrv.URL+"\"\n", 0o600)
	logFile := filepath.Join(t.TempDir(), "capwatch.log")
	code, out, errOut := h.run("snapshot", "--feed", "alpaca", "--base-url", fake.URL(), "--config", cfg, "--log-file", logFile)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m struct {
		Feed string `json:"feed"`
		Pair struct {
			Ratio float64 `json:"ratio"`
		} `json:"pair"`
		Provenance *engine.Provenance `json:"provenance"`
		Analogs    *struct {
			HistoryFrom string `json:"history_from"`
		} `json:"analogs"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	checkNum(t, "ratio", m.Pair.Ratio, closes["IWM"]/closes["SPY"])
	if m.Feed != "alpaca" || m.Provenance == nil || len(m.Provenance.History) != 2 {
		t.Fatalf("feed %q provenance %+v", m.Feed, m.Provenance)
	}
	y, a := m.Provenance.History[0], m.Provenance.History[1]
	if y.Source != "yahoo" || y.To != "2015-12-31" || y.From >= "2014" || a.Source != "alpaca" || a.From != "2016-01-04" || a.To != "2024-06-07" {
		t.Errorf("history spans %+v", m.Provenance.History)
	}
	logs, _ := os.ReadFile(logFile)
	seen := []string{out, errOut, string(logs)}
	cached := 0
	_ = filepath.WalkDir(h.e.CacheDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			seen = append(seen, string(b))
			cached++
		}
		return nil
	})
	if cached == 0 {
		t.Error("nothing was cached (the Yahoo part goes through the history cache)")
	}
	for _, s := range seen {
		if strings.Contains(s, key) || strings.Contains(s, secret) {
			t.Errorf("a key appears in the output, the log or the cache: %.300s", s)
		}
	}

	// Without keys: a usage error that says where to get them.
	delete(h.vars, "APCA_API_KEY_ID")
	code, _, errOut = h.run("snapshot", "--feed", "alpaca", "--base-url", fake.URL())
	if code != exitUsage || !strings.Contains(errOut, "APCA_API_KEY_ID") || !strings.Contains(errOut, "free Alpaca account") {
		t.Errorf("without keys: exit %d %q", code, errOut)
	}
	// --stream-url is checked and only for alpaca.
	if code, _, errOut = h.run("snapshot", "--feed", "yahoo", "--stream-url", "wss://x"); code != exitUsage || !strings.Contains(errOut, "--stream-url applies to --feed alpaca") {
		t.Errorf("--stream-url with yahoo: exit %d %q", code, errOut)
	}
}
