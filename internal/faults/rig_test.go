package faults_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/feeds/yahoo"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/dashboard"
	"github.com/capwatch/capwatch/internal/faults"
	"github.com/capwatch/capwatch/tui"
)

// t0 is Tuesday 2026-11-24 10:15 New York: the regular session is open.
var t0 = time.Date(2026, 11, 24, 10, 15, 0, 0, calendar.Location())

const (
	pollOpen = 15 * time.Second // the feed's poll interval in the session
	staleAt  = 2 * pollOpen     // the dashboard marks data older than this stale
	deadline = 10 * time.Second // real-time bound on every wait (never a sleep)
	screenW  = 240              // wide enough that the status line (its reason) is never cut
	screenH  = 40
)

// rig runs the whole chain on a fake clock: fault server → yahoo adapter →
// the production wiring (dashboard.New: app.Pipeline → engine → messages →
// tui.Model) (Update, View). The test
// goroutine is the bubbletea loop: it applies each message and renders.
type rig struct {
	t    *testing.T
	clk  *clock.Fake
	srv  *faults.Server
	syms []string
	msgs chan tea.Msg

	model  tea.Model
	raw    string // last View().Content
	screen string // its text (escape sequences stripped)

	// What the test knows independently of the dashboard.
	status   feeds.Status
	statuses int       // StatusMsgs applied
	due      time.Time // when the poller polls next
	asOf     time.Time // newest data time in the last snapshot
	dataTime map[string]time.Time
	last     map[string]float64 // last price per symbol in the last snapshot
	delayed  map[string]bool    // per symbol: the last snapshot marks its quote delayed
	errs     map[string]string  // per symbol: the last snapshot's error message
	session  string             // the last snapshot's session state
	bad      map[string]bool    // symbols whose replies carry bad prices
	frames   int
}

type rigOptions struct {
	timeout time.Duration // per request (real time; default 5 s)
	extras  []string
	setup   func(*faults.Server) // before the pipeline starts (history included)
	start   time.Time            // the fake clock's start (default t0)
	onReq   func(string, faults.Mode)
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	if o.timeout == 0 {
		o.timeout = 5 * time.Second
	}
	cfg := engine.DefaultConfig()
	cfg.Extras, cfg.Sectors = []string{"QQQ"}, nil
	if o.extras != nil {
		cfg.Extras = o.extras
	}
	syms := cfg.Symbols()
	if o.start.IsZero() {
		o.start = t0
	}
	clk := clock.NewFake(o.start)
	srv, err := faults.New(faults.Options{Symbols: syms, Now: clk.Now, OnRequest: o.onReq})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close) // runs after the pipeline has stopped (cleanups are LIFO)
	if o.setup != nil {
		o.setup(srv)
	}
	feed, err := yahoo.New(yahoo.Options{FeedOptions: httpx.FeedOptions{BaseURL: srv.URL(), Client: srv.Client(), Clock: clk,
		PollOpen: pollOpen, RatePerSec: 1000, Burst: 100, Timeout: o.timeout, Rand: func() float64 { return 0.5 }}})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(cfg, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, clk: clk, srv: srv, syms: syms, msgs: make(chan tea.Msg, 256),
		dataTime: map[string]time.Time{}, last: map[string]float64{}, delayed: map[string]bool{}, errs: map[string]string{}, bad: map[string]bool{}}
	ctx, cancel := context.WithCancel(context.Background())
	send := func(m tea.Msg) {
		select {
		case r.msgs <- m:
		case <-ctx.Done():
		}
	}
	// The production wiring (cmd/capwatch runs the same dashboard.New
	// through dashboard.Run); the test goroutine is the program's loop.
	dcfg := config.Default()
	dcfg.Feed, dcfg.Poll.Open = config.FeedYahoo, pollOpen
	d, err := dashboard.New(ctx, dashboard.Options{Feed: feed, Engine: eng, Config: dcfg, Symbols: syms, Clock: clk, NoColor: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.RunPipeline(ctx, send) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("pipeline: %v", err)
			}
		case <-time.After(deadline):
			t.Error("pipeline did not stop")
		}
	})
	r.model = d.Model
	r.model, _ = r.model.Update(tea.WindowSizeMsg{Width: screenW, Height: screenH})
	return r
}

// apply runs one message through Update, renders, and checks the
// invariants that hold on every frame.
func (r *rig) apply(m tea.Msg) {
	r.t.Helper()
	switch m := m.(type) {
	case tui.StatusMsg:
		r.checkText("feed status", m.Status.LastError)
		r.status = m.Status
		r.statuses++
		r.due = m.Status.NextRetry
		if r.due.IsZero() {
			r.due = r.clk.Now().Add(m.Status.Interval)
		}
	case tui.SnapshotMsg:
		r.asOf = m.Snap.AsOf
		r.session = m.Snap.Session.State
		for _, s := range m.Snap.Symbols {
			r.dataTime[s.Symbol] = s.DataTime
			r.delayed[s.Symbol] = s.Delayed
			if v, ok := s.Last.Get(); ok {
				r.last[s.Symbol] = v
			} else {
				delete(r.last, s.Symbol)
			}
		}
		clear(r.errs)
		for _, e := range m.Snap.Errors {
			r.checkText("snapshot error", e.Symbol+" "+e.Message)
			r.errs[e.Symbol] = e.Message
		}
	}
	r.model, _ = r.model.Update(m) // commands (ticks, bells) are not run: time is the fake clock's
	v := r.model.View()
	r.raw = v.Content
	r.screen = ansi.Strip(v.Content)
	r.frames++
	r.invariants()
}

