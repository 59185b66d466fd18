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
