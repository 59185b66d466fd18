package calendar

import (
	"math/rand/v2"
	"testing"
	"time"
)

// oracle answers calendar questions for 2024–2030 from the hand-written
// tables only (publishedHolidays, ruleHolidays2028to2030, and the early-close
// lists), independently of the implementation.
type oracle struct {
	holiday, early map[day]bool
}

func newOracle() oracle {
	o := oracle{holiday: map[day]bool{}, early: map[day]bool{}}
	for _, h := range publishedHolidays {
		o.holiday[h.day] = true
	}
	for _, d := range ruleHolidays2028to2030 {
		o.holiday[d] = true
	}
	for _, d := range publishedEarlyCloses {
		o.early[d] = true
	}
	for _, d := range ruleEarlyCloses2028to2030 {
		o.early[d] = true
	}
	return o
}

func (o oracle) trading(d day) bool {
	wd := time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Weekday()
	return wd != time.Saturday && wd != time.Sunday && !o.holiday[d]
}

func dayOf(t time.Time) day {
	y, m, d := t.In(Location()).Date()
	return day{y, m, d}
}

func (d day) add(n int) day {
	return dayOf(time.Date(d.y, d.m, d.d+n, 12, 0, 0, 0, Location()))
}

// randomInstants returns n instants spread uniformly over 2024–2030, plus
// instants on every session boundary (±1ns) of every day in that range.
func randomInstants(n int) []time.Time {
	r := rand.New(rand.NewPCG(2024, 2030))
	lo, hi := utc(2024, 1, 1, 0, 0).Unix(), utc(2031, 1, 1, 0, 0).Unix()
	out := make([]time.Time, 0, n)
	for range n {
		out = append(out, time.Unix(lo+r.Int64N(hi-lo), r.Int64N(1e9)))
	}
	for d := (day{2024, 1, 1}); d.y < 2031; d = d.add(1) {
		for _, hm := range [][2]int{{4, 0}, {9, 30}, {13, 0}, {16, 0}, {17, 0}, {20, 0}} {
			at := ny(d.y, d.m, d.d, hm[0], hm[1])
			out = append(out, at.Add(-time.Nanosecond), at, at.Add(time.Nanosecond))
		}
	}
	return out
}

func TestPropertyNextOpen(t *testing.T) {
	c, o := NYSE(), newOracle()
	for _, at := range randomInstants(20000) {
		open := c.NextOpen(at)
		if !open.After(at) {
			t.Fatalf("NextOpen(%v) = %v, not after", at, open)
		}
		nyOpen := open.In(Location())
		if h, m, s := nyOpen.Clock(); h != 9 || m != 30 || s != 0 || nyOpen.Nanosecond() != 0 {
			t.Fatalf("NextOpen(%v) = %v, not 09:30 New York", at, nyOpen)
		}
		od := dayOf(open)
		if !o.trading(od) {
			t.Fatalf("NextOpen(%v) = %v, not a trading day", at, nyOpen)
		}
		// No trading-day open lies in (at, open).
		for d := dayOf(at); d != od; d = d.add(1) {
			if o.trading(d) && ny(d.y, d.m, d.d, 9, 30).After(at) {
				t.Fatalf("NextOpen(%v) = %v skips the open of %v", at, nyOpen, d)
			}
		}
		// The close that follows the open is on the same date.
		cl := c.NextClose(open.Add(-time.Nanosecond))
		wantH := 16
		if o.early[od] {
			wantH = 13
		}
		if dayOf(cl) != od || cl.In(Location()).Hour() != wantH || cl.In(Location()).Minute() != 0 {
			t.Fatalf("NextClose(NextOpen(%v)-1ns) = %v, want %v %02d:00", at, cl.In(Location()), od, wantH)
		}
		if c2 := c.NextClose(open); !c2.Equal(cl) {
			t.Fatalf("NextClose(open %v) = %v, want %v", open, c2, cl)
		}
	}
}

func TestPropertyStateAndChange(t *testing.T) {
	c, o := NYSE(), newOracle()
	for _, at := range randomInstants(20000) {
		d := dayOf(at)
		lt := at.In(Location())
		mins := lt.Hour()*60 + lt.Minute()
		want := Closed
		if o.trading(d) {
			closeAt, afterEnd := 16*60, 20*60
			if o.early[d] {
				closeAt, afterEnd = 13*60, 17*60
			}
			switch {
			case mins < 4*60:
			case mins < 9*60+30:
				want = PreMarket
			case mins < closeAt:
				want = Regular
			case mins < afterEnd:
				want = AfterHours
			}
		}
		got := c.StateAt(at)
		if got != want {
			t.Fatalf("StateAt(%v) = %v, want %v", lt, got, want)
		}
		next, when := c.NextChange(at)
		if !when.After(at) || next == got {
			t.Fatalf("NextChange(%v) = %v at %v from %v", lt, next, when, got)
		}
		if s := c.StateAt(when); s != next {
			t.Fatalf("NextChange(%v) = %v at %v, but StateAt then is %v", lt, next, when, s)
		}
		if s := c.StateAt(when.Add(-time.Nanosecond)); s != got {
			t.Fatalf("NextChange(%v) = %v: state just before is %v, want %v", lt, when, s, got)
		}
		if n := len(c.Countdown(at)); n > 40 {
			t.Fatalf("Countdown(%v) = %q, %d chars", lt, c.Countdown(at), n)
		}
	}
}

func TestPropertyTradingDate(t *testing.T) {
	c, o := NYSE(), newOracle()
	for _, at := range randomInstants(5000) {
		d := dayOf(at)
		td := c.TradingDate(at)
		want := d
		for !o.trading(want) {
			want = want.add(-1)
		}
		if !td.Equal(ny(want.y, want.m, want.d, 0, 0)) {
			t.Fatalf("TradingDate(%v) = %v, want %v", at, td, want)
		}
		prev := d.add(-1)
		for !o.trading(prev) {
			prev = prev.add(-1)
		}
		if got := c.PrevTradingDate(at); !got.Equal(ny(prev.y, prev.m, prev.d, 0, 0)) {
			t.Fatalf("PrevTradingDate(%v) = %v, want %v", at, got, prev)
		}
		next := d.add(1)
		for !o.trading(next) {
			next = next.add(1)
		}
		if got := c.NextTradingDate(at); !got.Equal(ny(next.y, next.m, next.d, 0, 0)) {
			t.Fatalf("NextTradingDate(%v) = %v, want %v", at, got, next)
		}
	}
}

func BenchmarkStateAt(b *testing.B) {
	c := NYSE()
	at := utc(2025, 6, 2, 15, 0)
	var s State
	for i := 0; b.Loop(); i++ {
		s += c.StateAt(at.Add(time.Duration(i%1440) * time.Minute))
	}
	_ = s
}

func BenchmarkCountdown(b *testing.B) {
	c := NYSE()
	at := utc(2025, 6, 2, 15, 0)
	for i := 0; b.Loop(); i++ {
		_ = c.Countdown(at.Add(time.Duration(i%10080) * time.Minute))
	}
}
