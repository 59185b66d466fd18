package httpx

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/clock"
)

var t0 = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)

func TestNewLimiterValidates(t *testing.T) {
	clk := clock.NewFake(t0)
	for _, tc := range []struct {
		rate  float64
		burst int
		clk   clock.Clock
	}{{0, 1, clk}, {-1, 1, clk}, {1, 0, clk}, {1, 1, nil}} {
		if _, err := NewLimiter(tc.rate, tc.burst, tc.clk); err == nil {
			t.Errorf("NewLimiter(%v, %d) accepted", tc.rate, tc.burst)
		}
	}
}

// TestLimiterPacing: burst 4 at 2/s; 4 immediate tokens, then each further
// request waits 0.5 s of fake time more than the previous one.
func TestLimiterPacing(t *testing.T) {
	clk := clock.NewFake(t0)
	l, err := NewLimiter(2, 4, clk)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 4 {
		if d := l.reserve(); d != 0 {
			t.Fatalf("token %d: wait %v, want 0", i, d)
		}
	}
	for i, want := range []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond} {
		if d := l.reserve(); d != want {
			t.Fatalf("reservation %d: wait %v, want %v", i, d, want)
		}
	}
	// After 1.5 s all three reservations are paid; the bucket is empty.
	clk.Advance(1500 * time.Millisecond)
	if d := l.reserve(); d != 500*time.Millisecond {
		t.Fatalf("after refill: wait %v, want 500ms", d)
	}
	// A long idle period refills to the burst, not beyond.
	clk.Advance(time.Hour)
	for i := range 4 {
		if d := l.reserve(); d != 0 {
			t.Fatalf("after idle, token %d: wait %v", i, d)
		}
	}
	if d := l.reserve(); d == 0 {
		t.Fatal("burst exceeded")
	}

	// Wait blocks on the fake clock until the token is due.
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx) }()
	if !clk.WaitForWaiters(1, nil) {
		t.Fatal("no waiter")
	}
	select {
	case <-done:
		t.Fatal("Wait returned before its time")
	default:
	}
	clk.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestLimiterWaitCanceled(t *testing.T) {
	clk := clock.NewFake(t0)
	l, _ := NewLimiter(1, 1, clk)
	_ = l.reserve() // empty the bucket
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx) }()
	clk.WaitForWaiters(1, nil)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
	// The canceled reservation was given back: one second later one token is ready.
	clk.Advance(time.Second)
	if d := l.reserve(); d != 0 {
		t.Fatalf("token not returned: wait %v", d)
	}
}

func TestLimiterPause(t *testing.T) {
	clk := clock.NewFake(t0)
	l, _ := NewLimiter(10, 10, clk)
	l.Pause(30 * time.Second)
	l.Pause(5 * time.Second) // a shorter pause does not shorten the longer one
	if d := l.reserve(); d != 30*time.Second {
		t.Fatalf("wait %v, want 30s", d)
	}
	clk.Advance(30 * time.Second)
	if d := l.reserve(); d != 0 {
		t.Fatalf("after the pause: wait %v", d)
	}
}
