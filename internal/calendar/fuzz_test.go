package calendar

import (
	"testing"
	"time"
)

// FuzzInvariants checks, for any instant between 1900 and 2200, the
// relations between the calendar functions that must hold whatever the
// holiday rules are.
func FuzzInvariants(f *testing.F) {
	for _, at := range []time.Time{
		utc(2025, 3, 9, 7, 0), utc(2025, 11, 2, 6, 0), utc(2025, 12, 24, 18, 0),
		utc(2001, 9, 11, 13, 30), utc(1999, 12, 31, 23, 59), utc(2199, 12, 31, 12, 0),
	} {
		f.Add(at.Unix(), int64(at.Nanosecond()))
	}
	lo, hi := utc(1900, 1, 1, 0, 0).Unix(), utc(2200, 1, 1, 0, 0).Unix()
	c := NYSE()
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		if sec < lo || sec >= hi {
			sec = lo + ((sec%(hi-lo))+(hi-lo))%(hi-lo)
		}
		nsec = ((nsec % 1e9) + 1e9) % 1e9
		at := time.Unix(sec, nsec)

		st := c.StateAt(at)
		if st < Closed || st > AfterHours {
			t.Fatalf("StateAt(%v) = %v", at, st)
		}
		if st != Closed && !c.IsTradingDay(at) {
			t.Fatalf("StateAt(%v) = %v on a non-trading day", at, st)
		}
		open := c.NextOpen(at)
		if !open.After(at) || !c.IsTradingDay(open) || c.StateAt(open) != Regular || c.StateAt(open.Add(-time.Nanosecond)) != PreMarket {
			t.Fatalf("NextOpen(%v) = %v is not a session open", at, open)
		}
		cl := c.NextClose(at)
		if !cl.After(at) || !c.IsTradingDay(cl) || c.StateAt(cl) != AfterHours || c.StateAt(cl.Add(-time.Nanosecond)) != Regular {
			t.Fatalf("NextClose(%v) = %v is not a session close", at, cl)
		}
		if so, sc, ok := c.Session(open); !ok || !so.Equal(open) || !sc.Equal(c.NextClose(open)) {
			t.Fatalf("Session(%v) = %v %v %v", open, so, sc, ok)
		}
		next, when := c.NextChange(at)
		if !when.After(at) || c.StateAt(when) != next || c.StateAt(when.Add(-time.Nanosecond)) != st {
			t.Fatalf("NextChange(%v) = %v at %v (state %v)", at, next, when, st)
		}
		td := c.TradingDate(at)
		if td.After(at) || !c.IsTradingDay(td) || td.In(Location()).Hour() != 0 {
			t.Fatalf("TradingDate(%v) = %v", at, td)
		}
		if st != Closed && !td.Equal(c.PrevTradingDate(c.NextTradingDate(at))) {
			t.Fatalf("TradingDate(%v) = %v is not the session's date", at, td)
		}
		// On a trading day the previous trading date is before the day's own;
		// otherwise the trading date already is the previous trading day.
		p := c.PrevTradingDate(at)
		if c.IsTradingDay(at) && !p.Before(td) || !c.IsTradingDay(at) && !p.Equal(td) {
			t.Fatalf("PrevTradingDate(%v) = %v, TradingDate %v", at, p, td)
		}
		if n := len(c.Countdown(at)); n > 40 {
			t.Fatalf("Countdown(%v) = %q (%d chars)", at, c.Countdown(at), n)
		}
	})
}
