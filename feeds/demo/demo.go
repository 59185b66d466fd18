// Package demo is capwatch's embedded, simulated market: a seeded,
// deterministic factor model (market, size and sector factors; small caps
// more volatile than large caps; realistic levels and volumes, including thin
// small-cap sector ETFs) that supplies synthetic daily history (20 years for
// the pair's legs, for the analog study; the last 3 years for every other
// symbol) and a live stream of quotes. Everything from this feed is labelled
// DEMO.
//
// The stream runs on its own simulated clock, starting by default at the
// 09:30 open of the most recent trading date, so the dashboard shows an open
// market at any hour. The history is staged so that a small-cap breakout
// unfolds in the first minutes of watching: it ends with the small/large ratio
// (staged on IWM/SPY, whatever pair is charted; other small/large pairs
// follow it through the size factor) just below its 50-day average, its prior 20-day high
// and (for most seeds) its 200-day average, and during the first ~80
// simulated seconds the small caps rally ~1% against the large caps, through
// all three, and keep leading for the rest of that day (on volume: the small
// leg trades ~1.8x its average, so the engine's paced relative volume shows
// a forming small_volume_surge from 09:35, when it is first defined). The
// staged days keep the small leg's extra market beta and volatility (IWM is
// ~1.2–1.4x as volatile as SPY, beta ~1.2, as in the rest of the history).
// Intraday volume follows engine.ExpectedVolumeFraction, the U-shaped
// profile the engine paces volume with. At the simulated close (16:00, or
// 13:00 on early-close days) the simulated clock jumps to the next trading
// day's 09:30 open: there is no pre-market or after-hours trading in the
// demo.
//
// Quote and bar times are simulated; Batch.Status.LastSuccess and Interval
// are wall-clock (the injected Clock), so stale detection keeps working.
//
// Same seed and start ⇒ the same history and the same quotes for a symbol,
// whatever the charted pair and whichever other symbols are requested, in
// any order: each symbol has its own random streams, and the shared factors
// (the staged breakout included, see stagedSmall) depend on the seed and the
// start alone.
package demo

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

var _ feeds.Feed = (*Feed)(nil)

// Options configure the demo market. The zero value gives the defaults.
type Options struct {
	Seed int64
	// Speed is simulated seconds per wall-clock second (default 1 = real
	// time; must be > 0). At Speed 60 a simulated hour passes in a minute.
	Speed float64
	// Symbols are simulated when History or Stream is called with none
	// (default engine.DefaultConfig().Symbols()).
	Symbols []string
	// Clock is the wall clock used for pacing (default clock.Real{}).
	Clock clock.Clock
	// Start is the simulated start. Default: 09:30 New York of the most
	// recent trading date (by Clock.Now()). A Start outside a regular session
	// moves to the next open.
	Start time.Time
	// QuoteInterval is the simulated time between batches (default 1 s).
	QuoteInterval time.Duration
	// Small and Large name the charted pair (default IWM and SPY): their
	// legs get the full 20 years of history (for the analog study), every
	// other symbol the last 3 years of the same series. They change no
	// price: the breakout is staged in the market itself (on IWM/SPY,
	// through the size factor), the same whatever the pair.
	Small, Large string
}

// Feed is the simulated market. It is safe for concurrent use; every Stream
// call replays the same simulation from Start.
type Feed struct {
	opts  Options
	cal   *calendar.Calendar
	start time.Time
	world func() *world
}

