package signals

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/calendar"
)

// DefaultDwell is how long a forming or fading state (or its end) must hold,
// in exchange time, before it is recorded.
const DefaultDwell = 5 * time.Minute

// Tracker turns snapshots into flag state changes and records each change
// exactly once in the Log.
//
// Changes on closed bars come from the engine's committed changes
// (Snapshot.FlagChanges): every one is recorded with its own bar's close
// and that bar's value and threshold, however many bars one snapshot
// applied (a coalesced backlog, a replay at speed, a laptop that slept
// through the close). A forming or fading state, or its end, is a change on
// the live bar: it is recorded once it has held for the dwell (exchange
// time), or when the close it was heading for arrives first; a flicker
// shorter than that is not recorded. Changes on closed bars are never
// delayed.
//
// A flag is first seen when its history arrives (the flag was evaluated on
// a closed bar): the state found then is recorded as initial, however late
// the history comes, and so is what changed since the log's last line for
// that flag (the catch-up after a restart). Initial records never ring.
type Tracker struct {
	log       *Log
	feed      string
	simulated bool
	dwell     time.Duration
	cal       *calendar.Calendar
	flags     map[string]*flagTrack
	rots      map[string]*rotTrack // rotation id → what is known of the entry
	// horizon is the newest bar time in the log at start: snapshots of older
	// data (a restarted demo or replay replaying time the log already
	// covers, or a history-only first snapshot before today's quotes) are
	// not compared, so a restart neither re-records nor re-announces.
	horizon time.Time
}

// flagTrack is what the tracker knows of one flag.
type flagTrack struct {
	state  engine.FlagState // the last recorded state (off before any)
	logged bool             // the log has a line for the flag
	// firstClose is the newest close of the flag's history when it was
	// first seen in this run: changes up to it happened before capwatch
	// watched (initial); zero until then.
	firstClose time.Time
	compared   bool // a snapshot was compared for the flag (not skipped)
	// cursor is the close of the last closed bar whose changes are
	// recorded (or the bar time of the log's last line for the flag).
	cursor time.Time
	// liveClose is, while state is forming or fading, the close of the
	// live bar it was recorded on: that close settles it.
	liveClose time.Time
	pending   *Record // a live change waiting for its dwell (BarTime: when it began)
}

// TrackerOptions configure a Tracker beyond its log.
type TrackerOptions struct {
	Feed      string
	Simulated bool
	// Dwell is how long a forming/fading change must hold before it is
	// recorded (exchange time); 0 records it at once. Negative: DefaultDwell.
	Dwell time.Duration
}

// NewTracker starts from the log's last recorded states, so a flag that was
// already confirmed before a restart produces no new line. A nil log (it
// could not be opened) tracks changes without recording them. It uses the
// default dwell; see NewTrackerWith.
func NewTracker(l *Log, feed string, simulated bool) *Tracker {
	return NewTrackerWith(l, TrackerOptions{Feed: feed, Simulated: simulated, Dwell: -1})
}

// NewTrackerWith is NewTracker with every option.
func NewTrackerWith(l *Log, o TrackerOptions) *Tracker {
	if o.Dwell < 0 {
		o.Dwell = DefaultDwell
	}
	t := &Tracker{log: l, feed: o.Feed, simulated: o.Simulated, dwell: o.Dwell, cal: calendar.NYSE(),
		flags: map[string]*flagTrack{}, rots: map[string]*rotTrack{}}
	if l != nil {
		for id, r := range l.Last() {
			if r.BarTime.After(t.horizon) {
				t.horizon = r.BarTime
			}
			if r.Kind == KindRotation {
				rt := &rotTrack{logged: true}
				if d, err := time.Parse(time.DateOnly, r.Since); err == nil {
					rt.cursor = rotation.DayOf(d)
				}
				t.rots[id] = rt
				continue
			}
			st, _ := engine.ParseFlagState(r.To)
			ft := &flagTrack{state: st, logged: true, cursor: r.BarTime}
			if st == engine.FlagForming || st == engine.FlagFading {
				ft.liveClose = t.closeOf(r.BarTime)
			}
			t.flags[id] = ft
		}
	}
	return t
}

// closeOf is the close of the session a live bar seen at t belongs to.
func (t *Tracker) closeOf(at time.Time) time.Time {
	return t.cal.NextClose(at.Add(-time.Nanosecond))
}

