// Package replay is a feed over a directory of daily CSV files, one per
// symbol (SYMBOL.csv in the Stooq or Yahoo download format, read with
// feeds/csvbars). It serves the files as history, or replays them day by day
// as quotes at a chosen speed, so the dashboard can be watched on past data.
// Everything from this feed is labelled REPLAY.
//
// A file that cannot be used (missing, not a CSV file, no row that parses)
// is that symbol's error, naming the file and line; the other files still
// load. Rows with a missing, non-positive or absurd price (above
// csvbars.MaxPrice), and malformed rows (a bad date or number, a short row,
// a date after today or a stray date out of the file's order), are skipped
// and counted with the first one's line and reason (feeds.History.Skipped).
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
	// Wall is the real clock, whatever Clock: a row dated after its today
	// is a malformed row, skipped and counted (csvbars.Options.Now; default
	// clock.Real{}). Never AsOf: a replay of old data with --as-of in the
	// past reads every row up to today.
	Wall clock.Clock
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
	if opts.Wall == nil {
		opts.Wall = clock.Real{}
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
	bars    map[string][]engine.Bar // up to AsOf
	stats   map[string]csvbars.Stats
	skipped map[string]engine.SkippedRows // rows skipped up to AsOf
	errors  []engine.SymbolError
	// later holds the symbols whose rows all come after AsOf, with their
	// first date: their data starts later, which is no error (History.Starts).
	later map[string]time.Time
	// first and last are the dates of the data (before the AsOf cut): the
	// earliest first row and the latest last row of the loaded files.
	first, last time.Time
}

// load reads the files of symbols (all files when symbols is empty). A file
// that is missing, unreadable or malformed is that symbol's error, naming
// the file (and line); the other files still load. Only a directory that
// cannot be listed fails the load. A row dated after today, or a stray row
// out of its file's order beyond the file's ends, is a skipped row of its
// file (csvbars), so one mistyped date never sets the data's span (first,
// last), nor the replay's clock, which the pipeline takes from the newest
// bar.
func (f *Feed) load(ctx context.Context, symbols []string) (loaded, error) {
	if len(symbols) == 0 {
		var err error
		if symbols, err = f.Symbols(); err != nil {
			return loaded{}, err
		}
	}
	l := loaded{bars: map[string][]engine.Bar{}, stats: map[string]csvbars.Stats{}, skipped: map[string]engine.SkippedRows{}}
	for _, sym := range symbols {
		if err := ctx.Err(); err != nil {
			return loaded{}, fmt.Errorf("replay: load: %w", err)
		}
		if !engine.ValidSymbol(sym) {
			l.errors = append(l.errors, engine.SymbolError{Symbol: sym, Message: fmt.Sprintf("replay: invalid symbol %q", sym)})
			continue
		}
		bars, st, path, err := f.loadFile(sym)
		if errors.Is(err, fs.ErrNotExist) {
			l.errors = append(l.errors, engine.SymbolError{Symbol: sym, Message: "replay: no file " + path})
			continue
		}
		if err != nil {
			l.errors = append(l.errors, engine.SymbolError{Symbol: sym, Message: err.Error()})
			continue
		}
		l.stats[sym] = st
		if n := len(bars); n > 0 {
			if l.first.IsZero() || bars[0].Time.Before(l.first) {
				l.first = bars[0].Time
			}
			if bars[n-1].Time.After(l.last) {
				l.last = bars[n-1].Time
			}
		}
		full := bars
		if !f.asOf.IsZero() {
			n, _ := slices.BinarySearchFunc(bars, f.asOf, func(b engine.Bar, t time.Time) int {
				if b.Time.After(t) {
					return 1
				}
				return -1
			})
			bars = bars[:n]
		}
		sk := f.skippedRows(st, path)
		if len(bars) == 0 && len(full) > 0 && sk.Count == 0 {
			// Every row is after AsOf: the data starts later, as for a
			// replay from before the file's first date (History.Starts).
			if l.later == nil {
				l.later = map[string]time.Time{}
			}
			l.later[sym] = full[0].Time
			continue
		}
		if len(bars) == 0 {
			l.errors = append(l.errors, engine.SymbolError{Symbol: sym, Message: f.noRows(path, full, sk)})
			continue
		}
		if sk.Count > 0 {
			l.skipped[sym] = sk
		}
		l.bars[sym] = bars
	}
	return l, nil
}

