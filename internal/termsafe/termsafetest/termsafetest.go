// Package termsafetest helps tests check that text is terminal-safe: the
// strings a hostile feed can supply, and a check of every string reachable
// from a value.
package termsafetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"
)

// Hostile are strings a broken or malicious source can put in a symbol, a
// message or a name.
var Hostile = []string{
	"XLK\x1b[2J\x1b[H",                     // CSI: clear the screen
	"x\x1b]52;c;aGVsbG8=\x07",              // OSC 52: write the clipboard
	"x\x1b]0;title\x1b\\",                  // OSC title, ST-terminated
	"c1\u009b31mred",                       // 8-bit CSI as UTF-8
	"raw c1 \x9b31m",                       // 8-bit CSI as a raw byte
	"bad utf8 \xff\xfe",                    // invalid UTF-8
	"two\nlines\r\n",                       // line breaks
	"bidi \u202eevil\u202c",                // bidi override
	"del\x7f bell\a nul\x00 tab\t",         // other controls
	"\x1bPq#0;2;0;0;0#1;2;100;100;0\x1b\\", // DCS (sixel)
}

// Unsafe names the first thing in s a terminal would act on, or "" when
// there is none: invalid UTF-8, a C0 or C1 control (ESC, line breaks and
// tabs included), DEL, a bidi control.
func Unsafe(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, c := range s {
		switch {
		case c < 0x20 || c == 0x7f:
			return fmt.Sprintf("control %U", c)
		case c >= 0x80 && c <= 0x9f:
			return fmt.Sprintf("C1 control %U", c)
		case (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f || c == 0x061c:
			return fmt.Sprintf("bidi control %U", c)
		}
	}
	return ""
}

// Check fails t for every string reachable from v (fields, elements, map
// keys and values, through pointers; time.Time values skipped) that is
// Unsafe. It returns how many strings it checked.
func Check(t testing.TB, what string, v any) int {
	t.Helper()
	all := map[string]string{}
	walk(reflect.ValueOf(v), what, all)
	for path, s := range all {
		if u := Unsafe(s); u != "" {
			t.Errorf("%s = %q contains %s", path, s, u)
		}
	}
	return len(all)
}

func walk(v reflect.Value, path string, out map[string]string) {
	switch v.Kind() {
	case reflect.String:
		out[path] = v.String()
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), path, out)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			walk(k, fmt.Sprintf("%s key %v", path, k), out)
			walk(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k), out)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			walk(v.Field(i), path+"."+v.Type().Field(i).Name, out)
		}
	}
}
