package ta

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// windowShapes are inputs that stress a rolling maximum: a falling market
// (every bar's maximum leaves the window next bar), a rising one, plateaus
// of ties, a zigzag and noise.
func windowShapes(n int) map[string][]float64 {
	r := rand.New(rand.NewPCG(5, 9))
	shapes := map[string][]float64{}
	fall, rise, ties, zig, noise := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		fall[i] = 1000 - float64(i)*0.25
		rise[i] = 10 + float64(i)*0.25
		ties[i] = 100 + float64((i/7)%3)
		zig[i] = 100 + float64(i%5) - float64(i%3)
		noise[i] = 1 + r.Float64()*100
	}
	shapes["fall"], shapes["rise"], shapes["ties"], shapes["zigzag"], shapes["noise"] = fall, rise, ties, zig, noise
	return shapes
}

// TestWindowExtremesAgainstRescan holds MAX, MIN and Donchian to a brute
// rescan of the window (an oracle independent of TA-Lib's code) on every
// bar, for Peek, Update and Value, across block boundaries of many periods.
func TestWindowExtremesAgainstRescan(t *testing.T) {
	for name, in := range windowShapes(600) {
		for _, p := range []int{2, 3, 4, 7, 16, 20, 33} {
			t.Run(fmt.Sprintf("%s/p%d", name, p), func(t *testing.T) {
				mx, mn, dc := must(NewMAX(p)), must(NewMIN(p)), must(NewDonchian(p))
				for i, x := range in {
					wantMax, wantMin := math.Inf(-1), math.Inf(1)
					for _, v := range in[max(0, i-p+1) : i+1] {
						wantMax, wantMin = math.Max(wantMax, v), math.Min(wantMin, v)
					}
					ready := i >= p-1
					pmx, pok, _ := mx.Peek(x)
					umx, uok, _ := mx.Update(x)
					vmx, vok := mx.Value()
					pmn, _, _ := mn.Peek(x)
					umn, _, _ := mn.Update(x)
					// Donchian on a bar whose high and low are both x.
					pdc, _, _ := dc.Peek(x, x, x)
					udc, _, _ := dc.Update(x, x, x)
					if pok != ready || uok != ready || vok != ready {
						t.Fatalf("bar %d: ok Peek/Update/Value = %v/%v/%v, want %v", i, pok, uok, vok, ready)
					}
					if !ready {
						continue
					}
					if pmx != wantMax || umx != wantMax || vmx != wantMax || pdc.Upper != wantMax || udc.Upper != wantMax {
						t.Fatalf("bar %d: max Peek/Update/Value/Donchian = %v/%v/%v/%v, want %v", i, pmx, umx, vmx, udc.Upper, wantMax)
					}
					if pmn != wantMin || umn != wantMin || pdc.Lower != wantMin || udc.Lower != wantMin {
						t.Fatalf("bar %d: min Peek/Update/Donchian = %v/%v/%v, want %v", i, pmn, umn, udc.Lower, wantMin)
					}
				}
			})
		}
	}
}

// TestErrorsNameTheCall checks that the rejected input's error names the
// method and the value, and wraps ErrBadInput.
func TestErrorsNameTheCall(t *testing.T) {
	_, _, err := must(NewSMA(3)).Update(math.Inf(1))
	if want := "ta: SMA.Update: input +Inf: ta: invalid input"; err == nil || err.Error() != want || !errors.Is(err, ErrBadInput) {
		t.Errorf("SMA.Update(+Inf) = %v, want %q wrapping ErrBadInput", err, want)
	}
	_, _, err = must(NewRSI(3)).Peek(-1)
	if want := "ta: RSI.Peek: input -1: ta: invalid input"; err == nil || err.Error() != want {
		t.Errorf("RSI.Peek(-1) = %v, want %q", err, want)
	}
	_, _, err = must(NewATR(3)).Update(1, 2, 1.5)
	if want := "ta: ATR.Update: bar high=1 low=2 close=1.5: ta: invalid input"; err == nil || err.Error() != want || !errors.Is(err, ErrBadInput) {
		t.Errorf("ATR.Update(high<low) = %v, want %q wrapping ErrBadInput", err, want)
	}
}
