package calendar

import (
	"testing"
	"time"
)

func TestSmoke(t *testing.T) {
	c := NYSE()
	if got := Location().String(); got != "America/New_York" {
		t.Fatalf("Location() = %q", got)
	}
	ts := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC) // Thanksgiving 10:00 NY
	if got := c.StateAt(ts); got != Closed {
		t.Errorf("StateAt = %v", got)
	}
	if got := c.Countdown(ts); got != "closed: Thanksgiving, opens Fri 09:30" {
		t.Errorf("Countdown = %q", got)
	}
}
