package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStrip(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"plain":             {"IWM", "IWM"},
		"unicode kept":      {"Zürich – ½ € · ÷ ▲", "Zürich – ½ € · ÷ ▲"},
		"csi colour":        {"\x1b[31mred\x1b[0m text", "red text"},
		"csi cursor":        {"a\x1b[2J\x1b[H\x1b[?1049hb", "ab"},
		"osc title bel":     {"x\x1b]0;pwned\x07y", "xy"},
		"osc 52 clipboard":  {"copy\x1b]52;c;cm0gLXJmIC8=\x07me", "copyme"},
		"osc 52 st":         {"copy\x1b]52;c;cm0gLXJmIC8=\x1b\\me", "copyme"},
		"osc 8 hyperlink":   {"\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", "click"},
		"dcs":               {"a\x1bP1$r0m\x1b\\b", "ab"},
		"apc":               {"a\x1b_Gpayload\x1b\\b", "ab"},
		"two byte esc":      {"a\x1bcb\x1b(Bc\x1b7d", "abcd"},
		"c1 csi":            {"a\u009b31mb", "ab"},
		"c1 osc st":         {"a\u009d52;c;AAAA\u009cb", "ab"},
		"c1 single":         {"a\u0085b\u0084c", "abc"},
		"raw c1 byte":       {"a\x9b31mb", "ab"},
		"raw osc byte":      {"a\x9d0;x\x07b", "ab"},
		"invalid utf8":      {"a\xff\xfeb", "a\ufffd\ufffdb"},
		"c0 controls":       {"a\x00b\x07c\x08d\x7fe", "abcde"},
		"newlines to space": {"line1\nline2\r\tx", "line1 line2  x"},
		"bidi":              {"abc\u202edef\u2066g\u200eh", "abcdefgh"},
		"unterminated osc":  {"ok\x1b]52;c;AAAA", "ok"},
		"unterminated csi":  {"ok\x1b[", "ok"},
		"trailing esc":      {"ok\x1b", "ok"},
		"csi then control":  {"a\x1b[1\x07b", "ab"},
		"esc aborts osc":    {"a\x1b]0;\x1b[31m\x07b", "ab"},
		"html stays":        {"<b>bold</b>", "<b>bold</b>"},
		"empty":             {"", ""},
		"only controls":     {"\x1b[0m\x00\x1b]0;x\x07", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Strip(tc.in); got != tc.want {
				t.Errorf("Strip(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"  line1\r\n\tline2  ", 0, "line1 line2"},
		{"a\x1b[31m  b", 0, "a b"},
		{"abcdef", 6, "abcdef"},
		{"abcdefg", 6, "abcde…"},
		{"abcd efg", 6, "abcd…"}, // no space before the ellipsis
		{"abcde fg", 6, "abcde…"},
		{"ab\x1b]52;c;AAAA\x07cd", 3, "ab…"},
	}
	for _, tc := range tests {
		if got := Line(tc.in, tc.max); got != tc.want {
			t.Errorf("Line(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
	long := strings.Repeat("ab ", 300)
	if got := Line(long, 200); utf8.RuneCountInString(got) != 200 || !strings.HasSuffix(got, "…") {
		t.Errorf("Line(long, 200) = %d runes %q", utf8.RuneCountInString(got), got)
	}
}

func TestStripCleanASCIIDoesNotAllocate(t *testing.T) {
	s := "IWM/SPY 0.3812 ▲"[:11]
	if n := testing.AllocsPerRun(100, func() { _ = Strip(s) }); n != 0 {
		t.Errorf("Strip of clean ASCII allocates %v times", n)
	}
}

// safe reports whether s holds nothing a terminal would interpret.
func safe(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || isBidiControl(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

func FuzzStrip(f *testing.F) {
	for _, s := range []string{"", "IWM", "\x1b[31mx", "\x1b]52;c;AA\x07", "\u009b1m", "\x9b1m", "\xff\xfe", "a\tb\nc", "a\x1b]0;\x1b[31m\x07b"} {
		f.Add(s, 20)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		got := Strip(s)
		if !safe(got) {
			t.Fatalf("Strip(%q) = %q is not terminal-safe", s, got)
		}
		if again := Strip(got); again != got {
			t.Fatalf("Strip not idempotent: %q -> %q -> %q", s, got, again)
		}
		max = max%300 + 1
		if max < 1 {
			max += 300
		}
		line := Line(s, max)
		if !safe(line) || strings.ContainsAny(line, "\t\n\r") {
			t.Fatalf("Line(%q) = %q is not one safe line", s, line)
		}
		if n := utf8.RuneCountInString(line); n > max {
			t.Fatalf("Line(%q, %d) has %d runes", s, max, n)
		}
	})
}
