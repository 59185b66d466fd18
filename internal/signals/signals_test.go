package signals

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
)

var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

func openLog(t *testing.T, path string, max int64) *Log {
	t.Helper()
	l, err := Open(path, max, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func transitions(recs []Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.Flag+":"+r.From+">"+r.To)
	}
	return out
}

func TestTornLastLineIsSurvived(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals.jsonl")
	good := Record{Flag: engine.FlagSmallLeads21d, From: "off", To: "confirmed", Since: "2026-02-27", Feed: "yahoo"}
	var buf bytes.Buffer
	line, err := json.Marshal(good)
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(append(line, '\n'))
	buf.WriteString(`{"flag":"ratio_above_sma50","from":"off","to":"conf`) // crash mid-write
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	l, err := Open(path, 0, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("Open on a torn log: %v", err)
	}
	defer l.Close()
	if !strings.Contains(logs.String(), "does not parse") {
		t.Errorf("no log message about the torn line; got %q", logs.String())
	}
	last := l.Last()
	if len(last) != 1 || last[engine.FlagSmallLeads21d].To != "confirmed" {
		t.Fatalf("last states = %+v", last)
	}
	next := Record{Flag: engine.FlagRatioAboveSMA50, From: "off", To: "forming", Feed: "yahoo"}
	if err := l.Append(next); err != nil {
		t.Fatal(err)
	}
	all, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := transitions(all); !reflect.DeepEqual(got, []string{
		engine.FlagSmallLeads21d + ":off>confirmed", engine.FlagRatioAboveSMA50 + ":off>forming",
	}) {
		t.Fatalf("after torn line: %v", got)
	}
}

func TestRotationKeepsOldFilesAndLastStates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals.jsonl")
	l := openLog(t, path, 600) // a few records per file
	var want []string
	states := []string{"off", "forming", "confirmed"}
	for i := 0; i < 20; i++ {
		flag := engine.FlagIDs[i%3]
		r := Record{Flag: flag, From: states[i%3], To: states[(i+1)%3], Seen: t0.Add(time.Duration(i) * time.Second), Feed: "yahoo"}
		if err := l.Append(r); err != nil {
			t.Fatal(err)
		}
		want = append(want, flag+":"+r.From+">"+r.To)
	}
	l.Close()
	old, _ := filepath.Glob(path + ".*")
	if len(old) < 2 {
		t.Fatalf("expected several rotated files, got %v", old)
	}
	for _, f := range append(old, path) {
		if st, _ := os.Stat(f); st.Size() > 600 {
			t.Errorf("%s is %d bytes, over the 600-byte limit", f, st.Size())
		}
	}
	all, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := transitions(all); !reflect.DeepEqual(got, want) {
		t.Fatalf("records across rotations:\n got %v\nwant %v", got, want)
	}
	// Last states survive a reopen even when they sit in rotated files.
	l2 := openLog(t, path, 600)
	last := l2.Last()
	for i := 17; i < 20; i++ {
		flag := engine.FlagIDs[i%3]
		if last[flag].To != states[(i+1)%3] {
			t.Errorf("last[%s] = %q, want %q", flag, last[flag].To, states[(i+1)%3])
		}
	}
}

func TestRecordRoundTripsEveryField(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals.jsonl")
	l := openLog(t, path, 0)
	v := 0.3812
	in := Record{Flag: engine.FlagRatioNewHigh20d, From: "forming", To: "confirmed", Value: &v, Threshold: 0.3799,
		Since: "2026-03-02", BarTime: t0, Seen: t0.Add(3 * time.Second), Feed: "replay", Simulated: true,
		Text: "ratio at a new 20-day high", Initial: true, Closed: true}
	if err := l.Append(in); err != nil {
		t.Fatal(err)
	}
	all, err := ReadAll(path)
	if err != nil || len(all) != 1 {
		t.Fatalf("ReadAll = %v, %v", all, err)
	}
	if !reflect.DeepEqual(all[0], in) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", all[0], in)
	}
}

