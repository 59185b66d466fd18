package breadth

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	talib "github.com/markcheno/go-talib"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// riseTo appends to adv (advancers of 200) bars that take the Zweig EMA
// (go-talib's, over adv so far) to each target in turn.
func riseTo(adv []int, targets ...float64) []int {
	ema := talib.Ema(ratiosOf(adv), ZweigPeriod)
	e := ema[len(ema)-1]
	for _, tg := range targets {
		a := int(math.Round((e + (tg-e)*float64(ZweigPeriod+1)/2) * 200))
		a = max(0, min(200, a))
		adv = append(adv, a)
		e = float64((float64(a)/200-e)*(2.0/float64(ZweigPeriod+1))) + e
	}
	return adv
}

// thrustsOf is the oracle: the bars (indexes into ratios) on which a Zweig
// thrust completes, from go-talib's EMA(10) of the ratios: the EMA closes
// above 0.615 with a close below 0.40 on that bar or one of the 10 before,
// and no thrust since that low.
func thrustsOf(ratios []float64) []int {
	ema := talib.Ema(ratios, ZweigPeriod)
	var out []int
	low, fired := -1, false
	for i := ZweigPeriod - 1; i < len(ema); i++ {
		if ema[i] > ThrustHigh && low >= 0 && i-low <= ThrustWithin && !fired {
			out = append(out, i)
			fired = true
		}
		if ema[i] < ThrustLow {
			low, fired = i, false
		}
	}
	return out
}

// thrustRig is an engine with a thrustUniverse on NYSE dates: the closed
// bars of the first closed dates, the rest to come as live quotes.
type thrustRig struct {
	*engineRig
	cal     *calendar.Calendar
	dates   []time.Time
	leg     series
	members []series
	first   *engine.Snapshot // after the history's load
}

func newThrustRig(t *testing.T, adv []int, closed int, large, withMembers bool) *thrustRig {
	t.Helper()
	leg, members := thrustUniverse(adv)
	cal := calendar.NYSE()
	var dates []time.Time
	for d := time.Date(2024, 1, 2, 0, 0, 0, 0, calendar.Location()); len(dates) < len(leg.days); d = cal.NextTradingDate(d) {
		if cal.IsTradingDay(d) {
			dates = append(dates, d)
		}
	}
	r := &thrustRig{cal: cal, dates: dates, leg: leg, members: members}
	cfg := engine.DefaultConfig()
	cfg.Extras, cfg.Sectors = nil, nil
	e, err := engine.New(cfg, cal)
	if err != nil {
		t.Fatal(err)
	}
	syms := make([]string, len(members))
	hist := map[string][]engine.Bar{}
	for i, m := range members {
		syms[i] = m.sym
		if withMembers {
			hist[m.sym] = r.bars(m.sym, m.closes[:closed])
		}
	}
	u, err := New(Config{Universe: "test", Members: syms})
	if err != nil {
		t.Fatal(err)
	}
	e.SetBreadth(u)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r.engineRig = &engineRig{in: make(chan engine.Input), out: make(chan *engine.Snapshot, 1), done: make(chan error, 1)}
	go func() { r.done <- e.Run(ctx, r.in, func(s *engine.Snapshot) { r.out <- s }) }()
	daily := map[string][]engine.Bar{"IWM": r.bars("IWM", leg.closes[:closed])}
	if large {
		daily["SPY"] = r.bars("SPY", slices.Repeat([]float64{500}, closed))
	}
	in := engine.Input{Now: sessionEnd(cal, dates[closed-1]).Add(time.Hour), Daily: daily, Members: hist}
	if withMembers {
		in.MembersLoad = &engine.BreadthLoad{Members: len(syms), Loaded: len(syms), Done: true}
	}
	r.first = r.send(t, in)
	return r
}

func (r *thrustRig) bars(sym string, cl []float64) []engine.Bar {
	out := make([]engine.Bar, len(cl))
	for i, c := range cl {
		out[i] = engine.Bar{Symbol: sym, Time: r.dates[i], Open: c, High: c, Low: c, Close: c, Volume: 1e6}
	}
	return out
}

