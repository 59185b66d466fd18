package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/signals"
)

// TestSignalLogPathAndAlertDefaults: demo and replay record to their own
// files and are quiet unless --alerts; live feeds share signals.jsonl and
// ring; --signal-log and alerts.signal_log move the log.
func TestSignalLogPathAndAlertDefaults(t *testing.T) {
	csvDir := t.TempDir()
	state := func(h *harness) string { return filepath.Join(h.e.Home, ".local", "state", "capwatch") }
	cases := []struct {
		name    string
		vars    map[string]string
		cfg     string
		args    []string
		path    func(h *harness) string
		enabled bool
	}{
		{"demo", nil, "", []string{"--feed", "demo"}, func(h *harness) string { return filepath.Join(state(h), "signals-demo.jsonl") }, false},
		{"demo --alerts", nil, "", []string{"--feed", "demo", "--alerts"}, func(h *harness) string { return filepath.Join(state(h), "signals-demo.jsonl") }, true},
		{"replay", nil, "", []string{"--feed", "replay", "--data", csvDir}, func(h *harness) string { return filepath.Join(state(h), "signals-replay.jsonl") }, false},
		{"yahoo", nil, "", []string{"--feed", "yahoo"}, func(h *harness) string { return filepath.Join(state(h), "signals.jsonl") }, true},
		{"stooq, alerts off", nil, "[alerts]\nenabled = false\n", []string{"--feed", "stooq"}, func(h *harness) string { return filepath.Join(state(h), "signals.jsonl") }, false},
		{"yahoo --alerts=false", nil, "", []string{"--feed", "yahoo", "--alerts=false"}, func(h *harness) string { return filepath.Join(state(h), "signals.jsonl") }, false},
		{"XDG_STATE_HOME", map[string]string{"XDG_STATE_HOME": "/xdg"}, "", []string{"--feed", "yahoo", "--signal-log", ""}, nil, false},
		{"--signal-log", nil, "", []string{"--feed", "demo", "--signal-log", "SIG"}, func(h *harness) string { return filepath.Join(h.e.Home, "SIG") }, false},
		{"config signal_log live", nil, "[alerts]\nsignal_log = \"CFG\"\n", []string{"--feed", "yahoo"}, func(h *harness) string { return filepath.Join(h.e.Home, "logs", "mine.jsonl") }, true},
		{"config signal_log demo", nil, "[alerts]\nsignal_log = \"CFG\"\n", []string{"--feed", "demo"}, func(h *harness) string { return filepath.Join(h.e.Home, "logs", "signals-demo.jsonl") }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			for k, v := range tc.vars {
				h.vars[k] = filepath.Join(h.e.Home, v)
			}
			args := append([]string(nil), tc.args...)
			for i, a := range args {
				if a == "SIG" {
					args[i] = filepath.Join(h.e.Home, "SIG")
				}
			}
			if tc.cfg != "" {
				p := filepath.Join(t.TempDir(), "c.toml")
				writeFile(t, p, strings.ReplaceAll(tc.cfg, "CFG", filepath.Join(h.e.Home, "logs", "mine.jsonl")), 0o600)
				args = append(args, "--config", p)
			}
			code, _, errOut := h.run(args...)
			if tc.name == "XDG_STATE_HOME" {
				if code != exitUsage || !strings.Contains(errOut, "--signal-log needs a file path") {
					t.Fatalf("empty --signal-log: exit %d %q", code, errOut)
				}
				h.run("--feed", "yahoo")
				if got, want := h.dash.Signals.Log.Path(), filepath.Join(h.e.Home, "xdg", "capwatch", "signals.jsonl"); got != want {
					t.Fatalf("path %s, want %s", got, want)
				}
				return
			}
			if code != exitOK {
				t.Fatalf("exit %d %q", code, errOut)
			}
			s := h.dash.Signals
			if s.Log == nil {
				t.Fatal("no signal log")
			}
			if got, want := s.Log.Path(), tc.path(h); got != want {
				t.Fatalf("path %s, want %s", got, want)
			}
			if s.Alerts.Enabled != tc.enabled || s.Simulated != (h.dash.Config.Feed == "demo" || h.dash.Config.Feed == "replay") {
				t.Fatalf("alerts enabled %v simulated %v, want enabled %v", s.Alerts.Enabled, s.Simulated, tc.enabled)
			}
			if _, err := os.Stat(s.Log.Path()); err != nil {
				t.Fatalf("log file not created: %v", err)
			}
		})
	}
}

