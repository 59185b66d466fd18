package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse: any input either parses into a valid configuration or fails
// with a *Error that names the file; it never panics.
func FuzzParse(f *testing.F) {
	f.Add(Example)
	f.Add("[pair]\nsmal = \"IWM\"\n")
	f.Add("[[sectors.pairs]]\nname = \"x\"\nlarge = \"XLK\"\nsmall = [\n\"a\" # ]\n]\n")
	f.Add("a.\"b.c\".d = 1\n[x.'y']\nz = '''\n= [\n'''\n")
	f.Fuzz(func(t *testing.T, src string) {
		c, err := Parse("f.toml", []byte(src))
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "f.toml") {
				t.Fatalf("error %T %q", err, err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted an invalid config: %v", err)
		}
	})
}
