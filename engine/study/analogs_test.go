package study

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
)

// nyDates returns n consecutive weekday dates starting 2000-01-03 (NY midnight).
func nyDates(n int) []time.Time {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		loc = time.FixedZone("EST", -5*3600)
	}
	out := make([]time.Time, 0, n)
	d := time.Date(2000, 1, 3, 0, 0, 0, 0, loc)
	for len(out) < n {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, d)
		}
		d = d.AddDate(0, 0, 1)
	}
	return out
}

// segments builds a ratio series from (first bar, value) steps; each value
// holds until the next step. The last step runs to n.
type step struct {
	from int
	v    float64
}

func ratioSeries(n int, steps ...step) []float64 {
	r := make([]float64, n)
	for k, s := range steps {
		end := n
		if k+1 < len(steps) {
			end = steps[k+1].from
		}
		for i := s.from; i < end && i < n; i++ {
			r[i] = s.v
		}
	}
	return r
}

// legs turns a ratio into small/large closes whose quotient is exactly r: the
// large leg is a power of two, so small/large = (r·L)/L rounds back to r.
func legs(r []float64, large []float64) (small, lg []float64) {
	small = make([]float64, len(r))
	lg = make([]float64, len(r))
	for i := range r {
		l := 128.0
		if large != nil {
			l = large[i]
		}
		lg[i] = l
		small[i] = r[i] * l
	}
	return small, lg
}

