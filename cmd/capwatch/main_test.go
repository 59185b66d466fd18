package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/dashboard"
)

// harness runs the CLI in-process with its own directories and environment.
type harness struct {
	t         testing.TB
	vars      map[string]string
	e         env
	dash      *dashboard.Options // what the dashboard was started with
	dashCalls int
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, vars: map[string]string{}}
	h.e = env{
		Getenv:    func(k string) string { return h.vars[k] },
		ConfigDir: filepath.Join(dir, "config"),
		CacheDir:  filepath.Join(dir, "cache"),
		Home:      filepath.Join(dir, "home"),
		Clock:     clock.NewFake(time.Date(2024, 6, 4, 17, 47, 0, 0, time.UTC)),
		Dashboard: func(ctx context.Context, d dashboard.Options) error {
			h.dash = &d
			h.dashCalls++
			return nil
		},
	}
	return h
}

func (h *harness) run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(h.t.Context(), args, &out, &errb, h.e)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--feed", "bogus"}, `capwatch: --feed "bogus" is not a feed (use demo, replay, yahoo, stooq, alpaca, auto)`},
		{[]string{"--nope"}, `capwatch: unknown flag --nope (see capwatch --help)`},
		{[]string{"--fed", "demo"}, `capwatch: unknown flag --fed (did you mean --feed?) (see capwatch --help)`},
		{[]string{"snapshot", "--formt", "json"}, `capwatch: unknown flag --formt (did you mean --format?) (see capwatch snapshot --help)`},
		{[]string{"--replay", "2024-01-02"}, `capwatch: unknown flag --replay (did you mean --replay-from?) (see capwatch --help)`},
		{[]string{"status", "--tmx"}, `capwatch: unknown flag --tmx (did you mean --tmux?) (see capwatch status --help)`},
		{[]string{"signals", "--sinc", "2025-01-01"}, `capwatch: unknown flag --sinc (did you mean --since?) (see capwatch signals --help)`},
		{[]string{"config", "init", "--forse"}, `capwatch: unknown flag --forse (did you mean --force?) (see capwatch config init --help)`},
		{[]string{"help", "nosuch"}, `capwatch: unknown command "nosuch"; commands: snapshot, status, analogs, signals, config, doctor, help, version (see capwatch --help)`},
		{[]string{"snapshto"}, `capwatch: unknown command "snapshto" (did you mean "snapshot"?); commands: snapshot, status, analogs, signals, config, doctor, help, version (see capwatch --help)`},
		{[]string{"help", "stats"}, `capwatch: unknown command "stats" (did you mean "status"?); commands: snapshot, status, analogs, signals, config, doctor, help, version (see capwatch --help)`},
		{[]string{"snapshot", "--format", "xml"}, `capwatch: --format "xml": use json or text`},
		{[]string{"analogs", "--format", "html"}, `capwatch: --format "html": use table, csv or json`},
		{[]string{"snapshot", "--as-of", "2024-13-01"}, `capwatch: --as-of "2024-13-01" is not a date; use YYYY-MM-DD, e.g. --as-of 2024-06-28`},
		{[]string{"--feed", "yahoo", "--as-of", "2024-06-03"}, `capwatch: --as-of on the dashboard needs --feed replay or demo (snapshot, status and analogs take it with any feed)`},
		{[]string{"--feed", "replay"}, `capwatch: --feed replay needs --data DIR (a directory of SYMBOL.csv files) or feeds.replay.data in the config`},
		{[]string{"--speed", "0"}, `capwatch: --speed 0 must be > 0 and at most 100000`},
		{[]string{"--speed", "Inf"}, `capwatch: --speed +Inf must be > 0 and at most 100000`},
		{[]string{"--feed", "yahoo", "--seed", "3"}, `capwatch: --seed applies to --feed demo, not yahoo`},
		{[]string{"--feed", "yahoo", "--base-url", "ftp://x"}, `capwatch: --base-url: "ftp://x" is not an http(s) URL (e.g. https://query1.finance.yahoo.com)`},
		{[]string{"--base-url", "http://127.0.0.1:1"}, `capwatch: --base-url applies to --feed yahoo, stooq or alpaca, not demo`},
		{[]string{"--log-level", "loud"}, `capwatch: --log-level "loud" is not a level (use debug, info, warn or error)`},
		{[]string{"snapshot", "extra"}, `capwatch: unexpected argument "extra" (see capwatch snapshot --help)`},
		{[]string{"config"}, `capwatch: config needs a subcommand: init or path`},
		{[]string{"config", "edit"}, `capwatch: unknown config subcommand "edit" (use init or path)`},
		{[]string{"status", "--ttl", "-1s"}, `capwatch: --ttl -1s must be ≥ 0`},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			h := newHarness(t)
			code, _, stderr := h.run(tc.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if strings.TrimSpace(stderr) != tc.want {
				t.Fatalf("stderr\n got %q\nwant %q", strings.TrimSpace(stderr), tc.want)
			}
			if h.dashCalls != 0 {
				t.Fatal("dashboard started despite a usage error")
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"snapshot", "--help"}, {"help", "status"}, {"analogs", "-h"}, {"config", "--help"}} {
		h := newHarness(t)
		code, out, errOut := h.run(args...)
		if code != exitOK || !strings.Contains(out, "Usage") || errOut != "" {
			t.Errorf("%v: exit %d stdout %q stderr %q", args, code, out, errOut)
		}
	}
	h := newHarness(t)
	_, out, _ := h.run("help", "status")
	if !strings.Contains(out, "#(capwatch status --tmux") {
		t.Errorf("status help lacks the tmux snippet: %s", out)
	}
	for _, args := range [][]string{{"--version"}, {"version"}, {"snapshot", "--version"}} {
		code, out, _ := h.run(args...)
		if code != exitOK || !strings.HasPrefix(out, "capwatch ") {
			t.Errorf("%v: exit %d stdout %q", args, code, out)
		}
	}
}

