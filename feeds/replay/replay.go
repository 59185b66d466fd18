// Package replay is a feed over a directory of daily CSV files, one per
// symbol (SYMBOL.csv in the Stooq or Yahoo download format, read with
// feeds/csvbars). It serves the files as history, or replays them day by day
// as quotes at a chosen speed, so the dashboard can be watched on past data.
// Everything from this feed is labelled REPLAY.
//
// With ReplayFrom set, History returns the rows before that date and Stream
// replays the rows from it on: one batch per trading day, carrying for every
// symbol four quotes that trace the day's bar (the open at 09:30, the low and
// high in the order an up or down day would take them, and the close at the
// session close, 16:00 or 13:00 on early-close days), with the cumulative
// volume reaching the day's volume at the close. Without ReplayFrom, History
// returns everything and Stream only reports its status.
package replay

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/csvbars"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

var _ feeds.Feed = (*Feed)(nil)

// Options configure a replay feed.
type Options struct {
	// Dir holds the CSV files, one per symbol: SYMBOL.csv (or symbol.csv).
	Dir string
	// FS, if set, is read instead of the operating system's Dir (tests).
	// Dir is still used in messages.
	FS fs.FS
	// AsOf, if set, hides every row after that (New York) date.
	AsOf time.Time
	// Speed is replayed trading days per wall-clock second (default 1).
	Speed float64
	// ReplayFrom, if set, splits the data: History returns the rows before
	// that date and Stream replays the rows from it. Zero: History returns
	// everything and Stream only reports its status.
	ReplayFrom time.Time
	// Clock paces the replay (default clock.Real{}).
	Clock clock.Clock
}

// Feed replays a directory of daily CSV files. It is safe for concurrent use.
type Feed struct {
	opts     Options
	fsys     fs.FS
	cal      *calendar.Calendar
	asOf     time.Time // NY midnight, or zero
	from     time.Time // NY midnight, or zero
	interval time.Duration
}

