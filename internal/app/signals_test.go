package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds/demo"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/signals"
)

// wallStart is the wall clock of the demo runs: a Tuesday, market open, so
// the demo streams 2024-06-04 from its 09:30 open.
var wallStart = time.Date(2024, 6, 4, 14, 0, 0, 0, time.UTC)

// A demo batch is 5 simulated minutes, one wall second apart.
const (
	demoQuote = 5 * time.Minute
	demoWall  = time.Second
)

// demoRun is what one pipeline run over the demo market published and rang.
type demoRun struct {
	mu       sync.Mutex
	snaps    []*engine.Snapshot
	logged   []int // lines in the log when each snapshot was published (before it was observed)
	notices  []Notice
	commands [][]string // argv + message of every command started
	cmdAt    []time.Time
}

func (r *demoRun) Notices() []Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Notice(nil), r.notices...)
}

// alerts lists every alert (one per flag; several may share a notice).
func (r *demoRun) alerts() []signals.Alert {
	var out []signals.Alert
	for _, n := range r.Notices() {
		if (n.Text != "") != (len(n.Alerts) > 0) {
			panic(fmt.Sprintf("notice %+v: text without alerts or alerts without text", n))
		}
		if len(n.Alerts) > 0 && !strings.HasPrefix(n.Text, n.Alerts[0].Message) {
			panic(fmt.Sprintf("notice text %q does not start with the first alert's message", n.Text))
		}
		out = append(out, n.Alerts...)
	}
	return out
}

type runOpts struct {
	log     *signals.Log
	alerts  signals.AlertOptions
	wall    time.Time // the wall clock at start
	steps   int       // demo batches after the history
	gapAt   int       // before this step (if > 0), the wall clock jumps by gap
	gap     time.Duration
	command CommandRunner
	dwell   time.Duration
	quote   time.Duration // simulated time between demo batches (default demoQuote)
	counts  bool          // count the log's lines at every snapshot (demoRun.logged)
	// reopen and notRecording: the log is held by another capwatch (log
	// nil); the watch takes it over with reopen (SignalOptions.Reopen).
	reopen       func() (*signals.Log, error)
	notRecording string
	before       func(step int) // called before each step's clock advance
}