func TestFlagsOverrideConfig(t *testing.T) {
	h := newHarness(t)
	writeFile(t, config.DefaultPath(h.e.ConfigDir), "feed = \"yahoo\"\npalette = \"colorblind\"\n[feeds.demo]\nspeed = 2.0\nseed = 9\n[pair]\nsmall = \"MDY\"\n", 0o600)
	if code, _, errOut := h.run("--feed", "demo", "--speed", "60"); code != exitOK {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	c := h.dash.Config
	if c.Feed != "demo" || c.Feeds.Demo.Speed != 60 || c.Feeds.Demo.Seed != 9 || c.Palette != "colorblind" || c.Pair.Small != "MDY" {
		t.Fatalf("merged config %+v", c)
	}
	if h.dash.Feed.Name() != "demo" || h.dash.Symbols[0] != "MDY" {
		t.Fatalf("dashboard feed %q symbols %v", h.dash.Feed.Name(), h.dash.Symbols)
	}
}

func TestConfigLookupThroughCLI(t *testing.T) {
	h := newHarness(t)
	envFile := filepath.Join(t.TempDir(), "env.toml")
	flagFile := filepath.Join(t.TempDir(), "flag.toml")
	writeFile(t, envFile, "palette = \"colorblind\"\n", 0o600)
	writeFile(t, flagFile, "[pair]\nsmall = \"MDY\"\n", 0o600)
	writeFile(t, config.DefaultPath(h.e.ConfigDir), "[pair]\nsmall = \"QQQ\"\n", 0o600)

	h.run()
	if h.dash.Config.Pair.Small != "QQQ" {
		t.Fatalf("default file not read: %+v", h.dash.Config.Pair)
	}
	h.vars[config.EnvVar] = envFile
	h.run()
	if h.dash.Config.Palette != "colorblind" || h.dash.Config.Pair.Small != "IWM" {
		t.Fatalf("env file not preferred: %+v", h.dash.Config)
	}
	h.run("--config", flagFile)
	if h.dash.Config.Pair.Small != "MDY" || h.dash.Config.Palette != "default" {
		t.Fatalf("flag file not preferred: %+v", h.dash.Config)
	}
	code, _, errOut := h.run("--config", filepath.Join(t.TempDir(), "missing.toml"))
	if code != exitUsage || !strings.Contains(errOut, "missing.toml: config file not found (named by --config)") {
		t.Fatalf("missing explicit file: exit %d %q", code, errOut)
	}
	code, out, _ := h.run("config", "path")
	if code != exitOK || strings.TrimSpace(out) != envFile+" (from CAPWATCH_CONFIG)" {
		t.Fatalf("config path: %d %q", code, out)
	}
}

func TestInvalidConfigExitsTwo(t *testing.T) {
	cases := []struct{ src, want string }{
		{"[pair]\nsmal = \"IWM\"\n", `:2: unknown key "pair.smal"`},
		{"[pair]\nsmall = 5\n", `:2: pair.small: wrong type: want a string, got an integer`},
		{"[pair]\nsmall = \"IWM\"\nlarge = \"S P Y\"\n", `:3: pair.large: "S P Y" is not a valid symbol`},
	}
	for _, tc := range cases {
		h := newHarness(t)
		p := filepath.Join(t.TempDir(), "config.toml")
		writeFile(t, p, tc.src, 0o600)
		code, _, errOut := h.run("snapshot", "--config", p)
		if code != exitUsage || !strings.HasPrefix(errOut, "capwatch: "+p+tc.want) {
			t.Errorf("exit %d stderr %q, want prefix %q", code, errOut, "capwatch: "+p+tc.want)
		}
	}
}

func TestConfigPermissionWarning(t *testing.T) {
	h := newHarness(t)
	p := filepath.Join(t.TempDir(), "config.toml")
	writeFile(t, p, "feed = \"demo\"\n", 0o644)
	code, _, errOut := h.run("--config", p)
	if code != exitOK || !strings.Contains(errOut, "capwatch: warning: "+p+" is readable by group/others (mode 0644); run: chmod 600 "+p) {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	logb, _ := os.ReadFile(filepath.Join(h.e.CacheDir, "capwatch", "capwatch.log"))
	if !strings.Contains(string(logb), "command=dashboard") {
		t.Fatalf("log file lacks the start line: %q", logb)
	}
}

func TestConfigInitNeverClobbers(t *testing.T) {
	h := newHarness(t)
	p := config.DefaultPath(h.e.ConfigDir)
	code, out, errOut := h.run("config", "init")
	if code != exitOK || strings.TrimSpace(out) != "wrote "+p {
		t.Fatalf("init: exit %d out %q err %q", code, out, errOut)
	}
	if b, _ := os.ReadFile(p); string(b) != config.Example {
		t.Fatal("init did not write the example")
	}
	writeFile(t, p, "feed = \"yahoo\"\n", 0o600)
	code, _, errOut = h.run("config", "init")
	if code != exitFailure || !strings.Contains(errOut, "already exists; not overwriting it (use --force") {
		t.Fatalf("second init: exit %d err %q", code, errOut)
	}
	if b, _ := os.ReadFile(p); string(b) != "feed = \"yahoo\"\n" {
		t.Fatal("second init changed the file")
	}
	code, out, _ = h.run("config", "init", "--force")
	if code != exitOK || !strings.Contains(out, "kept the old file as "+p+".bak") {
		t.Fatalf("force: exit %d out %q", code, out)
	}
	if b, _ := os.ReadFile(p + ".bak"); string(b) != "feed = \"yahoo\"\n" {
		t.Fatalf(".bak = %q", b)
	}
	// the written example loads and is the default configuration
	if code, _, errOut := h.run(); code != exitOK || h.dash.Config.Feed != "demo" {
		t.Fatalf("example config: exit %d %q", code, errOut)
	}
	other := filepath.Join(t.TempDir(), "x", "c.toml")
	if code, out, _ := h.run("config", "init", "--config", other); code != exitOK || !strings.Contains(out, other) {
		t.Fatalf("init --config: %d %q", code, out)
	}
}

func TestPanicIsOneLine(t *testing.T) {
	h := newHarness(t)
	h.e.Dashboard = func(context.Context, dashboard.Options) error { panic("boom") }
	code, _, errOut := h.run()
	logPath := filepath.Join(h.e.CacheDir, "capwatch", "capwatch.log")
	if code != exitFailure || errOut != "capwatch: internal error: boom (details in "+logPath+")\n" {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
	b, _ := os.ReadFile(logPath)
	if !strings.Contains(string(b), "panic") || !strings.Contains(string(b), "goroutine") {
		t.Fatalf("stack not logged: %q", b)
	}
}

func TestRuntimeFailureExitsOne(t *testing.T) {
	h := newHarness(t)
	h.e.Dashboard = func(context.Context, dashboard.Options) error { return errors.New("dashboard: no terminal") }
	code, _, errOut := h.run()
	if code != exitFailure || errOut != "capwatch: dashboard: no terminal\n" {
		t.Fatalf("exit %d stderr %q", code, errOut)
	}
}

func TestAPIKeyNeverLogged(t *testing.T) {
	h := newHarness(t)
	p := filepath.Join(t.TempDir(), "c.toml")
	writeFile(t, p, "[feeds.yahoo]\napi_key = \"s3cr3t-key\"\n", 0o600)
	if code, _, errOut := h.run("--config", p, "--log-level", "debug"); code != exitOK {
		t.Fatalf("exit %d %q", code, errOut)
	}
	b, _ := os.ReadFile(filepath.Join(h.e.CacheDir, "capwatch", "capwatch.log"))
	if strings.Contains(string(b), "s3cr3t") || !strings.Contains(string(b), "[redacted]") {
		t.Fatalf("log: %q", b)
	}
}

// TestReadmeHasTheExample: the README shows exactly what `capwatch config
// init` writes.
func TestReadmeHasTheExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "```toml\n"+config.Example+"```") {
		t.Fatal("README.md's config example differs from config.Example (capwatch config init)")
	}
}

func TestLogRotation(t *testing.T) {
	h := newHarness(t)
	p := filepath.Join(t.TempDir(), "c.log")
	writeFile(t, p, strings.Repeat("x", maxLogSize+1), 0o600)
	if code, _, errOut := h.run("--log-file", p); code != exitOK {
		t.Fatalf("exit %d %q", code, errOut)
	}
	old, _ := os.Stat(p + ".1")
	cur, _ := os.Stat(p)
	if old == nil || old.Size() != maxLogSize+1 || cur == nil || cur.Size() >= maxLogSize {
		t.Fatalf("rotation: old %v cur %v", old, cur)
	}
}

// TestConfigPathSaysWhetherTheFileExists: before `config init` the default
// path has no file and the defaults are in use; a missing file named by
// --config stops every command; after init the line is the plain path (QA-1
// item 25: it printed "(from default path)" for a file that was not there).
func TestConfigPathSaysWhetherTheFileExists(t *testing.T) {
	h := newHarness(t)
	def := filepath.Join(h.e.ConfigDir, "capwatch", "config.toml")
	code, out, _ := h.run("config", "path")
	if code != exitOK || !strings.HasPrefix(out, def+" (from default path; no file there yet: the built-in defaults are in use") ||
		!strings.Contains(out, "capwatch config init") {
		t.Fatalf("before init: exit %d %q", code, out)
	}
	if code, _, errOut := h.run("config", "init"); code != exitOK {
		t.Fatalf("config init: %d %s", code, errOut)
	}
	if code, out, _ = h.run("config", "path"); code != exitOK || strings.TrimSpace(out) != def+" (from default path)" {
		t.Fatalf("after init: exit %d %q", code, out)
	}
	missing := filepath.Join(t.TempDir(), "nope.toml")
	code, out, _ = h.run("config", "path", "--config", missing)
	if code != exitOK || !strings.Contains(out, missing+" (from --config; the file does not exist") {
		t.Fatalf("missing --config file: exit %d %q", code, out)
	}
	// The claim "every command stops" is what the dashboard does.
	if code, _, errOut := h.run("--config", missing); code != exitUsage || !strings.Contains(errOut, "config file not found") {
		t.Fatalf("dashboard with a missing --config file: exit %d %q", code, errOut)
	}
}
