package httpx

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/capwatch/capwatch/internal/clock"
)

// Limiter is a token bucket shared by every request of a feed: it refills at
// Rate tokens per second up to Burst, and each request takes one token. It is
// safe for concurrent use; waiting uses the injected clock.
type Limiter struct {
	clk   clock.Clock
	rate  float64 // tokens per second
	burst float64

	mu     sync.Mutex
	tokens float64   // may go negative: reservations of waiting callers
	last   time.Time // when tokens was last brought up to date
	until  time.Time // no request before this instant (set by Pause)
}

// NewLimiter returns a full bucket that refills at rate tokens per second and
// holds at most burst tokens.
func NewLimiter(rate float64, burst int, clk clock.Clock) (*Limiter, error) {
	if !(rate > 0) || math.IsInf(rate, 0) {
		return nil, fmt.Errorf("httpx: new limiter: rate %v must be a positive number", rate)
	}
	if burst < 1 {
		return nil, fmt.Errorf("httpx: new limiter: burst %d must be at least 1", burst)
	}
	if clk == nil {
		return nil, fmt.Errorf("httpx: new limiter: nil clock")
	}
	return &Limiter{clk: clk, rate: rate, burst: float64(burst), tokens: float64(burst), last: clk.Now()}, nil
}

// reserve takes one token and returns how long the caller must wait before
// using it (0 if a token was available).
func (l *Limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clk.Now()
	if el := now.Sub(l.last); el > 0 {
		l.tokens = math.Min(l.burst, l.tokens+el.Seconds()*l.rate)
		l.last = now
	}
	l.tokens--
	var d time.Duration
	if l.tokens < 0 {
		d = time.Duration(math.Ceil(-l.tokens / l.rate * float64(time.Second)))
	}
	return max(d, l.until.Sub(now))
}

// Pause holds every request back for d from now (e.g. after a 429 with
// Retry-After). A shorter pause never shortens a longer one.
func (l *Limiter) Pause(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if u := l.clk.Now().Add(d); u.After(l.until) {
		l.until = u
	}
}

// cancel gives back a token that was reserved but not used.
func (l *Limiter) cancel() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tokens = math.Min(l.burst, l.tokens+1)
}

// Wait blocks until a token is available or ctx is done (then it returns
// ctx's error and the token is given back).
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := l.reserve()
	if d <= 0 {
		return nil
	}
	select {
	case <-l.clk.After(d):
		return nil
	case <-ctx.Done():
		l.cancel()
		return ctx.Err()
	}
}
