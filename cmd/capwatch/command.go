package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/study"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/replay"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/dashboard"
	"github.com/capwatch/capwatch/internal/signals"
)

// flags holds every command-line flag; each subcommand registers the ones it takes.
type flags struct {
	feed, data, asOf, replayFrom, baseURL, streamURL, config, logFile, logLevel, format string
	signalLog, members, pair                                                            string
	speed                                                                               float64
	seed                                                                                int64
	version, tmux, force, alerts                                                        bool
	ttl                                                                                 time.Duration
}

// command is a parsed command with its configuration, log and feed options.
type command struct {
	name string
	f    flags
	set  map[string]bool // flags given on the command line
	cfg  config.Config
	asOf time.Time
	// replayFrom: the dashboard replays the days from this date (replay feed).
	replayFrom time.Time
	warns      []string // config warnings, logged once the log is open
	cfgFile    string   // the config file read ("" when none): where a setting not on the command line came from
	log        *slog.Logger
	logPath    string
	logFile    io.Closer
	stdout     io.Writer
	stderr     io.Writer
	e          env
}

func (c *command) close() {
	if c.logFile != nil {
		c.logFile.Close()
	}
}

// registerCommon registers the flags shared by the dashboard, snapshot, status and analogs.
func registerCommon(fs *flag.FlagSet, f *flags) {
	fs.StringVar(&f.feed, "feed", "", "data source: demo, replay, yahoo, stooq, alpaca or auto (default: the config's feed, else demo)")
	fs.StringVar(&f.data, "data", "", "replay: directory of SYMBOL.csv daily files")
	fs.Float64Var(&f.speed, "speed", 0, "demo: simulated seconds per second; replay: trading days per second (default 1)")
	fs.Int64Var(&f.seed, "seed", 0, "demo: random seed (same seed, same market; default 1)")
	fs.StringVar(&f.asOf, "as-of", "", "use data up to this trading date, YYYY-MM-DD (replay; snapshot/status/analogs with any feed)")
	fs.StringVar(&f.pair, "pair", "", "the pair to chart, SMALL/LARGE (default: the config's [pair], else IWM/SPY), e.g. IWM/QQQ")
	fs.StringVar(&f.members, "members", "", "breadth: members file (CSV with a Ticker column, iShares holdings, or one symbol per line); replay default DIR/members.csv")
	fs.StringVar(&f.baseURL, "base-url", "", "yahoo/stooq/alpaca: override the feed's (REST) base URL (proxies, recordings, tests)")
	fs.StringVar(&f.streamURL, "stream-url", "", "alpaca: override the WebSocket stream URL (ws:// or wss://)")
	fs.StringVar(&f.config, "config", "", "config file (default $CAPWATCH_CONFIG, else <user config dir>/capwatch/config.toml)")
	fs.StringVar(&f.logFile, "log-file", "", "log file (default <user cache dir>/capwatch/capwatch.log)")
	fs.StringVar(&f.logLevel, "log-level", "", "log level: debug, info, warn or error (default info)")
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
}