// New validates the options and returns a demo feed. The history is generated
// lazily, on the first History or Stream call.
func New(opts Options) (*Feed, error) {
	if opts.Speed == 0 {
		opts.Speed = 1
	}
	if !(opts.Speed > 0) || math.IsInf(opts.Speed, 0) {
		return nil, fmt.Errorf("demo: speed %v must be a positive number", opts.Speed)
	}
	if opts.QuoteInterval == 0 {
		opts.QuoteInterval = time.Second
	}
	if opts.QuoteInterval < 0 || opts.QuoteInterval > time.Hour {
		return nil, fmt.Errorf("demo: quote interval %v must be between 0 and 1h", opts.QuoteInterval)
	}
	if float64(opts.QuoteInterval)/opts.Speed < 1 {
		return nil, fmt.Errorf("demo: speed %v is too high for quote interval %v", opts.Speed, opts.QuoteInterval)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if len(opts.Symbols) == 0 {
		opts.Symbols = engine.DefaultConfig().Symbols()
	}
	if opts.Small == "" {
		opts.Small = "IWM"
	}
	if opts.Large == "" {
		opts.Large = "SPY"
	}
	for _, s := range append([]string{opts.Small, opts.Large}, opts.Symbols...) {
		if !engine.ValidSymbol(s) {
			return nil, fmt.Errorf("demo: invalid symbol %q", s)
		}
	}
	if opts.Small == opts.Large {
		return nil, fmt.Errorf("demo: small and large legs are both %q", opts.Small)
	}
	cal := calendar.NYSE()
	start := opts.Start
	if start.IsZero() {
		start, _, _ = cal.Session(cal.TradingDate(opts.Clock.Now()))
	} else if cal.StateAt(start) != calendar.Regular {
		start = cal.NextOpen(start)
	}
	f := &Feed{opts: opts, cal: cal, start: start}
	end := cal.PrevTradingDate(start)
	f.world = sync.OnceValue(func() *world {
		return newWorld(cal, opts.Seed, end, opts.Small, opts.Large)
	})
	return f, nil
}

// Name returns "demo".
func (f *Feed) Name() string { return "demo" }

// Kind returns feeds.KindDemo.
func (f *Feed) Kind() feeds.Kind { return feeds.KindDemo }

// Start returns the simulated time of the first streamed batch.
func (f *Feed) Start() time.Time { return f.start }

// History returns synthetic daily bars on NYSE trading dates for each symbol
// (Options.Symbols when symbols is empty), ending the trading day before
// Start: ~20 years for the pair's legs (Options.Small and Large), the last 3
// years for the others. Invalid symbols are reported in History.Errors.
func (f *Feed) History(ctx context.Context, symbols []string) (feeds.History, error) {
	if len(symbols) == 0 {
		symbols = f.opts.Symbols
	}
	w := f.world()
	h := feeds.History{Daily: make(map[string][]engine.Bar, len(symbols))}
	for _, s := range symbols {
		if err := ctx.Err(); err != nil {
			return feeds.History{}, fmt.Errorf("demo: history: %w", err)
		}
		if !engine.ValidSymbol(s) {
			h.Errors = append(h.Errors, engine.SymbolError{Symbol: s, Message: fmt.Sprintf("demo: invalid symbol %q", s)})
			continue
		}
		h.Daily[s] = w.symbolBars(s)
	}
	return h, nil
}

// Stream simulates the market from Start and sends one batch per
// QuoteInterval of simulated time, paced at QuoteInterval/Speed of wall time
// on the injected clock. Every batch carries a quote for every valid symbol
// (exchange and received time = simulated time, Delayed=false) and an OK
// status. It returns ctx.Err() when ctx is done and never closes out.
func (f *Feed) Stream(ctx context.Context, symbols []string, out chan<- feeds.Batch) error {
	if len(symbols) == 0 {
		symbols = f.opts.Symbols
	}
	var bad []engine.SymbolError
	valid := make([]string, 0, len(symbols))
	for _, s := range symbols {
		if engine.ValidSymbol(s) {
			valid = append(valid, s)
		} else {
			bad = append(bad, engine.SymbolError{Symbol: s, Message: fmt.Sprintf("demo: invalid symbol %q", s)})
		}
	}
	sim := newLive(f.world(), f.cal, valid, f.start, f.opts.QuoteInterval)
	wall := time.Duration(float64(f.opts.QuoteInterval) / f.opts.Speed)
	clk := f.opts.Clock
	for seq := uint64(1); ; seq++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := feeds.Batch{
			Seq:    seq,
			Quotes: sim.quotes(),
			Status: feeds.Status{Feed: "demo", State: feeds.StateOK, LastSuccess: clk.Now(), Interval: wall},
			Errors: bad,
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case <-clk.After(wall):
		case <-ctx.Done():
			return ctx.Err()
		}
		sim.step()
	}
}
