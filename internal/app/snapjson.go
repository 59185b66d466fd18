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
// newline. Its strings are clean: feeds.Sanitized cleaned what the feed
// supplied before it reached the engine.
func WriteJSON(w io.Writer, s *engine.Snapshot) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}

// rfc3339 is t as the JSON writes it (RFC 3339, whole seconds), or "—".
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format(time.RFC3339)
}
