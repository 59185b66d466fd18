package main

import (
	"fmt"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/demo"
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
	}
	return nil, fmt.Errorf("feed %s: not available in this build", cfg.Feed)
}