// live sends date k's closes as live quotes at 10:00 (the members' scaled
// by f: 1 is the day's own advancers), then, if closeIt, the session's end.
func (r *thrustRig) live(t *testing.T, k int, f float64, large bool) *engine.Snapshot {
	t.Helper()
	at := r.dates[k].Add(10 * time.Hour)
	var qs []engine.Quote
	for _, m := range r.members {
		qs = append(qs, engine.Quote{Symbol: m.sym, Price: m.closes[k] * f, DayVolume: 1, Time: at})
	}
	qs = append(qs, engine.Quote{Symbol: "IWM", Price: r.leg.closes[k], DayVolume: 1e6, Time: at})
	if large {
		qs = append(qs, engine.Quote{Symbol: "SPY", Price: 500, DayVolume: 1e6, Time: at})
	}
	return r.send(t, engine.Input{Now: at, Quotes: qs, Live: true, Feed: "test"})
}

func (r *thrustRig) closeDay(t *testing.T, k int) *engine.Snapshot {
	t.Helper()
	return r.send(t, engine.Input{Now: sessionEnd(r.cal, r.dates[k]).Add(time.Minute)})
}

func breadthFlag(t *testing.T, s *engine.Snapshot, id string) engine.Flag {
	t.Helper()
	f, ok := s.Flag(id)
	if !ok {
		t.Fatalf("no flag %s", id)
	}
	return f
}

// liveThrustPath: balanced days, a thrust, a long fall (so that thrust is
// more than 20 bars old), then a rise that completes a second thrust on
// its last bar; it returns the advancers and that last bar's index in
// ratios (adv).
func liveThrustPath(t *testing.T) ([]int, int) {
	t.Helper()
	var targets []float64
	for j := 1; j <= 8; j++ {
		targets = append(targets, 0.38+0.03*float64(j))
	}
	adv := append(slices.Repeat([]int{100}, 60), pathAdvancers(targets, 0.2, 30)...)
	adv = riseTo(adv, 0.26, 0.32, 0.38, 0.44, 0.50, 0.55, 0.59, 0.63)
	th := thrustsOf(ratiosOf(adv))
	last := len(adv) - 1
	if len(th) != 2 || th[1] != last || th[1]-th[0] <= ThrustRecentBars+1 {
		t.Fatalf("fixture: thrusts on bars %v of %d, want two, the second on the last bar, more than 21 bars apart", th, len(adv))
	}
	return adv, last
}

