package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

func ny(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Location())
}

func liveStatus(asOf time.Time) StatusData {
	return StatusData{
		Feed: "yahoo", Live: true, Small: "IWM", Large: "SPY",
		Ratio: engine.Some(0.38123), ChangePct: engine.Some(0.8),
		Flags: []StatusFlag{{engine.FlagRatioNewHigh20d, "confirmed"}, {engine.FlagRatioAboveSMA50, "confirmed"}, {engine.FlagSmallLeads21d, "forming"}},
		AsOf:  asOf,
	}
}

func TestFormatStatus(t *testing.T) {
	cal := calendar.NYSE()
	cases := []struct {
		name string
		d    StatusData
		now  time.Time
		tmux bool
		want string
	}{
		{"open fresh", liveStatus(ny(2024, 6, 4, 13, 45)), ny(2024, 6, 4, 13, 47), false,
			"IWM/SPY 0.3812 ▲0.8% ↑50d ↑20dH (lead21d) · open 2h13m"},
		{"open stale", liveStatus(ny(2024, 6, 4, 10, 47)), ny(2024, 6, 4, 13, 47), false,
			"IWM/SPY 0.3812 ▲0.8% ↑50d ↑20dH (lead21d) · open 2h13m · stale 3h"},
		{"tmux colours", liveStatus(ny(2024, 6, 4, 10, 47)), ny(2024, 6, 4, 13, 47), true,
			"IWM/SPY 0.3812 #[fg=green]▲0.8%#[default] #[fg=green]↑50d#[default] #[fg=green]↑20dH#[default] #[fg=yellow](lead21d)#[default] · open 2h13m · #[fg=red]stale 3h#[default]"},
		{"fading", func() StatusData {
			d := liveStatus(ny(2024, 6, 4, 13, 45))
			d.Flags = append([]StatusFlag(nil), d.Flags...)
			d.Flags[1].State = "fading"
			return d
		}(), ny(2024, 6, 4, 13, 47), false,
			"IWM/SPY 0.3812 ▲0.8% ↑50d? ↑20dH (lead21d) · open 2h13m"},
		{"weekend after friday close", liveStatus(ny(2024, 6, 7, 16, 0)), ny(2024, 6, 8, 10, 0), false,
			"IWM/SPY 0.3812 ▲0.8% ↑50d ↑20dH (lead21d) · closed, opens 47h"}, // Sat 10:00 → Mon 09:30 = 47h30m
		{"weekend, thursday data", liveStatus(ny(2024, 6, 6, 16, 0)), ny(2024, 6, 8, 10, 0), false,
			"IWM/SPY 0.3812 ▲0.8% ↑50d ↑20dH (lead21d) · closed, opens 47h · stale 42h"},
		// QA-1 item 12: Sunday 20:47 counts to Monday's 09:30 open (12h43m),
		// as the dashboard does, not to the 04:00 pre-market (7h13m).
		{"sunday night", liveStatus(ny(2026, 12, 4, 16, 0)), ny(2026, 12, 6, 20, 47), false,
			"IWM/SPY 0.3812 ▲0.8% ↑50d ↑20dH (lead21d) · closed, opens 12h"},
		{"monday 02:00", liveStatus(ny(2026, 12, 4, 16, 0)), ny(2026, 12, 7, 2, 0), false,
			"IWM/SPY 0.3812 ▲0.8% ↑50d ↑20dH (lead21d) · closed, opens 7h30m"},
		// Thanksgiving (Thu 2026-11-26) is skipped: Wed 21:00 → Fri 09:30 = 36h30m.
		{"eve of a holiday", liveStatus(ny(2026, 11, 25, 16, 0)), ny(2026, 11, 25, 21, 0), false,
			"IWM/SPY 0.3812 ▲0.8% ↑50d ↑20dH (lead21d) · closed, opens 36h"},
		// The half-day after it closes at 13:00: 11:13 → 1h47m.
		{"half-day", liveStatus(ny(2026, 11, 27, 11, 10)), ny(2026, 11, 27, 11, 13), false,
			"IWM/SPY 0.3812 ▲0.8% ↑50d ↑20dH (lead21d) · open 1h47m"},
		{"pre-market", liveStatus(ny(2024, 6, 3, 16, 0)), ny(2024, 6, 4, 8, 0), false,
			"IWM/SPY 0.3812 ▲0.8% ↑50d ↑20dH (lead21d) · pre, opens 1h30m"},
		{"demo", StatusData{Feed: "demo", Small: "IWM", Large: "SPY", Ratio: engine.Some(0.4), ChangePct: engine.Some(-1.5)},
			ny(2024, 6, 4, 13, 47), false, "DEMO IWM/SPY 0.4000 ▼1.5% · open 2h13m"},
		{"replay", StatusData{Feed: "replay", Small: "IWM", Large: "SPY", AsOf: ny(2023, 1, 3, 0, 0), Errors: 2},
			ny(2024, 6, 4, 13, 47), false, "REPLAY IWM/SPY — · 2023-01-03 · 2 err"},
		// QA-1 item 11: the count is confirmed of all the snapshot's flags,
		// breadth's shown like the rest; a flag without a short label by its id.
		{"every flag counted", StatusData{Feed: "replay", Small: "IWM", Large: "SPY", Ratio: engine.Some(0.3898), ChangePct: engine.Some(0.6),
			AsOf: ny(2026, 7, 13, 16, 0), FlagCount: 11, Flags: []StatusFlag{
				{engine.FlagRatioAboveSMA50, "confirmed"}, {engine.FlagBreadthThrust, "fading"},
				{engine.FlagBreadthAboveSMA50, "confirmed"}, {"new_flag", "forming"}}},
			ny(2026, 12, 6, 20, 47), false, "REPLAY IWM/SPY 0.3898 ▲0.6% 2/11 ↑50d M>50d thrust? (new_flag) · 2026-07-13"},
		// Flags that cannot be judged are out of the count and said apart:
		// 1 confirmed of the 3 judged, 8 no data; none judged: no "0/0".
		{"no data apart", StatusData{Feed: "replay", Small: "IWM", Large: "SPY", Ratio: engine.Some(0.3898),
			AsOf: ny(2026, 7, 13, 16, 0), FlagCount: 11, NoData: 8, Errors: 3, Flags: []StatusFlag{{engine.FlagSmallAboveSMA200, "confirmed"}}},
			ny(2026, 12, 6, 20, 47), false, "REPLAY IWM/SPY 0.3898 1/3 S>200d · 2026-07-13 · 8 no data · 3 err"},
		{"nothing judged", StatusData{Feed: "replay", Small: "IWM", Large: "SPY",
			AsOf: ny(2026, 7, 13, 16, 0), FlagCount: 9, NoData: 9},
			ny(2026, 12, 6, 20, 47), false, "REPLAY IWM/SPY — · 2026-07-13 · 9 no data"},
		{"tmux escapes #", StatusData{Feed: "yahoo", Live: true, Small: "#(rm)", Large: "SPY", AsOf: ny(2024, 6, 4, 13, 45)},
			ny(2024, 6, 4, 13, 47), true, "##(rm)/SPY — · open 2h13m"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := FormatStatus(tc.d, tc.now, cal, StatusOptions{Tmux: tc.tmux})
			if got != tc.want {
				t.Fatalf("\n got %q\nwant %q", got, tc.want)
			}
			if !tc.tmux && strings.Contains(got, "#[") {
				t.Fatal("plain output has tmux codes")
			}
		})
	}
}

