// Package doctor is `capwatch doctor`: one command a user runs when
// something looks wrong. It checks the config file, the terminal, the clock,
// each data feed (one small request), the history cache and the signal log,
// and says for each what is wrong and what to do — as a table or as JSON.
//
// Everything it needs from the outside world comes in Options (the caller
// gathers the terminal's facts, builds the feed probes, resolves the
// paths), so it is tested with fakes. All checks run at once within one
// budget (Options.Budget, 8 s by default): doctor finishes in time even
// when every host hangs. It never prints, logs or returns a key's value —
// only whether each key is set.
package doctor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/capwatch/capwatch/feeds/histcache"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/signals"
	"github.com/capwatch/capwatch/internal/termsafe"
)

// DefaultBudget bounds a whole run (the command must finish within 10 s).
const DefaultBudget = 8 * time.Second

// Level is a check's verdict.
type Level string

// Verdicts, from good to bad.
const (
	OK   Level = "ok"
	Info Level = "info" // nothing wrong; worth knowing (e.g. no config file: defaults)
	Warn Level = "warn" // works, but something should be fixed
	Fail Level = "fail" // does not work
)

// Verdict is what a check found and, if something is wrong, what to do.
type Verdict struct {
	Status Level  `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Options is everything a run needs.
type Options struct {
	Config    config.Loaded // what config.Load returned (the defaults when it failed)
	ConfigErr error         // config.Load's error, if any
	// InUse is the configuration the checks judge: Config.Config with the
	// command line's flags (--feed, --data, --pair...) applied; nil when no
	// flag changed anything. What it changes is reported as coming from the
	// command line, not from the file.
	InUse *config.Config
	// Keys lists the secrets capwatch may use and whether each is set (the
	// caller knows where they come from; values never reach this package).
	Keys     []Key
	Getenv   func(string) string
	Terminal Terminal
	Feeds    []FeedProbe
	// Uses names the probes the configured feed relies on: it works when
	// any of them works ("auto": any of its sources). Empty: it needs none
	// (demo).
	Uses      []string
	CacheDir  string // the history cache's root (histcache Options.Dir); "" when unknown
	SignalLog string // the signal log's path; "" when unknown
	Budget    time.Duration
}

// Key is one secret: where it is read from and whether it is set.
type Key struct {
	Name string `json:"name"` // e.g. "APCA_API_KEY_ID" or "feeds.stooq.api_key"
	Set  bool   `json:"set"`
}

// Terminal is what the caller found out about the terminal; Background and
// TmuxVersion may take a while (they are run within the budget).
type Terminal struct {
	TTY           bool
	Width, Height int
	Profile       string // the colour profile (colorprofile.Profile.String())
	// Background reports whether the terminal's background is dark; ok is
	// false when it could not be told (not a terminal, no answer).
	Background func(ctx context.Context) (dark, ok bool)
	// TmuxVersion runs `tmux -V`; nil outside tmux.
	TmuxVersion func(ctx context.Context) (string, error)
}

// FeedProbe is one data source to try.
type FeedProbe struct {
	Name string // "yahoo", "stooq", "alpaca", "replay"
	// Missing, if set, is why the source cannot be tried (e.g. "keys
	// missing"), with MissingFix saying what to do; Probe is not called.
	Missing, MissingFix string
	// Note is said whatever the result (e.g. "not recommended").
	Note string
	// Probe makes one small request (or a local check) and describes it.
	Probe func(ctx context.Context) (httpx.Reply, error)
	// Local, if set, is a local check (replay: reading the pair's files)
	// that gives its own verdict; Probe is not called.
	Local func(ctx context.Context) Verdict
}

// Report is the whole result (the JSON of --format json).
type Report struct {
	Config    ConfigCheck   `json:"config"`
	Terminal  TerminalCheck `json:"terminal"`
	Clock     ClockCheck    `json:"clock"`
	Feeds     []FeedCheck   `json:"feeds"`
	Cache     CacheCheck    `json:"history_cache"`
	SignalLog SignalCheck   `json:"signal_log"`
	// Feed is the configured feed; FeedWorks decides the exit code.
	Feed      string `json:"feed"`
	FeedWorks bool   `json:"feed_works"`
	Took      string `json:"took"`
}

// ConfigCheck is the config file.
type ConfigCheck struct {
	Verdict
	Path    string    `json:"path"`   // "" when none is read
	Source  string    `json:"source"` // --config, $CAPWATCH_CONFIG, the default path
	Found   bool      `json:"found"`
	Mode    string    `json:"mode,omitempty"` // e.g. "0600"
	Changed []Setting `json:"changed"`        // the settings that differ from the defaults (file and environment)
	// CommandLine lists the settings the command line's flags changed
	// (e.g. --feed replay): they are not in the file.
	CommandLine []Setting `json:"command_line"`
	Keys        []Key     `json:"keys"`
}

// Setting is a config key that differs from its default. A secret's value
// is never given.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value,omitempty"`
	Secret bool   `json:"secret,omitempty"`
}

