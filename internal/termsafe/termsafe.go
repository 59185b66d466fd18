// Package termsafe makes text that came from outside (a feed's symbols,
// error messages, HTML titles, CSV cells) safe to print in a terminal. It is
// the one sanitiser: feeds.Sanitized applies it to everything a feed
// supplies at the feed → engine boundary (see package feeds), so what is
// downstream of it (the engine's snapshots, statuses, the dashboard, the
// JSON/text output) holds clean strings; input read back from disk (the
// status cache, the signal log) and the config's free text are cleaned or
// rejected where they are read.
//
// Removed: escape sequences whole — CSI (ESC [ … final), OSC (ESC ] … BEL or
// ST, including OSC 52 clipboard writes), DCS/SOS/PM/APC strings, two-byte
// ESC sequences — in their 7-bit and 8-bit (C1) forms; every other C0 and C1
// control and DEL (raw 8-bit C1 bytes included; other invalid UTF-8 bytes
// become U+FFFD); bidirectional overrides, isolates and
// marks (they could reorder the line around them). Tabs and line breaks
// become spaces, so the result is always one line.
package termsafe

import (
	"strings"
	"unicode/utf8"
)

// Strip returns s without escape sequences and control characters (see the
// package doc). Clean ASCII is returned as it is, without allocating.
func Strip(s string) string {
	if isCleanASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	walk(s, func(r rune, space bool) bool {
		if space {
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
		return true
	})
	return b.String()
}

// Line returns s stripped (as Strip), with runs of white space collapsed to
// one space, trimmed, and cut to at most max runes (ending in "…" when cut;
// max ≤ 0 means no limit).
func Line(s string, max int) string {
	var b strings.Builder
	b.Grow(min(len(s), 4*max+4))
	n, pending, cut := 0, false, false
	walk(s, func(r rune, space bool) bool {
		if space || r == ' ' {
			pending = true
			return true
		}
		if pending && n > 0 {
			if max > 0 && n+1 >= max {
				cut = true
				return false
			}
			b.WriteByte(' ')
			n++
		}
		pending = false
		if max > 0 && n >= max {
			cut = true
			return false
		}
		b.WriteRune(r)
		n++
		return true
	})
	if !cut {
		return b.String()
	}
	out := []rune(b.String())
	if len(out) >= max {
		out = out[:max-1]
	}
	return strings.TrimRight(string(out), " ") + "…"
}

func isCleanASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// walk calls emit for every rune of s that survives, in order; space is true
// for a tab or line break (emitted as a space). It stops when emit returns false.
func walk(s string, emit func(r rune, space bool) bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1 && s[i] >= 0x80 && s[i] <= 0x9f:
			// A raw 8-bit C1 control (a terminal in 8-bit mode obeys it).
			i = skipC1(s, i+1, rune(s[i]))
		case r == utf8.RuneError && size <= 1:
			// Any other invalid byte shows as U+FFFD: visible, harmless.
			i++
			if !emit(utf8.RuneError, false) {
				return
			}
		case r == 0x1b:
			i = skipEscape(s, i+1)
		case r >= 0x80 && r <= 0x9f:
			i = skipC1(s, i+size, r)
		case r == '\t' || r == '\n' || r == '\r':
			i += size
			if !emit(' ', true) {
				return
			}
		case r < 0x20 || r == 0x7f || isBidiControl(r):
			i += size
		default:
			i += size
			if !emit(r, false) {
				return
			}
		}
	}
}

// skipEscape skips an escape sequence whose ESC was just before s[i] and
// returns the index after it.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// Two-byte escape (or ESC + intermediates 0x20–0x2F + final).
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// skipC1 skips what follows an 8-bit C1 control c (already consumed up to i).
func skipC1(s string, i int, c rune) int {
	switch c {
	case 0x9b: // CSI
		return skipCSI(s, i)
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
		return skipString(s, i)
	}
	return i
}

// skipCSI skips the parameter and intermediate bytes and the final byte of a
// control sequence starting at s[i]. A malformed byte ends the sequence
// without being consumed, so the caller looks at it again.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x3f: // parameter or intermediate byte
			i++
		case c >= 0x40 && c <= 0x7e: // final byte
			return i + 1
		default:
			return i
		}
	}
	return i
}

// skipString skips a control string up to and including its terminator: BEL,
// ST (ESC \) or the 8-bit ST (U+009C, or the raw byte 0x9C). An ESC that does
// not start ST aborts the string and starts a new sequence. An unterminated
// string runs to the end.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + len("\u009c")
		case s[i] == 0x9c:
			return i + 1
		}
		i++
	}
	return i
}

func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}
