package tui

import (
	"strings"
	"unicode/utf8"
)

// Sanitize makes a string that came from a feed (a symbol, a sector name, an
// error reason) safe to print inside the dashboard: it removes escape
// sequences (CSI, OSC — including OSC 52 clipboard writes —, DCS, SOS, PM,
// APC, in their 7-bit and 8-bit forms), every other C0 and C1 control
// character, DEL, invalid UTF-8 and bidirectional override characters. Tabs
// and line breaks become single spaces so the result is always one line.
func Sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			// An invalid byte, possibly a raw 8-bit C1 introducer.
			i = skipC1(s, i+1, s[i])
		case r == 0x1b:
			i = skipEscape(s, i+1)
		case r >= 0x80 && r <= 0x9f:
			i = skipC1(s, i+size, byte(r))
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
			i += size
		case r < 0x20 || r == 0x7f:
			i += size
		case isBidiControl(r):
			i += size
		default:
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return b.String()
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
	// Two-byte escape (or ESC + intermediates + final).
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
func skipC1(s string, i int, c byte) int {
	switch c {
	case 0x9b: // CSI
		return skipCSI(s, i)
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
		return skipString(s, i)
	}
	return i
}

// skipCSI skips parameter and intermediate bytes and the final byte.
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case c >= 0x20 && c <= 0x3f: // parameter or intermediate byte
			i++
		case c >= 0x40 && c <= 0x7e: // final byte
			return i + 1
		default: // malformed: stop here and let the caller look at c
			return i
		}
	}
	return i
}

// skipString skips a control string up to and including its terminator: BEL,
// ST (ESC \) or the 8-bit ST (U+009C). An unterminated string runs to the end.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1
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