// skippedRows summarises the rows of a file skipped up to AsOf.
func (f *Feed) skippedRows(st csvbars.Stats, path string) engine.SkippedRows {
	var k engine.SkippedRows
	for _, s := range st.Skips {
		if !f.asOf.IsZero() && s.Date.After(f.asOf) {
			continue
		}
		if k.Count == 0 {
			k.FirstLine, k.Reason = s.Line, s.Reason
		}
		k.Count++
	}
	if k.Count > 0 {
		k.Source = path
	}
	return k
}

// noRows is the error of a file without a usable row up to AsOf.
func (f *Feed) noRows(path string, full []engine.Bar, sk engine.SkippedRows) string {
	msg := "replay: " + path + " has no usable rows"
	if !f.asOf.IsZero() && len(full) > 0 {
		msg += fmt.Sprintf(" on or before %s (its data starts %s)", f.asOf.Format(time.DateOnly), full[0].Time.Format(time.DateOnly))
	}
	if sk.Count > 0 {
		rows := "rows"
		if sk.Count == 1 {
			rows = "row"
		}
		msg += fmt.Sprintf(" (%d %s skipped, line %d: %s)", sk.Count, rows, sk.FirstLine, sk.Reason)
	}
	return msg
}

// loadFile parses SYM.csv (or sym.csv). path names the file (the one that
// was missing, if neither exists).
func (f *Feed) loadFile(sym string) (bars []engine.Bar, st csvbars.Stats, path string, err error) {
	var file fs.File
	var name string
	for _, n := range []string{sym + ".csv", strings.ToLower(sym) + ".csv"} {
		if name == "" {
			name = n
		}
		if file, err = f.fsys.Open(n); !errors.Is(err, fs.ErrNotExist) {
			name = n
			break
		}
	}
	path = filepath.Join(f.opts.Dir, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, st, path, err
		}
		return nil, st, path, fmt.Errorf("replay: open %s: %w", path, err)
	}
	defer file.Close()
	bars, st, err = csvbars.ParseWith(file, path, sym, csvbars.Options{Now: f.opts.Wall.Now()})
	if err != nil {
		return nil, st, path, fmt.Errorf("replay: %w", err)
	}
	return bars, st, path, nil
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

// Span returns the dates of the data in the symbols' files (all files when
// symbols is empty), whatever AsOf and ReplayFrom: the earliest first row
// and the latest last row. Both are zero when no file has a usable row.
func (f *Feed) Span(ctx context.Context, symbols []string) (first, last time.Time, err error) {
	l, err := f.load(ctx, symbols)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return l.first, l.last, nil
}

// History returns the daily bars of each symbol up to AsOf and before
// ReplayFrom (all files in Dir when symbols is empty). A symbol without a
// file, or without usable rows, is reported in History.Errors; one whose
// rows all come from ReplayFrom on (it joins when the replay reaches its
// first date), or all after AsOf, is listed in History.Starts with its
// first date: its data starts later, which is no error. Skipped rows are
// counted in History.Skipped.
func (f *Feed) History(ctx context.Context, symbols []string) (feeds.History, error) {
	l, err := f.load(ctx, symbols)
	if err != nil {
		return feeds.History{}, err
	}
	h := feeds.History{Daily: map[string][]engine.Bar{}, Errors: l.errors}
	for sym, t := range l.later {
		if h.Starts == nil {
			h.Starts = map[string]time.Time{}
		}
		h.Starts[sym] = t
	}
	for sym, bars := range l.bars {
		if !f.from.IsZero() {
			n, _ := slices.BinarySearchFunc(bars, f.from, func(b engine.Bar, t time.Time) int { return b.Time.Compare(t) })
			if n == 0 { // it starts during the replay
				if h.Starts == nil {
					h.Starts = map[string]time.Time{}
				}
				h.Starts[sym] = bars[0].Time
				continue
			}
			bars = bars[:n]
		}
		h.Daily[sym] = bars
		if sk, ok := l.skipped[sym]; ok {
			if h.Skipped == nil {
				h.Skipped = map[string]engine.SkippedRows{}
			}
			h.Skipped[sym] = sk
		}
	}
	slices.SortFunc(h.Errors, func(a, b engine.SymbolError) int { return strings.Compare(a.Symbol, b.Symbol) })
	return h, nil
}

