package e2e

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/tui"
)

// TestDemoDashboardFlow is issue 6's end-to-end flow on the real chain
// (demo feed on a fake clock → pipeline → engine goroutine → dashboard),
// read through a virtual terminal: start, the history fills the panels,
// ~90 simulated seconds later the staged breakout turns the ratio flags on
// (forming), the timeframe keys move the chart's selector, help opens and
// closes, the compact (80×24) and minimal (60×15) layouts keep the flags,
// and q ends the program and, with it, every goroutine of the chain.
func TestDemoDashboardFlow(t *testing.T) {
	base, _ := goroutines()
	r := newRig(t, 120, 40, rigOptions{})

	// 1. The first frame, before any data: the DEMO badge and the wait.
	scr := r.waitFor(t, []string{"DEMO", "waiting for data from demo", "no data yet"})
	if strings.Contains(scr, "data 09:") {
		t.Fatalf("a data time before the pipeline started:\n%s", scr)
	}

	// The history loads and the stream delivers its first batch (09:30:00)
	// and then waits for the clock: every panel fills.
	r.startPipeline()
	r.awaitStream(t)
	scr = r.waitFor(t, []string{
		"DEMO", "data 09:30:00 EST", "● open",
		"Ratio IWM ÷ SPY", "1D 5D 1M [6M] 1Y",
		"Breakout flags 0/9 confirmed ─",
		"Sectors small vs large", "Technology    PSCT",
		"Quotes by watchlist", "IWM ", "SPY ",
		"Now what? past breakouts",
	}, "waiting for data", "no data yet")
	checkRatio(t, scr)
	// The demo stages the breakout: at the open the ratio is still below
	// its 50-day average and its prior 20-day high.
	for _, name := range []string{"Ratio > 50-day avg", "Ratio 20-day high"} {
		if st := checkFlag(t, scr, name); st != "off" {
			t.Errorf("%s is %s at the open, want off:\n%s", name, st, scr)
		}
	}

	// 2. ~90 simulated seconds: the small caps rally through both levels.
	r.advance(t, 90)
	scr = r.waitFor(t, []string{
		"data 09:31:30 EST", "Breakout flags 0/9 confirmed, ",
		"◐ forming   Ratio > 50-day avg", "◐ forming   Ratio 20-day high",
	})
	checkRatio(t, scr)
	for _, name := range []string{"Ratio > 50-day avg", "Ratio 20-day high"} {
		checkFlag(t, scr, name)
	}

	// 3. Timeframes 1–5: the selector shows the choice.
	labels := []string{"1D", "5D", "1M", "6M", "1Y"}
	for i, l := range labels {
		r.tm.Type(strconv.Itoa(i + 1))
		sel := strings.Join(labels[:i], " ") + " [" + l + "] " + strings.Join(labels[i+1:], " ")
		want := []string{"─ ratio", strings.TrimSpace(sel)}
		if l == "1D" {
			want = append(want, "┄ prev close", "09:30") // the intraday axis
		}
		r.waitFor(t, want)
	}

	// Help opens and closes, with ? and with esc.
	for _, closeKey := range []tea.KeyPressMsg{{Code: '?', Text: "?"}, {Code: tea.KeyEscape}} {
		r.tm.Type("?")
		r.waitFor(t, []string{"Keys (? or esc closes this help)", "1 chart 1 day", "5 chart 1 year", "q/ctrl+c  quit"},
			"Breakout flags")
		r.tm.Send(closeKey)
		r.waitFor(t, []string{"Breakout flags 0/9 confirmed, ", "1D 5D 1M 6M [1Y]"}, "Keys (")
	}

	// Compact 80×24: every panel, without borders; the flags kept; the key
	// help on the last line.
	r.resize(80, 24)
	r.waitUntil(t, "the compact layout", func(scr string) bool {
		return !strings.HasPrefix(line(scr, 1), "╭") && strings.HasPrefix(lastLine(scr), "? help") &&
			containsAll(scr, "DEMO", "data 09:31:30", "Ratio IWM ÷ SPY", "[1Y]",
				"Breakout flags 0/9 confirmed, ", "◐ forming   Ratio > 50-day avg", "◐ forming   Ratio 20-day high",
				"Sectors small vs large", "Quotes by watchlist", "Now what?")
	})

	// Minimal 60×15: the status, the ratio line, the flags that are on and
	// the quotes (the other panels are reached by zoom).
	r.resize(60, 15)
	r.waitFor(t, []string{
		"DEMO", "data 09:31:30", "Ratio IWM ÷ SPY", "[1Y]",
		"Breakout flags 0/9 confirmed, ", "◐ forming   Ratio > 50-day avg", "◐ forming   Ratio 20-day high",
		"Quotes by watchlist",
	}, "Sectors", "Now what?")

	// q: the program ends; the pipeline is cancelled (as dashboard.Run does
	// when the program returns) and every goroutine of the chain ends.
	r.quit(t)
	fm, ok := r.tm.FinalModel(t, teatestTimeout()).(tui.Model)
	if !ok {
		t.Fatalf("the final model is %T, not a tui.Model", r.tm.FinalModel(t))
	}
	if v := ansi.Strip(fm.View().Content); !containsAll(v, "[1Y]", "◐ forming   Ratio > 50-day avg") || strings.Contains(v, "Keys (") {
		t.Errorf("the final model's view (60×15, 1Y, help closed):\n%s", v)
	}
	checkGoroutines(t, base)
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// lastLine is the screen's last line without trailing blanks.
func lastLine(scr string) string {
	lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
	return strings.TrimRight(lines[len(lines)-1], " ")
}

// line is the screen's line i (from 0), or "".
func line(scr string, i int) string {
	if lines := strings.Split(scr, "\n"); i < len(lines) {
		return lines[i]
	}
	return ""
}

var (
	ratioRe = regexp.MustCompile(`(?m)^│?(\d+\.\d+)\s+[▲▼]`)
	quoteRe = func(sym string) *regexp.Regexp {
		return regexp.MustCompile(`(?m)│?` + sym + `\s+(\d+\.\d+)\s+[▲▼]`)
	}
)

// checkRatio checks the chart's latest ratio against the independent
// quotient of the two legs' last prices in the quotes panel.
func checkRatio(t *testing.T, scr string) {
	t.Helper()
	num := func(re *regexp.Regexp, what string) float64 {
		m := re.FindStringSubmatch(scr)
		if m == nil {
			t.Fatalf("no %s on the screen:\n%s", what, scr)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatalf("%s %q: %v", what, m[1], err)
		}
		return v
	}
	ratio := num(ratioRe, "chart ratio")
	iwm, spy := num(quoteRe("IWM"), "IWM quote"), num(quoteRe("SPY"), "SPY quote")
	// Prices are shown to the cent: the quotient is good to ~2e-5.
	if q := iwm / spy; math.Abs(ratio-q) > 5e-5 {
		t.Errorf("chart ratio %.5f, but IWM %.2f ÷ SPY %.2f = %.5f", ratio, iwm, spy, q)
	}
}

var flagRe = regexp.MustCompile(`[●◐○] (confirmed|forming|off)\s+(.+?)\s{2,}(\d+\.\d+) vs (\d+\.\d+)`)

// checkFlag returns the state of the named flag and checks it against the
// value and threshold printed beside it: a ratio flag is on (forming, on
// the live bar) exactly when the value exceeds the threshold.
func checkFlag(t *testing.T, scr, name string) string {
	t.Helper()
	for _, m := range flagRe.FindAllStringSubmatch(scr, -1) {
		if m[2] != name {
			continue
		}
		v, _ := strconv.ParseFloat(m[3], 64)
		th, _ := strconv.ParseFloat(m[4], 64)
		if v != th && (m[1] != "off") != (v > th) {
			t.Errorf("%s is %s at %v against %v", name, m[1], v, th)
		}
		return m[1]
	}
	t.Fatalf("no %q flag line on the screen:\n%s", name, scr)
	return ""
}
