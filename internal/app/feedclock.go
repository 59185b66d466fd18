package app

import (
	"sync"
	"time"

	"github.com/capwatch/capwatch/internal/clock"
)

// FeedClock is the time as a demo or replay feed sees it, for the dashboard's
// ages and countdowns: the newest exchange time the feed delivered, advanced
// by the wall clock × Speed since then. With Speed 0 it stands still at the
// newest data (replay). Before any data it is the wall clock. Timers run on
// the wall clock. It is safe for concurrent use.
type FeedClock struct {
	wall  clock.Clock
	speed float64

	mu         sync.Mutex
	at, wallAt time.Time
}

// NewFeedClock returns a feed clock over wall running at speed (≥ 0).
func NewFeedClock(wall clock.Clock, speed float64) *FeedClock {
	if speed < 0 {
		speed = 0
	}
	return &FeedClock{wall: wall, speed: speed}
}

// Observe records that the feed has delivered data up to t.
func (c *FeedClock) Observe(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.at) {
		c.at, c.wallAt = t, c.wall.Now()
	}
}

// Now returns the feed's current time.
func (c *FeedClock) Now() time.Time {
	c.mu.Lock()
	at, wallAt := c.at, c.wallAt
	c.mu.Unlock()
	if at.IsZero() {
		return c.wall.Now()
	}
	return at.Add(time.Duration(float64(c.wall.Now().Sub(wallAt)) * c.speed))
}

// After waits on the wall clock.
func (c *FeedClock) After(d time.Duration) <-chan time.Time { return c.wall.After(d) }
