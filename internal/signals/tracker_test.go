package signals

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// fakeMarket builds snapshots the way the engine does, for a few flags: a
// committed run per flag advanced bar by bar (every change listed with its
// bar, as Snapshot.FlagChanges), and a live bar that may say otherwise. On
// a closed bar a flag that holds has the value 0.39 against 0.38, one that
// does not 0.37 against 0.38; on the live bar 0.385 or 0.375 against 0.38.
type fakeMarket struct {
	t       *testing.T
	cal     *calendar.Calendar
	asOf    time.Time
	changes []engine.FlagChange
	flags   map[string]*fakeFlag
	ids     []string
}

type fakeFlag struct {
	on      bool
	since   string
	date    time.Time // the last closed bar (zero: no history yet)
	closeOn bool      // held at that bar
	live    *bool     // the live bar's verdict (nil: no live bar)
}

func newMarket(t *testing.T, ids ...string) *fakeMarket {
	m := &fakeMarket{t: t, cal: calendar.NYSE(), flags: map[string]*fakeFlag{}, ids: ids}
	for _, id := range ids {
		m.flags[id] = &fakeFlag{}
	}
	return m
}

// day returns the trading date n trading days after 2026-03-02 (a Monday).
func day(n int) time.Time {
	cal := calendar.NYSE()
	d := time.Date(2026, 3, 2, 0, 0, 0, 0, calendar.Location())
	for range n {
		d = cal.NextTradingDate(d)
	}
	return d
}

func closeOf(d time.Time) time.Time {
	_, cl, _ := calendar.NYSE().Session(d)
	return cl
}

func at(d time.Time, hh, mm int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, calendar.Location())
}

// close commits bar d: the flags in held hold there, the others do not.
func (m *fakeMarket) close(d time.Time, held ...string) {
	h := map[string]bool{}
	for _, id := range held {
		h[id] = true
	}
	for _, id := range m.ids {
		f := m.flags[id]
		on := h[id]
		if on != f.on {
			c := engine.FlagChange{Flag: id, Date: d, Close: closeOf(d), On: on, Value: engine.Some(0.37), Threshold: engine.Some(0.38)}
			if on {
				c.Value = engine.Some(0.39)
				f.since = d.Format(time.DateOnly)
			}
			m.changes = append(m.changes, c)
		}
		f.on, f.date, f.closeOn, f.live = on, d, on, nil
	}
	m.asOf = closeOf(d)
}

// live sets the live bar at t: the flags in held hold there, the others not.
func (m *fakeMarket) live(t time.Time, held ...string) *engine.Snapshot {
	h := map[string]bool{}
	for _, id := range held {
		h[id] = true
	}
	for _, id := range m.ids {
		v := h[id]
		m.flags[id].live = &v
	}
	m.asOf = t
	return m.snap()
}

// snap is the snapshot of the market now.
func (m *fakeMarket) snap() *engine.Snapshot {
	s := &engine.Snapshot{AsOf: m.asOf, FlagChanges: append([]engine.FlagChange(nil), m.changes...)}
	for _, id := range m.ids {
		f := m.flags[id]
		fl := engine.Flag{ID: id, Threshold: engine.Some(0.38), Text: "meaning of " + id}
		if !f.date.IsZero() {
			fl.CloseDate, fl.Closed = f.date.Format(time.DateOnly), closeOf(f.date)
			fl.CloseValue, fl.CloseThreshold = engine.Some(0.37), engine.Some(0.38)
			if f.closeOn {
				fl.CloseValue = engine.Some(0.39)
			}
		}
		fl.Value = fl.CloseValue
		liveOn := f.on
		if f.live != nil {
			liveOn = *f.live
			fl.Value = engine.Some(0.375)
			if liveOn {
				fl.Value = engine.Some(0.385)
			}
		}
		switch {
		case f.on && liveOn:
			fl.State, fl.Since = engine.FlagConfirmed, f.since
		case f.on:
			fl.State, fl.Since = engine.FlagFading, f.since
		case liveOn:
			fl.State, fl.Since = engine.FlagForming, m.cal.TradingDate(m.asOf).Format(time.DateOnly)
		}
		s.Flags = append(s.Flags, fl)
	}
	return s
}

