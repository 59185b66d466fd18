package main

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/tui"
)

// runDashboard runs the bubbletea program and the pipeline (feed → engine →
// program) until the user quits or ctx ends; then it cancels the pipeline and
// waits for it.
func runDashboard(ctx context.Context, d dashboard) error {
	clk := d.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	model := tui.New(tui.Options{
		Feed: d.Feed.Name(), Kind: d.Feed.Kind(), Clock: clk, PollInterval: d.Config.Poll.Open,
		Palette: d.Config.Palette, NoColor: d.NoColor, ShowNowWhat: true,
	})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p := tea.NewProgram(model, tea.WithContext(ctx))
	pipe := &app.Pipeline{
		Feed: d.Feed, Engine: d.Engine, Symbols: d.Symbols, Clock: clk, Log: d.Log,
		OnSnapshot: func(s *engine.Snapshot) { p.Send(tui.SnapshotMsg{Snap: s}) },
		OnStatus:   func(s feeds.Status) { p.Send(tui.StatusMsg{Status: s}) },
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
	_, err := p.Run()
	cancel()
	if perr := <-pipeErr; perr != nil {
		return perr
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("dashboard: %w", err)
	}
	return nil
}
