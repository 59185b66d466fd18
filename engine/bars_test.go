package engine

import (
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

func newBuilder(t *testing.T, tf Timeframe) *BarBuilder {
	t.Helper()
	b, err := NewBarBuilder("IWM", tf, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func q(t time.Time, p, vol float64) Quote {
	return Quote{Symbol: "IWM", Price: p, DayVolume: vol, Time: t}
}

func kinds(ev []BarEvent) []BarEventKind {
	out := make([]BarEventKind, len(ev))
	for i, e := range ev {
		out[i] = e.Kind
	}
	return out
}

func sameKinds(a, b []BarEventKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNewBarBuilderValidates(t *testing.T) {
	if _, err := NewBarBuilder("IWM", Minute1, nil); err == nil {
		t.Error("nil calendar accepted")
	}
	if _, err := NewBarBuilder("IWM", Timeframe(42), calendar.NYSE()); err == nil {
		t.Error("unknown timeframe accepted")
	}
}

func TestMinuteBoundariesAndVolume(t *testing.T) {
	b := newBuilder(t, Minute1)
	d := nyDate(2025, 11, 25)
	m0 := nyAt(d, 9, 30, 0)
	// Cumulative day volume 100, 250 (same minute), 400 (next minute), 1000.
	ev := b.Add(q(m0, 10, 100), nil)
	ev = b.Add(q(m0.Add(59*time.Second+999*time.Millisecond), 11, 250), ev)
	if !sameKinds(kinds(ev), []BarEventKind{BarForming, BarForming}) {
		t.Fatalf("kinds %v", kinds(ev))
	}
	if got := ev[1].Bar; got.Time != m0 || got.Open != 10 || got.High != 11 || got.Low != 10 || got.Close != 11 || got.Volume != 250 {
		t.Fatalf("first minute bar %+v", got)
	}
	ev = b.Add(q(m0.Add(time.Minute), 9, 400), nil)
	if !sameKinds(kinds(ev), []BarEventKind{BarClosed, BarForming}) {
		t.Fatalf("kinds at boundary %v", kinds(ev))
	}
	if ev[0].Bar.Time != m0 || ev[0].Bar.Volume != 250 {
		t.Fatalf("closed bar %+v", ev[0].Bar)
	}
	if got := ev[1].Bar; got.Time != m0.Add(time.Minute) || got.Volume != 150 || got.Open != 9 {
		t.Fatalf("second bar %+v (volume want 400-250)", got)
	}
	// A minute with no quote, then 09:33: one close, the gap stays empty.
	ev = b.Add(q(m0.Add(3*time.Minute+5*time.Second), 9.5, 1000), nil)
	if ev[0].Kind != BarClosed || ev[1].Bar.Time != m0.Add(3*time.Minute) || ev[1].Bar.Volume != 600 {
		t.Fatalf("after gap %+v", ev)
	}
	// Advance before the bar's end keeps it forming; at the end it closes.
	if ev := b.Advance(m0.Add(4*time.Minute-time.Nanosecond), nil); len(ev) != 0 {
		t.Fatalf("early advance closed %v", ev)
	}
	if ev := b.Advance(m0.Add(4*time.Minute), nil); len(ev) != 1 || ev[0].Kind != BarClosed {
		t.Fatalf("advance at end: %v", ev)
	}
}

func TestIntradayAlignment(t *testing.T) {
	d := nyDate(2025, 11, 25)
	for _, c := range []struct {
		tf   Timeframe
		at   time.Time
		want time.Time
	}{
		{Minute5, nyAt(d, 9, 34, 59), nyAt(d, 9, 30, 0)},
		{Minute5, nyAt(d, 9, 35, 0), nyAt(d, 9, 35, 0)},
		{Minute15, nyAt(d, 9, 44, 0), nyAt(d, 9, 30, 0)},
		{Minute15, nyAt(d, 15, 59, 59), nyAt(d, 15, 45, 0)},
		{Minute1, nyAt(d, 16, 0, 0), nyAt(d, 15, 59, 0)}, // a print at the close joins the last bar
	} {
		b := newBuilder(t, c.tf)
		ev := b.Add(q(c.at, 10, 1), nil)
		if len(ev) != 1 || !ev[0].Bar.Time.Equal(c.want) {
			t.Errorf("%v at %s: %+v, want start %s", c.tf, c.at.Format("15:04:05"), ev, c.want.Format("15:04:05"))
		}
	}
}

func TestOutsideSessionIgnored(t *testing.T) {
	b := newBuilder(t, Daily)
	for _, at := range []time.Time{
		nyAt(nyDate(2025, 11, 25), 9, 29, 59), // pre-market
		nyAt(nyDate(2025, 11, 25), 16, 0, 1),  // after hours
		nyAt(nyDate(2025, 11, 27), 12, 0, 0),  // Thanksgiving
		nyAt(nyDate(2025, 11, 29), 12, 0, 0),  // Saturday
		nyAt(nyDate(2025, 11, 28), 13, 30, 0), // after the early close
	} {
		if ev := b.Add(q(at, 10, 1), nil); len(ev) != 0 {
			t.Errorf("quote at %s produced %v", at, ev)
		}
	}
}

func TestDailyCloseAtSessionEnd(t *testing.T) {
	for _, c := range []struct {
		name  string
		day   time.Time
		close time.Time
	}{
		{"regular 16:00", nyDate(2025, 11, 25), nyAt(nyDate(2025, 11, 25), 16, 0, 0)},
		{"early close 13:00", nyDate(2025, 11, 28), nyAt(nyDate(2025, 11, 28), 13, 0, 0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newBuilder(t, Daily)
			ev := b.Add(q(nyAt(c.day, 9, 30, 0), 100, 10), nil)
			ev = b.Add(q(nyAt(c.day, 12, 59, 0), 101, 30), ev)
			if got := ev[1].Bar; !got.Time.Equal(c.day) || got.High != 101 || got.Close != 101 || got.Volume != 30 {
				t.Fatalf("forming %+v", got)
			}
			if ev := b.Advance(c.close.Add(-time.Second), nil); len(ev) != 0 {
				t.Fatalf("closed before the session close: %v", ev)
			}
			ev = b.Advance(c.close, nil)
			if len(ev) != 1 || ev[0].Kind != BarClosed || !ev[0].Bar.Time.Equal(c.day) {
				t.Fatalf("advance at close: %+v", ev)
			}
			if _, ok := b.Forming(); ok {
				t.Fatal("still forming after close")
			}
		})
	}
}

func TestDailyClosedByNextDayQuote(t *testing.T) {
	b := newBuilder(t, Daily)
	d1, d2 := nyDate(2025, 11, 25), nyDate(2025, 11, 26)
	b.Add(q(nyAt(d1, 10, 0, 0), 100, 5), nil)
	ev := b.Add(q(nyAt(d2, 9, 31, 0), 102, 1), nil)
	if !sameKinds(kinds(ev), []BarEventKind{BarClosed, BarForming}) || !ev[0].Bar.Time.Equal(d1) || !ev[1].Bar.Time.Equal(d2) {
		t.Fatalf("events %+v", ev)
	}
}

func TestLateQuoteRevisesClosedBar(t *testing.T) {
	b := newBuilder(t, Minute1)
	d := nyDate(2025, 11, 25)
	m := func(i int) time.Time { return nyAt(d, 10, i, 0) }
	for i := range 5 {
		b.Add(q(m(i).Add(10*time.Second), 100+float64(i), float64(100*(i+1))), nil)
	}
	// A late print inside the 10:01 bar with a new high, older than its last quote.
	ev := b.Add(q(m(1).Add(5*time.Second), 120, 150), nil)
	if len(ev) != 1 || ev[0].Kind != BarRevised {
		t.Fatalf("events %+v", ev)
	}
	if got := ev[0].Bar; !got.Time.Equal(m(1)) || got.High != 120 || got.Close != 101 || got.Volume != 100 {
		t.Fatalf("revised %+v (close must stay at the newer quote's 101)", got)
	}
	// A late print into a minute that had no bar inserts one.
	b2 := newBuilder(t, Minute1)
	b2.Add(q(m(0), 100, 10), nil)
	b2.Add(q(m(2), 100, 20), nil)
	b2.Add(q(m(3), 100, 30), nil)
	ev = b2.Add(q(m(1), 99, 15), nil)
	if len(ev) != 1 || ev[0].Kind != BarRevised || !ev[0].Bar.Time.Equal(m(1)) || ev[0].Bar.Close != 99 {
		t.Fatalf("insert %+v", ev)
	}
	// Older than the ring: dropped.
	b3 := newBuilder(t, Minute1)
	for i := range ringSize + 5 {
		b3.Add(q(nyAt(d, 11, 0, 0).Add(time.Duration(i)*time.Minute), 100, float64(i)), nil)
	}
	if ev := b3.Add(q(nyAt(d, 11, 1, 0), 130, 1), nil); len(ev) != 0 || b3.Dropped() != 1 {
		t.Fatalf("too-old revision: %+v dropped=%d", ev, b3.Dropped())
	}
}

// TestRepeatedClosingPrintIsNotARevision: feeds keep reporting the closing
// print (time = 16:00) after the close; that must not trigger rebuilds.
func TestRepeatedClosingPrintIsNotARevision(t *testing.T) {
	b := newBuilder(t, Daily)
	d := nyDate(2025, 11, 25)
	cl := nyAt(d, 16, 0, 0)
	b.Add(q(nyAt(d, 15, 59, 0), 100, 900), nil)
	b.Advance(cl, nil)
	ev := b.Add(q(cl, 100.5, 1000), nil)
	if len(ev) != 1 || ev[0].Kind != BarRevised || ev[0].Bar.Close != 100.5 || ev[0].Bar.Volume != 1000 {
		t.Fatalf("official close print: %+v", ev)
	}
	for range 3 {
		if ev := b.Add(q(cl, 100.5, 1000), nil); len(ev) != 0 {
			t.Fatalf("repeated print: %+v", ev)
		}
	}
}
