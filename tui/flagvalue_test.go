package tui

import (
	"strings"
	"testing"

	"github.com/capwatch/capwatch/engine"
)

// TestFlagValueUnknown: with no data yet a ratio flag shows "—", not a
// made-up "— vs 0.0000"; a known threshold is still shown.
func TestFlagValueUnknown(t *testing.T) {
	p := &flagsPanel{}
	if got := p.valueText(engine.Flag{ID: engine.FlagRatioAboveSMA50}); got != "—" {
		t.Errorf("no value, no threshold: %q, want —", got)
	}
	got := p.valueText(engine.Flag{ID: engine.FlagSmallLeads21d, Threshold: 2})
	if !strings.HasPrefix(got, "— vs ") || !strings.Contains(got, "2.0") {
		t.Errorf("no value, threshold 2 pts: %q", got)
	}
	if got := p.valueText(engine.Flag{ID: engine.FlagRatioAboveSMA50, Value: engine.Some(0.3812), Threshold: 0.3799}); !strings.Contains(got, "0.3812 vs 0.3799") {
		t.Errorf("value and threshold: %q", got)
	}
}
