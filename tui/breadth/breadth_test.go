package breadth

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

func fixture() Input {
	thrust := "2025-06-02"
	b := &engine.Breadth{
		Universe: "iwm", Members: 1962, Covered: 1812, AsOf: "2025-10-14", HistoryFrom: "2021-01-04", WithBar: 1800,
		PctAboveSMA50: engine.Some(62.25), PctAboveSMA200: engine.Some(48.1), NewHighs52w: 45, NewLows52w: 12,
		Advancers: 1020, Decliners: 830, Unchanged: 12, ADLine: 3412, ZweigEMA10: engine.Some(0.581), LastThrust: &thrust,
		EWReturn21dPct: engine.Some(3.21), CWReturn21dPct: engine.Some(2.1), NSMA50: 1790, NSMA200: 1700,
	}
	for i := range 300 {
		b.History = append(b.History, engine.BreadthPoint{Date: "2025-01-01", PctAboveSMA50: engine.Some(float64(i % 100)),
			PctAboveSMA200: engine.Some(50), ADLine: i, ZweigEMA10: engine.Some(0.5), Thrust: i == 200})
	}
	return Input{
		Breadth: b,
		Load:    &engine.BreadthLoad{Members: 1962, Loaded: 1962, Failed: 150, Done: true},
		Confirm: []engine.Confirmation{
			{ID: "iwm_qqq", Kind: "pair", Label: "IWM/QQQ", State: engine.ConfirmConfirms, Value: engine.Some(0.44), Reference: engine.Some(0.43), AsOf: "2025-10-14"},
			{ID: "hyg_lqd", Kind: "credit", Label: "HYG/LQD", State: engine.ConfirmDiverges, Value: engine.Some(0.73), Reference: engine.Some(0.74), AsOf: "2025-10-14"},
			{ID: "rsp_spy", Kind: "pair", Label: "RSP/SPY", State: engine.ConfirmUnknown},
			{ID: "dgs2", Kind: "yield", Label: "2y yield", State: engine.ConfirmConfirms, Value: engine.Some(3.5), Reference: engine.Some(3.56), AsOf: "2025-10-14"},
		},
		Small: "IWM",
		Now:   time.Date(2025, 10, 15, 10, 0, 0, 0, calendar.Location()),
	}
}

func plain(lines []string) string { return ansi.Strip(strings.Join(lines, "\n")) }

