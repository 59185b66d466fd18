package breadth

import (
	"fmt"
	"testing"

	talib "github.com/markcheno/go-talib"
)

// handUniverse is a 50-member universe whose answers are worked out by hand
// below. Dates t = 0..260 (weekdays from 2020-01-02); the small leg closes at
// 200+t.
//
//   - U00..U29 close at 100+t from t=0; U00 has no bar at t=100 and t=259;
//     U29 stops rising at t=250 (close 350 from then on).
//   - D30..D39 close at 400−t from t=0.
//   - Y40..Y49 start at t=200 and close at 300−(t−200).
//   - At t=260 only Y40..Y49 have a bar (a thin date).
func handUniverse() (leg series, members []series) {
	days := tradingDays(261)
	leg = series{sym: "IWM", days: days[:260]}
	for t := range 260 {
		leg.closes = append(leg.closes, float64(200+t))
	}
	leg.days = append(leg.days, days[260])
	leg.closes = append(leg.closes, 460)
	for i := range 30 {
		s := series{sym: fmt.Sprintf("U%02d", i)}
		for t := range 260 {
			if i == 0 && (t == 100 || t == 259) {
				continue
			}
			s.days = append(s.days, days[t])
			tt := t
			if i == 29 {
				tt = min(t, 250)
			}
			s.closes = append(s.closes, float64(100+tt))
		}
		members = append(members, s)
	}
	for i := 30; i < 40; i++ {
		s := series{sym: fmt.Sprintf("D%02d", i)}
		for t := range 260 {
			s.days = append(s.days, days[t])
			s.closes = append(s.closes, float64(400-t))
		}
		members = append(members, s)
	}
	for i := 40; i < 50; i++ {
		s := series{sym: fmt.Sprintf("Y%02d", i)}
		for t := 200; t <= 260; t++ {
			s.days = append(s.days, days[t])
			s.closes = append(s.closes, float64(300-(t-200)))
		}
		members = append(members, s)
	}
	return leg, members
}

// handRatios is advancers ÷ (advancers + decliners) for t = 1..259, worked
// out from the description of handUniverse.
func handRatios() []float64 {
	var out []float64
	for t := 1; t <= 259; t++ {
		adv := 28 // U01..U28
		if t <= 250 {
			adv++ // U29 (unchanged afterwards)
		}
		if t != 100 && t != 101 && t != 259 {
			adv++ // U00 (no bar at 100 and 259; at 101 its previous date has none)
		}
		dec := 10 // D30..D39
		if t >= 201 {
			dec += 10 // Y40..Y49
		}
		out = append(out, float64(adv)/float64(adv+dec))
	}
	return out
}

func TestHandComputedUniverse(t *testing.T) {
	leg, members := handUniverse()
	u := newUniverse(t, members, func(c *Config) { c.AboveSMA50 = 55 })
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	load(t, u, members)

	b := u.Snapshot()
	if b == nil {
		t.Fatal("Snapshot is nil")
	}
	// t=260 is thin (10 of 50 covered members have a bar): as_of stays at 259.
	if want := leg.days[259].String(); b.AsOf != want {
		t.Fatalf("as_of = %s, want %s (t=259)", b.AsOf, want)
	}
	if want := leg.days[0].String(); b.HistoryFrom != want {
		t.Errorf("history_from = %s, want %s", b.HistoryFrom, want)
	}
	if b.Forming {
		t.Error("forming = true without quotes")
	}
	checkInt(t, "members", b.Members, 50)
	checkInt(t, "covered", b.Covered, 50)
	checkInt(t, "with_bar", b.WithBar, 49) // U00 has no bar at 259
	checkInt(t, "n_sma50", b.NSMA50, 49)
	checkNum(t, "pct_above_sma50", b.PctAboveSMA50, 29.0/49*100, true) // U01..U29
	checkInt(t, "n_sma200", b.NSMA200, 39)                             // U01..U29, D30..D39
	checkNum(t, "pct_above_sma200", b.PctAboveSMA200, 29.0/39*100, true)
	checkInt(t, "n_52w", b.N52w, 39)
	checkInt(t, "new_highs_52w", b.NewHighs52w, 28) // U29's 350 only equals its high
	checkInt(t, "new_lows_52w", b.NewLows52w, 10)
	checkInt(t, "advancers", b.Advancers, 28)
	checkInt(t, "unchanged", b.Unchanged, 1)
	checkInt(t, "decliners", b.Decliners, 20)
	checkInt(t, "ad_line", b.ADLine, 4578)
	checkInt(t, "n_return21d", b.NReturn21d, 49)
	ew := (28*21.0/338 + 12.0/338 - 10*21.0/162 - 10*21.0/262) * 100 / 49
	checkNum(t, "ew_return_21d_pct", b.EWReturn21dPct, ew, true)
	checkNum(t, "cw_return_21d_pct", b.CWReturn21dPct, (459.0/438-1)*100, true)

	// Zweig: go-talib's EMA(10) of the hand-derived ratios.
	ratios := handRatios()
	ema := talib.Ema(ratios, ZweigPeriod)
	checkNum(t, "zweig_ema10", b.ZweigEMA10, ema[len(ema)-1], true)
	if b.LastThrust != nil {
		t.Errorf("last_thrust = %s, want none (the ratio never drops below 0.40)", *b.LastThrust)
	}

	// History: one point per leg date from t=0.
	if len(b.History) != 261 {
		t.Fatalf("history has %d points, want 261", len(b.History))
	}
	p := b.History[100]
	checkInt(t, "t=100 with_bar", p.WithBar, 39)
	checkNum(t, "t=100 pct_above_sma50", p.PctAboveSMA50, 29.0/39*100, true)
	checkNum(t, "t=100 pct_above_sma200", p.PctAboveSMA200, 0, false)
	checkInt(t, "t=100 ad_line", p.ADLine, 99+2900-1000)
	checkNum(t, "t=100 zweig", p.ZweigEMA10, ema[99], true) // ratios[0] is t=1
	if !p.AboveOn || p.Thin {
		t.Errorf("t=100: above_on %v thin %v, want true false", p.AboveOn, p.Thin)
	}
	checkNum(t, "t=8 zweig (warm-up)", b.History[8].ZweigEMA10, 0, false)
	checkNum(t, "t=10 zweig (seed)", b.History[10].ZweigEMA10, ema[9], true)
	if !b.History[259].AboveOn { // 59.2 % ≥ 55
		t.Error("t=259: above_on false, want true (threshold 55)")
	}
	last := b.History[260]
	if !last.Thin || last.WithBar != 10 {
		t.Errorf("t=260: thin %v with %d, want thin with 10", last.Thin, last.WithBar)
	}
	checkNum(t, "t=260 pct_above_sma50", last.PctAboveSMA50, 0, true) // computed on its 10 members
	if !last.AboveOn {
		t.Error("t=260 (thin): above_on should keep t=259's state")
	}
}

func TestNoMemberBarsIsNull(t *testing.T) {
	leg, members := handUniverse()
	u := newUniverse(t, members)
	if u.Snapshot() != nil {
		t.Error("snapshot before anything loaded is not nil")
	}
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	if u.Snapshot() != nil {
		t.Error("snapshot without member bars is not nil")
	}
	if err := u.SetMember("U05", nil); err != nil {
		t.Fatal(err)
	}
	if u.Snapshot() != nil {
		t.Error("snapshot with an empty member history is not nil")
	}
	if got := u.Loaded(); got != 1 {
		t.Errorf("Loaded = %d, want 1", got)
	}
	if err := u.SetMember("NOPE", nil); err == nil {
		t.Error("SetMember of a non-member: no error")
	}
}
