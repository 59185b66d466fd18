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
	// Every limits the forming and fading alerts: each flag's forming alert
	// rings at most once per this period, and its fading alert likewise, in
	// exchange time (the data's clock, like the dwell). Confirmations are
	// never limited (default 30 min).
	Every time.Duration
}

// DefaultAlertOptions returns the defaults: alerts on confirmations; forming
// and fading alerts (when enabled) at most once per flag and kind per 30
// minutes of exchange time.
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
	To      string // the state it rings for: confirmed, forming or fading
	Message string
	At      time.Time // the exchange time it rang at (the data's clock)
}

// Alerter decides which recorded changes ring. A confirmation always rings;
// forming and fading alerts are rate-limited per flag and kind (Every, in
// exchange time): the limit is against a flag flickering across its
// threshold on the live bar, which a confirmation — at most one per flag
// and close — cannot do. It is owned by one goroutine.
type Alerter struct {
	opts AlertOptions
	last map[limitKey]time.Time
}

// limitKey is what the rate limit counts: one flag's forming alerts, or
// its fading alerts.
type limitKey struct{ flag, to string }

// NewAlerter returns an Alerter; zero Timeout/Every take their defaults.
func NewAlerter(opts AlertOptions) *Alerter {
	d := DefaultAlertOptions()
	if opts.Timeout == 0 {
		opts.Timeout = d.Timeout
	}
	if opts.Every == 0 {
		opts.Every = d.Every
	}
	return &Alerter{opts: opts, last: map[limitKey]time.Time{}}
}

// Options returns the effective options.
func (a *Alerter) Options() AlertOptions { return a.opts }

// Decide returns the alert for a recorded change, if it should ring: a live
// (not Initial) change to confirmed (not a fading flag recovering: it held
// all along), to forming when OnForming is set, to fading when OnFading is
// set. A confirmation always rings; a forming (fading) alert not within
// Every of the flag's previous forming (fading) alert. asOf is the exchange
// time of the data the change was seen on (Snapshot.AsOf): the limit runs on
// the same clock as the dwell, so a demo or replay at ×600 limits 30
// minutes of its own market, not 30 minutes of the wall clock (12 of its
// days), and a confirmation is never swallowed by a forming alert just
// before the close. Time going backwards (a replay restarted, a clock
// corrected) restarts the window at the earlier time: the alert rings, as
// it would have the first time the data reached it, instead of being held
// until the data passes the last alert again.
func (a *Alerter) Decide(r Record, asOf time.Time) (Alert, bool) {
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
	if r.To != engine.FlagConfirmed.String() {
		k := limitKey{r.Flag, r.To}
		if prev, ok := a.last[k]; ok && !asOf.Before(prev) && asOf.Sub(prev) < a.opts.Every {
			return Alert{}, false
		}
		a.last[k] = asOf
	}
	return Alert{Flag: r.Flag, To: r.To, Message: Message(r), At: asOf}, true
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