// New validates the options and checks that Dir can be read.
func New(opts Options) (*Feed, error) {
	if opts.Dir == "" && opts.FS == nil {
		return nil, errors.New("replay: no directory given")
	}
	if opts.Speed == 0 {
		opts.Speed = 1
	}
	if !(opts.Speed > 0) || math.IsInf(opts.Speed, 0) || opts.Speed > 1e6 {
		return nil, fmt.Errorf("replay: speed %v must be a number of days per second between 0 and 1e6", opts.Speed)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	f := &Feed{opts: opts, fsys: opts.FS, cal: calendar.NYSE(), interval: time.Duration(float64(time.Second) / opts.Speed)}
	if f.fsys == nil {
		st, err := os.Stat(opts.Dir)
		if err != nil {
			return nil, fmt.Errorf("replay: open directory: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("replay: %s is not a directory", opts.Dir)
		}
		f.fsys = os.DirFS(opts.Dir)
	}
	f.asOf = nyDate(opts.AsOf)
	f.from = nyDate(opts.ReplayFrom)
	if !f.asOf.IsZero() && !f.from.IsZero() && f.from.After(f.asOf) {
		return nil, fmt.Errorf("replay: replay-from %s is after as-of %s", f.from.Format(time.DateOnly), f.asOf.Format(time.DateOnly))
	}
	return f, nil
}

// nyDate returns midnight New York of t's New York date (zero stays zero).
func nyDate(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	loc := calendar.Location()
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// Name returns "replay".
func (f *Feed) Name() string { return "replay" }

// Kind returns feeds.KindReplay.
func (f *Feed) Kind() feeds.Kind { return feeds.KindReplay }

// Symbols lists the symbols that have a SYMBOL.csv file in Dir, sorted.
func (f *Feed) Symbols() ([]string, error) {
	ents, err := fs.ReadDir(f.fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("replay: list %s: %w", f.opts.Dir, err)
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".csv") {
			continue
		}
		sym := strings.ToUpper(strings.TrimSuffix(name, ".csv"))
		if engine.ValidSymbol(sym) && !slices.Contains(out, sym) {
			out = append(out, sym)
		}
	}
	slices.Sort(out)
	return out, nil
}

// loaded is the data of one load: bars and parse statistics per symbol.
type loaded struct {
	bars   map[string][]engine.Bar
	stats  map[string]csvbars.Stats
	errors []engine.SymbolError
}

// load reads the files of symbols (all files when symbols is empty). A
// missing file becomes a SymbolError; an unreadable or malformed file is an
// error naming the file (and line).
func (f *Feed) load(ctx context.Context, symbols []string) (loaded, error) {
	if len(symbols) == 0 {
		var err error
		if symbols, err = f.Symbols(); err != nil {
			return loaded{}, err
		}
	}
	l := loaded{bars: map[string][]engine.Bar{}, stats: map[string]csvbars.Stats{}}
	for _, sym := range symbols {
		if err := ctx.Err(); err != nil {
			return loaded{}, fmt.Errorf("replay: load: %w", err)
		}
		if !engine.ValidSymbol(sym) {
			l.errors = append(l.errors, engine.SymbolError{Symbol: sym, Message: fmt.Sprintf("replay: invalid symbol %q", sym)})
			continue
		}
		bars, st, err := f.loadFile(sym)
		if errors.Is(err, fs.ErrNotExist) {
			l.errors = append(l.errors, engine.SymbolError{Symbol: sym,
				Message: fmt.Sprintf("replay: no file %s", filepath.Join(f.opts.Dir, sym+".csv"))})
			continue
		}
		if err != nil {
			return loaded{}, err
		}
		l.stats[sym] = st
		if !f.asOf.IsZero() {
			n, _ := slices.BinarySearchFunc(bars, f.asOf, func(b engine.Bar, t time.Time) int {
				if b.Time.After(t) {
					return 1
				}
				return -1
			})
			bars = bars[:n]
		}
		if len(bars) == 0 {
			l.errors = append(l.errors, engine.SymbolError{Symbol: sym,
				Message: fmt.Sprintf("replay: %s has no usable rows", filepath.Join(f.opts.Dir, sym+".csv"))})
			continue
		}
		l.bars[sym] = bars
	}
	return l, nil
}

// loadFile parses SYM.csv (or sym.csv).
func (f *Feed) loadFile(sym string) ([]engine.Bar, csvbars.Stats, error) {
	var file fs.File
	var err error
	var name string
	for _, n := range []string{sym + ".csv", strings.ToLower(sym) + ".csv"} {
		name = n
		if file, err = f.fsys.Open(n); !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, csvbars.Stats{}, err
		}
		return nil, csvbars.Stats{}, fmt.Errorf("replay: open %s: %w", filepath.Join(f.opts.Dir, name), err)
	}
	defer file.Close()
	bars, st, err := csvbars.Parse(file, filepath.Join(f.opts.Dir, name), sym)
	if err != nil {
		return nil, st, fmt.Errorf("replay: %w", err)
	}
	return bars, st, nil
}

// Stats returns what reading each symbol's file found (rows, skipped rows
// and their line numbers), after a fresh read of the files.
func (f *Feed) Stats(ctx context.Context, symbols []string) (map[string]csvbars.Stats, error) {
	l, err := f.load(ctx, symbols)
	if err != nil {
		return nil, err
	}
	return l.stats, nil
}

// History returns the daily bars of each symbol up to AsOf and before
// ReplayFrom (all files in Dir when symbols is empty). A symbol without a
// file, or without rows in range, is reported in History.Errors.
func (f *Feed) History(ctx context.Context, symbols []string) (feeds.History, error) {
	l, err := f.load(ctx, symbols)
	if err != nil {
		return feeds.History{}, err
	}
	h := feeds.History{Daily: map[string][]engine.Bar{}, Errors: l.errors}
	for sym, bars := range l.bars {
		if !f.from.IsZero() {
			n, _ := slices.BinarySearchFunc(bars, f.from, func(b engine.Bar, t time.Time) int { return b.Time.Compare(t) })
			bars = bars[:n]
		}
		if len(bars) == 0 {
			h.Errors = append(h.Errors, engine.SymbolError{Symbol: sym,
				Message: fmt.Sprintf("replay: %s has no rows before %s", sym, f.from.Format(time.DateOnly))})
			continue
		}
		h.Daily[sym] = bars
	}
	slices.SortFunc(h.Errors, func(a, b engine.SymbolError) int { return strings.Compare(a.Symbol, b.Symbol) })
	return h, nil
}

// Stream replays the days from ReplayFrom (up to AsOf), one batch per
// trading day, one day per 1/Speed seconds of the injected clock; the first
// day is sent at once. After the last day, or with no ReplayFrom, it sends
// nothing more (beyond one status batch when there was nothing to replay)
// and waits for ctx. It returns ctx.Err() and never closes out.
func (f *Feed) Stream(ctx context.Context, symbols []string, out chan<- feeds.Batch) error {
	status := func() feeds.Status {
		return feeds.Status{Feed: "replay", State: feeds.StateOK, LastSuccess: f.opts.Clock.Now(), Interval: f.interval}
	}
	send := func(b feeds.Batch) error {
		select {
		case out <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	var days []dayQuotes
	var symErrs []engine.SymbolError
	if !f.from.IsZero() {
		l, err := f.load(ctx, symbols)
		if err != nil {
			st := status()
			st.State, st.LastError, st.LastSuccess = feeds.StateDown, err.Error(), time.Time{}
			if serr := send(feeds.Batch{Seq: 1, Status: st}); serr != nil {
				return serr
			}
			return err
		}
		days, symErrs = f.schedule(l), l.errors
	}
	if len(days) == 0 {
		if err := send(feeds.Batch{Seq: 1, Status: status(), Errors: symErrs}); err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	}
	for i, d := range days {
		b := feeds.Batch{Seq: uint64(i + 1), Quotes: d.quotes, Status: status()}
		if i == 0 {
			b.Errors = symErrs
		}
		if err := send(b); err != nil {
			return err
		}
		if i == len(days)-1 {
			break
		}
		select {
		case <-f.opts.Clock.After(f.interval):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

// dayQuotes is one replayed trading day.
type dayQuotes struct {
	date   time.Time
	quotes []engine.Quote
}

// schedule turns the bars from ReplayFrom on into one quote batch per date.
func (f *Feed) schedule(l loaded) []dayQuotes {
	byDate := map[time.Time][]engine.Quote{}
	for _, bars := range l.bars {
		i, _ := slices.BinarySearchFunc(bars, f.from, func(b engine.Bar, t time.Time) int { return b.Time.Compare(t) })
		for _, b := range bars[i:] {
			byDate[b.Time] = append(byDate[b.Time], f.dayPath(b)...)
		}
	}
	days := make([]dayQuotes, 0, len(byDate))
	for d, q := range byDate {
		slices.SortFunc(q, func(a, b engine.Quote) int {
			if c := a.Time.Compare(b.Time); c != 0 {
				return c
			}
			return strings.Compare(a.Symbol, b.Symbol)
		})
		days = append(days, dayQuotes{date: d, quotes: q})
	}
	slices.SortFunc(days, func(a, b dayQuotes) int { return a.date.Compare(b.date) })
	return days
}

// dayPath returns four quotes tracing a daily bar through its session: open,
// then low and high (high first on a down day), then the close at the
// session close, with the cumulative volume reaching the bar's volume.
func (f *Feed) dayPath(b engine.Bar) []engine.Quote {
	open, cl, ok := f.cal.Session(b.Time)
	if !ok { // a date the calendar thinks closed: still place it in a 09:30–16:00 day
		y, m, d := b.Time.Date()
		open = time.Date(y, m, d, 9, 30, 0, 0, b.Time.Location())
		cl = time.Date(y, m, d, 16, 0, 0, 0, b.Time.Location())
	}
	span := cl.Sub(open)
	first, second := b.Low, b.High
	if b.Close < b.Open {
		first, second = b.High, b.Low
	}
	pts := []struct {
		at    time.Time
		price float64
		vol   float64
	}{
		{open, b.Open, 0.1},
		{open.Add(span / 3), first, 0.4},
		{open.Add(2 * span / 3), second, 0.7},
		{cl, b.Close, 1},
	}
	q := make([]engine.Quote, len(pts))
	for i, p := range pts {
		q[i] = engine.Quote{Symbol: b.Symbol, Price: p.price, DayVolume: math.Round(b.Volume * p.vol), Time: p.at, Received: p.at}
	}
	return q
}
