package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/alpaca"
	"github.com/capwatch/capwatch/feeds/demo"
	"github.com/capwatch/capwatch/feeds/failover"
	"github.com/capwatch/capwatch/feeds/histcache"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/feeds/replay"
	"github.com/capwatch/capwatch/feeds/stooq"
	"github.com/capwatch/capwatch/feeds/yahoo"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/config"
)

// newFeed builds the configured feed. live is true for the dashboard (the
// feed will stream), false for one-shot commands (history only).
func newFeed(c *command, live bool) (feeds.Feed, error) {
	cfg := c.cfg
	ec := cfg.Engine()
	switch cfg.Feed {
	case config.FeedDemo:
		o := demo.Options{
			Seed: cfg.Feeds.Demo.Seed, Speed: cfg.Feeds.Demo.Speed, Symbols: ec.Symbols(),
			Clock: c.e.Clock, Small: ec.Small, Large: ec.Large,
		}
		if !c.asOf.IsZero() {
			// --as-of picks the simulated day: its 09:30 open (the last
			// trading day on or before the date), history to the day before.
			// With --seed the market, dates included, is the same on any day.
			cal := calendar.NYSE()
			d := c.asOf
			if _, _, ok := cal.Session(d); !ok {
				d = cal.PrevTradingDate(d)
			}
			o.Start, _, _ = cal.Session(d)
		}
		f, err := demo.New(o)
		if err != nil {
			return nil, usagef("%v", err)
		}
		return f, nil
	case config.FeedReplay:
		o := replay.Options{Dir: cfg.Feeds.Replay.Data, AsOf: c.asOf, Speed: cfg.Feeds.Replay.Speed, Clock: c.e.Clock}
		if live {
			o.ReplayFrom = c.replayFrom
		}
		f, err := replay.New(o)
		if err != nil {
			return nil, usagef("%v (%s)", err, checkData(c))
		}
		return f, nil
	case config.FeedYahoo:
		// The full history feeds the "Now what?" study. With the history
		// cache it is fetched once and extended incrementally after that;
		// without a cache directory the status line asks only for what the
		// 200-day averages need.
		rng := "max"
		if c.name == "status" && c.e.CacheDir == "" {
			rng = "2y"
		}
		f, err := yahoo.New(yahoo.Options{FeedOptions: httpx.FeedOptions{
			BaseURL: cfg.Feeds.Yahoo.BaseURL, Client: c.e.HTTP, Clock: c.e.Clock, Calendar: calendar.NYSE(),
			PollOpen: cfg.Poll.Open, PollClosed: cfg.Poll.Closed, MaxRetryWait: retryWait(live),
		}, HistoryRange: rng})
		if err != nil {
			return nil, usagef("%v", err)
		}
		return withHistoryCache(c, f)
	case config.FeedStooq:
		f, err := stooq.New(stooq.Options{FeedOptions: httpx.FeedOptions{
			BaseURL: cfg.Feeds.Stooq.BaseURL, Client: c.e.HTTP, Clock: c.e.Clock, Calendar: calendar.NYSE(),
			MaxRetryWait: retryWait(live),
		}, APIKey: cfg.Feeds.Stooq.APIKey.Reveal()})
		if err != nil {
			return nil, usagef("%v", err)
		}
		return withHistoryCache(c, f)
	case config.FeedAuto:
		return autoFeed(c, live)
	case config.FeedAlpaca:
		return newAlpaca(c, cfg)
	}
	return nil, fmt.Errorf("feed %s: not available in this build", cfg.Feed)
}

// oneShotRetryWait is the longest a one-shot command (snapshot, analogs,
// status) waits before asking for a symbol's history again: a service that
// asks for longer (HTTP 429 with Retry-After 20) is reported at once, so the
// command exits within its 15 s (README) instead of waiting 20 s twice.
const oneShotRetryWait = 5 * time.Second

// retryWait is the feeds' MaxRetryWait: their default for the dashboard
// (it keeps running), oneShotRetryWait for a one-shot command.
func retryWait(live bool) time.Duration {
	if live {
		return 0
	}
	return oneShotRetryWait
}

// autoSources is feed "auto"'s order of preference: Alpaca when its keys
// are set, then Yahoo.
func autoSources(c *command) []string {
	// The keys come from APCA_API_KEY_ID/APCA_API_SECRET_KEY or the config
	// (config.Load puts the environment's over the file's).
	if a := c.cfg.Feeds.Alpaca; a.KeyID != "" && a.SecretKey != "" {
		return []string{config.FeedAlpaca, config.FeedYahoo}
	}
	return []string{config.FeedYahoo}
}

