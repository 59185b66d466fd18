package feeds

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/termsafe"
)

// Lengths (in runes) past which a feed's strings are cut.
const (
	MaxNameLen    = 32  // a feed's name
	MaxMessageLen = 300 // an error message, a status reason
)

// Sanitized wraps f so that every string it supplies is terminal-safe: its
// name; in histories and batches the symbols (map keys, bars, quotes,
// errors) and error messages; every string field of a Status; and the
// text of the errors History and Stream return (errors.Is/As still see
// the originals). Escape sequences, C0/C1 controls, bidi controls and
// invalid UTF-8 are removed and line breaks become spaces
// (internal/termsafe); names and messages are cut to MaxNameLen and
// MaxMessageLen runes.
//
// This is the one feed → engine boundary: app.Pipeline, app.BuildSnapshot
// and the dashboard wrap the feed they are given, so the engine's snapshots
// and the statuses the dashboard and the one-shot commands show carry clean
// strings only. Wrapping twice is wrapping once. Data that is already
// clean is passed through without copying; the wrapped feed's memory is
// never written.
func Sanitized(f Feed) Feed {
	if s, ok := f.(sanitized); ok {
		return s
	}
	return sanitized{f: f, name: termsafe.Line(f.Name(), MaxNameLen)}
}

type sanitized struct {
	f    Feed
	name string
}

// Unwrap returns the wrapped feed.
func (s sanitized) Unwrap() Feed { return s.f }

func (s sanitized) Name() string { return s.name }
func (s sanitized) Kind() Kind   { return s.f.Kind() }

func (s sanitized) History(ctx context.Context, symbols []string) (History, error) {
	h, err := s.f.History(ctx, symbols)
	return CleanHistory(h), cleanErr(err)
}

// Stream forwards the wrapped feed's batches, cleaned, until it returns.
func (s sanitized) Stream(ctx context.Context, symbols []string, out chan<- Batch) error {
	in := make(chan Batch)
	done := make(chan error, 1)
	go func() {
		defer func() { // the wrapped stream runs here: its panic must not end the process
			if v := recover(); v != nil {
				done <- &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		done <- s.f.Stream(ctx, symbols, in)
	}()
	for {
		select {
		case b := <-in:
			select {
			case out <- CleanBatch(b):
			case <-ctx.Done():
				for { // the wrapped stream ends with ctx: let it
					select {
					case <-in:
					case err := <-done:
						return cleanErr(err)
					}
				}
			}
		case err := <-done:
			return cleanErr(err)
		}
	}
}

// CleanHistory returns h with every symbol and message sanitised (h itself
// when all are clean).
func CleanHistory(h History) History {
	h.Daily = cleanBarMap(h.Daily)
	h.Intraday = cleanBarMap(h.Intraday)
	h.Errors = cleanSymbolErrors(h.Errors)
	h.Skipped = cleanSkipped(h.Skipped)
	h.Starts = cleanKeys(h.Starts)
	h.Provenance = cleanProvenance(h.Provenance)
	return h
}

func cleanSkipped(m map[string]engine.SkippedRows) map[string]engine.SkippedRows {
	dirty := false
	for k, v := range m {
		if !isClean(k) || !isCleanMessage(v.Source) || !isCleanMessage(v.Reason) {
			dirty = true
			break
		}
	}
	if !dirty {
		return m
	}
	out := make(map[string]engine.SkippedRows, len(m))
	for k, v := range m {
		v.Source, v.Reason = termsafe.Line(v.Source, MaxMessageLen), termsafe.Line(v.Reason, MaxMessageLen)
		out[clean(k)] = v
	}
	return out
}

// cleanKeys returns m with clean keys (m itself when they are).
func cleanKeys[V any](m map[string]V) map[string]V {
	for k := range m {
		if !isClean(k) {
			out := make(map[string]V, len(m))
			for k, v := range m {
				out[clean(k)] = v
			}
			return out
		}
	}
	return m
}

// CleanBatch returns b with every symbol, message and status string
// sanitised (b's own slices when all are clean).
func CleanBatch(b Batch) Batch {
	b.Quotes = cleanQuotes(b.Quotes)
	b.Bars = cleanBars(b.Bars)
	b.Updates = cleanBars(b.Updates)
	b.Errors = cleanSymbolErrors(b.Errors)
	b.Status = CleanStatus(b.Status)
	return b
}

// CleanStatus returns st with every string field sanitised.
func CleanStatus(st Status) Status {
	st.Feed = cleanMax(st.Feed, MaxNameLen)
	st.Preferred = cleanMax(st.Preferred, MaxNameLen)
	st.LastError = cleanMax(st.LastError, MaxMessageLen)
	st.Note = cleanMax(st.Note, MaxMessageLen)
	st.Provenance = cleanProvenance(st.Provenance)
	return st
}

// cleanProvenance returns p with its strings sanitised (p itself when they
// are clean; the feed's value is never written).
func cleanProvenance(p *engine.Provenance) *engine.Provenance {
	if p == nil {
		return nil
	}
	ok := isCleanMessage(p.Prices) && isCleanMessage(p.Volume)
	for _, h := range p.History {
		ok = ok && isCleanMessage(h.Source) && isCleanMessage(h.From) && isCleanMessage(h.To)
	}
	if ok {
		return p
	}
	c := *p
	c.Prices, c.Volume = cleanMax(p.Prices, MaxMessageLen), cleanMax(p.Volume, MaxMessageLen)
	c.History = make([]engine.HistorySpan, len(p.History))
	for i, h := range p.History {
		h.Source, h.From, h.To = cleanMax(h.Source, MaxNameLen), cleanMax(h.From, MaxNameLen), cleanMax(h.To, MaxNameLen)
		c.History[i] = h
	}
	return &c
}

// cleanMax is termsafe.Line(s, n), without allocating when s is clean.
func cleanMax(s string, n int) string {
	if isClean(s) && len(s) <= n {
		return s
	}
	return termsafe.Line(s, n)
}

func isCleanMessage(s string) bool { return cleanMax(s, MaxMessageLen) == s }

func clean(s string) string { return termsafe.Line(s, 0) }

// isClean reports whether clean(s) == s, without allocating for printable
// ASCII.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return clean(s) == s
		}
		if c == ' ' && (i == 0 || i == len(s)-1 || s[i-1] == ' ') {
			return false
		}
	}
	return true
}

