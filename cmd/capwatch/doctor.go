package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/capwatch/capwatch/feeds/alpaca"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/feeds/replay"
	"github.com/capwatch/capwatch/feeds/stooq"
	"github.com/capwatch/capwatch/feeds/yahoo"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/doctor"
	"github.com/capwatch/capwatch/internal/termsafe"
)

// Doctor's request limits: a reply must start within probeAnswer and end
// within probeTimeout; the whole run has doctor.DefaultBudget (8 s).
const (
	probeAnswer  = 5 * time.Second
	probeTimeout = 6 * time.Second
)

// cmdDoctor handles `capwatch doctor [--format table|json] [flags]`: it
// takes the data and configuration flags of the other commands (--feed,
// --data, --pair, --config...), reports what works and what to do about what
// does not, and exits 0 when the configured feed works, 1 otherwise. A
// config file that cannot be read is reported (the other checks run on the
// defaults).
func cmdDoctor(ctx context.Context, args []string, stdout, stderr io.Writer, e env) error {
	c := &command{name: "doctor", stdout: stdout, stderr: stderr, e: e, set: map[string]bool{}}
	fs, usage := commandFlags("doctor", &c.f)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return errHandled
		}
		return flagError(fs, err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (see capwatch doctor --help)", fs.Arg(0))
	}
	if c.f.version {
		fmt.Fprintln(stdout, versionString())
		return errHandled
	}
	fs.Visit(func(fl *flag.Flag) { c.set[fl.Name] = true })
	l, cerr := config.Load(c.f.config, e.Getenv, e.ConfigDir)
	if cerr != nil {
		l.Config = config.Default() // check the rest as capwatch would run without the file
	}
	c.cfg = l.Config
	if err := c.applyFlags(); err != nil {
		return err
	}
	if err := c.openLog(); err != nil {
		return err
	}
	defer c.close()

	o := doctor.Options{Config: l, ConfigErr: cerr, InUse: &c.cfg, Getenv: e.Getenv, Budget: e.DoctorBudget,
		Keys: doctorKeys(c.cfg, e.Getenv)}
	if e.Terminal != nil {
		o.Terminal = e.Terminal()
	}
	o.Feeds, o.Uses = doctorFeeds(c)
	if e.CacheDir != "" {
		o.CacheDir = filepath.Join(e.CacheDir, "capwatch")
	}
	if p, err := signalLogPath(c.cfg, "", e); err == nil {
		o.SignalLog = p
	}
	r := doctor.Run(ctx, o)
	for _, f := range r.Feeds {
		c.log.Info("doctor: feed", "feed", f.Name, "status", f.Status, "detail", f.Detail, "used", f.Used)
	}
	c.log.Info("doctor", "config", r.Config.Status, "terminal", r.Terminal.Status, "clock", r.Clock.Status,
		"cache", r.Cache.Status, "signal_log", r.SignalLog.Status, "feed", r.Feed, "feed_works", r.FeedWorks, "took", r.Took)
	var err error
	if c.f.format == "json" {
		err = doctor.WriteJSON(stdout, r)
	} else {
		err = doctor.WriteTable(stdout, r, o.Terminal.Width)
	}
	if err != nil {
		return fmt.Errorf("doctor: write: %w", err)
	}
	if !r.FeedWorks {
		if cerr != nil {
			return fmt.Errorf("doctor: the config file cannot be used: %s", cerr)
		}
		return fmt.Errorf("doctor: the configured feed (%s) does not work", r.Feed)
	}
	return nil
}

// doctorKeys says which keys are set, never their values.
func doctorKeys(cfg config.Config, getenv func(string) string) []doctor.Key {
	set := func(name string) doctor.Key { return doctor.Key{Name: name, Set: getenv(name) != ""} }
	return []doctor.Key{
		set(config.AlpacaKeyIDEnvVar), set(config.AlpacaSecretEnvVar), set(config.StooqAPIKeyEnvVar), set(config.APIKeyEnvVar),
		{Name: "feeds.stooq.api_key", Set: cfg.Feeds.Stooq.APIKey != ""},
		{Name: "feeds.alpaca.key_id", Set: cfg.Feeds.Alpaca.KeyID != ""},
		{Name: "feeds.alpaca.secret_key", Set: cfg.Feeds.Alpaca.SecretKey != ""},
	}
}