// TestAlertOptionsFromConfig: the [alerts] keys reach the dashboard.
func TestAlertOptionsFromConfig(t *testing.T) {
	h := newHarness(t)
	p := filepath.Join(t.TempDir(), "c.toml")
	writeFile(t, p, "feed = \"yahoo\"\n[alerts]\non_forming = true\ncommand = [\"notify-send\", \"capwatch\"]\ntimeout = \"3s\"\nevery = \"0s\"\n", 0o600)
	if code, _, errOut := h.run("--config", p); code != exitOK {
		t.Fatalf("exit %d %q", code, errOut)
	}
	a := h.dash.Signals.Alerts
	if !a.Enabled || !a.OnForming || !reflect.DeepEqual(a.Command, []string{"notify-send", "capwatch"}) || a.Timeout != 3*time.Second || a.Every <= 0 || a.Every > time.Millisecond {
		t.Fatalf("alert options %+v (every 0s must mean no limit)", a)
	}
	writeFile(t, p, "[alerts]\ncommand = [\"\", \"capwatch\"]\n", 0o600)
	code, _, errOut := h.run("--config", p)
	if code != exitUsage || strings.TrimSpace(errOut) != "capwatch: "+p+":2: alerts.command: the first element (the program) is empty" {
		t.Fatalf("exit %d %q", code, errOut)
	}
	writeFile(t, p, "[alerts]\ncommand = \"notify-send capwatch\"\n", 0o600)
	code, _, errOut = h.run("--config", p)
	if code != exitUsage || !strings.Contains(errOut, p+":2: alerts.command must be a list of strings") {
		t.Fatalf("exit %d %q", code, errOut)
	}
}

func ptr(v float64) *float64 { return &v }

// sampleRecords sets every field, including the awkward ones (a null value,
// an empty since, a comma and quotes in the text).
func sampleRecords() []signals.Record {
	ny := time.FixedZone("EDT", -4*3600)
	return []signals.Record{
		{Flag: engine.FlagRatioAboveSMA200, From: "off", To: "confirmed", Value: ptr(0.3851), Threshold: 0.3837, Since: "2025-03-03",
			BarTime: time.Date(2025, 3, 3, 16, 0, 0, 0, ny), Seen: time.Date(2025, 3, 3, 21, 0, 5, 0, time.UTC), Feed: "yahoo", Text: "above, \"its\" 200-day", Initial: true},
		{Flag: engine.FlagRatioAboveSMA50, From: "off", To: "forming", Value: ptr(0.3812), Threshold: 0.38, Since: "2025-03-04",
			BarTime: time.Date(2025, 3, 4, 10, 15, 0, 0, ny), Seen: time.Date(2025, 3, 4, 14, 15, 30, 123456789, time.UTC), Feed: "yahoo", Text: "above its 50-day"},
		{Flag: engine.FlagRatioAboveSMA50, From: "forming", To: "confirmed", Value: ptr(0.3822), Threshold: 0.3801, Since: "2025-03-04",
			BarTime: time.Date(2025, 3, 5, 9, 30, 0, 0, ny), Seen: time.Date(2025, 3, 5, 13, 30, 2, 0, time.UTC), Feed: "yahoo", Text: "above its 50-day"},
		{Flag: engine.FlagSmallVolumeSurge, From: "forming", To: "off", Value: nil, Threshold: 1.5, Since: "",
			BarTime: time.Date(2025, 3, 6, 11, 0, 0, 0, ny), Seen: time.Date(2025, 3, 6, 15, 0, 0, 0, time.UTC), Feed: "yahoo", Text: "volume surge"},
	}
}

