package stooq

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestHistorySince: the incremental request names d1/d2 (New York dates of
// since and of the clock) and yields the same bars as History.
func TestHistorySince(t *testing.T) {
	fs, f, _ := newFake(t)
	h, err := f.HistorySince(context.Background(), []string{"SPY"}, nyAt(2026, 11, 18, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	qs := fs.seen()
	if len(qs) != 1 {
		t.Fatalf("queries %q", qs)
	}
	q := qs[0]
	for _, want := range []string{"s=spy.us", "i=d", "d1=20261118", "d2=20261124"} {
		if !strings.Contains(q, want) {
			t.Errorf("query %q lacks %q", q, want)
		}
	}
	if spy := h.Daily["SPY"]; len(spy) != 5 || spy[4].Date() != "2026-11-23" {
		t.Fatalf("SPY: %+v", spy)
	}
	if _, err := f.HistorySince(context.Background(), []string{"SPY"}, time.Time{}); err == nil ||
		!strings.HasPrefix(err.Error(), "stooq: history since: ") {
		t.Fatalf("zero since: err = %v", err)
	}
	if _, err := f.HistorySince(context.Background(), []string{"SPY"}, nyAt(2026, 12, 3, 0, 0)); err != nil {
		t.Fatal(err)
	}
	qs = fs.seen()
	if q := qs[len(qs)-1]; !strings.Contains(q, "d1=20261117") || !strings.Contains(q, "d2=20261124") {
		t.Fatalf("future since: query %q", q)
	}
}
