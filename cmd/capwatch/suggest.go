package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"
)

// commands are capwatch's subcommands (the first argument).
var commands = []string{"snapshot", "status", "analogs", "signals", "config", "doctor", "help", "version"}

// unknownCommand is the usage error for a first argument that is not a
// command: it names the nearest command when one is close.
func unknownCommand(name string) error {
	hint := ""
	if s := nearest(name, commands); s != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", s)
	}
	return usagef("unknown command %q%s; commands: %s (see capwatch --help)", name, hint, strings.Join(commands, ", "))
}

// flagError turns a flag parsing error of fs into a usage error that says
// where to look; an unknown flag names the nearest flag of fs when one is
// close ("unknown flag --fed (did you mean --feed?)").
func flagError(fs *flag.FlagSet, err error) error {
	const undefined = "flag provided but not defined: -"
	if name, ok := strings.CutPrefix(err.Error(), undefined); ok {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		hint := ""
		if s := nearest(name, names); s != "" {
			hint = " (did you mean --" + s + "?)"
		}
		return usagef("unknown flag --%s%s (see %s --help)", name, hint, fs.Name())
	}
	return usagef("%v (see %s --help)", err, fs.Name())
}

// nearest is the candidate closest to s by edit distance, when it is close
// enough to be a typo (one edit, or two in a name of 7 letters or more:
// "speed" is not a typo of "feed"), or a candidate s is a prefix of (at
// least 3 letters: "--replay" → "replay-from"); "" otherwise. Ties go to
// the alphabetically first.
func nearest(s string, candidates []string) string {
	s = strings.ToLower(s)
	best, bestD := "", 3
	for _, c := range slices.Sorted(slices.Values(candidates)) {
		d := editDistance(s, c)
		if len(s) >= 3 && strings.HasPrefix(c, s) {
			d = min(d, 1)
		}
		if d < bestD && len(s) >= 2 && (d == 1 || d == 2 && len(s) >= 7) {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes: flag
// and command names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// hoisted are the commands that take the data and configuration flags, so
// those flags may come before the command's name.
var hoisted = []string{"snapshot", "status", "analogs", "signals", "doctor"}

// commandFirst moves a command named after leading flags to the front:
// `capwatch --config c.toml snapshot --format text` is `capwatch snapshot
// --config c.toml --format text` (QA-3 F9a: a user appending the command to
// a working dashboard line got `unexpected argument "snapshot"`). The word
// is taken as the command only where the flag parser would stop, on the
// first argument that is not a flag or a flag's value: in `--data snapshot`
// it is a directory. An unknown flag, or "--", ends the search (the flag
// parser then says what is wrong, as before).
func commandFirst(args []string) []string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return args
		}
		if len(a) < 2 || a[0] != '-' {
			if !slices.Contains(hoisted, a) {
				return args
			}
			out := make([]string, 0, len(args))
			out = append(out, a)
			out = append(out, args[:i]...)
			return append(out, args[i+1:]...)
		}
		name, _, inline := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takes, known := flagTakesValue(name)
		if !known {
			return args
		}
		if takes && !inline {
			i++ // its value
		}
	}
	return args
}

// flagTakesValue says whether the flag name, in any command's flag set (the
// dashboard's, snapshot's, status's, analogs's or doctor's), takes a value
// (not a bool flag), and whether any of them knows it.
func flagTakesValue(name string) (takes, known bool) {
	if name == "h" || name == "help" {
		return false, true
	}
	for _, c := range []string{"", "snapshot", "status", "analogs", "doctor"} {
		fs, _ := commandFlags(c, &flags{})
		if fl := fs.Lookup(name); fl != nil {
			b, ok := fl.Value.(interface{ IsBoolFlag() bool })
			return !(ok && b.IsBoolFlag()), true
		}
	}
	return false, false
}
