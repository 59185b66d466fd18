// Package config is capwatch's typed configuration: defaults in code, an
// optional TOML file (BurntSushi/toml) that overrides them, validation that
// names the offending key and line, the file lookup order, and the documented
// example file written by `capwatch config init`.
//
// Lookup order: an explicit --config flag, then the CAPWATCH_CONFIG
// environment variable, then os.UserConfigDir()/capwatch/config.toml. A
// missing default file is fine (defaults apply); a missing explicit file is an
// error. Command-line flags override the file.
package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/termsafe"
)

// Feed names.
const (
	FeedDemo   = "demo"
	FeedReplay = "replay"
	FeedYahoo  = "yahoo"
	FeedStooq  = "stooq"
	// FeedAuto: live data from the best source available, with failover
	// (Alpaca when its keys are set, else Yahoo; see feeds/failover).
	FeedAuto = "auto"
	// FeedAlpaca: Alpaca's market data (a free key; WebSocket + REST).
	FeedAlpaca = "alpaca"
)

// Feeds lists the valid feed names.
func Feeds() []string {
	return []string{FeedDemo, FeedReplay, FeedYahoo, FeedStooq, FeedAlpaca, FeedAuto}
}

// DefaultFailoverAfter is how long the source in use may be down before
// feed "auto" tries the next one.
const DefaultFailoverAfter = 2 * time.Minute

// Sector presets.
const (
	PresetSmallCap = "smallcap"
	PresetIndustry = "industry"
)

// Palettes lists the valid dashboard palettes.
func Palettes() []string { return []string{"default", "colorblind"} }

// Config is the whole configuration (the TOML file's shape).
type Config struct {
	Feed string `toml:"feed"` // demo | replay | yahoo | stooq | auto
	// FailoverAfter: with feed "auto", how long the source in use may be
	// down before the next one that answers takes over.
	FailoverAfter time.Duration     `toml:"failover_after"`
	Palette       string            `toml:"palette"` // default | colorblind
	Pair          Pair              `toml:"pair"`
	Watchlist     Watchlist         `toml:"watchlist"`
	Sectors       Sectors           `toml:"sectors"`
	Thresholds    engine.Thresholds `toml:"thresholds"`
	Rotation      Rotation          `toml:"rotation"`
	Poll          Poll              `toml:"poll"`
	Feeds         FeedsConfig       `toml:"feeds"`
	Alerts        Alerts            `toml:"alerts"`
	Log           Log               `toml:"log"`
	Breadth       Breadth           `toml:"breadth"`
	// Confirm is the confirmation strip ([[confirm]]); its pairs are also
	// the pairs the pair key cycles through.
	Confirm []breadth.ConfirmSpec `toml:"confirm"`
}

// Breadth configures the breadth panel's member universe.
type Breadth struct {
	// Universe is "iwm" (the Russell 2000 through IWM's holdings), "ijr"
	// (the S&P SmallCap 600 through IJR's), a members file's path, or "off".
	// The demo has its own synthetic members; replay reads DIR/members.csv.
	Universe   string  `toml:"universe"`
	AboveSMA50 float64 `toml:"above_sma50"` // breadth_above_sma50: % of members above their 50-day average
	MaxBars    int     `toml:"max_bars"`    // daily bars kept per member
}

// BreadthOff is the universe value that turns breadth off.
const BreadthOff = "off"

