// Command capwatch is a terminal dashboard that tells whether small caps are
// breaking out and leading large caps: the small/large ratio (IWM ÷ SPY by
// default) with its averages, breakout flags, sector pairs and the "Now
// what?" study of past breakouts.
//
// Subcommands print a snapshot (JSON or text), a tmux status line, the
// analog study's event table, or write an example configuration. See
// `capwatch --help`.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/dashboard"
	"github.com/capwatch/capwatch/internal/doctor"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // runtime failure (feed down, no data, I/O)
	exitUsage   = 2 // bad flags, bad arguments or a bad config file
)

// env is everything run needs from the outside world; tests build their own.
type env struct {
	Getenv    func(string) string
	ConfigDir string // os.UserConfigDir() ("" when unknown)
	CacheDir  string // os.UserCacheDir() ("" when unknown)
	Home      string // os.UserHomeDir() ("" when unknown): the state directory's base
	Clock     clock.Clock
	HTTP      *http.Client
	// Dashboard runs the interactive dashboard (replaced in tests).
	Dashboard func(ctx context.Context, d dashboard.Options) error
	// Memory reads the address-space limits (nil: none is checked; see
	// memory.go).
	Memory func() memLimits
	// StatusBudget bounds a `capwatch status` fetch (tmux runs it every few
	// seconds; a feed that is down must not pile the calls up). 0: defaultStatusBudget.
	StatusBudget time.Duration
	// Terminal gathers the terminal's facts for `capwatch doctor` (tests
	// give fixed ones); DoctorBudget bounds its run (0: doctor.DefaultBudget).
	Terminal     func() doctor.Terminal
	DoctorBudget time.Duration
}

// defaultStatusBudget is how long `capwatch status` may spend fetching before
// it prints the last known line marked down.
const defaultStatusBudget = 8 * time.Second

// statusQuoteWait bounds the wait for the pair's first quotes in `capwatch
// status` (without them the line shows the last close, marked stale).
const statusQuoteWait = 5 * time.Second

func main() {
	cfgDir, _ := os.UserConfigDir()
	cacheDir, _ := os.UserCacheDir()
	home, _ := os.UserHomeDir()
	e := env{
		Home:      home,
		Getenv:    os.Getenv,
		ConfigDir: cfgDir,
		CacheDir:  cacheDir,
		Clock:     clock.Real{},
		HTTP:      &http.Client{Timeout: 30 * time.Second},
		Dashboard: dashboard.Run,
		Memory:    readMemLimits,
		Terminal:  realTerminal,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, e)
	stop()
	os.Exit(code)
}

// usageError is a mistake on the command line or in the config: exit code 2.
// err, if set, is the error it reports (for errors.As).
type usageError struct {
	msg string
	err error
}

func (e *usageError) Error() string { return e.msg }

func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run is the whole program: it parses args, runs the command and returns the
// exit code. It never panics: a panic is reported in one line on stderr and
// its stack goes to the log file.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, e env) (code int) {
	var log *slog.Logger
	logPath := ""
	closeLog := func() {}
	defer func() {
		defer closeLog()
		if r := recover(); r != nil {
			if log != nil {
				log.Error("panic", "value", fmt.Sprint(r), "stack", string(debug.Stack()))
			}
			where := "run with --log-file to keep the details"
			if logPath != "" {
				where = "details in " + logPath
			}
			fmt.Fprintf(stderr, "capwatch: internal error: %v (%s)\n", r, where)
			code = exitFailure
		}
	}()
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if e.Clock == nil {
		e.Clock = clock.Real{}
	}

	args = commandFirst(args)
	cmd, rest := "", args
	if len(args) > 0 {
		switch {
		case slices.Contains(commands, args[0]):
			cmd, rest = args[0], args[1:]
		case args[0] != "" && !strings.HasPrefix(args[0], "-"):
			return exitCode(unknownCommand(args[0]), stderr)
		}
	}
	var err error
	switch cmd {
	case "help":
		if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			if !slices.Contains(commands, rest[0]) {
				return exitCode(unknownCommand(rest[0]), stderr)
			}
			return run(ctx, []string{rest[0], "--help"}, stdout, stderr, e)
		}
		fmt.Fprint(stdout, mainUsage)
		return exitOK
	case "version":
		fmt.Fprintln(stdout, versionString())
		return exitOK
	case "config":
		err = cmdConfig(rest, stdout, stderr, e)
	case "signals":
		err = cmdSignals(rest, stdout, stderr, e)
	case "doctor":
		err = cmdDoctor(ctx, rest, stdout, stderr, e)
	default:
		var c *command
		c, err = parseCommand(cmd, rest, stdout, stderr, e)
		if _, ok := errors.AsType[*usageError](err); ok && (cmd == "status" || cmd == "" && firstWord(args) == "status") {
			fmt.Fprintln(stdout, usageLine) // (status says it itself for the later ones)
		}
		if err == nil && c != nil {
			err = checkMemory(e.Memory, c.cfg.Feed)
		}
		if err == nil && c != nil {
			log, logPath, closeLog = c.log, c.logPath, c.close
			err = c.exec(ctx)
			if err != nil {
				log.Error("exit", "err", err)
			}
		}
	}
	return exitCode(err, stderr)
}

// firstWord is the first argument that is not a flag (before "--"): the
// command the user meant when a flag before it stopped the command being
// found (`capwatch --no-such status`, or `--speed status` where the word is
// taken for the flag's value). "" when there is none.
func firstWord(args []string) string {
	for _, a := range args {
		if a == "--" {
			return ""
		}
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}

// usageLine is what `capwatch status` prints on stdout for a usage error:
// tmux shows only stdout, a blank bar would hide the mistake, and "<feed>
// down" would blame a feed that was never asked (QA-3 F5).
const usageLine = "capwatch: usage error"

// errHandled means the message was already printed (e.g. --help): exit 0.
var errHandled = errors.New("handled")

func exitCode(err error, stderr io.Writer) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHandled):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "capwatch: %s\n", ue.msg)
		return exitUsage
	}
	fmt.Fprintf(stderr, "capwatch: %v\n", err)
	return exitFailure
}

func versionString() string {
	v, rev, dirty := "(devel)", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	s := "capwatch " + v
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += " (" + rev
		if dirty {
			s += ", modified"
		}
		s += ")"
	}
	return s
}