// TestAlerterRateLimitAndForming: forming alerts ring only with
// on_forming, at most once per flag per alerts.every (a flag flickering
// across its threshold); the limit is per flag. Changed deliberately for
// QA-2 M10: confirmations are no longer limited (see
// TestAlerterConfirmationAlwaysRings).
func TestAlerterRateLimitAndForming(t *testing.T) {
	id := engine.FlagRatioAboveSMA50
	conf := Record{Flag: id, From: "forming", To: "confirmed"}
	form := Record{Flag: id, From: "off", To: "forming"}
	if _, ok := NewAlerter(AlertOptions{Enabled: true, Every: 30 * time.Minute}).Decide(form, t0); ok {
		t.Fatal("forming rang without on_forming")
	}
	a := NewAlerter(AlertOptions{Enabled: true, OnForming: true, Every: 30 * time.Minute})
	if _, ok := a.Decide(form, t0); !ok {
		t.Fatal("on_forming did not ring on forming")
	}
	if _, ok := a.Decide(form, t0.Add(29*time.Minute)); ok {
		t.Fatal("second forming alert within 30 minutes")
	}
	other := Record{Flag: engine.FlagRatioAboveSMA200, From: "off", To: "forming"}
	if _, ok := a.Decide(other, t0.Add(time.Minute)); !ok {
		t.Fatal("the rate limit is per flag, another flag must ring")
	}
	if _, ok := a.Decide(form, t0.Add(30*time.Minute)); !ok {
		t.Fatal("no forming alert after the rate-limit window")
	}
	if _, ok := a.Decide(form, t0.Add(31*time.Minute)); ok {
		t.Fatal("the window restarts at the alert that rang")
	}
	if _, ok := NewAlerter(AlertOptions{Enabled: false}).Decide(conf, t0); ok {
		t.Fatal("a disabled alerter rang")
	}
}

// TestAlerterConfirmationAlwaysRings (QA-2 M10): with on_forming, a flag
// forming 20 minutes before the close rings, and its confirmation at the
// close rings too (it used to fall inside the forming alert's window and
// be swallowed); so do two confirmations of one flag (confirmed → off →
// confirmed) inside the window, even a window longer than the days
// between them. Fading alerts are limited per flag like forming ones, and
// a forming alert does not start the fading window.
func TestAlerterConfirmationAlwaysRings(t *testing.T) {
	id := engine.FlagRatioAboveSMA50
	close1 := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC) // 16:00 New York
	a := NewAlerter(AlertOptions{Enabled: true, OnForming: true, OnFading: true, Every: 30 * time.Minute})
	steps := []struct {
		r    Record
		at   time.Time
		ring bool
	}{
		{Record{Flag: id, From: "off", To: "forming"}, close1.Add(-20 * time.Minute), true},
		{Record{Flag: id, From: "forming", To: "confirmed", Closed: true}, close1, true},
		{Record{Flag: id, From: "confirmed", To: "off", Closed: true}, close1.Add(time.Minute), false},
		{Record{Flag: id, From: "off", To: "confirmed", Closed: true}, close1.Add(2 * time.Minute), true},
		{Record{Flag: id, From: "confirmed", To: "fading"}, close1.Add(3 * time.Minute), true},
		{Record{Flag: id, From: "fading", To: "confirmed"}, close1.Add(4 * time.Minute), false}, // held all along
		{Record{Flag: id, From: "confirmed", To: "fading"}, close1.Add(5 * time.Minute), false}, // flicker
		{Record{Flag: id, From: "fading", To: "off", Closed: true}, close1.Add(6 * time.Minute), false},
		{Record{Flag: id, From: "off", To: "forming"}, close1.Add(7 * time.Minute), false}, // 27 min after the last forming
		{Record{Flag: id, From: "forming", To: "confirmed", Closed: true}, close1.Add(8 * time.Minute), true},
	}
	for i, st := range steps {
		al, ok := a.Decide(st.r, st.at)
		if ok != st.ring {
			t.Fatalf("step %d %s → %s at the close%+v: rang %v, want %v", i, st.r.From, st.r.To, st.at.Sub(close1), ok, st.ring)
		}
		if ok && (al.Flag != id || al.To != st.r.To || !al.At.Equal(st.at) || !strings.Contains(al.Message, id+" "+st.r.To)) {
			t.Fatalf("step %d: alert %+v", i, al)
		}
	}
	// Two confirmations a day apart inside a 72-hour window both ring.
	b := NewAlerter(AlertOptions{Enabled: true, Every: 72 * time.Hour})
	for d, to := range []string{"confirmed", "off", "confirmed"} {
		_, ok := b.Decide(Record{Flag: id, From: map[bool]string{true: "off", false: "confirmed"}[to == "confirmed"], To: to, Closed: true}, close1.AddDate(0, 0, d))
		if ok != (to == "confirmed") {
			t.Fatalf("day %d → %s: rang %v", d, to, ok)
		}
	}
}

