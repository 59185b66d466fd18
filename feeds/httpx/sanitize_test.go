package httpx

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestSanitize checks the feed-facing wrapper; the full table of escape
// sequences is in internal/termsafe.
func TestSanitize(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"plain":            {"No data found, symbol may be delisted", "No data found, symbol may be delisted"},
		"csi colour":       {"\x1b[31mred\x1b[0m text", "red text"},
		"osc 52 clipboard": {"copy\x1b]52;c;cm0gLXJmIC8=\x07me", "copyme"},
		"c1 csi":           {"a\u009b31mb", "ab"},
		"whitespace":       {"  line1\r\n\tline2  ", "line1 line2"},
		"bidi override":    {"abc\u202edef\u2066g", "abcdefg"},
		"invalid utf8":     {"a\xffb", "a\ufffdb"},
		"html tags stay":   {"<b>bold</b>", "<b>bold</b>"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Sanitize(tc.in); got != tc.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSanitizeLength(t *testing.T) {
	long := strings.Repeat("ab ", 300)
	got := Sanitize(long)
	if n := utf8.RuneCountInString(got); n != MaxTextLen {
		t.Fatalf("len = %d runes, want %d", n, MaxTextLen)
	}
	if !strings.HasSuffix(got, "…") {
		t.Fatalf("no ellipsis: %q", got)
	}
	exact := strings.Repeat("x", MaxTextLen)
	if got := Sanitize(exact); got != exact {
		t.Fatalf("a string of exactly MaxTextLen runes was changed")
	}
}

// safe reports whether s has no byte or rune a terminal would interpret.
func safe(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return false
		}
	}
	return utf8.ValidString(s)
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "abc", "\x1b[31mx", "\x1b]52;c;AA\x07", "\u009b1m", "\xff\xfe", "a\tb\nc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s)
		if !safe(got) {
			t.Fatalf("Sanitize(%q) = %q is not terminal-safe", s, got)
		}
		if utf8.RuneCountInString(got) > MaxTextLen {
			t.Fatalf("too long: %d", utf8.RuneCountInString(got))
		}
		if Sanitize(got) != got {
			t.Fatalf("not idempotent: %q -> %q", got, Sanitize(got))
		}
	})
}