// TestLiveThrustNamesTheLiveDate (QA-3 F1): when today's live bar completes
// a thrust while the last closed thrust is more than 20 bars old,
// breadth_thrust forms and its note, like breadth.last_thrust, names
// today, not the old thrust outside the flag's window; the closed record
// (close note, history, changes) keeps the closed bars' thrust. With the
// pair's large leg missing the breadth flags read the same.
func TestLiveThrustNamesTheLiveDate(t *testing.T) {
	adv, lastBar := liveThrustPath(t)
	th := thrustsOf(ratiosOf(adv))
	// Date k+1 carries adv[k]: the live date is the last, the old thrust's
	// date th[0]+1.
	var got [2][]engine.Flag
	for x, large := range []bool{true, false} {
		r := newThrustRig(t, adv, len(adv), large, true)
		liveK := lastBar + 1
		liveDate, oldDate := r.dates[liveK].Format("2006-01-02"), r.dates[th[0]+1].Format("2006-01-02")
		s := r.live(t, liveK, 1, large)
		b := s.Breadth
		if b == nil || !b.Forming || b.AsOf != liveDate {
			t.Fatalf("large=%v: breadth %+v, want forming on %s", large, b, liveDate)
		}
		f := breadthFlag(t, s, engine.FlagBreadthThrust)
		if f.State != engine.FlagForming || f.Since != liveDate || !f.Value.Valid || f.Value.V <= ThrustHigh {
			t.Errorf("large=%v: breadth_thrust %+v, want forming since %s above %v", large, f, liveDate, ThrustHigh)
		}
		if f.Note != "thrust "+liveDate {
			t.Errorf("large=%v: breadth_thrust note %q, want \"thrust %s\" (the live bar's thrust)", large, f.Note, liveDate)
		}
		if b.LastThrust == nil || *b.LastThrust != liveDate {
			t.Errorf("large=%v: breadth.last_thrust %s, want %s on the forming breadth", large, deref(b.LastThrust), liveDate)
		}
		// The closed record is the closed bars'.
		if want := "last thrust " + oldDate + ", more than 20 bars ago"; f.CloseNote != want || f.CloseDate != r.dates[liveK-1].Format("2006-01-02") {
			t.Errorf("large=%v: close note %q on %s, want %q on the last closed date", large, f.CloseNote, f.CloseDate, want)
		}
		var hist []string
		for _, p := range b.History {
			if p.Thrust {
				hist = append(hist, p.Date)
			}
		}
		if !slices.Equal(hist, []string{oldDate}) {
			t.Errorf("large=%v: closed history's thrusts %v, want [%s]", large, hist, oldDate)
		}
		for _, c := range s.FlagChanges {
			if c.Flag == engine.FlagBreadthThrust && c.Date.Format("2006-01-02") == liveDate {
				t.Errorf("large=%v: a committed change on the live date: %+v", large, c)
			}
		}
		got[x] = append(got[x], f, breadthFlag(t, s, engine.FlagBreadthAboveSMA50))

		// The same live bar with every member 3 % lower: no thrust today;
		// the flag is off and says the last thrust is the old one.
		s = r.live(t, liveK, 0.97, large)
		f = breadthFlag(t, s, engine.FlagBreadthThrust)
		if want := "last thrust " + oldDate + ", more than 20 bars ago"; f.State != engine.FlagOff || f.Note != want ||
			s.Breadth.LastThrust == nil || *s.Breadth.LastThrust != oldDate {
			t.Errorf("large=%v: without today's thrust: %+v, last_thrust %s, want off, note %q", large, f, deref(s.Breadth.LastThrust), want)
		}
		got[x] = append(got[x], f, breadthFlag(t, s, engine.FlagBreadthAboveSMA50))

		// The session closes on today's thrust-free quotes.
		s = r.closeDay(t, liveK)
		got[x] = append(got[x], breadthFlag(t, s, engine.FlagBreadthThrust), breadthFlag(t, s, engine.FlagBreadthAboveSMA50))
	}
	for i := range got[0] {
		if a, b := got[0][i], got[1][i]; !sameBreadthFlag(a, b) {
			t.Errorf("step %d: with the large leg %+v\nwithout it %+v", i, a, b)
		}
	}
}

// sameBreadthFlag compares what a breadth flag says (its value aside).
func sameBreadthFlag(a, b engine.Flag) bool {
	return a.ID == b.ID && a.State == b.State && a.Since == b.Since && a.Note == b.Note && a.CloseNote == b.CloseNote &&
		a.CloseDate == b.CloseDate && a.Value == b.Value && a.CloseValue == b.CloseValue && a.NoData() == b.NoData()
}

// TestBreadthFlagsWithoutTheLargeLeg (QA-3 F1b): the breadth flags are
// judged on the breadth universe's own dates, so a pair whose large leg has
// no data gives the same states, since dates, notes and changes as the
// full pair; without member data both are no data, never off.
func TestBreadthFlagsWithoutTheLargeLeg(t *testing.T) {
	var targets []float64
	for j := 1; j <= 8; j++ {
		targets = append(targets, 0.38+0.03*float64(j))
	}
	// The thrust about 10 bars before the end: confirmed at the close.
	adv := append(slices.Repeat([]int{130}, 70), pathAdvancers(targets, 0.6, 10)...)
	ids := []string{engine.FlagBreadthAboveSMA50, engine.FlagBreadthThrust}
	var snaps [2]*engine.Snapshot
	for x, large := range []bool{true, false} {
		snaps[x] = newThrustRig(t, adv, len(adv)+1, large, true).first
	}
	changes := func(s *engine.Snapshot) []engine.FlagChange {
		var out []engine.FlagChange
		for _, c := range s.FlagChanges {
			if strings.HasPrefix(c.Flag, "breadth_") {
				c.Close = time.Time{}
				out = append(out, c)
			}
		}
		return out
	}
	full, half := snaps[0], snaps[1]
	if f := breadthFlag(t, full, engine.FlagBreadthThrust); f.State != engine.FlagConfirmed || !strings.HasPrefix(f.Note, "thrust ") {
		t.Fatalf("fixture: breadth_thrust %+v, want confirmed by a thrust", f)
	}
	if f := breadthFlag(t, full, engine.FlagBreadthAboveSMA50); f.State != engine.FlagConfirmed {
		t.Fatalf("fixture: breadth_above_sma50 %+v, want confirmed", f)
	}
	for _, id := range ids {
		if a, b := breadthFlag(t, full, id), breadthFlag(t, half, id); !sameBreadthFlag(a, b) {
			t.Errorf("%s with the large leg %+v\nwithout it %+v", id, a, b)
		}
	}
	if a, b := changes(full), changes(half); len(a) == 0 || !slices.EqualFunc(a, b, func(x, y engine.FlagChange) bool {
		return x.Flag == y.Flag && x.Date.Equal(y.Date) && x.On == y.On && x.Value == y.Value && x.Note == y.Note
	}) {
		t.Errorf("breadth flag changes with the large leg %+v\nwithout it %+v", a, b)
	}

	// No member data at all: no data, with or without the large leg.
	for _, large := range []bool{true, false} {
		s := newThrustRig(t, adv, len(adv)+1, large, false).first
		for _, id := range ids {
			if f := breadthFlag(t, s, id); f.State != engine.FlagOff || !f.NoData() || f.Note != "" {
				t.Errorf("large=%v, no members: %s %+v, want no data", large, id, f)
			}
		}
	}
}

