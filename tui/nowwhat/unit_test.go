package nowwhat

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine/study"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestMedianIsTheCLIsPercent: the study's rel is the % change of the
// small/large ratio (engine/study), which `capwatch analogs` prints as
// "+1.44%". The panel's median (its horizon table, its sentence) and its
// breakouts' moves must be that same number in that same unit, "+1.4%":
// the panel labelled it "pts" (percentage points, a difference of returns:
// another quantity). The CLI's own table, from the study run on a series
// with many breakouts, is the oracle.
func TestMedianIsTheCLIsPercent(t *testing.T) {
	cal := calendar.NYSE()
	var dates []time.Time
	for d := time.Date(2026, 12, 3, 0, 0, 0, 0, calendar.Location()); len(dates) < 2600; d = cal.PrevTradingDate(d) {
		dates = append([]time.Time{d}, dates...)
	}
	small, large := make([]float64, len(dates)), make([]float64, len(dates))
	for i := range dates {
		x := float64(i)
		large[i] = 100 * math.Exp(0.0003*x)
		small[i] = large[i] * 0.4 * math.Exp(0.08*math.Sin(x/37)+0.05*math.Sin(x/11.3)+0.03*math.Sin(x/5.1))
	}
	a := study.Analogs(dates, small, large)
	var cli bytes.Buffer
	if err := app.WriteAnalogs(&cli, &a, "table"); err != nil {
		t.Fatal(err)
	}
	out := ansi.Strip(Render(&a, nil, "IWM", "SPY", 120, 40, NewStyles(true, false)))
	if strings.Contains(out, "pts") {
		t.Errorf("the panel still says pts:\n%s", out)
	}
	// pct parses "+1.44%" / "−1.4%" into its number; ok only with the % sign.
	pct := func(s string) (float64, bool) {
		num, ok := strings.CutSuffix(strings.Replace(s, "−", "-", 1), "%")
		if !ok {
			return 0, false
		}
		v, err := strconv.ParseFloat(num, 64)
		return v, err == nil
	}
	same := func(what, dash, cliText string) {
		t.Helper()
		d, okD := pct(dash)
		c, okC := pct(cliText)
		if !okC {
			t.Fatalf("%s: the CLI prints %q", what, cliText)
		}
		if !okD || math.Abs(d-c) > 0.05+1e-9 {
			t.Errorf("%s: the panel shows %q, the CLI %q (the same %% of the ratio, to one decimal)", what, dash, cliText)
		}
	}
	rows := func(text string, ok func(f []string) bool) [][]string {
		var rs [][]string
		for _, l := range strings.Split(text, "\n") {
			if f := strings.Fields(l); ok(f) {
				rs = append(rs, f)
			}
		}
		return rs
	}
	cliH := map[string][]string{} // horizon → fields: 6m n led median …
	for _, f := range rows(cli.String(), func(f []string) bool {
		return len(f) >= 4 && strings.HasSuffix(f[0], "m") && len(f[0]) <= 3 && f[0] != "rel"
	}) {
		cliH[f[0]] = f
	}
	checked := 0
	for _, f := range rows(out, func(f []string) bool { return len(f) >= 6 && f[1] == "mo" && f[0] != "breakouts" }) {
		h := f[0] + "m"
		c, ok := cliH[h]
		if !ok {
			t.Fatalf("no %s row in the CLI's table:\n%s", h, cli.String())
		}
		if c[3] == "—" {
			continue
		}
		same(h+" median", f[5], c[3])
		checked++
	}
	if checked < 3 {
		t.Fatalf("the fixture: %d horizons with a median on the panel (%d breakouts):\n%s", checked, len(a.Events), out)
	}
	// The sentence's median is the chosen horizon's.
	if h, ok := pickHorizon(&a); ok {
		i := strings.Index(out, "(median IWM/SPY ")
		if i < 0 {
			t.Fatalf("the sentence does not name the ratio's median:\n%s", out)
		}
		tok := strings.Fields(out[i+len("(median IWM/SPY "):])[0]
		same("the sentence's median", strings.TrimRight(tok, "),;"), cliH[h.Horizon][3])
	}
	// The breakouts' moves: the CLI's rel 1m…12m columns.
	cliE := map[string][]string{}
	for _, f := range rows(cli.String(), func(f []string) bool { return len(f) == 9 && len(f[0]) == 10 && f[0][4] == '-' }) {
		cliE[f[0]] = f
	}
	events := 0
	for _, f := range rows(out, func(f []string) bool { return len(f) == 6 && len(f[0]) == 10 && f[0][4] == '-' }) {
		c := cliE[f[0]]
		if c == nil {
			t.Fatalf("breakout %s is not in the CLI's table", f[0])
		}
		for k := 1; k <= 4; k++ {
			if c[k] != "—" {
				same(f[0]+" rel", f[k], c[k])
			}
		}
		events++
	}
	if events == 0 {
		t.Fatalf("no breakouts on the panel:\n%s", out)
	}
}
