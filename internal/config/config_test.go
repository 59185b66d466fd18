package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/capwatch/capwatch/engine"
)

func TestExampleEqualsDefaults(t *testing.T) {
	md, err := toml.Decode(Example, &Config{})
	if err != nil {
		t.Fatalf("example does not decode: %v", err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("example has keys the struct does not know: %v", u)
	}
	got, err := Parse("example.toml", []byte(Example))
	if err != nil {
		t.Fatalf("Parse(Example): %v", err)
	}
	if !reflect.DeepEqual(got, Default()) {
		t.Fatalf("Example differs from Default():\n got %+v\nwant %+v", got, Default())
	}
	if err := Default().Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

func TestDefaultsMatchEngine(t *testing.T) {
	ec := Default().Engine()
	want := engine.DefaultConfig()
	if ec.Small != want.Small || ec.Large != want.Large || !reflect.DeepEqual(ec.Extras, want.Extras) ||
		!reflect.DeepEqual(ec.Sectors, want.Sectors) || ec.Thresholds != want.Thresholds {
		t.Fatalf("Default().Engine() = %+v, want engine defaults %+v", ec, want)
	}
	if err := ec.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestParseOverrides(t *testing.T) {
	src := `feed = "yahoo"
[pair]
small = "iwm"   # lower case is accepted
large = "QQQ"
[watchlist]
symbols = []
[sectors]
preset = "industry"
[thresholds]
hysteresis = 0.002
[rotation]
window = 13
[poll]
open = "30s"
[feeds.yahoo]
base_url = "http://127.0.0.1:9999"
api_key = "sekrit"
`
	c, err := Parse("c.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Feed != "yahoo" || c.Pair.Small != "IWM" || c.Pair.Large != "QQQ" || len(c.Watchlist.Symbols) != 0 ||
		c.Poll.Open != 30*time.Second || c.Poll.Closed != 5*time.Minute || c.Thresholds.Hysteresis != 0.002 ||
		c.Thresholds.SmallLeadsPts != 2 || c.Feeds.Yahoo.APIKey.Reveal() != "sekrit" {
		t.Fatalf("unexpected config %+v", c)
	}
	if r := c.Engine().Rotation; r.Window != 13 || r.Tail != 8 {
		t.Fatalf("rotation: %+v, want window 13 and the default tail", r)
	}
	if got := c.Engine().Sectors; !reflect.DeepEqual(got, engine.IndustrySectors()) {
		t.Fatalf("industry preset not applied: %v", got)
	}

	c, err = Parse("c.toml", []byte("[[sectors.pairs]]\nname = \"Tech\"\nlarge = \"XLK\"\nsmall = \"psct\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Engine().Sectors; !reflect.DeepEqual(got, []engine.SectorPair{{Name: "Tech", Large: "XLK", Small: "PSCT"}}) {
		t.Fatalf("explicit sectors: %v", got)
	}
	if !reflect.DeepEqual(c.Watchlist.Symbols, []string{"QQQ", "DIA", "MDY"}) {
		t.Fatalf("watchlist default lost: %v", c.Watchlist.Symbols)
	}
}

func TestInvalidConfigMessages(t *testing.T) {
	const sym = `is not a valid symbol (use upper-case letters, digits, '.', '-', '^' or '=', at most 15 characters)`
	cases := []struct {
		name, src, want string
	}{
		{"unknown key", "feed = \"demo\"\n\n[pair]\nsmal = \"IWM\"\n",
			`config.toml:4: unknown key "pair.smal"`},
		{"unknown table", "[pair]\nsmall = \"IWM\"\n[notify]\nemail = \"x\"\n",
			`config.toml:3: unknown key "notify"`},
		{"unknown alerts key", "[pair]\nsmall = \"IWM\"\n[alerts]\nemail = \"x\"\n",
			`config.toml:4: unknown key "alerts.email"`},
		{"alerts command string", "[alerts]\nenabled = true\ncommand = \"notify-send capwatch\"\n",
			`config.toml:3: alerts.command must be a list of strings, e.g. ["notify-send", "capwatch"] (it is never run through a shell)`},
		{"alerts command numbers", "[alerts]\ncommand = [\"notify-send\", 5]\n",
			`config.toml:2: alerts.command must be a list of strings, e.g. ["notify-send", "capwatch"] (it is never run through a shell)`},
		{"alerts command empty program", "feed = \"yahoo\"\n\n[alerts]\non_forming = true\ncommand = [\" \", \"capwatch\"]\n",
			`config.toml:5: alerts.command: the first element (the program) is empty`},
		{"alerts timeout zero", "[alerts]\ntimeout = \"0s\"\n",
			`config.toml:2: alerts.timeout: 0s is too short (at least 1s, e.g. "10s")`},
		{"alerts every negative", "[alerts]\nevery = \"-1m\"\n",
			`config.toml:2: alerts.every: -1m0s must be ≥ 0 (0 = no rate limit)`},
		{"alerts timeout not a duration", "[alerts]\ntimeout = 10\n",
			`config.toml:2: alerts.timeout: 10ns is too short (at least 1s, e.g. "10s")`},
		{"alerts enabled not a bool", "[alerts]\nenabled = \"yes\"\n",
			`config.toml:2: alerts.enabled: wrong type: want true or false, got a string`},
		{"unknown dotted", "[feeds]\nyahoo.baseurl = \"http://x\"\n",
			`config.toml:2: unknown key "feeds.yahoo.baseurl"`},
		{"bad type string", "[pair]\nsmall = 5\n",
			`config.toml:2: pair.small: wrong type: want a string, got an integer`},
		{"bad type number", "[thresholds]\n\nsector_breadth = \"lots\"\n",
			`config.toml:3: thresholds.sector_breadth: wrong type: want a number, got a string`},
		{"bad type array", "[watchlist]\nsymbols = \"QQQ\"\n",
			`config.toml:2: watchlist.symbols: wrong type: want an array, got a string`},
		{"speed nan", "[feeds.demo]\nspeed = nan\n",
			`config.toml:2: feeds.demo.speed: NaN must be > 0 and at most 100000`},
		{"speed inf", "[feeds.replay]\nspeed = inf\n",
			`config.toml:2: feeds.replay.speed: +Inf must be > 0 and at most 100000`},
		{"bad duration", "[poll]\nopen = \"fast\"\n",
			`config.toml:2: poll.open: invalid duration: "fast"`},
		{"bad symbol", "[pair]\nsmall = \"IWM\"\nlarge = \"S&P 500\"\n",
			`config.toml:3: pair.large: "S&P 500" ` + sym},
		{"same symbols", "[pair]\nsmall = \"SPY\"\n",
			`config.toml:1: pair.large: "SPY" is also pair.small; the pair needs two different symbols`},
		{"bad watchlist symbol", "[watchlist]\nsymbols = [\n  \"QQQ\",\n  \"$$$\",\n]\n[pair]\nsmall = \"IWM\"\n",
			`config.toml:2: watchlist.symbols: "$$$" ` + sym},
		{"unknown after multi-line array", "[watchlist]\nsymbols = [\n  \"QQQ\", # [\n  \"DIA\",\n]\nx = 1\n",
			`config.toml:6: unknown key "watchlist.x"`},
		{"bad second sector", "[[sectors.pairs]]\nname = \"A\"\nlarge = \"XLK\"\nsmall = \"PSCT\"\n\n[[sectors.pairs]]\nname = \"B\"\nlarge = \"XLV\"\nsmall = \"bad symbol\"\n",
			`config.toml:9: sectors.pairs.small: "BAD SYMBOL" ` + sym},
		{"sector name with an escape", "[[sectors.pairs]]\nname = \"Tech\\u001b[31m\"\nlarge = \"XLK\"\nsmall = \"PSCT\"\n",
			`config.toml:2: sectors.pairs.name: "Tech\x1b[31m" has control characters or extra spaces; use one plain line`},
		{"bad feed", "feed = \"bloomberg\"\n",
			`config.toml:1: feed: "bloomberg" is not a feed (use demo, replay, yahoo, stooq, alpaca, auto)`},
		{"bad breadth", "[thresholds]\nsector_breadth = 1.5\n",
			`config.toml:2: thresholds.sector_breadth: 1.5 must be a share between 0 and 1`},
		{"bad url", "[feeds.stooq]\nbase_url = \"stooq.com\"\n",
			`config.toml:2: feeds.stooq.base_url: "stooq.com" is not an http(s) URL (e.g. https://query1.finance.yahoo.com)`},
		{"rotation window", "[rotation]\nwindow = 1\n",
			`config.toml:2: rotation.window: 1 weeks is out of range (2…104, default 10)`},
		{"rotation tail", "[rotation]\ntail = 0\n",
			`config.toml:2: rotation.tail: 0 points is out of range (1…26, default 8)`},
		{"syntax", "[pair\nsmall = \"IWM\"\n",
			`config.toml:2: expected '.' or ']' to end table name, but got '\n' instead`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("config.toml", []byte(tc.src))
			if err == nil {
				t.Fatalf("no error for %q", tc.src)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			if err.Error() != tc.want {
				t.Fatalf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
}

func TestLookupOrder(t *testing.T) {
	dir := t.TempDir()
	cfgDir := filepath.Join(dir, "cfg")
	write := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	flagFile := filepath.Join(dir, "flag.toml")
	envFile := filepath.Join(dir, "env.toml")
	defFile := DefaultPath(cfgDir)
	write(flagFile, "feed = \"replay\"\n")
	write(envFile, "feed = \"yahoo\"\n")
	write(defFile, "feed = \"stooq\"\n")
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvVar {
				return v
			}
			return ""
		}
	}
	cases := []struct {
		name     string
		flag     string
		env      string
		cfgDir   string
		wantFeed string
		wantSrc  Source
		wantErr  string
	}{
		{"flag wins", flagFile, envFile, cfgDir, "replay", SourceFlag, ""},
		{"env next", "", envFile, cfgDir, "yahoo", SourceEnv, ""},
		{"default last", "", "", cfgDir, "stooq", SourceDefault, ""},
		{"missing default is fine", "", "", filepath.Join(dir, "none"), "demo", SourceDefault, ""},
		{"no config dir", "", "", "", "demo", SourceNone, ""},
		{"missing flag file", filepath.Join(dir, "nope.toml"), envFile, cfgDir, "", SourceFlag,
			filepath.Join(dir, "nope.toml") + ": config file not found (named by --config)"},
		{"missing env file", "", filepath.Join(dir, "nope.toml"), cfgDir, "", SourceEnv,
			filepath.Join(dir, "nope.toml") + ": config file not found (named by CAPWATCH_CONFIG)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Load(tc.flag, env(tc.env), tc.cfgDir)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want prefix %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.Config.Feed != tc.wantFeed || l.Source != tc.wantSrc {
				t.Fatalf("feed %q source %v, want %q %v", l.Config.Feed, l.Source, tc.wantFeed, tc.wantSrc)
			}
		})
	}
}

func TestPermissionWarning(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(p, []byte("feed = \"demo\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Load(p, nil, "")
	if err != nil || len(l.Warns) != 0 {
		t.Fatalf("0600 file: warns %v err %v", l.Warns, err)
	}
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err = Load(p, nil, "")
	if err != nil || len(l.Warns) != 1 || !strings.Contains(l.Warns[0], "readable by group/others (mode 0644); run: chmod 600") {
		t.Fatalf("0644 file: warns %v err %v", l.Warns, err)
	}
}

func TestWriteExampleNeverClobbers(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "config.toml")
	bak, err := WriteExample(p, false)
	if err != nil || bak != "" {
		t.Fatalf("first write: bak %q err %v", bak, err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != Example {
		t.Fatal("written file is not Example")
	}
	if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", st.Mode().Perm())
	}
	mine := "feed = \"yahoo\"\n# my edits\n"
	if err := os.WriteFile(p, []byte(mine), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteExample(p, false); err == nil || !strings.Contains(err.Error(), "already exists; not overwriting it (use --force") {
		t.Fatalf("second write without force: %v", err)
	}
	if got, _ := os.ReadFile(p); string(got) != mine {
		t.Fatal("existing file was changed")
	}
	bak, err = WriteExample(p, true)
	if err != nil || bak != p+".bak" {
		t.Fatalf("force: bak %q err %v", bak, err)
	}
	if got, _ := os.ReadFile(bak); string(got) != mine {
		t.Fatalf(".bak holds %q, want the user's file", got)
	}
	if got, _ := os.ReadFile(p); string(got) != Example {
		t.Fatal("force did not write the example")
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	if len(entries) != 2 {
		t.Fatalf("leftover temp files: %v", entries)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	c := Default()
	c.Feeds.Yahoo.APIKey = "hunter2-key"
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("config", "yahoo", c.Feeds.Yahoo, "key", c.Feeds.Yahoo.APIKey)
	s := buf.String() + fmt.Sprintf("%v %+v %s", c, c, c.Feeds.Yahoo.APIKey)
	if strings.Contains(s, "hunter2") {
		t.Fatalf("secret leaked: %s", s)
	}
}

func TestAlertsSection(t *testing.T) {
	d := Default().Alerts
	if !d.Enabled || d.OnForming || d.OnFading || d.Command != nil || d.Timeout != 10*time.Second || d.Every != 30*time.Minute || d.Dwell != 5*time.Minute || d.SignalLog != "" {
		t.Fatalf("alert defaults %+v", d)
	}
	c, err := Parse("c.toml", []byte("[alerts]\nenabled = false\non_forming = true\non_fading = true\ndwell = \"0s\"\ncommand = [\"notify-send\", \"-u\", \"critical\"]\ntimeout = \"3s\"\nevery = \"0s\"\nsignal_log = \" /tmp/s.jsonl \"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Alerts{OnForming: true, OnFading: true, Command: []string{"notify-send", "-u", "critical"}, Timeout: 3 * time.Second, SignalLog: "/tmp/s.jsonl"}
	if !reflect.DeepEqual(c.Alerts, want) {
		t.Fatalf("alerts %+v, want %+v", c.Alerts, want)
	}
	if _, err := Parse("c.toml", []byte("[alerts]\ndwell = \"-1m\"\n")); err == nil || !strings.Contains(err.Error(), "c.toml:2: alerts.dwell: -1m0s must be between 0s (record at once) and 24h") {
		t.Fatalf("negative dwell: %v", err)
	}
}

func TestAPIKeyFromEnvOverridesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(p, []byte("[feeds.yahoo]\napi_key = \"from-file\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	getenv := func(k string) string { return vars[k] }
	l, err := Load(p, getenv, "")
	if err != nil || l.Config.Feeds.Yahoo.APIKey.Reveal() != "from-file" || l.Config.Feeds.Stooq.APIKey != "" {
		t.Fatalf("file key: %v %v", l.Config.Feeds, err)
	}
	vars[APIKeyEnvVar] = "from-env"
	l, err = Load(p, getenv, "")
	if err != nil || l.Config.Feeds.Yahoo.APIKey.Reveal() != "from-env" || l.Config.Feeds.Stooq.APIKey.Reveal() != "from-env" {
		t.Fatalf("env key: %v %v", l.Config.Feeds, err)
	}
	// also without any file
	l, err = Load("", getenv, "")
	if err != nil || l.Config.Feeds.Yahoo.APIKey.Reveal() != "from-env" {
		t.Fatalf("env key without a file: %v %v", l.Config.Feeds, err)
	}
}

// TestStooqKeyFromEnv: CAPWATCH_STOOQ_API_KEY sets Stooq's key over the
// file and over CAPWATCH_API_KEY, and only Stooq's.
func TestStooqKeyFromEnv(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(p, []byte("[feeds.stooq]\napi_key = \"from-file\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{APIKeyEnvVar: "generic", StooqAPIKeyEnvVar: " stooq-env "}
	l, err := Load(p, func(k string) string { return vars[k] }, "")
	if err != nil || l.Config.Feeds.Stooq.APIKey.Reveal() != "stooq-env" || l.Config.Feeds.Yahoo.APIKey.Reveal() != "generic" {
		t.Fatalf("keys: %v %v", l.Config.Feeds, err)
	}
}

// TestAutoFeedAndFailoverAfter: feed "auto" is accepted with its
// failover_after (default 2 minutes), which is checked.
func TestAutoFeedAndFailoverAfter(t *testing.T) {
	if d := Default(); d.Feed != FeedDemo || d.FailoverAfter != 2*time.Minute {
		t.Fatalf("defaults: feed %q failover_after %v", d.Feed, d.FailoverAfter)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		file, err string
		after     time.Duration
	}{
		{"feed = \"auto\"\nfailover_after = \"3m\"\n", "", 3 * time.Minute},
		{"feed = \"AUTO\"\n", "", 2 * time.Minute},
		{"feed = \"auto\"\nfailover_after = \"1s\"\n", `failover_after: 1s must be between 5s and 24h`, 0},
	} {
		p := filepath.Join(dir, "c.toml")
		if err := os.WriteFile(p, []byte(tc.file), 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := Load(p, nil, "")
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err %v, want %q", tc.file, err, tc.err)
			}
		case err != nil || l.Config.Feed != FeedAuto || l.Config.FailoverAfter != tc.after:
			t.Errorf("%q: %q %v %v", tc.file, l.Config.Feed, l.Config.FailoverAfter, err)
		}
	}
}

func TestBreadthAndConfirmSections(t *testing.T) {
	def := Default()
	if def.Breadth.Universe != "iwm" || len(def.Confirm) != 6 || def.Confirm[5].ID != "dgs2" {
		t.Fatalf("defaults: %+v %+v", def.Breadth, def.Confirm)
	}
	if got := def.Engine().Confirm; strings.Join(got, ",") != "IWM,QQQ,IJR,SPY,RSP,IWC,HYG,LQD" {
		t.Errorf("Engine().Confirm = %v", got)
	}
	c, err := Parse("c.toml", []byte("[breadth]\nuniverse = \"IJR\"\nabove_sma50 = 55\n\n[[confirm]]\nkind = \"Credit\"\nsymbols = \"jnk/ief\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Breadth.Universe != "ijr" || c.Breadth.AboveSMA50 != 55 || len(c.Confirm) != 1 ||
		c.Confirm[0].ID != "jnk_ief" || c.Confirm[0].Kind != "credit" || c.Confirm[0].Label != "JNK/IEF" {
		t.Errorf("parsed %+v %+v", c.Breadth, c.Confirm)
	}
	if c, err = Parse("c.toml", []byte("confirm = []\n[breadth]\nuniverse = \"/data/My Members.csv\"\n")); err != nil || len(c.Confirm) != 0 || c.Breadth.Universe != "/data/My Members.csv" {
		t.Errorf("confirm = [] and a path: %+v %v", c, err)
	}
	for src, want := range map[string]string{
		"[breadth]\nabove_sma50 = 0\n":                                                      "c.toml:2: breadth.above_sma50: 0 must be a percentage above 0 and at most 100",
		"[breadth]\nmax_bars = 100\n":                                                       "c.toml:2: breadth.max_bars: 100 is too few (at least 253, for the 52-week highs and lows)",
		"[breadth]\nuniverse = \"\"\n":                                                      `c.toml:2: breadth.universe: is empty (use "iwm", "ijr", a members file's path, or "off")`,
		"[[confirm]]\nkind = \"pair\"\nsymbols = \"IWM/IWM\"\n":                             `c.toml:3: confirm.symbols: [[confirm]] 1: symbols "IWM/IWM": want two different tickers as "NUM/DEN", e.g. "IWM/QQQ"`,
		"[[confirm]]\nkind = \"pair\"\nsymbols = \"A/B\"\n\n[[confirm]]\nkind = \"fx\"\n":   `c.toml:6: confirm.kind: [[confirm]] 2: kind "fx": want "pair", "credit" or "yield"`,
		"[[confirm]]\nkind = \"yield\"\n[[confirm]]\nkind = \"yield\"\nseries = \"dgs2\"\n": `c.toml:4: confirm.kind: [[confirm]] 2: id "dgs2" is also item 1's; give one an id`,
	} {
		_, err := Parse("c.toml", []byte(src))
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", src, err, want)
		}
	}
}