func observe(t *testing.T, tr *Tracker, s *engine.Snapshot) []Record {
	t.Helper()
	recs, err := tr.Observe(s, t0)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// line is a record's flag, change, bar time (New York) and initial mark.
func line(r Record) string {
	s := r.Flag + " " + r.From + ">" + r.To + " " + r.BarTime.In(calendar.Location()).Format("01-02 15:04")
	if r.Initial {
		s += " initial"
	}
	return s
}

func lines(recs []Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, line(r))
	}
	return out
}

func wantLines(t *testing.T, what string, got []Record, want ...string) {
	t.Helper()
	if g := lines(got); !reflect.DeepEqual(g, want) && (len(g) > 0 || len(want) > 0) {
		t.Fatalf("%s:\n got %q\nwant %q", what, g, want)
	}
}

const a50 = engine.FlagRatioAboveSMA50

// TestTrackerOneLinePerChangeAndNoneTwiceAfterRestart: every state change
// (off, forming, confirmed, fading) is one line, closed bars at their close;
// a restart after every snapshot gives the same lines, none twice (each
// found at a start, so initial).
func TestTrackerOneLinePerChangeAndNoneTwiceAfterRestart(t *testing.T) {
	m := newMarket(t, a50)
	var snaps []*engine.Snapshot
	m.close(day(0))
	snaps = append(snaps, m.snap(), m.live(at(day(1), 10, 0)), m.live(at(day(1), 10, 1), a50), m.live(at(day(1), 11, 0), a50))
	m.close(day(1), a50)
	snaps = append(snaps, m.snap(), m.live(at(day(2), 10, 0), a50), m.live(at(day(2), 14, 0)))
	m.close(day(2))
	snaps = append(snaps, m.snap())
	want := []string{
		a50 + " off>forming 03-03 10:01", a50 + " forming>confirmed 03-03 16:00",
		a50 + " confirmed>fading 03-04 14:00", a50 + " fading>off 03-04 16:00",
	}
	dir := t.TempDir()
	straight := openLog(t, filepath.Join(dir, "a.jsonl"), 0)
	tr := NewTrackerWith(straight, TrackerOptions{Feed: "demo", Simulated: true, Dwell: 0})
	var got []Record
	for _, s := range snaps {
		got = append(got, observe(t, tr, s)...)
	}
	wantLines(t, "straight", got, want...)
	if c := got[1]; !c.Closed || *c.Value != 0.39 || c.Threshold != 0.38 || c.Since != "2026-03-03" {
		t.Errorf("the confirmation %+v: want the closing bar's 0.39 vs 0.38, since its date", c)
	}

	path := filepath.Join(dir, "b.jsonl")
	for _, s := range snaps {
		l, err := Open(path, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		tr := NewTrackerWith(l, TrackerOptions{Feed: "demo", Simulated: true, Dwell: 0})
		observe(t, tr, s)
		if recs := observe(t, tr, s); len(recs) != 0 {
			t.Fatalf("the same snapshot again recorded %q", lines(recs))
		}
		l.Close()
	}
	all, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	// Each restart found its change in the first snapshot it saw: the
	// same lines, marked initial (found at start, not seen live).
	for i := range all {
		if !all[i].Initial {
			t.Errorf("%s: found at a restart, want initial", line(all[i]))
		}
		all[i].Initial = false
	}
	wantLines(t, "with a restart after every snapshot", all, want...)
}

// TestInitialStateIsRecordedButNotAlerted: the state found with the history
// is recorded as initial, with the last close's value, and does not ring.
func TestInitialStateIsRecordedButNotAlerted(t *testing.T) {
	a200 := engine.FlagRatioAboveSMA200
	m := newMarket(t, a50, a200)
	m.close(day(0), a200)
	tr := NewTrackerWith(openLog(t, filepath.Join(t.TempDir(), "signals.jsonl"), 0), TrackerOptions{Feed: "yahoo"})
	recs := observe(t, tr, m.snap())
	wantLines(t, "first snapshot", recs, a200+" off>confirmed 03-02 16:00 initial")
	if r := recs[0]; *r.Value != 0.39 || r.Threshold != 0.38 || r.Since != "2026-03-02" {
		t.Errorf("initial record %+v: want the close's value and the run's start", r)
	}
	if _, ok := NewAlerter(AlertOptions{Enabled: true}).Decide(recs[0], t0); ok {
		t.Fatal("an initial state rang an alert")
	}
}

// TestLateHistoryIsInitial (issue 14 item 4): with the feed down at start
// (snapshots without history: every flag off, nothing evaluated) and the
// history arriving two minutes later, the flags confirmed since August are
// initial and silent, not announced as new.
func TestLateHistoryIsInitial(t *testing.T) {
	ids := []string{engine.FlagRatioAboveSMA50, engine.FlagRatioAboveSMA200, engine.FlagSmallAboveSMA200, engine.FlagSmallGoldenCross}
	m := newMarket(t, ids...)
	start := at(day(10), 10, 0)
	tr := NewTrackerWith(openLog(t, filepath.Join(t.TempDir(), "signals.jsonl"), 0), TrackerOptions{Feed: "yahoo"})
	for i := range 24 { // two minutes of 5 s ticks: no data at all
		s := &engine.Snapshot{AsOf: time.Time{}}
		for _, id := range ids {
			s.Flags = append(s.Flags, engine.Flag{ID: id})
		}
		if recs := observe(t, tr, s); len(recs) != 0 {
			t.Fatalf("tick %d without data recorded %q", i, lines(recs))
		}
	}
	// The history: confirmed since day 0 (on every bar since).
	m.close(day(0), ids...)
	for d := 1; d < 10; d++ {
		m.close(day(d), ids...)
	}
	recs := observe(t, tr, m.live(start, ids...))
	a := NewAlerter(AlertOptions{Enabled: true, OnForming: true})
	for _, r := range recs {
		if !r.Initial || r.To != "confirmed" {
			t.Errorf("%s: want an initial confirmed", line(r))
		}
		if _, ok := a.Decide(r, t0); ok {
			t.Errorf("%s rang", line(r))
		}
	}
	if len(recs) != len(ids) {
		t.Fatalf("records %q, want one initial line per flag", lines(recs))
	}
}

// TestCoalescedClosesRecordedPerBar (issue 14 item 2): five closes applied
// in one update give one line per change, each at its own bar's close with
// its own value, none lost (on and off again within the backlog).
func TestCoalescedClosesRecordedPerBar(t *testing.T) {
	m := newMarket(t, a50)
	m.close(day(0))
	tr := NewTrackerWith(nil, TrackerOptions{Feed: "replay", Simulated: true})
	observe(t, tr, m.snap())
	m.close(day(1), a50)
	m.close(day(2))
	m.close(day(3))
	m.close(day(4), a50)
	m.close(day(5), a50)
	recs := observe(t, tr, m.snap())
	wantLines(t, "backlog", recs,
		a50+" off>confirmed 03-03 16:00", a50+" confirmed>off 03-04 16:00", a50+" off>confirmed 03-06 16:00")
	for _, r := range recs {
		if want := 0.37; r.To == "confirmed" {
			want = 0.39
			if *r.Value != want {
				t.Errorf("%s: value %v, want its bar's %v", line(r), *r.Value, want)
			}
		}
	}
}

// TestDwellHoldsBackFlicker (issue 14 item 3): forming/fading changes are
// recorded only once they held for the dwell (or to the close they were
// heading for); a flicker is not; confirmations are never delayed.
func TestDwellHoldsBackFlicker(t *testing.T) {
	m := newMarket(t, a50)
	m.close(day(0))
	tr := NewTrackerWith(nil, TrackerOptions{Feed: "yahoo", Dwell: 5 * time.Minute})
	observe(t, tr, m.snap())
	d := day(1)
	var got []Record
	// 20 minutes of flicker every 30 s: nothing.
	for i := range 40 {
		ts := at(d, 10, 0).Add(time.Duration(i) * 30 * time.Second)
		if i%2 == 0 {
			got = append(got, observe(t, tr, m.live(ts, a50))...)
		} else {
			got = append(got, observe(t, tr, m.live(ts))...)
		}
	}
	wantLines(t, "flicker", got)
	// Forming for 6 minutes: recorded when the dwell is over, dated when it began.
	for i := 0; i <= 6; i++ {
		got = append(got, observe(t, tr, m.live(at(d, 11, i), a50))...)
		if i == 4 && len(got) > 0 {
			t.Fatalf("recorded after %d minutes: %q", i, lines(got))
		}
	}
	wantLines(t, "forming held", got, a50+" off>forming 03-03 11:00")
	// Off for 2 minutes, forming again: the forming stands.
	got = nil
	got = append(got, observe(t, tr, m.live(at(d, 12, 0)))...)
	got = append(got, observe(t, tr, m.live(at(d, 12, 2), a50))...)
	got = append(got, observe(t, tr, m.live(at(d, 12, 30), a50))...)
	wantLines(t, "short dip", got)
	// Off at 15:57 and the close confirms it off: the end of the forming is
	// settled at the close.
	got = append(got, observe(t, tr, m.live(at(d, 15, 57)))...)
	m.close(d)
	got = append(got, observe(t, tr, m.snap())...)
	wantLines(t, "closed off", got, a50+" forming>off 03-03 16:00")

	// A forming that begins 2 minutes before the close it is confirmed
	// by: it held to the close, so both lines.
	d = day(2)
	got = append([]Record(nil), observe(t, tr, m.live(at(d, 15, 58), a50))...)
	m.close(d, a50)
	got = append(got, observe(t, tr, m.snap())...)
	wantLines(t, "forming to the close", got, a50+" off>forming 03-04 15:58", a50+" forming>confirmed 03-04 16:00")
	// A confirmation straight from off (no live bar seen) is recorded at once.
	d = day(4)
	m.close(day(3))
	observe(t, tr, m.snap())
	m.close(d, a50)
	wantLines(t, "confirmation", observe(t, tr, m.snap()), a50+" off>confirmed 03-06 16:00")
	// Fading held for the dwell, then back for the dwell.
	d = day(5)
	got = nil
	for i := 0; i <= 5; i++ {
		got = append(got, observe(t, tr, m.live(at(d, 10, i)))...)
	}
	for i := 0; i <= 5; i++ {
		got = append(got, observe(t, tr, m.live(at(d, 11, i), a50))...)
	}
	wantLines(t, "fading and back", got, a50+" confirmed>fading 03-09 10:00", a50+" fading>confirmed 03-09 11:00")
}

// TestRestartReplayingCoveredTimeRecordsNothing: a restarted demo or replay
// replays the day from the open (first a history-only snapshot, then the
// same breakout): nothing is recorded again until the data passes the
// newest bar in the log, and then only real changes.
func TestRestartReplayingCoveredTimeRecordsNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals-demo.jsonl")
	d := day(1)
	run := func(to int) []string {
		l, err := Open(path, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		tr := NewTrackerWith(l, TrackerOptions{Feed: "demo", Simulated: true, Dwell: 0})
		m := newMarket(t, a50)
		m.close(day(0))
		var got []Record
		got = append(got, observe(t, tr, m.snap())...)
		for i := 0; i < to; i++ {
			if i >= 2 && i < 5 {
				got = append(got, observe(t, tr, m.live(at(d, 10, i), a50))...)
			} else {
				got = append(got, observe(t, tr, m.live(at(d, 10, i)))...)
			}
		}
		return lines(got)
	}
	if got := run(4); !reflect.DeepEqual(got, []string{a50 + " off>forming 03-03 10:02"}) {
		t.Fatalf("first run: %q", got)
	}
	if got := run(6); !reflect.DeepEqual(got, []string{a50 + " forming>off 03-03 10:05"}) {
		t.Fatalf("restart: %q, want only the change after the covered time", got)
	}
}

// TestFailedWriteStillReturnsTheChange: a change that cannot be written is
// returned with the error (it can still ring) and is not retried.
func TestFailedWriteStillReturnsTheChange(t *testing.T) {
	l, err := Open(filepath.Join(t.TempDir(), "signals.jsonl"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := newMarket(t, a50)
	m.close(day(0))
	tr := NewTracker(l, "yahoo", false)
	observe(t, tr, m.snap())
	l.Close() // every append now fails
	m.close(day(1), a50)
	recs, err := tr.Observe(m.snap(), t0)
	if err == nil || len(recs) != 1 || recs[0].To != "confirmed" {
		t.Fatalf("recs %q err %v", lines(recs), err)
	}
	if recs, err := tr.Observe(m.live(at(day(2), 10, 0), a50), t0); err != nil || len(recs) != 0 {
		t.Fatalf("retried: %q %v", lines(recs), err)
	}
	nilTr := NewTracker(nil, "yahoo", false)
	if recs, err := nilTr.Observe(m.snap(), t0); err != nil || len(recs) != 1 {
		t.Fatalf("nil log: %q %v", lines(recs), err)
	}
}