// runDemo runs a pipeline with a SignalWatch over the demo market (IWM and
// SPY only) on a fake wall clock, one batch per step, inside the caller's
// synctest bubble, and stops it.
func runDemo(t *testing.T, o runOpts) *demoRun {
	t.Helper()
	clk := clock.NewFake(o.wall)
	if o.quote == 0 {
		o.quote = demoQuote
	}
	f, err := demo.New(demo.Options{Seed: 1, Speed: float64(o.quote / demoWall), QuoteInterval: o.quote,
		Symbols: []string{"IWM", "SPY"}, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(pairConfig(), calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	r := &demoRun{}
	run := o.command
	if run == nil {
		run = func(ctx context.Context, argv []string, msg string, timeout time.Duration) error {
			r.mu.Lock()
			r.commands = append(r.commands, append(append([]string(nil), argv...), msg))
			r.cmdAt = append(r.cmdAt, clk.Now())
			r.mu.Unlock()
			return nil
		}
	}
	w, err := NewSignalWatch(SignalOptions{
		Log: o.log, Feed: "demo", Simulated: true, Alerts: o.alerts, Clock: clk, Run: run, Dwell: o.dwell,
		Reopen: o.reopen, NotRecording: o.notRecording,
		Notify: func(n Notice) { r.mu.Lock(); r.notices = append(r.notices, n); r.mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk, Signals: w,
		OnSnapshot: func(s *engine.Snapshot) {
			n := -1
			if o.log != nil && o.counts {
				recs, _ := signals.ReadAll(o.log.Path()) // the previous snapshot is observed by now
				n = len(recs)
			}
			r.mu.Lock()
			r.snaps, r.logged = append(r.snaps, s), append(r.logged, n)
			r.mu.Unlock()
		}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	synctest.Wait()
	for i := 0; i < o.steps; i++ {
		if o.before != nil {
			o.before(i)
			synctest.Wait()
		}
		if o.gapAt > 0 && i == o.gapAt {
			clk.Advance(o.gap)
		} else {
			clk.Advance(demoWall)
		}
		synctest.Wait()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	return r
}

func messages(as []signals.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Message)
	}
	return out
}

// change is one log line without its wall-clock time.
type change struct {
	Flag, From, To, Since, Text string
	Value                       *float64
	Threshold                   float64
	BarTime                     time.Time
	Initial, Closed             bool
}

func fromRecords(t *testing.T, recs []signals.Record) []change {
	t.Helper()
	out := make([]change, 0, len(recs))
	for _, r := range recs {
		if r.Kind == signals.KindRotation {
			continue // quadrant changes: TestRotationSignalsFromTheDemoMarket
		}
		if r.Feed != "demo" || !r.Simulated || r.Seen.IsZero() {
			t.Fatalf("record %+v: want feed demo, simulated, a seen time", r)
		}
		out = append(out, change{Flag: r.Flag, From: r.From, To: r.To, Since: r.Since, Text: r.Text, Value: r.Value,
			Threshold: r.Threshold, BarTime: r.BarTime, Initial: r.Initial, Closed: r.Closed})
	}
	return out
}

// diffChanges describes the first difference between got and want, or "".
func diffChanges(got, want []change) string {
	for i := 0; i < max(len(got), len(want)); i++ {
		if i >= len(got) || i >= len(want) {
			return fmt.Sprintf("%d changes, want %d (first extra/missing at %d)", len(got), len(want), i)
		}
		x, y := got[i], want[i]
		same := (x.Value == nil) == (y.Value == nil) && (x.Value == nil || *x.Value == *y.Value) && x.BarTime.Equal(y.BarTime)
		x.Value, y.Value, x.BarTime, y.BarTime = nil, nil, time.Time{}, time.Time{}
		if !same || x != y {
			return fmt.Sprintf("change %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	return ""
}

func (c change) String() string {
	v := "null"
	if c.Value != nil {
		v = fmt.Sprint(*c.Value)
	}
	return fmt.Sprintf("%s %s>%s at %s (value %s threshold %v since %q initial %v closed %v)", c.Flag, c.From, c.To, c.BarTime.Format(time.DateTime), v, c.Threshold, c.Since, c.Initial, c.Closed)
}

func openSignalLog(t *testing.T, path string) *signals.Log {
	t.Helper()
	l, err := signals.Open(path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func readLog(t *testing.T, path string) []signals.Record {
	t.Helper()
	recs, err := signals.ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// alertable: the changes that may ring (live, to confirmed or forming), the
// newest of a flag among those recorded for one snapshot.
func alertable(cs []change, onForming bool) []change {
	var out []change
	for _, c := range cs {
		if !c.Initial && ((c.To == "confirmed" && c.From != "fading") || (onForming && c.To == "forming")) {
			out = append(out, c)
		}
	}
	return out
}

// checkLogAgreesWithScreen: after every snapshot is observed, the log's
// newest line of each flag says the state the snapshot shows (with no
// dwell, nothing shown is left unrecorded), and the lines recorded for a
// snapshot are not older than the bars it applied. It returns the lines
// recorded per snapshot.
func checkLogAgreesWithScreen(t *testing.T, r *demoRun, recs []signals.Record) [][]signals.Record {
	t.Helper()
	per := make([][]signals.Record, len(r.snaps))
	state := map[string]string{}
	for i, s := range r.snaps {
		to := len(recs)
		if i+1 < len(r.snaps) {
			to = r.logged[i+1]
		}
		per[i] = recs[r.logged[i]:to]
		for _, rec := range per[i] {
			if rec.Kind != "" {
				continue // rotation quadrants: TestRotationSignalsFromTheDemoMarket
			}
			if from, ok := state[rec.Flag]; ok && rec.From != from || !ok && rec.From != "off" {
				t.Fatalf("snapshot %d: %s %s>%s, but the log said %q", i, rec.Flag, rec.From, rec.To, from)
			}
			state[rec.Flag] = rec.To
		}
		for _, f := range s.Flags {
			if !f.CloseValue.Valid {
				continue
			}
			got, ok := state[f.ID]
			if !ok {
				got = "off"
			}
			if got != f.State.String() {
				t.Fatalf("snapshot %d at %s: %s shown %s, the log says %s", i, s.AsOf.Format(time.DateTime), f.ID, f.State, got)
			}
		}
	}
	return per
}

// TestSignalLogFromTheDemoMarket: over two demo days (no dwell) the log
// says, after every snapshot, the state each flag shows; every change on a
// closed bar is the engine's change on that bar, at its close, with that
// bar's value and threshold; every alert is one live change to confirmed or
// forming (no rate limit here), with the command given the alert's message
// as its last argument.
func TestSignalLogFromTheDemoMarket(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "signals-demo.jsonl")
		l := openSignalLog(t, path)
		argv := []string{"notify-send", "-u", "critical", "capwatch"}
		r := runDemo(t, runOpts{log: l, wall: wallStart, steps: 160, counts: true,
			alerts: signals.AlertOptions{Enabled: true, OnForming: true, Every: time.Nanosecond, Command: argv, Timeout: 5 * time.Second}})
		l.Close()

		recs := readLog(t, path)
		per := checkLogAgreesWithScreen(t, r, recs)
		// The closed-bar lines after the history are the engine's changes.
		var histClose time.Time // the history's newest close
		for _, f := range r.snaps[0].Flags {
			if f.Closed.After(histClose) {
				histClose = f.Closed
			}
		}
		var wantClosed []string
		for _, c := range r.snaps[len(r.snaps)-1].FlagChanges {
			if !c.Close.After(histClose) {
				continue
			}
			to := "off"
			if c.On {
				to = "confirmed"
			}
			wantClosed = append(wantClosed, fmt.Sprintf("%s>%s at %s %v vs %v", c.Flag, to, c.Close.Format(time.DateTime), c.Value.V, c.Threshold.V))
		}
		var gotClosed []string
		var live, confirmed int
		for _, rec := range recs {
			if rec.Kind != "" {
				continue
			}
			if !rec.Initial {
				live++
			}
			if rec.Closed && !rec.Initial && (rec.To == "confirmed") != (rec.From == "confirmed" || rec.From == "fading") {
				gotClosed = append(gotClosed, fmt.Sprintf("%s>%s at %s %v vs %v", rec.Flag, rec.To, rec.BarTime.Format(time.DateTime), *rec.Value, rec.Threshold))
			}
			if rec.To == "confirmed" && !rec.Initial {
				confirmed++
			}
		}
		if !reflect.DeepEqual(gotClosed, wantClosed) {
			t.Fatalf("closed-bar lines\n got %q\nwant %q", gotClosed, wantClosed)
		}
		if live < 5 || confirmed == 0 {
			t.Fatalf("the demo gave %d live changes, %d confirmations: the test exercises too little", live, confirmed)
		}

		alerts := r.alerts()
		var wantAlerts []change
		for _, p := range per {
			cs := fromRecords(t, p)
			for i, c := range alertable(cs, true) {
				newest := true
				for _, d := range cs[i+1:] {
					newest = newest && d.Flag != c.Flag
				}
				if newest {
					wantAlerts = append(wantAlerts, c)
				}
			}
		}
		if len(alerts) != len(wantAlerts) {
			t.Fatalf("%d alerts for %d alertable changes", len(alerts), len(wantAlerts))
		}
		for i, a := range alerts {
			c := wantAlerts[i]
			if a.Flag != c.Flag || !strings.HasPrefix(a.Message, "capwatch: "+c.Flag+" "+c.To) || !strings.Contains(a.Message, "[DEMO]") {
				t.Fatalf("alert %d %q for change %s", i, a.Message, c)
			}
		}
		if n := len(r.Notices()); n >= len(alerts) {
			t.Fatalf("%d notices for %d alerts: simultaneous alerts were not merged into one bell", n, len(alerts))
		}
		// Commands run on their own goroutines: compare as sets.
		wantCmds := map[string]int{}
		for _, a := range alerts {
			wantCmds[strings.Join(append(append([]string(nil), argv...), a.Message), "\x1f")]++
		}
		gotCmds := map[string]int{}
		for _, c := range r.commands {
			gotCmds[strings.Join(c, "\x1f")]++
		}
		if !reflect.DeepEqual(gotCmds, wantCmds) {
			t.Fatalf("commands %q, want %q + each alert's message", r.commands, argv)
		}
	})
}

// TestRestartGivesNothingTwice: a run stopped in the middle (with a torn last
// line, as after a crash mid-write) and restarted on the same log leaves the
// same log lines and rings the same alerts as one uninterrupted run, although
// the restarted demo replays the day from its open.
func TestRestartGivesNothingTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		opts := signals.AlertOptions{Enabled: true, OnForming: true, Every: time.Nanosecond}
		const total = 160

		straight := filepath.Join(dir, "straight.jsonl")
		l := openSignalLog(t, straight)
		c := runDemo(t, runOpts{log: l, alerts: opts, wall: wallStart, steps: total})
		l.Close()

		for _, stop := range []int{1, 40, 90} {
			path := filepath.Join(dir, fmt.Sprintf("restart-%d.jsonl", stop))
			l := openSignalLog(t, path)
			a := runDemo(t, runOpts{log: l, alerts: opts, wall: wallStart, steps: stop})
			l.Close()
			// A crash mid-write leaves a torn last line.
			fh, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			fh.WriteString(`{"flag":"ratio_above_sma50","from":"off","to":"confi`)
			fh.Close()

			l = openSignalLog(t, path)
			b := runDemo(t, runOpts{log: l, alerts: opts, wall: wallStart.Add(time.Duration(stop+60) * time.Second), steps: total})
			l.Close()

			got, want := fromRecords(t, readLog(t, path)), fromRecords(t, readLog(t, straight))
			if d := diffChanges(got, want); d != "" {
				t.Fatalf("stop at %d: log with a restart: %s", stop, d)
			}
			if ab := messages(append(a.alerts(), b.alerts()...)); !reflect.DeepEqual(ab, messages(c.alerts())) {
				t.Fatalf("stop at %d: alerts with a restart\n got %q\nwant %q", stop, ab, messages(c.alerts()))
			}
		}
		if len(c.alerts()) == 0 {
			t.Fatal("no alerts at all: the test exercises nothing")
		}
	})
}

// TestAlertRateLimit: with the default 30 minutes, a flag flickering
// around its threshold rings its forming (fading) alert at most once per 30
// minutes of exchange time — the demo's own clock, 5 minutes a wall second
// here — however often it changes; the log still records every change.
// Changed deliberately for QA-2 M10: the window was 30 minutes of wall
// time (a whole demo run) and per flag, so it swallowed confirmations;
// TestConfirmationRingsAfterForming checks those.
func TestAlertRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "signals-demo.jsonl")
		l := openSignalLog(t, path)
		every := 30 * time.Minute
		r := runDemo(t, runOpts{log: l, wall: wallStart, steps: 200, counts: true,
			alerts: signals.AlertOptions{Enabled: true, OnForming: true, OnFading: true, Every: every}})
		l.Close()
		recs := readLog(t, path)
		checkLogAgreesWithScreen(t, r, recs)
		type key struct{ flag, to string }
		last := map[key]time.Time{}
		twice := false
		limited := 0
		for _, a := range r.alerts() {
			if a.To == "confirmed" {
				continue
			}
			limited++
			k := key{a.Flag, a.To}
			if prev, ok := last[k]; ok {
				if a.At.Sub(prev) < every {
					t.Fatalf("%s %s rang at %v and again at %v (exchange time)", a.Flag, a.To, prev, a.At)
				}
				twice = true
			}
			last[k] = a.At
		}
		n := 0
		for _, c := range fromRecords(t, recs) {
			if !c.Initial && (c.To == "forming" || c.To == "fading" && c.From == "confirmed") {
				n++
			}
		}
		if limited >= n || !twice {
			t.Fatalf("%d forming/fading alerts for %d such changes (one rang again after the limit: %v): the limit was not exercised", limited, n, twice)
		}
	})
}

// TestConfirmationRingsAfterForming (QA-2 M10): with on_forming and the
// default 30-minute limit, every live confirmation rings and runs the
// command, also when the same flag's forming alert rang minutes before
// (the forming alert's window used to swallow it: the log said
// `forming → confirmed`, the command never ran).
func TestConfirmationRingsAfterForming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "signals-demo.jsonl")
		l := openSignalLog(t, path)
		argv := []string{"rec.sh", "capwatch"}
		r := runDemo(t, runOpts{log: l, wall: wallStart, steps: 200, counts: true,
			alerts: signals.AlertOptions{Enabled: true, OnForming: true, Every: 30 * time.Minute, Command: argv, Timeout: 5 * time.Second}})
		l.Close()
		per := checkLogAgreesWithScreen(t, r, readLog(t, path))
		// The confirmations that must ring: live, the flag's newest
		// change of its snapshot, not a fading flag recovering.
		var want []string
		for _, p := range per {
			cs := fromRecords(t, p)
			for i, c := range cs {
				newest := true
				for _, d := range cs[i+1:] {
					newest = newest && d.Flag != c.Flag
				}
				if newest && !c.Initial && c.To == "confirmed" && c.From != "fading" {
					want = append(want, c.Flag+" confirmed since "+c.Since)
				}
			}
		}
		var got []string
		formed := map[string]time.Time{} // flag → its last forming alert
		afterForming := 0
		for _, a := range r.alerts() {
			switch a.To {
			case "forming":
				formed[a.Flag] = a.At
			case "confirmed":
				got = append(got, strings.TrimPrefix(strings.SplitN(a.Message, " (", 2)[0], "capwatch: "))
				if _, ok := formed[a.Flag]; ok {
					afterForming++ // the run is 200 wall seconds: inside the old wall-time window
				}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("confirmation alerts\n got %q\nwant %q", got, want)
		}
		if afterForming == 0 {
			t.Fatalf("no confirmation after its flag's forming alert: the test exercises nothing (%d confirmations)", len(want))
		}
		// Every confirmation ran the command once.
		ran := 0
		for _, c := range r.commands {
			if strings.Contains(c[len(c)-1], " confirmed since ") {
				ran++
			}
		}
		if ran != len(want) {
			t.Fatalf("the command ran %d times for %d confirmations: %q", ran, len(want), r.commands)
		}
	})
}