// Observe records the snapshot's flag changes and returns the new records,
// oldest first. seen is the wall-clock time of the observation. A snapshot
// of data older than the newest bar already in the log at start is not
// compared (nil, nil), but a flag's history seen in it counts as seen.
//
// A record that cannot be written is still returned (so it can still ring),
// with the error; its state is kept, so it is not retried on every snapshot.
func (t *Tracker) Observe(s *engine.Snapshot, seen time.Time) ([]Record, error) {
	if s == nil {
		return nil, nil
	}
	skip := s.AsOf.Before(t.horizon)
	var out []Record
	for i := range s.Flags {
		f := &s.Flags[i]
		if !evaluated(f) {
			// Not evaluated on a closed bar yet (no history, or not
			// enough of it): nothing to say about the flag.
			continue
		}
		ft := t.flags[f.ID]
		if ft == nil {
			ft = &flagTrack{}
			t.flags[f.ID] = ft
		}
		first := ft.firstClose.IsZero()
		if first {
			// Its history has arrived: what it holds happened before
			// capwatch watched. Without a line in the log, the history is
			// not replayed: the state found is recorded (as initial).
			ft.firstClose = f.Closed
			if !ft.logged {
				ft.cursor = f.Closed
			}
		}
		if skip {
			continue
		}
		// The changes are sorted by bar: the flag's new ones are after its
		// cursor (a binary search, not a walk through the history).
		ch := s.FlagChanges
		ch = ch[sort.Search(len(ch), func(i int) bool { return ch[i].Close.After(ft.cursor) }):]
		out = t.observeFlag(out, ft, f, s, ch, seen, first && !ft.compared)
		ft.compared = true
	}
	// Flags, then rotation entries, are observed one after another: put
	// the lines in time order (within the same time: the flags in display
	// order, then the rotation entries in the view's order).
	out = append(out, t.rotation(s, seen, skip)...)
	slices.SortStableFunc(out, func(a, b Record) int { return a.BarTime.Compare(b.BarTime) })
	var errs []error
	if t.log != nil {
		for _, r := range out {
			if err := t.log.Append(r); err != nil {
				errs = append(errs, fmt.Errorf("signals: record %s: %w", r.Flag, err))
			}
		}
	}
	return out, errors.Join(errs...)
}

// observeFlag appends the records of one flag. first: the flag's history
// arrived with this snapshot (its live state is the state found at start).
// changes are the snapshot's changes after the flag's cursor.
func (t *Tracker) observeFlag(out []Record, ft *flagTrack, f *engine.Flag, s *engine.Snapshot, changes []engine.FlagChange, seen time.Time, first bool) []Record {
	rec := func(at time.Time, initial bool) Record {
		return Record{Flag: f.ID, BarTime: at, Seen: seen, Feed: t.feed, Simulated: t.simulated, Text: f.Text, Initial: initial}
	}
	emit := func(r Record, to engine.FlagState) {
		r.From, r.To = ft.state.String(), to.String()
		out = append(out, r)
		ft.state, ft.liveClose = to, time.Time{}
		if to == engine.FlagForming || to == engine.FlagFading {
			ft.liveClose = t.closeOf(r.BarTime)
		}
	}
	// settle ends a recorded forming/fading state whose live bar closed
	// without a change of the flag on it: forming ended off, fading ended
	// confirmed, at that close.
	settle := func() {
		at := ft.liveClose
		r := rec(at, !at.After(ft.firstClose))
		r.Closed = true
		if at.Equal(f.Closed) {
			r.Value, r.Threshold, r.Note = numPtr(f.CloseValue), f.CloseThreshold.V, f.CloseNote
		}
		to := engine.FlagOff
		if ft.state == engine.FlagFading {
			to, r.Since = engine.FlagConfirmed, f.Since
		}
		emit(r, to)
	}
	// pendingAt reports whether a live change in its dwell was heading for
	// the close cl, and drops it once that close (or a later one) is past.
	pendingAt := func(cl time.Time) (Record, bool) {
		p := ft.pending
		if p == nil {
			return Record{}, false
		}
		pc := t.closeOf(p.BarTime)
		if cl.Before(pc) {
			return Record{}, false
		}
		ft.pending = nil
		return *p, pc.Equal(cl)
	}

	// 1. Changes on closed bars since the cursor, each at its own close.
	for _, c := range changes {
		if c.Flag != f.ID || !c.Close.After(ft.cursor) {
			continue
		}
		if !ft.liveClose.IsZero() && c.Close.After(ft.liveClose) {
			settle()
		}
		// A live change still in its dwell counts if the close it was
		// heading for confirms it: forming, then the bar closes on;
		// fading, then it closes off.
		if p, ok := pendingAt(c.Close); ok && p.To == liveBefore(c.On).String() {
			emit(p, liveBefore(c.On))
		}
		to := engine.FlagOff
		if c.On {
			to = engine.FlagConfirmed
		}
		if ft.state.Held() != c.On {
			r := rec(c.Close, !c.Close.After(ft.firstClose))
			r.Closed = true
			r.Value, r.Threshold, r.Note = numPtr(c.Value), c.Threshold.V, c.Note
			if c.On {
				r.Since = c.Date.Format(time.DateOnly)
			}
			emit(r, to)
		}
		ft.cursor = c.Close
	}
	if !ft.liveClose.IsZero() && !f.Closed.Before(ft.liveClose) {
		settle()
	}
	pendingAt(f.Closed)
	if f.Closed.After(ft.cursor) {
		ft.cursor = f.Closed
	}

	// 2. The committed state disagrees with the record: the state found at
	// first sight, or a revision of a bar (a late print, a reloaded
	// history). Initial unless the change is on the newest close.
	held := f.State.Held()
	if ft.state.Held() != held {
		at, initial := f.Closed, true
		for i := len(s.FlagChanges) - 1; i >= 0; i-- {
			if c := s.FlagChanges[i]; c.Flag == f.ID {
				initial = !c.Close.After(ft.firstClose)
				break
			}
		}
		r := rec(at, initial)
		r.Closed = true
		r.Value, r.Threshold, r.Note = numPtr(f.CloseValue), f.CloseThreshold.V, f.CloseNote
		to := engine.FlagOff
		if held {
			to, r.Since = engine.FlagConfirmed, f.Since
		}
		ft.pending = nil
		emit(r, to)
	}

	// 3. The live bar: forming or fading, or back.
	live := f.State
	if live == ft.state {
		ft.pending = nil
		return out
	}
	r := rec(s.AsOf, first)
	r.Since, r.Threshold, r.Value, r.Note = f.Since, f.Threshold.V, numPtr(f.Value), f.Note
	if first || t.dwell == 0 {
		ft.pending = nil
		emit(r, live)
		return out
	}
	if p := ft.pending; p == nil || p.To != live.String() || p.From != ft.state.String() {
		r.From, r.To = ft.state.String(), live.String()
		ft.pending = &r
		return out
	}
	if s.AsOf.Sub(ft.pending.BarTime) >= t.dwell {
		p := *ft.pending
		ft.pending = nil
		emit(p, live)
	}
	return out
}