// commandFlags builds the flag set of the dashboard ("") or of a one-shot
// command and returns it with the command's usage text (which must name
// every flag: TestUsageNamesEveryFlag).
func commandFlags(name string, f *flags) (*flag.FlagSet, string) {
	fsName := "capwatch"
	if name != "" {
		fsName += " " + name
	}
	fs := flag.NewFlagSet(fsName, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	registerCommon(fs, f)
	usage := mainUsage
	switch name {
	case "":
		fs.StringVar(&f.replayFrom, "replay-from", "", "replay: show history before this date, then replay the days from it at --speed")
		fs.StringVar(&f.signalLog, "signal-log", "", "the signal log to append to (default: the state directory's signals.jsonl, signals-demo.jsonl, ...)")
		fs.BoolVar(&f.alerts, "alerts", false, "ring alerts with the demo and replay feeds too (quiet by default)")
	case "snapshot":
		fs.StringVar(&f.format, "format", "json", "output format: json or text")
		usage = snapshotUsage
	case "analogs":
		fs.StringVar(&f.format, "format", "table", "output format: table, csv or json")
		usage = analogsUsage
	case "status":
		fs.BoolVar(&f.tmux, "tmux", false, "emit tmux colour codes (#[fg=…])")
		fs.DurationVar(&f.ttl, "ttl", 60*time.Second, "reuse a cached result younger than this")
		usage = statusUsage
	case "doctor":
		fs.StringVar(&f.format, "format", "table", "output format: table or json")
		usage = doctorUsage
	}
	return fs, usage
}

func parseCommand(name string, args []string, stdout, stderr io.Writer, e env) (*command, error) {
	c := &command{name: name, stdout: stdout, stderr: stderr, e: e, set: map[string]bool{}}
	fs, usage := commandFlags(name, &c.f)
	fsName := fs.Name()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return nil, errHandled
		}
		return nil, flagError(fs, err)
	}
	if fs.NArg() > 0 {
		if name == "" && slices.Contains(commands, fs.Arg(0)) {
			// One that takes none of these flags (config, help, version;
			// the others are moved first by commandFirst).
			return nil, usagef("put the command first: capwatch %s … (see capwatch --help)", fs.Arg(0))
		}
		return nil, usagef("unexpected argument %q (see %s --help)", fs.Arg(0), fsName)
	}
	if c.f.version {
		fmt.Fprintln(stdout, versionString())
		return nil, errHandled
	}
	fs.Visit(func(fl *flag.Flag) { c.set[fl.Name] = true })
	if err := c.configure(); err != nil {
		return nil, err
	}
	if err := c.openLog(); err != nil {
		return nil, err
	}
	return c, nil
}

// configure loads the config file and applies the flags over it.
func (c *command) configure() error {
	l, err := config.Load(c.f.config, c.e.Getenv, c.e.ConfigDir)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	c.cfg = l.Config
	if l.Found {
		c.cfgFile = l.Path
	}
	for _, w := range l.Warns {
		fmt.Fprintf(c.stderr, "capwatch: warning: %s\n", w)
	}
	c.warns = l.Warns
	return c.applyFlags()
}

