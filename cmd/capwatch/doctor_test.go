package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/feeds/alpaca/alpacafake"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/doctor"
	"github.com/capwatch/capwatch/internal/nettest"
	"github.com/capwatch/capwatch/internal/signals"
)

// fakeTerminal is a 120×40 true-colour terminal inside tmux whose
// background query and `tmux -V` answer at once.
func fakeTerminal() doctor.Terminal {
	return doctor.Terminal{TTY: true, Width: 120, Height: 40, Profile: "TrueColor",
		Background:  func(context.Context) (bool, bool) { return true, true },
		TmuxVersion: func(context.Context) (string, error) { return "tmux 3.4\n", nil }}
}

// doctorJSON runs `capwatch doctor --format json` and decodes the report.
func doctorJSON(t *testing.T, h *harness, args ...string) (int, doctor.Report, string) {
	t.Helper()
	code, out, errOut := h.run(append([]string{"doctor", "--format", "json"}, args...)...)
	var r doctor.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("doctor JSON: %v\n%s\n%s", err, out, errOut)
	}
	return code, r, errOut
}

func feedCheck(t *testing.T, r doctor.Report, name string) doctor.FeedCheck {
	t.Helper()
	for _, f := range r.Feeds {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no %s in %+v", name, r.Feeds)
	return doctor.FeedCheck{}
}

// TestDoctorFinishesWhenEverythingHangs: every host takes requests and
// never answers, the terminal never answers its background query and
// `tmux -V` never returns: doctor still reports within 10 s (synctest's
// fake clock), says each feed does not answer, and exits 1 for feed auto.
func TestDoctorFinishesWhenEverythingHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t)
		h.e.Clock = clock.Real{}
		h.e.HTTP = nettest.Client((&nettest.Hang{}).Dial)
		release := make(chan struct{}) // the terminal answers only when the test ends
		defer close(release)
		h.e.Terminal = func() doctor.Terminal {
			tt := fakeTerminal()
			tt.Background = func(context.Context) (bool, bool) { <-release; return true, true }
			tt.TmuxVersion = func(context.Context) (string, error) { <-release; return "tmux 3.4", nil }
			return tt
		}
		h.vars["TMUX"] = "/tmp/tmux-0/default,1,0"
		cfg := filepath.Join(t.TempDir(), "c.toml")
		writeFile(t, cfg, "[feeds.yahoo]\nbase_url = \"http://quotes.test\"\n[feeds.stooq]\nbase_url = \"http://stooq.test\"\n"+
			"[feeds.alpaca]\nbase_url = \"http://alpaca.test\"\n", 0o600)
		h.vars["APCA_API_KEY_ID"], h.vars["APCA_API_SECRET_KEY"] = "PKHANG", "hang-secret"
		start := time.Now()
		code, r, _ := doctorJSON(t, h, "--feed", "auto", "--config", cfg)
		if took := time.Since(start); took > 10*time.Second {
			t.Fatalf("doctor took %v, want ≤ 10s", took)
		}
		if code != exitFailure || r.FeedWorks {
			t.Fatalf("exit %d, feed works %v: want 1 (nothing answers)", code, r.FeedWorks)
		}
		for _, name := range []string{"alpaca", "yahoo", "stooq"} {
			if f := feedCheck(t, r, name); f.Status != doctor.Fail || !strings.Contains(f.Detail, "did not answer within") || f.Fix == "" {
				t.Errorf("%s: %+v", name, f)
			}
		}
		if r.Terminal.Background != "unknown" || r.Terminal.TmuxVersion != "" {
			t.Errorf("terminal %+v: a query that never answers is unknown", r.Terminal)
		}
	})
}