func eventBars(t *testing.T, a engine.Analogs, dates []time.Time) []int {
	t.Helper()
	var out []int
	for _, ev := range a.Events {
		i := slices.IndexFunc(dates, func(d time.Time) bool { return d.Format(time.DateOnly) == ev.Date })
		if i < 0 {
			t.Fatalf("event date %s not in the series", ev.Date)
		}
		out = append(out, i)
	}
	return out
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

func TestSimpleEventAndOutcomes(t *testing.T) {
	// Flat at 1 for 250 bars (SMA200 = 1 exactly), then a jump to 1.1: bar 250
	// crosses the SMA and beats the 20-bar high. Large leg: 128 except a few
	// bars chosen to give known large_pct.
	const n = 560
	r := ratioSeries(n, step{0, 1}, step{250, 1.1}, step{271, 1.21}, step{280, 1.1 * 1.05})
	lg := make([]float64, n)
	for i := range lg {
		lg[i] = 128
	}
	lg[250+21] = 256 // +100%
	lg[250+63] = 64  // −50%
	small, large := legs(r, lg)
	dates := nyDates(n)
	a := Analogs(dates, small, large)

	if got := eventBars(t, a, dates); !slices.Equal(got, []int{250}) {
		t.Fatalf("events at %v, want [250]", got)
	}
	ev := a.Events[0]
	checks := []struct {
		name string
		got  engine.Num
		want float64
	}{
		{"rel 1m", ev.RelPct.M1, 10},
		{"rel 3m", ev.RelPct.M3, 5},
		{"rel 6m", ev.RelPct.M6, 5},
		{"rel 12m", ev.RelPct.M12, 5},
		{"large 1m", ev.LargePct.M1, 100},
		{"large 3m", ev.LargePct.M3, -50},
		{"large 6m", ev.LargePct.M6, 0},
		{"large 12m", ev.LargePct.M12, 0},
	}
	for _, c := range checks {
		if v, ok := c.got.Get(); !ok || !near(v, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if a.Event != "ratio_crosses_sma200_at_20d_high" {
		t.Errorf("event = %q", a.Event)
	}
	if a.HistoryFrom != "2000-01-03" {
		t.Errorf("history_from = %q", a.HistoryFrom)
	}
	if a.LastEvent == nil || *a.LastEvent != dates[250].Format(time.DateOnly) {
		t.Errorf("last_event = %v", a.LastEvent)
	}
	if a.BarsSinceLastEvent == nil || *a.BarsSinceLastEvent != n-1-250 {
		t.Errorf("bars_since_last_event = %v, want %d", a.BarsSinceLastEvent, n-1-250)
	}
	if v, ok := a.RelSinceLastEventPct.Get(); !ok || !near(v, 5) {
		t.Errorf("rel_since_last_event_pct = %v, want 5", a.RelSinceLastEventPct)
	}
	// One event: n=1 at every horizon, hit rate 1 (all rel > 0), quantiles = the value.
	wantRel := []float64{10, 5, 5, 5}
	for hi, h := range a.Horizons {
		if h.Horizon != engine.AnalogHorizons[hi].Name || h.Bars != engine.AnalogHorizons[hi].Bars {
			t.Errorf("horizon %d = %s/%d", hi, h.Horizon, h.Bars)
		}
		if h.N != 1 {
			t.Errorf("%s n = %d, want 1", h.Horizon, h.N)
		}
		for name, q := range map[string]engine.Num{"median": h.RelMedianPct, "p25": h.RelP25Pct, "p75": h.RelP75Pct} {
			if v, ok := q.Get(); !ok || !near(v, wantRel[hi]) {
				t.Errorf("%s rel %s = %v, want %v", h.Horizon, name, q, wantRel[hi])
			}
		}
		if v, _ := h.RelHitRate.Get(); v != 1 {
			t.Errorf("%s rel hit = %v", h.Horizon, h.RelHitRate)
		}
		// Baseline: every bar from 200 with i+h inside.
		if want := n - h.Bars - 200; h.BaseN != want {
			t.Errorf("%s base_n = %d, want %d", h.Horizon, h.BaseN, want)
		}
	}
}

func TestCrossingWithoutHighIsNotAnEvent(t *testing.T) {
	// A spike to 2.0 at bar 185 keeps the 20-bar high above 1.5 until bar 205.
	// At bar 200 the ratio jumps from 1.0 to 1.5: it crosses the SMA200
	// (≈1.0075) but not the 20-bar high (2.0), so it is no event. It stays
	// above the SMA afterwards, so no later crossing either.
	const n = 400
	r := ratioSeries(n, step{0, 1}, step{185, 2}, step{186, 1}, step{200, 1.5})
	small, large := legs(r, nil)
	dates := nyDates(n)
	// Check the premise independently: a crossing at 200.
	sma := func(i int) float64 {
		s := 0.0
		for _, x := range r[i-199 : i+1] {
			s += x
		}
		return s / 200
	}
	if !(r[200] > sma(200) && r[199] <= sma(199)) {
		t.Fatal("premise: no SMA200 crossing at bar 200")
	}
	a := Analogs(dates, small, large)
	if len(a.Events) != 0 {
		t.Fatalf("events %+v, want none", a.Events)
	}
	if a.LastEvent != nil || a.BarsSinceLastEvent != nil || a.RelSinceLastEventPct.Valid {
		t.Errorf("last event fields should be null: %v %v %v", a.LastEvent, a.BarsSinceLastEvent, a.RelSinceLastEventPct)
	}
	for _, h := range a.Horizons {
		if h.N != 0 || h.RelHitRate.Valid || h.RelMedianPct.Valid || h.RelP25Pct.Valid || h.RelP75Pct.Valid ||
			h.LargeHitRate.Valid || h.LargeMedianPct.Valid {
			t.Errorf("%s: empty horizon should be null: %+v", h.Horizon, h)
		}
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["last_event"] != nil || m["rel_since_last_event_pct"] != nil {
		t.Errorf("JSON nulls expected: %s", b)
	}
	if ev, ok := m["events"].([]any); !ok || len(ev) != 0 {
		t.Errorf("events should be an empty array: %s", b)
	}
}

func TestCooldownCountsFromCountedEvent(t *testing.T) {
	// Crossings at 250 (counted), 290 (40 bars later: skipped) and 340
	// (90 after the counted one, 50 after the skipped one: counted).
	const n = 550
	r := ratioSeries(n,
		step{0, 1}, step{250, 1.1}, step{260, 0.8}, step{290, 1.3}, step{300, 0.8}, step{340, 1.5})
	small, large := legs(r, nil)
	dates := nyDates(n)
	a := Analogs(dates, small, large)
	if got := eventBars(t, a, dates); !slices.Equal(got, []int{250, 340}) {
		t.Fatalf("events at %v, want [250 340]", got)
	}
	// Horizons past the end are null: 340+252 = 592 ≥ 550.
	if a.Events[1].RelPct.M12.Valid || a.Events[1].LargePct.M12.Valid {
		t.Errorf("12m of the event at 340 should be null: %+v", a.Events[1])
	}
	if !a.Events[0].RelPct.M12.Valid {
		t.Errorf("12m of the event at 250 should exist (502 < 550)")
	}
	// 1m: event 250 → r[271]/r[250] = 0.8/1.1; event 340 → 1.5/1.5.
	h := a.Horizons[0]
	e1 := (0.8/1.1 - 1) * 100
	if h.N != 2 {
		t.Fatalf("1m n = %d", h.N)
	}
	if v, _ := h.RelHitRate.Get(); v != 0 {
		t.Errorf("1m hit rate = %v, want 0 (−27%% and 0%% are not > 0)", v)
	}
	if v, _ := h.RelMedianPct.Get(); !near(v, e1/2) {
		t.Errorf("1m median = %v, want %v", v, e1/2)
	}
	if v, _ := h.RelP25Pct.Get(); !near(v, e1*0.75) {
		t.Errorf("1m p25 = %v, want %v", v, e1*0.75)
	}
	if v, _ := h.RelP75Pct.Get(); !near(v, e1*0.25) {
		t.Errorf("1m p75 = %v, want %v", v, e1*0.25)
	}
	if h12 := a.Horizons[3]; h12.N != 1 {
		t.Errorf("12m n = %d, want 1", h12.N)
	}
	if got := *a.BarsSinceLastEvent; got != n-1-340 {
		t.Errorf("bars since = %d", got)
	}
}

func TestCooldownBoundary(t *testing.T) {
	// A second crossing exactly 63 bars after the counted one is skipped; 64 is counted.
	for _, tc := range []struct {
		gap  int
		want []int
	}{{63, []int{250}}, {64, []int{250, 314}}} {
		second := 250 + tc.gap
		r := ratioSeries(400, step{0, 1}, step{250, 1.1}, step{260, 0.8}, step{second, 1.3})
		small, large := legs(r, nil)
		dates := nyDates(400)
		if got := eventBars(t, Analogs(dates, small, large), dates); !slices.Equal(got, tc.want) {
			t.Errorf("gap %d: events %v, want %v", tc.gap, got, tc.want)
		}
	}
}

func TestHorizonEdge(t *testing.T) {
	// Event at 250; the 1m outcome needs bar 271 = n−1.
	for _, tc := range []struct {
		n     int
		valid bool
	}{{271, false}, {272, true}} {
		r := ratioSeries(tc.n, step{0, 1}, step{250, 1.1})
		small, large := legs(r, nil)
		a := Analogs(nyDates(tc.n), small, large)
		if len(a.Events) != 1 {
			t.Fatalf("n=%d: %d events", tc.n, len(a.Events))
		}
		if a.Events[0].RelPct.M1.Valid != tc.valid || a.Events[0].LargePct.M1.Valid != tc.valid {
			t.Errorf("n=%d: 1m valid = %v, want %v", tc.n, a.Events[0].RelPct.M1.Valid, tc.valid)
		}
		if got := a.Horizons[0].N; got != map[bool]int{false: 0, true: 1}[tc.valid] {
			t.Errorf("n=%d: 1m n = %d", tc.n, got)
		}
		if want := max(0, tc.n-21-200); a.Horizons[0].BaseN != want {
			t.Errorf("n=%d: base_n = %d, want %d", tc.n, a.Horizons[0].BaseN, want)
		}
	}
}

func TestNoEventBefore200(t *testing.T) {
	// A jump at bar 199 (SMA200 of bar 198 does not exist) is not an event,
	// and the ratio then stays above its SMA.
	r := ratioSeries(300, step{0, 1}, step{199, 1.1})
	small, large := legs(r, nil)
	if a := Analogs(nyDates(300), small, large); len(a.Events) != 0 {
		t.Errorf("events %+v, want none", a.Events)
	}
}

func TestInvalidCloseRestartsHistory(t *testing.T) {
	// A zero close at bar 10 makes the ratio undefined; the study starts at 11.
	const n = 480
	r := ratioSeries(n, step{0, 1}, step{261, 1.1})
	small, large := legs(r, nil)
	small[10] = 0
	dates := nyDates(n)
	a := Analogs(dates, small, large)
	if a.HistoryFrom != dates[11].Format(time.DateOnly) {
		t.Errorf("history_from = %s, want %s", a.HistoryFrom, dates[11].Format(time.DateOnly))
	}
	if got := eventBars(t, a, dates); !slices.Equal(got, []int{261}) {
		t.Errorf("events %v, want [261]", got)
	}
	if want := (n - 11) - 21 - 200; a.Horizons[0].BaseN != want {
		t.Errorf("base_n = %d, want %d", a.Horizons[0].BaseN, want)
	}
}

func TestQuantileNumpy(t *testing.T) {
	// Values from numpy.quantile / numpy.median (method "linear").
	s := []float64{1, 2, 3, 4}
	for q, want := range map[float64]float64{0: 1, 0.25: 1.75, 0.5: 2.5, 0.75: 3.25, 1: 4} {
		if got := quantileSorted(s, q); got != want {
			t.Errorf("quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if got := quantileSorted([]float64{7}, 0.25); got != 7 {
		t.Errorf("single = %v", got)
	}
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{[]float64{5, 1, 3, 2}, 2.5}, {[]float64{5, 1, 3}, 3}, {[]float64{4}, 4}, {[]float64{2, 2, 2, 1, 2}, 2}} {
		if got := Median(slices.Clone(tc.in)); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestMedianMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		n := 1 + rng.IntN(200)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(rng.IntN(20)) // many ties
			if trial%2 == 0 {
				xs[i] = rng.NormFloat64()
			}
		}
		s := slices.Sorted(slices.Values(xs))
		want := s[(n-1)/2]
		if n%2 == 0 {
			want = (s[n/2-1] + s[n/2]) / 2
		}
		if got := Median(xs); !near(got, want) {
			t.Fatalf("trial %d: median = %v, want %v (%v)", trial, got, want, s)
		}
	}
}
