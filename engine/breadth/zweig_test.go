package breadth

import (
	"fmt"
	"math"
	"testing"

	talib "github.com/markcheno/go-talib"
)

// thrustUniverse builds 200 members whose advancers on each date after the
// first are adv[t-1] (the first adv[t-1] members rise 1 %, the rest fall 1 %).
func thrustUniverse(adv []int) (leg series, members []series) {
	const n = 200
	days := tradingDays(len(adv) + 1)
	leg = series{sym: "IWM", days: days}
	for t := range days {
		leg.closes = append(leg.closes, 100+float64(t))
	}
	for i := range n {
		s := series{sym: fmt.Sprintf("Z%03d", i), days: days}
		px := 50.0
		s.closes = append(s.closes, px)
		for _, a := range adv {
			if i < a {
				px *= 1.01
			} else {
				px *= 0.99
			}
			s.closes = append(s.closes, px)
		}
		members = append(members, s)
	}
	return leg, members
}

// pathAdvancers returns advancers (of 200) per date so that the Zweig EMA
// sits at 0.38 for 15 bars and then follows targets (approximately: the
// ratio moves in steps of 1/200), then holds near hold for extra bars.
func pathAdvancers(targets []float64, hold float64, extra int) []int {
	var adv []int
	e := 0.0
	push := func(x float64) {
		a := int(math.Round(x * 200))
		a = max(0, min(200, a))
		adv = append(adv, a)
	}
	for range 15 {
		push(0.38)
	}
	e = 0.38
	for _, tg := range targets {
		x := e + (tg-e)*float64(ZweigPeriod+1)/2
		push(x)
		e = tg
	}
	for range extra {
		push(hold)
	}
	return adv
}

func ratiosOf(adv []int) []float64 {
	out := make([]float64, len(adv))
	for i, a := range adv {
		out[i] = float64(a) / 200
	}
	return out
}

func TestZweigThrustInEightBarsFiresOnce(t *testing.T) {
	var targets []float64
	for j := 1; j <= 8; j++ {
		targets = append(targets, 0.38+0.03*float64(j))
	}
	adv := pathAdvancers(targets, 0.66, 30)
	// The path as go-talib sees it: below 0.40 at bar 0 (the 15th value),
	// within [0.40, 0.615] on bars 1..7, above 0.615 on bar 8.
	ema := talib.Ema(ratiosOf(adv), ZweigPeriod)
	b0 := 14 // index of bar 0 in adv/ema
	if !(ema[b0] < ThrustLow && ema[b0+8] > ThrustHigh) {
		t.Fatalf("crafted path wrong: ema[bar0]=%v ema[bar8]=%v", ema[b0], ema[b0+8])
	}
	for j := 1; j <= 7; j++ {
		if e := ema[b0+j]; e < ThrustLow || e > ThrustHigh {
			t.Fatalf("crafted path wrong: ema[bar%d]=%v", j, e)
		}
	}

	leg, members := thrustUniverse(adv)
	u := newUniverse(t, members)
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	load(t, u, members)
	b := u.Snapshot()
	// History index = date index; date 0 has no A/D, adv[k] is date k+1.
	var fired []int
	for k, p := range b.History {
		if p.Thrust {
			fired = append(fired, k)
		}
		if k > 0 && ema[k-1] != 0 && k-1 >= ZweigPeriod-1 && p.ZweigEMA10.V != ema[k-1] {
			t.Fatalf("date %d: zweig %v, go-talib %v", k, p.ZweigEMA10.V, ema[k-1])
		}
	}
	want := b0 + 8 + 1
	if len(fired) != 1 || fired[0] != want {
		t.Fatalf("thrusts on dates %v, want exactly [%d]", fired, want)
	}
	if b.LastThrust == nil || *b.LastThrust != leg.days[want].String() {
		t.Errorf("last_thrust = %v, want %s", b.LastThrust, leg.days[want])
	}
	// breadth_thrust's input: on the thrust bar and the 20 after it.
	for k := want - 1; k <= want+21 && k < len(b.History); k++ {
		on := k >= want && k <= want+ThrustRecentBars
		if b.History[k].ThrustRecent != on {
			t.Errorf("date %d (thrust+%d): thrust_recent %v, want %v", k, k-want, b.History[k].ThrustRecent, on)
		}
	}
}

func TestZweigThrustInTwelveBarsDoesNotFire(t *testing.T) {
	targets := []float64{0.41}
	for j := 2; j <= 12; j++ {
		targets = append(targets, 0.41+(0.62-0.41)*float64(j-1)/11)
	}
	adv := pathAdvancers(targets, 0.66, 30)
	ema := talib.Ema(ratiosOf(adv), ZweigPeriod)
	b0 := 14
	if !(ema[b0] < ThrustLow && ema[b0+12] > ThrustHigh) {
		t.Fatalf("crafted path wrong: ema[bar0]=%v ema[bar12]=%v", ema[b0], ema[b0+12])
	}
	for j := 1; j <= 11; j++ {
		if e := ema[b0+j]; e < ThrustLow || e > ThrustHigh {
			t.Fatalf("crafted path wrong: ema[bar%d]=%v", j, e)
		}
	}
	leg, members := thrustUniverse(adv)
	u := newUniverse(t, members)
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	load(t, u, members)
	b := u.Snapshot()
	for k, p := range b.History {
		if p.Thrust || p.ThrustRecent {
			t.Errorf("date %d: thrust %v recent %v, want none (0.38 → 0.62 took 12 bars)", k, p.Thrust, p.ThrustRecent)
		}
	}
	if b.LastThrust != nil {
		t.Errorf("last_thrust = %s, want null", *b.LastThrust)
	}
}

// TestZweigRearmsAfterNewLow: after a thrust, a second one needs a new bar
// below 0.40 — and then does fire.
func TestZweigRearmsAfterNewLow(t *testing.T) {
	var z zweig
	var got []int
	feed := func(x float64, n int) {
		for range n {
			if _, _, th := z.step(x); th {
				got = append(got, z.i-1)
			}
		}
	}
	feed(0.2, 12) // EMA outputs 0..2 at 0.2
	feed(1.0, 4)  // 0.2 → 0.64 in 4 bars: fires at output 6
	feed(0.5, 3)  // dips to ~0.58 (not below 0.40): no re-arm
	feed(1.0, 3)  // back above 0.615: must not fire again
	feed(0.0, 8)  // below 0.40
	feed(1.0, 6)  // fires again
	if len(got) != 2 {
		t.Fatalf("thrusts at EMA outputs %v, want 2", got)
	}
	if got[0] != 6 {
		t.Errorf("first thrust at output %d, want 6", got[0])
	}
}