// applyFlags applies the command line's flags over c.cfg (the config file's
// settings, or the defaults) and checks them.
func (c *command) applyFlags() error {
	cfg := &c.cfg
	if c.set["feed"] {
		cfg.Feed = strings.ToLower(strings.TrimSpace(c.f.feed))
		if !oneOf(cfg.Feed, config.Feeds()) {
			return usagef("--feed %q is not a feed (use %s)", c.f.feed, strings.Join(config.Feeds(), ", "))
		}
	}
	if c.set["data"] {
		cfg.Feeds.Replay.Data = c.f.data
	}
	if c.set["speed"] {
		if err := config.CheckSpeed(c.f.speed); err != nil {
			return usagef("--speed %v", err)
		}
		switch cfg.Feed {
		case config.FeedDemo:
			cfg.Feeds.Demo.Speed = c.f.speed
		case config.FeedReplay:
			cfg.Feeds.Replay.Speed = c.f.speed
		default:
			return usagef("--speed applies to --feed demo or replay, not %s", cfg.Feed)
		}
	}
	if c.set["seed"] {
		if cfg.Feed != config.FeedDemo {
			return usagef("--seed applies to --feed demo, not %s", cfg.Feed)
		}
		cfg.Feeds.Demo.Seed = c.f.seed
	}
	if err := applyURLs(cfg, c.set, c.f.baseURL, c.f.streamURL); err != nil {
		return err
	}
	if c.set["log-level"] {
		cfg.Log.Level = strings.ToLower(c.f.logLevel)
		if !oneOf(cfg.Log.Level, []string{"debug", "info", "warn", "error"}) {
			return usagef("--log-level %q is not a level (use debug, info, warn or error)", c.f.logLevel)
		}
	}
	if c.set["log-file"] {
		cfg.Log.File = c.f.logFile
	}
	if c.set["pair"] {
		small, large, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(c.f.pair)), "/")
		small, large = strings.TrimSpace(small), strings.TrimSpace(large)
		if !ok || !engine.ValidSymbol(small) || !engine.ValidSymbol(large) || small == large {
			return usagef("--pair %q: want two different tickers as SMALL/LARGE, e.g. --pair IWM/QQQ", c.f.pair)
		}
		cfg.Pair.Small, cfg.Pair.Large = small, large
	}
	if c.set["as-of"] {
		d, err := time.ParseInLocation("2006-01-02", c.f.asOf, calendar.Location())
		if err != nil {
			return usagef("--as-of %q is not a date; use YYYY-MM-DD, e.g. --as-of 2024-06-28", c.f.asOf)
		}
		if c.name == "" && cfg.Feed != config.FeedReplay && cfg.Feed != config.FeedDemo {
			return usagef("--as-of on the dashboard needs --feed replay or demo (snapshot, status and analogs take it with any feed)")
		}
		c.asOf = d
	}
	if c.set["replay-from"] {
		d, err := time.ParseInLocation("2006-01-02", c.f.replayFrom, calendar.Location())
		if err != nil {
			return usagef("--replay-from %q is not a date; use YYYY-MM-DD", c.f.replayFrom)
		}
		if cfg.Feed != config.FeedReplay {
			return usagef("--replay-from needs --feed replay")
		}
		c.replayFrom = d
	}
	if c.set["signal-log"] && strings.TrimSpace(c.f.signalLog) == "" {
		return usagef("--signal-log needs a file path")
	}
	if cfg.Feed == config.FeedReplay && cfg.Feeds.Replay.Data == "" && c.name != "doctor" { // doctor reports it
		return usagef("--feed replay needs --data DIR (a directory of SYMBOL.csv files) or feeds.replay.data in the config")
	}
	switch c.name {
	case "snapshot":
		if c.f.format != "json" && c.f.format != "text" {
			return usagef("--format %q: use json or text", c.f.format)
		}
	case "analogs":
		if c.f.format != "table" && c.f.format != "csv" && c.f.format != "json" {
			return usagef("--format %q: use table, csv or json", c.f.format)
		}
	case "doctor":
		if c.f.format != "table" && c.f.format != "json" {
			return usagef("--format %q: use table or json", c.f.format)
		}
	case "status":
		if c.f.ttl < 0 {
			return usagef("--ttl %v must be ≥ 0", c.f.ttl)
		}
	}
	if err := cfg.Validate(); err != nil {
		return usagef("config: %v", err)
	}
	return nil
}

// applyURLs puts --base-url and --stream-url (when set) into the config of
// the feed they apply to (every command that uses a feed takes them:
// the dashboard, snapshot, status, analogs and doctor).
func applyURLs(cfg *config.Config, set map[string]bool, baseURL, streamURL string) error {
	if set["base-url"] {
		if err := config.CheckBaseURL(baseURL); err != nil {
			return usagef("--base-url: %v", err)
		}
		switch cfg.Feed {
		case config.FeedYahoo:
			cfg.Feeds.Yahoo.BaseURL = baseURL
		case config.FeedStooq:
			cfg.Feeds.Stooq.BaseURL = baseURL
		case config.FeedAlpaca:
			cfg.Feeds.Alpaca.BaseURL = baseURL
		default:
			return usagef("--base-url applies to --feed yahoo, stooq or alpaca, not %s", cfg.Feed)
		}
	}
	if set["stream-url"] {
		if err := config.CheckStreamURL(streamURL); err != nil {
			return usagef("--stream-url: %v", err)
		}
		if cfg.Feed != config.FeedAlpaca {
			return usagef("--stream-url applies to --feed alpaca, not %s", cfg.Feed)
		}
		cfg.Feeds.Alpaca.StreamURL = streamURL
	}
	return nil
}

func oneOf(s string, set []string) bool {
	for _, v := range set {
		if s == v {
			return true
		}
	}
	return false
}

// maxLogSize is the size past which the log file is rotated at start.
const maxLogSize = 10 << 20