// evaluated reports whether the flag was judged on a closed bar (its
// history has arrived, with enough bars for its value and threshold).
func evaluated(f *engine.Flag) bool {
	return f.CloseValue.Valid && f.CloseThreshold.Valid && !f.Closed.IsZero()
}

// liveBefore is the live state a close confirms: forming before the close
// that turns a flag on, fading before the close that turns it off.
func liveBefore(on bool) engine.FlagState {
	if on {
		return engine.FlagForming
	}
	return engine.FlagFading
}

func numPtr(n engine.Num) *float64 {
	if v, ok := n.Get(); ok {
		return &v
	}
	return nil
}

// KindRotation is the Record.Kind of a rotation quadrant change.
const KindRotation = "rotation"

// RotationID is the Record.Flag of a small-vs-large rotation entry.
func RotationID(sector string) string { return rotationPrefix + sector }

const rotationPrefix = "rotation:"

// rotTrack is what the tracker knows of one rotation entry.
type rotTrack struct {
	// cursor is the last finished week whose changes are recorded (or the
	// week of the log's last line for the entry).
	cursor rotation.Day
	logged bool // the log has a line for the entry
	// first is the last finished week when the entry was first seen in
	// this run (its history arrived): changes up to it happened before
	// capwatch watched (initial). Valid once seen.
	first     rotation.Day
	firstSeen bool
}

// rotation returns the quadrant changes of the small-vs-large view on
// weekly closes (the engine's Snapshot.RotationChanges), each recorded once
// with its own week's close as bar_time, however many weeks one snapshot
// closed. A change on the latest finished week found when the entry is
// first seen (nothing in the log) is Initial, and so is what changed
// between the log's last line for an entry and its first sight (the
// catch-up after a restart). skip: the snapshot is older than the log's
// horizon (only the entries' first sight counts).
func (t *Tracker) rotation(s *engine.Snapshot, seen time.Time, skip bool) []Record {
	if s.Rotation == nil {
		return nil
	}
	var out []Record
	for _, e := range s.Rotation.SmallVsLarge {
		c := e.Closed
		if !c.Valid {
			continue // no finished week yet
		}
		id := RotationID(e.Sector)
		rt := t.rots[id]
		if rt == nil {
			rt = &rotTrack{}
			t.rots[id] = rt
		}
		if !rt.firstSeen {
			rt.first, rt.firstSeen = c.Week, true
			if !rt.logged {
				// Without a line in the log the history is not replayed:
				// only a change on the latest finished week is recorded.
				rt.cursor = c.Week - 1
			}
		}
		if skip {
			continue
		}
		for _, ch := range s.RotationChanges {
			if ch.Sector != e.Sector || ch.Week <= rt.cursor || ch.Week > c.Week {
				continue
			}
			week := ch.Week.String()
			out = append(out, Record{
				Kind: KindRotation, Flag: id, From: ch.From.String(), To: ch.To.String(), Since: week,
				BarTime: ch.Close, Seen: seen, Feed: t.feed, Simulated: t.simulated, Initial: ch.Week <= rt.first,
				Closed: true, Text: RotationText(e.Sector, e.Asset, e.Benchmark, ch.From, ch.To),
			})
		}
		if c.Week > rt.cursor {
			rt.cursor = c.Week
		}
	}
	return out
}

// RotationText is a rotation record's line of meaning, e.g. "Technology
// small vs large: improving → leading" ("IWM vs SPY: …" for the pair).
func RotationText(sector, asset, bench string, from, to rotation.Quadrant) string {
	who := sector + " small vs large"
	if sector == rotation.PairSector {
		who = asset + " vs " + bench
	}
	return who + ": " + from.String() + " → " + to.String()
}
