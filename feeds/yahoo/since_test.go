package yahoo

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestHistorySince: the incremental request names period1/period2 (unix
// seconds; period1 is midnight New York of the day before since) and no
// range, and yields the same bars as History.
func TestHistorySince(t *testing.T) {
	fy, f, _ := newFake(t)
	h, err := f.HistorySince(context.Background(), []string{"SPY"}, nyAt(2026, 11, 18, 0, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	qs := fy.seen()
	if len(qs) != 1 {
		t.Fatalf("queries %q", qs)
	}
	q := qs[0]
	// 2026-11-17 00:00 EST = 05:00 UTC = 1794891600; the clock (2026-11-24
	// 10:15 EST) = 1795533300 (both from GNU date).
	for _, want := range []string{"SPY?", "period1=1794891600", "period2=1795533300", "interval=1d"} {
		if !strings.Contains(q, want) {
			t.Errorf("query %q lacks %q", q, want)
		}
	}
	if strings.Contains(q, "range=") {
		t.Errorf("query %q also asks for a range", q)
	}
	if spy := h.Daily["SPY"]; len(spy) != 10 || spy[9].Date() != "2026-11-23" {
		t.Fatalf("SPY: %+v", spy)
	}
	if _, err := f.HistorySince(context.Background(), []string{"SPY"}, time.Time{}); err == nil ||
		!strings.HasPrefix(err.Error(), "yahoo: history since: ") {
		t.Fatalf("zero since: err = %v", err)
	}
	// A start after the clock asks for the last week (1795533300 - 7*86400).
	if _, err := f.HistorySince(context.Background(), []string{"SPY"}, nyAt(2026, 12, 1, 0, 0, 0)); err != nil {
		t.Fatal(err)
	}
	if qs := fy.seen(); !strings.Contains(qs[len(qs)-1], "period1=1794928500") {
		t.Fatalf("future since: query %q", qs[len(qs)-1])
	}
}