func TestStatusCache(t *testing.T) {
	dir := t.TempDir()
	c := StatusCache{Path: filepath.Join(dir, "capwatch", "status.json"), TTL: time.Minute}
	now := ny(2024, 6, 4, 13, 47)
	if _, ok := c.Load("k", now); ok {
		t.Fatal("hit on an empty cache")
	}
	d := liveStatus(now)
	d.Key, d.Computed = "k", now
	if err := c.Store(d); err != nil {
		t.Fatal(err)
	}
	got, ok := c.Load("k", now.Add(59*time.Second))
	if !ok || got.Ratio != d.Ratio || len(got.Flags) != 3 || !got.AsOf.Equal(d.AsOf) {
		t.Fatalf("fresh load: ok=%v %+v", ok, got)
	}
	if _, ok := c.Load("k", now.Add(60*time.Second)); ok {
		t.Fatal("hit after the TTL")
	}
	if _, ok := c.Load("other", now); ok {
		t.Fatal("hit for another key")
	}
	if _, ok := c.Load("k", now.Add(-time.Second)); ok {
		t.Fatal("hit for a cache from the future")
	}
	if err := os.WriteFile(c.Path, []byte("{torn"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Load("k", now); ok {
		t.Fatal("hit on a corrupt cache")
	}
	entries, _ := os.ReadDir(filepath.Dir(c.Path))
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

// BenchmarkStatusCached is the cached path of `capwatch status`: read the
// cache file and render the line.
func BenchmarkStatusCached(b *testing.B) {
	c := StatusCache{Path: filepath.Join(b.TempDir(), "status.json"), TTL: time.Hour}
	now := ny(2024, 6, 4, 13, 47)
	d := liveStatus(now)
	d.Key, d.Computed = "k", now
	if err := c.Store(d); err != nil {
		b.Fatal(err)
	}
	cal := calendar.NYSE()
	b.ReportAllocs()
	for b.Loop() {
		got, ok := c.Load("k", now)
		if !ok {
			b.Fatal("miss")
		}
		_ = FormatStatus(got, now, cal, StatusOptions{Tmux: true})
	}
}

// TestStatusChangeRoundingToZeroIsFlat: the day's change is shown at one
// decimal; one that rounds to zero is flat, unsigned and uncoloured (QA-1
// item 18: +0.03% was a green "▲0.0%"), and the arrow follows the shown
// value, never the hidden digits.
func TestStatusChangeRoundingToZeroIsFlat(t *testing.T) {
	cal := calendar.NYSE()
	now := ny(2024, 6, 4, 13, 47)
	for _, tc := range []struct {
		c    float64
		want string
	}{
		{0.03, " =0.0% "}, {-0.04, " =0.0% "}, {0.0499, " =0.0% "}, {-0.0001, " =0.0% "}, {0, " =0.0% "},
		{0.06, " #[fg=green]▲0.1%#[default] "}, {-0.06, " #[fg=red]▼0.1%#[default] "},
		{0.16, " #[fg=green]▲0.2%#[default] "}, {-2.04, " #[fg=red]▼2.0%#[default] "},
	} {
		d := liveStatus(now)
		d.ChangePct = engine.Some(tc.c)
		if got := FormatStatus(d, now, cal, StatusOptions{Tmux: true}); !strings.Contains(got, tc.want) {
			t.Errorf("change %v%%: %q, want %q in it", tc.c, got, tc.want)
		}
	}
}

// TestStatusWithoutRatioSaysWhy: a line without its ratio names the leg's
// cause after the "—" (red for tmux, its # escaped so tmux runs nothing)
// and is an error (exit 1); with a ratio there is neither.
func TestStatusWithoutRatioSaysWhy(t *testing.T) {
	cal := calendar.NYSE()
	now := ny(2024, 6, 4, 13, 47)
	d := liveStatus(now)
	if err := d.NoRatio(); err != nil {
		t.Errorf("with a ratio: %v", err)
	}
	d.Ratio, d.ChangePct, d.Flags = engine.Num{}, engine.Num{}, nil
	d.PairProblem = "SPY: replay: no file #(rm)/SPY.csv"
	want := "IWM/SPY — #[fg=red]✖ SPY: replay: no file ##(rm)/SPY.csv#[default] · open 2h13m"
	if got := FormatStatus(d, now, cal, StatusOptions{Tmux: true}); got != want {
		t.Errorf("tmux line %q, want %q", got, want)
	}
	if err := d.NoRatio(); err == nil || err.Error() != "no ratio for IWM/SPY: SPY: replay: no file #(rm)/SPY.csv" {
		t.Errorf("error %v", err)
	}
}

// TestStatusSectorLabel (QA-2 C6): the sector_breadth flag is labelled
// "sectors" on the status line, so it is not read as the members' breadth
// (M>50d) beside it.
func TestStatusSectorLabel(t *testing.T) {
	d := liveStatus(ny(2024, 6, 4, 13, 45))
	d.Flags = []StatusFlag{{engine.FlagSectorBreadth, "confirmed"}, {engine.FlagBreadthAboveSMA50, "confirmed"}}
	got := FormatStatus(d, ny(2024, 6, 4, 13, 47), calendar.NYSE(), StatusOptions{})
	if !strings.Contains(got, " sectors M>50d ") || strings.Contains(got, "breadth") {
		t.Errorf("status %q, want the sector flag as \"sectors\" beside M>50d", got)
	}
}