// TestSignalsCommandRoundTrip: what the log holds (across a rotation and a
// torn last line) comes back from `capwatch signals --format json` with
// every field; csv and table print every record; the filters filter.
func TestSignalsCommandRoundTrip(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(h.e.Home, ".local", "state", "capwatch", "signals.jsonl")
	l, err := signals.Open(path, 700, nil) // small: the records span rotated files
	if err != nil {
		t.Fatal(err)
	}
	recs := sampleRecords()
	for _, r := range recs {
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	if m, _ := filepath.Glob(path + ".*"); len(m) == 0 {
		t.Fatal("no rotation happened: the test would not cover rotated files")
	}
	fh, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	fh.WriteString(`{"flag":"sector_breadth","fro`) // torn by a crash
	fh.Close()
	cur, _ := os.ReadFile(path)
	tornAt := strings.Count(string(cur), "\n") + 1

	code, out, errOut := h.run("signals", "--feed", "yahoo", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if want := fmt.Sprintf("capwatch: signals: skipped 1 line that does not parse (%s:%d)\n", path, tornAt); errOut != want {
		t.Fatalf("stderr %q, want %q", errOut, want)
	}
	// More than one: the count and the first.
	fh, _ = os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	fh.WriteString("\nnot json\n")
	fh.Close()
	if _, _, errOut := h.run("signals", "--feed", "yahoo", "--format", "json"); !strings.Contains(errOut, fmt.Sprintf("skipped 2 lines that do not parse (the first: %s:%d)", path, tornAt)) {
		t.Fatalf("stderr %q", errOut)
	}
	var got []signals.Record
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(sc.Bytes(), &keys); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		var names []string
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		want := []string{"bar_time", "closed", "feed", "flag", "from", "initial", "seen", "simulated", "since", "text", "threshold", "to", "value"}
		if !reflect.DeepEqual(names, want) {
			t.Fatalf("keys %v, want %v", names, want)
		}
		var r signals.Record
		json.Unmarshal(sc.Bytes(), &r)
		got = append(got, r)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d records back, want %d", len(got), len(recs))
	}
	for i := range recs {
		w, g := recs[i], got[i]
		if !g.BarTime.Equal(w.BarTime) || !g.Seen.Equal(w.Seen) || g.BarTime.Format(time.RFC3339) != w.BarTime.Format(time.RFC3339) {
			t.Fatalf("record %d times %v %v, want %v %v", i, g.BarTime, g.Seen, w.BarTime, w.Seen)
		}
		g.BarTime, g.Seen, w.BarTime, w.Seen = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("record %d\n got %+v\nwant %+v", i, g, w)
		}
	}

	// Filters: --flag and --since (local dates; the records are days apart).
	code, out, _ = h.run("signals", "--feed", "yahoo", "--format", "json", "--flag", engine.FlagRatioAboveSMA50, "--since", "2025-03-05")
	if code != exitOK || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"to":"confirmed"`) || !strings.Contains(out, `"flag":"ratio_above_sma50"`) {
		t.Fatalf("filtered: exit %d %q", code, out)
	}
	// CSV: a header and one row per record, the text quoted.
	code, out, _ = h.run("signals", "--feed", "stooq", "--format", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(lines) != len(recs)+1 || !strings.HasPrefix(lines[0], "seen,flag,from,to,value,threshold,since,bar_time,feed,simulated,initial,text") ||
		!strings.Contains(out, `"above, ""its"" 200-day"`) {
		t.Fatalf("csv: exit %d %q", code, out)
	}
	// Table (the default format).
	code, out, _ = h.run("signals", "--feed", "yahoo")
	if code != exitOK || len(strings.Split(strings.TrimSpace(out), "\n")) != len(recs)+1 || !strings.Contains(out, "forming → confirmed") || !strings.Contains(out, "at start: confirmed") {
		t.Fatalf("table: exit %d %q", code, out)
	}
	// The demo's log is another file: nothing recorded there yet.
	code, _, errOut = h.run("signals", "--feed", "demo")
	demoPath := filepath.Join(filepath.Dir(path), "signals-demo.jsonl")
	if code != exitFailure || !strings.Contains(errOut, "no signal log at "+demoPath) {
		t.Fatalf("missing log: exit %d %q", code, errOut)
	}
	// --signal-log reads any file.
	code, out, _ = h.run("signals", "--signal-log", path, "--format", "json")
	if code != exitOK || strings.Count(out, "\n") != len(recs) {
		t.Fatalf("--signal-log: exit %d %q", code, out)
	}
}

func TestSignalsCommandUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"signals", "--flag", "ratio_above_sma20"}, `capwatch: --flag "ratio_above_sma20" is not a flag id (use one of: ` + strings.Join(engine.FlagIDs, ", ") +
			"; or rotation:SECTOR, e.g. rotation:Technology, rotation:pair; or rotation for every rotation line)"},
		{[]string{"signals", "--flag", "rotation:"}, `capwatch: --flag "rotation:" is not a flag id (use one of: ` + strings.Join(engine.FlagIDs, ", ") +
			"; or rotation:SECTOR, e.g. rotation:Technology, rotation:pair; or rotation for every rotation line)"},
		{[]string{"signals", "--seen-since", "yesterday"}, `capwatch: --seen-since "yesterday" is not a date; use YYYY-MM-DD`},
		{[]string{"signals", "--format", "xml"}, `capwatch: --format "xml": use table, csv or json`},
		{[]string{"signals", "--since", "March"}, `capwatch: --since "March" is not a date; use YYYY-MM-DD`},
		{[]string{"signals", "--feed", "bloomberg"}, `capwatch: --feed "bloomberg" is not a feed (use demo, replay, yahoo, stooq, alpaca, auto)`},
		{[]string{"signals", "extra"}, `capwatch: unexpected argument "extra" (see capwatch signals --help)`},
		{[]string{"signals", "--speed", "2"}, `capwatch: unknown flag --speed (see capwatch signals --help)`},
	}
	for _, tc := range cases {
		h := newHarness(t)
		code, _, errOut := h.run(tc.args...)
		if code != exitUsage || strings.TrimSpace(errOut) != tc.want {
			t.Errorf("%v: exit %d\n got %q\nwant %q", tc.args, code, strings.TrimSpace(errOut), tc.want)
		}
	}
	h := newHarness(t)
	for _, args := range [][]string{{"signals", "--help"}, {"help", "signals"}} {
		code, out, _ := h.run(args...)
		if code != exitOK || !strings.Contains(out, "Usage: capwatch signals") || !strings.Contains(out, "$XDG_STATE_HOME/capwatch") {
			t.Errorf("%v: exit %d %q", args, code, out)
		}
	}
}

// TestAPIKeyNeverShown: a key from the file or from $CAPWATCH_API_KEY is in
// none of the log file, stdout or stderr, at debug level, for the
// dashboard, a snapshot, the status line and the signals command.
func TestAPIKeyNeverShown(t *testing.T) {
	h := newHarness(t)
	p := filepath.Join(t.TempDir(), "c.toml")
	writeFile(t, p, "[feeds.yahoo]\napi_key = \"file-s3cr3t\"\n[feeds.stooq]\napi_key = \"file-s3cr3t\"\n", 0o600)
	h.vars[config.APIKeyEnvVar] = "env-s3cr3t"
	var all strings.Builder
	for _, args := range [][]string{
		{"--config", p, "--log-level", "debug"},
		{"snapshot", "--config", p, "--log-level", "debug", "--format", "text"},
		{"status", "--config", p, "--log-level", "debug", "--ttl", "0s"},
		{"signals", "--config", p, "--feed", "yahoo"},
	} {
		_, out, errOut := h.run(args...)
		all.WriteString(out + errOut)
	}
	if h.dash == nil || h.dash.Config.Feeds.Yahoo.APIKey.Reveal() != "env-s3cr3t" {
		t.Fatal("the environment's key did not override the file's")
	}
	b, err := os.ReadFile(filepath.Join(h.e.CacheDir, "capwatch", "capwatch.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"command=dashboard", "command=snapshot", "command=status"} {
		if !strings.Contains(string(b), c) {
			t.Fatalf("the log has no %s: the test did not run it", c)
		}
	}
	all.Write(b)
	if s := all.String(); strings.Contains(s, "s3cr3t") || !strings.Contains(s, "[redacted]") || !strings.Contains(s, "level=DEBUG") && !strings.Contains(s, "level=INFO") {
		t.Fatalf("a key leaked or nothing was logged:\n%s", s)
	}
}

// TestSignalsCommandOnAReplayLog (QA-1 items 5, 16, R4): on a replay's log
// — months of bars written today — --since selects by the bar's date
// (--seen-since by when a line was written); --flag takes the rotation
// ids the log writes; the table's value and threshold show the
// comparison the change implies.
func TestSignalsCommandOnAReplayLog(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(t.TempDir(), "signals-replay.jsonl")
	ny := calendar.Location()
	seen := time.Now().Add(-time.Hour) // the replay ran an hour ago
	bar := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 16, 0, 0, 0, ny) }
	recs := []signals.Record{
		{Flag: engine.FlagRatioAboveSMA200, From: "off", To: "confirmed", Value: ptr(0.3851), Threshold: 0.3837, Since: "2026-06-01",
			BarTime: bar(2026, 6, 1), Seen: seen, Feed: "replay", Simulated: true, Closed: true},
		{Kind: signals.KindRotation, Flag: signals.RotationID("Technology"), From: "lagging", To: "improving", Since: "2026-06-05",
			BarTime: bar(2026, 6, 5), Seen: seen, Feed: "replay", Simulated: true, Closed: true},
		{Flag: engine.FlagRatioAboveSMA200, From: "confirmed", To: "fading", Value: ptr(0.383669), Threshold: 0.383675, Since: "2026-06-01",
			BarTime: time.Date(2026, 9, 2, 11, 0, 0, 0, ny), Seen: seen, Feed: "replay", Simulated: true},
		{Flag: engine.FlagRatioAboveSMA200, From: "fading", To: "confirmed", Value: ptr(0.38368), Threshold: 0.383675, Since: "2026-06-01",
			BarTime: bar(2026, 9, 2), Seen: seen, Feed: "replay", Simulated: true, Closed: true},
		{Kind: signals.KindRotation, Flag: signals.RotationID(rotation.PairSector), From: "weakening", To: "lagging", Since: "2026-09-04",
			BarTime: bar(2026, 9, 4), Seen: seen, Feed: "replay", Simulated: true, Closed: true},
		{Kind: signals.KindRotation, Flag: signals.RotationID("Technology"), From: "improving", To: "leading", Since: "2026-11-27",
			BarTime: time.Date(2026, 11, 27, 13, 0, 0, 0, ny), Seen: seen, Feed: "replay", Simulated: true, Closed: true},
	}
	l, err := signals.Open(path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	lines := func(args ...string) []string {
		t.Helper()
		code, out, errOut := h.run(append([]string{"signals", "--signal-log", path, "--format", "csv"}, args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d %q", args, code, errOut)
		}
		rows := strings.Split(strings.TrimSpace(out), "\n")[1:]
		var got []string
		for _, r := range rows {
			f := strings.Split(r, ",")
			got = append(got, f[1]+" "+f[7][:10])
		}
		return got
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--since", "2026-09-01"}, []string{"ratio_above_sma200 2026-09-02", "ratio_above_sma200 2026-09-02", "rotation:pair 2026-09-04", "rotation:Technology 2026-11-27"}},
		{[]string{"--since", "2026-09-03", "--flag", "rotation:Technology"}, []string{"rotation:Technology 2026-11-27"}},
		{[]string{"--flag", "rotation:Technology"}, []string{"rotation:Technology 2026-06-05", "rotation:Technology 2026-11-27"}},
		{[]string{"--flag", "rotation:technology"}, []string{"rotation:Technology 2026-06-05", "rotation:Technology 2026-11-27"}},
		{[]string{"--flag", "rotation"}, []string{"rotation:Technology 2026-06-05", "rotation:pair 2026-09-04", "rotation:Technology 2026-11-27"}},
		{[]string{"--seen-since", time.Now().AddDate(0, 0, 2).Format(time.DateOnly)}, nil},
		{[]string{"--seen-since", time.Now().AddDate(0, 0, -2).Format(time.DateOnly), "--flag", "rotation:pair"}, []string{"rotation:pair 2026-09-04"}},
	} {
		if got := lines(c.args...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v:\n got %q\nwant %q", c.args, got, c.want)
		}
	}
	// The table: the fading line's value below its threshold, the
	// recovery's above, each visibly.
	code, out, errOut := h.run("signals", "--signal-log", path, "--since", "2026-09-02", "--flag", engine.FlagRatioAboveSMA200)
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if code != exitOK || len(rows) != 3 {
		t.Fatalf("table: exit %d %q %q", code, out, errOut)
	}
	for i, want := range []string{"confirmed → fading 0.383669 < 0.383675", "fading → confirmed 0.38368 > 0.38367"} {
		if got := strings.Join(strings.Fields(rows[i+1]), " "); !strings.Contains(got, want) {
			t.Errorf("table row %q lacks %q", rows[i+1], want)
		}
	}
	// --help names the rotation ids and both dates.
	_, out, _ = h.run("signals", "--help")
	for _, want := range []string{"rotation:SECTOR", "rotation:Technology", "--seen-since", "bars dated on or after"} {
		if !strings.Contains(out, want) {
			t.Errorf("--help lacks %q", want)
		}
	}
}
