package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Example is the documented example configuration written by
// `capwatch config init`. Every value in it is the built-in default, so the
// file changes nothing until it is edited (a test checks this).
const Example = `# capwatch configuration (TOML).
# Lookup order: --config PATH, then $CAPWATCH_CONFIG, then this default path.
# Command-line flags override what is set here. Every value below is the
# built-in default; delete a line to keep the default.

# Data source: "auto" for live data (Alpaca when its keys are set, else
# Yahoo; when the source in use has been down for failover_after, the next
# one that answers takes over until it is back), "demo" (simulated market,
# labelled DEMO), "replay" (CSV files), "alpaca" (Alpaca market data,
# real time; free keys), "yahoo" (Yahoo Finance, delayed quotes) or "stooq"
# (daily closes only; not recommended: Stooq now asks programs for a
# browser check or an API key).
feed = "demo"
failover_after = "2m0s"

# Dashboard colours: "default" or "colorblind" (blue/orange). NO_COLOR is honoured.
palette = "default"

# The pair whose ratio (small ÷ large) is charted and flagged.
[pair]
small = "IWM"
large = "SPY"

# Extra symbols shown beside the pair.
[watchlist]
symbols = ["QQQ", "DIA", "MDY"]

# Sector pairs: "smallcap" = S&P SmallCap 600 sector ETFs (PSCT, PSCH, ...)
# against the Select Sector SPDRs (XLK, XLV, ...); "industry" = liquid
# equal-weighted industry ETFs (XBI vs XLV, KRE vs XLF, XOP vs XLE, ...).
[sectors]
preset = "smallcap"
# Explicit pairs replace the preset, e.g.:
# [[sectors.pairs]]
# name = "Biotech"
# large = "XLV"
# small = "XBI"

# Breakout flag thresholds.
[thresholds]
small_leads_pts = 2.0        # small_leads_21d: small beats large over 21 days by this many points
volume_surge_rvol = 1.5      # small_volume_surge: volume ÷ 20-day average volume
sector_breadth = 0.6         # sector_breadth: share of sector pairs where small leads (0..1)
hysteresis = 0.0             # relative band around thresholds against flicker (e.g. 0.002)
thin_dollar_volume = 5000000.0  # a sector's small ETF trading less $/day (20-day mean) is marked thin

# Rotation map: a JdK-style relative rotation graph of each sector on weekly
# closes (rs-ratio = 100 + z-score of relative strength over N weeks,
# rs-momentum = 100 + z-score of its weekly change over N weeks).
[rotation]
window = 10   # N, weeks (2…104)
tail = 8      # T, weekly points per tail in the JSON and at start (1…26; - and + change it on screen)

# Poll intervals of the network feeds, and when data counts as stale.
[poll]
open = "15s"        # while the market is open
closed = "5m0s"     # otherwise
stale_after = "0s"  # mark a symbol stale when its data is older than this ("0s" = off)

[feeds.demo]
seed = 1      # same seed, same market
speed = 1.0   # simulated seconds per second

[feeds.replay]
data = ""     # directory of SYMBOL.csv daily files (Date,Open,High,Low,Close[,Adj Close],Volume)
speed = 1.0   # replayed trading days per second

[feeds.yahoo]
base_url = "https://query1.finance.yahoo.com"
# api_key = ""   # reserved for paid feeds; never logged

# Stooq is not recommended: since 2026 its download answers programs with a
# browser check or asks for an API key (obtained on stooq.com behind a
# captcha). A key goes here or in CAPWATCH_STOOQ_API_KEY; it is never shown.
[feeds.stooq]
base_url = "https://stooq.com"
# api_key = ""

# Alpaca market data (--feed alpaca): a free account's keys are enough (no
# funding needed). Set APCA_API_KEY_ID and APCA_API_SECRET_KEY in the
# environment (they override key_id/secret_key here, which are never shown).
[feeds.alpaca]
base_url = "https://data.alpaca.markets"
stream_url = "wss://stream.data.alpaca.markets"
feed = "iex"          # iex (free, one venue), sip (paid, consolidated), delayed_sip (15 minutes late)
trade_symbols = 30    # symbols whose trades stream (the free plan allows 30); bars stream for all
# key_id = ""
# secret_key = ""

# Alerts: when a breakout flag confirms, the dashboard rings the terminal bell
# (tmux then marks the window), shows the event in the status line and runs
# the command, if any. Every flag change is recorded in the signal log
# (` + "`capwatch signals`" + ` prints it). Demo and replay runs are quiet unless
# --alerts is given, and record to their own files.
[alerts]
enabled = true      # alerts for live feeds (yahoo, stooq)
on_forming = false  # also alert when a flag starts forming on the live bar
on_fading = false   # also alert when a confirmed flag starts fading (fails on the live bar)
dwell = "5m0s"      # a forming/fading change is recorded (and rings) once it held this long, or to the close ("0s" = at once)
command = []        # argv, never run through a shell; the message is added last, e.g. ["notify-send", "capwatch"]
timeout = "10s"     # the command is killed after this
every = "30m0s"     # forming (fading) alerts: at most one per flag per this period of exchange time ("0s" = no limit); confirmations always ring
signal_log = ""     # default: <state dir>/capwatch/signals.jsonl (demo: signals-demo.jsonl beside it)

[log]
file = ""        # default: <user cache dir>/capwatch/capwatch.log
level = "info"   # debug | info | warn | error

# Breadth: is the whole small-cap market joining the breakout? From the
# members' own daily bars: % above their 50/200-day averages, new 52-week
# highs and lows, the advance/decline line, Zweig's breadth thrust, equal-
# against cap-weight. The members list is today's (survivorship-biased).
# Live feeds load members' history in the background (Yahoo: at most one
# request a second, once a day per member, cached). The demo has 600
# synthetic members; replay reads DIR/members.csv (or --members PATH).
[breadth]
universe = "iwm"     # "iwm" (IWM's holdings: Russell 2000), "ijr" (S&P SmallCap 600), a members file, or "off"
above_sma50 = 60.0   # breadth_above_sma50 flag: % of members above their 50-day average
max_bars = 1260      # daily bars kept per member (~5 years)

# The confirmation strip: each item confirms or diverges the main pair. A
# pair or credit ratio confirms above its 50-day average; a yield (FRED
# series, no key, fetched once a day) when it fell over 21 trading days.
# The pairs are also what the pair key cycles the main pair through.
# Writing any [[confirm]] replaces the whole list; "confirm = []" turns it off.
[[confirm]]
kind = "pair"
symbols = "IWM/QQQ"

[[confirm]]
kind = "pair"
symbols = "IJR/SPY"

[[confirm]]
kind = "pair"
symbols = "RSP/SPY"

[[confirm]]
kind = "pair"
symbols = "IWC/IWM"

[[confirm]]
kind = "credit"
symbols = "HYG/LQD"

[[confirm]]
kind = "yield"
series = "DGS2"   # FRED's 2-year Treasury yield
`

