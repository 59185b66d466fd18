package tui

import "github.com/capwatch/capwatch/internal/termsafe"

// Sanitize makes a string that came from a feed (a symbol, a sector name, an
// error reason) safe to print inside the dashboard: escape sequences (CSI,
// OSC — including OSC 52 clipboard writes —, DCS, SOS, PM, APC, 7- and
// 8-bit), every other control character and bidirectional overrides are
// removed; tabs and line breaks become spaces (internal/termsafe).
func Sanitize(s string) string { return termsafe.Strip(s) }