// TestQuietDemoRecordsButNeverRings: alerts disabled (the demo default)
// still writes the log.
func TestQuietDemoRecordsButNeverRings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "signals-demo.jsonl")
		l := openSignalLog(t, path)
		r := runDemo(t, runOpts{log: l, wall: wallStart, steps: 100, alerts: signals.AlertOptions{Command: []string{"notify-send"}}})
		l.Close()
		if n := len(readLog(t, path)); n < 5 {
			t.Fatalf("%d log lines", n)
		}
		if len(r.Notices()) != 0 || len(r.commands) != 0 {
			t.Fatalf("quiet run rang: %v %v", r.Notices(), r.commands)
		}
	})
}

// TestLogWriteFailureReportedOnce: a signal log that cannot be written is
// reported once to the dashboard and the log; alerts still ring and the
// snapshots keep coming.
func TestLogWriteFailureReportedOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := openSignalLog(t, filepath.Join(t.TempDir(), "signals-demo.jsonl"))
		l.Close() // every write fails
		r := runDemo(t, runOpts{log: l, wall: wallStart, steps: 100, alerts: signals.AlertOptions{Enabled: true, Every: time.Nanosecond}})
		var errs, texts int
		for _, n := range r.Notices() {
			if n.Err != "" {
				errs++
				if !strings.HasPrefix(n.Err, "signal log: ") {
					t.Fatalf("error notice %q", n.Err)
				}
			}
			if n.Text != "" {
				texts++
			}
		}
		if errs != 1 || texts == 0 || len(r.snaps) < 100 {
			t.Fatalf("%d error notices, %d alerts, %d snapshots; want 1, some, every one", errs, texts, len(r.snaps))
		}
	})
}

