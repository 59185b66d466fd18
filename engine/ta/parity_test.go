package ta

import (
	"fmt"
	"math"
	"testing"

	talib "github.com/markcheno/go-talib"
)

var parityPeriods = []int{1, 2, 14, 20, 50, 200}

// cloner is implemented by every stream.
type cloner[T any] interface{ Clone() T }

func cloneOf[T interface {
	Stream
	cloner[T]
}](s Stream) Stream {
	return s.(T).Clone()
}

type scalarCase struct {
	name      string
	minP      int
	newS      func(p int) (Stream, error)
	clone     func(Stream) Stream
	oracle    func(in []float64, p int) []float64
	varFamily bool    // VAR/STDDEV: tolerance on the variance scale off amd64
	nbDev     float64 // STDDEV multiplier (tolerance scaling)
}

func scalarCases() []scalarCase {
	return []scalarCase{
		{name: "SMA", minP: 1, newS: func(p int) (Stream, error) { return NewSMA(p) }, clone: cloneOf[*SMA], oracle: talib.Sma},
		{name: "EMA", minP: 1, newS: func(p int) (Stream, error) { return NewEMA(p) }, clone: cloneOf[*EMA], oracle: talib.Ema},
		{name: "WMA", minP: 1, newS: func(p int) (Stream, error) { return NewWMA(p) }, clone: cloneOf[*WMA], oracle: talib.Wma},
		{name: "RSI", minP: 2, newS: func(p int) (Stream, error) { return NewRSI(p) }, clone: cloneOf[*RSI], oracle: talib.Rsi},
		{name: "VAR", minP: 1, newS: func(p int) (Stream, error) { return NewVAR(p) }, clone: cloneOf[*VAR], oracle: talib.Var, varFamily: true, nbDev: 1},
		{name: "STDDEV1", minP: 1, newS: func(p int) (Stream, error) { return NewStdDev(p, 1) }, clone: cloneOf[*StdDev],
			oracle: func(in []float64, p int) []float64 { return talib.StdDev(in, p, 1) }, varFamily: true, nbDev: 1},
		{name: "STDDEV2.5", minP: 1, newS: func(p int) (Stream, error) { return NewStdDev(p, 2.5) }, clone: cloneOf[*StdDev],
			oracle: func(in []float64, p int) []float64 { return talib.StdDev(in, p, 2.5) }, varFamily: true, nbDev: 2.5},
		{name: "MAX", minP: 2, newS: func(p int) (Stream, error) { return NewMAX(p) }, clone: cloneOf[*MAX], oracle: talib.Max},
		{name: "MIN", minP: 2, newS: func(p int) (Stream, error) { return NewMIN(p) }, clone: cloneOf[*MIN], oracle: talib.Min},
		{name: "ROC", minP: 1, newS: func(p int) (Stream, error) { return NewROC(p) }, clone: cloneOf[*ROC], oracle: talib.Roc},
		{name: "ROCP", minP: 1, newS: func(p int) (Stream, error) { return NewROCP(p) }, clone: cloneOf[*ROCP], oracle: talib.Rocp},
	}
}