// openLog opens the log file (never the terminal). A log file that cannot be
// opened is a warning, not a failure: logs are then discarded.
func (c *command) openLog() error {
	path := c.cfg.Log.File
	if path == "" && c.e.CacheDir != "" {
		path = filepath.Join(c.e.CacheDir, "capwatch", "capwatch.log")
	}
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.cfg.Log.Level))
	c.log = slog.New(slog.DiscardHandler)
	if path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		fmt.Fprintf(c.stderr, "capwatch: warning: no log file: %v\n", err)
		return nil
	}
	// Keep the log bounded: past maxLogSize it moves to PATH.1 (one generation).
	if st, err := os.Stat(path); err == nil && st.Size() > maxLogSize {
		_ = os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		fmt.Fprintf(c.stderr, "capwatch: warning: no log file: %v\n", err)
		return nil
	}
	c.logFile, c.logPath = f, path
	c.log = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: lvl}))
	c.log.Info("start", "command", c.commandName(), "version", versionString(), "feed", c.cfg.Feed,
		"pair", c.cfg.Pair.Small+"/"+c.cfg.Pair.Large,
		// Secrets are config.Secret values: they log as [redacted].
		"yahoo_api_key", c.cfg.Feeds.Yahoo.APIKey, "stooq_api_key", c.cfg.Feeds.Stooq.APIKey)
	for _, w := range c.warns {
		c.log.Warn("config", "warning", w)
	}
	return nil
}

func (c *command) commandName() string {
	if c.name == "" {
		return "dashboard"
	}
	return c.name
}

func (c *command) exec(ctx context.Context) error {
	switch c.name {
	case "snapshot":
		return c.snapshot(ctx)
	case "analogs":
		return c.analogs(ctx)
	case "status":
		return c.status(ctx)
	}
	return c.dashboard(ctx)
}

// build loads history and computes a one-shot snapshot.
func (c *command) build(ctx context.Context) (*engine.Snapshot, error) {
	feed, err := newFeed(c, false)
	if err != nil {
		return nil, err
	}
	if err := c.checkAsOf(ctx, feed); err != nil {
		return nil, err
	}
	bo := app.BuildOptions{
		Feed: feed, Config: c.cfg.Engine(), Calendar: calendar.NYSE(), Study: study.Compute,
		AsOf: c.asOf, Now: c.e.Clock.Now(), QuoteWait: 10 * time.Second,
	}
	if c.name == "status" {
		// The line needs live prices for the pair only (the rest is the
		// cached history, see withHistoryCache).
		bo.QuoteSymbols, bo.QuoteWait = []string{c.cfg.Pair.Small, c.cfg.Pair.Large}, statusQuoteWait
	}
	// The breadth universe and the strip, for status too: its flags are the
	// snapshot's and the dashboard's. A live feed's members come from the
	// history cache only (never one request each); status reads the members
	// list and the strip's series from the day's cache only (see dayCache).
	br, err := newBreadth(c, feed)
	if err != nil {
		return nil, err
	}
	bo.Breadth = br.load
	if br.universe != nil {
		bo.Universe = br.universe
	}
	if br.strip != nil {
		bo.Confirm = br.strip
	}
	snap, err := app.BuildSnapshot(ctx, bo)
	if ae, ok := errors.AsType[*app.AsOfError](err); ok {
		return nil, &usageError{msg: ae.Error(), err: ae}
	}
	if err != nil {
		c.log.Error(c.commandName(), "err", err)
		return nil, fmt.Errorf("%s: %w", c.commandName(), err)
	}
	for _, se := range snap.Errors {
		c.log.Warn("snapshot: symbol", "symbol", se.Symbol, "err", se.Message)
	}
	for _, n := range snap.Notices {
		c.log.Warn("snapshot: symbol notice", "symbol", n.Symbol, "notice", n.Message)
	}
	if note := app.AfterData(c.asOf, snap.AsOf, calendar.NYSE()); note != "" {
		c.log.Warn(c.commandName(), "note", note)
		fmt.Fprintf(c.stderr, "capwatch: note: %s: showing %s\n", note, snap.AsOf.In(calendar.Location()).Format(time.DateOnly))
	}
	if snap.AsOf.IsZero() {
		msg := "no symbol has data"
		if len(snap.Errors) > 0 {
			msg += " (" + snap.Errors[0].Symbol + ": " + snap.Errors[0].Message + ", …)"
		}
		return nil, fmt.Errorf("%s: %s", c.cfg.Feed, msg)
	}
	return snap, nil
}

