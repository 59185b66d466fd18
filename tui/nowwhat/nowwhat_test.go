package nowwhat

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"

	"github.com/capwatch/capwatch/engine"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func TestSentence(t *testing.T) {
	// Expected strings written from the fixture's numbers: 21 breakouts,
	// 6m n=18, rel hit 0.5556 → 56%, median 1.44 → IWM/SPY +1.4% (the ratio's % change), kept leading on any
	// day 0.47 → 47%, SPY up 0.7778 → 78%, any day 0.7104 → 71%.
	fallback := fixture()
	fallback.Horizons[2].N = 0 // 6m empty → longest horizon with samples (12m, n=16)
	fallback3m := fixture()
	for i := 2; i < 4; i++ {
		fallback3m.Horizons[i] = engine.HorizonStats{Horizon: fallback3m.Horizons[i].Horizon, Bars: fallback3m.Horizons[i].Bars}
	}
	empty := &engine.Analogs{Event: "ratio_crosses_sma200_at_20d_high", HistoryFrom: "2004-03-01", Horizons: []engine.HorizonStats{
		{Horizon: "1m", Bars: 21}, {Horizon: "3m", Bars: 63}, {Horizon: "6m", Bars: 126}, {Horizon: "12m", Bars: 252}}}
	recent := *empty
	recent.Events = []engine.AnalogEvent{{Date: "2026-11-20"}}
	negative := fixture() // one breakout, with outcomes at every horizon
	negative.Events = negative.Events[len(negative.Events)-1:]
	for i := range negative.Horizons {
		negative.Horizons[i].N = 1
	}
	negative.Horizons[2].RelMedianPct = engine.Some(-0.74)
	complete := fixture() // every breakout has its 6m outcome: one count
	complete.Horizons[2].N = 21

	for name, tc := range map[string]struct {
		a            *engine.Analogs
		small, large string
		want         string
	}{
		"fixture": {fixture(), "IWM", "SPY",
			"After 21 breakouts like this since 2004 (18 with a 6-month outcome so far), small caps kept leading 6 months later 56% of the time (median IWM/SPY +1.4%), against 47% on any day; the S&P 500 rose 78% of the time, against 71% on any day (past base rates, not a forecast)."},
		"all outcomes in": {complete, "IWM", "SPY",
			"After 21 breakouts like this since 2004, small caps kept leading 6 months later 56% of the time (median IWM/SPY +1.4%), against 47% on any day; the S&P 500 rose 78% of the time, against 71% on any day (past base rates, not a forecast)."},
		"fallback to 12m": {fallback, "IWM", "SPY",
			"After 21 breakouts like this since 2004 (16 with a 12-month outcome so far), small caps kept leading 12 months later 50% of the time (median IWM/SPY +0.2%), against 45% on any day; the S&P 500 rose 81% of the time, against 76% on any day (past base rates, not a forecast)."},
		"fallback to 3m": {fallback3m, "IWM", "SPY",
			"After 21 breakouts like this since 2004 (20 with a 3-month outcome so far), small caps kept leading 3 months later 55% of the time (median IWM/SPY +0.9%), against 48% on any day; the S&P 500 rose 75% of the time, against 66% on any day (past base rates, not a forecast)."},
		"negative median, one breakout": {negative, "IWM", "SPY",
			"After 1 breakout like this since 2004, small caps kept leading 6 months later 56% of the time (median IWM/SPY −0.7%), against 47% on any day; the S&P 500 rose 78% of the time, against 71% on any day (past base rates, not a forecast)."},
		"other pair": {fixture(), "XBI", "XLV",
			"After 21 breakouts like this since 2004 (18 with a 6-month outcome so far), XBI kept leading XLV 6 months later 56% of the time (median XBI/XLV +1.4%), against 47% on any day; XLV rose 78% of the time, against 71% on any day (past base rates, not a forecast)."},
		"empty":  {empty, "IWM", "SPY", "No breakout like this in the record since 2004 (n=0)."},
		"recent": {&recent, "IWM", "SPY", "1 breakout like this since 2004, too recent for any outcome yet (n=0)."},
		"nil":    {nil, "IWM", "SPY", "Not enough history yet for the breakout study (it needs more than 200 daily bars of both legs)."},
	} {
		t.Run(name, func(t *testing.T) {
			if got := Sentence(tc.a, tc.small, tc.large); got != tc.want {
				t.Errorf("\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

func TestSentenceCapsLongSymbols(t *testing.T) {
	got := Sentence(fixture(), "ABCDEFGHIJKLMNOPQRST", "SPY")
	if !strings.Contains(got, "ABCDEFGHIJKLMNO kept leading") || strings.Contains(got, "ABCDEFGHIJKLMNOP") {
		t.Errorf("symbol not cut to 15: %q", got)
	}
	if got := Sentence(fixture(), "", "SPY"); !strings.Contains(got, "? kept leading") {
		t.Errorf("empty symbol: %q", got)
	}
}

// variants are the study results the properties run on.
func variants() map[string]*engine.Analogs {
	empty := fixture()
	empty.Events = nil
	empty.LastEvent, empty.BarsSinceLastEvent = nil, nil
	for i := range empty.Horizons {
		h := &empty.Horizons[i]
		*h = engine.HorizonStats{Horizon: h.Horizon, Bars: h.Bars, BaseN: h.BaseN, BaseLargeHitRate: h.BaseLargeHitRate}
	}
	return map[string]*engine.Analogs{"fixture": fixture(), "empty": empty, "nil": nil}
}

func TestRenderProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	risks := map[string]*engine.Risk{"risk": riskFixture(), "norisk": nil, "partial": {Beta63: engine.Some(0.9)}}
	for an, a := range variants() {
		for rn, r := range risks {
			for _, st := range []Styles{NewStyles(true, false), NewStyles(false, false), NewStyles(false, true)} {
				for range 150 {
					w, h := 1+rng.IntN(160), 1+rng.IntN(50)
					out := Render(a, r, "IWM", "SPY", w, h, st)
					lines := strings.Split(out, "\n")
					if len(lines) > h {
						t.Fatalf("%s/%s %dx%d: %d lines", an, rn, w, h, len(lines))
					}
					for _, l := range lines {
						if ansi.StringWidth(l) > w {
							t.Fatalf("%s/%s %dx%d: line wider than the pane: %q", an, rn, w, h, ansi.Strip(l))
						}
					}
					plain := strings.ToLower(strings.ReplaceAll(ansi.Strip(out), "\n", " "))
					if strings.Contains(plain, "will") {
						t.Fatalf("%s/%s %dx%d: says 'will': %q", an, rn, w, h, plain)
					}
					if strings.Count(plain, "forecast") != strings.Count(plain, "not a forecast") {
						t.Fatalf("%s/%s %dx%d: 'forecast' outside 'not a forecast'", an, rn, w, h)
					}
					narrow := w < MinWidth || h < MinHeight
					if narrow && (strings.Contains(plain, "leading  ") || strings.Contains(plain, "volatility")) {
						t.Fatalf("%s/%s %dx%d: narrow pane must show the sentence only:\n%s", an, rn, w, h, plain)
					}
				}
			}
		}
	}
}

func TestSentenceProperties(t *testing.T) {
	for name, a := range variants() {
		s := Sentence(a, "IWM", "SPY")
		low := strings.ToLower(s)
		if strings.Contains(low, "will") {
			t.Errorf("%s: says 'will': %s", name, s)
		}
		if a == nil {
			continue
		}
		h, ok := pickHorizon(a)
		if !strings.Contains(s, "n=") && !(ok && strings.Contains(s, fmt.Sprint(h.N))) {
			t.Errorf("%s: no sample size: %s", name, s)
		}
		if ok && !strings.Contains(low, "not a forecast") {
			t.Errorf("%s: base rates must be labelled: %s", name, s)
		}
	}
}

func TestRenderNarrowIsSentenceOnly(t *testing.T) {
	st := NewStyles(true, true)
	for _, sz := range [][2]int{{59, 30}, {100, 7}} {
		got := Render(fixture(), riskFixture(), "IWM", "SPY", sz[0], sz[1], st)
		want := fit(wrap(Sentence(fixture(), "IWM", "SPY"), sz[0]), sz[0], sz[1])
		if got != want {
			t.Errorf("%dx%d:\n%s\nwant\n%s", sz[0], sz[1], got, want)
		}
	}
	// 30×3 cannot hold the whole sentence: a short one that fits whole,
	// still with the sample size, the rate and the median, in the past tense.
	got := Render(fixture(), nil, "IWM", "SPY", 30, 3, st)
	flat := strings.Join(strings.Fields(got), " ")
	if strings.HasSuffix(got, "…") || strings.Count(got, "\n") > 2 {
		t.Errorf("30x3 should be a whole short sentence:\n%s", got)
	}
	for _, want := range []string{"21 past breakouts", "(18 with 6 mo)", "small caps", "6 mo later 56% of the time"} {
		if !strings.Contains(flat, want) {
			t.Errorf("30x3 short sentence lacks %q: %s", want, flat)
		}
	}
	// 20×2 holds no form whole: the long sentence, cut with "…".
	got = Render(fixture(), nil, "IWM", "SPY", 20, 2, st)
	if !strings.HasSuffix(got, "…") || strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "After 21") {
		t.Errorf("20x2 should be the long sentence cut to 2 lines:\n%s", got)
	}
	// Every short form keeps the sample size and never says "will".
	for _, s := range shortSentences(fixture(), "IWM", "SPY") {
		if !strings.Contains(s, "21 past") || !strings.Contains(s, "18 with") || strings.Contains(strings.ToLower(s), "will") {
			t.Errorf("short sentence %q", s)
		}
	}
}

func TestRenderContent(t *testing.T) {
	out := ansi.Strip(Render(fixture(), riskFixture(), "IWM", "SPY", 80, 24, NewStyles(true, false)))
	// The 6m row from the fixture: n 18, 56%, any day 47%, +1.4%, −3.1…+6.0%
	// (of the ratio), 78%, 71%.
	for _, want := range []string{
		"6 mo   18      56%      47%", "+1.4%  −3.1…+6.0%     78%      71%",
		"2026-09-14  +1.9%", // newest event, outcomes pending
		"Latest breakout 2026-09-14, 52 closes since; IWM/SPY +2.3% to the last close.",
		"IWM volatility ×1.4 of SPY · β 1.2 · drawdown −8.1% vs −2.3%",
		"$ volume 20d $5.2B vs $31B",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "2019-01-25") {
		t.Errorf("only the last %d events should be listed:\n%s", maxEvents, out)
	}
}

func TestRenderStylesDoNotChangeLayout(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {60, 8}, {120, 40}} {
		plain := Render(fixture(), riskFixture(), "IWM", "SPY", sz[0], sz[1], NewStyles(true, true))
		for _, dark := range []bool{true, false} {
			col := Render(fixture(), riskFixture(), "IWM", "SPY", sz[0], sz[1], NewStyles(dark, false))
			if ansi.Strip(col) != ansi.Strip(plain) {
				t.Errorf("%dx%d dark=%v: colour changes the text", sz[0], sz[1], dark)
			}
			if dark && col == plain {
				t.Errorf("%dx%d: coloured styles emit no colour", sz[0], sz[1])
			}
		}
	}
}

func TestFormatters(t *testing.T) {
	for v, want := range map[float64]string{5.2e9: "$5.2B", 31.2e9: "$31B", 850e6: "$850M", 9.96e9: "$10B", 12e3: "$12K", 3e12: "$3.0T", 512: "$512"} {
		if got := fmtDollars(v); got != want {
			t.Errorf("fmtDollars(%g) = %s, want %s", v, got, want)
		}
	}
	for v, want := range map[float64]string{1.44: "+1.4", -0.74: "−0.7", 0.04: "0.0", -0.04: "0.0", 12: "+12.0"} {
		if got := fmtSigned(v); got != want {
			t.Errorf("fmtSigned(%g) = %s, want %s", v, got, want)
		}
	}
}

// TestGolden compares the ANSI-stripped panel with testdata goldens
// (reviewed by hand; regenerate with -update).
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    *engine.Analogs
		r    *engine.Risk
		w, h int
	}{
		{"full_80x24", fixture(), riskFixture(), 80, 24},
		{"full_120x40", fixture(), riskFixture(), 120, 40},
		{"tight_70x14", fixture(), riskFixture(), 70, 14},
		{"min_60x8", fixture(), riskFixture(), 60, 8},
		{"narrow_40x10", fixture(), riskFixture(), 40, 10},
		{"nil_80x24", nil, riskFixture(), 80, 24},
		{"empty_80x24", variants()["empty"], nil, 80, 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ansi.Strip(Render(tc.a, tc.r, "IWM", "SPY", tc.w, tc.h, NewStyles(true, false))) + "\n"
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read golden (run with -update): %v", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from %s:\n%s", tc.name, path, got)
			}
		})
	}
}