// TestHangingCommandDoesNotBlock (fake runner): while one flag's command
// hangs, snapshots keep coming, that flag's next alert of the same kind
// starts no second command, and stopping the pipeline cancels the command
// and waits for it. Changed deliberately for QA-2 M10: the rule is one
// command per flag and kind, so a hanging forming command does not hold
// back the same flag's confirmation.
func TestHangingCommandDoesNotBlock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "signals-demo.jsonl")
		l := openSignalLog(t, path)
		var mu sync.Mutex
		started := map[string]int{} // "flag kind" → commands started
		var ended int
		hang := func(ctx context.Context, argv []string, msg string, timeout time.Duration) error {
			f := strings.Fields(msg) // capwatch: FLAG KIND …
			mu.Lock()
			started[f[1]+" "+f[2]]++
			mu.Unlock()
			<-ctx.Done() // hangs until shutdown (the timeout is the runner's business)
			mu.Lock()
			ended++
			mu.Unlock()
			return ctx.Err()
		}
		r := runDemo(t, runOpts{log: l, wall: wallStart, steps: 160, command: hang,
			alerts: signals.AlertOptions{Enabled: true, OnForming: true, Every: time.Nanosecond, Command: []string{"hang"}}})
		l.Close()
		// The history, the demo's first batch, then one per step.
		if len(r.snaps) != 162 {
			t.Fatalf("%d snapshots, want 162: a hanging command blocked the pipeline", len(r.snaps))
		}
		perKey := map[string]int{}
		for _, a := range r.alerts() {
			perKey[a.Flag+" "+a.To]++
		}
		total := 0
		mu.Lock()
		defer mu.Unlock()
		for key, n := range started {
			if n != 1 {
				t.Fatalf("%s: %d commands at once", key, n)
			}
			total += n
		}
		if total == 0 || ended != total {
			t.Fatalf("%d commands started, %d ended by the time Run returned", total, ended)
		}
		more := false
		for _, n := range perKey {
			more = more || n > 1
		}
		if !more {
			t.Fatal("no flag rang twice for one kind: the one-command-per-flag-and-kind rule was not exercised")
		}
		both := false // a confirmation's command started beside its flag's hanging forming one
		for key := range started {
			if flag, ok := strings.CutSuffix(key, " confirmed"); ok && started[flag+" forming"] > 0 {
				both = true
			}
		}
		if !both {
			t.Fatalf("no confirmation command beside its flag's hanging forming command: %v", started)
		}
		for _, n := range r.Notices() {
			if n.Err != "" {
				t.Fatalf("a command cancelled at shutdown was reported: %q", n.Err)
			}
		}
	})
}

