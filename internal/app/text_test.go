package app

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/rotation"
)

// TestTextReportsBreadthStripRotation: the text snapshot prints the sector
// spreads in percentage points as its header says (no "%": QA-1 R10 read
// "+0.01%" under "percentage points"), and has the sections the dashboard
// shows and the text left out: breadth, the confirmation strip (its score
// counted as the dashboard counts it: confirms of the items with a known
// state) and the rotation map's small-vs-large view. Expected lines are
// written by hand from the snapshot below.
func TestTextReportsBreadthStripRotation(t *testing.T) {
	thrust := "2026-07-09"
	s := &engine.Snapshot{
		Feed: "demo",
		Pair: engine.PairSnapshot{Small: "IWM", Large: "SPY"},
		Sectors: []engine.SectorSnapshot{{Sector: "Technology", Small: "PSCT", Large: "XLK",
			Spread: engine.Returns{D1: engine.Some(0.0125), W1: engine.Some(-2.5), M1: engine.Some(3)}}},
		Breadth: &engine.Breadth{Universe: "iwm", Members: 1962, Covered: 1812, AsOf: "2026-12-03", HistoryFrom: "2021-01-04",
			PctAboveSMA50: engine.Some(62.25), PctAboveSMA200: engine.Some(48.1), NewHighs52w: 45, NewLows52w: 12,
			Advancers: 1020, Decliners: 830, Unchanged: 12, ADLine: -3412, ZweigEMA10: engine.Some(0.5814), LastThrust: &thrust,
			EWReturn21dPct: engine.Some(3.21), CWReturn21dPct: engine.Some(-2.1), Leg: "IWM", NSMA50: 1790, NSMA200: 1700, N52w: 1650, NReturn21d: 1780},
		BreadthLoad: &engine.BreadthLoad{Members: 1962, Loaded: 1962, Failed: 150, Done: true},
		Confirmations: []engine.Confirmation{
			{Label: "IWM/QQQ", Kind: engine.ConfirmKindPair, State: engine.ConfirmConfirms, Value: engine.Some(0.44), Reference: engine.Some(0.43), AsOf: "2026-12-03"},
			{Label: "HYG/LQD", Kind: engine.ConfirmKindCredit, State: engine.ConfirmDiverges, Value: engine.Some(0.73), Reference: engine.Some(0.74), AsOf: "2026-12-03"},
			{Label: "RSP/SPY", Kind: engine.ConfirmKindPair, State: engine.ConfirmUnknown},
			{Label: "2y yield", Kind: engine.ConfirmKindYield, State: engine.ConfirmConfirms, Value: engine.Some(3.5), Reference: engine.Some(3.56), AsOf: "2026-12-02"},
		},
		Rotation: &rotation.Rotation{Window: 10, Tail: 8, SmallVsLarge: []rotation.Entry{
			{Sector: "Technology", Asset: "PSCT", Benchmark: "XLK", RSRatio: engine.Some(97.854), RSMomentum: engine.Some(98.605),
				Quadrant: rotation.Lagging, WeeksInQuadrant: 3, Unfinished: true,
				Tail: []rotation.Point{{Week: rotation.DayOf(mustDate(t, "2026-12-04")), RSRatio: engine.Some(97.854), RSMomentum: engine.Some(98.605)}}},
			{Sector: "pair", Asset: "IWM", Benchmark: "SPY", Tail: nil},
		}},
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, s); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(buf.String(), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"Sectors (small − large return, percentage points)",
		"Technology PSCT XLK +0.01 -2.50 +3.00 —",
		"Breadth · iwm · 1812/1962 members · end of day 2026-12-03",
		"above 50-day avg 62.25% of 1790",
		"above 200-day avg 48.10% of 1700",
		"52-week highs / lows 45 / 12 of 1650",
		"advancers / decliners 1020 / 830 12 unchanged",
		"A/D line -3412 from 2021-01-04",
		"Zweig EMA10 0.581 last thrust 2026-07-09",
		"21d return +3.21% equal-weight vs IWM -2.10% (of 1780)",
		"150 of 1962 members without data",
		"Confirmation strip: 2/3 confirm",
		"✓ IWM/QQQ confirms 0.4400 vs 50d 0.4300 2026-12-03",
		"✗ HYG/LQD diverges 0.7300 vs 50d 0.7400 2026-12-03",
		"? RSP/SPY unknown no data",
		"✓ 2y yield confirms 3.50% vs 3.56% 21 days ago 2026-12-02",
		"Rotation (small vs large by sector, weekly: rs-ratio across, rs-momentum up, axes at 100; N 10)",
		"sector pair quadrant weeks rs-ratio rs-momentum week",
		"Technology PSCT/XLK lagging 3 97.85 98.61 2026-12-04 (so far)",
		"pair IWM/SPY — 0 — — —",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text snapshot lacks %q:\n%s", want, buf.String())
		}
	}
	if strings.Contains(text, "+0.01%") {
		t.Errorf("a spread in percentage points printed with %%:\n%s", buf.String())
	}
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
