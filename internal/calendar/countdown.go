package calendar

import (
	"fmt"
	"time"
)

// shortName returns a label for a holiday name that keeps Countdown within
// 40 characters ("closed: <label>, opens Mon 09:30").
func shortName(name string) string {
	switch name {
	case "Martin Luther King Jr. Day":
		return "MLK Day"
	case "Washington's Birthday":
		return "Presidents Day"
	case "Independence Day":
		return "Fourth of July"
	}
	return name
}

// Countdown describes the market state at t and the time to the next event,
// for a status bar (at most 40 characters), for example:
//
//	open, closes in 2h13m
//	open, early close in 47m
//	pre-market, opens in 1h05m
//	after hours, ends in 3h10m
//	closed, opens in 9h30m
//	closed: Thanksgiving, opens Fri 09:30
//	closed: weekend, opens Mon 09:30
//
// Durations are rounded up: "2h13m", "47m", or "35s" under a minute. When the
// next open is more than a day away, or the market is shut all day for a
// weekend or holiday, the weekday and New York time of the open are shown.
func (c *Calendar) Countdown(t time.Time) string {
	dt, _ := c.dateOf(t)
	_, next := c.Upcoming(t) // the one instant every countdown counts to
	left := humanDuration(next.Sub(t))
	switch c.StateAt(t) {
	case PreMarket:
		return "pre-market, opens in " + left
	case Regular:
		if closeAt, _ := closeMinutes(dt); closeAt == earlyCloseMin {
			return "open, early close in " + left
		}
		return "open, closes in " + left
	case AfterHours:
		return "after hours, ends in " + left
	}
	when := next.In(Location()).Format("Mon 15:04")
	wd := dt.weekday()
	if wd == time.Saturday || wd == time.Sunday {
		return "closed: weekend, opens " + when
	}
	if name, ok := holiday(dt, wd); ok {
		return "closed: " + shortName(name) + ", opens " + when
	}
	if d := next.Sub(t); d <= 24*time.Hour {
		return "closed, opens in " + left
	}
	return "closed, opens " + when
}

// humanDuration formats a positive duration rounded up to the second below a
// minute ("35s") and to the minute above ("47m", "2h13m", "1h05m").
func humanDuration(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	if secs < 60 {
		if secs < 0 {
			secs = 0
		}
		return fmt.Sprintf("%ds", secs)
	}
	mins := (secs + 59) / 60
	if mins < 60 {
		return fmt.Sprintf("%dm", mins)
	}
	return fmt.Sprintf("%dh%02dm", mins/60, mins%60)
}

// Event is what a session countdown counts to.
type Event int

// The events a countdown counts to.
const (
	// EventOpen is the regular session's 09:30 open (never the 04:00 start
	// of pre-market: "opens" means the regular open).
	EventOpen Event = iota
	// EventClose is the regular close (16:00, 13:00 on early-close days).
	EventClose
	// EventAfterHoursEnd is the end of after hours (20:00, 17:00 on
	// early-close days).
	EventAfterHoursEnd
)

// String returns "opens", "closes" or "after-hours end".
func (e Event) String() string {
	switch e {
	case EventOpen:
		return "opens"
	case EventClose:
		return "closes"
	case EventAfterHoursEnd:
		return "after-hours end"
	}
	return fmt.Sprintf("Event(%d)", int(e))
}

// Upcoming returns what a session countdown at t counts to, and when: the
// regular close during the regular session, the end of after hours during
// after hours, and otherwise (pre-market, overnight, a weekend, a holiday)
// the next regular open at 09:30. Every view that says when the market
// opens or closes (the dashboard's status line, `capwatch status`) counts
// to this instant, so they always agree. Unlike NextChange it never stops
// at the 04:00 start of pre-market.
func (c *Calendar) Upcoming(t time.Time) (Event, time.Time) {
	dt, _ := c.dateOf(t)
	switch c.StateAt(t) {
	case Regular:
		closeAt, _ := closeMinutes(dt)
		return EventClose, c.at(dt, closeAt)
	case AfterHours:
		_, afterEnd := closeMinutes(dt)
		return EventAfterHoursEnd, c.at(dt, afterEnd)
	}
	return EventOpen, c.NextOpen(t)
}
