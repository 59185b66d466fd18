package httpx

import "github.com/capwatch/capwatch/internal/termsafe"

// MaxTextLen is the maximum length, in runes, of a sanitised string. Longer
// strings are cut and end with "…".
const MaxTextLen = 200

// Sanitize makes a string from the network safe to show in a terminal: escape
// sequences and control characters are removed (internal/termsafe), white
// space collapses to single spaces, and the result is trimmed and cut to
// MaxTextLen runes.
func Sanitize(s string) string { return termsafe.Line(s, MaxTextLen) }
