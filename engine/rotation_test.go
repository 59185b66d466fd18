package engine

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/calendar"
)

// rotationEngine is an engine with the pair and two sector pairs, loaded
// with a year and a half of daily history up to (and including) the
// Wednesday before Thanksgiving 2025.
func rotationEngine(t *testing.T) (*Engine, map[string][]Bar, []time.Time) {
	t.Helper()
	cal := calendar.NYSE()
	cfg := pairConfig()
	cfg.Sectors = []SectorPair{{Name: "Technology", Large: "XLK", Small: "PSCT"}, {Name: "Health Care", Large: "XLV", Small: "PSCH"}}
	e := newEngine(t, cfg)
	var dates []time.Time
	for d := nyDate(2024, 6, 3); !d.After(nyDate(2025, 11, 26)); d = cal.NextTradingDate(d) {
		dates = append(dates, d)
	}
	hist := map[string][]Bar{}
	for k, sym := range []string{"IWM", "SPY", "PSCT", "XLK", "PSCH", "XLV"} {
		hist[sym] = walkBars(sym, dates, 50+20*float64(k), uint64(k+1))
	}
	e.Advance(nyAt(nyDate(2025, 11, 26), 17, 0, 0))
	if errs := e.LoadHistory(hist); len(errs) > 0 {
		t.Fatalf("history: %v", errs)
	}
	return e, hist, dates
}

// TestRotationFromDailyBars: the snapshot's rotation map is the rotation of
// the engine's closed daily bars, with the sectors in config order and the
// pair last; the week before Thanksgiving's Wednesday is unfinished.
func TestRotationFromDailyBars(t *testing.T) {
	e, hist, _ := rotationEngine(t)
	s := e.Snapshot(nyAt(nyDate(2025, 11, 26), 17, 0, 0))
	r := s.Rotation
	if r == nil {
		t.Fatal("no rotation map after history")
	}
	// The same map from the bars themselves.
	c, err := rotation.NewComputer(rotation.Config{}, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	in := rotation.Input{Small: "IWM", Large: "SPY", Series: map[string]rotation.Series{},
		Sectors: []rotation.Sector{{Name: "Technology", Small: "PSCT", Large: "XLK"}, {Name: "Health Care", Small: "PSCH", Large: "XLV"}}}
	for sym, bars := range hist {
		var ser rotation.Series
		for _, b := range bars {
			ser.Days = append(ser.Days, rotation.DayOf(b.Time))
			ser.Closes = append(ser.Closes, b.Close)
		}
		in.Series[sym] = ser
	}
	want := c.Compute(in)
	gotJSON, _ := json.Marshal(r)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("engine rotation differs from the bars':\n got %s\nwant %s", gotJSON, wantJSON)
	}
	svl := r.SmallVsLarge
	if len(svl) != 3 || svl[0].Sector != "Technology" || svl[1].Sector != "Health Care" || svl[2].Sector != "pair" {
		t.Fatalf("small_vs_large order: %+v", svl)
	}
	head, _ := svl[2].Head()
	if head.Week.String() != "2025-11-26" || !svl[2].Unfinished {
		t.Errorf("head %s unfinished=%v, want 2025-11-26 unfinished (Friday 28th still trades)", head.Week, svl[2].Unfinished)
	}
	if !svl[2].RSMomentum.Valid {
		t.Error("a year and a half of history should give momentum")
	}
	// In the snapshot document.
	doc, _ := json.Marshal(s)
	if !strings.Contains(string(doc), `"rotation":{"window":10,"tail":8,"small_vs_large":[`) {
		t.Errorf("snapshot JSON lacks the rotation map: %.300s", doc[strings.Index(string(doc), `"analogs"`):])
	}
}

// TestRotationOnClosesNotQuotes: quotes during the day leave the published
// map untouched (the same pointer); the day's close recomputes it, dated
// that day; the week's last close marks it finished.
func TestRotationOnClosesNotQuotes(t *testing.T) {
	e, hist, _ := rotationEngine(t)
	before := e.Snapshot(nyAt(nyDate(2025, 11, 26), 17, 0, 0)).Rotation
	fri := nyDate(2025, 11, 28) // early close 13:00
	for sym, bars := range hist {
		last := bars[len(bars)-1]
		b := Bar{Symbol: sym, Time: fri, Open: last.Close, High: last.Close * 1.02, Low: last.Close * 0.99, Close: last.Close * 1.01, Volume: 1e6}
		for _, q := range dayQuotes(b) {
			e.Advance(q.Time)
			e.ApplyQuotes([]Quote{q})
			if got := e.Snapshot(q.Time).Rotation; got != before {
				t.Fatalf("%s quote at %s changed the rotation map", sym, q.Time)
			}
		}
	}
	e.Advance(nyAt(fri, 13, 0, 1))
	after := e.Snapshot(nyAt(fri, 13, 0, 1)).Rotation
	if after == before {
		t.Fatal("the day's close did not recompute the rotation map")
	}
	for _, en := range after.SmallVsLarge {
		head, _ := en.Head()
		if head.Week.String() != "2025-11-28" || en.Unfinished {
			t.Errorf("%s: head %s unfinished=%v, want 2025-11-28 finished", en.Sector, head.Week, en.Unfinished)
		}
		if !en.Closed.Valid || en.Closed.Week != head.Week {
			t.Errorf("%s: closed week %v, want the head", en.Sector, en.Closed)
		}
	}
	// The published map of before is untouched.
	if h, _ := before.SmallVsLarge[0].Head(); h.Week.String() != "2025-11-26" {
		t.Errorf("published map changed: head %s", h.Week)
	}
}

