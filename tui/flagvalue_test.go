package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/capwatch/capwatch/engine"
)

// TestFlagValueUnknown: with no data yet a ratio flag shows "—", not a
// made-up "— vs 0.0000"; a known threshold is still shown.
func TestFlagValueUnknown(t *testing.T) {
	p := &flagsPanel{}
	if got := p.valueText(engine.Flag{ID: engine.FlagRatioAboveSMA50}); got != "—" {
		t.Errorf("no value, no threshold: %q, want —", got)
	}
	got := p.valueText(engine.Flag{ID: engine.FlagSmallLeads21d, Threshold: engine.Some(2)})
	if !strings.HasPrefix(got, "— vs ") || !strings.Contains(got, "2.0") {
		t.Errorf("no value, threshold 2 pts: %q", got)
	}
	if got := p.valueText(engine.Flag{ID: engine.FlagRatioAboveSMA50, Value: engine.Some(0.3812), Threshold: engine.Some(0.3799)}); !strings.Contains(got, "0.3812 vs 0.3799") {
		t.Errorf("value and threshold: %q", got)
	}
}

// TestUnknownThresholdOnScreen (QA-2 W2/W3): quotes came before the history,
// so the ratio flags have a value but no threshold. The panel must show
// "vs —", never "vs 0.0000", and "no data" instead of "off" beside a value
// that is above nothing; the title says how many could not be evaluated.
func TestUnknownThresholdOnScreen(t *testing.T) {
	s := testSnapshot(1)
	s.Flags = []engine.Flag{
		{ID: engine.FlagRatioAboveSMA50, State: engine.FlagOff, Value: engine.Some(1.055), Text: "ratio above its 50-day average"},
		{ID: engine.FlagSmallAboveSMA200, State: engine.FlagOff, Value: engine.Some(226.76), Text: "IWM above its 200-day average"},
		{ID: engine.FlagSmallLeads21d, State: engine.FlagOff, Value: engine.Some(1.2), Threshold: engine.Some(2), Text: "IWM beat SPY"},
	}
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: s})
	scr := screen(m)
	if strings.Contains(scr, "0.0000") {
		t.Errorf("a threshold of 0 is shown:\n%s", scr)
	}
	for _, l := range []string{"Ratio > 50-day avg", "Small > 200-day avg"} {
		line := regexp.MustCompile(`(?m)^.*` + regexp.QuoteMeta(l) + `.*$`).FindString(scr)
		if !strings.Contains(line, "vs —") || !strings.Contains(line, "no data") || strings.Contains(line, " off ") {
			t.Errorf("%s: %q, want \"no data\" and \"vs —\"", l, line)
		}
	}
	// A flag with a known value and threshold is still plainly off.
	if line := regexp.MustCompile(`(?m)^.*Small leads 21d.*$`).FindString(scr); !strings.Contains(line, "○ off") {
		t.Errorf("evaluated flag: %q, want ○ off", line)
	}
	if !strings.Contains(scr, "2 no data") {
		t.Errorf("title does not count the flags without data:\n%s", scr)
	}
}

// TestThrustAndCoverageValues (QA-2 M3, M6): a confirmed breadth_thrust
// holds for a thrust within 20 bars, so it shows the thrust's date, not
// today's Zweig EMA against 0.615; sector_breadth judged on too few sector
// pairs shows "no data" and how many pairs it has, not a share.
func TestThrustAndCoverageValues(t *testing.T) {
	s := testSnapshot(1) // as of 2026-11-24
	for i := range s.Sectors {
		if i > 0 { // only the first pair has data
			s.Sectors[i].SmallRet.M1, s.Sectors[i].LargeRet.M1 = engine.Num{}, engine.Num{}
		}
	}
	s.Flags = []engine.Flag{
		{ID: engine.FlagSectorBreadth, State: engine.FlagOff, Threshold: engine.Some(0.6), Text: "most sectors lead",
			Note: "only 1 of 9 sector pairs with data, needs 5"},
		{ID: engine.FlagBreadthThrust, State: engine.FlagConfirmed, Since: "2026-11-18", Value: engine.Some(0.482), Threshold: engine.Some(0.615),
			Text: "a Zweig breadth thrust", Note: "thrust 2026-11-18", CloseValue: engine.Some(0.482), CloseThreshold: engine.Some(0.615)},
	}
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: s})
	scr := screen(m)
	line := regexp.MustCompile(`(?m)^.*Breadth thrust.*$`).FindString(scr)
	if !strings.Contains(line, "thrust Nov 18") || strings.Contains(line, "0.482") {
		t.Errorf("thrust row %q, want the thrust's date instead of today's EMA", line)
	}
	want := fmt.Sprintf("1/%d pairs, needs %d", len(s.Sectors), (len(s.Sectors)+1)/2)
	line = regexp.MustCompile(`(?m)^.*Sector breadth.*$`).FindString(scr)
	if !strings.Contains(line, want) || !strings.Contains(line, "no data") {
		t.Errorf("sector breadth row %q, want \"no data\" and %q", line, want)
	}
}
