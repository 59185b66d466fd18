package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/signals"
)

// cmdSignals handles `capwatch signals`: it prints the signal log (every
// rotated file, oldest first), filtered, as a table, CSV or JSON lines.
func cmdSignals(args []string, stdout, stderr io.Writer, e env) error {
	fs := flag.NewFlagSet("capwatch signals", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var since, seenSince, flagID, format, feed, path, cfgPath string
	fs.StringVar(&since, "since", "", "only changes on bars dated on or after this trading date, YYYY-MM-DD")
	fs.StringVar(&seenSince, "seen-since", "", "only changes seen on or after this date, YYYY-MM-DD (local time)")
	fs.StringVar(&flagID, "flag", "", "only this flag, rotation:SECTOR, or rotation")
	fs.StringVar(&format, "format", "table", "output format: table, csv or json")
	fs.StringVar(&feed, "feed", "", "whose log: demo, replay, or yahoo/stooq (the live log; default: the config's feed)")
	fs.StringVar(&path, "signal-log", "", "read this log file instead")
	fs.StringVar(&cfgPath, "config", "", "config file (default $CAPWATCH_CONFIG, else the default path)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, signalsUsage)
			return errHandled
		}
		return flagError(fs, err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (see capwatch signals --help)", fs.Arg(0))
	}
	l, err := config.Load(cfgPath, e.Getenv, e.ConfigDir)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	for _, w := range l.Warns {
		fmt.Fprintf(stderr, "capwatch: warning: %s\n", w)
	}
	cfg := l.Config
	if feed != "" {
		cfg.Feed = strings.ToLower(strings.TrimSpace(feed))
		if !oneOf(cfg.Feed, config.Feeds()) {
			return usagef("--feed %q is not a feed (use %s)", feed, strings.Join(config.Feeds(), ", "))
		}
	}
	if !oneOf(format, signals.Formats()) {
		return usagef("--format %q: use table, csv or json", format)
	}
	if flagID != "" && !oneOf(flagID, engine.FlagIDs) && !signals.IsRotationFlag(flagID) {
		return usagef("--flag %q is not a flag id (use one of: %s; or rotation:SECTOR, e.g. rotation:Technology, rotation:pair; or rotation for every rotation line)",
			flagID, strings.Join(engine.FlagIDs, ", "))
	}
	q := signals.Query{Flag: flagID}
	if since != "" {
		d, err := time.Parse(time.DateOnly, since)
		if err != nil {
			return usagef("--since %q is not a date; use YYYY-MM-DD", since)
		}
		q.Since = d.Format(time.DateOnly)
	}
	if seenSince != "" {
		if q.SeenSince, err = time.ParseInLocation(time.DateOnly, seenSince, time.Local); err != nil {
			return usagef("--seen-since %q is not a date; use YYYY-MM-DD", seenSince)
		}
	}
	p, err := signalLogPath(cfg, path, e)
	if err != nil {
		return err
	}
	recs, skipped, err := signals.Read(p)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("signals: no signal log at %s (nothing recorded yet for --feed %s: the dashboard writes it)", p, cfg.Feed)
	}
	if err != nil {
		return fmt.Errorf("signals: read %s: %w", p, err)
	}
	// Lines that do not parse (a torn last line after a crash, a hand
	// edit) are skipped: say how many and where the first is.
	switch n := len(skipped); {
	case n == 1:
		fmt.Fprintf(stderr, "capwatch: signals: skipped 1 line that does not parse (%s)\n", app.Sanitize(skipped[0]))
	case n > 1:
		fmt.Fprintf(stderr, "capwatch: signals: skipped %d lines that do not parse (the first: %s)\n", n, app.Sanitize(skipped[0]))
	}
	recs = signals.Filter(recs, q)
	if format == "table" {
		// The table goes to a terminal: no escape sequences from the file.
		for i := range recs {
			r := &recs[i]
			r.Flag, r.From, r.To, r.Since = app.Sanitize(r.Flag), app.Sanitize(r.From), app.Sanitize(r.To), app.Sanitize(r.Since)
			r.Feed, r.Text = app.Sanitize(r.Feed), app.Sanitize(r.Text)
		}
	}
	if err := signals.Write(stdout, recs, format); err != nil {
		return fmt.Errorf("signals: write: %w", err)
	}
	return nil
}
