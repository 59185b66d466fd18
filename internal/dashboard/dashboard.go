// Package dashboard is the one wiring of capwatch's interactive dashboard:
// the feed's app.Pipeline (feed → engine goroutine → snapshots, statuses,
// signals and alerts) delivering into the tui model, on the clocks the
// feed's kind calls for. cmd/capwatch runs it with Run; the e2e, soak and
// faults rigs build it with New and drive the model and the pipeline
// themselves, so they test this code, not a copy of it.
package dashboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/stooq"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/tui"
)

// FPS caps how often the renderer flushes changed cells. The screen changes
// at most a few times a second (a feed batch, an age ticking); bubbletea's
// default 60 fps renderer timer alone costs ~1 % of a core at idle
// (BENCHMARKS.md). 10 fps keeps keys responsive (≤100 ms) and idle CPU
// under 0.5 %.
const FPS = 10

// demoPoll is how often, in wall time, the demo delivers data at least
// (what "stale" is judged against, scaled to its simulated clock).
const demoPoll = 5 * time.Second

// Options is what the dashboard needs.
type Options struct {
	Feed    feeds.Feed
	Engine  app.Runner
	Config  config.Config // palette, demo speed, poll interval
	Symbols []string
	Clock   clock.Clock // the wall clock (default clock.Real{})
	Log     *slog.Logger
	NoColor bool
	// Signals: the opened signal log (closed by the caller) and the alert
	// options; the dashboard adds the clock, the logger, the feed's name
	// when empty, and the notifier.
	Signals app.SignalOptions
	// ProgramOptions are added to the dashboard's own (tests: input,
	// output, window size).
	ProgramOptions []tea.ProgramOption
	// Breadth is what the pipeline loads in the background for the
	// breadth panel (nil: nothing); ShowBreadth shows the panel (a members
	// list or a confirmation strip is configured).
	Breadth     *app.Breadth
	ShowBreadth bool
	// Pairs are what the pair key cycles through (the configured pair
	// first); fewer than two: no pair key.
	Pairs []engine.PairChoice
}

// Dashboard is the wired chain before it runs.
type Dashboard struct {
	// Model is the dashboard's root model.
	Model tea.Model
	// ProgramOptions are the options the program runs with: its context,
	// the frame rate, then Options.ProgramOptions.
	ProgramOptions []tea.ProgramOption
	// FeedClock is the demo's or replay's time (nil for a live feed), which
	// the model judges ages and countdowns on.
	FeedClock *app.FeedClock

	pipe *app.Pipeline
	log  *slog.Logger
	send func(tea.Msg) // set by RunPipeline before the pipeline starts
}

// LivePoll is how often the configured live feed delivers new data while
// the market is open (what "stale" is judged against).
func LivePoll(cfg config.Config) time.Duration {
	if cfg.Feed == config.FeedStooq {
		return stooq.DefaultPollOpen
	}
	if cfg.Feed == config.FeedAlpaca {
		return time.Minute // minute bars stream for every symbol
	}
	return cfg.Poll.Open
}