// Stream replays the days from ReplayFrom (up to AsOf), one batch per
// trading day, one day per 1/Speed seconds of the injected clock; the first
// day is sent at once. The last day's status says "replay ended DATE" (and
// Status.Ended). After
// it, or with no ReplayFrom, it sends nothing more (beyond one status batch,
// Ended, when there was nothing to replay) and waits for ctx. A ReplayFrom or AsOf
// outside the data is said in every status (Status.Note). It returns
// ctx.Err() and never closes out.
func (f *Feed) Stream(ctx context.Context, symbols []string, out chan<- feeds.Batch) error {
	var note string
	status := func() feeds.Status {
		return feeds.Status{Feed: "replay", State: feeds.StateOK, LastSuccess: f.opts.Clock.Now(), Interval: f.interval, Note: note}
	}
	send := func(b feeds.Batch) error {
		select {
		case out <- b:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	l, err := f.load(ctx, symbols)
	if err != nil {
		st := status()
		st.State, st.LastError, st.LastSuccess = feeds.StateDown, err.Error(), time.Time{}
		if serr := send(feeds.Batch{Seq: 1, Status: st}); serr != nil {
			return serr
		}
		return err
	}
	note = f.outside(l)
	var days []dayQuotes
	var symErrs []engine.SymbolError
	if !f.from.IsZero() {
		days, symErrs = f.schedule(l), l.errors
	}
	if len(days) == 0 {
		// Nothing to play (no ReplayFrom, or none of the data after it):
		// the replay is at its end from the start, its final state the one
		// a finished replay keeps (Ended: no countdown that never runs).
		st := status()
		st.Ended = true
		if err := send(feeds.Batch{Seq: 1, Status: st, Errors: symErrs}); err != nil {
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
		if i == len(days)-1 {
			b.Status.Note = joinNotes("replay ended "+d.date.Format(time.DateOnly), note)
			b.Status.Ended = true
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

// outside says when ReplayFrom or AsOf lies outside the data's dates.
func (f *Feed) outside(l loaded) string {
	if l.last.IsZero() {
		return ""
	}
	span := fmt.Sprintf("the data runs %s to %s", l.first.Format(time.DateOnly), l.last.Format(time.DateOnly))
	var notes []string
	switch {
	case f.from.IsZero():
	case f.from.After(l.last):
		notes = append(notes, fmt.Sprintf("nothing to replay from %s: %s", f.from.Format(time.DateOnly), span))
	case f.from.Before(l.first):
		notes = append(notes, fmt.Sprintf("replay from %s starts at %s: %s", f.from.Format(time.DateOnly), l.first.Format(time.DateOnly), span))
	}
	if !f.asOf.IsZero() && f.asOf.After(l.last) {
		notes = append(notes, fmt.Sprintf("as-of %s is after the data's last date: %s", f.asOf.Format(time.DateOnly), span))
	}
	return joinNotes(notes...)
}

// joinNotes joins the non-empty notes with " · ".
func joinNotes(notes ...string) string {
	notes = slices.DeleteFunc(notes, func(s string) bool { return s == "" })
	return strings.Join(notes, " · ")
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