// autoFeed builds feed "auto": the sources of autoSources (each with its
// own history cache) behind feeds/failover.
func autoFeed(c *command, live bool) (feeds.Feed, error) {
	var srcs []feeds.Feed
	for _, name := range autoSources(c) {
		sub := *c
		sub.cfg.Feed = name
		f, err := newFeed(&sub, live)
		if err != nil {
			// A source this build cannot make is left out (said in the log);
			// the others still back each other up.
			c.log.Warn("feed auto: source left out", "source", name, "err", err)
			continue
		}
		srcs = append(srcs, f)
	}
	f, err := failover.New(failover.Options{Sources: srcs, After: c.cfg.FailoverAfter, Clock: c.e.Clock, Log: c.log})
	if err != nil {
		return nil, fmt.Errorf("feed auto: %w", err)
	}
	return f, nil
}

// newAlpaca builds the Alpaca feed. Its daily history starts in 2016; the
// years before come from Yahoo through the history cache (the analog study
// wants the whole record), and the provenance says which part came from
// where. The keys come from the environment or the config, never a flag.
func newAlpaca(c *command, cfg config.Config) (feeds.Feed, error) {
	a := cfg.Feeds.Alpaca
	if a.KeyID == "" || a.SecretKey == "" {
		return nil, usagef("--feed alpaca needs an API key: set %s and %s (a free Alpaca account is enough; no funding needed)",
			config.AlpacaKeyIDEnvVar, config.AlpacaSecretEnvVar)
	}
	o := alpaca.Options{
		FeedOptions: httpx.FeedOptions{BaseURL: a.BaseURL, Client: c.e.HTTP, Clock: c.e.Clock, Calendar: calendar.NYSE()},
		KeyID:       a.KeyID.Reveal(), SecretKey: a.SecretKey.Reveal(), StreamURL: a.StreamURL, Feed: a.Feed,
		TradeSymbols: a.TradeSymbols, TradeFirst: []string{cfg.Pair.Small, cfg.Pair.Large}, Logger: c.log,
	}
	if c.e.CacheDir != "" && c.name != "status" {
		y, err := yahoo.New(yahoo.Options{FeedOptions: httpx.FeedOptions{
			BaseURL: cfg.Feeds.Yahoo.BaseURL, Client: c.e.HTTP, Clock: c.e.Clock, Calendar: calendar.NYSE(),
			MaxRetryWait: retryWait(c.name == ""),
		}, HistoryRange: "max"})
		if err != nil {
			return nil, usagef("%v", err)
		}
		deep, err := withHistoryCache(c, y)
		if err != nil {
			return nil, err
		}
		o.Deep, o.DeepName = deep, "yahoo"
	}
	f, err := alpaca.New(o)
	if err != nil {
		return nil, usagef("%v", err)
	}
	return f, nil
}

// withHistoryCache keeps a network feed's daily history on disk under the
// user cache directory (fetched in full once, extended incrementally after
// that). Without a cache directory the feed is used as it is.
//
// `capwatch status` (run by tmux every few seconds) asks the network only
// for what its line needs: each symbol's history at most once per session
// (after a close, judged by when it was last fetched), a failure not again
// within --ttl, and at most a rate-limit burst of symbols per call (the pair
// first), so that with the pair's quotes it answers within about 2 s.
func withHistoryCache(c *command, f feeds.Feed) (feeds.Feed, error) {
	if c.e.CacheDir == "" {
		return f, nil
	}
	o := histcache.Options{
		Dir: filepath.Join(c.e.CacheDir, "capwatch"), Clock: c.e.Clock, Calendar: calendar.NYSE(), Logger: c.log,
	}
	if c.name == "status" {
		o.OncePerSession, o.FailureTTL = true, c.f.ttl
		o.MaxFetch = yahoo.DefaultBurst // 4 requests at once, then the pair's 2 quotes within 1 s
		if f.Name() == config.FeedStooq {
			o.MaxFetch = stooq.DefaultBurst // 2 at once, the quotes within 2 s
		}
	}
	hc, err := histcache.New(f, o)
	if err != nil {
		return nil, fmt.Errorf("history cache: %w", err)
	}
	return hc, nil
}

// checkData says where the replay directory came from, for its error: the
// command line's --data, or the config file's feeds.replay.data (QA-4 N14:
// a bad directory set in the file was blamed on a --data never given).
func checkData(c *command) string {
	if !c.set["data"] && c.cfgFile != "" {
		return "check feeds.replay.data in " + c.cfgFile
	}
	return "check --data"
}