// sameNum compares a stream output with the oracle: bit-identical where
// exactParity holds, otherwise within 1e-9·max(1,|want|).
func sameNum(got, want float64) bool {
	if exactParity {
		return math.Float64bits(got) == math.Float64bits(want)
	}
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

// sameVarFamily compares variances (or deviations, squared, divided by
// nbDev²) whose rounding error scales with mean² (ENGINE.md §2.4).
func sameVarFamily(got, want float64, isSD bool, nbDev, scale float64, exact bool) bool {
	if exactParity || exact {
		return math.Float64bits(got) == math.Float64bits(want)
	}
	if isSD {
		got, want = (got/nbDev)*(got/nbDev), (want/nbDev)*(want/nbDev)
	}
	return math.Abs(got-want) <= 1e-12*scale+1e-14
}

func maxSquare(in []float64) float64 {
	m := 0.0
	for _, x := range in {
		m = math.Max(m, x*x)
	}
	return m
}

// checker reports the first few mismatches and then fails.
type checker struct {
	t    *testing.T
	bad  int
	name string
}

func (c *checker) errorf(format string, args ...any) {
	c.t.Helper()
	c.bad++
	if c.bad <= 5 {
		c.t.Errorf(c.name+": "+format, args...)
	}
	if c.bad == 5 {
		c.t.FailNow()
	}
}

func TestScalarParity(t *testing.T) {
	all := testSeries()
	for _, sc := range scalarCases() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, s := range all {
				scale := maxSquare(s.c)
				for _, p := range parityPeriods {
					if p < sc.minP {
						continue
					}
					t.Run(fmt.Sprintf("%s/p%d", s.name, p), func(t *testing.T) {
						st, err := sc.newS(p)
						if err != nil {
							t.Fatal(err)
						}
						want := sc.oracle(s.c, p)
						same := func(got, want float64) bool {
							if sc.varFamily {
								return sameVarFamily(got, want, sc.name != "VAR", sc.nbDev, scale, s.exactVarFamily)
							}
							return sameNum(got, want)
						}
						checkScalarRun(t, sc, st, s.c, want, same)
					})
				}
			}
		})
	}
}

func checkScalarRun(t *testing.T, sc scalarCase, st Stream, in, want []float64, same func(a, b float64) bool) {
	t.Helper()
	lb := st.Lookback()
	c := &checker{t: t, name: "full run"}
	compared := 0
	for i, x := range in {
		pv, pok, err := st.Peek(x)
		if err != nil {
			t.Fatalf("Peek(%v) at %d: %v", x, i, err)
		}
		v, ok, err := st.Update(x)
		if err != nil {
			t.Fatalf("Update(%v) at %d: %v", x, i, err)
		}
		if math.Float64bits(pv) != math.Float64bits(v) || pok != ok {
			c.errorf("bar %d: Peek = (%v,%v), Update = (%v,%v)", i, pv, pok, v, ok)
		}
		if ok != (i >= lb) {
			c.errorf("bar %d: ok = %v with lookback %d", i, ok, lb)
			continue
		}
		if ok {
			compared++
			if !same(v, want[i]) {
				c.errorf("bar %d: got %v (%#x), want %v (%#x)", i, v, math.Float64bits(v), want[i], math.Float64bits(want[i]))
			}
		}
		if vv, vok := st.Value(); math.Float64bits(vv) != math.Float64bits(v) || vok != ok {
			c.errorf("bar %d: Value = (%v,%v), Update returned (%v,%v)", i, vv, vok, v, ok)
		}
	}
	if compared != len(in)-lb {
		t.Fatalf("compared %d outputs, want %d", compared, len(in)-lb)
	}
	// Warm-start legs: reopen on a prefix, clone, stream the rest.
	n := len(in)
	for _, prefix := range []int{lb + 1, lb + 13, n / 2, n - 1} {
		if prefix >= n {
			continue
		}
		c := &checker{t: t, name: fmt.Sprintf("warm start at %d", prefix)}
		st.Reset()
		for _, x := range in[:prefix] {
			if _, _, err := st.Update(x); err != nil {
				t.Fatal(err)
			}
		}
		w := sc.clone(st)
		for i := prefix; i < n; i++ {
			v, ok, _ := w.Update(in[i])
			if !ok || !same(v, want[i]) {
				c.errorf("bar %d: got (%v,%v), want %v", i, v, ok, want[i])
			}
		}
	}
}