// doctorFeeds builds one probe per data source and names those the
// configured feed uses.
func doctorFeeds(c *command) ([]doctor.FeedProbe, []string) {
	cfg := c.cfg
	opts := httpx.FeedOptions{Client: c.e.HTTP, Calendar: calendar.NYSE(), Timeout: probeTimeout,
		AnswerTimeout: probeAnswer, RatePerSec: 100, Burst: 10}
	var probes []doctor.FeedProbe
	yo := opts
	yo.BaseURL = cfg.Feeds.Yahoo.BaseURL
	if y, err := yahoo.New(yahoo.Options{FeedOptions: yo}); err != nil {
		probes = append(probes, doctor.FeedProbe{Name: "yahoo", Missing: err.Error(), MissingFix: "fix feeds.yahoo.base_url"})
	} else {
		probes = append(probes, doctor.FeedProbe{Name: "yahoo", Probe: y.Probe})
	}
	so := opts
	so.BaseURL = cfg.Feeds.Stooq.BaseURL
	note := "not recommended (Stooq asks programs for a browser check or an API key)"
	if s, err := stooq.New(stooq.Options{FeedOptions: so, APIKey: cfg.Feeds.Stooq.APIKey.Reveal()}); err != nil {
		probes = append(probes, doctor.FeedProbe{Name: "stooq", Missing: err.Error(), MissingFix: "fix feeds.stooq.base_url"})
	} else {
		probes = append(probes, doctor.FeedProbe{Name: "stooq", Probe: s.Probe, Note: note})
	}
	probes = append(probes, alpacaProbe(c, opts))

	var uses []string
	switch cfg.Feed {
	case config.FeedYahoo, config.FeedStooq:
		uses = []string{cfg.Feed}
	case config.FeedAuto:
		uses = autoSources(c)
	case config.FeedReplay:
		uses = []string{"replay"}
		probes = append(probes, doctor.FeedProbe{Name: "replay", Local: func(ctx context.Context) doctor.Verdict {
			return replayVerdict(ctx, c)
		}})
	}
	return probes, uses
}

// alpacaProbe: Alpaca is tried only with both keys set.
func alpacaProbe(c *command, opts httpx.FeedOptions) doctor.FeedProbe {
	p := doctor.FeedProbe{Name: "alpaca"}
	a := c.cfg.Feeds.Alpaca
	if a.KeyID == "" || a.SecretKey == "" {
		p.Missing = "keys missing: " + config.AlpacaKeyIDEnvVar + " and " + config.AlpacaSecretEnvVar + " are not both set"
		p.MissingFix = "a free Alpaca account's market-data keys are enough (no funding needed): export both variables"
		return p
	}
	opts.BaseURL = a.BaseURL
	f, err := alpaca.New(alpaca.Options{FeedOptions: opts, KeyID: a.KeyID.Reveal(), SecretKey: a.SecretKey.Reveal(),
		StreamURL: a.StreamURL, Feed: a.Feed})
	if err != nil {
		p.Missing, p.MissingFix = line(err.Error()), "check [feeds.alpaca] in the config"
		return p
	}
	p.Probe = f.Probe
	return p
}

// line is one clean line of outside text.
func line(s string) string { return termsafe.Line(s, 300) }

// longLine is one clean line of a few files' messages.
func longLine(s string) string { return termsafe.Line(s, 800) }