// TestAlerterTimeGoesBack: the rate limit runs on the data's clock; when
// that clock jumps backwards (a replay restarted from an earlier day, a
// clock corrected) a flag's forming and fading alerts ring again at once
// and their windows restart from the earlier time. They used to stay held
// until the data passed the last alert's time again (days of a replay).
func TestAlerterTimeGoesBack(t *testing.T) {
	id := engine.FlagRatioAboveSMA50
	form := Record{Flag: id, From: "off", To: "forming"}
	fade := Record{Flag: id, From: "confirmed", To: "fading"}
	a := NewAlerter(AlertOptions{Enabled: true, OnForming: true, OnFading: true, Every: 30 * time.Minute})
	clock := t0 // the data's clock, moved by hand
	ring := func(r Record, want bool, what string) {
		t.Helper()
		al, ok := a.Decide(r, clock)
		if ok != want {
			t.Fatalf("%s at %s: rang %v, want %v", what, clock.Format(time.RFC3339), ok, want)
		}
		if ok && !al.At.Equal(clock) {
			t.Fatalf("%s: alert at %s, want %s", what, al.At, clock)
		}
	}
	ring(form, true, "first forming")
	ring(fade, true, "first fading")
	clock = clock.Add(10 * time.Minute)
	ring(form, false, "forming 10 minutes later")
	// The replay restarts two days earlier.
	clock = t0.AddDate(0, 0, -2)
	ring(form, true, "forming after the clock went back two days")
	clock = clock.Add(time.Minute)
	ring(form, false, "forming a minute after the restart (the window restarted there)")
	ring(fade, true, "fading after the clock went back") // its own window, reset too
	clock = clock.Add(30 * time.Minute)
	ring(form, true, "forming 31 minutes after the restart")
	// A clock corrected back by a second is a jump back too.
	clock = clock.Add(-time.Second)
	ring(form, true, "forming after a one-second correction")
}

// TestAlerterFading: fading rings only with on_fading; a fading flag that
// recovers on the live bar held all along and does not ring as a new
// confirmation.
func TestAlerterFading(t *testing.T) {
	id := engine.FlagRatioAboveSMA50
	fade := Record{Flag: id, From: "confirmed", To: "fading"}
	back := Record{Flag: id, From: "fading", To: "confirmed"}
	if _, ok := NewAlerter(AlertOptions{Enabled: true, OnForming: true}).Decide(fade, t0); ok {
		t.Fatal("fading rang without on_fading")
	}
	a := NewAlerter(AlertOptions{Enabled: true, OnFading: true})
	if al, ok := a.Decide(fade, t0); !ok || !strings.Contains(al.Message, id+" fading") {
		t.Fatalf("on_fading: %+v %v", al, ok)
	}
	if _, ok := NewAlerter(AlertOptions{Enabled: true}).Decide(back, t0); ok {
		t.Fatal("a fading flag recovering rang as a confirmation")
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		o    AlertOptions
		want string
	}{
		{AlertOptions{Command: []string{""}}, "alerts.command"},
		{AlertOptions{Command: []string{"notify-send", "a\x00b"}}, "alerts.command[1]"},
		{AlertOptions{Timeout: -time.Second}, "alerts.timeout"},
		{AlertOptions{Command: []string{"notify-send", "capwatch"}}, ""},
	} {
		err := c.o.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("Validate(%+v) = %v, want mention of %q", c.o, err, c.want)
		}
	}
}