// TestDoctorNeverShowsKeys: with every key set (environment and config
// file), doctor's table, JSON, stderr and log say only that each is set.
func TestDoctorNeverShowsKeys(t *testing.T) {
	secrets := map[string]string{
		"APCA_API_KEY_ID": "PKTESTKEYID0001", "APCA_API_SECRET_KEY": "s3cr3t-alpaca-0001",
		"CAPWATCH_STOOQ_API_KEY": "stooq-env-key-0001", "CAPWATCH_API_KEY": "generic-key-0001",
	}
	fileKey := "stooq-file-key-0001"
	sat := time.Date(2024, 6, 8, 11, 0, 0, 0, calendar.Location())
	ysrv, _ := yahooServer(t, sat, 30, nil)
	seen := make(chan string, 16)
	ssrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.URL.RawQuery
		w.WriteHeader(http.StatusGatewayTimeout)
	}))
	t.Cleanup(ssrv.Close)
	asrv := alpacafake.New(alpacafake.Options{KeyID: secrets["APCA_API_KEY_ID"], Secret: secrets["APCA_API_SECRET_KEY"]})
	t.Cleanup(asrv.Close)
	h := newHarness(t)
	h.e.HTTP = ysrv.Client()
	h.e.Terminal = fakeTerminal
	for k, v := range secrets {
		h.vars[k] = v
	}
	cfg := filepath.Join(t.TempDir(), "c.toml")
	writeFile(t, cfg, "feed = \"auto\"\n[feeds.yahoo]\nbase_url = \""+ysrv.URL+"\"\n[feeds.stooq]\nbase_url = \""+ssrv.URL+
		"\"\napi_key = \""+fileKey+"\"\n[feeds.alpaca]\nbase_url = \""+asrv.URL()+"\"\n", 0o644)

	code, table, errTable := h.run("doctor", "--config", cfg)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errTable, table)
	}
	_, r, errJSON := doctorJSON(t, h, "--config", cfg)
	js, _ := json.Marshal(r)
	logData, err := os.ReadFile(filepath.Join(h.e.CacheDir, "capwatch", "capwatch.log"))
	if err != nil {
		t.Fatal(err)
	}
	if q := <-seen; !strings.Contains(q, "apikey=") {
		t.Fatalf("stooq probed without its key: %q", q)
	}
	all := map[string]string{"table": table, "stderr": errTable + errJSON, "json": string(js), "log": string(logData)}
	for where, text := range all {
		for name, v := range secrets {
			if strings.Contains(text, v) {
				t.Errorf("%s shows %s's value", where, name)
			}
		}
		if strings.Contains(text, fileKey) {
			t.Errorf("%s shows feeds.stooq.api_key's value", where)
		}
	}
	for _, k := range r.Config.Keys {
		if !k.Set && !strings.HasPrefix(k.Name, "feeds.alpaca.") { // the environment's, not the file's
			t.Errorf("key %s reported not set", k.Name)
		}
	}
	if a := feedCheck(t, r, "alpaca"); a.Status != doctor.OK || !a.Used || a.HTTPStatus != 200 {
		t.Errorf("alpaca with its keys: %+v", a)
	}
	if flat := strings.Join(strings.Fields(table), " "); !strings.Contains(flat, "APCA_API_SECRET_KEY set") || !strings.Contains(flat, "feeds.stooq.api_key (set)") {
		t.Errorf("the table does not say which keys are set:\n%s", table)
	}
}