// WriteExample writes Example to path. It never overwrites an existing
// file unless force is set, in which case the old file is first renamed to
// path+".bak" (returned as backup). The file is written atomically with mode
// 0600, in a directory created with mode 0700 if needed.
func WriteExample(path string, force bool) (backup string, err error) {
	if path == "" {
		return "", errors.New("config init: no config path (set --config or CAPWATCH_CONFIG)")
	}
	if _, err := os.Lstat(path); err == nil {
		if !force {
			return "", fmt.Errorf("config init: %s already exists; not overwriting it (use --force to replace it and keep a .bak copy)", path)
		}
		backup = path + ".bak"
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("config init: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("config init: create %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".config-*.toml")
	if err != nil {
		return "", fmt.Errorf("config init: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.WriteString(Example); err != nil {
		tmp.Close()
		return "", fmt.Errorf("config init: write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", fmt.Errorf("config init: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("config init: %w", err)
	}
	if backup != "" {
		if err := os.Rename(path, backup); err != nil {
			return "", fmt.Errorf("config init: keep backup %s: %w", backup, err)
		}
	}
	// Link (not rename) so that a file created meanwhile is never clobbered.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("config init: %s already exists; not overwriting it", path)
		}
		return "", fmt.Errorf("config init: %w", err)
	}
	return backup, nil
}
