package demo

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

var ny = calendar.Location()

// wed is Wednesday 2026-11-25 09:30 New York, the day before Thanksgiving.
var wed = time.Date(2026, 11, 25, 9, 30, 0, 0, ny)

func newFeed(t testing.TB, o Options) *Feed {
	t.Helper()
	if o.Clock == nil {
		o.Clock = clock.NewFake(wed)
	}
	f, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func history(t testing.TB, f *Feed, syms ...string) feeds.History {
	t.Helper()
	h, err := f.History(context.Background(), syms)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// ratio returns the daily small/large close ratios (the dates are checked
// to be identical elsewhere).
func ratio(h feeds.History, small, large string) []float64 {
	s, l := h.Daily[small], h.Daily[large]
	r := make([]float64, len(s))
	for i := range s {
		r[i] = s[i].Close / l[i].Close
	}
	return r
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func stdLogRet(bars []engine.Bar) float64 {
	var r []float64
	for i := 1; i < len(bars); i++ {
		r = append(r, math.Log(bars[i].Close/bars[i-1].Close))
	}
	m := mean(r)
	v := 0.0
	for _, x := range r {
		v += (x - m) * (x - m)
	}
	return math.Sqrt(v / float64(len(r)-1))
}

func TestNewValidates(t *testing.T) {
	tests := map[string]Options{
		"negative speed": {Speed: -1},
		"NaN speed":      {Speed: math.NaN()},
		"inf speed":      {Speed: math.Inf(1)},
		"neg interval":   {QuoteInterval: -time.Second},
		"huge interval":  {QuoteInterval: 2 * time.Hour},
		"too fast":       {Speed: 1e10},
		"bad symbol":     {Symbols: []string{"IWM", "bad sym"}},
		"same legs":      {Small: "SPY", Large: "SPY"},
	}
	for name, o := range tests {
		t.Run(name, func(t *testing.T) {
			o.Clock = clock.NewFake(wed)
			if _, err := New(o); err == nil {
				t.Error("New accepted invalid options")
			}
		})
	}
}

func TestDefaultsAndStart(t *testing.T) {
	tests := []struct {
		name      string
		now       time.Time
		start     time.Time
		wantStart time.Time
	}{
		{"trading day, during the session", time.Date(2026, 11, 25, 14, 0, 0, 0, ny), time.Time{}, wed},
		{"trading day, before the open", time.Date(2026, 11, 25, 3, 0, 0, 0, ny), time.Time{}, wed},
		{"Thanksgiving: previous trading day", time.Date(2026, 11, 26, 12, 0, 0, 0, ny), time.Time{}, wed},
		{"Saturday: Friday's open", time.Date(2026, 11, 28, 12, 0, 0, 0, ny), time.Time{}, time.Date(2026, 11, 27, 9, 30, 0, 0, ny)},
		{"explicit start in session", wed, time.Date(2026, 6, 3, 11, 0, 0, 0, ny), time.Date(2026, 6, 3, 11, 0, 0, 0, ny)},
		{"explicit start on a Sunday", wed, time.Date(2026, 6, 7, 11, 0, 0, 0, ny), time.Date(2026, 6, 8, 9, 30, 0, 0, ny)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := New(Options{Clock: clock.NewFake(tc.now), Start: tc.start})
			if err != nil {
				t.Fatal(err)
			}
			if !f.Start().Equal(tc.wantStart) {
				t.Errorf("Start = %v, want %v", f.Start(), tc.wantStart)
			}
			if f.Name() != "demo" || f.Kind() != feeds.KindDemo {
				t.Errorf("Name/Kind = %s/%v", f.Name(), f.Kind())
			}
		})
	}
}

func TestHistoryShape(t *testing.T) {
	f := newFeed(t, Options{Seed: 1})
	h := history(t, f)
	cal := calendar.NYSE()
	want := engine.DefaultConfig().Symbols()
	if len(h.Daily) != len(want) || len(h.Errors) != 0 {
		t.Fatalf("got %d symbols, %v errors; want %d", len(h.Daily), h.Errors, len(want))
	}
	spy := h.Daily["SPY"]
	if len(spy) < 5000 {
		t.Fatalf("only %d days", len(spy))
	}
	if first, last := spy[0].Time, spy[len(spy)-1].Time; last.Sub(first) < 20*365*24*time.Hour {
		t.Errorf("history spans %s..%s, under 20 years", spy[0].Date(), spy[len(spy)-1].Date())
	}
	if got := spy[len(spy)-1].Date(); got != "2026-11-24" {
		t.Errorf("history ends %s, want 2026-11-24 (the trading day before the start)", got)
	}
	for i, b := range spy {
		if !cal.IsTradingDay(b.Time) {
			t.Fatalf("%s is not an NYSE trading day", b.Date())
		}
		if h, m, _ := b.Time.In(ny).Clock(); h != 0 || m != 0 {
			t.Fatalf("bar time %v is not New York midnight", b.Time)
		}
		if i > 0 && !spy[i-1].Time.Before(b.Time) {
			t.Fatalf("dates not increasing at %d", i)
		}
	}
	// 2025-01-09 (day of mourning) and 2026-07-03 (Independence Day observed) are closures.
	for _, b := range spy {
		if d := b.Date(); d == "2025-01-09" || d == "2026-07-03" || d == "2025-12-25" {
			t.Errorf("history contains the closure %s", d)
		}
	}
	// Hand-written levels from the brief: the last close is near them.
	levels := map[string]float64{"IWM": 225, "SPY": 590, "QQQ": 510, "DIA": 430, "MDY": 560, "XLK": 230,
		"PSCT": 45, "XLV": 145, "PSCH": 42, "XLF": 48, "PSCF": 55, "XLE": 90, "PSCE": 40, "XLI": 135,
		"PSCI": 130, "XLY": 210, "PSCD": 105, "XLP": 80, "PSCC": 70, "XLB": 90, "PSCM": 75, "XLU": 78, "PSCU": 65}
	for sym, bars := range h.Daily {
		// The pair's legs have the 20 years (5120 trading days); the others
		// the last 756 trading days (~3 years: 200-day averages, 52-week
		// highs and 63-day returns are all defined), on SPY's last dates.
		switch {
		case sym == "IWM" || sym == "SPY":
			if len(bars) != len(spy) || len(bars) != 5120 {
				t.Errorf("%s has %d bars, SPY %d, want 5120", sym, len(bars), len(spy))
			}
		case len(bars) != 756:
			t.Errorf("%s has %d bars, want the last 756", sym, len(bars))
		}
		if sym != "IWM" && sym != "SPY" {
			if span := bars[len(bars)-1].Time.Sub(bars[0].Time); span < 3*365*24*time.Hour-10*24*time.Hour || span > 3*366*24*time.Hour+10*24*time.Hour {
				t.Errorf("%s spans %s..%s, want ~3 years", sym, bars[0].Date(), bars[len(bars)-1].Date())
			}
		}
		off := len(spy) - len(bars)
		for i, b := range bars {
			if b.Symbol != sym || !b.Time.Equal(spy[off+i].Time) {
				t.Fatalf("%s bar %d: symbol %s date %s, want %s", sym, i, b.Symbol, b.Date(), spy[off+i].Date())
			}
			if !(b.Low > 0 && b.Low <= min(b.Open, b.Close) && max(b.Open, b.Close) <= b.High) || b.Volume < 0 {
				t.Fatalf("%s %s: inconsistent bar %+v", sym, b.Date(), b)
			}
		}
		last := bars[len(bars)-1].Close
		if lv := levels[sym]; math.Abs(last/lv-1) > 0.01 {
			t.Errorf("%s last close %.2f, want ~%.0f", sym, last, lv)
		}
	}
	// Small caps are more volatile than large caps.
	if vi, vs := stdLogRet(h.Daily["IWM"]), stdLogRet(spy); !(vi > 1.1*vs) {
		t.Errorf("IWM daily vol %.4f not above SPY %.4f", vi, vs)
	}
	// Realistic liquidity: SPY tens of millions a day, PSCU only thousands.
	adv := func(sym string) float64 {
		bars := h.Daily[sym]
		s := 0.0
		for _, b := range bars[len(bars)-250:] {
			s += b.Volume
		}
		return s / 250
	}
	if a := adv("SPY"); a < 2e7 || a > 2e8 {
		t.Errorf("SPY ADV %.0f", a)
	}
	for _, s := range []string{"PSCU", "PSCD", "PSCM", "PSCF"} {
		if a := adv(s); a < 500 || a > 2e4 {
			t.Errorf("%s ADV %.0f, want thousands", s, a)
		}
	}
}

func TestHistorySymbolIndependentAndUnknownSymbols(t *testing.T) {
	f := newFeed(t, Options{Seed: 9})
	all := history(t, f)
	one := history(t, newFeed(t, Options{Seed: 9}), "PSCT")
	if !reflect.DeepEqual(all.Daily["PSCT"], one.Daily["PSCT"]) {
		t.Error("PSCT's history depends on which other symbols are requested")
	}
	h := history(t, f, "ZZZZ", "bad sym")
	z := h.Daily["ZZZZ"]
	if len(z) < 700 || len(z) > 800 || z[len(z)-1].Close < 19 || z[len(z)-1].Close > 401 {
		t.Errorf("unknown symbol: %d bars (want ~3 years), last %.2f", len(z), z[len(z)-1].Close)
	}
	if len(h.Errors) != 1 || h.Errors[0].Symbol != "bad sym" {
		t.Errorf("Errors = %+v", h.Errors)
	}
}

// TestHistoryLengthFollowsThePair: the 20 years go to whichever symbols are
// the pair's legs; every other symbol's 3 years are exactly the tail of the
// full series it would have had (same bars on the same dates).
func TestHistoryLengthFollowsThePair(t *testing.T) {
	f := newFeed(t, Options{Seed: 3, Small: "IJR", Large: "VOO"})
	h := history(t, f, "IJR", "VOO", "IWM", "SPY")
	for sym, long := range map[string]bool{"IJR": true, "VOO": true, "IWM": false, "SPY": false} {
		if n := len(h.Daily[sym]); (n >= 5000) != long || n < 700 {
			t.Errorf("%s: %d bars, want 20 years: %v", sym, n, long)
		}
	}
	w := f.world()
	for _, sym := range []string{"IWM", "PSCU", "ZZZZ"} {
		full, short := w.fullBars(sym), w.symbolBars(sym)
		if len(short) >= len(full) || !reflect.DeepEqual(short, full[len(full)-len(short):]) {
			t.Errorf("%s: the short history (%d bars) is not the tail of the full one (%d)", sym, len(short), len(full))
		}
	}
}

// TestHistoryStagedSetup: the ratio ends just below its 50-day average and
// its prior 20-day high (oracle: plain averages and maxima of the closes).
func TestHistoryStagedSetup(t *testing.T) {
	for seed := int64(0); seed < 6; seed++ {
		h := history(t, newFeed(t, Options{Seed: seed}), "IWM", "SPY")
		r := ratio(h, "IWM", "SPY")
		n := len(r)
		last := r[n-1]
		sma50 := mean(r[n-50:])
		hiPrior := slices.Max(r[n-21 : n-1])
		sma200 := mean(r[n-200:])
		if !(last < sma200 && sma200 < last*1.008) {
			t.Errorf("seed %d: last %.5f vs SMA200 %.5f: not just below", seed, last, sma200)
		}
		if !(last < sma50 && sma50 < last*1.006) {
			t.Errorf("seed %d: last %.5f vs SMA50 %.5f: not just below", seed, last, sma50)
		}
		if !(last < hiPrior && hiPrior < last*1.008) {
			t.Errorf("seed %d: last %.5f vs prior 20-day high %.5f: not just below", seed, last, hiPrior)
		}
	}
}

// TestHistoryHasAnalogEvents counts "ratio crosses above its SMA200 at a
// 20-day high" days (at least 21 days apart) with a direct computation.
func TestHistoryHasAnalogEvents(t *testing.T) {
	for seed := int64(0); seed < 6; seed++ {
		r := ratio(history(t, newFeed(t, Options{Seed: seed}), "IWM", "SPY"), "IWM", "SPY")
		events, last := 0, -100
		for i := 201; i < len(r); i++ {
			above := r[i] > mean(r[i-199:i+1])
			wasBelow := r[i-1] <= mean(r[i-200:i])
			if above && wasBelow && r[i] > slices.Max(r[i-20:i]) && i-last > 20 {
				events++
				last = i
			}
		}
		if events < 12 {
			t.Errorf("seed %d: only %d analog events in 20 years", seed, events)
		}
	}
}

// collect runs Stream inside a synctest bubble (the real clock is fake there)
// and returns the first n batches.
func collect(t *testing.T, o Options, syms []string, n int) []feeds.Batch {
	t.Helper()
	var got []feeds.Batch
	synctest.Test(t, func(t *testing.T) {
		o.Clock = clock.Real{}
		if o.Start.IsZero() {
			o.Start = wed
		}
		f, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		out := make(chan feeds.Batch)
		done := make(chan error, 1)
		go func() { done <- f.Stream(ctx, syms, out) }()
		for range n {
			got = append(got, <-out)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Stream returned %v", err)
		}
	})
	return got
}

func price(b feeds.Batch, sym string) float64 {
	for _, q := range b.Quotes {
		if q.Symbol == sym {
			return q.Price
		}
	}
	return math.NaN()
}

// TestBreakoutUnfoldsLive: at the open the live ratio is below the SMA50
// (forming: the previous 49 closes plus the live value) and the prior 20-day
// high; within 90 simulated seconds it is above both.
func TestBreakoutUnfoldsLive(t *testing.T) {
	for seed := int64(0); seed < 4; seed++ {
		o := Options{Seed: seed}
		r := ratio(history(t, newFeed(t, o), "IWM", "SPY"), "IWM", "SPY")
		n := len(r)
		prev49 := r[n-49:]
		hi20 := slices.Max(r[n-20:])
		sma50 := func(live float64) float64 { return (mean(prev49)*49 + live) / 50 }
		prev199 := r[n-199:]
		sma200 := func(live float64) float64 { return (mean(prev199)*199 + live) / 200 }
		batches := collect(t, o, []string{"IWM", "SPY"}, 91)
		open := price(batches[0], "IWM") / price(batches[0], "SPY")
		if !(open < sma50(open) && open < hi20 && open < sma200(open)) {
			t.Errorf("seed %d: the open ratio %.5f is already above SMA50 %.5f, SMA200 %.5f or high %.5f",
				seed, open, sma50(open), sma200(open), hi20)
		}
		crossS, crossH, cross200 := -1, -1, -1
		for i, b := range batches {
			lr := price(b, "IWM") / price(b, "SPY")
			if crossS < 0 && lr > sma50(lr) {
				crossS = i
			}
			if crossH < 0 && lr > hi20 {
				crossH = i
			}
			if cross200 < 0 && lr > sma200(lr) {
				cross200 = i
			}
		}
		if crossS < 0 || crossH < 0 || cross200 < 0 {
			t.Errorf("seed %d: no breakout within 90 s (SMA50 cross at %d s, 20-day high at %d s, SMA200 at %d s)",
				seed, crossS, crossH, cross200)
		}
		// It holds: the last quote is still above both.
		last := price(batches[90], "IWM") / price(batches[90], "SPY")
		if !(last > hi20 && last > sma50(last) && last > sma200(last)) {
			t.Errorf("seed %d: breakout did not hold at 90 s: %.5f", seed, last)
		}
	}
}

func TestStreamDeterministic(t *testing.T) {
	syms := engine.DefaultConfig().Symbols()
	a := collect(t, Options{Seed: 42}, syms, 120)
	b := collect(t, Options{Seed: 42}, syms, 120)
	for i := range a {
		if !reflect.DeepEqual(a[i].Quotes, b[i].Quotes) {
			t.Fatalf("batch %d differs between runs with the same seed", i)
		}
	}
	c := collect(t, Options{Seed: 43}, syms, 120)
	if reflect.DeepEqual(a[119].Quotes, c[119].Quotes) {
		t.Error("different seeds gave the same quotes")
	}
	// A symbol's quotes do not depend on the other symbols streamed.
	d := collect(t, Options{Seed: 42}, []string{"PSCE"}, 120)
	for i := range d {
		if got, want := d[i].Quotes[0], a[i].Quotes[slices.Index(syms, "PSCE")]; got != want {
			t.Fatalf("batch %d: PSCE alone %+v, in the full set %+v", i, got, want)
		}
	}
}

func TestStreamPacingOnFakeClock(t *testing.T) {
	fc := clock.NewFake(time.Date(2026, 11, 25, 22, 0, 0, 0, time.UTC))
	f := newFeed(t, Options{Seed: 1, Speed: 4, QuoteInterval: 2 * time.Second, Clock: fc, Start: wed})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := make(chan feeds.Batch)
	go f.Stream(ctx, nil, out)
	recv := func() feeds.Batch {
		select {
		case b := <-out:
			return b
		case <-ctx.Done():
			t.Fatal("timed out")
		}
		return feeds.Batch{}
	}
	syms := engine.DefaultConfig().Symbols()
	for i := range 5 {
		b := recv()
		if b.Seq != uint64(i+1) {
			t.Errorf("Seq = %d, want %d", b.Seq, i+1)
		}
		if b.Status.Feed != "demo" || b.Status.State != feeds.StateOK || b.Status.Interval != 500*time.Millisecond ||
			!b.Status.LastSuccess.Equal(fc.Now()) {
			t.Errorf("status %+v", b.Status)
		}
		if len(b.Quotes) != len(syms) {
			t.Fatalf("%d quotes, want %d", len(b.Quotes), len(syms))
		}
		wantT := wed.Add(time.Duration(i) * 2 * time.Second)
		for j, q := range b.Quotes {
			if q.Symbol != syms[j] || !q.Time.Equal(wantT) || !q.Received.Equal(wantT) || q.Delayed || !(q.Price > 0) || !(q.DayVolume > 0) {
				t.Fatalf("batch %d quote %+v (want time %v)", i, q, wantT)
			}
		}
		// Wall pacing: QuoteInterval/Speed = 500 ms. Just short of it, the
		// stream is still waiting (its timer has not fired, so it cannot send).
		if !fc.WaitForWaiters(1, ctx.Done()) {
			t.Fatal("stream never waited")
		}
		fc.Advance(499 * time.Millisecond)
		select {
		case b := <-out:
			t.Fatalf("batch %d arrived before its wall interval", b.Seq)
		default:
		}
		if fc.Waiters() != 1 {
			t.Fatalf("timer fired early")
		}
		fc.Advance(time.Millisecond)
	}
}

// TestStreamFullDay runs a whole simulated day and the roll-over across
// Thanksgiving to Friday's early-close session.
func TestStreamFullDay(t *testing.T) {
	syms := []string{"SPY", "IWM", "PSCU"}
	const day = 6*3600 + 30*60 // batches 09:30:00 .. 15:59:59
	bs := collect(t, Options{Seed: 3, Speed: 1000}, syms, day+2)
	if got := bs[day-1].Quotes[0].Time; !got.Equal(time.Date(2026, 11, 25, 15, 59, 59, 0, ny)) {
		t.Errorf("last batch of the day at %v", got)
	}
	fri := time.Date(2026, 11, 27, 9, 30, 0, 0, ny)
	if got := bs[day].Quotes[0].Time; !got.Equal(fri) {
		t.Errorf("first batch after the close at %v, want %v (Thanksgiving skipped)", got, fri)
	}
	// Day volume is cumulative within the day and restarts the next day.
	for i := 1; i < day; i++ {
		for j := range syms {
			if bs[i].Quotes[j].DayVolume < bs[i-1].Quotes[j].DayVolume {
				t.Fatalf("%s day volume fell at batch %d", syms[j], i)
			}
		}
	}
	if bs[day].Quotes[0].DayVolume >= bs[day-1].Quotes[0].DayVolume/10 {
		t.Error("day volume did not restart at the next open")
	}
	// Intraday U-shape: the first and last half hours trade more than the middle one.
	vol := func(j, from, to int) float64 { return bs[to].Quotes[j].DayVolume - bs[from].Quotes[j].DayVolume }
	const half = 1800
	first, mid, last := vol(0, 0, half), vol(0, day/2-half/2, day/2+half/2), vol(0, day-1-half, day-1)
	if !(first > 1.5*mid && last > 1.5*mid) {
		t.Errorf("SPY half-hour volumes open %.0f mid %.0f close %.0f: no U-shape", first, mid, last)
	}
	// Realistic totals: SPY tens of millions, PSCU thousands, and a thin
	// ETF's price only changes when it prints.
	if v := bs[day-1].Quotes[0].DayVolume; v < 2e7 || v > 2e8 {
		t.Errorf("SPY day volume %.0f", v)
	}
	if v := bs[day-1].Quotes[2].DayVolume; v < 300 || v > 2e4 {
		t.Errorf("PSCU day volume %.0f", v)
	}
	for i := 1; i < day; i++ {
		a, b := bs[i-1].Quotes[2], bs[i].Quotes[2]
		if a.Price != b.Price && a.DayVolume == b.DayVolume {
			t.Fatalf("PSCU price moved without a trade at batch %d", i)
		}
	}
}

// BenchmarkHistory generates the full 20-year history of the default watchlist.
func BenchmarkHistory(b *testing.B) {
	syms := engine.DefaultConfig().Symbols()
	b.ReportAllocs()
	for b.Loop() {
		f, err := New(Options{Seed: 1, Clock: clock.NewFake(wed)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.History(context.Background(), syms); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSameSeedSameMarketOnAnyDate: a seed gives the same market whatever
// the date it is run on (issue 14 item 19: the history was anchored to the
// current date, so nobody could reproduce a screen): the same prices and
// volumes, bar for bar, and the same live quotes; only the dates differ.
func TestSameSeedSameMarketOnAnyDate(t *testing.T) {
	starts := []time.Time{
		time.Date(2025, 11, 24, 9, 30, 0, 0, ny), // a Monday before Thanksgiving
		time.Date(2026, 3, 9, 9, 30, 0, 0, ny),   // the Monday after the DST change
		time.Date(2031, 7, 7, 9, 30, 0, 0, ny),   // after July 4th, years later
	}
	syms := []string{"IWM", "SPY", "PSCT", "XLK"}
	type run struct {
		h      feeds.History
		quotes [][]engine.Quote
	}
	var runs []run
	for _, start := range starts {
		fc := clock.NewFake(start.AddDate(0, 0, -3))
		f := newFeed(t, Options{Seed: 7, Start: start, Clock: fc, Symbols: syms})
		r := run{h: history(t, f, syms...)}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		out := make(chan feeds.Batch)
		done := make(chan error, 1)
		go func() { done <- f.Stream(ctx, syms, out) }()
		for i := range 5 {
			if i > 0 {
				if !fc.WaitForWaiters(1, ctx.Done()) {
					t.Fatal("stream never waited")
				}
				fc.Advance(time.Second)
			}
			select {
			case b := <-out:
				r.quotes = append(r.quotes, b.Quotes)
			case <-ctx.Done():
				t.Fatal("no batch")
			}
		}
		cancel()
		<-done
		runs = append(runs, r)
	}
	strip := func(b engine.Bar) [5]float64 { return [5]float64{b.Open, b.High, b.Low, b.Close, b.Volume} }
	for i, r := range runs[1:] {
		for _, sym := range syms {
			a, b := runs[0].h.Daily[sym], r.h.Daily[sym]
			if len(a) != len(b) {
				t.Fatalf("start %v: %s has %d bars, %d on %v", starts[i+1], sym, len(b), len(a), starts[0])
			}
			for k := range a {
				if strip(a[k]) != strip(b[k]) {
					t.Fatalf("start %v: %s bar %d = %v, %v on %v", starts[i+1], sym, k, strip(b[k]), strip(a[k]), starts[0])
				}
			}
			if last := b[len(b)-1].Time; !last.Equal(calendar.NYSE().PrevTradingDate(starts[i+1])) {
				t.Errorf("start %v: %s history ends %v", starts[i+1], sym, last)
			}
		}
		for k, qs := range r.quotes {
			for j, q := range qs {
				q0 := runs[0].quotes[k][j]
				if q.Symbol != q0.Symbol || q.Price != q0.Price || q.DayVolume != q0.DayVolume ||
					q.Time.Sub(starts[i+1]) != q0.Time.Sub(starts[0]) {
					t.Fatalf("start %v: batch %d quote %d = %+v, %+v on %v", starts[i+1], k, j, q, q0, starts[0])
				}
			}
		}
	}
}
