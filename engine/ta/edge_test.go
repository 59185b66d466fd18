package ta

import (
	"math"
	"testing"

	talib "github.com/markcheno/go-talib"
)

// near compares with hand-computed values.
func near(got, want float64) bool { return math.Abs(got-want) <= 1e-12*math.Max(1, math.Abs(want)) }

type handCase struct {
	name string
	s    Stream
	in   []float64
	want []float64 // NaN marks warm-up (ok=false)
}

var nan = math.NaN()

func TestHandComputed(t *testing.T) {
	cases := []handCase{
		{"SMA3", must(NewSMA(3)), []float64{1, 2, 3, 4, 5}, []float64{nan, nan, 2, 3, 4}},
		{"SMA1", must(NewSMA(1)), []float64{7, 8}, []float64{7, 8}},
		{"EMA3", must(NewEMA(3)), []float64{1, 2, 3, 4, 2}, []float64{nan, nan, 2, 3, 2.5}},
		{"WMA3", must(NewWMA(3)), []float64{1, 2, 3, 4}, []float64{nan, nan, 14.0 / 6, 20.0 / 6}},
		{"RSI2", must(NewRSI(2)), []float64{10, 11, 10, 12}, []float64{nan, nan, 50, 100 * 1.25 / 1.5}},
		{"RSI2 flat", must(NewRSI(2)), []float64{5, 5, 5, 5}, []float64{nan, nan, 0, 0}},
		{"RSI2 rising", must(NewRSI(2)), []float64{5, 6, 7}, []float64{nan, nan, 100}},
		{"VAR2", must(NewVAR(2)), []float64{1, 3, 3}, []float64{nan, 1, 0}},
		{"VAR1", must(NewVAR(1)), []float64{1, 3}, []float64{0, 0}},
		{"STDDEV3x2", must(NewStdDev(3, 2)), []float64{2, 4, 6, 6, 6, 6}, []float64{nan, nan, 2 * math.Sqrt(8.0/3), 2 * math.Sqrt(8.0/9), 0, 0}},
		{"MAX3", must(NewMAX(3)), []float64{3, 1, 2, 1, 1, 5}, []float64{nan, nan, 3, 2, 2, 5}},
		{"MIN3", must(NewMIN(3)), []float64{3, 1, 2, 4, 4, 1}, []float64{nan, nan, 1, 1, 2, 1}},
		{"ROC2", must(NewROC(2)), []float64{100, 1, 110, 2}, []float64{nan, nan, 10, 100}},
		{"ROCP1", must(NewROCP(1)), []float64{100, 110, 55}, []float64{nan, 0.1, -0.5}},
		{"RVOL2", must(NewRVOL(2)), []float64{100, 300, 400, 0, 0, 50, 50}, []float64{nan, nan, 2, 0, 0, nan, 2}},
	}
	for _, c := range cases {
		for i, x := range c.in {
			v, ok, err := c.s.Update(x)
			if err != nil {
				t.Fatalf("%s: Update(%v): %v", c.name, x, err)
			}
			w := c.want[i]
			if ok == math.IsNaN(w) || (ok && !near(v, w)) {
				t.Errorf("%s[%d] = (%v, %v), want %v", c.name, i, v, ok, w)
			}
		}
	}
}

func TestATRHand(t *testing.T) {
	a := must(NewATR(2))
	bars := [][3]float64{{10, 8, 9}, {11, 9, 10}, {12, 10, 11.5}, {15, 11, 14}, {14, 14, 14}}
	// TR: -, 2, 2, max(4, 3.5, 0.5)=4, max(0, 0, 0)=0; ATR(2): seed (2+2)/2 = 2, (2+4)/2 = 3, (3+0)/2 = 1.5
	want := []float64{nan, nan, 2, 3, 1.5}
	for i, b := range bars {
		v, ok, err := a.Update(b[0], b[1], b[2])
		if err != nil || ok == math.IsNaN(want[i]) || (ok && !near(v, want[i])) {
			t.Errorf("ATR[%d] = (%v, %v, %v), want %v", i, v, ok, err, want[i])
		}
	}
	tr := must(NewATR(1))
	for i, b := range [][3]float64{{10, 8, 9}, {9.5, 9, 9.2}, {12, 11, 11}} {
		want := []float64{nan, 0.5, 2.8}[i]
		v, ok, _ := tr.Update(b[0], b[1], b[2])
		if ok == math.IsNaN(want) || (ok && !near(v, want)) {
			t.Errorf("ATR1[%d] = (%v, %v), want %v", i, v, ok, want)
		}
	}
}