// TestScreen draws the coloured panel into a vt emulator of exactly the pane
// size: nothing may wrap or scroll, so the screen equals the stripped lines.
func TestScreen(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 50}, {60, 8}, {40, 10}} {
		w, h := sz[0], sz[1]
		out := Render(fixture(), riskFixture(), "IWM", "SPY", w, h, NewStyles(true, false))
		em := vt.NewEmulator(w, h)
		if _, err := em.WriteString(strings.ReplaceAll(out, "\n", "\r\n")); err != nil {
			t.Fatal(err)
		}
		screen := strings.Split(em.String(), "\n")
		want := strings.Split(ansi.Strip(out), "\n")
		for i := range want {
			want[i] = strings.TrimRight(want[i], " ")
		}
		for len(screen) > 0 && screen[len(screen)-1] == "" {
			screen = screen[:len(screen)-1]
		}
		for i := range screen {
			screen[i] = strings.TrimRight(screen[i], " ")
		}
		if strings.Join(screen, "\n") != strings.Join(want, "\n") {
			t.Errorf("%dx%d screen:\n%s\nwant:\n%s", w, h, strings.Join(screen, "\n"), strings.Join(want, "\n"))
		}
		if flat := strings.Join(strings.Fields(em.String()), " "); !strings.Contains(flat, "After 21 breakouts") && !strings.Contains(flat, "21 past breakouts") {
			t.Errorf("%dx%d: sentence not on screen", w, h)
		}
		full := w >= MinWidth && h >= MinHeight
		if got := strings.Contains(em.String(), "p25…p75"); got != full { // a short sentence lets the table in
			t.Errorf("%dx%d: table shown = %v", w, h, got)
		}
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		w, h int
		want string
	}{
		{[]string{"abcdef", "gh"}, 4, 5, "abc…\ngh"},
		{[]string{"ab", "cd", "ef"}, 4, 2, "ab\ncd…"},
		{[]string{"abcd", "efgh", "ij"}, 4, 2, "abcd\nefg…"},
		{[]string{"ab"}, 0, 3, ""},
		{[]string{"ab"}, 3, 0, ""},
	} {
		if got := fit(tc.in, tc.w, tc.h); got != tc.want {
			t.Errorf("fit(%q, %d, %d) = %q, want %q", tc.in, tc.w, tc.h, got, tc.want)
		}
	}
}

