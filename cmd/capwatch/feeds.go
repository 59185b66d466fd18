package main

import (
	"fmt"
	"time"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/demo"
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
		f, err := demo.New(demo.Options{
			Seed: cfg.Feeds.Demo.Seed, Speed: cfg.Feeds.Demo.Speed, Symbols: ec.Symbols(),
			Clock: c.e.Clock, Small: ec.Small, Large: ec.Large,
		})
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
			return nil, usagef("%v (check --data)", err)
		}
		return f, nil
	case config.FeedYahoo:
		// The full history feeds the "Now what?" study; the status line
		// needs only enough for the 200-day averages.
		rng := "max"
		if c.name == "status" {
			rng = "2y"
		}
		f, err := yahoo.New(yahoo.Options{
			BaseURL: cfg.Feeds.Yahoo.BaseURL, Client: c.e.HTTP, Clock: c.e.Clock, Calendar: calendar.NYSE(),
			PollOpen: cfg.Poll.Open, PollClosed: cfg.Poll.Closed, HistoryRange: rng,
		})
		if err != nil {
			return nil, usagef("%v", err)
		}
		return f, nil
	case config.FeedStooq:
		f, err := stooq.New(stooq.Options{
			BaseURL: cfg.Feeds.Stooq.BaseURL, Client: c.e.HTTP, Clock: c.e.Clock, Calendar: calendar.NYSE(),
		})
		if err != nil {
			return nil, usagef("%v", err)
		}
		return f, nil
	}
	return nil, fmt.Errorf("feed %s: not available in this build", cfg.Feed)
}

// livePoll is how often the configured live feed delivers new data while
// the market is open (what "stale" is judged against).
func livePoll(cfg config.Config) time.Duration {
	if cfg.Feed == config.FeedStooq {
		return stooq.DefaultPollOpen
	}
	return cfg.Poll.Open
}
