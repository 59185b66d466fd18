package tui

import (
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// Stale reports whether data stamped asOf is stale at now: older than limit
// (twice the feed's poll interval) while newer data is expected. During the
// regular session newer data is always expected. Outside it, data as new as
// the last regular close (within its last minute: a minute bar is stamped at
// its start) is the newest there is, so it is not stale while the feed is
// healthy (feedOK); older data, or any data while the feed is failing, is
// judged by its age alone. A zero asOf or limit is never stale.
//
// This agrees with the rule of `capwatch status` (internal/app staleness)
// wherever both apply (internal/faults TestStaleRulesAgree), and is stricter
// in one case: part of a session (the feed stopped before the close) seen
// after the close is stale here, not there.
func Stale(asOf, now time.Time, limit time.Duration, cal *calendar.Calendar, feedOK bool) bool {
	if asOf.IsZero() || limit <= 0 || now.Sub(asOf) <= limit {
		return false
	}
	if cal.StateAt(now) == calendar.Regular || !feedOK {
		return true
	}
	return asOf.Before(lastClose(now, cal).Add(-time.Minute))
}

// lastClose is the close of the last regular session that has ended by now.
func lastClose(now time.Time, cal *calendar.Calendar) time.Time {
	d := cal.TradingDate(now)
	for range 30 { // bounded like the calendar's own scans
		if _, cl, ok := cal.Session(d); ok && !now.Before(cl) {
			return cl
		}
		d = cal.PrevTradingDate(d)
	}
	return time.Time{}
}