// checkText fails on anything a terminal would interpret in a string meant
// for display: ESC, other C0 controls, C1 controls, bidi overrides.
func (r *rig) checkText(what, s string) {
	r.t.Helper()
	if bad := hostile(s, false); bad != "" {
		r.t.Fatalf("%s contains %s: %q", what, bad, s)
	}
}

// hostile names the first terminal-active character in s ("" if none).
// Newlines are allowed in screens.
func hostile(s string, newlines bool) string {
	for _, c := range s {
		switch {
		case c == '\n' && newlines:
		case c == 0x1b:
			return "ESC"
		case c < 0x20 || c == 0x7f:
			return fmt.Sprintf("control %U", c)
		case c >= 0x80 && c <= 0x9f:
			return fmt.Sprintf("C1 control %U", c)
		case (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c:
			return fmt.Sprintf("bidi control %U", c)
		case c == unicode.ReplacementChar:
		}
	}
	return ""
}

// sgrRE matches SGR sequences; attrSGR lists the parameters NoColor styles use.
var sgrRE = regexp.MustCompile(`\x1b\[([0-9;]*)m`)

var attrSGR = map[string]bool{"": true, "0": true, "1": true, "2": true, "3": true, "4": true, "7": true, "9": true,
	"22": true, "23": true, "24": true, "27": true, "29": true}

// stripAttrSGR removes SGR sequences whose every parameter is a text
// attribute (no colour: NoColor styles never set one), leaving any other
// escape in place for hostile to find.
func stripAttrSGR(s string) string {
	return sgrRE.ReplaceAllStringFunc(s, func(seq string) string {
		for _, p := range strings.Split(sgrRE.FindStringSubmatch(seq)[1], ";") {
			if !attrSGR[p] {
				return seq
			}
		}
		return ""
	})
}

// ageRE reads the status line's data time and age: "data 10:15:00 EST ·
// 15s old", or with the date when the data is not from today ("data Mon Nov
// 23 16:00 EST · 18h15m old", "data 2024-06-03 16:00 EDT · …").
var ageRE = regexp.MustCompile(`data (?:\d\d:\d\d:\d\d|(?:[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d|\d{4}-\d\d-\d\d) \d\d:\d\d) [A-Z]{3,4} · (\S+) old`)

// invariants hold on every frame, whatever the feed does.
func (r *rig) invariants() {
	r.t.Helper()
	// Rendered with NoColor, the styles emit only attribute SGRs (bold,
	// faint, reverse...); anything else with an ESC came from the feed.
	if bad := hostile(stripAttrSGR(r.raw), true); bad != "" {
		r.t.Fatalf("frame %d: View().Content contains %s:\n%q", r.frames, bad, r.raw)
	}
	if r.asOf.IsZero() {
		return
	}
	// During the session the stale marker shows exactly when the newest
	// data is older than twice the poll interval (the feed's current one
	// when longer). The model's clock is r.clk: only this goroutine moves it.
	limit := 2 * max(pollOpen, r.status.Interval)
	age := r.clk.Now().Sub(r.asOf)
	stale := strings.Contains(r.screen, "STALE")
	if want := age > limit; r.session == "open" && stale != want {
		r.fatalf("data %v old (limit %v): STALE shown %v, want %v", age, limit, stale, want)
	}
	if m := ageRE.FindStringSubmatch(r.screen); m == nil {
		r.fatalf("no data age in the status line")
	} else if want := fmtAge(age); m[1] != want {
		r.fatalf("data age shown %q, want %q", m[1], want)
	}
	// Each quote row: the last price is a positive number the server sent,
	// and the age column is marked "!" exactly when that symbol's data is
	// older than twice the poll interval ("d" when not stale but delayed).
	for _, sym := range r.syms {
		row, ok := r.quoteRow(sym)
		if !ok {
			r.fatalf("no quote row for %s", sym)
		}
		f := strings.Fields(row)
		if len(f) < 3 {
			r.fatalf("quote row %q", row)
		}
		lastTxt, ageTxt := f[1], f[len(f)-1]
		if p, ok := r.last[sym]; ok {
			if p <= 0 {
				r.fatalf("engine holds a non-positive last price %v for %s", p, sym)
			}
			if lastTxt != fmt.Sprintf("%.2f", p) {
				r.fatalf("%s last shown %q, engine %v", sym, lastTxt, p)
			}
		}
		if v, err := strconv.ParseFloat(lastTxt, 64); err == nil && (v <= 0 || lastTxt == "0.00") {
			r.fatalf("%s shows the bad price %q", sym, lastTxt)
		}
		dt := r.dataTime[sym]
		if dt.IsZero() {
			continue
		}
		symAge := r.clk.Now().Sub(dt)
		want := fmtAge(symAge)
		if symAge > limit {
			want += "!"
		} else if r.delayed[sym] {
			want += "d"
		}
		if ageTxt != want && r.session == "open" {
			r.fatalf("%s age column %q, want %q", sym, ageTxt, want)
		}
	}
}

// quoteRow returns the text of sym's row in the quotes panel (the panel's
// columns only: it sits to the right of the chart).
func (r *rig) quoteRow(sym string) (string, bool) {
	t, _, ok := r.quoteRowMarked(sym)
	return t, ok
}

// quoteRowMarked is quoteRow, and whether the row is marked ✖ (the symbol
// has an error in the snapshot).
func (r *rig) quoteRowMarked(sym string) (row string, marked, ok bool) {
	col := -1
	for _, l := range strings.Split(r.screen, "\n") {
		rl := []rune(l)
		if col < 0 {
			if i := strings.Index(l, "╭─ Quotes by"); i >= 0 {
				col = len([]rune(l[:i]))
			}
			continue
		}
		if col >= len(rl) {
			continue
		}
		t := strings.Trim(strings.TrimSpace(string(rl[col:])), "│")
		if f := strings.Fields(t); len(f) > 0 && f[0] == sym {
			if marked = len(f) > 1 && f[1] == "✖"; marked { // the symbol has an error (listed under the table)
				t = strings.Replace(t, " ✖", "", 1)
			}
			return t, marked, true
		}
	}
	return "", false, false
}

// fmtAge is the age format users read (independent of tui's code): seconds
// under a minute, then minutes and two-digit seconds, then hours and
// two-digit minutes (no test runs for two days).
func fmtAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
}

