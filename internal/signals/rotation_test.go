package signals

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/rotation"
)

// week is a weekly close's date.
func week(s string) rotation.Day {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return rotation.DayOf(d)
}

// rotSnap is a snapshot whose small-vs-large view has Technology and the
// pair with the given last finished weeks (closed: week, quadrant, the
// week before's quadrant); the other views carry a change too, which must
// not be recorded.
func rotSnap(asOf time.Time, tech, pair rotation.Closed) *engine.Snapshot {
	noise := rotation.Closed{Week: week("2026-02-27"), Valid: true, Quadrant: rotation.Lagging, Prev: rotation.Leading}
	return &engine.Snapshot{AsOf: asOf, Rotation: &rotation.Rotation{Window: 10, Tail: 8,
		SmallVsLarge: []rotation.Entry{
			{Sector: "Technology", Asset: "PSCT", Benchmark: "XLK", Closed: tech},
			{Sector: rotation.PairSector, Asset: "IWM", Benchmark: "SPY", Closed: pair},
		},
		SmallSectors: []rotation.Entry{{Sector: "Technology", Asset: "PSCT", Benchmark: "IWM", Closed: noise}},
		LargeSectors: []rotation.Entry{{Sector: "Technology", Asset: "XLK", Benchmark: "SPY", Closed: noise}},
	}}
}

func closed(w string, prev, q rotation.Quadrant) rotation.Closed {
	return rotation.Closed{Week: week(w), Valid: true, Quadrant: q, Prev: prev}
}

// TestRotationRecords: a quadrant change of the small-vs-large view is
// recorded once, on the weekly close that made it; snapshots of the same
// closed week (quotes during the next week) add nothing; the other views
// are not recorded; a restart records nothing twice.
func TestRotationRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals-demo.jsonl")
	const (
		imp = rotation.Improving
		lea = rotation.Leading
		wea = rotation.Weakening
	)
	steps := []*engine.Snapshot{
		// At start: Technology's last close changed (an initial record), the pair's did not.
		rotSnap(t0, closed("2026-02-27", imp, lea), closed("2026-02-27", wea, wea)),
		rotSnap(t0.Add(time.Hour), closed("2026-02-27", imp, lea), closed("2026-02-27", wea, wea)),
		// The next Friday's close: the pair moves, Technology stays.
		rotSnap(t0.Add(7*24*time.Hour), closed("2026-03-06", lea, lea), closed("2026-03-06", wea, rotation.Lagging)),
		rotSnap(t0.Add(7*24*time.Hour+time.Minute), closed("2026-03-06", lea, lea), closed("2026-03-06", wea, rotation.Lagging)),
		// A week without momentum yet (no quadrant): nothing.
		rotSnap(t0.Add(14*24*time.Hour), closed("2026-03-13", lea, rotation.None), closed("2026-03-13", rotation.Lagging, rotation.Lagging)),
	}
	want := []string{"rotation:Technology:improving>leading", "rotation:pair:weakening>lagging"}

	l := openLog(t, path, 0)
	tr := NewTracker(l, "demo", true)
	var got []Record
	for _, s := range steps {
		recs, err := tr.Observe(s, t0)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, recs...)
	}
	if tr := transitions(got); !reflect.DeepEqual(tr, want) {
		t.Fatalf("records %v, want %v", tr, want)
	}
	if r := got[0]; r.Kind != KindRotation || !r.Initial || r.Since != "2026-02-27" || r.Text != "Technology small vs large: improving → leading" {
		t.Errorf("first record %+v", r)
	}
	if r := got[1]; r.Initial || r.Since != "2026-03-06" || r.Text != "IWM vs SPY: weakening → lagging" || !r.BarTime.Equal(t0.Add(7*24*time.Hour)) {
		t.Errorf("second record %+v", r)
	}
	l.Close()

	// Restart on the same log, replaying the same snapshots: nothing new.
	l2 := openLog(t, path, 0)
	tr2 := NewTracker(l2, "demo", true)
	for _, s := range steps[2:] {
		if recs, _ := tr2.Observe(s, t0); len(recs) != 0 {
			t.Errorf("after restart: %v recorded again", transitions(recs))
		}
	}
	// A later close after the restart is recorded (not initial: the log knew the entry).
	recs, _ := tr2.Observe(rotSnap(t0.Add(21*24*time.Hour), closed("2026-03-20", lea, wea), closed("2026-03-20", rotation.Lagging, rotation.Lagging)), t0)
	if tr := transitions(recs); len(recs) != 1 || tr[0] != "rotation:Technology:leading>weakening" || recs[0].Initial {
		t.Errorf("after restart: %v (%+v)", tr, recs)
	}
	all, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("log has %d lines, want 3: %v", len(all), transitions(all))
	}
	// Never an alert; the table has no threshold for them.
	a := NewAlerter(AlertOptions{Enabled: true, OnForming: true})
	for _, r := range all {
		if _, ok := a.Decide(r, t0); ok {
			t.Errorf("%s rings", r.Flag)
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, all, "table"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "at start: improving → leading") || !strings.Contains(buf.String(), "weakening → lagging") {
		t.Errorf("table:\n%s", buf.String())
	}
	if f := Filter(all, time.Time{}, RotationID("pair")); len(f) != 1 {
		t.Errorf("filter by rotation id: %v", transitions(f))
	}
}