// TestRealCommandKilledAtTimeout runs the test binary as the alert command:
// it gets the argv with the message last, a hanging one is killed at its
// timeout and reported, and the pipeline never waits for it.
func TestRealCommandKilledAtTimeout(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "argv")
	t.Setenv("CAPWATCH_HELPER_OUT", out)
	t.Setenv("CAPWATCH_HELPER", "hang")
	argv := []string{os.Args[0], "-test.run=^TestHelperProcess$", "--", "-u", "a b; $(touch x)"}

	clk := clock.NewFake(wallStart)
	f, err := demo.New(demo.Options{Seed: 1, Speed: float64(demoQuote / demoWall), QuoteInterval: demoQuote, Symbols: []string{"IWM", "SPY"}, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(pairConfig(), calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	notices := make(chan Notice, 64)
	snaps := make(chan *engine.Snapshot, 256)
	w, err := NewSignalWatch(SignalOptions{Feed: "demo", Simulated: true, Clock: clk,
		Alerts: signals.AlertOptions{Enabled: true, Command: argv, Timeout: 500 * time.Millisecond, Every: time.Nanosecond},
		Notify: func(n Notice) { notices <- n }})
	if err != nil {
		t.Fatal(err)
	}
	p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY"}, Clock: clk, Signals: w,
		OnSnapshot: func(s *engine.Snapshot) { snaps <- s }}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	ended := make(chan struct{})
	go func() { done <- p.Run(ctx); close(ended) }()
	// A deadline only, for a failure: stepping to the first confirmation
	// runs a demo day, which under -race on a loaded 2-core box took most of
	// the 20 s this once allowed.
	deadline := time.After(2 * time.Minute)
	step := func() *engine.Snapshot {
		t.Helper()
		if !clk.WaitForWaiters(1, ended) {
			t.Fatal("pipeline ended")
		}
		clk.Advance(demoWall)
		select {
		case s := <-snaps:
			return s
		case <-deadline:
			t.Fatal("no snapshot: the pipeline is blocked")
		}
		return nil
	}
	<-snaps // history
	// Step until the first confirmation rings (the next day's open).
	var alert Notice
	for alert.Text == "" {
		step()
		select {
		case n := <-notices:
			alert = n
		default:
		}
	}
	// The helper records its argv, then hangs; meanwhile snapshots flow.
	waitFile(t, out, deadline)
	for i := 0; i < 10; i++ {
		step()
	}
	// Each command appends its argv as one line; the first ones are this
	// notice's alerts (several flags may confirm on the same bar).
	b, _ := os.ReadFile(out)
	first := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")[0]
	ok := false
	for _, a := range alert.Alerts {
		ok = ok || reflect.DeepEqual(strings.Split(first, "\x1f"), []string{"-u", "a b; $(touch x)", a.Message})
	}
	if !ok {
		t.Fatalf("argv %q, want -u, \"a b; $(touch x)\" and one of the alerts' messages (no shell, message last)", strings.Split(first, "\x1f"))
	}
	for killed := false; !killed; {
		select {
		case n := <-notices:
			if n.Text != "" {
				continue // another flag confirmed meanwhile
			}
			if !strings.Contains(n.Err, "killed after 500ms") {
				t.Fatalf("notice %+v, want the kill reported", n)
			}
			killed = true
		case <-deadline:
			t.Fatal("the hanging command was not killed at its timeout")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func waitFile(t *testing.T, path string, deadline <-chan time.Time) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if st, err := os.Stat(path); err == nil && st.Size() > 0 {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%s never appeared", path)
		}
	}
}

// TestHelperProcess is not a real test: the alert command tests run the
// test binary itself as the command.
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
	if f, err := os.OpenFile(os.Getenv("CAPWATCH_HELPER_OUT"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
		f.WriteString(strings.Join(args, "\x1f") + "\n") // one write: lines of concurrent helpers do not mix
		f.Close()
	}
	if mode == "hang" {
		<-time.After(time.Hour) // until killed
	}
	os.Exit(0)
}

// BenchmarkSignalWatchObserve is the cost the signal log adds to every
// published snapshot when no flag changes (the common case).
func BenchmarkSignalWatchObserve(b *testing.B) {
	l, err := signals.Open(filepath.Join(b.TempDir(), "signals.jsonl"), 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	clk := clock.NewFake(wallStart)
	w, err := NewSignalWatch(SignalOptions{Log: l, Feed: "yahoo", Clock: clk, Alerts: signals.DefaultAlertOptions()})
	if err != nil {
		b.Fatal(err)
	}
	// Every flag evaluated at yesterday's close, a history of 300 changes.
	s := &engine.Snapshot{AsOf: wallStart}
	closed := wallStart.Add(-22 * time.Hour)
	for i, id := range engine.FlagIDs {
		s.Flags = append(s.Flags, engine.Flag{ID: id, State: engine.FlagState(i % 4), Value: engine.Some(1), Threshold: engine.Some(1),
			Closed: closed, CloseValue: engine.Some(1), CloseThreshold: engine.Some(1)})
	}
	for i := range 300 {
		d := closed.AddDate(0, 0, i-300)
		s.FlagChanges = append(s.FlagChanges, engine.FlagChange{Flag: engine.FlagIDs[i%len(engine.FlagIDs)], Date: d, Close: d, On: i%2 == 0})
	}
	w.Observe(b.Context(), s) // the initial states are recorded once
	b.ReportAllocs()
	for b.Loop() {
		w.Observe(b.Context(), s)
	}
}