// Alerts configures the alerts rung when a breakout flag changes state, and
// the signal log every run records those changes in.
type Alerts struct {
	// Enabled rings alerts for live feeds (yahoo, stooq). Demo and replay runs
	// are quiet unless --alerts is given; every run records its signals.
	Enabled   bool `toml:"enabled"`
	OnForming bool `toml:"on_forming"` // also alert when a flag starts forming (default: confirmations only)
	OnFading  bool `toml:"on_fading"`  // also alert when a confirmed flag starts fading (default: off)
	// Dwell is how long (exchange time) a forming or fading change must
	// hold, or until the close, before it is recorded and may ring; changes
	// on closed bars are never delayed. 0 = at once.
	Dwell time.Duration `toml:"dwell"`
	// Command is run on each alert (argv, never through a shell) with the
	// message appended as the last argument, e.g. ["notify-send", "capwatch"].
	Command []string      `toml:"command"`
	Timeout time.Duration `toml:"timeout"` // the command is killed after this
	// Every limits forming and fading alerts: each at most once per flag
	// per this period of exchange time (the data's clock, like Dwell).
	// Confirmations always ring. 0 = no limit.
	Every time.Duration `toml:"every"`
	// SignalLog overrides the live signal log's path; demo and replay runs
	// write signals-demo.jsonl / signals-replay.jsonl beside it.
	SignalLog string `toml:"signal_log"`
}

// Pair is the small-cap / large-cap pair whose ratio is charted.
type Pair struct {
	Small string `toml:"small"`
	Large string `toml:"large"`
}

// Watchlist holds extra symbols shown beside the pair.
type Watchlist struct {
	Symbols []string `toml:"symbols"`
}

// Rotation sets the rotation map (a JdK-style relative rotation graph on
// weekly closes).
type Rotation struct {
	Window int `toml:"window"` // N: weeks of the SMA/STDDEV behind rs-ratio and rs-momentum
	Tail   int `toml:"tail"`   // T: weekly points in each tail (the dashboard's keys change it on screen)
}

// Sectors chooses the sector pairs: a preset, or explicit pairs that replace it.
type Sectors struct {
	Preset string              `toml:"preset"` // smallcap (default) | industry
	Pairs  []engine.SectorPair `toml:"pairs"`  // when non-empty, replaces the preset
}

// Poll holds the data intervals.
type Poll struct {
	Open       time.Duration `toml:"open"`        // network quote poll while the market is open
	Closed     time.Duration `toml:"closed"`      // poll interval otherwise
	StaleAfter time.Duration `toml:"stale_after"` // data older than this is marked stale (0 = never)
}

// FeedsConfig holds per-feed options.
type FeedsConfig struct {
	Demo   DemoFeed   `toml:"demo"`
	Replay ReplayFeed `toml:"replay"`
	Yahoo  NetFeed    `toml:"yahoo"`
	Stooq  NetFeed    `toml:"stooq"`
	Alpaca AlpacaFeed `toml:"alpaca"`
}

// AlpacaFeed configures the Alpaca market-data feed. The keys are usually
// taken from the environment (APCA_API_KEY_ID, APCA_API_SECRET_KEY), which
// overrides the file; they are never logged or shown.
type AlpacaFeed struct {
	BaseURL      string `toml:"base_url"`      // REST (historical bars)
	StreamURL    string `toml:"stream_url"`    // WebSocket; /v2/<feed> is added when it has no path
	Feed         string `toml:"feed"`          // iex (free) | sip (paid) | delayed_sip (15 minutes late, consolidated)
	KeyID        Secret `toml:"key_id"`        // APCA_API_KEY_ID
	SecretKey    Secret `toml:"secret_key"`    // APCA_API_SECRET_KEY
	TradeSymbols int    `toml:"trade_symbols"` // symbols whose trades are streamed (the free plan allows 30; 0 = 30)
}

// DemoFeed configures the simulated market.
type DemoFeed struct {
	Seed  int64   `toml:"seed"`
	Speed float64 `toml:"speed"` // simulated seconds per wall second
}

// ReplayFeed configures CSV replay.
type ReplayFeed struct {
	Data  string  `toml:"data"`  // directory of SYMBOL.csv files
	Speed float64 `toml:"speed"` // replayed trading days per second
}

// NetFeed configures a network feed.
type NetFeed struct {
	BaseURL string `toml:"base_url"`
	APIKey  Secret `toml:"api_key"` // Stooq: its download key (apikey parameter); never logged
}

// Log configures the log file.
type Log struct {
	File  string `toml:"file"`  // default: os.UserCacheDir()/capwatch/capwatch.log
	Level string `toml:"level"` // debug | info | warn | error
}