// TerminalCheck is the terminal.
type TerminalCheck struct {
	Verdict
	TTY         bool   `json:"tty"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Profile     string `json:"color_profile"`
	Term        string `json:"term"`
	ColorTerm   string `json:"colorterm,omitempty"`
	Tmux        bool   `json:"tmux"`
	TmuxVersion string `json:"tmux_version,omitempty"`
	NoColor     bool   `json:"no_color"`
	Background  string `json:"background"` // dark, light or unknown
}

// ClockCheck compares the local clock with a server's Date header.
type ClockCheck struct {
	Verdict
	Against string   `json:"against,omitempty"`        // the feed whose Date header was used
	Offset  *float64 `json:"offset_seconds,omitempty"` // local minus server (± 1 s: Date has whole seconds)
}

// FeedCheck is one data source.
type FeedCheck struct {
	Verdict
	Name       string `json:"name"`
	Used       bool   `json:"used"` // the configured feed relies on it
	LatencyMS  *int64 `json:"latency_ms,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
	Problem    string `json:"problem,omitempty"` // the failure's class: network, unreachable, timeout, rate-limited, challenge...

	date time.Time // the reply's Date header
	sent time.Time
	lat  time.Duration
}

// CacheCheck is the history cache.
type CacheCheck struct {
	Verdict
	histcache.Summary
}

// SignalCheck is the signal log.
type SignalCheck struct {
	Verdict
	Path     string `json:"path"`
	Exists   bool   `json:"exists"`
	Writable bool   `json:"writable"`
	Lines    int    `json:"lines"`
	// Locked: a capwatch (a dashboard) records the log now — LockedBy its
	// pid (0 when unknown). Another dashboard on the same log records
	// nothing until it quits.
	Locked   bool `json:"locked"`
	LockedBy int  `json:"locked_by"`
}

// Run runs every check at once within the budget and returns the report.
func Run(ctx context.Context, o Options) Report {
	if o.Budget <= 0 {
		o.Budget = DefaultBudget
	}
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, o.Budget)
	defer cancel()
	inUse := o.Config.Config
	if o.InUse != nil {
		inUse = *o.InUse
	}
	r := Report{Feed: inUse.Feed, Feeds: make([]FeedCheck, len(o.Feeds))}
	var g errgroup.Group
	g.Go(func() error { r.Config = checkConfig(o); return nil })
	g.Go(func() error { r.Terminal = checkTerminal(ctx, o); return nil })
	g.Go(func() error { r.Cache = checkCache(o.CacheDir); return nil })
	g.Go(func() error { r.SignalLog = checkSignalLog(o.SignalLog); return nil })
	for i, p := range o.Feeds {
		g.Go(func() error { r.Feeds[i] = checkFeed(ctx, p, o.Budget, used(o.Uses, p.Name)); return nil })
	}
	_ = g.Wait() // checks report through r
	r.Clock = checkClock(r.Feeds)
	r.FeedWorks = feedWorks(o, r)
	r.Took = time.Since(start).Round(time.Millisecond).String()
	return r
}

func used(uses []string, name string) bool {
	for _, u := range uses {
		if u == name {
			return true
		}
	}
	return false
}

