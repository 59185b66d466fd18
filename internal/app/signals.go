package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/signals"
)

// Notice is what the dashboard is told by a SignalWatch: a non-empty Text is
// an alert (the bell and the status line); a non-empty Err reports a failure
// (an alert command, the signal log).
type Notice struct {
	// Text is the first alert's message (flags in display order), with the
	// other flags named when several rang on the same snapshot: one bell.
	Text   string
	Err    string
	At     time.Time
	Alerts []signals.Alert // the alerts behind Text, one per flag
	// Note, when not nil, replaces the dashboard's standing note about
	// the signal log (SignalOptions.NotRecording): the capwatch holding
	// the log changed, or this one records it now.
	Note *Note
}

// Note is the dashboard's standing note about the signal log.
type Note struct {
	Text string // "" clears it
	Info bool   // news (this dashboard records now), not a warning
}

// DefaultLockRetry is how often a dashboard whose signal log another
// capwatch records tries to take it over.
const DefaultLockRetry = 5 * time.Second

// NotRecording is the status line's words for a signal log this dashboard
// does not write: another capwatch records it (naming its pid), or it
// cannot be opened.
func NotRecording(err error) string {
	var le *signals.LockedError
	if errors.As(err, &le) {
		who := "another capwatch"
		if le.PID > 0 {
			who += fmt.Sprintf(" (pid %d)", le.PID)
		}
		return "signals not recorded here: " + who + " records " + filepath.Base(le.Path)
	}
	return "signals not recorded: " + strings.TrimPrefix(err.Error(), "signals: ")
}

// CommandRunner runs an alert command (signals.RunCommand's signature).
type CommandRunner func(ctx context.Context, argv []string, msg string, timeout time.Duration) error

// SignalOptions configures a SignalWatch.
type SignalOptions struct {
	// Log is the opened signal log. The caller owns it and closes it after
	// the pipeline has returned. Nil: changes are tracked and alerted but not
	// recorded (the log could not be opened).
	Log       *signals.Log
	Feed      string // feed name recorded with every change
	Simulated bool   // demo or replay data
	Alerts    signals.AlertOptions
	// Dwell is how long (exchange time) a forming or fading change must
	// hold before it is recorded and may ring (alerts.dwell); 0 records it
	// at once. Changes on closed bars are never delayed.
	Dwell time.Duration
	// NotRecording, when Log is nil, says why (the log could not be opened,
	// or another capwatch records it); the dashboard shows it.
	NotRecording string
	// Reopen, set when Log is nil because another capwatch records the
	// log (signals.ErrLocked), opens it again (signals.Open). The watch
	// tries it every LockRetry (Pipeline calls Retry) until it succeeds:
	// when the other capwatch quits, this one records from then on (the
	// changes since the log's last lines caught up as initial) and closes
	// the log in Close. While another capwatch records, the alert command
	// is not run here — the recording one runs it — but the bell rings.
	Reopen func() (*signals.Log, error)
	// LockRetry is how often Reopen is tried (wall clock; default
	// DefaultLockRetry).
	LockRetry time.Duration
	Clock     clock.Clock // the wall clock: when a change was seen (the rate limit runs on the data's exchange time)
	Logger    *slog.Logger
	// Notify tells the dashboard (tea.Program.Send). It is called on the
	// engine goroutine for alerts and on a command's goroutine for its
	// failure; it must not block for long.
	Notify func(Notice)
	// Run runs the alert command (default signals.RunCommand).
	Run CommandRunner
}

// SignalWatch turns published snapshots into signal-log records and alerts.
// Observe is called by one goroutine (the pipeline's engine goroutine); the
// alert commands run on their own goroutines, at most one per flag, bounded
// by the timeout and cancelled with Observe's context; Wait waits for them.
type SignalWatch struct {
	opts    SignalOptions
	log     *slog.Logger
	alerter *signals.Alerter

	logFailed bool // a write failure was reported (report once)

	// lmu guards the tracker and the log it records to: Observe (the
	// engine goroutine) against Retry (the pipeline's).
	lmu     sync.Mutex
	tracker *signals.Tracker
	waiting bool         // another capwatch records the log: Retry tries to take it
	note    string       // the standing note while waiting
	owned   *signals.Log // the log taken over by Retry (closed by Close)

	mu      sync.Mutex
	running map[string]bool // flag and kind (runKey) → its alert command is running
	wg      sync.WaitGroup
}

// NewSignalWatch validates the options and starts tracking from the log's
// last recorded states.
func NewSignalWatch(o SignalOptions) (*SignalWatch, error) {
	if o.Clock == nil {
		return nil, errors.New("signal watch: a clock is required")
	}
	if err := o.Alerts.Validate(); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Notify == nil {
		o.Notify = func(Notice) {}
	}
	if o.Run == nil {
		o.Run = signals.RunCommand
	}
	if o.LockRetry <= 0 {
		o.LockRetry = DefaultLockRetry
	}
	w := &SignalWatch{
		opts: o, log: o.Logger,
		alerter: signals.NewAlerter(o.Alerts),
		running: map[string]bool{},
		waiting: o.Log == nil && o.Reopen != nil,
		note:    o.NotRecording,
	}
	w.tracker = w.newTracker(o.Log)
	return w, nil
}

func (w *SignalWatch) newTracker(l *signals.Log) *signals.Tracker {
	o := w.opts
	return signals.NewTrackerWith(l, signals.TrackerOptions{Feed: o.Feed, Simulated: o.Simulated, Dwell: max(o.Dwell, 0)})
}

// Waiting reports whether another capwatch records the log and this watch
// waits to take it over (Retry).
func (w *SignalWatch) Waiting() bool {
	w.lmu.Lock()
	defer w.lmu.Unlock()
	return w.waiting
}