// TestHelperProcess is not a real test: RunCommand's tests run the test
// binary itself as the alert command.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("CAPWATCH_HELPER")
	if mode == "" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	switch mode {
	case "record":
		os.WriteFile(os.Getenv("CAPWATCH_HELPER_OUT"), []byte(strings.Join(args, "\x1f")), 0o600)
		os.Exit(0)
	case "fail":
		fmt.Println("notify: no display")
		os.Exit(3)
	case "hang":
		<-time.After(time.Hour) // hang until killed
	}
}

func helperArgv(t *testing.T, mode string, extra ...string) []string {
	t.Setenv("CAPWATCH_HELPER", mode)
	return append([]string{os.Args[0], "-test.run=^TestHelperProcess$", "--"}, extra...)
}

func TestRunCommandArgv(t *testing.T) {
	out := filepath.Join(t.TempDir(), "argv")
	t.Setenv("CAPWATCH_HELPER_OUT", out)
	argv := helperArgv(t, "record", "-u", "critical", "a b; $(rm -rf /)")
	if err := RunCommand(context.Background(), argv, "capwatch: ratio_above_sma50 confirmed", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"-u", "critical", "a b; $(rm -rf /)", "capwatch: ratio_above_sma50 confirmed"}
	if g := strings.Split(string(got), "\x1f"); !reflect.DeepEqual(g, want) {
		t.Fatalf("argv = %q, want %q (no shell, message last)", g, want)
	}
}

