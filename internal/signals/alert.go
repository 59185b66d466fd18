package signals

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
)

// AlertOptions configures alerts.
type AlertOptions struct {
	Enabled   bool          // false: record only, never ring (demo/replay default unless --alerts)
	OnForming bool          // also alert when a flag starts forming (default: confirmations only)
	OnFading  bool          // also alert when a confirmed flag starts fading (default: off)
	Command   []string      // argv run on each alert, message appended as the last argument; never via a shell
	Timeout   time.Duration // the command is killed after this (default 10 s)
	Every     time.Duration // at most one alert per flag per this period (default 30 min)
}

// DefaultAlertOptions returns the defaults: alerts on confirmations, at most one per flag per 30 minutes.
func DefaultAlertOptions() AlertOptions {
	return AlertOptions{Enabled: true, Timeout: 10 * time.Second, Every: 30 * time.Minute}
}

// Validate checks the options and names the offending key.
func (o AlertOptions) Validate() error {
	if len(o.Command) > 0 && strings.TrimSpace(o.Command[0]) == "" {
		return errors.New("alerts.command: the first element (the program) is empty")
	}
	for i, a := range o.Command {
		if strings.ContainsRune(a, 0) {
			return fmt.Errorf("alerts.command[%d]: contains a NUL byte", i)
		}
	}
	if o.Timeout < 0 {
		return fmt.Errorf("alerts.timeout: %v is negative", o.Timeout)
	}
	if o.Every < 0 {
		return fmt.Errorf("alerts.every: %v is negative", o.Every)
	}
	return nil
}

// Alert is one notification to deliver.
type Alert struct {
	Flag    string
	Message string
	At      time.Time
}

// Alerter decides which recorded changes ring, with a per-flag rate limit.
// It is owned by one goroutine.
type Alerter struct {
	opts AlertOptions
	last map[string]time.Time
}

// NewAlerter returns an Alerter; zero Timeout/Every take their defaults.
func NewAlerter(opts AlertOptions) *Alerter {
	d := DefaultAlertOptions()
	if opts.Timeout == 0 {
		opts.Timeout = d.Timeout
	}
	if opts.Every == 0 {
		opts.Every = d.Every
	}
	return &Alerter{opts: opts, last: map[string]time.Time{}}
}

// Options returns the effective options.
func (a *Alerter) Options() AlertOptions { return a.opts }

// Decide returns the alert for a recorded change, if it should ring: a live
// (not Initial) change to confirmed (not a fading flag recovering: it held
// all along), to forming when OnForming is set, to fading when OnFading is
// set; and not within Every of the previous alert of the same flag. now is
// the wall clock.
func (a *Alerter) Decide(r Record, now time.Time) (Alert, bool) {
	if !a.opts.Enabled || r.Initial {
		return Alert{}, false
	}
	switch r.To {
	case engine.FlagConfirmed.String():
		if r.From == engine.FlagFading.String() {
			return Alert{}, false
		}
	case engine.FlagForming.String():
		if !a.opts.OnForming {
			return Alert{}, false
		}
	case engine.FlagFading.String():
		if !a.opts.OnFading {
			return Alert{}, false
		}
	default:
		return Alert{}, false
	}
	if prev, ok := a.last[r.Flag]; ok && now.Sub(prev) < a.opts.Every {
		return Alert{}, false
	}
	a.last[r.Flag] = now
	return Alert{Flag: r.Flag, Message: Message(r), At: now}, true
}

// Message is the one-line text of an alert.
func Message(r Record) string {
	var b strings.Builder
	b.WriteString("capwatch: ")
	b.WriteString(r.Flag)
	b.WriteString(" ")
	b.WriteString(r.To)
	if r.Since != "" {
		b.WriteString(" since " + r.Since)
	}
	if r.Value != nil {
		v, sign, thr := Compared(*r.Value, r.Threshold)
		fmt.Fprintf(&b, " (%s %s %s)", v, sign, thr)
	}
	if r.Simulated {
		b.WriteString(" [" + strings.ToUpper(r.Feed) + "]")
	}
	if r.Text != "" {
		b.WriteString(" — " + r.Text)
	}
	return b.String()
}

// RunCommand runs argv with msg appended as the last argument, without a
// shell, and kills it after timeout. The error says what went wrong (exit
// status and the first line of its output, or the timeout).
func RunCommand(ctx context.Context, argv []string, msg string, timeout time.Duration) error {
	if len(argv) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append(append([]string{}, argv[1:]...), msg)
	cmd := exec.CommandContext(ctx, argv[0], args...)
	var out bytes.Buffer
	cmd.Stdout = &limitedWriter{buf: &out, max: 4096}
	cmd.Stderr = cmd.Stdout
	cmd.WaitDelay = time.Second // do not wait for grandchildren holding the pipes
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("alert command %q killed after %v", argv[0], timeout)
	}
	if err != nil {
		first, _, _ := strings.Cut(strings.TrimSpace(out.String()), "\n")
		if first != "" {
			return fmt.Errorf("alert command %q: %v: %s", argv[0], err, first)
		}
		return fmt.Errorf("alert command %q: %w", argv[0], err)
	}
	return nil
}

type limitedWriter struct {
	buf *bytes.Buffer
	max int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room > 0 {
		if len(p) > room {
			w.buf.Write(p[:room])
		} else {
			w.buf.Write(p)
		}
	}
	return len(p), nil
}