// LockRetry is how often Retry should be called while Waiting.
func (w *SignalWatch) LockRetry() time.Duration { return w.opts.LockRetry }

// Retry tries once to take over the signal log another capwatch records
// (SignalOptions.Reopen) and reports whether it still waits. Taken: the
// log is recorded from the next snapshot on (a new tracker starts from the
// log's last lines, as after a restart, so what the other capwatch wrote
// is not written again and what changed since is caught up as initial),
// the alert command runs here again, and the dashboard is told (its note
// says so for a minute). Still locked by another process: the note names
// that one (it may have changed).
func (w *SignalWatch) Retry() bool {
	w.lmu.Lock()
	if !w.waiting {
		w.lmu.Unlock()
		return false
	}
	now := w.opts.Clock.Now()
	l, err := w.opts.Reopen()
	var note *Note
	if err == nil {
		w.waiting, w.owned = false, l
		w.tracker = w.newTracker(l)
		w.log.Info("signal log: the other capwatch let it go; recording it here now", "path", l.Path())
		note = &Note{Text: "signals recorded here now (" + filepath.Base(l.Path()) + ")", Info: true}
	} else if n := NotRecording(err); n != w.note {
		w.note = n
		w.log.Info("signal log: still not recorded here", "err", err)
		note = &Note{Text: n}
	}
	waiting := w.waiting
	w.lmu.Unlock()
	if note != nil {
		w.opts.Notify(Notice{Note: note, At: now})
	}
	return waiting
}

// Close closes the log the watch took over (Retry); the log given in
// SignalOptions stays the caller's. Call it after the pipeline returned.
func (w *SignalWatch) Close() error {
	w.lmu.Lock()
	defer w.lmu.Unlock()
	if w.owned == nil {
		return nil
	}
	err := w.owned.Close()
	w.owned = nil
	return err
}

// Observe records the snapshot's flag changes and rings the alerts they
// call for. Commands started here end when ctx is done.
func (w *SignalWatch) Observe(ctx context.Context, s *engine.Snapshot) {
	now := w.opts.Clock.Now()
	w.lmu.Lock()
	recs, err := w.tracker.Observe(s, now)
	// While another capwatch records the log, it also runs the alert
	// command: two dashboards must not run it twice (the bell still rings).
	runCommand := !w.waiting
	w.lmu.Unlock()
	if err != nil {
		if !w.logFailed {
			w.logFailed = true
			w.log.Error("signal log: write failed; the dashboard carries on, further failures are not reported", "err", err)
			w.opts.Notify(Notice{Err: "signal log: " + err.Error(), At: now})
		}
	} else if len(recs) > 0 && w.logFailed {
		w.logFailed = false
		w.log.Info("signal log: writing again")
	}
	var rang []signals.Alert
	for i, r := range recs {
		w.log.Info("signal", "flag", r.Flag, "from", r.From, "to", r.To, "initial", r.Initial,
			"bar_time", r.BarTime, "feed", r.Feed, "simulated", r.Simulated)
		if laterOf(recs[i+1:], r.Flag) {
			// Several closes at once (a backlog): only the flag's newest
			// state may ring; what it already left is history.
			continue
		}
		// The rate limit runs on the data's clock, like the dwell.
		a, ok := w.alerter.Decide(r, s.AsOf)
		if !ok {
			continue
		}
		w.log.Info("alert", "flag", a.Flag, "message", a.Message)
		rang = append(rang, a)
		if runCommand {
			w.command(ctx, a)
		}
	}
	if len(rang) > 0 {
		text := rang[0].Message
		if len(rang) > 1 {
			others := make([]string, 0, len(rang)-1)
			for _, a := range rang[1:] {
				others = append(others, a.Flag)
			}
			text += fmt.Sprintf(" (+%d: %s)", len(others), strings.Join(others, ", "))
		}
		w.opts.Notify(Notice{Text: text, At: now, Alerts: rang})
	}
}

// laterOf reports whether recs hold a record of flag.
func laterOf(recs []signals.Record, flag string) bool {
	for _, r := range recs {
		if r.Flag == flag {
			return true
		}
	}
	return false
}

// runKey is what at most one running alert command is allowed per: a flag
// and the state it rang for, so a confirmation's command is never held back
// by the same flag's forming (or fading) command still running.
func runKey(a signals.Alert) string { return a.Flag + " " + a.To }

// command starts the alert command for a, unless one for the same flag and
// kind is still running or ctx is done.
func (w *SignalWatch) command(ctx context.Context, a signals.Alert) {
	argv := w.alerter.Options().Command
	if len(argv) == 0 || ctx.Err() != nil {
		return
	}
	key := runKey(a)
	w.mu.Lock()
	if w.running[key] {
		w.mu.Unlock()
		w.log.Warn("alert command: the previous one for this flag and kind is still running; not started again", "flag", a.Flag, "to", a.To)
		return
	}
	w.running[key] = true
	w.mu.Unlock()
	timeout := w.alerter.Options().Timeout
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		err := w.opts.Run(ctx, argv, a.Message, timeout)
		w.mu.Lock()
		delete(w.running, key)
		w.mu.Unlock()
		if err == nil {
			w.log.Debug("alert command done", "flag", a.Flag)
			return
		}
		if ctx.Err() != nil {
			w.log.Info("alert command stopped at shutdown", "flag", a.Flag, "err", err)
			return
		}
		w.log.Warn("alert command failed", "flag", a.Flag, "err", err)
		w.opts.Notify(Notice{Err: err.Error(), At: w.opts.Clock.Now()})
	}()
}

// Wait waits for the alert commands still running (cancel Observe's context
// first to stop them).
func (w *SignalWatch) Wait() { w.wg.Wait() }