func TestBBandsParity(t *testing.T) {
	t.Parallel()
	mults := [][2]float64{{2, 2}, {1, 1}, {1, 2.5}, {1.5, 1}, {2, 1.5}}
	for _, s := range testSeries() {
		scale := maxSquare(s.c)
		for _, p := range parityPeriods[1:] {
			for _, m := range mults {
				t.Run(fmt.Sprintf("%s/p%d/%gx%g", s.name, p, m[0], m[1]), func(t *testing.T) {
					bb, err := NewBBands(p, m[0], m[1])
					if err != nil {
						t.Fatal(err)
					}
					wu, wm, wl := talib.BBands(s.c, p, m[0], m[1], talib.SMA)
					sd := func(band, mid, k float64) float64 { return math.Abs(band-mid) / k }
					sameBB := func(got BB, i int) bool {
						if exactParity || s.exactVarFamily {
							return math.Float64bits(got.Upper) == math.Float64bits(wu[i]) &&
								math.Float64bits(got.Middle) == math.Float64bits(wm[i]) &&
								math.Float64bits(got.Lower) == math.Float64bits(wl[i])
						}
						return sameNum(got.Middle, wm[i]) &&
							sameVarFamily(sd(got.Upper, got.Middle, m[0]), sd(wu[i], wm[i], m[0]), true, 1, scale, false) &&
							sameVarFamily(sd(got.Lower, got.Middle, m[1]), sd(wl[i], wm[i], m[1]), true, 1, scale, false)
					}
					run := func(b *BBands, from int, c *checker) {
						for i := from; i < len(s.c); i++ {
							pv, pok, _ := b.Peek(s.c[i])
							v, ok, err := b.Update(s.c[i])
							if err != nil {
								t.Fatal(err)
							}
							if pv != v || pok != ok {
								c.errorf("bar %d: Peek %+v != Update %+v", i, pv, v)
							}
							if ok != (i >= p-1) {
								c.errorf("bar %d: ok = %v", i, ok)
								continue
							}
							if ok && !sameBB(v, i) {
								c.errorf("bar %d: got %+v, want {%v %v %v}", i, v, wu[i], wm[i], wl[i])
							}
						}
					}
					run(bb, 0, &checker{t: t, name: "full run"})
					if m != mults[0] {
						return // warm-start legs once per series and period
					}
					n := len(s.c)
					for _, prefix := range []int{p, p + 12, n / 2, n - 1} {
						bb.Reset()
						for _, x := range s.c[:prefix] {
							bb.Update(x)
						}
						run(bb.Clone(), prefix, &checker{t: t, name: fmt.Sprintf("warm start at %d", prefix)})
					}
				})
			}
		}
	}
}

func TestATRParity(t *testing.T) {
	t.Parallel()
	for _, s := range testSeries() {
		for _, p := range parityPeriods {
			t.Run(fmt.Sprintf("%s/p%d", s.name, p), func(t *testing.T) {
				a, err := NewATR(p)
				if err != nil {
					t.Fatal(err)
				}
				want := talib.Atr(s.h, s.l, s.c, p)
				if p == 1 {
					want = talib.TRange(s.h, s.l, s.c) // TA-Lib's ATR(1)
				}
				run := func(a *ATR, from int, c *checker) {
					for i := from; i < len(s.c); i++ {
						pv, pok, _ := a.Peek(s.h[i], s.l[i], s.c[i])
						v, ok, err := a.Update(s.h[i], s.l[i], s.c[i])
						if err != nil {
							t.Fatal(err)
						}
						if math.Float64bits(pv) != math.Float64bits(v) || pok != ok {
							c.errorf("bar %d: Peek (%v,%v) != Update (%v,%v)", i, pv, pok, v, ok)
						}
						if ok != (i >= a.Lookback()) {
							c.errorf("bar %d: ok = %v", i, ok)
							continue
						}
						if ok && !sameNum(v, want[i]) {
							c.errorf("bar %d: got %v, want %v", i, v, want[i])
						}
					}
				}
				run(a, 0, &checker{t: t, name: "full run"})
				n := len(s.c)
				for _, prefix := range []int{p + 1, p + 13, n / 2, n - 1} {
					a.Reset()
					for i := range prefix {
						a.Update(s.h[i], s.l[i], s.c[i])
					}
					run(a.Clone(), prefix, &checker{t: t, name: fmt.Sprintf("warm start at %d", prefix)})
				}
			})
		}
	}
}