// feedWorks: the config loaded and the configured feed has a source that
// works (or needs none).
func feedWorks(o Options, r Report) bool {
	if o.ConfigErr != nil {
		return false
	}
	if len(o.Uses) == 0 {
		return true
	}
	for _, f := range r.Feeds {
		if f.Used && (f.Status == OK || f.Status == Warn) {
			return true
		}
	}
	return false
}

// withBudget runs fn and gives up waiting when ctx ends first (a probe
// that ignores its context cannot hold the command up).
func withBudget[T any](ctx context.Context, fn func(context.Context) T) (T, bool) {
	ch := make(chan T, 1)
	go func() { ch <- fn(ctx) }()
	select {
	case v := <-ch:
		return v, true
	case <-ctx.Done():
		var zero T
		return zero, false
	}
}

// checkConfig reports the file, its permissions, what differs from the
// defaults and which keys are set.
func checkConfig(o Options) ConfigCheck {
	l := o.Config
	c := ConfigCheck{Path: l.Path, Source: l.Source.String(), Found: l.Found, Changed: []Setting{}, CommandLine: []Setting{}, Keys: o.Keys}
	if c.Keys == nil {
		c.Keys = []Key{}
	}
	if l.Found {
		if st, err := os.Stat(l.Path); err == nil {
			c.Mode = fmt.Sprintf("%04o", st.Mode().Perm())
		}
	}
	switch {
	case o.ConfigErr != nil:
		c.Verdict = Verdict{Fail, line(o.ConfigErr.Error()),
			"fix the file (`capwatch config init --force` writes a fresh one and keeps the old as .bak)"}
		return c
	case !l.Found && l.Path == "":
		c.Verdict = Verdict{Info, "no config file: the built-in defaults apply", "`capwatch config init` writes a documented one"}
	case len(l.Warns) > 0:
		c.Verdict = Verdict{Warn, line(strings.Join(l.Warns, "; ")), "chmod 600 " + l.Path}
	default:
		c.Verdict = Verdict{OK, "read " + l.Path, ""}
	}
	c.Changed = diff("", reflect.ValueOf(l.Config), reflect.ValueOf(config.Default()))
	if o.InUse != nil {
		c.CommandLine = diff("", reflect.ValueOf(*o.InUse), reflect.ValueOf(l.Config))
	}
	if n := len(c.Changed); n > 0 && c.Status == OK {
		c.Detail += fmt.Sprintf(" (%d setting%s differ%s from the defaults)", n, map[bool]string{true: "s"}[n > 1], map[bool]string{false: "s"}[n > 1])
	}
	return c
}

// diff lists the leaves (by TOML key) where v differs from def. Secrets
// (config.Secret) give no value.
func diff(prefix string, v, def reflect.Value) []Setting {
	out := []Setting{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("toml"), ",")[0]
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		key := tag
		if prefix != "" {
			key = prefix + "." + tag
		}
		fv, dv := v.Field(i), def.Field(i)
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Time{}) {
			out = append(out, diff(key, fv, dv)...)
			continue
		}
		if reflect.DeepEqual(fv.Interface(), dv.Interface()) {
			continue
		}
		if f.Type == reflect.TypeOf(config.Secret("")) {
			out = append(out, Setting{Key: key, Secret: true})
			continue
		}
		out = append(out, Setting{Key: key, Value: line(fmt.Sprint(fv.Interface()))})
	}
	return out
}

