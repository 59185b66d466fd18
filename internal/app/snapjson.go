// Package app wires capwatch together: the pipeline that runs a feed into
// the engine's goroutine and publishes snapshots to the dashboard, the
// one-shot snapshot builder used by `capwatch snapshot`, `status` and
// `analogs`, the JSON/text encoders of a snapshot, and the tmux status-line
// formatter with its cache.
package app

import (
	"encoding/json"
	"io"
	"time"

	"github.com/capwatch/capwatch/engine"
)

// The JSON contract is the engine's result types themselves (engine.Snapshot
// and what it holds, engine/json.go): they carry their json tags and are
// encoded directly, so a field is defined once. Fields are only ever added.

// WriteJSON writes the snapshot document as indented JSON followed by a
// newline. Strings that came from feeds are sanitised.
func WriteJSON(w io.Writer, s *engine.Snapshot) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(clean(s))
}

// clean returns s with every string that may have come from a feed
// sanitised (s itself when all are clean; published snapshots are never
// written).
func clean(s *engine.Snapshot) *engine.Snapshot {
	c := *s
	c.Feed = Sanitize(s.Feed)
	c.Pair.Small, c.Pair.Large = Sanitize(s.Pair.Small), Sanitize(s.Pair.Large)
	c.Symbols = append([]engine.SymbolSnapshot(nil), s.Symbols...)
	for i := range c.Symbols {
		c.Symbols[i].Symbol = Sanitize(c.Symbols[i].Symbol)
	}
	c.Flags = append([]engine.Flag(nil), s.Flags...)
	for i := range c.Flags {
		c.Flags[i].Text = Sanitize(c.Flags[i].Text)
	}
	c.Sectors = append([]engine.SectorSnapshot(nil), s.Sectors...)
	for i := range c.Sectors {
		x := &c.Sectors[i]
		x.Sector, x.Large, x.Small = Sanitize(x.Sector), Sanitize(x.Large), Sanitize(x.Small)
	}
	c.Errors = append([]engine.SymbolError(nil), s.Errors...)
	for i := range c.Errors {
		c.Errors[i] = engine.SymbolError{Symbol: Sanitize(c.Errors[i].Symbol), Message: Sanitize(c.Errors[i].Message)}
	}
	return &c
}

// rfc3339 is t as the JSON writes it (RFC 3339, whole seconds), or "—".
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format(time.RFC3339)
}