func (c *command) snapshot(ctx context.Context) error {
	snap, err := c.build(ctx)
	if err != nil {
		return err
	}
	if c.f.format == "text" {
		err = app.WriteText(c.stdout, snap)
	} else {
		err = app.WriteJSON(c.stdout, snap)
	}
	if err != nil {
		return fmt.Errorf("snapshot: write: %w", err)
	}
	// The document is complete (errors[] names the cause); the exit code
	// says, as status's and analogs' do, that the one number it is for
	// could not be computed.
	return app.NoRatio(snap)
}

func (c *command) analogs(ctx context.Context) error {
	snap, err := c.build(ctx)
	if err != nil {
		return err
	}
	if why := snap.PairProblem(); snap.Analogs == nil && why != "" {
		// No study because a leg has no data: its cause, not "needs at
		// least 201 joined daily bars".
		return fmt.Errorf("analogs: no analog study: %s", why)
	}
	if err := app.WriteAnalogs(c.stdout, snap.Analogs, c.f.format); err != nil {
		return fmt.Errorf("analogs: %w", err)
	}
	return nil
}

// statusKey identifies what a cached status line was computed for.
func (c *command) statusKey() string {
	cfg := c.cfg
	// v2: the line counts every flag, breadth's too (the members and their
	// threshold are part of what was asked); v3: the count is of the flags
	// judged, the others said as "N no data".
	members := c.f.members
	if members != "" {
		members, _ = filepath.Abs(members)
	}
	key := []string{"v3", cfg.Feed, cfg.Pair.Small, cfg.Pair.Large, c.f.asOf,
		members, cfg.Breadth.Universe, strconv.FormatFloat(cfg.Breadth.AboveSMA50, 'g', -1, 64)}
	switch cfg.Feed {
	case config.FeedReplay:
		abs, _ := filepath.Abs(cfg.Feeds.Replay.Data)
		key = append(key, abs)
	case config.FeedDemo:
		key = append(key, fmt.Sprint(cfg.Feeds.Demo.Seed))
	case config.FeedYahoo:
		key = append(key, cfg.Feeds.Yahoo.BaseURL)
	case config.FeedStooq:
		key = append(key, cfg.Feeds.Stooq.BaseURL)
	case config.FeedAuto:
		key = append(key, strings.Join(autoSources(c), "+"), cfg.Feeds.Yahoo.BaseURL)
	case config.FeedAlpaca:
		key = append(key, cfg.Feeds.Alpaca.BaseURL, cfg.Feeds.Alpaca.Feed)
	}
	for _, s := range cfg.Engine().Symbols() {
		key = append(key, s)
	}
	return strings.Join(key, "|")
}

// filesStamp fingerprints the CSV files of dir and the file extra (when
// given): names, sizes and modification times, hashed. Listing a directory
// of 600 files costs about a millisecond; reading them, the computation the
// status cache saves, far more.
func filesStamp(dir, extra string) string {
	h := fnv.New64a()
	ents, err := os.ReadDir(dir)
	if err != nil {
		fmt.Fprintf(h, "error %v\n", err)
	}
	stamp := func(name string, fi fs.FileInfo) {
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", name, fi.Size(), fi.ModTime().UnixNano())
	}
	for _, en := range ents { // sorted by name
		if en.IsDir() || !strings.EqualFold(filepath.Ext(en.Name()), ".csv") {
			continue
		}
		if fi, err := en.Info(); err == nil {
			stamp(en.Name(), fi)
		}
	}
	if extra != "" {
		if fi, err := os.Stat(extra); err == nil {
			stamp(extra, fi)
		}
	}
	return strconv.FormatUint(h.Sum64(), 36)
}