// fatalf fails with the status line and the quote rows of the last frame.
func (r *rig) fatalf(format string, args ...any) {
	r.t.Helper()
	lines := []string{strings.TrimSpace(strings.SplitN(r.screen, "\n", 2)[0])}
	for _, s := range r.syms {
		row, _ := r.quoteRow(s)
		lines = append(lines, row)
	}
	r.t.Fatalf("at %s (frame %d, status %d %v %q): %s\nscreen:\n%s", r.clk.Now().Format("15:04:05"), r.frames,
		r.statuses, r.status.State, r.status.LastError, fmt.Sprintf(format, args...), strings.Join(lines, "\n"))
}

// waitFor applies messages until cond holds on the rendered frame.
func (r *rig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	if r.frames > 0 && cond() {
		return
	}
	timeout := time.After(deadline)
	for {
		select {
		case m := <-r.msgs:
			r.apply(m)
			if cond() {
				return
			}
		case <-timeout:
			r.fatalf("timed out waiting for %s", what)
		}
	}
}

// settle applies every message until the poll that brought status number
// n has been applied (its status and the snapshot built from it), i.e.
// until at least n statuses were seen and cond holds.
func (r *rig) afterPoll(n int, what string, cond func() bool) {
	r.t.Helper()
	r.waitFor(what, func() bool { return r.statuses >= n && cond() })
}

// advance moves the fake clock by d once the poller and the pipeline's
// ticker are both waiting on it (waiters timers), so no timer is missed.
func (r *rig) advance(d time.Duration, waiters int) {
	r.t.Helper()
	stop := make(chan struct{})
	tm := time.AfterFunc(deadline, func() { close(stop) })
	defer tm.Stop()
	if !r.clk.WaitForWaiters(waiters, stop) {
		r.fatalf("timed out waiting for %d timers on the fake clock (have %d)", waiters, r.clk.Waiters())
	}
	r.clk.Advance(d)
}

// poll moves the clock to the poller's next poll and returns the number the
// status of that poll will have.
func (r *rig) poll() int {
	r.t.Helper()
	return r.pollAfter(0)
}

// pollAfter is poll, but moves the clock by at least d: the poll comes late.
func (r *rig) pollAfter(d time.Duration) int {
	r.t.Helper()
	n := r.statuses + 1
	r.advance(max(r.due.Sub(r.clk.Now()), d, 0), 2)
	return n
}

// price formats what the dashboard must show for sym at time t (the
// server's deterministic price of that minute).
func price(sym string, t time.Time) string {
	return fmt.Sprintf("%.2f", faults.Price(sym, t.Truncate(time.Minute)))
}

// fresh reports whether every symbol in syms shows the price of the
// current minute with its data time at now (Yahoo stamps quotes in whole
// seconds).
func (r *rig) fresh(syms ...string) bool {
	for _, s := range syms {
		row, ok := r.quoteRow(s)
		if !ok || !r.dataTime[s].Equal(r.clk.Now().Truncate(time.Second)) {
			return false
		}
		if f := strings.Fields(row); len(f) < 2 || f[1] != price(s, r.clk.Now()) {
			return false
		}
	}
	return true
}

func (r *rig) shows(s string) bool { return strings.Contains(r.screen, s) }