// Secret is a string that never appears in logs or %v output.
type Secret string

// String redacts the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// LogValue redacts the secret in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Reveal returns the secret itself (for the feed that needs it).
func (s Secret) Reveal() string { return string(s) }

// Default base URLs of the network feeds.
const (
	DefaultYahooURL        = "https://query1.finance.yahoo.com"
	DefaultStooqURL        = "https://stooq.com"
	DefaultAlpacaURL       = "https://data.alpaca.markets"
	DefaultAlpacaStreamURL = "wss://stream.data.alpaca.markets"
)

// Default returns the built-in configuration.
func Default() Config {
	ec := engine.DefaultConfig()
	return Config{
		Feed:          FeedDemo,
		FailoverAfter: DefaultFailoverAfter,
		Palette:       "default",
		Pair:          Pair{Small: ec.Small, Large: ec.Large},
		Watchlist:     Watchlist{Symbols: append([]string(nil), ec.Extras...)},
		Sectors:       Sectors{Preset: PresetSmallCap},
		Thresholds:    ec.Thresholds,
		Rotation:      Rotation{Window: rotation.DefaultWindow, Tail: rotation.DefaultTail},
		Poll:          Poll{Open: 15 * time.Second, Closed: 5 * time.Minute, StaleAfter: 0},
		Feeds: FeedsConfig{
			Demo:   DemoFeed{Seed: 1, Speed: 1},
			Replay: ReplayFeed{Speed: 1},
			Yahoo:  NetFeed{BaseURL: DefaultYahooURL},
			Stooq:  NetFeed{BaseURL: DefaultStooqURL},
			Alpaca: AlpacaFeed{BaseURL: DefaultAlpacaURL, StreamURL: DefaultAlpacaStreamURL, Feed: "iex", TradeSymbols: 30},
		},
		Alerts:  Alerts{Enabled: true, Timeout: 10 * time.Second, Every: 30 * time.Minute, Dwell: 5 * time.Minute},
		Log:     Log{Level: "info"},
		Breadth: Breadth{Universe: "iwm", AboveSMA50: breadth.DefaultAboveSMA50, MaxBars: breadth.DefaultMaxBars},
		Confirm: defaultConfirms(),
	}
}

// defaultConfirms is the default strip, normalised (ids and labels set).
func defaultConfirms() []breadth.ConfirmSpec {
	c, err := breadth.NormalizeConfirms(breadth.DefaultConfirms())
	if err != nil {
		panic("config: default confirmations: " + err.Error())
	}
	return c
}

// ConfirmSymbols are the symbols the confirmation strip's pairs need.
func (c Config) ConfirmSymbols() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range c.Confirm {
		if num, den, ok := s.Legs(); ok {
			for _, x := range []string{num, den} {
				if !seen[x] {
					seen[x] = true
					out = append(out, x)
				}
			}
		}
	}
	return out
}

// SectorPairs returns the sector pairs in effect: explicit pairs, else the preset.
func (c Config) SectorPairs() []engine.SectorPair {
	if len(c.Sectors.Pairs) > 0 {
		return append([]engine.SectorPair(nil), c.Sectors.Pairs...)
	}
	if c.Sectors.Preset == PresetIndustry {
		return engine.IndustrySectors()
	}
	return engine.DefaultSectors()
}

// Engine returns the engine configuration.
func (c Config) Engine() engine.Config {
	ec := engine.DefaultConfig()
	ec.Small = c.Pair.Small
	ec.Large = c.Pair.Large
	ec.Extras = append([]string(nil), c.Watchlist.Symbols...)
	ec.Sectors = c.SectorPairs()
	ec.Thresholds = c.Thresholds
	ec.StaleAfter = c.Poll.StaleAfter
	ec.Rotation = rotation.Config{Window: c.Rotation.Window, Tail: c.Rotation.Tail}
	ec.Confirm = c.ConfirmSymbols()
	return ec
}