// TestDoctorSaysWhatToDo: each kind of failure of a feed gets its cause
// and what to do; the clock is compared with the server's Date header.
func TestDoctorSaysWhatToDo(t *testing.T) {
	chal, err := os.ReadFile(filepath.Join("..", "..", "feeds", "stooq", "testdata", "challenge.html"))
	if err != nil {
		t.Fatal(err)
	}
	serve := func(f http.HandlerFunc) string {
		srv := httptest.NewServer(f)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	sat := time.Date(2024, 6, 8, 11, 0, 0, 0, calendar.Location())
	ysrv, _ := yahooServer(t, sat, 30, nil)
	behind := serve(func(w http.ResponseWriter, r *http.Request) {
		// A server whose clock is 40 s behind ours.
		w.Header().Set("Date", time.Now().Add(-40*time.Second).UTC().Format(http.TimeFormat))
		ysrv.Config.Handler.ServeHTTP(w, r)
	})
	limited := serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	refused := serve(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	challenge := serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(chal)
	})
	for _, tc := range []struct {
		name, yahoo, stooq string
		client             *http.Client
		feed               string // the check asserted
		status             doctor.Level
		detail, fix        string
		code               int
	}{
		{"ok, clock behind", behind, challenge, nil, "yahoo", doctor.OK, "answers in", "", exitOK},
		// A rate limit: no data comes back now, so the feed does not work (exit 1).
		{"429", limited, challenge, nil, "yahoo", doctor.Fail, "rate-limited by Yahoo (HTTP 429), retry after 2m0s", "wait 2m0s", exitFailure},
		{"401", refused, challenge, nil, "yahoo", doctor.Fail, "Yahoo refused the request (HTTP 401 Unauthorized)", "keys were refused", exitFailure},
		{"browser check", behind, challenge, nil, "stooq", doctor.Fail, "Stooq now requires a browser check or an API key; use --feed alpaca or yahoo", "use --feed alpaca or yahoo", exitOK},
		{"dns", "http://quotes.test", "http://stooq.test", nettest.Client(nettest.NoSuchHost), "yahoo", doctor.Fail, "cannot reach Yahoo: no such host quotes.test", "check the internet connection and DNS", exitFailure},
		{"keys missing", behind, challenge, nil, "alpaca", doctor.Info, "keys missing", "free Alpaca account", exitOK},
		{"alpaca refuses the keys", behind, challenge, nil, "alpaca", doctor.Fail,
			"Alpaca refused the request (HTTP 401 Unauthorized): check APCA_API_KEY_ID and APCA_API_SECRET_KEY", "keys were refused", exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.e.Terminal = fakeTerminal
			h.e.HTTP = http.DefaultClient
			if tc.client != nil {
				h.e.HTTP = tc.client
			}
			cfg := filepath.Join(t.TempDir(), "c.toml")
			file := "feed = \"yahoo\"\n[feeds.yahoo]\nbase_url = \"" + tc.yahoo + "\"\n[feeds.stooq]\nbase_url = \"" + tc.stooq + "\"\n"
			if tc.feed == "alpaca" && tc.name != "keys missing" {
				asrv := alpacafake.New(alpacafake.Options{KeyID: "PKRIGHT", Secret: "right-secret"})
				t.Cleanup(asrv.Close)
				h.vars["APCA_API_KEY_ID"], h.vars["APCA_API_SECRET_KEY"] = "PKWRONG", "wrong-secret"
				file += "[feeds.alpaca]\nbase_url = \"" + asrv.URL() + "\"\n"
			}
			writeFile(t, cfg, file, 0o600)
			code, r, errOut := doctorJSON(t, h, "--config", cfg)
			f := feedCheck(t, r, tc.feed)
			if f.Status != tc.status || !strings.Contains(f.Detail, tc.detail) || !strings.Contains(f.Fix, tc.fix) {
				t.Errorf("%s: %+v, want %s %q → %q", tc.feed, f.Verdict, tc.status, tc.detail, tc.fix)
			}
			if code != tc.code || r.FeedWorks != (tc.code == exitOK) {
				t.Errorf("exit %d (feed works %v), want %d: %s", code, r.FeedWorks, tc.code, errOut)
			}
			if tc.name == "ok, clock behind" {
				if f.HTTPStatus != 200 || f.LatencyMS == nil {
					t.Errorf("no status/latency: %+v", f)
				}
				if c := r.Clock; c.Offset == nil || *c.Offset < 38 || *c.Offset > 42 || c.Status != doctor.Warn || c.Against != "yahoo" {
					t.Errorf("clock %+v (offset %v): want about +40 s against yahoo, a warning", c.Verdict, c.Offset)
				}
			}
		})
	}
}

