// Package feeds holds capwatch's data adapters: the embedded demo market, CSV
// replay, Yahoo Finance (chart API v8) and Stooq (daily CSV). Every adapter
// normalises its data into engine.Bar and engine.Quote values and delivers live
// data in batches (one message per poll), together with an honest status.
//
// The invariant at the feed → engine boundary: every string a feed
// supplies (its name, symbols, error messages, status reasons, the text of
// the errors it returns) passes through Sanitized before anything else sees
// it. app.Pipeline, app.BuildSnapshot and the dashboard wiring wrap the
// feed they are given, so the engine's Snapshots and the Statuses shown on
// the dashboard, in `capwatch snapshot`/`status` output and in the log hold
// terminal-safe strings only (no escape sequence, control character, bidi
// control or invalid UTF-8; one line). Code downstream of the boundary does
// not sanitise again; text read back from disk (the status cache, the
// signal log) is a boundary of its own.
package feeds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/capwatch/capwatch/engine"
)

// Kind tells how trustworthy the data is.
type Kind int

// Feed kinds.
const (
	KindLive   Kind = iota // real market data (possibly delayed; see Quote.Delayed)
	KindDemo               // simulated market; everything is labelled DEMO
	KindReplay             // historical CSV data replayed; labelled REPLAY
)

func (k Kind) String() string {
	switch k {
	case KindLive:
		return "live"
	case KindDemo:
		return "demo"
	case KindReplay:
		return "replay"
	}
	return "unknown"
}

// State is the health of a feed.
type State int

// Feed states.
const (
	StateOK       State = iota
	StateDegraded       // some requests fail or are rate-limited; data may be partial or stale
	StateDown           // nothing is getting through
)

func (s State) String() string {
	switch s {
	case StateOK:
		return "ok"
	case StateDegraded:
		return "degraded"
	case StateDown:
		return "down"
	}
	return "unknown"
}

// Status is a feed's health report. Its strings (reason strings come from
// the network) are cleaned at the boundary by Sanitized (CleanStatus): a
// string field added here must be added to CleanStatus too (a test checks).
type Status struct {
	Feed        string
	State       State
	LastSuccess time.Time     // zero if never
	LastError   string        // "" when healthy
	NextRetry   time.Time     // zero if not waiting
	Interval    time.Duration // the current poll interval (for stale detection)
	// Hanging: the source takes requests and does not answer them (every
	// request of the last attempt timed out), as opposed to refusing them or
	// failing. State is then StateDown.
	Hanging bool
	// Note is a fact about a healthy feed worth showing, e.g. "replay ended
	// 2025-09-29" (a replay that has reached its last day); "" if none.
	Note string
	// Ended is set on the batch that carries a replay's last day: nothing
	// more will come, so the feed's time moves on to the end of that day
	// (20:00 New York), where `--as-of` on that day stands. A replay with
	// nothing to play sets it on its one status batch (no quotes).
	Ended bool
	// Preferred is set by a composite feed (feeds/failover) while a
	// fallback serves: the source it would rather use, which is down (or
	// not healthy) since PreferredDownSince. Feed is then the fallback.
	Preferred          string
	PreferredDownSince time.Time
	PreferredState     State
	// Provenance says where the data comes from (IEX/SIP/delayed, partial
	// volume, history sources); nil when the feed states nothing. It is
	// shared and never modified: a change is a new value.
	Provenance *engine.Provenance
}

// Via says which fallback serves and why, for the status line: "via yahoo
// (alpaca down 3m)" ("" when the preferred source serves). A preferred
// source back but not yet healthy says "degraded"; "ok" is not said.
func (s Status) Via(now time.Time) string {
	if s.Preferred == "" || s.Feed == "" {
		return ""
	}
	if s.PreferredState == StateOK {
		return "via " + s.Feed
	}
	down := s.PreferredState.String()
	if !s.PreferredDownSince.IsZero() && now.After(s.PreferredDownSince) {
		down += " " + shortDuration(now.Sub(s.PreferredDownSince))
	}
	return "via " + s.Feed + " (" + s.Preferred + " " + down + ")"
}

// shortDuration is a coarse age: "45s", "3m", "2h05m", "3d".
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// History is a back-fill of daily (and optionally today's intraday) bars.
type History struct {
	Daily    map[string][]engine.Bar // per symbol, oldest first, Daily timeframe
	Intraday map[string][]engine.Bar // per symbol, today's 1-minute bars, oldest first (may be nil)
	Errors   []engine.SymbolError    // symbols that could not be loaded (the rest still load)
	// Skipped counts, per symbol, the rows of its source left out of Daily
	// (a missing or non-positive price); absent when none were.
	Skipped map[string]engine.SkippedRows
	// Starts names the symbols whose data begins after this history (a
	// replay from before their first date), with their first date: no data
	// until then is expected, not an error.
	Starts map[string]time.Time
	// Provenance, if set, says which source each part of the history came
	// from (and how the volume was counted).
	Provenance *engine.Provenance
}

