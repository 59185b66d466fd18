package rotation

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	talib "github.com/markcheno/go-talib"

	"github.com/capwatch/capwatch/internal/calendar"
)

// tradingDays lists the NYSE trading days from..to (inclusive), from the
// calendar.
func tradingDays(from, to string) []Day {
	cal := calendar.NYSE()
	ny := calendar.Location()
	a, _ := time.ParseInLocation(time.DateOnly, from, ny)
	b, _ := time.ParseInLocation(time.DateOnly, to, ny)
	var out []Day
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		if cal.IsTradingDay(d.Add(12 * time.Hour)) {
			out = append(out, DayOf(d))
		}
	}
	return out
}

// weeklySeries returns one close per Friday-ish week: the first n weeks of
// trading days from 2015, taking each week's last trading day, so a weekly
// value sequence can be fed straight in.
func weeklyDays(n int) []Day {
	all := tradingDays("2015-01-05", "2030-12-31")
	var out []Day
	for i, d := range all {
		if i+1 == len(all) || all[i+1].Week() != d.Week() {
			out = append(out, d)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

// rsSeries builds an asset and a benchmark whose weekly rs is exactly rs
// (benchmark 100 on every date, asset = rs).
func rsSeries(rs []float64) (a, b Series) {
	days := weeklyDays(len(rs))
	a = Series{Days: days, Closes: append([]float64(nil), rs...)}
	b = Series{Days: days, Closes: make([]float64, len(rs))}
	for i := range b.Closes {
		b.Closes[i] = 100
	}
	return a, b
}

func newComputer(t testing.TB, cfg Config) *Computer {
	t.Helper()
	c, err := NewComputer(cfg, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// one computes a single entry (the pair's own) for rs.
func one(t testing.TB, cfg Config, rs []float64) Entry {
	t.Helper()
	a, b := rsSeries(rs)
	r := newComputer(t, cfg).Compute(Input{Small: "A", Large: "B", Series: map[string]Series{"A": a, "B": b}})
	if len(r.SmallVsLarge) != 1 {
		t.Fatalf("entries: %d", len(r.SmallVsLarge))
	}
	return r.SmallVsLarge[0]
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func checkPoints(t *testing.T, name string, got []Point, ratio, mom []float64) {
	t.Helper()
	if len(got) != len(ratio) {
		t.Fatalf("%s: %d points, want %d", name, len(got), len(ratio))
	}
	for i, p := range got {
		for _, c := range []struct {
			what string
			n    Num
			want float64
		}{{"rs_ratio", p.RSRatio, ratio[i]}, {"rs_momentum", p.RSMomentum, mom[i]}} {
			if math.IsNaN(c.want) {
				if c.n.Valid {
					t.Errorf("%s: point %d %s = %v, want null", name, i, c.what, c.n.V)
				}
				continue
			}
			if !c.n.Valid || !near(c.n.V, c.want) {
				t.Errorf("%s: point %d %s = %v (valid %v), want %.15g", name, i, c.what, c.n.V, c.n.Valid, c.want)
			}
		}
	}
}

var null = math.NaN()

// TestHandComputedN2: with N=2 a window (a, b) has mean (a+b)/2 and
// population σ |b−a|/2, so rs_ratio = 100 ± 1 by the direction of the last
// move (null when flat); the same holds for momentum on d.
func TestHandComputedN2(t *testing.T) {
	rs := []float64{100, 102, 101, 103, 104, 104.5, 103}
	// ratio: –, up 101, down 99, up 101, up 101, up 101, down 99
	ratio := []float64{null, 101, 99, 101, 101, 101, 99}
	// d: –, –, −2, +2, 0, 0, −2 → momentum from the window (d[t−1], d[t]):
	// t=3 (−2→2) 101, t=4 (2→0) 99, t=5 (0→0) flat: null, t=6 (0→−2) 99.
	mom := []float64{null, null, null, 101, 99, null, 99}
	e := one(t, Config{Window: 2, Keep: 10, Tail: 4}, rs)
	checkPoints(t, "history", e.History, ratio, mom)
	checkPoints(t, "tail", e.Tail, ratio[3:], mom[3:])
	if e.Quadrant != Lagging || e.RSRatio.V != 99 || e.RSMomentum.V != 99 {
		t.Errorf("head: %v %v %v", e.Quadrant, e.RSRatio, e.RSMomentum)
	}
	want := []Quadrant{None, None, None, Leading, Weakening, None, Lagging}
	for i, p := range e.History {
		if p.Quadrant() != want[i] {
			t.Errorf("point %d quadrant %v, want %v", i, p.Quadrant(), want[i])
		}
	}
	if e.WeeksInQuadrant != 1 {
		t.Errorf("weeks in quadrant %d, want 1", e.WeeksInQuadrant)
	}
}

// TestHandComputedN3 works a 3-week window by hand (population variance):
//
//	rs 100,100,103: mean 101, deviations −1,−1,2, var 2 → ratio 100+2/√2 = 100+√2
//	rs 100,103,97:  mean 100, deviations 0,3,−3, var 6 → ratio 100−3/√6 = 100−√1.5
//	rs 103,97,97:   mean 99,  deviations 4,−2,−2, var 8 → ratio 100−2/√8 = 100−1/√2
//	rs 97,97,100:   mean 98,  deviations −1,−1,2, var 2 → ratio 100+√2
//
// d = −√2−√1.5, √1.5−1/√2, √2+1/√2 = 3/√2: they sum to 0, so the mean is 0
// and the variance is (d3²+d4²+d5²)/3 = ((3.5+2√3)+(2−√3)+4.5)/3 = (10+√3)/3;
// momentum = 100 + (3/√2)/√((10+√3)/3).
func TestHandComputedN3(t *testing.T) {
	rs := []float64{100, 100, 103, 97, 97, 100}
	s2, s15 := math.Sqrt(2), math.Sqrt(1.5)
	ratio := []float64{null, null, 100 + s2, 100 - s15, 100 - 1/s2, 100 + s2}
	mom := []float64{null, null, null, null, null, 100 + (3/s2)/math.Sqrt((10+math.Sqrt(3))/3)}
	e := one(t, Config{Window: 3}, rs)
	checkPoints(t, "history", e.History, ratio, mom)
	if e.Quadrant != Leading || e.WeeksInQuadrant != 1 {
		t.Errorf("head quadrant %v for %d weeks", e.Quadrant, e.WeeksInQuadrant)
	}
}

// TestSteadyTrend: a linear rs has a constant rs_ratio (100+√1.5 for N=3),
// so d is 0 and momentum's STDDEV is 0: momentum is null, and so is the
// quadrant.
func TestSteadyTrend(t *testing.T) {
	rs := []float64{100, 101, 102, 103, 104, 105, 106, 107}
	e := one(t, Config{Window: 3}, rs)
	for i, p := range e.History {
		if i >= 2 && (!p.RSRatio.Valid || !near(p.RSRatio.V, 100+math.Sqrt(1.5))) {
			t.Errorf("point %d ratio %v", i, p.RSRatio)
		}
		if p.RSMomentum.Valid {
			t.Errorf("point %d momentum %v, want null (σ of d is 0)", i, p.RSMomentum)
		}
	}
	if e.Quadrant != None || e.WeeksInQuadrant != 0 {
		t.Errorf("quadrant %v/%d, want null", e.Quadrant, e.WeeksInQuadrant)
	}
	// A flat rs: STDDEV 0 → rs_ratio null everywhere.
	e = one(t, Config{Window: 3}, []float64{50, 50, 50, 50, 50})
	for i, p := range e.History {
		if p.RSRatio.Valid || p.RSMomentum.Valid {
			t.Errorf("flat: point %d %v %v", i, p.RSRatio, p.RSMomentum)
		}
	}
}

// TestGapRestartsMomentum: a flat stretch makes rs_ratio null; the d series
// restarts after it, so momentum needs N fresh d values again.
func TestGapRestartsMomentum(t *testing.T) {
	// N=2: ratio up/down signs; the flat pair (104,104) makes ratio null at index 5.
	rs := []float64{100, 102, 101, 103, 104, 104, 103, 105, 104}
	// ratio: –,101,99,101,101,–,99,101,99
	// d:     –,–,−2,2,0,–,–,2,−2   (d needs two valid ratios in a row)
	// mom:   –,–,–,101,99,–,–,–,99   (run 1: d2..d4; run 2 starts at d7)
	e := one(t, Config{Window: 2, Keep: 20}, rs)
	checkPoints(t, "gap", e.History,
		[]float64{null, 101, 99, 101, 101, null, 99, 101, 99},
		[]float64{null, null, null, 101, 99, null, null, null, 99})
}

// TestOracleGoTalib compares every point with go-talib's Sma and StdDev
// (population, nbdev 1) on random walks: rs from the weekly closes, d from
// the ratios, Sma/StdDev of d started at its first value. Bit-identical.
func TestOracleGoTalib(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 40 {
		n := 30 + rng.IntN(200)
		window := []int{10, 10, 2, 5, 13}[trial%5]
		days := weeklyDays(n)
		legA := Series{Days: days, Closes: make([]float64, n)}
		legB := Series{Days: days, Closes: make([]float64, n)}
		rs := make([]float64, n)
		a, b := 40.0, 400.0
		for i := range rs {
			a *= math.Exp(rng.NormFloat64() * 0.03)
			b *= math.Exp(rng.NormFloat64() * 0.02)
			legA.Closes[i], legB.Closes[i] = a, b
			rs[i] = 100 * a / b
		}
		r := newComputer(t, Config{Window: window, Keep: MaxKeep}).Compute(Input{Small: "A", Large: "B", Series: map[string]Series{"A": legA, "B": legB}})
		e := r.SmallVsLarge[0]

		sma, sd := talib.Sma(rs, window), talib.StdDev(rs, window, 1)
		ratio := make([]float64, n)
		for i := range ratio {
			ratio[i] = null
			if i >= window-1 && sd[i] != 0 {
				ratio[i] = 100 + (rs[i]-sma[i])/sd[i]
			}
		}
		// Random walks never have σ = 0, so d is one run from index window.
		d := make([]float64, 0, n)
		for i := window; i < n; i++ {
			d = append(d, ratio[i]-ratio[i-1])
		}
		mom := make([]float64, n)
		for i := range mom {
			mom[i] = null
		}
		if len(d) >= window {
			dm, ds := talib.Sma(d, window), talib.StdDev(d, window, 1)
			for k := window - 1; k < len(d); k++ {
				if ds[k] != 0 {
					mom[window+k] = 100 + (d[k]-dm[k])/ds[k]
				}
			}
		}
		if len(e.History) != n {
			t.Fatalf("trial %d: %d points, want %d", trial, len(e.History), n)
		}
		for i, p := range e.History {
			for _, c := range []struct {
				what string
				got  Num
				want float64
			}{{"ratio", p.RSRatio, ratio[i]}, {"momentum", p.RSMomentum, mom[i]}} {
				if math.IsNaN(c.want) != !c.got.Valid || (c.got.Valid && math.Float64bits(c.got.V) != math.Float64bits(c.want)) {
					t.Fatalf("trial %d (N=%d) point %d %s: got %v (valid %v), want %v", trial, window, i, c.what, c.got.V, c.got.Valid, c.want)
				}
			}
		}
		// Momentum first exists at the (2N)th weekly point (the 20th for
		// N=10). With N=2 the ratio is only ever 99 or 101, so d repeats
		// and momentum is null now and then: only the start is checked.
		for i, p := range e.History {
			if p.RSMomentum.Valid != (i >= 2*window-1) && (i < 2*window-1 || window > 2) {
				t.Fatalf("trial %d: momentum at point %d valid=%v (N=%d)", trial, i, p.RSMomentum.Valid, window)
			}
		}
	}
}

// TestClockwise: an asset whose rs is a phase-shifted sine around its
// benchmark rotates clockwise: after the warm-up, every change of quadrant
// goes to the next one in improving → leading → weakening → lagging, and it
// goes round the full circle.
func TestClockwise(t *testing.T) {
	// The z-scored definition rotates cleanly for cycles of about 1.2N to
	// 3N weeks; much longer cycles make d tiny and its z-score flickers
	// around 100 (measured: N=10 breaks from a 32-week cycle), so those
	// are not part of the property.
	for _, tc := range []struct {
		window  int
		periods []float64
	}{{10, []float64{12, 16, 20, 24, 28}}, {20, []float64{26, 40, 52}}, {5, []float64{7, 10, 14}}} {
		for _, period := range tc.periods {
			for _, phase := range []float64{0, 0.7, 1.9, 3.1, 4.4, 5.5} {
				seq := sineQuadrants(t, tc.window, period, phase)
				if len(seq) < 8 {
					t.Fatalf("N=%d period %v phase %v: only %d quadrant changes", tc.window, period, phase, len(seq))
				}
				for i := 1; i < len(seq); i++ {
					if seq[i] != seq[i-1].Next() {
						t.Fatalf("N=%d period %v phase %v: %v → %v is not clockwise (sequence %v)", tc.window, period, phase, seq[i-1], seq[i], seq)
					}
				}
			}
		}
	}
}

// sineQuadrants is the sequence of distinct quadrants (repeats collapsed)
// of an asset whose price is its benchmark's (a slow uptrend) times
// 1 + 5%·sin(2πw/period + phase), w in weeks, over nine years of trading days.
func sineQuadrants(t *testing.T, window int, period, phase float64) []Quadrant {
	days := tradingDays("2012-01-02", "2020-12-31")
	a := Series{Days: days, Closes: make([]float64, len(days))}
	b := Series{Days: days, Closes: make([]float64, len(days))}
	for i, d := range days {
		w := float64(d-days[0]) / 7
		b.Closes[i] = 300 * math.Exp(0.001*w)
		a.Closes[i] = b.Closes[i] * 0.4 * (1 + 0.05*math.Sin(2*math.Pi*w/period+phase))
	}
	r := newComputer(t, Config{Window: window, Keep: MaxKeep}).Compute(Input{Small: "A", Large: "B", Series: map[string]Series{"A": a, "B": b}})
	var seq []Quadrant
	for _, p := range r.SmallVsLarge[0].History {
		if q := p.Quadrant(); q != None && (len(seq) == 0 || seq[len(seq)-1] != q) {
			seq = append(seq, q)
		}
	}
	return seq
}

// TestWeeklyAroundHolidays: each weekly point is the last date of its
// Monday–Sunday week that both legs have; the oracle groups with the time
// package's ISO weeks (Monday–Sunday).
func TestWeeklyAroundHolidays(t *testing.T) {
	days := tradingDays("2023-12-01", "2026-01-20")
	closes := func(skip map[string]bool, k float64) Series {
		var s Series
		for i, d := range days {
			if skip[d.String()] {
				continue
			}
			s.Days = append(s.Days, d)
			s.Closes = append(s.Closes, k+float64(i))
		}
		return s
	}
	// The benchmark misses one Friday: that week ends on the Thursday.
	a := closes(nil, 100)
	b := closes(map[string]bool{"2025-06-13": true}, 1000)
	c := newComputer(t, Config{})
	gotDays, gotRS := c.Weekly(a, b)

	// Oracle: last common date per ISO week.
	common := map[Day]bool{}
	for _, d := range b.Days {
		common[d] = true
	}
	var want []Day
	for _, d := range a.Days {
		if !common[d] {
			continue
		}
		t1 := d.In(time.UTC)
		y1, w1 := t1.ISOWeek()
		if n := len(want); n > 0 {
			y0, w0 := want[n-1].In(time.UTC).ISOWeek()
			if y0 == y1 && w0 == w1 {
				want[n-1] = d
				continue
			}
		}
		want = append(want, d)
	}
	if len(gotDays) != len(want) {
		t.Fatalf("%d weekly points, want %d", len(gotDays), len(want))
	}
	for i := range want {
		if gotDays[i] != want[i] {
			t.Fatalf("point %d: %s, want %s", i, gotDays[i], want[i])
		}
	}
	idx := map[Day]int{}
	for i, d := range days {
		idx[d] = i
	}
	for i, d := range gotDays {
		k := float64(idx[d])
		if wantRS := 100 * (100 + k) / (1000 + k); gotRS[i] != wantRS {
			t.Fatalf("rs at %s = %v, want %v", d, gotRS[i], wantRS)
		}
	}
	has := map[string]bool{}
	for _, d := range gotDays {
		has[d.String()] = true
	}
	for _, tc := range []struct{ date, why string }{
		{"2024-03-28", "Good Friday 2024-03-29: the week ends on Thursday"},
		{"2025-04-17", "Good Friday 2025-04-18: the week ends on Thursday"},
		{"2025-07-03", "Independence Day on a Friday: the week ends on Thursday"},
		{"2025-06-12", "the benchmark has no 2025-06-13: the week ends on the last common date"},
		{"2025-12-26", "Christmas on a Thursday: the week still ends on Friday"},
		{"2024-01-19", "an ordinary week ends on Friday"},
		{"2025-01-17", "the Friday before Martin Luther King Jr. Day"},
	} {
		if !has[tc.date] {
			t.Errorf("no weekly point on %s (%s)", tc.date, tc.why)
		}
	}
	for _, d := range []string{"2024-03-29", "2025-07-04", "2025-06-13", "2025-12-25"} {
		if has[d] {
			t.Errorf("weekly point on %s, which is not a common trading date", d)
		}
	}
}

// TestUnfinished: the latest point is unfinished while its week has a
// trading day left (the calendar says so), finished on the week's last
// trading day (a Thursday before Good Friday included).
func TestUnfinished(t *testing.T) {
	for _, tc := range []struct {
		last       string
		unfinished bool
	}{
		{"2025-11-26", true},  // Wednesday before Thanksgiving: Friday 28th still trades
		{"2025-11-28", false}, // the Friday after Thanksgiving ends the week
		{"2024-03-28", false}, // Thursday before Good Friday
		{"2024-03-27", true},
		{"2025-12-24", true},  // Christmas Eve (Wednesday): Friday 26th trades
		{"2025-07-03", false}, // July 4th is a Friday
		{"2026-01-16", false}, // an ordinary Friday
		{"2026-01-20", true},  // Tuesday after MLK day
	} {
		days := tradingDays("2023-06-01", tc.last)
		s := Series{Days: days, Closes: make([]float64, len(days))}
		bs := Series{Days: days, Closes: make([]float64, len(days))}
		for i := range days {
			s.Closes[i] = 50 + 5*math.Sin(float64(i)/9)
			bs.Closes[i] = 100
		}
		r := newComputer(t, Config{}).Compute(Input{Small: "A", Large: "B", Series: map[string]Series{"A": s, "B": bs}})
		e := r.SmallVsLarge[0]
		head, _ := e.Head()
		if head.Week.String() != tc.last {
			t.Errorf("%s: head dated %s", tc.last, head.Week)
		}
		if e.Unfinished != tc.unfinished {
			t.Errorf("%s: unfinished = %v, want %v", tc.last, e.Unfinished, tc.unfinished)
		}
		// Closed is the last finished week: the head, or the point before it.
		wantClosed := head
		if tc.unfinished {
			wantClosed = e.History[len(e.History)-2]
		}
		if !e.Closed.Valid || e.Closed.Week != wantClosed.Week || e.Closed.Quadrant != wantClosed.Quadrant() {
			t.Errorf("%s: closed %+v, want week %s quadrant %v", tc.last, e.Closed, wantClosed.Week, wantClosed.Quadrant())
		}
	}
}

// fixtureInput is 3 sectors with two legs each and the pair, on random walks.
func fixtureInput(weeks int, seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, 9))
	days := weeklyDays(weeks)
	series := map[string]Series{}
	for _, sym := range []string{"IWM", "SPY", "PSCT", "XLK", "PSCH", "XLV", "PSCF", "XLF"} {
		s := Series{Days: days, Closes: make([]float64, len(days))}
		p := 50 + rng.Float64()*100
		for i := range days {
			p *= math.Exp(rng.NormFloat64() * 0.03)
			s.Closes[i] = p
		}
		series[sym] = s
	}
	return Input{
		Small: "IWM", Large: "SPY",
		Sectors: []Sector{{"Technology", "PSCT", "XLK"}, {"Health Care", "PSCH", "XLV"}, {"Financials", "PSCF", "XLF"}},
		Series:  series,
	}
}

func TestViews(t *testing.T) {
	in := fixtureInput(120, 1)
	delete(in.Series, "PSCF") // a leg without data: its entries are null but listed
	r := newComputer(t, Config{}).Compute(in)
	type want struct{ sector, asset, bench string }
	for _, tc := range []struct {
		v    View
		want []want
	}{
		{SmallVsLarge, []want{{"Technology", "PSCT", "XLK"}, {"Health Care", "PSCH", "XLV"}, {"Financials", "PSCF", "XLF"}, {"pair", "IWM", "SPY"}}},
		{SmallSectors, []want{{"Technology", "PSCT", "IWM"}, {"Health Care", "PSCH", "IWM"}, {"Financials", "PSCF", "IWM"}}},
		{LargeSectors, []want{{"Technology", "XLK", "SPY"}, {"Health Care", "XLV", "SPY"}, {"Financials", "XLF", "SPY"}}},
	} {
		es := r.Entries(tc.v)
		if len(es) != len(tc.want) {
			t.Fatalf("%v: %d entries", tc.v, len(es))
		}
		for i, w := range tc.want {
			e := es[i]
			if e.Sector != w.sector || e.Asset != w.asset || e.Benchmark != w.bench {
				t.Errorf("%v[%d] = %s %s/%s, want %+v", tc.v, i, e.Sector, e.Asset, e.Benchmark, w)
			}
			if w.asset == "PSCF" {
				if e.RSRatio.Valid || e.Quadrant != None || len(e.Tail) != 0 || e.Tail == nil || e.Closed.Valid {
					t.Errorf("%v[%d]: leg without data: %+v", tc.v, i, e)
				}
				continue
			}
			if !e.RSRatio.Valid || !e.RSMomentum.Valid || e.Quadrant == None || len(e.Tail) != DefaultTail || len(e.History) != DefaultKeep {
				t.Errorf("%v[%d]: %+v", tc.v, i, e)
			}
			// The tail is the history's suffix, ending with the head.
			h := e.History[len(e.History)-DefaultTail:]
			for k := range h {
				if h[k] != e.Tail[k] {
					t.Errorf("%v[%d]: tail differs from history", tc.v, i)
				}
			}
			if e.Tail[len(e.Tail)-1].RSRatio != e.RSRatio {
				t.Errorf("%v[%d]: head not last in tail", tc.v, i)
			}
		}
	}
	// Each entry's own computation, independent of the others: the same as
	// a Compute with only that pair.
	solo := newComputer(t, Config{}).Compute(Input{Small: "PSCH", Large: "IWM", Series: in.Series})
	if got, want := r.SmallSectors[1].History, solo.SmallVsLarge[0].History; len(got) != len(want) || got[len(got)-1] != want[len(want)-1] {
		t.Errorf("PSCH vs IWM differs when computed alone")
	}
}

func TestWeeksInQuadrant(t *testing.T) {
	r := newComputer(t, Config{Keep: MaxKeep}).Compute(fixtureInput(200, 5))
	for _, e := range r.SmallVsLarge {
		// Count from the history by hand.
		n := 0
		for i := len(e.History) - 1; i >= 0 && e.History[i].Quadrant() == e.Quadrant; i-- {
			n++
		}
		if e.WeeksInQuadrant != n || n == 0 {
			t.Errorf("%s: weeks in quadrant %d, counted %d", e.Sector, e.WeeksInQuadrant, n)
		}
	}
}

func TestJSONContract(t *testing.T) {
	r := newComputer(t, Config{}).Compute(fixtureInput(60, 2))
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["window"] != float64(10) || doc["tail"] != float64(8) {
		t.Errorf("window/tail: %v %v", doc["window"], doc["tail"])
	}
	svl := doc["small_vs_large"].([]any)
	last := svl[len(svl)-1].(map[string]any)
	if last["sector"] != "pair" || last["asset"] != "IWM" || last["benchmark"] != "SPY" {
		t.Errorf("pair entry: %v", last)
	}
	for _, k := range []string{"sector", "asset", "benchmark", "rs_ratio", "rs_momentum", "quadrant", "unfinished", "tail", "weeks_in_quadrant"} {
		if _, ok := last[k]; !ok {
			t.Errorf("entry lacks %q", k)
		}
	}
	if _, ok := last["History"]; ok || strings.Contains(string(b), "History") || strings.Contains(string(b), "Closed") {
		t.Error("History/Closed leaked into the JSON")
	}
	tail := last["tail"].([]any)
	if len(tail) != 8 {
		t.Fatalf("tail of %d", len(tail))
	}
	p0 := tail[0].(map[string]any)
	if w, ok := p0["week"].(string); !ok || len(w) != 10 || w[4] != '-' {
		t.Errorf("week %v", p0["week"])
	}
	q := last["quadrant"].(string)
	if q != "leading" && q != "weakening" && q != "lagging" && q != "improving" {
		t.Errorf("quadrant %q", q)
	}
	// Round trip.
	var back Rotation
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.SmallVsLarge[3].Quadrant != r.SmallVsLarge[3].Quadrant || back.SmallVsLarge[3].Tail[7] != r.SmallVsLarge[3].Tail[7] {
		t.Error("round trip differs")
	}
	// Names are not HTML-escaped (the snapshot's encoder decides).
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Rotation{SmallVsLarge: []Entry{{Sector: "Oil & Gas E&P"}}}); err != nil {
		t.Fatal(err)
	}
	b = []byte(buf.String())
	if !strings.Contains(string(b), `"Oil & Gas E&P"`) || !strings.Contains(string(b), `"small_sectors":[]`) || !strings.Contains(string(b), `"tail":[]`) {
		t.Errorf("escaping or null lists: %s", b)
	}
	// Nulls: a short history.
	r = newComputer(t, Config{}).Compute(fixtureInput(12, 2))
	b, _ = json.Marshal(r.SmallVsLarge[0])
	if !strings.Contains(string(b), `"rs_momentum":null`) || !strings.Contains(string(b), `"quadrant":null`) {
		t.Errorf("short history: %s", b)
	}
}

func TestConfig(t *testing.T) {
	for _, cfg := range []Config{{Window: 1}, {Window: 105}, {Tail: 300}, {Keep: 261}, {Tail: 5, Keep: 4}, {Window: -1}} {
		if _, err := NewComputer(cfg, calendar.NYSE()); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	if _, err := NewComputer(Config{}, nil); err == nil {
		t.Error("nil calendar accepted")
	}
	c := newComputer(t, Config{Tail: 40})
	if got := c.Config(); got.Window != 10 || got.Tail != 40 || got.Keep != 40 {
		t.Errorf("defaults: %+v", got)
	}
}

// TestBadCloses: non-positive and non-finite closes are skipped, never
// poisoning the series.
func TestBadCloses(t *testing.T) {
	in := fixtureInput(80, 3)
	s := in.Series["PSCT"]
	bad := Series{Days: s.Days, Closes: append([]float64(nil), s.Closes...)}
	bad.Closes[40], bad.Closes[41], bad.Closes[42] = 0, math.NaN(), math.Inf(1)
	in.Series["PSCT"] = bad
	r := newComputer(t, Config{}).Compute(in)
	for _, e := range append(r.SmallVsLarge, r.SmallSectors...) {
		for _, p := range e.History {
			if (p.RSRatio.Valid && math.IsNaN(p.RSRatio.V)) || (p.RSMomentum.Valid && math.IsNaN(p.RSMomentum.V)) {
				t.Fatalf("%s: NaN leaked", e.Asset)
			}
		}
		if !e.RSMomentum.Valid {
			t.Errorf("%s vs %s: momentum null after three bad weeks", e.Asset, e.Benchmark)
		}
	}
	// Mismatched lengths do not panic.
	in.Series["XLK"] = Series{Days: in.Series["XLK"].Days, Closes: in.Series["XLK"].Closes[:10]}
	_ = newComputer(t, Config{}).Compute(in)
}

func TestQuadrantOf(t *testing.T) {
	for _, tc := range []struct {
		r, m float64
		want Quadrant
	}{
		{100, 100, Leading}, {101, 99.9, Weakening}, {99, 99, Lagging}, {99.99, 100, Improving},
		{null, 100, None},
	} {
		if got := QuadrantOf(some(tc.r), some(tc.m)); got != tc.want {
			t.Errorf("(%v, %v) = %v, want %v", tc.r, tc.m, got, tc.want)
		}
	}
	if QuadrantOf(Num{}, some(100)) != None {
		t.Error("null ratio has a quadrant")
	}
	q := Improving
	for i := range 4 {
		if Quadrants[i] != q {
			t.Errorf("Quadrants[%d] = %v, want %v", i, Quadrants[i], q)
		}
		q = q.Next()
	}
	var x Quadrant
	if err := json.Unmarshal([]byte(`"sideways"`), &x); err == nil {
		t.Error("unknown quadrant accepted")
	}
}

// changesFromHistory lists the quadrant changes of e's finished points
// among the last ChangeWeeks finished ones, walking its History (which
// must hold every point): the oracle for Entry.Changes.
func changesFromHistory(e Entry) []Change {
	h := e.History
	if e.Unfinished {
		h = h[:len(h)-1]
	}
	first := max(0, len(h)-ChangeWeeks)
	var out []Change
	prev := None
	for i, p := range h {
		q := p.Quadrant()
		if q == None {
			continue
		}
		if prev != None && q != prev && i >= first {
			out = append(out, Change{Week: p.Week, From: prev, To: q})
		}
		prev = q
	}
	return out
}

// TestChanges (QA-1 item 4): the small-vs-large entries list their
// quadrant changes on finished weekly closes, each on its own week (the
// oracle walks the points' quadrants), across a week without a quadrant;
// the other views list none; and a change is listed the same whatever
// week the data ends on, so a backlog of weeks computed at once lists
// what one week at a time would have.
func TestChanges(t *testing.T) {
	in := fixtureInput(200, 5)
	r := newComputer(t, Config{Keep: MaxKeep}).Compute(in)
	n := 0
	for _, e := range r.SmallVsLarge {
		want := changesFromHistory(e)
		if !reflect.DeepEqual(e.Changes, want) {
			t.Errorf("%s: changes\n got %v\nwant %v", e.Sector, e.Changes, want)
		}
		n += len(want)
	}
	if n < 20 {
		t.Fatalf("only %d changes: the fixture exercises too little", n)
	}
	for _, v := range []View{SmallSectors, LargeSectors} {
		for _, e := range r.Entries(v) {
			if e.Changes != nil {
				t.Errorf("%v %s: changes listed outside small vs large: %v", v, e.Sector, e.Changes)
			}
		}
	}

	// Across null points (N=2, see TestGapRestartsMomentum): point 4 is
	// weakening (ratio 101, momentum 99), points 5–7 have no quadrant,
	// point 8 is lagging (99, 99): the change is from the last point with
	// a quadrant, on point 8's week.
	e := one(t, Config{Window: 2, Keep: 20}, []float64{100, 102, 101, 103, 104, 104, 103, 105, 104, 106, 107, 103})
	if want := changesFromHistory(e); !reflect.DeepEqual(e.Changes, want) || !slices.Contains(e.Changes, Change{Week: e.History[8].Week, From: Weakening, To: Lagging}) {
		t.Errorf("across a null: changes %v, want %v with weakening → lagging on %s", e.Changes, want, e.History[8].Week)
	}

	// Week by week: every change listed at the end of any prefix is the
	// same change the full data lists for that week.
	full := map[string]map[Day]Change{}
	for _, e := range r.SmallVsLarge {
		full[e.Sector] = map[Day]Change{}
		for _, c := range e.Changes {
			full[e.Sector][c.Week] = c
		}
	}
	days := in.Series["IWM"].Days
	c := newComputer(t, Config{Keep: MaxKeep})
	for k := len(days) - 40; k < len(days); k++ {
		cut := Input{Small: in.Small, Large: in.Large, Sectors: in.Sectors, Series: map[string]Series{}}
		for sym, s := range in.Series {
			cut.Series[sym] = Series{Days: s.Days[:k], Closes: s.Closes[:k]}
		}
		for _, e := range c.Compute(cut).SmallVsLarge {
			for _, ch := range e.Changes {
				if w, ok := full[e.Sector][ch.Week]; ok && w != ch || !ok && ch.Week >= days[len(days)-ChangeWeeks] {
					t.Errorf("%s, data to %s: change %+v, the full data lists %+v (listed %v)", e.Sector, days[k-1], ch, w, ok)
				}
			}
		}
	}
}
