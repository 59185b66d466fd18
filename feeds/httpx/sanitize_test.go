package httpx

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"plain":            {"No data found, symbol may be delisted", "No data found, symbol may be delisted"},
		"csi colour":       {"\x1b[31mred\x1b[0m text", "red text"},
		"csi cursor":       {"a\x1b[2J\x1b[H\x1b[?1049hb", "ab"},
		"osc title bel":    {"x\x1b]0;pwned\x07y", "xy"},
		"osc 52 clipboard": {"copy\x1b]52;c;cm0gLXJmIC8=\x07me", "copyme"},
		"osc 52 st":        {"copy\x1b]52;c;cm0gLXJmIC8=\x1b\\me", "copyme"},
		"osc 8 hyperlink":  {"\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		"dcs":              {"a\x1bP1$r0m\x1b\\b", "ab"},
		"apc":              {"a\x1b_Gpayload\x1b\\b", "ab"},
		"two byte esc":     {"a\x1bcb\x1b(Bc", "abc"},
		"c1 csi":           {"a\u009b31mb", "ab"},
		"c1 osc st":        {"a\u009d52;c;AAAA\u009cb", "ab"},
		"c1 single":        {"a\u0085b\u0084c", "abc"},
		"c0 controls":      {"a\x00b\x07c\x08d\x7fe", "abcde"},
		"whitespace":       {"  line1\r\n\tline2  ", "line1 line2"},
		"bidi override":    {"abc\u202edef\u2066g", "abcdefg"},
		"invalid utf8":     {"a\xffb", "a\ufffdb"},
		"unicode kept":     {"Zürich – ½ €", "Zürich – ½ €"},
		"unterminated osc": {"ok\x1b]52;c;AAAA", "ok"},
		"unterminated csi": {"ok\x1b[", "ok"},
		"trailing esc":     {"ok\x1b", "ok"},
		"csi then control": {"a\x1b[1\x07b", "ab"},
		"empty":            {"", ""},
		"only controls":    {"\x1b[0m\x00\x1b]0;x\x07", ""},
		"html tags stay":   {"<b>bold</b>", "<b>bold</b>"},
		"esc aborts osc":   {"a\x1b]0;\x1b[31m\x07b", "ab"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Sanitize(tc.in)
			if got != tc.want {
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