// Batch is one delivery of live data: everything from one poll (or ~100 ms of
// a streaming source). Never one message per tick.
type Batch struct {
	Seq    uint64
	Quotes []engine.Quote
	// Bars are intraday 1-minute bars as whole days: each symbol's bars
	// are its day so far and replace what was delivered for it before (a
	// poll of Yahoo's chart; engine.Input.Intraday).
	Bars []engine.Bar
	// Updates are a streaming source's new and corrected 1-minute bars:
	// each replaces the bar of its minute delivered before, or adds one;
	// the others stay (engine.Input.IntradayUpdates). A source sends a
	// minute once here instead of a symbol's whole day in Bars every
	// minute; batches coalesce by appending. Bars and Updates of one batch
	// are of different symbols.
	Updates []engine.Bar
	Status  Status               // the feed's status after this poll
	Errors  []engine.SymbolError // every per-symbol problem of this poll (the set is complete: a symbol absent here is fine now, and the engine clears its earlier live error)
}

// Feed is a data source: a history back-fill plus a live stream of batches.
type Feed interface {
	// Name is the feed's short name ("demo", "replay", "yahoo", "stooq").
	Name() string
	// Kind says whether the data is live, demo or replay.
	Kind() Kind
	// History loads daily history for the symbols. A symbol that fails goes
	// into History.Errors; the error return is for total failure.
	History(ctx context.Context, symbols []string) (History, error)
	// Stream polls or simulates live data and sends batches to out until ctx is
	// done; it never closes out. It returns ctx.Err() when cancelled.
	Stream(ctx context.Context, symbols []string, out chan<- Batch) error
}

// PairWatcher is a feed whose live data depends on the charted pair: the
// Alpaca feed subscribes trades for a capped number of symbols, the pair's
// legs first. The pipeline tells it (through WatchPair) when the pair key
// switches the pair; a running Stream follows at once and later ones start
// with the new pair. Its legs are watched symbols (the engine charts no
// other pair). WatchPair must not block.
type PairWatcher interface {
	WatchPair(small, large string)
}

// WatchPair tells f, or the feed it wraps (Unwrap() Feed, e.g. Sanitized),
// that small/large is now the charted pair, if that feed is a PairWatcher;
// it reports whether one was told.
func WatchPair(f Feed, small, large string) bool {
	for f != nil {
		if w, ok := f.(PairWatcher); ok {
			w.WatchPair(small, large)
			return true
		}
		u, ok := f.(interface{ Unwrap() Feed })
		if !ok {
			return false
		}
		f = u.Unwrap()
	}
	return false
}

// Sentinel causes a feed's errors can be matched against with errors.Is,
// whatever the feed (the network feeds' errors implement Is for them).
var (
	// ErrNotAnswering: the source accepted the request and did not answer in
	// time (it hangs).
	ErrNotAnswering = errors.New("the source is not answering")
	// ErrUnreachable: the source's host cannot be resolved, refuses
	// connections or cannot be routed to.
	ErrUnreachable = errors.New("the source cannot be reached")
)

// NormaliseBars returns bars oldest first with one bar per time (the last
// one wins); well-formed input is returned as is (not copied).
func NormaliseBars(bars []engine.Bar) []engine.Bar {
	sorted := true
	for i := 1; i < len(bars); i++ {
		if !bars[i].Time.After(bars[i-1].Time) {
			sorted = false
			break
		}
	}
	if sorted {
		return bars
	}
	b := slices.Clone(bars)
	sort.SliceStable(b, func(i, j int) bool { return b[i].Time.Before(b[j].Time) })
	out := b[:0]
	for _, x := range b {
		if n := len(out); n > 0 && x.Time.Equal(out[n-1].Time) {
			out[n-1] = x
			continue
		}
		out = append(out, x)
	}
	return out
}

// Reason is err's cause in words for a status line: the Message of the
// first error in its chain that has one (the network feeds' errors say
// their cause without the operation prefixes a command's error carries:
// "Yahoo returned an HTML page (consent/block), not data", not "yahoo:
// history: …"), else the error's text. "" for nil.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	var m interface{ Message() string }
	if errors.As(err, &m) {
		if s := m.Message(); s != "" {
			return s
		}
	}
	return err.Error()
}