// checkTerminal reports the terminal's size, colours, tmux and background.
func checkTerminal(ctx context.Context, o Options) TerminalCheck {
	t := o.Terminal
	c := TerminalCheck{TTY: t.TTY, Width: t.Width, Height: t.Height, Profile: t.Profile,
		Term: line(o.Getenv("TERM")), ColorTerm: line(o.Getenv("COLORTERM")),
		Tmux: o.Getenv("TMUX") != "", NoColor: o.Getenv("NO_COLOR") != "", Background: "unknown"}
	var wg sync.WaitGroup
	if t.Background != nil && t.TTY {
		wg.Go(func() {
			if bg, ok := withBudget(ctx, func(ctx context.Context) [2]bool {
				d, ok := t.Background(ctx)
				return [2]bool{d, ok}
			}); ok && bg[1] {
				c.Background = map[bool]string{true: "dark", false: "light"}[bg[0]]
			}
		})
	}
	if t.TmuxVersion != nil && c.Tmux {
		wg.Go(func() {
			type res struct {
				v   string
				err error
			}
			if v, ok := withBudget(ctx, func(ctx context.Context) res {
				s, err := t.TmuxVersion(ctx)
				return res{s, err}
			}); ok && v.err == nil {
				c.TmuxVersion = line(strings.TrimSpace(v.v))
			}
		})
	}
	wg.Wait()
	var warns, fixes, hints []string
	switch {
	case !c.TTY:
		c.Verdict = Verdict{Info, "not a terminal (output is redirected): the dashboard needs one", ""}
		return c
	case c.Width < 80 || c.Height < 23:
		warns = append(warns, fmt.Sprintf("%d×%d is smaller than 80×23, the smallest full layout", c.Width, c.Height))
		fixes = append(fixes, "enlarge the pane (tmux: resize-pane) or zoom a panel")
	}
	if c.NoColor {
		// Honoured: the dashboard uses symbols and words, never colour alone.
	} else if c.Profile == "Ascii" || c.Profile == "NoTTY" {
		warns = append(warns, "no colours detected (TERM="+orNone(c.Term)+")")
		fixes = append(fixes, "set TERM to xterm-256color (tmux: tmux-256color)")
	} else if c.Tmux && c.Profile != "TrueColor" && c.ColorTerm == "" {
		hints = append(hints, "for true colour in tmux add set -as terminal-features ',*:RGB' to ~/.tmux.conf")
	}
	detail := fmt.Sprintf("%d×%d, %s colours, TERM=%s", c.Width, c.Height, c.Profile, orNone(c.Term))
	if c.Tmux {
		detail += ", inside " + orNone(c.TmuxVersion)
	}
	if c.NoColor {
		detail += ", NO_COLOR set"
	}
	detail += ", " + c.Background + " background"
	switch {
	case len(warns) > 0:
		c.Verdict = Verdict{Warn, detail + ": " + strings.Join(warns, "; "), strings.Join(append(fixes, hints...), "; ")}
	case len(hints) > 0:
		c.Verdict = Verdict{Info, detail, strings.Join(hints, "; ")}
	default:
		c.Verdict = Verdict{OK, detail, ""}
	}
	return c
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// checkFeed tries one source within the budget.
func checkFeed(ctx context.Context, p FeedProbe, budget time.Duration, use bool) FeedCheck {
	c := FeedCheck{Name: p.Name, Used: use}
	if p.Missing != "" {
		c.Verdict = Verdict{Fail, p.Missing, p.MissingFix}
		if !use {
			c.Status = Info // not needed by the configured feed
		}
		return c
	}
	if p.Local != nil {
		v, done := withBudget(ctx, p.Local)
		if !done {
			v = Verdict{Fail, fmt.Sprintf("not checked within %v", budget), "a slow disk or a very large directory: run doctor again"}
		}
		c.Verdict = v
		if c.Status == Fail {
			c.Problem = "data"
		}
		return c
	}
	type res struct {
		r   httpx.Reply
		err error
	}
	v, done := withBudget(ctx, func(ctx context.Context) res {
		r, err := p.Probe(ctx)
		return res{r, err}
	})
	if !done {
		v.err = &httpx.Error{Source: p.Name, Kind: httpx.KindTimeout, Timeout: budget}
	}
	c.HTTPStatus, c.date, c.sent, c.lat = v.r.Status, v.r.Date, v.r.Sent, v.r.Latency
	if v.r.Latency > 0 {
		ms := v.r.Latency.Milliseconds()
		c.LatencyMS = &ms
	}
	c.Verdict = feedVerdict(p.Name, v.err)
	if c.Status == OK {
		c.Detail = "answers"
		if c.LatencyMS != nil {
			c.Detail += fmt.Sprintf(" in %d ms", *c.LatencyMS)
		}
		if c.HTTPStatus != 0 {
			c.Detail += fmt.Sprintf(" (HTTP %d)", c.HTTPStatus)
		}
	} else {
		c.Problem = httpx.KindOf(v.err).String()
	}
	if p.Note != "" {
		c.Detail += "; " + p.Note
		if c.Status == OK {
			c.Status = Warn
		}
	}
	return c
}

// feedVerdict says what a probe's error means and what to do.
func feedVerdict(name string, err error) Verdict {
	if err == nil {
		return Verdict{Status: OK}
	}
	msg := line(httpx.MessageOf(err))
	var he *httpx.Error
	errors.As(err, &he)
	switch httpx.KindOf(err) {
	case httpx.KindUnreachable:
		if strings.Contains(msg, "no such host") {
			return Verdict{Fail, msg, "check the internet connection and DNS, or the base_url in the config"}
		}
		return Verdict{Fail, msg, "check the base_url (or --base-url), a proxy or a firewall"}
	case httpx.KindNetwork:
		return Verdict{Fail, msg, "check the internet connection; capwatch retries by itself"}
	case httpx.KindTimeout:
		return Verdict{Fail, msg, "the service or the network hangs: try again later, or use another feed"}
	case httpx.KindRateLimited:
		// It does not work now: no data comes back until the wait is over
		// (capwatch waits by itself; a blanket 429 is an outage).
		fix := "wait before asking again"
		if he != nil && he.HasRetryAfter {
			fix = fmt.Sprintf("wait %v (the service's Retry-After) and run doctor again; fewer symbols or a slower poll help", he.RetryAfter.Round(time.Second))
		}
		return Verdict{Fail, msg, fix}
	case httpx.KindServer:
		return Verdict{Fail, msg, "the service has a problem: try again later, or use another feed"}
	case httpx.KindChallenge:
		return Verdict{Fail, msg, "use --feed alpaca or yahoo (capwatch does not solve browser checks)"}
	case httpx.KindHTML:
		return Verdict{Fail, msg, "a consent or block page: use another feed (feed = \"auto\")"}
	case httpx.KindClient:
		if he != nil && (he.Status == 401 || he.Status == 403) {
			return Verdict{Fail, msg, "the keys were refused: check them (only whether each is set is shown above)"}
		}
		return Verdict{Fail, msg, "check the base_url in the config"}
	case httpx.KindNotFound, httpx.KindNoData:
		return Verdict{Fail, msg, "check the base_url in the config"}
	case httpx.KindCanceled:
		return Verdict{Fail, "not checked (cancelled)", ""}
	}
	return Verdict{Fail, msg, ""}
}

// Clock limits: beyond these the local clock is off enough to matter
// (session countdowns, data ages, stale marks).
const (
	clockWarn = 5 * time.Second
	clockFail = 2 * time.Minute
)

// checkClock compares the local clock with the first Date header found.
func checkClock(fs []FeedCheck) ClockCheck {
	for _, f := range fs {
		if f.date.IsZero() || f.sent.IsZero() {
			continue
		}
		// The server stamped its reply between sending and receiving: take
		// the middle of the request as local time.
		local := f.sent.Add(f.lat / 2)
		off := local.Sub(f.date).Seconds()
		off = math.Round(off*10) / 10
		c := ClockCheck{Against: f.Name, Offset: &off}
		d := time.Duration(math.Abs(off) * float64(time.Second))
		how := "ahead of"
		if off < 0 {
			how = "behind"
		}
		detail := fmt.Sprintf("local clock %.1f s %s %s's (Date header, ±1 s)", math.Abs(off), how, f.Name)
		switch {
		case d >= clockFail:
			c.Verdict = Verdict{Fail, detail, "sync the clock (e.g. timedatectl set-ntp true): sessions and data ages depend on it"}
		case d >= clockWarn:
			c.Verdict = Verdict{Warn, detail, "enable network time sync"}
		default:
			c.Verdict = Verdict{OK, detail, ""}
		}
		return c
	}
	return ClockCheck{Verdict: Verdict{Info, "not checked: no server answered with a Date header", ""}}
}

// checkCache summarises the history cache.
func checkCache(dir string) CacheCheck {
	if dir == "" {
		return CacheCheck{Verdict: Verdict{Info, "no cache directory (os.UserCacheDir is unknown): history is downloaded each time", ""}}
	}
	s, err := histcache.Inspect(dir)
	c := CacheCheck{Summary: s}
	if err != nil {
		c.Verdict = Verdict{Warn, line("cannot read " + s.Dir + ": " + err.Error()), "check its permissions, or delete it (it is rebuilt)"}
		return c
	}
	var parts, damaged []string
	for _, f := range s.Feeds {
		p := fmt.Sprintf("%s %d symbol%s", f.Feed, f.Symbols, plural(f.Symbols))
		if !f.Oldest.IsZero() {
			p += fmt.Sprintf(" %s…%s", f.Oldest.Format(time.DateOnly), f.Newest.Format(time.DateOnly))
		}
		parts = append(parts, p)
		for _, d := range f.Damaged {
			damaged = append(damaged, f.Feed+"/"+d)
		}
	}
	if len(parts) == 0 {
		c.Verdict = Verdict{Info, s.Dir + ": empty (filled on the first start with yahoo, stooq or auto)", ""}
		return c
	}
	detail := fmt.Sprintf("%s: %s, %s", s.Dir, size(s.Bytes), strings.Join(parts, "; "))
	if len(damaged) > 0 {
		sort.Strings(damaged)
		c.Verdict = Verdict{Warn, detail + "; damaged: " + line(strings.Join(damaged, ", ")),
			"nothing to do: damaged files are discarded and downloaded again on the next start"}
		return c
	}
	c.Verdict = Verdict{OK, detail, ""}
	return c
}

func size(b int64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%d B", b)
}

// checkSignalLog reports where the signal log is, whether capwatch can
// append to it (without writing anything) and how many lines it has.
func checkSignalLog(path string) SignalCheck {
	c := SignalCheck{Path: path}
	if path == "" {
		c.Verdict = Verdict{Warn, "no state directory is known: signals are not recorded", "use --signal-log PATH or alerts.signal_log"}
		return c
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		c.Exists = true
		c.Lines = strings.Count(string(data), "\n")
		f, werr := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if werr == nil {
			f.Close()
			c.Writable = true
		}
	case errors.Is(err, fs.ErrNotExist):
		c.Writable = dirWritable(path)
	default:
		c.Verdict = Verdict{Fail, line(err.Error()), "check the file's permissions"}
		return c
	}
	if pid, held, err := signals.Holder(path); err == nil && held {
		c.Locked, c.LockedBy = true, pid
	}
	switch {
	case !c.Writable:
		c.Verdict = Verdict{Warn, path + ": cannot be written, so flag changes are not recorded", "check the permissions of the file and its directory"}
	case !c.Exists:
		c.Verdict = Verdict{Info, path + ": not created yet (the first flag change creates it)", ""}
	case c.Locked:
		who := "a capwatch"
		if c.LockedBy > 0 {
			who += fmt.Sprintf(" (pid %d)", c.LockedBy)
		}
		c.Verdict = Verdict{OK, fmt.Sprintf("%s: %d line%s, writable; recorded now by %s — another dashboard on it records nothing (and does not run alerts.command) until that one quits", path, c.Lines, plural(c.Lines), who), ""}
	default:
		c.Verdict = Verdict{OK, fmt.Sprintf("%s: %d line%s, writable", path, c.Lines, plural(c.Lines)), ""}
	}
	return c
}

// dirWritable reports whether a file could be created beside path (its
// directory, or the nearest existing one above it — capwatch creates the
// rest): a temporary file is created and removed.
func dirWritable(path string) bool {
	dir := filepath.Dir(path)
	for {
		st, err := os.Stat(dir)
		if err == nil {
			if !st.IsDir() {
				return false
			}
			f, err := os.CreateTemp(dir, ".capwatch-doctor-*")
			if err != nil {
				return false
			}
			name := f.Name()
			f.Close()
			os.Remove(name)
			return true
		}
		up := filepath.Dir(dir)
		if up == dir {
			return false
		}
		dir = up
	}
}

// line makes outside text one clean terminal line.
func line(s string) string { return termsafe.Line(s, 300) }

// plural is the ending of a noun counted n: "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