// FieldError is an invalid value, named by its TOML key. Index is the
// occurrence of the key in an array of tables (0 otherwise).
type FieldError struct {
	Key   string
	Index int
	Msg   string
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

func fieldErr(key string, idx int, format string, args ...any) *FieldError {
	return &FieldError{Key: key, Index: idx, Msg: fmt.Sprintf(format, args...)}
}

const symbolHint = "is not a valid symbol (use upper-case letters, digits, '.', '-', '^' or '=', at most 15 characters)"

// Normalize trims and upper-cases every symbol and lower-cases enum values.
func (c *Config) Normalize() {
	up := func(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
	c.Pair.Small = up(c.Pair.Small)
	c.Pair.Large = up(c.Pair.Large)
	for i := range c.Watchlist.Symbols {
		c.Watchlist.Symbols[i] = up(c.Watchlist.Symbols[i])
	}
	for i := range c.Sectors.Pairs {
		c.Sectors.Pairs[i].Small = up(c.Sectors.Pairs[i].Small)
		c.Sectors.Pairs[i].Large = up(c.Sectors.Pairs[i].Large)
		c.Sectors.Pairs[i].Name = strings.TrimSpace(c.Sectors.Pairs[i].Name)
	}
	low := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	c.Feed = low(c.Feed)
	c.Palette = low(c.Palette)
	c.Sectors.Preset = low(c.Sectors.Preset)
	c.Log.Level = low(c.Log.Level)
	if len(c.Alerts.Command) == 0 {
		c.Alerts.Command = nil // command = [] is the default: no command
	}
	c.Alerts.SignalLog = strings.TrimSpace(c.Alerts.SignalLog)
	c.Breadth.Universe = strings.TrimSpace(c.Breadth.Universe)
	if u := strings.ToLower(c.Breadth.Universe); u == "iwm" || u == "ijr" || u == BreadthOff || u == "" {
		c.Breadth.Universe = u
	}
	for i, s := range c.Confirm {
		if n, err := s.Normalize(); err == nil {
			c.Confirm[i] = n // else Validate names the problem
		}
	}
}

// Validate checks every value and says which key is wrong and why. It
// returns a *FieldError.
func (c Config) Validate() error {
	if !oneOf(c.Feed, Feeds()) {
		return fieldErr("feed", 0, "%q is not a feed (use %s)", c.Feed, strings.Join(Feeds(), ", "))
	}
	if c.FailoverAfter < 5*time.Second || c.FailoverAfter > 24*time.Hour {
		return fieldErr("failover_after", 0, "%v must be between 5s and 24h", c.FailoverAfter)
	}
	if !oneOf(c.Palette, Palettes()) {
		return fieldErr("palette", 0, "%q is not a palette (use %s)", c.Palette, strings.Join(Palettes(), ", "))
	}
	if !engine.ValidSymbol(c.Pair.Small) {
		return fieldErr("pair.small", 0, "%q %s", c.Pair.Small, symbolHint)
	}
	if !engine.ValidSymbol(c.Pair.Large) {
		return fieldErr("pair.large", 0, "%q %s", c.Pair.Large, symbolHint)
	}
	if c.Pair.Small == c.Pair.Large {
		return fieldErr("pair.large", 0, "%q is also pair.small; the pair needs two different symbols", c.Pair.Large)
	}
	for _, s := range c.Watchlist.Symbols {
		if !engine.ValidSymbol(s) {
			return fieldErr("watchlist.symbols", 0, "%q %s", s, symbolHint)
		}
	}
	if !oneOf(c.Sectors.Preset, []string{PresetSmallCap, PresetIndustry}) {
		return fieldErr("sectors.preset", 0, "%q is not a preset (use smallcap or industry)", c.Sectors.Preset)
	}
	for i, p := range c.Sectors.Pairs {
		if p.Name == "" {
			return fieldErr("sectors.pairs.name", i, "sector pair %d has no name", i+1)
		}
		if termsafe.Line(p.Name, 0) != p.Name {
			// Shown on the dashboard and printed by snapshot: one plain line.
			return fieldErr("sectors.pairs.name", i, "%q has control characters or extra spaces; use one plain line", p.Name)
		}
		if !engine.ValidSymbol(p.Large) {
			return fieldErr("sectors.pairs.large", i, "%q %s", p.Large, symbolHint)
		}
		if !engine.ValidSymbol(p.Small) {
			return fieldErr("sectors.pairs.small", i, "%q %s", p.Small, symbolHint)
		}
	}
	t := c.Thresholds
	switch {
	case t.SmallLeadsPts < 0:
		return fieldErr("thresholds.small_leads_pts", 0, "%v must be ≥ 0", t.SmallLeadsPts)
	case t.VolumeSurgeRVOL <= 0:
		return fieldErr("thresholds.volume_surge_rvol", 0, "%v must be > 0", t.VolumeSurgeRVOL)
	case t.SectorBreadth < 0 || t.SectorBreadth > 1:
		return fieldErr("thresholds.sector_breadth", 0, "%v must be a share between 0 and 1", t.SectorBreadth)
	case t.Hysteresis < 0 || t.Hysteresis >= 1:
		return fieldErr("thresholds.hysteresis", 0, "%v must be ≥ 0 and < 1 (a relative band, e.g. 0.002)", t.Hysteresis)
	case t.ThinDollarVolume < 0:
		return fieldErr("thresholds.thin_dollar_volume", 0, "%v must be ≥ 0", t.ThinDollarVolume)
	}
	if r := c.Rotation; r.Window < 2 || r.Window > rotation.MaxWindow {
		return fieldErr("rotation.window", 0, "%d weeks is out of range (2…%d, default %d)", r.Window, rotation.MaxWindow, rotation.DefaultWindow)
	}
	if r := c.Rotation; r.Tail < 1 || r.Tail > rotation.DefaultKeep {
		return fieldErr("rotation.tail", 0, "%d points is out of range (1…%d, default %d)", r.Tail, rotation.DefaultKeep, rotation.DefaultTail)
	}
	if c.Poll.Open < time.Second {
		return fieldErr("poll.open", 0, "%v is too short (at least 1s)", c.Poll.Open)
	}
	if c.Poll.Closed < time.Second {
		return fieldErr("poll.closed", 0, "%v is too short (at least 1s)", c.Poll.Closed)
	}
	if c.Poll.StaleAfter < 0 {
		return fieldErr("poll.stale_after", 0, "%v must be ≥ 0 (0 = never stale)", c.Poll.StaleAfter)
	}
	if err := CheckSpeed(c.Feeds.Demo.Speed); err != nil {
		return fieldErr("feeds.demo.speed", 0, "%v", err)
	}
	if err := CheckSpeed(c.Feeds.Replay.Speed); err != nil {
		return fieldErr("feeds.replay.speed", 0, "%v", err)
	}
	if err := CheckBaseURL(c.Feeds.Yahoo.BaseURL); err != nil {
		return fieldErr("feeds.yahoo.base_url", 0, "%v", err)
	}
	if err := CheckBaseURL(c.Feeds.Stooq.BaseURL); err != nil {
		return fieldErr("feeds.stooq.base_url", 0, "%v", err)
	}
	if err := CheckBaseURL(c.Feeds.Alpaca.BaseURL); err != nil {
		return fieldErr("feeds.alpaca.base_url", 0, "%v", err)
	}
	if err := CheckStreamURL(c.Feeds.Alpaca.StreamURL); err != nil {
		return fieldErr("feeds.alpaca.stream_url", 0, "%v", err)
	}
	if !oneOf(c.Feeds.Alpaca.Feed, []string{"iex", "sip", "delayed_sip"}) {
		return fieldErr("feeds.alpaca.feed", 0, "%q is not an Alpaca feed (use iex, sip or delayed_sip)", c.Feeds.Alpaca.Feed)
	}
	if c.Feeds.Alpaca.TradeSymbols < 0 || c.Feeds.Alpaca.TradeSymbols > 10000 {
		return fieldErr("feeds.alpaca.trade_symbols", 0, "%d must be between 0 and 10000", c.Feeds.Alpaca.TradeSymbols)
	}
	if err := c.Alerts.validate(); err != nil {
		return err
	}
	if !oneOf(c.Log.Level, []string{"debug", "info", "warn", "error"}) {
		return fieldErr("log.level", 0, "%q is not a level (use debug, info, warn or error)", c.Log.Level)
	}
	if c.Breadth.Universe == "" {
		return fieldErr("breadth.universe", 0, "is empty (use \"iwm\", \"ijr\", a members file's path, or \"off\")")
	}
	if strings.ContainsFunc(c.Breadth.Universe, unicode.IsControl) {
		return fieldErr("breadth.universe", 0, "contains control characters")
	}
	if a := c.Breadth.AboveSMA50; !(a > 0 && a <= 100) {
		return fieldErr("breadth.above_sma50", 0, "%v must be a percentage above 0 and at most 100", a)
	}
	if c.Breadth.MaxBars < 253 {
		return fieldErr("breadth.max_bars", 0, "%d is too few (at least 253, for the 52-week highs and lows)", c.Breadth.MaxBars)
	}
	seen := map[string]int{}
	for i, s := range c.Confirm {
		n, err := s.Normalize()
		if err != nil {
			key := "confirm.kind"
			switch {
			case strings.Contains(err.Error(), "symbols"):
				key = "confirm.symbols"
			case strings.Contains(err.Error(), "series"):
				key = "confirm.series"
			case strings.HasPrefix(err.Error(), "id"):
				key = "confirm.id"
			}
			return fieldErr(key, i, "[[confirm]] %d: %s", i+1, strings.TrimSuffix(err.Error(), ": "+breadth.ErrConfirm.Error()))
		}
		if j, dup := seen[n.ID]; dup {
			return fieldErr("confirm.kind", i, "[[confirm]] %d: id %q is also item %d's; give one an id", i+1, n.ID, j+1)
		}
		seen[n.ID] = i
	}
	return nil
}

func (a Alerts) validate() error {
	if len(a.Command) > 0 && strings.TrimSpace(a.Command[0]) == "" {
		return fieldErr("alerts.command", 0, "the first element (the program) is empty")
	}
	for i, arg := range a.Command {
		if strings.ContainsRune(arg, 0) {
			return fieldErr("alerts.command", 0, "element %d contains a NUL byte", i+1)
		}
	}
	if a.Timeout < time.Second {
		return fieldErr("alerts.timeout", 0, "%v is too short (at least 1s, e.g. \"10s\")", a.Timeout)
	}
	if a.Every < 0 {
		return fieldErr("alerts.every", 0, "%v must be ≥ 0 (0 = no rate limit)", a.Every)
	}
	if a.Dwell < 0 || a.Dwell > 24*time.Hour {
		return fieldErr("alerts.dwell", 0, "%v must be between 0s (record at once) and 24h", a.Dwell)
	}
	return nil
}

// CheckBaseURL reports whether u is an absolute http(s) URL.
func CheckBaseURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL (e.g. https://query1.finance.yahoo.com)", u)
	}
	return nil
}

// CheckStreamURL reports whether u is an absolute ws(s) URL.
func CheckStreamURL(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "ws" && p.Scheme != "wss") || p.Host == "" {
		return fmt.Errorf("%q is not a ws(s) URL (e.g. wss://stream.data.alpaca.markets)", u)
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

// MaxSpeed bounds --speed and feeds.*.speed: 100,000 simulated seconds (or
// replayed days) per second is far past any use and keeps pacing sane.
const MaxSpeed = 100_000

// CheckSpeed accepts a finite speed in (0, MaxSpeed].
func CheckSpeed(v float64) error {
	if !(v > 0) || v > MaxSpeed {
		return fmt.Errorf("%v must be > 0 and at most %d", v, MaxSpeed)
	}
	return nil
}
