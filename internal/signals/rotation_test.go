package signals

import (
	"bytes"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/calendar"
)

// week is a weekly close's date.
func week(s string) rotation.Day {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return rotation.DayOf(d)
}

// wq is one finished week's quadrant.
type wq struct {
	week string
	q    rotation.Quadrant
}

// rotSnap is a snapshot whose small-vs-large view has Technology and the
// pair with the given finished weeks (oldest first), and the engine's
// list of their quadrant changes (a week without a quadrant is skipped
// over), each dated by its week's session close. The other views carry an
// entry too, which must not be recorded.
func rotSnap(asOf time.Time, tech, pair []wq) *engine.Snapshot {
	cal := calendar.NYSE()
	var chs []engine.RotationChange
	entry := func(sector, asset, bench string, pts []wq) rotation.Entry {
		e := rotation.Entry{Sector: sector, Asset: asset, Benchmark: bench}
		last := pts[len(pts)-1]
		e.Closed = rotation.Closed{Week: week(last.week), Valid: true, Quadrant: last.q}
		if len(pts) > 1 {
			e.Closed.Prev = pts[len(pts)-2].q
		}
		prev := rotation.None
		for _, p := range pts {
			if p.q == rotation.None {
				continue
			}
			if prev != rotation.None && p.q != prev {
				d := week(p.week)
				_, cl, ok := cal.Session(d.In(calendar.Location()))
				if !ok {
					panic(p.week + " is not a trading day")
				}
				chs = append(chs, engine.RotationChange{Sector: sector, Asset: asset, Benchmark: bench, Week: d, Close: cl, From: prev, To: p.q})
			}
			prev = p.q
		}
		return e
	}
	s := &engine.Snapshot{AsOf: asOf, Rotation: &rotation.Rotation{Window: 10, Tail: 8,
		SmallVsLarge: []rotation.Entry{entry("Technology", "PSCT", "XLK", tech), entry(rotation.PairSector, "IWM", "SPY", pair)},
		SmallSectors: []rotation.Entry{entry("Technology", "PSCT", "IWM", []wq{{"2026-02-20", rotation.Leading}, {"2026-02-27", rotation.Lagging}})},
	}}
	chs = chs[:len(chs)-1] // the small-sectors entry's: the engine lists only small vs large
	sort.SliceStable(chs, func(i, j int) bool { return chs[i].Week < chs[j].Week })
	s.RotationChanges = chs
	return s
}

// weekClose is the session close of a trading date (YYYY-MM-DD).
func weekClose(t *testing.T, date string) time.Time {
	t.Helper()
	_, cl, ok := calendar.NYSE().Session(week(date).In(calendar.Location()))
	if !ok {
		t.Fatalf("%s is not a trading day", date)
	}
	return cl
}

// TestRotationRecords (QA-1 item 4): a quadrant change of the
// small-vs-large view is recorded once, with its own week's close as
// bar_time (not when the snapshot came: a Monday, or weeks later after a
// backlog); snapshots of the same closed week add nothing; every change of
// a backlog of weeks is recorded, each on its own close; at start only a
// change on the latest finished week is recorded (initial), not the
// history; the other views are not recorded; a restart records nothing
// twice.
func TestRotationRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signals-demo.jsonl")
	const (
		non = rotation.None
		imp = rotation.Improving
		lea = rotation.Leading
		wea = rotation.Weakening
		lag = rotation.Lagging
	)
	day := 24 * time.Hour
	tech := []wq{{"2026-02-13", lag}, {"2026-02-20", imp}, {"2026-02-27", lea}}
	pair := []wq{{"2026-02-20", wea}, {"2026-02-27", wea}}
	steps := []*engine.Snapshot{
		// At start (Monday): Technology's last close changed (an initial
		// record); its earlier change is history; the pair's did not.
		rotSnap(t0, tech, pair),
		rotSnap(t0.Add(time.Hour), tech, pair),
		// The next Friday's close, seen on Monday: the pair moves, Technology stays.
		rotSnap(t0.Add(7*day), append(tech, wq{"2026-03-06", lea}), append(pair, wq{"2026-03-06", lag})),
		rotSnap(t0.Add(7*day+time.Minute), append(tech, wq{"2026-03-06", lea}), append(pair, wq{"2026-03-06", lag})),
		// A week without momentum yet (no quadrant): nothing.
		rotSnap(t0.Add(14*day), append(tech, wq{"2026-03-06", lea}, wq{"2026-03-13", non}), append(pair, wq{"2026-03-06", lag}, wq{"2026-03-13", lag})),
		// Two weeks closed in one snapshot (a backlog): both of
		// Technology's changes, each on its own close (the first across
		// the week without a quadrant).
		rotSnap(t0.Add(28*day), append(tech, wq{"2026-03-06", lea}, wq{"2026-03-13", non}, wq{"2026-03-20", wea}, wq{"2026-03-27", lag}),
			append(pair, wq{"2026-03-06", lag}, wq{"2026-03-13", lag}, wq{"2026-03-20", lag}, wq{"2026-03-27", lag})),
	}
	want := []string{"rotation:Technology:improving>leading", "rotation:pair:weakening>lagging",
		"rotation:Technology:leading>weakening", "rotation:Technology:weakening>lagging"}
	wantAt := []time.Time{weekClose(t, "2026-02-27"), weekClose(t, "2026-03-06"), weekClose(t, "2026-03-20"), weekClose(t, "2026-03-27")}

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
	for i, r := range got {
		if !r.BarTime.Equal(wantAt[i]) || r.Since != wantAt[i].Format(time.DateOnly) || !r.Closed {
			t.Errorf("%s: bar_time %v since %s closed %v; want the week's close %v", r.Flag, r.BarTime, r.Since, r.Closed, wantAt[i])
		}
		if r.Initial != (i == 0) {
			t.Errorf("%s %s>%s: initial %v", r.Flag, r.From, r.To, r.Initial)
		}
	}
	if r := got[0]; r.Kind != KindRotation || r.Text != "Technology small vs large: improving → leading" {
		t.Errorf("first record %+v", r)
	}
	if r := got[1]; r.Text != "IWM vs SPY: weakening → lagging" {
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
	// A later close after the restart is recorded (not initial: the log
	// knew the entry), on its week's close: Thursday before Good Friday.
	recs, _ := tr2.Observe(rotSnap(t0.Add(35*day), append(tech, wq{"2026-03-27", lag}, wq{"2026-04-02", imp}),
		append(pair, wq{"2026-03-27", lag}, wq{"2026-04-02", lag})), t0)
	if tr := transitions(recs); len(recs) != 1 || tr[0] != "rotation:Technology:lagging>improving" || recs[0].Initial ||
		!recs[0].BarTime.Equal(weekClose(t, "2026-04-02")) {
		t.Errorf("after restart: %v (%+v)", tr, recs)
	}
	all, err := ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Errorf("log has %d lines, want 5: %v", len(all), transitions(all))
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
	if f := Filter(all, Query{Flag: RotationID("pair")}); len(f) != 1 {
		t.Errorf("filter by rotation id: %v", transitions(f))
	}
	if f := Filter(all, Query{Flag: "rotation:technology"}); len(f) != 4 {
		t.Errorf("filter by rotation id in another case: %v", transitions(f))
	}
	if f := Filter(all, Query{Flag: RotationFlag}); len(f) != len(all) {
		t.Errorf("filter on every rotation line: %v", transitions(f))
	}
}
