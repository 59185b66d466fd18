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
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"

	"github.com/capwatch/capwatch/feeds/alpaca"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/feeds/stooq"
	"github.com/capwatch/capwatch/feeds/yahoo"
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

// cmdDoctor handles `capwatch doctor [--format table|json] [--config PATH]
// [--feed NAME]`: it reports what works and what to do about what does not,
// and exits 0 when the configured feed works, 1 otherwise. A config file
// that cannot be read is reported (the other checks run on the defaults).
func cmdDoctor(ctx context.Context, args []string, stdout, stderr io.Writer, e env) error {
	fs := flag.NewFlagSet("capwatch doctor", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var cfgPath, format, feed, baseURL, streamURL string
	fs.StringVar(&cfgPath, "config", "", "config file")
	fs.StringVar(&format, "format", "table", "table or json")
	fs.StringVar(&feed, "feed", "", "check this feed instead of the config's")
	fs.StringVar(&baseURL, "base-url", "", "yahoo/stooq/alpaca: probe this (REST) base URL instead of the configured one")
	fs.StringVar(&streamURL, "stream-url", "", "alpaca: the WebSocket stream URL (accepted as by the other commands; doctor probes the REST API)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, doctorUsage)
			return errHandled
		}
		return flagError(fs, err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (see capwatch doctor --help)", fs.Arg(0))
	}
	if format != "table" && format != "json" {
		return usagef("--format %q: use table or json", format)
	}
	l, cerr := config.Load(cfgPath, e.Getenv, e.ConfigDir)
	if cerr != nil {
		l.Config = config.Default() // check the rest as capwatch would run without the file
	}
	if feed != "" {
		l.Config.Feed = strings.ToLower(strings.TrimSpace(feed))
		if !oneOf(l.Config.Feed, config.Feeds()) {
			return usagef("--feed %q is not a feed (use %s)", feed, strings.Join(config.Feeds(), ", "))
		}
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	// --base-url/--stream-url apply to the feed judged, as for the other
	// commands (a usage error for a feed they do not apply to).
	if err := applyURLs(&l.Config, set, baseURL, streamURL); err != nil {
		return err
	}
	c := &command{name: "doctor", cfg: l.Config, stdout: stdout, stderr: stderr, e: e, set: set}
	if err := c.openLog(); err != nil {
		return err
	}
	defer c.close()

	o := doctor.Options{Config: l, ConfigErr: cerr, Getenv: e.Getenv, Budget: e.DoctorBudget,
		Keys: doctorKeys(l.Config, e.Getenv)}
	if e.Terminal != nil {
		o.Terminal = e.Terminal()
	}
	o.Feeds, o.Uses = doctorFeeds(c)
	if e.CacheDir != "" {
		o.CacheDir = filepath.Join(e.CacheDir, "capwatch")
	}
	if p, err := signalLogPath(l.Config, "", e); err == nil {
		o.SignalLog = p
	}
	r := doctor.Run(ctx, o)
	for _, f := range r.Feeds {
		c.log.Info("doctor: feed", "feed", f.Name, "status", f.Status, "detail", f.Detail, "used", f.Used)
	}
	c.log.Info("doctor", "config", r.Config.Status, "terminal", r.Terminal.Status, "clock", r.Clock.Status,
		"cache", r.Cache.Status, "signal_log", r.SignalLog.Status, "feed", r.Feed, "feed_works", r.FeedWorks, "took", r.Took)
	var err error
	if format == "json" {
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
		probes = append(probes, doctor.FeedProbe{Name: "replay", Probe: func(context.Context) (httpx.Reply, error) {
			return httpx.Reply{}, replayDirError(cfg.Feeds.Replay.Data)
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

// replayDirError says why --data cannot be replayed (nil if it can).
func replayDirError(dir string) error {
	if dir == "" {
		return errors.New("no data directory (--data DIR or feeds.replay.data)")
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, en := range ents {
		if !en.IsDir() && strings.EqualFold(filepath.Ext(en.Name()), ".csv") {
			return nil
		}
	}
	return fmt.Errorf("%s has no SYMBOL.csv files", dir)
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