func cleanBarMap(m map[string][]engine.Bar) map[string][]engine.Bar {
	dirty := false
	for k, bars := range m {
		if !isClean(k) || !barsClean(bars) {
			dirty = true
			break
		}
	}
	if !dirty {
		return m
	}
	out := make(map[string][]engine.Bar, len(m))
	for k, bars := range m {
		if isClean(k) {
			out[k] = cleanBars(bars)
		}
	}
	for k, bars := range m { // a dirty key never replaces a clean one
		if ck := clean(k); !isClean(k) {
			if _, dup := out[ck]; !dup {
				out[ck] = cleanBars(bars)
			}
		}
	}
	return out
}

func barsClean(bars []engine.Bar) bool {
	last := "" // the symbol last found clean: bars of one symbol share it
	for i := range bars {
		if s := bars[i].Symbol; s != last {
			if !isClean(s) {
				return false
			}
			last = s
		}
	}
	return true
}

func cleanBars(bars []engine.Bar) []engine.Bar {
	if barsClean(bars) {
		return bars
	}
	out := make([]engine.Bar, len(bars))
	for i, b := range bars {
		b.Symbol = clean(b.Symbol)
		out[i] = b
	}
	return out
}

func cleanQuotes(qs []engine.Quote) []engine.Quote {
	for i := range qs {
		if !isClean(qs[i].Symbol) {
			out := make([]engine.Quote, len(qs))
			for j, q := range qs {
				q.Symbol = clean(q.Symbol)
				out[j] = q
			}
			return out
		}
	}
	return qs
}

func cleanSymbolErrors(es []engine.SymbolError) []engine.SymbolError {
	for i := range es {
		if !isClean(es[i].Symbol) || !isCleanMessage(es[i].Message) {
			out := make([]engine.SymbolError, len(es))
			for j, e := range es {
				out[j] = engine.SymbolError{Symbol: clean(e.Symbol), Message: termsafe.Line(e.Message, MaxMessageLen)}
			}
			return out
		}
	}
	return es
}

// cleanErr returns err with a clean message; errors.Is/As see err.
func cleanErr(err error) error {
	if err == nil {
		return nil
	}
	if isCleanMessage(err.Error()) {
		return err
	}
	return &cleanError{msg: termsafe.Line(err.Error(), MaxMessageLen), err: err}
}

type cleanError struct {
	msg string
	err error
}

func (e *cleanError) Error() string { return e.msg }
func (e *cleanError) Unwrap() error { return e.err }

// PanicError is a panic of a wrapped feed's Stream, recovered on the
// goroutine Sanitized runs it on.
type PanicError struct {
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return termsafe.Line(fmt.Sprintf("internal error: %v", e.Value), MaxMessageLen)
}