func TestRunCommandFailureAndTimeout(t *testing.T) {
	err := RunCommand(context.Background(), helperArgv(t, "fail"), "msg", 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "notify: no display") {
		t.Fatalf("failing command: err = %v, want its output in the error", err)
	}
	start := time.Now()
	err = RunCommand(context.Background(), helperArgv(t, "hang"), "msg", 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "killed after") {
		t.Fatalf("hanging command: err = %v, want killed", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("hanging command took %v to be killed", el)
	}
}

func TestDefaultDirAndFileName(t *testing.T) {
	env := map[string]string{"XDG_STATE_HOME": "/state", "LocalAppData": `C:\Users\u\AppData\Local`}
	get := func(k string) string { return env[k] }
	if d, _ := DefaultDir("linux", get, "/home/u"); d != "/state/capwatch" {
		t.Errorf("linux with XDG_STATE_HOME: %s", d)
	}
	if d, _ := DefaultDir("linux", func(string) string { return "" }, "/home/u"); d != "/home/u/.local/state/capwatch" {
		t.Errorf("linux default: %s", d)
	}
	if d, _ := DefaultDir("linux", func(k string) string { return "relative" }, "/home/u"); d != "/home/u/.local/state/capwatch" {
		t.Errorf("a relative XDG_STATE_HOME must be ignored: %s", d)
	}
	if _, err := DefaultDir("linux", func(string) string { return "" }, ""); err == nil {
		t.Error("no home and no XDG_STATE_HOME must be an error")
	}
	if FileName("yahoo", false) == FileName("demo", true) || FileName("demo", true) == FileName("replay", true) {
		t.Error("demo, replay and live logs must be different files")
	}
	if n := FileName("../../x\x1b", true); strings.ContainsAny(n, "/\\\x1b") {
		t.Errorf("file name not sanitised: %q", n)
	}
}

func TestWriteFormats(t *testing.T) {
	v := 0.5
	recs := []Record{
		{Flag: engine.FlagSectorBreadth, From: "off", To: "forming", Value: &v, Threshold: 0.6, Seen: t0, Feed: "yahoo", Text: "breadth, with a comma",
			BarTime: time.Date(2026, 3, 2, 9, 30, 0, 0, time.FixedZone("", -5*3600))},
		{Flag: engine.FlagRatioAboveSMA50, From: "forming", To: "confirmed", Seen: t0.Add(time.Hour), Since: "2026-03-02", Feed: "demo", Simulated: true},
	}
	var js bytes.Buffer
	if err := Write(&js, recs, "json"); err != nil {
		t.Fatal(err)
	}
	back, bad := parse(js.Bytes(), "export")
	if len(bad) != 0 || !reflect.DeepEqual(back, recs) {
		t.Fatalf("json export does not round-trip: %+v (bad %v)", back, bad)
	}
	var c bytes.Buffer
	if err := Write(&c, recs, "csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := csvRead(c.String())
	if err != nil || len(rows) != 3 || rows[1][11] != "breadth, with a comma" || rows[2][1] != engine.FlagRatioAboveSMA50 {
		t.Fatalf("csv export: %v %v", rows, err)
	}
	var tb bytes.Buffer
	if err := Write(&tb, recs, "table"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tb.String(), "forming → confirmed") || !strings.Contains(tb.String(), "demo (simulated)") || !strings.Contains(tb.String(), " 0.5 ") {
		t.Fatalf("table:\n%s", tb.String())
	}
	if !strings.Contains(tb.String(), "2026-03-02 09:30") {
		t.Fatalf("table: the bar time is not the exchange's:\n%s", tb.String())
	}
	if err := Write(&tb, recs, "xml"); err == nil {
		t.Fatal("unknown format accepted")
	}
	if got := Filter(recs, Query{SeenSince: t0.Add(time.Minute)}); len(got) != 1 || got[0].Flag != engine.FlagRatioAboveSMA50 {
		t.Fatalf("Filter by time: %+v", got)
	}
	if got := Filter(recs, Query{Flag: engine.FlagSectorBreadth}); len(got) != 1 || got[0].Flag != engine.FlagSectorBreadth {
		t.Fatalf("Filter by flag: %+v", got)
	}
}

func csvRead(s string) ([][]string, error) { return csv.NewReader(strings.NewReader(s)).ReadAll() }

// TestSecondWriterIsRefused (issue 14 item 5): while one capwatch records a
// log, a second Open of it fails with ErrLocked naming the holder, so two
// dashboards never write the same line twice; after Close it opens again.
func TestSecondWriterIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals.jsonl")
	first, err := Open(path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, 0, nil)
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) || le.PID != os.Getpid() || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("second Open: %v, want ErrLocked naming pid %d", err, os.Getpid())
	}
	if err := first.Append(Record{Flag: engine.FlagRatioAboveSMA50, From: "off", To: "confirmed"}); err != nil {
		t.Fatal(err)
	}
	first.Close()
	second, err := Open(path, 0, nil)
	if err != nil {
		t.Fatalf("Open after the first closed: %v", err)
	}
	defer second.Close()
	if last := second.Last(); last[engine.FlagRatioAboveSMA50].To != "confirmed" {
		t.Fatalf("last states %+v", last)
	}
	// The lock file is not mistaken for a rotated log.
	if recs, err := ReadAll(path); err != nil || len(recs) != 1 {
		t.Fatalf("ReadAll: %v %v", recs, err)
	}
}

// TestHolder: doctor's probe says who records a log without creating or
// writing anything, and without keeping the lock.
func TestHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals.jsonl")
	if pid, held, err := Holder(path); err != nil || held || pid != 0 {
		t.Fatalf("no log: %d %v %v", pid, held, err)
	}
	if _, err := os.Stat(path + ".lock"); !os.IsNotExist(err) {
		t.Fatalf("the probe created the lock file: %v", err)
	}
	l := openLog(t, path, 0)
	if pid, held, err := Holder(path); err != nil || !held || pid != os.Getpid() {
		t.Fatalf("recorded: %d %v %v, want held by %d", pid, held, err, os.Getpid())
	}
	l.Close()
	if _, held, err := Holder(path); err != nil || held {
		t.Fatalf("after close: %v %v", held, err)
	}
	// The probe let go: a dashboard can open it.
	openLog(t, path, 0).Close()
}