// replayVerdict reads the replay directory's files with the replay feed's
// own reader, as status and the dashboard would: the pair's two files must
// give bars (a missing or unusable leg fails: no ratio, status exits 1);
// other symbols' missing or unusable files are counted and named (their
// panels stay empty).
func replayVerdict(ctx context.Context, c *command) doctor.Verdict {
	dir := c.cfg.Feeds.Replay.Data
	if dir == "" {
		return doctor.Verdict{Status: doctor.Fail, Detail: "no data directory",
			Fix: "pass --data DIR (a directory of SYMBOL.csv files) or set feeds.replay.data in the config"}
	}
	f, err := replay.New(replay.Options{Dir: dir, AsOf: c.asOf})
	if err != nil {
		return doctor.Verdict{Status: doctor.Fail, Detail: line(err.Error()), Fix: "check --data (or feeds.replay.data)"}
	}
	syms := c.cfg.Engine().Symbols()
	h, err := f.History(ctx, syms)
	if err != nil {
		return doctor.Verdict{Status: doctor.Fail, Detail: line(err.Error()), Fix: "check the directory's permissions"}
	}
	small, large := c.cfg.Pair.Small, c.cfg.Pair.Large
	pair := small + "/" + large
	var bad, legs []string
	why := map[string]string{}
	for _, se := range h.Errors {
		bad = append(bad, se.Symbol)
		// The directory is said once: each file by its name.
		why[se.Symbol] = strings.TrimPrefix(strings.ReplaceAll(se.Message, filepath.Clean(dir)+string(filepath.Separator), ""), "replay: ")
	}
	for _, leg := range []string{small, large} {
		if len(h.Daily[leg]) == 0 {
			legs = append(legs, leg)
			switch t, later := h.Starts[leg]; {
			case why[leg] != "":
			case later: // every row after --as-of: its data starts later
				why[leg] = fmt.Sprintf("%s: data starts %s, after --as-of %s", leg, t.Format(time.DateOnly), c.asOf.Format(time.DateOnly))
			default:
				why[leg] = leg + ": no bars"
			}
		}
	}
	var first, last time.Time
	for _, bars := range h.Daily {
		if n := len(bars); n > 0 {
			if first.IsZero() || bars[0].Time.Before(first) {
				first = bars[0].Time
			}
			if bars[n-1].Time.After(last) {
				last = bars[n-1].Time
			}
		}
	}
	whose := "symbols'"
	if len(syms) == 1 {
		whose = "symbol's"
	}
	read := fmt.Sprintf("%d of %d %s files read", len(h.Daily), len(syms), whose)
	if !first.IsZero() {
		read += fmt.Sprintf(" (%s…%s)", first.Format(time.DateOnly), last.Format(time.DateOnly))
	}
	// Files that are there but cannot be used first, with why; then the
	// symbols without a file.
	var broken, missing []string
	for _, sym := range bad {
		switch {
		case slices.Contains(legs, sym): // said first
		case strings.HasPrefix(why[sym], "no file "):
			missing = append(missing, sym)
		default:
			broken = append(broken, sym+": "+why[sym])
		}
	}
	var others []string
	if len(broken) > 0 {
		others = append(others, fmt.Sprintf("%d unusable: %s", len(broken), strings.Join(broken, "; ")))
	}
	if len(missing) > 0 {
		names := missing
		if len(names) > 10 {
			names = append(slices.Clone(names[:10]), fmt.Sprintf("%d more", len(missing)-10))
		}
		others = append(others, fmt.Sprintf("%d without a file: %s", len(missing), strings.Join(names, ", ")))
	}
	unusable := strings.Join(others, "; ")
	if len(legs) > 0 {
		var parts []string
		for _, leg := range legs {
			parts = append(parts, why[leg])
		}
		detail := fmt.Sprintf("pair %s cannot be read in %s: %s", pair, dir, strings.Join(parts, "; "))
		detail += "; " + read
		if unusable != "" {
			detail += "; " + unusable
		}
		fix := fmt.Sprintf("put a daily CSV file (Date,Open,High,Low,Close[,Adj Close],Volume) named %s.csv in %s, or choose another pair (--pair)", strings.Join(legs, ".csv and "), dir)
		var from time.Time // the legs' files are there but start after --as-of
		for _, leg := range legs {
			t, later := h.Starts[leg]
			if !later {
				from = time.Time{}
				break
			}
			if t.After(from) {
				from = t
			}
		}
		if !from.IsZero() {
			fix = fmt.Sprintf("choose an --as-of on or after %s, when the data of both legs has begun", from.Format(time.DateOnly))
		}
		return doctor.Verdict{Status: doctor.Fail, Detail: longLine(detail), Fix: fix}
	}
	detail := fmt.Sprintf("pair %s readable; %s in %s", pair, read, dir)
	if len(h.Skipped) > 0 {
		n := 0
		for _, sk := range h.Skipped {
			n += sk.Count
		}
		detail += fmt.Sprintf("; %s skipped in %s", app.Count(n, "row"), app.Count(len(h.Skipped), "file"))
	}
	if unusable != "" {
		return doctor.Verdict{Status: doctor.Warn, Detail: longLine(detail + "; " + unusable + " (their panels stay empty)"),
			Fix: "add or fix those SYMBOL.csv files (snapshot's errors say why each cannot be used)"}
	}
	return doctor.Verdict{Status: doctor.OK, Detail: line(detail)}
}

// realTerminal gathers the facts about the terminal capwatch runs in.
func realTerminal() doctor.Terminal {
	t := doctor.Terminal{TTY: term.IsTerminal(os.Stdout.Fd()), Profile: colorprofile.Detect(os.Stdout, os.Environ()).String()}
	if w, h, err := term.GetSize(os.Stdout.Fd()); err == nil {
		t.Width, t.Height = w, h
	}
	t.Background = func(context.Context) (bool, bool) {
		bg, err := lipgloss.BackgroundColor(os.Stdin, os.Stdout) // answers within 2 s or gives up
		if err == nil && bg != nil {
			return isDark(bg), true
		}
		return colorFGBG(os.Getenv("COLORFGBG"))
	}
	if os.Getenv("TMUX") != "" {
		t.TmuxVersion = func(ctx context.Context) (string, error) {
			ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, "tmux", "-V").Output()
			return string(out), err
		}
	}
	return t
}

// colorFGBG reads the background from $COLORFGBG ("15;0": white on black),
// which some terminals set: colours 7 and 15 are light, 0–6 and 8 dark.
func colorFGBG(v string) (dark, ok bool) {
	i := strings.LastIndexByte(v, ';')
	if i < 0 {
		return false, false
	}
	switch v[i+1:] {
	case "7", "15":
		return false, true
	case "0", "1", "2", "3", "4", "5", "6", "8":
		return true, true
	}
	return false, false
}

// isDark: the colour's relative luminance is under one half.
func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	lum := (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
	return lum < 0.5
}
