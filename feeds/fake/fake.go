// Package fake is an in-process feeds.Feed for tests: a scripted history and
// batches that the test pushes one at a time. It does no I/O and reads no
// clock, so tests that use it are deterministic.
//
//	f := fake.New(fake.Options{History: h})
//	go f.Stream(ctx, syms, out)        // or hand f to the code under test
//	f.Push(ctx, feeds.Batch{Quotes: …}) // returns once Stream has taken it
//	b := <-out
package fake

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
)

var _ feeds.Feed = (*Feed)(nil)

// Options script a Feed.
type Options struct {
	Name       string        // Name(); default "fake"
	Kind       feeds.Kind    // Kind(); the zero value is feeds.KindLive
	History    feeds.History // what History returns (filtered to the requested symbols)
	HistoryErr error         // if set, History fails with it (total failure)
	StreamErr  error         // if set, Stream returns it at once without sending
}

// Feed is a scripted feed. It is safe for concurrent use.
type Feed struct {
	opts Options
	in   chan feeds.Batch

	mu           sync.Mutex
	historyCalls int
	streamCalls  int
	lastSymbols  []string
}

// New returns a scripted feed.
func New(opts Options) *Feed {
	if opts.Name == "" {
		opts.Name = "fake"
	}
	return &Feed{opts: opts, in: make(chan feeds.Batch)}
}

// Name returns Options.Name.
func (f *Feed) Name() string { return f.opts.Name }

// Kind returns Options.Kind.
func (f *Feed) Kind() feeds.Kind { return f.opts.Kind }

// History returns copies of the scripted daily and intraday bars of the
// requested symbols, plus the scripted errors of those symbols. A requested
// symbol with neither bars nor a scripted error gets a SymbolError
// "fake: no history for SYM".
func (f *Feed) History(ctx context.Context, symbols []string) (feeds.History, error) {
	f.mu.Lock()
	f.historyCalls++
	f.lastSymbols = slices.Clone(symbols)
	f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return feeds.History{}, err
	}
	if f.opts.HistoryErr != nil {
		return feeds.History{}, fmt.Errorf("fake: history: %w", f.opts.HistoryErr)
	}
	h := feeds.History{Daily: map[string][]engine.Bar{}}
	src := f.opts.History
	for _, s := range symbols {
		if bars, ok := src.Daily[s]; ok {
			h.Daily[s] = slices.Clone(bars)
		}
		if bars, ok := src.Intraday[s]; ok {
			if h.Intraday == nil {
				h.Intraday = map[string][]engine.Bar{}
			}
			h.Intraday[s] = slices.Clone(bars)
		}
		scripted := false
		for _, e := range src.Errors {
			if e.Symbol == s {
				h.Errors = append(h.Errors, e)
				scripted = true
			}
		}
		if _, ok := h.Daily[s]; !ok && !scripted {
			h.Errors = append(h.Errors, engine.SymbolError{Symbol: s, Message: "fake: no history for " + s})
		}
	}
	return h, nil
}

// Stream forwards every pushed batch to out until ctx is done. It never
// closes out and returns ctx.Err() when cancelled (or Options.StreamErr).
func (f *Feed) Stream(ctx context.Context, symbols []string, out chan<- feeds.Batch) error {
	f.mu.Lock()
	f.streamCalls++
	f.lastSymbols = slices.Clone(symbols)
	f.mu.Unlock()
	if f.opts.StreamErr != nil {
		return fmt.Errorf("fake: stream: %w", f.opts.StreamErr)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case b := <-f.in:
			select {
			case out <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
}

// Push hands b to a running Stream and returns once Stream has taken it
// (Stream then delivers it to its out channel). It returns ctx.Err() if ctx
// ends first, e.g. because no Stream is running.
func (f *Feed) Push(ctx context.Context, b feeds.Batch) error {
	select {
	case f.in <- b:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("fake: push batch %d: %w", b.Seq, ctx.Err())
	}
}

// HistoryCalls returns how many times History was called.
func (f *Feed) HistoryCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.historyCalls
}

// StreamCalls returns how many times Stream was called.
func (f *Feed) StreamCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.streamCalls
}

// LastSymbols returns the symbols of the latest History or Stream call.
func (f *Feed) LastSymbols() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.lastSymbols)
}