// TestDoctorLocalChecks: the config file's permissions and changed
// settings, a broken config (reported, exit 1, the rest still checked),
// the history cache with a damaged file, and the signal log.
func TestDoctorLocalChecks(t *testing.T) {
	h := newHarness(t)
	h.e.Terminal = fakeTerminal
	h.e.HTTP = nettest.Client(nettest.NoSuchHost)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.toml")
	log := filepath.Join(dir, "signals.jsonl")
	writeFile(t, cfg, "feed = \"demo\"\n[pair]\nsmall = \"qqq\"\n[alerts]\nsignal_log = \""+log+"\"\n", 0o644)
	demoLog := filepath.Join(dir, "signals-demo.jsonl") // demo runs record beside the live log
	writeFile(t, demoLog, "{}\n{}\n{}\n", 0o600)
	writeFile(t, filepath.Join(h.e.CacheDir, "capwatch", "history", "yahoo", "XLK.bars"), "garbage", 0o600)

	code, r, errOut := doctorJSON(t, h, "--config", cfg)
	if code != exitOK || !r.FeedWorks || r.Feed != "demo" {
		t.Fatalf("exit %d %s: demo needs no network", code, errOut)
	}
	c := r.Config
	if c.Status != doctor.Warn || c.Mode != "0644" || !strings.Contains(c.Fix, "chmod 600") {
		t.Errorf("config %+v", c)
	}
	var changed []string
	for _, s := range c.Changed {
		changed = append(changed, s.Key+"="+s.Value)
	}
	if got := strings.Join(changed, " "); got != "pair.small=QQQ alerts.signal_log="+log {
		t.Errorf("changed settings %q", got)
	}
	if r.Cache.Status != doctor.Warn || len(r.Cache.Feeds) != 1 || strings.Join(r.Cache.Feeds[0].Damaged, ",") != "XLK" {
		t.Errorf("cache %+v", r.Cache)
	}
	if s := r.SignalLog; s.Status != doctor.OK || s.Lines != 3 || !s.Writable || s.Path != demoLog || s.Locked || strings.Contains(s.Detail, "recorded now") {
		t.Errorf("signal log %+v", s)
	}
	// A dashboard records the log (flag helper's note): doctor names it.
	held, err := signals.Open(demoLog, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, r, _ = doctorJSON(t, h, "--config", cfg)
	if s := r.SignalLog; s.Status != doctor.OK || !s.Locked || s.LockedBy != os.Getpid() || s.Lines != 3 ||
		!strings.Contains(s.Detail, fmt.Sprintf("recorded now by a capwatch (pid %d)", os.Getpid())) {
		t.Errorf("locked signal log %+v", s)
	}
	held.Close()
	if _, r, _ = doctorJSON(t, h, "--config", cfg); r.SignalLog.Locked {
		t.Errorf("released signal log still locked: %+v", r.SignalLog)
	}

	writeFile(t, cfg, "feed = \"bloomberg\"\n", 0o600)
	code, r, _ = doctorJSON(t, h, "--config", cfg)
	if code != exitFailure || r.Config.Status != doctor.Fail || !strings.Contains(r.Config.Detail, `"bloomberg" is not a feed`) || r.Terminal.Width != 120 {
		t.Errorf("broken config: exit %d %+v", code, r.Config)
	}
	if code, out, _ := h.run("doctor", "--format", "xml"); code != exitUsage {
		t.Errorf("--format xml: exit %d %s", code, out)
	}
	// The table says the same, one row per check.
	_, table, _ := h.run("doctor", "--config", cfg)
	for _, row := range []string{"config", "terminal", "clock", "feed yahoo", "feed stooq", "feed alpaca", "history cache", "signal log"} {
		if !strings.Contains(table, "\n"+row+" ") {
			t.Errorf("no %q row:\n%s", row, table)
		}
	}
}
