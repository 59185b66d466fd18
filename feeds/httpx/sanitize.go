package httpx

import (
	"strings"
	"unicode/utf8"
)

// MaxTextLen is the maximum length, in runes, of a sanitised string. Longer
// strings are cut and end with "…".
const MaxTextLen = 200

// Sanitize makes a string from the network safe to show in a terminal:
//
//   - escape sequences are removed whole: CSI (ESC [ … final), OSC (ESC ] …
//     BEL or ST, including OSC 52 clipboard writes), DCS/SOS/PM/APC strings
//     (ESC P/X/^/_ … ST), and two-byte ESC sequences;
//   - the 8-bit C1 forms (U+0080–U+009F, e.g. U+009B CSI, U+009D OSC) are
//     treated the same way;
//   - remaining C0 controls and DEL are dropped, except that tab, CR and LF
//     become a space;
//   - bidirectional overrides/isolates (U+202A–U+202E, U+2066–U+2069) are
//     dropped so text cannot reorder the line around it;
//   - invalid UTF-8 becomes U+FFFD;
//   - runs of spaces collapse, the result is trimmed and cut to MaxTextLen runes.
func Sanitize(s string) string {
	var b strings.Builder
	b.Grow(min(len(s), MaxTextLen*4))
	n := 0 // runes written
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size // an invalid byte decodes as (RuneError, 1) and is kept as U+FFFD
		switch {
		case r == 0x1b: // ESC
			i = skipEscape(s, i)
			continue
		case r >= 0x80 && r <= 0x9f: // C1
			i = skipC1(s, i, r)
			continue
		case r == '\t' || r == '\n' || r == '\r' || r == ' ':
			space = true
			continue
		case r < 0x20 || r == 0x7f:
			continue
		case (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			continue
		}
		if space && n > 0 {
			b.WriteByte(' ')
			n++
		}
		space = false
		if n >= MaxTextLen {
			return cut(b.String())
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// cut shortens a string of at least MaxTextLen runes to MaxTextLen-1 runes
// and appends "…".
func cut(s string) string {
	out := []rune(s)[:MaxTextLen-1]
	return strings.TrimRight(string(out), " ") + "…"
}

// skipEscape skips the escape sequence whose ESC was just before s[i] and
// returns the index after it.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	c := s[i]
	switch c {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_':
		return skipString(s, i+1)
	}
	// Two-byte sequence (ESC followed by one byte), possibly with
	// intermediate bytes 0x20–0x2F first (e.g. ESC ( B).
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// skipC1 skips an 8-bit C1 control r (already consumed) and its parameters.
func skipC1(s string, i int, r rune) int {
	switch r {
	case 0x9b: // CSI
		return skipCSI(s, i)
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // OSC, DCS, SOS, PM, APC
		return skipString(s, i)
	}
	return i
}

// skipCSI skips parameter and intermediate bytes and the final byte of a
// control sequence starting at s[i].
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		i++
		if c >= 0x40 && c <= 0x7e {
			return i
		}
		if c < 0x20 || c > 0x7e {
			// Not a well-formed CSI byte: stop here and let the caller
			// treat the rest as text (controls in it are still dropped).
			return i - 1
		}
	}
	return i
}

// skipString skips a control string (OSC/DCS/SOS/PM/APC) up to and including
// its terminator: BEL, ESC \ or the 8-bit ST (U+009C). An unterminated string
// swallows the rest of the input.
func skipString(s string, i int) int {
	for i < len(s) {
		if s[i] == 0x07 {
			return i + 1
		}
		if s[i] == 0x1b {
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i // an ESC aborts the string and starts a new sequence
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == 0x9c {
			return i
		}
	}
	return i
}