func TestRotationConfig(t *testing.T) {
	cfg := pairConfig()
	cfg.Rotation = rotation.Config{Window: 1}
	if _, err := New(cfg, calendar.NYSE()); err == nil || !strings.Contains(err.Error(), "window") {
		t.Errorf("window 1 accepted: %v", err)
	}
	cfg.Rotation = rotation.Config{Window: 12, Tail: 5}
	e := newEngine(t, cfg)
	e.LoadHistory(map[string][]Bar{})
	if s := e.Snapshot(time.Time{}); s.Rotation != nil {
		t.Errorf("rotation before any history: %+v", s.Rotation)
	}
}

// TestRotationChangesDatedPerWeek (QA-1 item 4): however many days one
// Input applies (one, a week and a half, the whole run), the snapshot lists
// the same quadrant changes of the small-vs-large view, each on its own
// weekly close with that day's session close (13:00 on the day after
// Thanksgiving); oracle: the quadrants of the published map's own weekly
// points, walked by hand.
func TestRotationChangesDatedPerWeek(t *testing.T) {
	cal := calendar.NYSE()
	cfg := pairConfig()
	cfg.Sectors = []SectorPair{{Name: "Technology", Large: "XLK", Small: "PSCT"}, {Name: "Health Care", Large: "XLV", Small: "PSCH"}}
	cfg.Rotation = rotation.Config{Keep: rotation.MaxKeep}
	days := tradingDays(cal, nyDate(2024, 6, 3), 420)
	const warm = 300
	hist := map[string][]Bar{}
	for k, sym := range []string{"IWM", "SPY", "PSCT", "XLK", "PSCH", "XLV"} {
		hist[sym] = walkBars(sym, days, 50+20*float64(k), uint64(k+11))
	}
	run := func(group int) *Snapshot {
		e := newEngine(t, cfg)
		warmHist := map[string][]Bar{}
		for sym, bars := range hist {
			warmHist[sym] = bars[:warm]
		}
		e.Advance(sessionClose(days[warm-1]).Add(time.Minute))
		if errs := e.LoadHistory(warmHist); len(errs) > 0 {
			t.Fatal(errs)
		}
		for i := warm; i < len(days); i += group {
			var in Input
			for k := i; k < min(i+group, len(days)); k++ {
				for _, sym := range []string{"IWM", "SPY", "PSCT", "XLK", "PSCH", "XLV"} {
					in.Quotes = append(in.Quotes, dayQuotes(hist[sym][k])...)
				}
				in.Now = sessionClose(days[k])
			}
			e.apply(in)
		}
		return e.Snapshot(sessionClose(days[len(days)-1]))
	}
	one := run(1)
	// The oracle: each entry's finished points (the whole history is kept).
	var want []RotationChange
	for _, en := range one.Rotation.SmallVsLarge {
		h := en.History
		if en.Unfinished {
			h = h[:len(h)-1]
		}
		prev := rotation.None
		for i, p := range h {
			q := p.Quadrant()
			if q == rotation.None {
				continue
			}
			if prev != rotation.None && q != prev && i >= len(h)-rotation.ChangeWeeks {
				_, cl, _ := cal.Session(p.Week.In(calendar.Location()))
				want = append(want, RotationChange{Sector: en.Sector, Asset: en.Asset, Benchmark: en.Benchmark, Week: p.Week, Close: cl, From: prev, To: q})
			}
			prev = q
		}
	}
	sort.SliceStable(want, func(i, j int) bool { return want[i].Week < want[j].Week })
	if len(want) < 10 {
		t.Fatalf("only %d changes: the walk exercises too little", len(want))
	}
	thanksgiving := false
	for _, c := range want {
		if c.Week.String() == "2025-11-28" {
			thanksgiving = true
			if h := c.Close.In(calendar.Location()).Hour(); h != 13 {
				t.Errorf("%s on 2025-11-28: close %v, want 13:00", c.Sector, c.Close)
			}
		}
	}
	if !thanksgiving {
		t.Fatal("no change on the early close of 2025-11-28: pick another seed")
	}
	for _, group := range []int{1, 8, len(days) - warm} {
		s := one
		if group > 1 {
			s = run(group)
		}
		if !reflect.DeepEqual(s.RotationChanges, want) {
			t.Errorf("%d days per update: changes\n got %v\nwant %v", group, s.RotationChanges, want)
		}
	}
}
