package tui

import (
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"plain":             {"IWM", "IWM"},
		"unicode kept":      {"Consumer Discretionary · ÷ ▲", "Consumer Discretionary · ÷ ▲"},
		"CSI colour":        {"\x1b[31mRED\x1b[0m", "RED"},
		"CSI clear screen":  {"a\x1b[2J\x1b[Hb", "ab"},
		"CSI private mode":  {"x\x1b[?1049hy", "xy"},
		"OSC 52 BEL":        {"SPY\x1b]52;c;ZWNobyBoaQ==\x07!", "SPY!"},
		"OSC 52 ST":         {"SPY\x1b]52;c;ZWNobyBoaQ==\x1b\\!", "SPY!"},
		"OSC title":         {"\x1b]0;pwned\x07ok", "ok"},
		"OSC 8 hyperlink":   {"\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		"unterminated OSC":  {"ok\x1b]52;c;AAAA", "ok"},
		"DCS":               {"a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		"APC":               {"a\x1b_Gf=100;AAAA\x1b\\b", "ab"},
		"two-byte ESC":      {"a\x1bcb\x1b7c", "abc"},
		"C0 controls":       {"a\x00b\x07c\x08d\x7fe", "abcde"},
		"newlines to space": {"line1\nline2\r\tx", "line1 line2  x"},
		"8-bit CSI":         {"a\u009b31mb", "ab"},
		"8-bit OSC":         {"a\u009d52;c;AAAA\u009cb", "ab"},
		"raw C1 byte":       {"a\x9b31mb", "ab"},
		"invalid utf8":      {"a\xff\xfeb", "a\ufffd\ufffdb"},
		"bidi override":     {"abc\u202edef\u2066", "abcdef"},
		"trailing ESC":      {"abc\x1b", "abc"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Sanitize(tc.in)
			if got != tc.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if strings.ContainsAny(got, "\x1b\x07\x00\u009b\u009d") {
				t.Errorf("Sanitize(%q) kept a control character: %q", tc.in, got)
			}
		})
	}
}

// FuzzSanitize checks the output never holds a control character and that
// sanitising is idempotent.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"IWM", "\x1b]52;c;AAAA\x07", "\x1b[31mx", "\u009b1m", "a\xffb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s)
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Fatalf("Sanitize(%q) = %q holds control %U", s, got, r)
			}
		}
		if again := Sanitize(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}
