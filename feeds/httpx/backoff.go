package httpx

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff computes retry delays: exponential growth with "full jitter" (a
// uniformly random delay between 0 and min(Max, Base·2^attempt)), so that
// many clients retrying at once spread out.
type Backoff struct {
	Base time.Duration  // ceiling of the first retry (attempt 0)
	Max  time.Duration  // cap of the ceiling
	Rand func() float64 // uniform in [0,1); nil uses math/rand/v2
	Min  time.Duration  // floor of every delay (so a retry never fires at once)
}

// NewBackoff returns a Backoff after validating it.
func NewBackoff(base, max, floor time.Duration, rnd func() float64) (Backoff, error) {
	if base <= 0 || max < base || floor < 0 || floor > max {
		return Backoff{}, fmt.Errorf("httpx: new backoff: need 0 < base (%v) <= max (%v) and 0 <= min (%v) <= max", base, max, floor)
	}
	return Backoff{Base: base, Max: max, Min: floor, Rand: rnd}, nil
}

// Ceiling is the upper bound of the delay for the given attempt (0-based).
func (b Backoff) Ceiling(attempt int) time.Duration {
	c := b.Base
	for i := 0; i < attempt && c < b.Max; i++ {
		c *= 2
	}
	return min(c, b.Max)
}

// Delay is a random delay for the given attempt (0-based): uniform in
// [Min, Ceiling(attempt)].
func (b Backoff) Delay(attempt int) time.Duration {
	c := b.Ceiling(attempt)
	r := b.Rand
	if r == nil {
		r = rand.Float64
	}
	d := time.Duration(r() * float64(c))
	return max(d, b.Min)
}

// ParseRetryAfter reads a Retry-After header value: either delay-seconds
// ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT"), relative to now.
// A date in the past gives 0. ok is false when the value is absent or invalid.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		const maxSec = int64(365 * 24 * 3600)
		return time.Duration(min(n, maxSec)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}