// TestDonchianParity compares the channel with talib.Max/Min of highs/lows
// and the breakouts with a direct "close vs previous channel" reference.
func TestDonchianParity(t *testing.T) {
	t.Parallel()
	for _, s := range testSeries() {
		for _, p := range parityPeriods[1:] {
			t.Run(fmt.Sprintf("%s/p%d", s.name, p), func(t *testing.T) {
				d, err := NewDonchian(p)
				if err != nil {
					t.Fatal(err)
				}
				hi, lo := talib.Max(s.h, p), talib.Min(s.l, p)
				lb := p - 1
				want := func(i int) DonchianValue {
					w := DonchianValue{Upper: hi[i], Lower: lo[i]}
					if i-1 >= lb {
						w.PrevOK, w.PrevUpper, w.PrevLower = true, hi[i-1], lo[i-1]
						w.BreakUp = s.c[i] > hi[i-1]
						w.BreakDown = s.c[i] < lo[i-1]
					}
					return w
				}
				ups, downs := 0, 0
				run := func(d *Donchian, from int, c *checker) {
					for i := from; i < len(s.c); i++ {
						pv, pok, _ := d.Peek(s.h[i], s.l[i], s.c[i])
						v, ok, err := d.Update(s.h[i], s.l[i], s.c[i])
						if err != nil {
							t.Fatal(err)
						}
						if pv != v || pok != ok {
							c.errorf("bar %d: Peek %+v != Update %+v", i, pv, v)
						}
						if ok != (i >= lb) {
							c.errorf("bar %d: ok = %v", i, ok)
							continue
						}
						if !ok {
							continue
						}
						if w := want(i); v != w {
							c.errorf("bar %d: got %+v, want %+v", i, v, w)
						}
						if v.BreakUp {
							ups++
						}
						if v.BreakDown {
							downs++
						}
					}
				}
				run(d, 0, &checker{t: t, name: "full run"})
				if s.name != "flat" && (ups == 0 || downs == 0) {
					t.Errorf("degenerate test: %d up and %d down breakouts", ups, downs)
				}
				n := len(s.c)
				for _, prefix := range []int{p, p + 12, n / 2, n - 1} {
					d.Reset()
					for i := range prefix {
						d.Update(s.h[i], s.l[i], s.c[i])
					}
					run(d.Clone(), prefix, &checker{t: t, name: fmt.Sprintf("warm start at %d", prefix)})
				}
			})
		}
	}
}

// TestRVOLParity compares RVOL with vol[t] / talib.Sma(vol, n)[t-1].
func TestRVOLParity(t *testing.T) {
	t.Parallel()
	for _, s := range testSeries() {
		for _, n := range parityPeriods {
			t.Run(fmt.Sprintf("%s/n%d", s.name, n), func(t *testing.T) {
				r, err := NewRVOL(n)
				if err != nil {
					t.Fatal(err)
				}
				sma := talib.Sma(s.vol, n)
				c := &checker{t: t, name: "full run"}
				zeroMean := 0
				for i, v := range s.vol {
					pv, pok, _ := r.Peek(v)
					got, ok, err := r.Update(v)
					if err != nil {
						t.Fatal(err)
					}
					if math.Float64bits(pv) != math.Float64bits(got) || pok != ok {
						c.errorf("bar %d: Peek (%v,%v) != Update (%v,%v)", i, pv, pok, got, ok)
					}
					wantOK := i >= n && sma[i-1] != 0
					if i >= n && sma[i-1] == 0 {
						zeroMean++
					}
					if ok != wantOK {
						c.errorf("bar %d: ok = %v, want %v", i, ok, wantOK)
						continue
					}
					if ok && !sameNum(got, v/sma[i-1]) {
						c.errorf("bar %d: got %v, want %v", i, got, v/sma[i-1])
					}
				}
				if s.name == "ratio038" && n <= 2 && zeroMean == 0 {
					t.Errorf("degenerate test: no zero-mean bars")
				}
			})
		}
	}
}