func TestRenderFull(t *testing.T) {
	in := fixture()
	got := plain(Render(in, 100, 10, NewStyles(true, false, false)))
	for _, want := range []string{
		"1,812/1,962 members · end of day 2025-10-14, 18h old", // closed 16:00 the day before
		"150 without data",
		"above 50d 62%  200d 48%  of 1,790/1,700",
		"52w highs 45 lows 12  adv/dec 1,020/830  A/D line +3412",
		"Zweig EMA 0.581  last thrust 2025-06-02",
		"21d equal-weight +3.2% vs IWM +2.1%  broad",
		"2/3 confirm: IWM/QQQ✓ HYG/LQD✗ RSP/SPY? 2y✓",
		"survivorship-biased",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestRenderKeepsTheImportantLines(t *testing.T) {
	in := fixture()
	got := Render(in, 80, 3, NewStyles(true, false, true))
	if len(got) != 3 {
		t.Fatalf("%d lines, want 3", len(got))
	}
	p := plain(got)
	for _, want := range []string{"members · end of day", "above 50d", "2/3 confirm"} {
		if !strings.Contains(p, want) {
			t.Errorf("height 3: missing %q in:\n%s", want, p)
		}
	}
	one := plain(Render(in, 60, 1, NewStyles(true, false, true)))
	if !strings.Contains(one, ">50d 62% A/D 1,020/830 eod · 2/3 confirm") {
		t.Errorf("one line: %q", one)
	}
}

func TestRenderFitsEveryWidth(t *testing.T) {
	in := fixture()
	for _, z := range []bool{false, true} {
		in.Zoomed = z
		for w := 1; w <= 200; w += 7 {
			for _, h := range []int{1, 2, 4, 8, 30} {
				lines := Render(in, w, h, NewStyles(false, true, false))
				if len(lines) > h {
					t.Fatalf("%dx%d: %d lines", w, h, len(lines))
				}
				for _, l := range lines {
					if ansi.StringWidth(l) > w {
						t.Fatalf("%dx%d: line of width %d: %q", w, h, ansi.StringWidth(l), l)
					}
				}
			}
		}
	}
}

func TestRenderStates(t *testing.T) {
	st := NewStyles(true, false, true)
	if got := plain(Render(Input{}, 60, 3, st)); !strings.Contains(got, "breadth is off") {
		t.Errorf("no universe: %q", got)
	}
	l := &engine.BreadthLoad{Members: 1962, Loaded: 812}
	if got := plain(Render(Input{Load: l}, 60, 3, st)); !strings.Contains(got, "loading members 812/1,962…") {
		t.Errorf("loading: %q", got)
	}
	if got := Progress(l); got != "breadth: 812/1,962 members" {
		t.Errorf("Progress = %q", got)
	}
	if got := Progress(&engine.BreadthLoad{Members: 5, Loaded: 5, Done: true}); got != "" {
		t.Errorf("Progress when done = %q", got)
	}
	in := fixture()
	in.Breadth.Forming, in.Breadth.AsOf, in.Breadth.WithBar = true, "2025-10-15", 1700
	in.Load = &engine.BreadthLoad{Members: 1962, Loaded: 900}
	got := plain(Render(in, 120, 4, st))
	if !strings.Contains(got, "live 2025-10-15 (1,700 quoting)") || !strings.Contains(got, "loading 900/1,962 members") {
		t.Errorf("live while loading: %q", got)
	}
	// On one line the partial counts say they are partial (QA-1 item 19:
	// "A/D 40/9 eod" from 50 of 600 members).
	if got := plain(Render(in, 80, 1, st)); !strings.HasPrefix(got, "loading 900/1,962 members · so far >50d 62% A/D 1,020/830") {
		t.Errorf("one line while loading: %q", got)
	}
	in.Zoomed = true
	got = plain(Render(in, 120, 40, st))
	for _, want := range []string{"% above 50d", "A/D line", "thrusts: 2025-01-01", "HYG/LQD      0.7300 vs 50d 0.7400", "2y yield     3.50% vs 3.56% 21 days ago", "RSP/SPY      no data"} {
		if !strings.Contains(got, want) {
			t.Errorf("zoomed: missing %q in:\n%s", want, got)
		}
	}
}

func TestHostileStrings(t *testing.T) {
	in := fixture()
	in.Breadth.Universe = "/tmp/x\x1b[31mred\x07.csv"
	in.Confirm[0].Label = "A\x1b]0;pwn\x07/B"
	for _, l := range append(Render(in, 200, 20, NewStyles(true, false, true)), Title(in)) {
		if strings.Contains(ansi.Strip(l), "\x1b") || strings.ContainsRune(l, 7) {
			t.Errorf("escape reaches the screen: %q", l)
		}
	}
}

func TestSplitLines(t *testing.T) {
	st := NewStyles(true, false, true)
	gs := func(n int, hit, med float64) []engine.AnalogGroupStats {
		out := make([]engine.AnalogGroupStats, 4)
		out[2] = engine.AnalogGroupStats{Horizon: "6m", N: n}
		if n > 0 {
			out[2].RelHitRate, out[2].RelMedianPct = engine.Some(hit), engine.Some(med)
		}
		return out
	}
	s := &engine.AnalogBreadth{Threshold: 60, Covered: 7, Uncovered: 15, Confirmed: gs(3, 2.0/3, 2.14), NotConfirmed: gs(4, 0.25, -0.8)}
	got := plain(SplitLines(s, "2021-01-04", 100, st))
	for _, want := range []string{
		"breadth confirmed (≥60% above 50d): n=3 · led 6 mo later 67% · median +2.1%",
		"breadth not confirmed: n=4 · led 6 mo later 25% · median -0.8%",
		"15 earlier breakouts precede the members' history",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	s.NotConfirmed = gs(0, 0, 0)
	if got := plain(SplitLines(s, "", 100, st)); !strings.Contains(got, "breadth not confirmed: n=0 · no 6-month outcome yet") {
		t.Errorf("empty group: %s", got)
	}
	short := plain(SplitLines(&engine.AnalogBreadth{HistoryTooShort: true, Uncovered: 20}, "2023-11-29", 100, st))
	if !strings.Contains(short, "history is too short (it starts 2023-11-29)") {
		t.Errorf("too short: %s", short)
	}
	if SplitLines(nil, "", 80, st) != nil {
		t.Error("lines without a split")
	}
	for _, l := range SplitLines(s, "2021-01-04", 20, st) {
		if ansi.StringWidth(l) > 20 {
			t.Errorf("line wider than 20: %q", l)
		}
	}
}

func TestSplitLine(t *testing.T) {
	st := NewStyles(true, false, true)
	gs := func(n int, hit float64) []engine.AnalogGroupStats {
		out := make([]engine.AnalogGroupStats, 4)
		out[2] = engine.AnalogGroupStats{N: n, RelHitRate: engine.Some(hit)}
		return out
	}
	got := plain(SplitLine(&engine.AnalogBreadth{Threshold: 60, Uncovered: 17, Confirmed: gs(5, 0.4), NotConfirmed: gs(12, 0.4166)}, 200, st))
	if got != "breadth ≥60%: n=5 (40% led 6 mo) · below: n=12 (42% led 6 mo) · 17 earlier" {
		t.Errorf("one line: %q", got)
	}
	if got := plain(SplitLine(&engine.AnalogBreadth{HistoryTooShort: true}, 200, st)); !strings.Contains(got, "too short") {
		t.Errorf("too short: %q", got)
	}
}

func TestStripWithoutData(t *testing.T) {
	in := fixture()
	for i := range in.Confirm {
		in.Confirm[i].State = engine.ConfirmUnknown
	}
	st := NewStyles(true, false, true)
	if got := plain(Render(in, 100, 10, st)); !strings.Contains(got, "confirm (no data yet): IWM/QQQ? HYG/LQD? RSP/SPY? 2y?") {
		t.Errorf("strip without data:\n%s", got)
	}
	if got := plain(Render(in, 80, 1, st)); strings.Contains(got, "confirm") {
		t.Errorf("one line shows a score without data: %q", got)
	}
}

// TestStripSaysNoFile (QA-2 M9): in a replay whose directory has no file
// for the strip's legs, the strip says "no file", not "no data yet" (that
// data never comes), and the zoomed lines name the missing legs; another
// error says "no data"; an item whose legs may still load keeps "yet".
func TestStripSaysNoFile(t *testing.T) {
	// missing sets each item's Missing (the engine's words, by item ID).
	unknown := func(missing map[string]string) Input {
		in := fixture()
		for i := range in.Confirm {
			c := &in.Confirm[i]
			c.State, c.Value, c.Reference, c.AsOf, c.Missing = engine.ConfirmUnknown, engine.Num{}, engine.Num{}, "", missing[c.ID]
		}
		return in
	}
	st := NewStyles(true, false, true)
	all := map[string]string{"iwm_qqq": "no file: QQQ", "hyg_lqd": "no file: HYG, LQD", "rsp_spy": "no file: RSP"}
	for _, tc := range []struct {
		name    string
		missing map[string]string
		want    string
	}{
		{"no files", all, "confirm (no file): IWM/QQQ? HYG/LQD? RSP/SPY? 2y?"},
		{"a feed error", map[string]string{"iwm_qqq": "no file: QQQ", "hyg_lqd": "no data: HYG", "rsp_spy": "no file: RSP"}, "confirm (no data): IWM/QQQ?"},
		{"one may still come", map[string]string{"iwm_qqq": "no file: QQQ", "hyg_lqd": "no file: HYG, LQD"}, "confirm (no data yet): IWM/QQQ?"},
		{"nothing failed", nil, "confirm (no data yet): IWM/QQQ?"},
	} {
		if got := plain(Render(unknown(tc.missing), 100, 10, st)); !strings.Contains(got, tc.want) {
			t.Errorf("%s: strip\n%s\nwant %q", tc.name, got, tc.want)
		}
	}
	in := unknown(all)
	in.Zoomed = true
	got := plain(Render(in, 120, 60, st))
	for _, want := range []string{"IWM/QQQ      no file: QQQ", "HYG/LQD      no file: HYG, LQD", "RSP/SPY      no file: RSP", "2y yield     no data"} {
		if !strings.Contains(got, want) {
			t.Errorf("zoomed lines lack %q:\n%s", want, got)
		}
	}
}

// TestSplitCountsAddUp (QA-3 F9f): "breadth ≥60%: n=5 (0% led 6 mo) ·
// below: n=0 · 17 earlier" beside 23 past breakouts: the groups' n count
// 6-month outcomes, and the 6th breakout with breadth had none yet. Every
// breakout (Covered + Uncovered, the JSON's) is counted once on the line
// and in the lines: n, too recent, earlier.
func TestSplitCountsAddUp(t *testing.T) {
	st := NewStyles(true, false, true)
	gs := func(n int) []engine.AnalogGroupStats {
		out := make([]engine.AnalogGroupStats, 4)
		out[2] = engine.AnalogGroupStats{Horizon: "6m", N: n}
		if n > 0 {
			out[2].RelHitRate = engine.Some(0)
		}
		return out
	}
	num := regexp.MustCompile(`n=(\d+)|(\d+) (?:more with breadth )?too recent|(\d+) earlier`)
	for _, s := range []*engine.AnalogBreadth{
		{Threshold: 60, Covered: 6, Uncovered: 17, Confirmed: gs(5), NotConfirmed: gs(0)},
		{Threshold: 60, Covered: 7, Uncovered: 15, Confirmed: gs(3), NotConfirmed: gs(4)},
		{Threshold: 60, Covered: 3, Uncovered: 0, Confirmed: gs(0), NotConfirmed: gs(1)},
	} {
		for name, text := range map[string]string{"SplitLine": plain(SplitLine(s, 200, st)), "SplitLines": plain(SplitLines(s, "", 200, st))} {
			sum := 0
			for _, m := range num.FindAllStringSubmatch(text, -1) {
				for _, g := range m[1:] {
					if g != "" {
						n, _ := strconv.Atoi(g)
						sum += n
					}
				}
			}
			if want := s.Covered + s.Uncovered; sum != want {
				t.Errorf("%s: the counts add up to %d, not the %d breakouts:\n%s", name, sum, want, text)
			}
		}
	}
}
