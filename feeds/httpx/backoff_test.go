package httpx

import (
	"testing"
	"time"
)

func TestBackoffFullJitter(t *testing.T) {
	var r float64
	b, err := NewBackoff(time.Second, time.Minute, 0, func() float64 { return r })
	if err != nil {
		t.Fatal(err)
	}
	// Ceiling doubles from Base up to Max.
	for attempt, want := range []time.Duration{1, 2, 4, 8, 16, 32, 60, 60} {
		if got := b.Ceiling(attempt); got != want*time.Second {
			t.Errorf("Ceiling(%d) = %v, want %vs", attempt, got, want)
		}
	}
	if got := b.Ceiling(1000); got != time.Minute {
		t.Errorf("Ceiling(1000) = %v (overflow?)", got)
	}
	// The delay is r × ceiling: full jitter.
	for _, tc := range []struct {
		r       float64
		attempt int
		want    time.Duration
	}{{0, 3, 0}, {0.5, 3, 4 * time.Second}, {0.999, 0, 999 * time.Millisecond}, {0.25, 10, 15 * time.Second}} {
		r = tc.r
		if got := b.Delay(tc.attempt); got != tc.want {
			t.Errorf("r=%v Delay(%d) = %v, want %v", tc.r, tc.attempt, got, tc.want)
		}
	}
	// The floor applies.
	b.Min = 2 * time.Second
	r = 0
	if got := b.Delay(5); got != 2*time.Second {
		t.Errorf("floor: %v", got)
	}
}

func TestBackoffDefaultRandInRange(t *testing.T) {
	b, _ := NewBackoff(time.Second, 8*time.Second, 0, nil)
	for range 1000 {
		if d := b.Delay(2); d < 0 || d > 4*time.Second {
			t.Fatalf("Delay out of range: %v", d)
		}
	}
}

func TestNewBackoffValidates(t *testing.T) {
	for _, tc := range [][3]time.Duration{{0, 1, 0}, {2, 1, 0}, {1, 2, -1}, {1, 2, 3}} {
		if _, err := NewBackoff(tc[0], tc[1], tc[2], nil); err == nil {
			t.Errorf("NewBackoff%v accepted", tc)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{"Wed, 21 Oct 2015 07:30:30 GMT", 150 * time.Second, true}, // IMF-fixdate
		{"Wednesday, 21-Oct-15 07:29:00 GMT", time.Minute, true},   // RFC 850
		{"Wed Oct 21 07:28:10 2015", 10 * time.Second, true},       // asctime
		{"Wed, 21 Oct 2015 07:00:00 GMT", 0, true},                 // in the past
		{"", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
	}
	for _, tc := range tests {
		got, ok := ParseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
