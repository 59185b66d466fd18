package main

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/capwatch/capwatch/internal/doctor"
	"github.com/capwatch/capwatch/internal/nettest"
)

// handCSV is five hand-written daily rows in the Yahoo download format.
const handCSV = "Date,Open,High,Low,Close,Adj Close,Volume\n" +
	"2024-05-28,100,102,99,101,101,1000\n" +
	"2024-05-29,101,103,100,102,102,1100\n" +
	"2024-05-30,102,104,101,103,103,1200\n" +
	"2024-05-31,103,105,102,104,104,1300\n" +
	"2024-06-03,104,106,103,105,105,1400\n"

// handReplayDir writes IWM.csv, SPY.csv and XLK.csv (hand-written rows) into a
// temporary directory, then applies the changes (a nil content removes the
// file).
func handReplayDir(t *testing.T, change map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string][]byte{"IWM.csv": []byte(handCSV), "SPY.csv": []byte(handCSV), "XLK.csv": []byte(handCSV)}
	for k, v := range change {
		files[k] = v
	}
	for name, content := range files {
		if content != nil {
			writeFile(t, filepath.Join(dir, name), string(content), 0o600)
		}
	}
	return dir
}

// TestDoctorReadsTheReplayPair (QA-2 M4): doctor reads the replay pair's
// files as the feed does. A pair leg that is missing or not a CSV file
// fails (exit 1, the leg named), as status fails on it; a missing file of
// another symbol is a warning naming it, counted; a readable pair works.
func TestDoctorReadsTheReplayPair(t *testing.T) {
	random := make([]byte, 5000)
	for i := range random {
		random[i] = byte(i*7919%251 + i/13) // binary, not a CSV
	}
	for _, tc := range []struct {
		name   string
		change map[string][]byte
		code   int
		status doctor.Level
		named  []string // must appear in the replay row's detail
	}{
		{"pair readable, another file unusable", map[string][]byte{"XLK.csv": []byte("hello\x00\x01\x02")}, exitOK, doctor.Warn, []string{"1 unusable: XLK:", "XLK.csv"}},
		{"SPY random bytes", map[string][]byte{"SPY.csv": random}, exitFailure, doctor.Fail, []string{"SPY", "SPY.csv"}},
		{"SPY missing", map[string][]byte{"SPY.csv": nil}, exitFailure, doctor.Fail, []string{"SPY", "SPY.csv"}},
		{"IWM header only", map[string][]byte{"IWM.csv": []byte("Date,Open,High,Low,Close,Adj Close,Volume\n")}, exitFailure, doctor.Fail, []string{"IWM", "IWM.csv"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := handReplayDir(t, tc.change)
			h := newHarness(t)
			h.e.HTTP = nettest.Client(nettest.NoSuchHost)
			cfg := filepath.Join(t.TempDir(), "c.toml")
			writeFile(t, cfg, "feed = \"replay\"\n[feeds.replay]\ndata = \""+dir+"\"\n", 0o600)
			code, r, _ := doctorJSON(t, h, "--config", cfg)
			f := feedCheck(t, r, "replay")
			if code != tc.code || f.Status != tc.status || r.FeedWorks != (tc.code == exitOK) {
				t.Fatalf("exit %d, replay %+v, works %v: want exit %d, %s", code, f, r.FeedWorks, tc.code, tc.status)
			}
			for _, s := range tc.named {
				if !strings.Contains(f.Detail, s) {
					t.Errorf("detail %q does not name %s", f.Detail, s)
				}
			}
			// The default symbols other than the three written have no file.
			if m := regexp.MustCompile(`(\d+) without a file`).FindStringSubmatch(f.Detail); m == nil {
				t.Errorf("detail %q does not count the symbols without a file", f.Detail)
			}
			// The same directory with status: a failing pair leg is exit 1
			// there too, a readable pair exit 0.
			scode, sout, serr := h.run("status", "--ttl", "0", "--config", cfg)
			if (scode == exitOK) != (code == exitOK) {
				t.Errorf("status exit %d (%s%s) while doctor exits %d", scode, sout, serr, code)
			}
		})
	}
}

// TestDoctorLegStartsAfterAsOf: a pair leg whose file begins after
// --as-of fails (no ratio on that date, status and snapshot exit 1 too),
// named with the date its data starts, and the fix is a later --as-of, not
// "put a file named SPY.csv" (it is there). The replay feed now calls such
// a file's data "starts later", not an error: doctor said "SPY: no bars".
func TestDoctorLegStartsAfterAsOf(t *testing.T) {
	late := "Date,Open,High,Low,Close,Adj Close,Volume\n" + strings.Join(strings.Split(handCSV, "\n")[4:], "\n") // 2024-05-31 on
	dir := handReplayDir(t, map[string][]byte{"SPY.csv": []byte(late)})
	h := newHarness(t)
	h.e.HTTP = nettest.Client(nettest.NoSuchHost)
	code, r, _ := doctorJSON(t, h, "--feed", "replay", "--data", dir, "--as-of", "2024-05-29")
	f := feedCheck(t, r, "replay")
	if code != exitFailure || f.Status != doctor.Fail || !strings.Contains(f.Detail, "SPY: data starts 2024-05-31, after --as-of 2024-05-29") ||
		!strings.Contains(f.Fix, "--as-of on or after 2024-05-31") {
		t.Errorf("exit %d, replay %+v: want a failure naming SPY's first date and a later --as-of as the fix", code, f)
	}
	scode, _, serr := h.run("status", "--ttl", "0", "--feed", "replay", "--data", dir, "--as-of", "2024-05-29")
	if scode != exitFailure || !strings.Contains(serr, "no ratio for IWM/SPY: SPY: data starts 2024-05-31") {
		t.Errorf("status: exit %d, stderr %q", scode, serr)
	}
	// On its first date it works.
	if code, r, _ = doctorJSON(t, h, "--feed", "replay", "--data", dir, "--as-of", "2024-05-31"); code != exitOK {
		t.Errorf("--as-of 2024-05-31: exit %d, %+v", code, feedCheck(t, r, "replay"))
	}
}