func TestDonchianHand(t *testing.T) {
	d := must(NewDonchian(2))
	hs := []float64{10, 11, 12, 11}
	ls := []float64{8, 9, 10, 9}
	cs := []float64{9, 10, 11.5, 8.5}
	want := []DonchianValue{
		{},
		{Upper: 11, Lower: 8},
		{Upper: 12, Lower: 9, PrevUpper: 11, PrevLower: 8, PrevOK: true, BreakUp: true},
		{Upper: 12, Lower: 9, PrevUpper: 12, PrevLower: 9, PrevOK: true, BreakDown: true},
	}
	for i := range hs {
		v, ok, err := d.Update(hs[i], ls[i], cs[i])
		if err != nil || ok != (i >= 1) || v != want[i] {
			t.Errorf("Donchian[%d] = (%+v, %v, %v), want %+v", i, v, ok, err, want[i])
		}
	}
	// A close equal to the previous upper band is not a breakout.
	v, _, _ := d.Peek(12, 11, 12)
	if v.BreakUp || v.BreakDown {
		t.Errorf("touch reported as breakout: %+v", v)
	}
}

func TestCrossHand(t *testing.T) {
	cases := []struct {
		name   string
		h      float64
		diffs  []float64
		events []int
		signs  []int
	}{
		{"touch then cross", 0, []float64{1, 0, -1, -2, 0, 0, 3}, []int{0, 0, -1, 0, 0, 0, 1}, []int{1, 1, -1, -1, -1, -1, 1}},
		{"leading zeros", 0, []float64{0, 0, -1, 1}, []int{0, 0, 0, 1}, []int{0, 0, -1, 1}},
		{"hysteresis", 0.5, []float64{1, -0.3, -0.5, -0.6, 0.2, 0.7}, []int{0, 0, 0, -1, 0, 1}, []int{1, 1, 1, -1, -1, 1}},
		{"first sign inside band", 0.5, []float64{-0.1, 0.4, 0.6}, []int{0, 0, 1}, []int{-1, -1, 1}},
	}
	for _, c := range cases {
		x := must(NewCross(c.h))
		for i, d := range c.diffs {
			pe, err := x.Peek(d)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := x.Update(d)
			if err != nil {
				t.Fatal(err)
			}
			if pe != ev || ev != c.events[i] || x.Sign() != c.signs[i] {
				t.Errorf("%s[%d] diff %v: peek %d, event %d, sign %d; want event %d, sign %d",
					c.name, i, d, pe, ev, x.Sign(), c.events[i], c.signs[i])
			}
		}
	}
}

// refCross is a straightforward reference crossing detector written
// independently of Cross: it scans back for the last non-zero diff that
// established or flipped the sign.
func refCross(diffs []float64, h float64) []int {
	ev := make([]int, len(diffs))
	last := 0.0 // last committed non-zero diff's sign as ±1, 0 if none
	for i, d := range diffs {
		if d == 0 {
			continue
		}
		if last == 0 {
			last = math.Copysign(1, d)
			continue
		}
		if math.Signbit(d) != math.Signbit(last) && math.Abs(d) > h {
			last = math.Copysign(1, d)
			ev[i] = int(last)
		}
	}
	return ev
}

// TestCrossReference runs Cross over the SMA20−SMA50 spread of a ratio walk
// (quantised so exact touches occur) against refCross.
func TestCrossReference(t *testing.T) {
	s := ratio038(parityBars(), 9)
	fast, slow := talib.Sma(s.c, 20), talib.Sma(s.c, 50)
	var diffs []float64
	for i := 49; i < len(s.c); i++ {
		diffs = append(diffs, math.Round((fast[i]-slow[i])*2e4)/2e4)
	}
	for _, h := range []float64{0, 1e-4, 5e-4} {
		want := refCross(diffs, h)
		x := must(NewCross(h))
		crosses := 0
		for i, d := range diffs {
			pe, _ := x.Peek(d)
			ev, err := x.Update(d)
			if err != nil {
				t.Fatal(err)
			}
			if pe != ev || ev != want[i] {
				t.Fatalf("h=%v bar %d diff %v: peek %d, event %d, want %d", h, i, d, pe, ev, want[i])
			}
			if ev != 0 {
				crosses++
			}
		}
		if crosses < 10 {
			t.Errorf("h=%v: only %d crosses, degenerate test", h, crosses)
		}
	}
}
