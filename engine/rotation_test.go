package engine

import (
	"encoding/json"
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