// TestSentenceWithoutLargeRate: without the large leg's hit rate (and
// without the base rates) the sentence ends "(median IWM/SPY …%); past base
// rates, not a forecast." — never two parentheses in a row.
func TestSentenceWithoutLargeRate(t *testing.T) {
	a := fixture()
	for i := range a.Horizons {
		a.Horizons[i].LargeHitRate = engine.Num{}
	}
	s := Sentence(a, "IWM", "SPY")
	if strings.Contains(s, ") (") || !strings.HasSuffix(s, "against 47% on any day (past base rates, not a forecast).") {
		t.Errorf("sentence: %s", s)
	}
	for i := range a.Horizons {
		a.Horizons[i].BaseRelHitRate = engine.Num{}
	}
	s = Sentence(a, "IWM", "SPY")
	if strings.Contains(s, ") (") || !strings.HasSuffix(s, "+1.4%); past base rates, not a forecast.") {
		t.Errorf("sentence without base rates: %s", s)
	}
	if s := Sentence(fixture(), "IWM", "SPY"); !strings.HasSuffix(s, " (past base rates, not a forecast).") {
		t.Errorf("full sentence: %s", s)
	}
}

// TestTableKeptWithShorterSentence: in the 60×10 content area of the
// 120×40 dashboard the long sentence (5 lines) and the table (5) do not
// fit together; a shorter sentence that still says "not a forecast" lets
// the table in, and the count stays the study's.
func TestTableKeptWithShorterSentence(t *testing.T) {
	out := ansi.Strip(Render(fixture(), riskFixture(), "IWM", "SPY", 60, 10, NewStyles(true, true)))
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"p25…p75", "6 mo 18 56% 47%", "21 past breakouts", "not a forecast"} {
		if !strings.Contains(flat, want) {
			t.Errorf("%q missing:\n%s", want, out)
		}
	}
}