func (c *command) status(ctx context.Context) error {
	now := c.e.Clock.Now()
	cal := calendar.NYSE()
	opts := app.StatusOptions{Tmux: c.f.tmux, StaleAfter: 2*dashboard.LivePoll(c.cfg) + 15*time.Minute}
	var cache *app.StatusCache
	if c.e.CacheDir != "" && c.f.ttl > 0 {
		cache = &app.StatusCache{Path: filepath.Join(c.e.CacheDir, "capwatch", "status.json"), TTL: c.f.ttl}
		if c.cfg.Feed == config.FeedReplay {
			// The files' names, sizes and times: a line cached before a
			// file changed is not served after it (QA-2 m1: status
			// contradicted snapshot for --ttl after a file was broken or
			// fixed). The key stays the same, so the last known line is
			// still shown when the directory goes away.
			abs, _ := filepath.Abs(c.cfg.Feeds.Replay.Data)
			cache.Stamp = filesStamp(abs, c.f.members)
		}
	}
	key := c.statusKey()
	// down prints what tmux shows when the feed is down (the last known
	// line marked down, its age showing as "stale"; before any success
	// "capwatch: yahoo down": tmux shows only stdout, and a blank status
	// bar would not say that anything failed) and returns err, which goes
	// to stderr.
	down := func(last app.StatusData, err error) error {
		mark := c.cfg.Feed + " down"
		if opts.Tmux {
			mark = "#[fg=red]" + mark + "#[default]"
		}
		if last.Known() {
			fmt.Fprintf(c.stdout, "%s · %s\n", app.FormatStatus(last, now, cal, opts), mark)
		} else {
			fmt.Fprintf(c.stdout, "capwatch: %s\n", mark)
		}
		return err
	}
	if cache != nil {
		if d, ok := cache.Load(key, now); ok {
			if d.Down() { // a failure is cached for the TTL too: no request
				return down(d, fmt.Errorf("%s (%s ago; asking again in %s)", app.Sanitize(d.Failure),
					now.Sub(d.Failed).Round(time.Second), (c.f.ttl-now.Sub(d.Failed)).Round(time.Second)))
			}
			fmt.Fprintln(c.stdout, app.FormatStatus(d, now, cal, opts))
			return d.NoRatio()
		}
	}
	budget := c.e.StatusBudget
	if budget <= 0 {
		budget = defaultStatusBudget
	}
	bctx, cancel := context.WithTimeout(ctx, budget)
	if c.cfg.Feed == config.FeedDemo || c.cfg.Feed == config.FeedReplay {
		// Local data cannot be down, only slow on a loaded machine (600
		// members to read): no budget, the line is cached for --ttl.
		cancel()
		bctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	snap, err := c.build(bctx)
	if err != nil && bctx.Err() != nil && ctx.Err() == nil && !errors.Is(err, feeds.ErrNotAnswering) {
		// Said once: an error that already says the source did not answer
		// ("Yahoo did not answer within 8s") gets no second clause.
		err = fmt.Errorf("%w (gave up after %v)", err, budget)
	}
	if _, ok := errors.AsType[*usageError](err); ok {
		// A missing --data directory or --members file, --feed alpaca
		// without keys, a date outside the data: a mistake on the command
		// line, not a feed that is down (QA-3 F5: tmux read "capwatch:
		// replay down" forever for a typo), unless this very command line
		// (the key holds the data directory and members file) has worked
		// before: then its data went away, and the last known line is
		// marked down as for any other failure.
		var last app.StatusData
		if cache != nil {
			last, _ = cache.LoadAny(key)
		}
		if !last.Known() {
			fmt.Fprintln(c.stdout, usageLine) // not cached: the fixed command runs at once
			return err
		}
	}
	if err != nil {
		var last app.StatusData
		if cache != nil {
			last, _ = cache.LoadAny(key)
			if ctx.Err() == nil { // not when the user interrupted it
				if serr := cache.StoreFailure(key, now, err.Error()); serr != nil {
					c.log.Warn("status cache", "err", serr)
				}
			}
		}
		return down(last, err)
	}
	d := app.StatusFromSnapshot(snap, key, c.cfg.Feed != config.FeedDemo && c.cfg.Feed != config.FeedReplay, now)
	if cache != nil {
		if err := cache.Store(d); err != nil {
			c.log.Warn("status cache", "err", err)
		}
	}
	fmt.Fprintln(c.stdout, app.FormatStatus(d, now, cal, opts))
	return d.NoRatio() // a line without its ratio says why and exits 1
}

// checkAsOf makes an --as-of before all of a replay directory's data a
// usage error naming the data's dates (BuildSnapshot checks the other
// feeds, whose history it cuts itself; a replay feed cuts its own).
func (c *command) checkAsOf(ctx context.Context, feed feeds.Feed) error {
	rf, ok := feed.(*replay.Feed)
	if !ok || c.asOf.IsZero() {
		return nil
	}
	first, last, err := rf.Span(ctx, c.cfg.Engine().Symbols())
	if err != nil || first.IsZero() {
		return nil // said with the history's errors
	}
	if err := app.CheckAsOf(c.asOf, first, last); err != nil {
		return &usageError{msg: fmt.Sprintf("%v (%s)", err, c.cfg.Feeds.Replay.Data), err: err}
	}
	return nil
}

func (c *command) dashboard(ctx context.Context) error {
	if c.e.Dashboard == nil {
		return errors.New("dashboard: not available")
	}
	feed, err := newFeed(c, true)
	if err != nil {
		return err
	}
	if err := c.checkAsOf(ctx, feed); err != nil {
		return err
	}
	eng, err := engine.New(c.cfg.Engine(), calendar.NYSE())
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	eng.SetStudy(study.Compute)
	br, err := newBreadth(c, feed)
	if err != nil {
		return err
	}
	br.install(eng)
	// Nothing may write to the terminal behind the dashboard's back: any
	// package logging through slog's default logger goes to the log file.
	slog.SetDefault(c.log)
	sig := c.signalOptions()
	if sig.Log != nil {
		defer sig.Log.Close()
	}
	return c.e.Dashboard(ctx, dashboard.Options{
		Feed: feed, Engine: eng, Config: c.cfg, Symbols: c.cfg.Engine().Symbols(),
		Clock: c.e.Clock, Log: c.log, NoColor: c.e.Getenv("NO_COLOR") != "",
		Signals: sig, Breadth: br.load, ShowBreadth: br.shows(), Pairs: c.pairCycle(),
	})
}

// simulated reports whether a feed's data is simulated or historical (its
// signals go to their own log and ring only with --alerts).
func simulated(feed string) bool { return feed == config.FeedDemo || feed == config.FeedReplay }

// signalLogPath is where the feed's signals are recorded: --signal-log as
// given; else alerts.signal_log for the live feeds (demo and replay write
// signals-demo.jsonl / signals-replay.jsonl beside it); else the user's state
// directory.
func signalLogPath(cfg config.Config, flagPath string, e env) (string, error) {
	if flagPath != "" {
		return flagPath, nil
	}
	sim := simulated(cfg.Feed)
	name := signals.FileName(cfg.Feed, sim)
	if p := cfg.Alerts.SignalLog; p != "" {
		if !sim {
			return p, nil
		}
		return filepath.Join(filepath.Dir(p), name), nil
	}
	dir, err := signals.DefaultDir(runtime.GOOS, e.Getenv, e.Home)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}

// signalOptions opens the signal log and sets the alert options for the
// dashboard. A log that cannot be opened is a warning: the dashboard runs,
// alerts still ring, the signals are not recorded.
func (c *command) signalOptions() app.SignalOptions {
	cfg := c.cfg
	sim := simulated(cfg.Feed)
	enabled := cfg.Alerts.Enabled && !sim
	if c.set["alerts"] {
		enabled = c.f.alerts
	}
	o := app.SignalOptions{
		Feed: cfg.Feed, Simulated: sim, Dwell: cfg.Alerts.Dwell,
		Alerts: signals.AlertOptions{
			Enabled: enabled, OnForming: cfg.Alerts.OnForming, OnFading: cfg.Alerts.OnFading, Command: cfg.Alerts.Command,
			Timeout: cfg.Alerts.Timeout, Every: max(cfg.Alerts.Every, time.Nanosecond), // 0 = no limit
		},
	}
	path, err := signalLogPath(cfg, c.f.signalLog, c.e)
	if err == nil {
		o.Log, err = signals.Open(path, 0, c.log)
	}
	if err != nil {
		// The dashboard's alternate screen hides stderr: the status line
		// says it for as long as it runs.
		c.log.Error("signal log", "err", err)
		fmt.Fprintf(c.stderr, "capwatch: warning: signals are not recorded: %v\n", err)
		o.NotRecording = app.NotRecording(err)
		if errors.Is(err, signals.ErrLocked) {
			// When the other capwatch quits, this one takes the log over
			// (tried every few seconds); meanwhile the recording one runs
			// alerts.command, not this one.
			o.Reopen = func() (*signals.Log, error) { return signals.Open(path, 0, c.log) }
		}
		return o
	}
	c.log.Info("signal log", "path", path, "alerts", enabled, "on_forming", cfg.Alerts.OnForming,
		"command", len(cfg.Alerts.Command) > 0)
	return o
}

// cmdConfig handles `capwatch config init|path`.
func cmdConfig(args []string, stdout, stderr io.Writer, e env) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		fmt.Fprint(stdout, configUsage)
		if len(args) == 0 {
			return usagef("config needs a subcommand: init or path")
		}
		return errHandled
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("capwatch config "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var path string
	var force bool
	fs.StringVar(&path, "config", "", "config file to write (default $CAPWATCH_CONFIG, else the default path)")
	if sub == "init" {
		fs.BoolVar(&force, "force", false, "replace an existing file, keeping it as FILE.bak")
	} else if sub != "path" {
		return usagef("unknown config subcommand %q (use init or path)", sub)
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, configUsage)
			return errHandled
		}
		return flagError(fs, err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (see capwatch config --help)", fs.Arg(0))
	}
	p, src := config.Resolve(path, e.Getenv, e.ConfigDir)
	if src == config.SourceNone {
		return usagef("no user config directory is known; pass --config PATH")
	}
	if sub == "path" {
		fmt.Fprintln(stdout, configPathLine(p, src))
		return nil
	}
	bak, err := config.WriteExample(p, force)
	if err != nil {
		return err
	}
	if bak != "" {
		fmt.Fprintf(stdout, "kept the old file as %s\n", bak)
	}
	fmt.Fprintf(stdout, "wrote %s\n", p)
	return nil
}

