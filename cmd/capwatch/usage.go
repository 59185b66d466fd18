package main

const commonFlags = `
Data and configuration flags (the dashboard, snapshot, status, analogs and doctor):
  --feed NAME        demo | replay | yahoo | alpaca | stooq | auto (default: the config's feed,
                     else demo); auto: live data with failover (Alpaca when APCA_API_KEY_ID
                     and APCA_API_SECRET_KEY are set, else Yahoo; see failover_after)
  --data DIR         replay: directory of SYMBOL.csv daily files (Date,Open,High,Low,Close[,Adj Close],Volume)
  --as-of DATE       use data up to this trading date, YYYY-MM-DD (dashboard: replay, or demo:
                     the simulated day, so --seed N --as-of DATE shows the same market anywhere)
  --speed X          demo: simulated seconds per second; replay: trading days per second (default 1)
  --seed N           demo: random seed; the same seed gives the same market (default 1)
  --pair SMALL/LARGE the pair to chart, e.g. IWM/QQQ (default: the config's [pair], else IWM/SPY);
                     on the dashboard P cycles it through the confirmation strip's pairs
  --members PATH     breadth: the members list (iShares holdings CSV, a CSV with a Ticker
                     column, or one symbol per line); replay default DIR/members.csv
  --base-url URL     yahoo/stooq/alpaca: override the feed's (REST) base URL (a proxy, a local
                     recording, tests)
  --stream-url URL   alpaca: override the WebSocket stream URL (ws:// or wss://)
  --config PATH      config file (default $CAPWATCH_CONFIG, else <user config dir>/capwatch/config.toml)
  --log-file PATH    log file (default <user cache dir>/capwatch/capwatch.log; never the screen)
  --log-level LEVEL  debug | info | warn | error (default info)
  --version          print the version
  -h, --help         this help
`

const mainUsage = `capwatch — are small caps breaking out and leading large caps?

Usage:
  capwatch [flags]                          the dashboard (q quits, ? shows the keys)
  capwatch snapshot [--format json|text]    compute what the dashboard shows at the latest bar, print it, exit
  capwatch status [--tmux]                  one short line for a tmux status bar (cached for 60 s)
  capwatch analogs [--format table|csv|json] the "Now what?" table of past breakouts and what followed
  capwatch signals [--since DATE] [--flag ID] [--format table|csv|json]
                                            the signal log: every flag change, when and on which bar
  capwatch doctor [--format table|json]     check the config, terminal, clock, feeds, history cache and signal log; say what to do
  capwatch config init [--force]            write a documented example config (never overwrites; --force keeps a .bak)
  capwatch config path                      print the config file capwatch reads
  capwatch help COMMAND                     help for a command
The flags may come before the command too: capwatch --config c.toml snapshot
` + commonFlags + `
Dashboard only:
  --replay-from DATE replay: show the history before DATE, then replay the days from it at --speed days/s
  --signal-log PATH  append flag changes to PATH (default: <state dir>/capwatch/signals.jsonl;
                     demo and replay runs write signals-demo.jsonl / signals-replay.jsonl)
  --alerts           ring alerts with the demo and replay feeds too (they are quiet by default)

Alerts: when a flag confirms (with alerts.on_forming, also when it starts
forming) the dashboard rings the terminal bell, shows the event in the status
line and runs alerts.command if set (see capwatch config init).

Examples:
  capwatch --feed demo                      the simulated market (labelled DEMO); a breakout unfolds within two minutes
  capwatch --feed demo --speed 60           one simulated minute per second
  capwatch --feed replay --data ./csv --replay-from 2024-03-01 --as-of 2024-06-28 --speed 5
  capwatch --feed auto                      live data: Alpaca if its keys are set, else Yahoo, each backing the other up
  capwatch --feed yahoo                     delayed quotes from Yahoo Finance
  capwatch snapshot --feed replay --data ./csv --format json | jq .pair
  capwatch status --tmux                    for tmux: set -g status-right '#(capwatch status --tmux)'

Environment: CAPWATCH_CONFIG names the config file; APCA_API_KEY_ID and
APCA_API_SECRET_KEY are Alpaca's keys; CAPWATCH_STOOQ_API_KEY (or the older
CAPWATCH_API_KEY) Stooq's; keys are never logged or shown; NO_COLOR turns
colours off.

Exit codes: 0 ok, 1 runtime failure (feed down, no data), 2 usage or config error.
`

const snapshotUsage = `Usage: capwatch snapshot [--format json|text] [flags]

Loads the history, computes everything the dashboard would show at the latest
bar (or at --as-of), prints it and exits. With --feed replay the result is
fully offline and deterministic. The JSON is a stable contract (see README):
as_of, feed, session, pair, symbols, flags, sectors, errors, risk, analogs,
notices, breadth, breadth_load, confirmations, rotation, provenance.
A symbol without data is listed under "errors" and the rest still prints.
Without the pair's ratio (a leg has no data) everything still prints, then
it exits 1 with the reason on stderr ("no ratio for IWM/SPY: …").

  --format FORMAT    json (default) or text
` + commonFlags + `
Examples:
  capwatch snapshot --feed replay --data ./csv --as-of 2024-06-28
  capwatch snapshot --feed yahoo --format text
`

