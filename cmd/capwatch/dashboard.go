package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/tui"
)

// dashboardFPS caps how often the renderer flushes changed cells.
const dashboardFPS = 10

// runDashboard runs the bubbletea program and the pipeline (feed → engine →
// program) until the user quits or ctx ends; then it cancels the pipeline and
// waits for it.
func runDashboard(ctx context.Context, d dashboard) error {
	clk := d.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	// The dashboard judges ages and staleness on the feed's own time: the
	// demo runs on a simulated clock, replay on historical dates.
	var uiClock clock.Clock = clk
	var feedClock *app.FeedClock
	poll := livePoll(d.Config)
	switch d.Feed.Kind() {
	case feeds.KindDemo:
		feedClock = app.NewFeedClock(clk, d.Config.Feeds.Demo.Speed)
		uiClock, poll = feedClock, 5*time.Second
	case feeds.KindReplay:
		feedClock = app.NewFeedClock(clk, 0)
		uiClock = feedClock
	}
	// The program's context also ends the dashboard's timers; alerts stay up
	// for a minute of wall time whatever the demo's speed.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	model := tui.New(tui.Options{
		Feed: d.Feed.Name(), Kind: d.Feed.Kind(), Clock: uiClock, Wall: clk, Context: ctx, PollInterval: poll,
		Palette: d.Config.Palette, NoColor: d.NoColor, ShowNowWhat: true,
	})
	// The screen changes at most a few times a second (a feed batch, an age
	// ticking); bubbletea's default 60 fps renderer timer alone costs ~1 % of
	// a core at idle (BENCHMARKS.md). 10 fps keeps keys responsive (≤100 ms)
	// and idle CPU under 0.5 %.
	opts := append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(dashboardFPS)}, d.progOpts...)
	p := tea.NewProgram(model, opts...)
	// Signals and alerts run in the pipeline (after each published
	// snapshot), never in the dashboard's Update.
	so := d.Signals
	so.Clock, so.Logger = clk, d.Log
	if so.Feed == "" {
		so.Feed = d.Feed.Name()
	}
	so.Notify = func(n app.Notice) { p.Send(tui.AlertMsg{Text: n.Text, Err: n.Err, At: n.At}) }
	watch, err := app.NewSignalWatch(so)
	if err != nil {
		return fmt.Errorf("dashboard: %w", err)
	}
	pipe := &app.Pipeline{
		Feed: d.Feed, Engine: d.Engine, Symbols: d.Symbols, Clock: clk, Log: d.Log, FeedClock: feedClock,
		OnSnapshot: func(s *engine.Snapshot) { p.Send(tui.SnapshotMsg{Snap: s}) },
		OnStatus:   func(s feeds.Status) { p.Send(tui.StatusMsg{Status: s}) },
		Signals:    watch,
	}
	pipeErr := make(chan error, 1)
	go func() {
		err := pipe.Run(ctx)
		if err != nil {
			d.Log.Error("pipeline", "err", err)
			p.Quit()
		}
		pipeErr <- err
	}()
	_, err = p.Run()
	cancel()
	if perr := <-pipeErr; perr != nil {
		return perr
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		if strings.Contains(err.Error(), "TTY") {
			return fmt.Errorf("dashboard: %w (the dashboard needs a terminal; for scripts use `capwatch snapshot` or `capwatch status`)", err)
		}
		return fmt.Errorf("dashboard: %w", err)
	}
	return nil
}
