package signals

import (
	"errors"
	"fmt"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/rotation"
)

// Tracker turns successive snapshots into flag state changes and records each
// change exactly once in the Log.
type Tracker struct {
	log       *Log
	feed      string
	simulated bool
	state     map[string]string // flag id → last recorded state
	weeks     map[string]string // rotation id → the last weekly close observed (YYYY-MM-DD)
	// horizon is the newest bar time in the log at start: snapshots of older
	// data (a restarted demo or replay replaying time the log already
	// covers, or a history-only first snapshot before today's quotes) are
	// not compared, so a restart neither re-records nor re-announces.
	horizon time.Time
}

// NewTracker starts from the log's last recorded states, so a flag that was
// already confirmed before a restart produces no new line. A nil log (it
// could not be opened) tracks changes without recording them.
func NewTracker(l *Log, feed string, simulated bool) *Tracker {
	t := &Tracker{log: l, feed: feed, simulated: simulated, state: map[string]string{}, weeks: map[string]string{}}
	if l != nil {
		for id, r := range l.Last() {
			if r.Kind == KindRotation {
				t.weeks[id] = r.Since
			} else {
				t.state[id] = r.To
			}
			if r.BarTime.After(t.horizon) {
				t.horizon = r.BarTime
			}
		}
	}
	return t
}

// Observe compares the snapshot's flags with the last recorded states, appends
// one record per change and returns the new records. A flag seen for the
// first time in a state other than off is recorded with Initial set: it was
// already on when capwatch started, which is not a live transition. seen is
// the wall-clock time of the observation. A snapshot of data older than the
// newest bar already in the log at start is skipped (nil, nil).
//
// A record that cannot be written is still returned (so it can still ring),
// with the error; its state is kept, so it is not retried on every snapshot.
func (t *Tracker) Observe(s *engine.Snapshot, seen time.Time) ([]Record, error) {
	if s == nil || s.AsOf.Before(t.horizon) {
		return nil, nil
	}
	var out []Record
	var errs []error
	for _, f := range s.Flags {
		to := f.State.String()
		from, known := t.state[f.ID]
		if !known {
			from = engine.FlagOff.String()
		}
		if from == to {
			t.state[f.ID] = to
			continue
		}
		r := Record{
			Flag: f.ID, From: from, To: to, Threshold: f.Threshold, Since: f.Since,
			BarTime: s.AsOf, Seen: seen, Feed: t.feed, Simulated: t.simulated, Text: f.Text,
			Initial: !known,
		}
		if v, ok := f.Value.Get(); ok {
			r.Value = &v
		}
		if t.log != nil {
			if err := t.log.Append(r); err != nil {
				errs = append(errs, fmt.Errorf("signals: record %s: %w", f.ID, err))
			}
		}
		t.state[f.ID] = to
		out = append(out, r)
	}
	for _, r := range t.rotation(s, seen) {
		if t.log != nil {
			if err := t.log.Append(r); err != nil {
				errs = append(errs, fmt.Errorf("signals: record %s: %w", r.Flag, err))
			}
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}

// KindRotation is the Record.Kind of a rotation quadrant change.
const KindRotation = "rotation"

// RotationID is the Record.Flag of a small-vs-large rotation entry.
func RotationID(sector string) string { return "rotation:" + sector }

// rotation returns the quadrant changes of the small-vs-large view on
// weekly closes: an entry whose last finished week's quadrant differs from
// the week before's, once per week (a week already observed, in this run or
// in the log, is not recorded again). A change found on the first
// observation of an entry (nothing in the log) is Initial.
func (t *Tracker) rotation(s *engine.Snapshot, seen time.Time) []Record {
	if s.Rotation == nil {
		return nil
	}
	var out []Record
	for _, e := range s.Rotation.SmallVsLarge {
		c := e.Closed
		if !c.Valid {
			continue
		}
		id, week := RotationID(e.Sector), c.Week.String()
		last, known := t.weeks[id]
		if known && last >= week {
			continue
		}
		t.weeks[id] = week
		if c.Prev == rotation.None || c.Quadrant == rotation.None || c.Prev == c.Quadrant {
			continue
		}
		out = append(out, Record{
			Kind: KindRotation, Flag: id, From: c.Prev.String(), To: c.Quadrant.String(), Since: week,
			BarTime: s.AsOf, Seen: seen, Feed: t.feed, Simulated: t.simulated, Initial: !known,
			Text: RotationText(e.Sector, e.Asset, e.Benchmark, c.Prev, c.Quadrant),
		})
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