// TestDoctorTakesTheReplayDataFlags (QA-2 M5): doctor's own advice (--data DIR)
// can be followed, and a setting from the command line is reported as such,
// not as a config file setting that differs from the defaults.
func TestDoctorTakesTheReplayDataFlags(t *testing.T) {
	dir := handReplayDir(t, nil)
	h := newHarness(t)
	h.e.HTTP = nettest.Client(nettest.NoSuchHost)
	cfg := filepath.Join(t.TempDir(), "c.toml")
	writeFile(t, cfg, "feed = \"yahoo\"\n", 0o600)
	code, out, errOut := h.run("doctor", "--feed", "replay", "--config", cfg)
	if code != exitFailure || !strings.Contains(out, "--data DIR") {
		t.Fatalf("without --data: exit %d, want 1 with advice naming --data DIR:\n%s%s", code, out, errOut)
	}
	code, r, errOut := doctorJSON(t, h, "--feed", "replay", "--data", dir, "--pair", "IWM/SPY", "--config", cfg)
	if code != exitOK || r.Feed != "replay" {
		t.Fatalf("doctor --feed replay --data DIR: exit %d, feed %q (%s)", code, r.Feed, errOut)
	}
	has := func(ss []doctor.Setting, key, value string) bool {
		return slices.ContainsFunc(ss, func(s doctor.Setting) bool { return s.Key == key && s.Value == value })
	}
	if !has(r.Config.Changed, "feed", "yahoo") || has(r.Config.Changed, "feed", "replay") {
		t.Errorf("config file settings %+v: want feed = yahoo (the file's), not replay", r.Config.Changed)
	}
	if !has(r.Config.CommandLine, "feed", "replay") || !has(r.Config.CommandLine, "feeds.replay.data", dir) {
		t.Errorf("command line settings %+v: want feed = replay and feeds.replay.data", r.Config.CommandLine)
	}
	_, table, _ := h.run("doctor", "--feed", "replay", "--data", dir, "--config", cfg)
	for _, l := range strings.Split(table, "\n") {
		if strings.Contains(l, "differs from the defaults") && strings.Contains(l, "replay") {
			t.Errorf("the table says the command line's replay differs in the file: %q", l)
		}
	}
	if !strings.Contains(table, "from the command line") {
		t.Errorf("the table does not say what came from the command line:\n%s", table)
	}
}

// TestEveryCommandTakesTheFlagsItsHelpLists (QA-2 M5): every flag a
// command's --help lists in its flag table, and every flag of the main
// help's "Data and configuration flags (COMMANDS)" table for each command it
// names there, is accepted by that command's parser (doctor rejected --data
// while the main help said those flags were for all commands). Each flag is
// given with a value when the help shows one.
func TestEveryCommandTakesTheFlagsItsHelpLists(t *testing.T) {
	row := regexp.MustCompile(`(?m)^  (?:-h, )?--([a-z][a-z-]*)(?: ([A-Z][A-Z/]*))?`)
	h := newHarness(t)
	accepts := func(cmd []string, m []string) {
		t.Helper()
		arg := "--" + m[1]
		if m[2] != "" {
			arg += "=x"
		}
		_, _, errOut := h.run(append(append(slices.Clone(cmd), arg), "--help")...)
		if strings.Contains(errOut, "unknown flag") || strings.Contains(errOut, "not defined") {
			t.Errorf("capwatch %s: its help lists --%s, but the command rejects it: %s", strings.Join(cmd, " "), m[1], errOut)
		}
	}
	all := [][]string{{}, {"snapshot"}, {"status"}, {"analogs"}, {"doctor"}, {"signals"}, {"config", "init"}, {"config", "path"}}
	for _, cmd := range all[:6] {
		_, help, _ := h.run(append(slices.Clone(cmd), "--help")...)
		rows := row.FindAllStringSubmatch(help, -1)
		if len(rows) < 3 {
			t.Fatalf("capwatch %s --help: only %d flag rows:\n%s", strings.Join(cmd, " "), len(rows), help)
		}
		for _, m := range rows {
			accepts(cmd, m)
		}
	}
	// The main help's common table and the commands it says it is for.
	_, help, _ := h.run("--help")
	sec := regexp.MustCompile(`(?s)Data and configuration flags \(([^)]*)\):\n(.*?)\n\n`).FindStringSubmatch(help)
	if sec == nil {
		t.Fatalf("no data and configuration flags table in --help:\n%s", help)
	}
	var cmds [][]string
	if sec[1] == "all commands" {
		cmds = all
	} else {
		for _, cmd := range all {
			name := "the dashboard"
			if len(cmd) > 0 {
				name = cmd[0]
			}
			if regexp.MustCompile(`\b` + name + `\b`).MatchString(sec[1]) {
				cmds = append(cmds, cmd)
			}
		}
		if len(cmds) < 2 {
			t.Fatalf("the table is for %q: no command recognised", sec[1])
		}
	}
	for _, cmd := range cmds {
		for _, m := range row.FindAllStringSubmatch(sec[2], -1) {
			accepts(cmd, m)
		}
	}
}
