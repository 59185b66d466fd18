package main

import (
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

// FuzzArgs feeds arbitrary command lines (NUL-separated arguments) to the
// flag parser and the config merge of every command. Whatever the input:
// no panic, the error is a usage error (exit 2) or a handled --help/--version,
// and an accepted command line yields a configuration that validates, with a
// finite, positive speed.
func FuzzArgs(f *testing.F) {
	for _, s := range []string{
		"--feed\x00demo", "--feed=replay\x00--data\x00/tmp", "--speed\x00Inf", "--speed=1e308", "--speed\x00NaN",
		"--as-of\x002024-02-30", "--seed\x00-9223372036854775808", "--base-url\x00http://[::1]:0", "--ttl\x00-1s",
		"--format\x00csv", "--log-level\x00DEBUG", "--feed\x00yahoo\x00--base-url\x00ftp://x", "-h", "--version",
		"--replay-from\x002024-01-01\x00--feed\x00replay\x00--data\x00d", "--signal-log\x00 ", "--feed\x00\x1b[31mdemo",
	} {
		for _, cmd := range []string{"", "snapshot", "status", "analogs"} {
			f.Add(cmd, s)
		}
	}
	f.Fuzz(func(t *testing.T, name, joined string) {
		switch name {
		case "", "snapshot", "status", "analogs":
		default:
			return
		}
		var args []string
		if joined != "" {
			args = strings.Split(joined, "\x00")
		}
		h := newHarness(t)
		c, err := parseCommand(name, args, io.Discard, io.Discard, h.e)
		if c != nil {
			defer c.close()
		}
		var ue *usageError
		switch {
		case err == nil:
		case errors.Is(err, errHandled), errors.As(err, &ue):
			return
		default:
			t.Fatalf("parseCommand(%q, %q): not a usage error: %v", name, args, err)
		}
		if err := c.cfg.Validate(); err != nil {
			t.Fatalf("parseCommand(%q, %q) accepted an invalid config: %v", name, args, err)
		}
		for _, sp := range []float64{c.cfg.Feeds.Demo.Speed, c.cfg.Feeds.Replay.Speed} {
			if !(sp > 0) || math.IsInf(sp, 0) {
				t.Fatalf("parseCommand(%q, %q) accepted speed %v", name, args, sp)
			}
		}
	})
}