const statusUsage = `Usage: capwatch status [--tmux] [--ttl 60s] [flags]

Prints one short line, e.g.
  IWM/SPY 0.3812 ▲0.8% 2/9 ↑50d ↑20dH · open 2h13m · 2 no data
"2/9" counts the confirmed flags of those that could be judged, "2 no data"
the others (as the snapshot counts them). Flags that are on are listed (in
parentheses while only forming on the live bar); demo and replay data are
labelled DEMO and REPLAY; live data older than it should be is marked
"stale 3h". The result is cached under the user cache
directory, so repeated calls within --ttl are instant (a replay's line is
computed again as soon as one of its CSV files changes).

  --tmux             emit tmux colour codes (#[fg=green]…)
  --ttl DURATION     reuse a cached result younger than this (default 60s; 0 disables the cache)
` + commonFlags + `
tmux (~/.tmux.conf):
  set -g status-interval 30
  set -g status-right-length 80
  set -g status-right '#(capwatch status --tmux --feed yahoo)'
`

const analogsUsage = `Usage: capwatch analogs [--format table|csv|json] [flags]

Prints the "Now what?" study: every past breakout of the ratio (a close above
its 200-day average at a 20-day high, at most one per 63 bars) and what
followed 1, 3, 6 and 12 months later, against any day. Past outcomes, not a
forecast.

  --format FORMAT    table (default), csv or json
` + commonFlags + `
Example:
  capwatch analogs --feed replay --data ./csv --format csv > breakouts.csv
`

const configUsage = `Usage:
  capwatch config init [--config PATH] [--force]
  capwatch config path [--config PATH]

init writes a documented example configuration (every value is the default)
to PATH, $CAPWATCH_CONFIG or <user config dir>/capwatch/config.toml. It never
overwrites an existing file; --force replaces it and keeps the old one as
PATH.bak. path prints which file capwatch reads.
`

const signalsUsage = `Usage: capwatch signals [--since YYYY-MM-DD] [--seen-since YYYY-MM-DD] [--flag ID] [--format table|csv|json] [--feed NAME] [--signal-log PATH]

Prints the signal log: every flag state change (off → forming → confirmed →
fading → off) the dashboard has seen, with the flag's value and threshold,
since when it holds, the bar's exchange time, when it was seen and from which
feed, and the rotation map's quadrant changes on weekly closes. Rotated files
(PATH.1, PATH.2, ...) are included, oldest first.

  --since DATE       only changes on bars dated on or after this trading date
                     (the bar_time's date in New York: a replay's lines by the
                     data's date)
  --seen-since DATE  only changes seen on or after this date (local time)
  --flag ID          only this flag: ratio_above_sma50, ratio_above_sma200,
                     ratio_new_high_20d, ratio_new_high_52w, small_above_sma200,
                     small_golden_cross, small_leads_21d, small_volume_surge,
                     sector_breadth, breadth_above_sma50, breadth_thrust;
                     rotation:SECTOR for one rotation entry (rotation:Technology,
                     rotation:pair; any case), rotation for all of them
  --format FORMAT    table (default; value and threshold with the same decimals
                     and the sign between them), csv (with a header row, every
                     digit) or json (one object per line, every field: the
                     log's own format)
  --feed NAME        whose log: yahoo, stooq or auto (the live signals.jsonl), demo
                     or replay (their own files); default: the config's feed
  --signal-log PATH  read this file instead
  --config PATH      config file (alerts.signal_log moves the log)

The log lives in <state dir>/capwatch/: $XDG_STATE_HOME/capwatch (default
~/.local/state/capwatch) on Linux, ~/Library/Application Support/capwatch on
macOS, %LocalAppData%\capwatch on Windows.

Examples:
  capwatch signals --feed yahoo --since 2025-01-01 --format csv > signals.csv
  capwatch signals --feed yahoo --flag ratio_above_sma200 --format json | jq .
  capwatch signals --feed demo --flag rotation:Technology
`

const doctorUsage = `Usage: capwatch doctor [--format table|json] [flags]

Checks what capwatch depends on and says, for each, what is wrong and what to
do: the config file (path, permissions, the settings that differ from the
defaults, which keys are set — never their values — and what the command
line changed), the terminal (size, colour profile, TERM, tmux and its
version, NO_COLOR, light or dark background), the clock (against a server's
Date header), each data feed (one small request: latency, HTTP status, keys
missing, refused keys, a browser check, a rate limit and its wait, a DNS
failure, a host that hangs; replay: the pair's files and every other
symbol's are read as the feed reads them), the history cache (size, symbols,
dates, damaged files) and the signal log (path, writable, lines). It
finishes within 10 s even when every host hangs. The flags below judge the
feed, data and pair they name, as the other commands would use them
(--base-url probes another URL; --stream-url is accepted, doctor probes the
REST API).

  --format FORMAT    table (default) or json
` + commonFlags + `
Examples:
  capwatch doctor --feed replay --data ./csv
  capwatch doctor --feed yahoo --format json | jq .feeds

Exit codes: 0 when the configured feed works (replay: both files of the pair
give bars), 1 otherwise, 2 usage error.
`