// New wires the dashboard for ctx: the model's timers and the program end
// with it.
func New(ctx context.Context, o Options) (*Dashboard, error) {
	if o.Feed == nil || o.Engine == nil {
		return nil, errors.New("dashboard: feed and engine are required")
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dashboard{log: log}
	// The demo's first quotes come at its simulated open: the snapshot of
	// its history alone (the previous close) is not shown before them.
	var start time.Time
	if s, ok := o.Feed.(interface{ Start() time.Time }); ok && o.Feed.Kind() == feeds.KindDemo {
		start = s.Start()
	}
	o.Feed = feeds.Sanitized(o.Feed) // the feed → engine boundary: its name and everything it sends are clean
	// The dashboard judges ages and staleness on the feed's own time: the
	// demo runs on a simulated clock, replay on historical dates.
	var uiClock clock.Clock = clk
	poll := LivePoll(o.Config)
	var speed float64 // the demo's, for its badge
	switch o.Feed.Kind() {
	case feeds.KindDemo:
		speed = o.Config.Feeds.Demo.Speed
		d.FeedClock = app.NewFeedClock(clk, o.Config.Feeds.Demo.Speed)
		// Staleness is judged on the demo's clock, which runs Speed times
		// the wall clock: the same allowance in wall time (a demo that has
		// stopped delivering for 2×5 s is stale at any speed).
		uiClock, poll = d.FeedClock, time.Duration(float64(demoPoll)*max(1, o.Config.Feeds.Demo.Speed))
	case feeds.KindReplay:
		d.FeedClock = app.NewFeedClock(clk, 0)
		uiClock = d.FeedClock
	}
	// The pair key's choices go to the pipeline, the newest one winning.
	pairs := make(chan engine.PairChoice, 1)
	onPair := func(pc engine.PairChoice) {
		for {
			select {
			case pairs <- pc:
				return
			default:
				select {
				case <-pairs:
				default:
				}
			}
		}
	}
	// Alerts stay up for a minute of wall time whatever the demo's speed.
	d.Model = tui.New(tui.Options{
		Pairs: o.Pairs, OnPair: onPair,
		Feed: o.Feed.Name(), Kind: o.Feed.Kind(), Clock: uiClock, Start: start, Speed: speed, Wall: clk, Context: ctx, PollInterval: poll,
		Palette: o.Config.Palette, NoColor: o.NoColor, ShowNowWhat: true, ShowBreadth: o.ShowBreadth, Note: o.Signals.NotRecording,
	})
	d.ProgramOptions = append([]tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(FPS)}, o.ProgramOptions...)
	// Signals and alerts run in the pipeline (after each published
	// snapshot), never in the dashboard's Update.
	so := o.Signals
	so.Clock, so.Logger = clk, log
	if so.Feed == "" {
		so.Feed = o.Feed.Name()
	}
	so.Notify = func(n app.Notice) {
		if n.Note != nil {
			d.send(tui.NoteMsg{Text: n.Note.Text, Info: n.Note.Info})
		}
		if n.Text != "" || n.Err != "" {
			var flags map[string]string // cleared early when one of them moves on
			for _, a := range n.Alerts {
				if flags == nil {
					flags = map[string]string{}
				}
				flags[a.Flag] = a.To
			}
			d.send(tui.AlertMsg{Text: n.Text, Err: n.Err, At: n.At, Flags: flags})
		}
	}
	watch, err := app.NewSignalWatch(so)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	d.pipe = &app.Pipeline{
		Feed: o.Feed, Engine: o.Engine, Symbols: o.Symbols, Clock: clk, Log: log, FeedClock: d.FeedClock,
		OnSnapshot: func(s *engine.Snapshot) { d.send(tui.SnapshotMsg{Snap: s}) },
		OnStatus:   func(s feeds.Status) { d.send(tui.StatusMsg{Status: s}) },
		Signals:    watch,
		Breadth:    o.Breadth,
		Pairs:      pairs,
	}
	return d, nil
}

// RunPipeline runs the pipeline until ctx ends (then it returns nil) or the
// engine fails, delivering snapshots, statuses and alerts to send (a
// program's Send). Call it once.
func (d *Dashboard) RunPipeline(ctx context.Context, send func(tea.Msg)) error {
	d.send = send
	return d.pipe.Run(ctx)
}

// Run runs the dashboard program and its pipeline until the user quits or
// ctx ends; then it cancels the pipeline and waits for it.
func Run(ctx context.Context, o Options) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d, err := New(ctx, o)
	if err != nil {
		return err
	}
	p := tea.NewProgram(d.Model, d.ProgramOptions...)
	pipeErr := make(chan error, 1)
	go func() {
		err := d.RunPipeline(ctx, p.Send)
		if err != nil {
			d.log.Error("pipeline", "err", err)
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