// TestThrustNoteInsideItsWindow is a property over a day-by-day run (live
// quotes each morning, then the close) across two thrusts: the date
// breadth_thrust's note names is a thrust the oracle finds, inside the
// flag's own window — on the live date or one of the 20 bars before while
// forming, within 20 bars of the last close while confirmed or fading, and
// more than 20 bars before the last close while off — and the flag is on
// exactly when the oracle's thrusts say so.
func TestThrustNoteInsideItsWindow(t *testing.T) {
	adv, _ := liveThrustPath(t)
	adv = append(adv, slices.Repeat([]int{150}, 25)...)
	th := thrustsOf(ratiosOf(adv))
	thrustDate := map[string]int{} // date → its index in the rig's dates
	start := 70
	r := newThrustRig(t, adv, start, true, true)
	for _, k := range th {
		thrustDate[r.dates[k+1].Format("2006-01-02")] = k + 1
	}
	recent := func(k int) bool { // a thrust on date k or one of the 20 before
		for _, j := range thrustDate {
			if j <= k && k-j <= ThrustRecentBars {
				return true
			}
		}
		return false
	}
	index := map[string]int{}
	for i, d := range r.dates {
		index[d.Format("2006-01-02")] = i
	}
	check := func(s *engine.Snapshot, liveK int) {
		t.Helper()
		f := breadthFlag(t, s, engine.FlagBreadthThrust)
		c, ok := index[f.CloseDate]
		if !ok {
			t.Fatalf("date %d: close date %q", liveK, f.CloseDate)
		}
		evalK := c
		if f.State == engine.FlagForming || s.Breadth != nil && s.Breadth.Forming {
			evalK = liveK
		}
		if want := recent(c) || evalK > c && recent(evalK); (f.State != engine.FlagOff) != want {
			t.Errorf("%s (live %v): breadth_thrust %s, want on=%v", r.dates[evalK].Format("2006-01-02"), evalK > c, f.State, want)
		}
		if f.Note == "" {
			return
		}
		d, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(f.Note, "last "), "thrust "), ",")
		j, ok := thrustDate[d]
		if !ok {
			t.Errorf("%s: note %q names no thrust (oracle: %v)", f.CloseDate, f.Note, thrustDate)
			return
		}
		var lo, hi int
		switch f.State {
		case engine.FlagForming:
			lo, hi = evalK-ThrustRecentBars, evalK
		case engine.FlagConfirmed, engine.FlagFading:
			lo, hi = c-ThrustRecentBars, evalK
		default:
			lo, hi = math.MinInt, c-ThrustRecentBars-1
		}
		if j < lo || j > hi {
			t.Errorf("%s (live date %s): %s note %q names a thrust outside its window [%d, %d] (thrust at %d)",
				f.CloseDate, r.dates[evalK].Format("2006-01-02"), f.State, f.Note, lo, hi, j)
		}
	}
	for k := start; k < len(r.dates); k++ {
		check(r.live(t, k, 1, true), k)
		check(r.closeDay(t, k), k)
	}
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}