// configPathLine is what `capwatch config path` prints: the file, where its
// path came from, and whether it is there: a missing default file means the
// built-in defaults are in use; a missing file named by --config or
// $CAPWATCH_CONFIG stops every command until it exists.
func configPathLine(p string, src config.Source) string {
	st, err := os.Stat(p)
	switch {
	case err == nil && st.IsDir():
		return fmt.Sprintf("%s (from %s; it is a directory, not a file: every command stops until it is fixed)", p, src)
	case err == nil:
		return fmt.Sprintf("%s (from %s)", p, src)
	case errors.Is(err, fs.ErrNotExist) && src == config.SourceDefault:
		return fmt.Sprintf("%s (from %s; no file there yet: the built-in defaults are in use; `capwatch config init` writes one)", p, src)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("%s (from %s; the file does not exist: every command stops until it does; `capwatch config init --config %s` writes one)", p, src, p)
	}
	return fmt.Sprintf("%s (from %s; cannot be read: %v)", p, src, err)
}

// pairCycle is what the pair key cycles through: the configured pair, then
// the confirmation strip's pairs (credit items are not small/large pairs),
// each once.
func (c *command) pairCycle() []engine.PairChoice {
	out := []engine.PairChoice{{Small: c.cfg.Pair.Small, Large: c.cfg.Pair.Large}}
	for _, s := range c.cfg.Confirm {
		if s.Kind != engine.ConfirmKindPair {
			continue
		}
		num, den, ok := s.Legs()
		if pc := (engine.PairChoice{Small: num, Large: den}); ok && !slices.Contains(out, pc) {
			out = append(out, pc)
		}
	}
	return out
}
