package tui

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestSectorCountIsTheFlagsCount: with two sector pairs unusable (no
// PSCT, no XLV), the Sectors panel counts the seven pairs with data, as the
// sector_breadth flag does, and says why two are out (QA-1 item 10: the
// panel said 4/9 beside the flag's 57% = 4/7). The fixture decides who
// leads over 21 bars: Financials, Energy, Industrials and Cons. Disc. do,
// Staples, Materials and Utilities do not.
func TestSectorCountIsTheFlagsCount(t *testing.T) {
	cal := calendar.NYSE()
	ny := calendar.Location()
	series := growthSeries(cal, time.Date(2026, 12, 3, 0, 0, 0, 0, ny), 80)
	hist := map[string][]engine.Bar{"IWM": series("IWM", 0.001), "SPY": series("SPY", 0.001)}
	leads := map[string]bool{"Financials": true, "Energy": true, "Industrials": true, "Consumer Discretionary": true}
	missing := map[string]bool{"PSCT": true, "XLV": true}
	wantLead, wantCounted := 0, 0
	for _, sp := range engine.DefaultSectors() {
		small, large := 0.0005, 0.002
		if leads[sp.Name] {
			small, large = 0.002, 0.0005
		}
		for sym, g := range map[string]float64{sp.Small: small, sp.Large: large} {
			if !missing[sym] {
				hist[sym] = series(sym, g)
			}
		}
		if !missing[sp.Small] && !missing[sp.Large] {
			wantCounted++
			if leads[sp.Name] {
				wantLead++
			}
		}
	}
	e, err := engine.New(engine.DefaultConfig(), cal)
	if err != nil {
		t.Fatal(err)
	}
	e.LoadHistory(hist)
	snap := e.Snapshot(time.Date(2026, 12, 3, 20, 0, 0, 0, ny))
	var flag engine.Flag
	for _, f := range snap.Flags {
		if f.ID == engine.FlagSectorBreadth {
			flag = f
		}
	}
	if v, ok := flag.Value.Get(); !ok || math.Abs(v-float64(wantLead)/float64(wantCounted)) > 1e-12 {
		t.Fatalf("the fixture: sector_breadth %v, want %d/%d", flag.Value, wantLead, wantCounted)
	}

	for _, sz := range []struct{ w, h int }{{120, 40}, {80, 23}, {200, 50}} { // the flag's value column from 120
		m, _ := testModelAt(t, Options{ShowNowWhat: true}, snap.Now)
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: snap})
		scr := vtShow(t, m)
		count := regexp.MustCompile(`small (?:leg leading in|leads in|leads) (\d+)/(\d+)`).FindStringSubmatch(scr)
		if count == nil {
			t.Fatalf("%dx%d: no sector count on screen:\n%s", sz.w, sz.h, scr)
		}
		if got, want := count[1]+"/"+count[2], fmt.Sprintf("%d/%d", wantLead, wantCounted); got != want {
			t.Errorf("%dx%d: the Sectors panel counts %s, the flag %s:\n%s", sz.w, sz.h, got, want, scr)
		}
		if !strings.Contains(scr, "2 without data") && !strings.Contains(scr, "2 no data") {
			t.Errorf("%dx%d: the panel does not say 2 sectors have no data:\n%s", sz.w, sz.h, scr)
		}
		if want := fmt.Sprintf("%.0f%%", 100*float64(wantLead)/float64(wantCounted)); sz.w >= 120 && !regexp.MustCompile(`Sector breadth +`+want).MatchString(scr) {
			t.Errorf("%dx%d: the flag does not show %s:\n%s", sz.w, sz.h, want, scr)
		}
	}
}

// growthSeries gives a maker of n daily bars up to last (trading days of
// cal) whose close grows by growth per bar from 50, open = high = low =
// close, volume 5e6: series the test decides leadership with.
func growthSeries(cal *calendar.Calendar, last time.Time, n int) func(sym string, growth float64) []engine.Bar {
	var days []time.Time
	for d := last; len(days) < n; d = cal.PrevTradingDate(d) {
		days = append([]time.Time{d}, days...)
	}
	return func(sym string, growth float64) []engine.Bar {
		bars := make([]engine.Bar, len(days))
		for i, d := range days {
			c := 50 * math.Exp(growth*float64(i))
			bars[i] = engine.Bar{Symbol: sym, Time: d, Open: c, High: c, Low: c, Close: c, Volume: 5e6}
		}
		return bars
	}
}
