package ta

// Side by side with github.com/iamjinlei/go-tart, the fastest streaming
// TA-Lib port for Go we know of (a test-only dependency: it never reaches the
// capwatch binary). TestTartParity shows that go-tart computes the same
// indicators as go-talib (to ~1e-11, not bit for bit), so the timings in
// BenchmarkVsTart compare equal work; scripts/bench.sh turns the benchmark
// into the ratio table of BENCHMARKS.md.

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	tart "github.com/iamjinlei/go-tart"
	talib "github.com/markcheno/go-talib"
)

// vsBars is the input of the side-by-side benchmark and of the go-tart
// parity check: 100,000 generated SPY-like bars.
const vsBars = 100_000

// vsWarm bars are fed before the timer starts (past every lookback, so the
// steady state is measured).
const vsWarm = 1_000

// vsChunk bars are fed per runner call in the benchmark, and timed.
const vsChunk = 10_000

var vsSeries = sync.OnceValue(func() series { return walk400(vsBars, 17) })

var vsSink float64

// tartCase is one indicator as both libraries compute it.
type tartCase struct {
	name string
	// lookback is the first index where go-talib, go-tart and capwatch
	// give a value.
	lookback int
	// oracle is go-talib's batch result.
	oracle func(s series) []float64
	// capwatch and tart build a fresh stream (a *SMA, a *tart.Sma, …).
	capwatch, tart func() any
	// tol is the largest |go-tart − go-talib| accepted, relative to
	// max(1, |go-talib|).
	tol float64
	// variance, for the VAR family, maps an output at bar i back to the
	// variance; the two are then compared relative to the close², the
	// scale of TA-Lib's own cancellation error in E[x²]−mean² (go-tart
	// uses a two-pass variance; at $400 TA-Lib's STDDEV is itself ~1e-9
	// off an exact one, ENGINE.md §2.4).
	variance func(out float64, i int) float64
}

func tartCases() []tartCase {
	s := vsSeries()
	sma20 := talib.Sma(s.c, 20)
	same := func(v float64, _ int) float64 { return v }
	square := func(sd float64, _ int) float64 { return float64(sd * sd) }
	// BBANDS(20, 2, 2): the upper band gives sd = (upper - SMA20)/2.
	upperVar := func(u float64, i int) float64 { return square((u-sma20[i])/2, i) }
	return []tartCase{
		{name: "SMA20", lookback: 19, tol: 1e-11,
			oracle:   func(s series) []float64 { return talib.Sma(s.c, 20) },
			capwatch: func() any { return must(NewSMA(20)) }, tart: func() any { return tart.NewSma(20) }},
		{name: "SMA200", lookback: 199, tol: 1e-11,
			oracle:   func(s series) []float64 { return talib.Sma(s.c, 200) },
			capwatch: func() any { return must(NewSMA(200)) }, tart: func() any { return tart.NewSma(200) }},
		{name: "EMA20", lookback: 19, tol: 1e-11,
			oracle:   func(s series) []float64 { return talib.Ema(s.c, 20) },
			capwatch: func() any { return must(NewEMA(20)) }, tart: func() any { return tart.NewEma(20, 2.0/21) }},
		// Both WMAs carry running sums that drift apart with the series
		// length (TA-Lib's own WMA drifts ~1e-5 from exact over 1M bars).
		{name: "WMA20", lookback: 19, tol: 1e-10,
			oracle:   func(s series) []float64 { return talib.Wma(s.c, 20) },
			capwatch: func() any { return must(NewWMA(20)) }, tart: func() any { return tart.NewWma(20) }},
		{name: "RSI14", lookback: 14, tol: 1e-11,
			oracle:   func(s series) []float64 { return talib.Rsi(s.c, 14) },
			capwatch: func() any { return must(NewRSI(14)) }, tart: func() any { return tart.NewRsi(14) }},
		{name: "VAR20", lookback: 19, tol: 1e-11, variance: same,
			oracle:   func(s series) []float64 { return talib.Var(s.c, 20) },
			capwatch: func() any { return must(NewVAR(20)) }, tart: func() any { return tart.NewVar(20) }},
		{name: "STDDEV20", lookback: 19, tol: 1e-11, variance: square,
			oracle:   func(s series) []float64 { return talib.StdDev(s.c, 20, 1) },
			capwatch: func() any { return must(NewStdDev(20, 1)) }, tart: func() any { return tart.NewStdDev(20) }},
		// The upper band stands for the three: the middle is the SMA and
		// the lower band mirrors the upper one.
		{name: "BBANDS20", lookback: 19, tol: 1e-11, variance: upperVar,
			oracle:   func(s series) []float64 { u, _, _ := talib.BBands(s.c, 20, 2, 2, talib.SMA); return u },
			capwatch: func() any { return must(NewBBands(20, 2, 2)) }, tart: func() any { return tart.NewBBands(tart.SMA, 20, 2, 2) }},
		{name: "MAX20", lookback: 19,
			oracle:   func(s series) []float64 { return talib.Max(s.c, 20) },
			capwatch: func() any { return must(NewMAX(20)) }, tart: func() any { return tart.NewMax(20) }},
		{name: "MAX200", lookback: 199,
			oracle:   func(s series) []float64 { return talib.Max(s.c, 200) },
			capwatch: func() any { return must(NewMAX(200)) }, tart: func() any { return tart.NewMax(200) }},
		{name: "MIN20", lookback: 19,
			oracle:   func(s series) []float64 { return talib.Min(s.c, 20) },
			capwatch: func() any { return must(NewMIN(20)) }, tart: func() any { return tart.NewMin(20) }},
		{name: "MIN200", lookback: 199,
			oracle:   func(s series) []float64 { return talib.Min(s.c, 200) },
			capwatch: func() any { return must(NewMIN(200)) }, tart: func() any { return tart.NewMin(200) }},
		{name: "ROC20", lookback: 20, tol: 1e-11,
			oracle:   func(s series) []float64 { return talib.Roc(s.c, 20) },
			capwatch: func() any { return must(NewROC(20)) }, tart: func() any { return tart.NewRoc(20) }},
		{name: "ATR14", lookback: 14, tol: 1e-11,
			oracle:   func(s series) []float64 { return talib.Atr(s.h, s.l, s.c, 14) },
			capwatch: func() any { return must(NewATR(14)) }, tart: func() any { return tart.NewAtr(14) }},
	}
}

// A runner feeds bars lo..hi-1 of the series to each of its k streams in
// turn and returns the last output. Its loops call the streams' concrete
// methods directly (the way engine/ calls them); the runner itself is called
// once per chunk of bars.
type runner func(lo, hi int) float64

// runners builds k fresh streams with mk (capwatch's or go-tart's) and
// returns a runner of their Update and, for capwatch, one of their Peek
// (nil for go-tart).
func runners(mk func() any, k int, s series) (update, peek runner) {
	c, h, l := s.c, s.h, s.l
	switch mk().(type) {
	case *SMA:
		sts := streamsOf[*SMA](mk, k)
		return func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Update(x)
					}
				}
				return v
			}, func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Peek(x)
					}
				}
				return v
			}
	case *EMA:
		sts := streamsOf[*EMA](mk, k)
		return func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Update(x)
					}
				}
				return v
			}, func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Peek(x)
					}
				}
				return v
			}
	case *WMA:
		sts := streamsOf[*WMA](mk, k)
		return func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Update(x)
					}
				}
				return v
			}, func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Peek(x)
					}
				}
				return v
			}
	case *RSI:
		sts := streamsOf[*RSI](mk, k)
		return func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Update(x)
					}
				}
				return v
			}, func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Peek(x)
					}
				}
				return v
			}
	case *VAR:
		sts := streamsOf[*VAR](mk, k)
		return func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Update(x)
					}
				}
				return v
			}, func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Peek(x)
					}
				}
				return v
			}
	case *StdDev:
		sts := streamsOf[*StdDev](mk, k)
		return func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Update(x)
					}
				}
				return v
			}, func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Peek(x)
					}
				}
				return v
			}
	case *MAX:
		sts := streamsOf[*MAX](mk, k)
		return func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Update(x)
					}
				}
				return v
			}, func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Peek(x)
					}
				}
				return v
			}
	case *MIN:
		sts := streamsOf[*MIN](mk, k)
		return func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Update(x)
					}
				}
				return v
			}, func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Peek(x)
					}
				}
				return v
			}
	case *ROC:
		sts := streamsOf[*ROC](mk, k)
		return func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Update(x)
					}
				}
				return v
			}, func(lo, hi int) (v float64) {
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Peek(x)
					}
				}
				return v
			}
	case *BBands:
		sts := streamsOf[*BBands](mk, k)
		return func(lo, hi int) float64 {
				var b BB
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						b, _, _ = st.Update(x)
					}
				}
				return b.Upper
			}, func(lo, hi int) float64 {
				var b BB
				for _, x := range c[lo:hi] {
					for _, st := range sts {
						b, _, _ = st.Peek(x)
					}
				}
				return b.Upper
			}
	case *ATR:
		sts := streamsOf[*ATR](mk, k)
		return func(lo, hi int) (v float64) {
				h, l := h[lo:hi], l[lo:hi]
				for i, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Update(h[i], l[i], x)
					}
				}
				return v
			}, func(lo, hi int) (v float64) {
				h, l := h[lo:hi], l[lo:hi]
				for i, x := range c[lo:hi] {
					for _, st := range sts {
						v, _, _ = st.Peek(h[i], l[i], x)
					}
				}
				return v
			}
	case *tart.Sma:
		sts := streamsOf[*tart.Sma](mk, k)
		return func(lo, hi int) (v float64) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					v = st.Update(x)
				}
			}
			return v
		}, nil
	case *tart.Ema:
		sts := streamsOf[*tart.Ema](mk, k)
		return func(lo, hi int) (v float64) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					v = st.Update(x)
				}
			}
			return v
		}, nil
	case *tart.Wma:
		sts := streamsOf[*tart.Wma](mk, k)
		return func(lo, hi int) (v float64) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					v = st.Update(x)
				}
			}
			return v
		}, nil
	case *tart.Rsi:
		sts := streamsOf[*tart.Rsi](mk, k)
		return func(lo, hi int) (v float64) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					v = st.Update(x)
				}
			}
			return v
		}, nil
	case *tart.Var:
		sts := streamsOf[*tart.Var](mk, k)
		return func(lo, hi int) (v float64) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					v = st.Update(x)
				}
			}
			return v
		}, nil
	case *tart.StdDev:
		sts := streamsOf[*tart.StdDev](mk, k)
		return func(lo, hi int) (v float64) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					v = st.Update(x)
				}
			}
			return v
		}, nil
	case *tart.Roc:
		sts := streamsOf[*tart.Roc](mk, k)
		return func(lo, hi int) (v float64) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					v = st.Update(x)
				}
			}
			return v
		}, nil
	case *tart.BBands:
		sts := streamsOf[*tart.BBands](mk, k)
		return func(lo, hi int) (v float64) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					v, _, _ = st.Update(x)
				}
			}
			return v
		}, nil
	case *tart.Max:
		sts := streamsOf[*tart.Max](mk, k)
		return func(lo, hi int) (v float64) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					_, v = st.Update(x)
				}
			}
			return v
		}, nil
	case *tart.Min:
		sts := streamsOf[*tart.Min](mk, k)
		return func(lo, hi int) (v float64) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					_, v = st.Update(x)
				}
			}
			return v
		}, nil
	case *tart.Atr:
		sts := streamsOf[*tart.Atr](mk, k)
		return func(lo, hi int) (v float64) {
			h, l := h[lo:hi], l[lo:hi]
			for i, x := range c[lo:hi] {
				for _, st := range sts {
					v = st.Update(h[i], l[i], x)
				}
			}
			return v
		}, nil
	}
	panic(fmt.Sprintf("runners: no runner for %T", mk()))
}

// streamsOf returns k fresh streams from mk.
func streamsOf[T any](mk func() any, k int) []T {
	sts := make([]T, k)
	for i := range sts {
		sts[i] = mk().(T)
	}
	return sts
}

// TestTartParity checks go-tart against go-talib on the benchmark's bars:
// every output from the common lookback on agrees within the case's
// tolerance, so both libraries do the same work in BenchmarkVsTart. The
// capwatch streams are held to go-talib's exact bits by the parity suite
// (TestScalarParity and the others); here they are checked on these bars
// too, as a guard on the runners.
func TestTartParity(t *testing.T) {
	s := vsSeries()
	for _, tc := range tartCases() {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.oracle(s)
			tr, _ := runners(tc.tart, 1, s)
			cw, _ := runners(tc.capwatch, 1, s)
			worst, at := 0.0, -1
			for i := range s.c {
				got, exact := tr(i, i+1), cw(i, i+1)
				if i < tc.lookback {
					continue
				}
				if exactParity && math.Float64bits(exact) != math.Float64bits(want[i]) {
					t.Fatalf("capwatch %s at bar %d: %v, go-talib %v", tc.name, i, exact, want[i])
				}
				w, scale := want[i], math.Max(1, math.Abs(want[i]))
				if tc.variance != nil {
					got, w, scale = tc.variance(got, i), tc.variance(w, i), float64(s.c[i]*s.c[i])
				}
				if d := math.Abs(got-w) / scale; d > worst || math.IsNaN(d) {
					worst, at = d, i
				}
			}
			t.Logf("%s: worst |go-tart − go-talib| / scale = %.3g at bar %d", tc.name, worst, at)
			if !(worst <= tc.tol) {
				t.Errorf("%s: go-tart differs from go-talib by %.3g (relative) at bar %d, more than %g", tc.name, worst, at, tc.tol)
			}
		})
	}
}

// BenchmarkVsTart times capwatch's Update, go-tart's Update and capwatch's
// Peek on the same bars, driven identically: fresh streams, vsWarm bars of
// warm-up through Update, then one new bar per op, the 100,000 bars cycled.
// The three run in turn, one chunk of vsChunk ops each (the same bars,
// microseconds apart), and the benchmark reports the ratios
// capwatch/go-tart and peek/update as medians over the chunks, and each
// one's clean ns per bar (see cleanMean): on a machine shared with other
// work those are the steady figures (ns/op is the three together).
//
// "1-stream" feeds one stream back to back, so it measures the latency of
// each bar's dependency chain; "8-streams" feeds each bar to 8 independent
// streams in turn (each op is still one bar into one stream), as the
// engine does with its symbols, so it measures throughput.
// scripts/bench.sh prints the table.
func BenchmarkVsTart(b *testing.B) {
	s := vsSeries()
	for _, tc := range tartCases() {
		for _, k := range []int{1, 8} {
			name := tc.name + "/1-stream"
			if k > 1 {
				name = fmt.Sprintf("%s/%d-streams", tc.name, k)
			}
			b.Run(name, func(b *testing.B) {
				cw, pk := runners(tc.capwatch, k, s)
				tt, _ := runners(tc.tart, k, s)
				cw(0, vsWarm)
				tt(0, vsWarm)
				chunks := b.N/vsChunk + 2
				vsTart, peekUpdate := make([]float64, 0, chunks), make([]float64, 0, chunks)
				cwNs, ttNs, pkNs := make([]time.Duration, 0, chunks), make([]time.Duration, 0, chunks), make([]time.Duration, 0, chunks)
				b.ReportAllocs()
				b.ResetTimer()
				cycleChunks(b.N, k, func(lo, hi int) {
					t0 := time.Now()
					vsSink = cw(lo, hi)
					t1 := time.Now()
					vsSink = tt(lo, hi)
					t2 := time.Now()
					vsSink = pk(lo, hi)
					t3 := time.Now()
					if (hi-lo)*k == vsChunk {
						c, t, p := t1.Sub(t0), t2.Sub(t1), t3.Sub(t2)
						cwNs, ttNs, pkNs = append(cwNs, c), append(ttNs, t), append(pkNs, p)
						vsTart = append(vsTart, float64(c)/float64(t))
						peekUpdate = append(peekUpdate, float64(p)/float64(c))
					}
				})
				b.StopTimer()
				if len(vsTart) >= 20 {
					b.ReportMetric(median(vsTart), "capwatch/go-tart")
					b.ReportMetric(median(peekUpdate), "peek/update")
					b.ReportMetric(cleanMean(cwNs)/vsChunk, "capwatch-ns/bar")
					b.ReportMetric(cleanMean(ttNs)/vsChunk, "go-tart-ns/bar")
					b.ReportMetric(cleanMean(pkNs)/vsChunk, "peek-ns/bar")
				}
			})
		}
	}
}

// cycleChunks runs n ops of k streams: bars from vsWarm on, cycling through
// the vsBars bars, in chunks of vsChunk ops (vsChunk/k bars). The last
// chunk rounds up to whole bars.
func cycleChunks(n, k int, run func(lo, hi int)) {
	pos := vsWarm
	for done := 0; done < n; {
		bars := min((n-done+k-1)/k, vsBars-pos, vsChunk/k)
		run(pos, pos+bars)
		done += bars * k
		if pos += bars; pos == vsBars {
			pos = 0
		}
	}
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

// cleanMean is the mean chunk time leaving out the chunks that took more
// than twice the median: on a machine shared with other work those are the
// chunks during which the scheduler ran another process (a chunk takes tens
// of µs, a time slice ms), so the rest measure the code itself while
// keeping its data-dependent costs (go-tart's MAX rescans its window now and
// then).
func cleanMean(chunks []time.Duration) float64 {
	sorted := slices.Clone(chunks)
	slices.Sort(sorted)
	limit := 2 * sorted[len(sorted)/2]
	var sum time.Duration
	n := 0
	for _, d := range sorted {
		if d <= limit {
			sum += d
			n++
		}
	}
	return float64(sum) / float64(n)
}

// warmed feeds the first vsWarm bars through update and returns the runner
// to time: then (for Peek) or update itself.
func warmed(update, then runner) runner {
	update(0, vsWarm)
	if then == nil {
		return update
	}
	return then
}

// recState is the state of a bare recurrence, kept in memory as a
// stream's state is between two updates.
type recState struct {
	win        ring
	v, w, prev float64
	out        float64
}

// BenchmarkRecurrenceFloor times the bare arithmetic of four streams in
// TA-Lib's operation order (what capwatch must do to match go-talib bit for
// bit) and in go-tart's rearranged order, with nothing else in the loop, on
// one state fed back to back (each bar waits for the previous result) and
// on 8 states in turn (throughput). The ratio is the floor under
// capwatch/go-tart in BenchmarkVsTart:
//
//	SMA: (sum − old) + x, two dependent adds     vs  sum + (x − old), one
//	EMA: ((x − prev)·k) + prev, sub, mul, add    vs  x·k + prev·(1−k), mul, add
//	ATR: (atr·(p−1) + tr)/p, mul, add, divide    vs  tr·(1/p) + atr·(1−1/p), mul, add
//	RSI: three divisions per bar (gain/p, loss/p, gain/(gain+loss))  vs  one
func BenchmarkRecurrenceFloor(b *testing.B) {
	s := vsSeries()
	c, h, l := s.c, s.h, s.l
	const p, k = 14.0, 2.0 / 21
	type loop func(sts []*recState, lo, hi int)
	cases := []struct {
		name          string
		talib, goTart loop
	}{
		{"SMA20", func(sts []*recState, lo, hi int) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					st.v = (st.v - st.win.push(x)) + x
				}
			}
		}, func(sts []*recState, lo, hi int) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					st.v += x - st.win.push(x)
				}
			}
		}},
		{"EMA20", func(sts []*recState, lo, hi int) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					st.v = float64((x-st.v)*k) + st.v
				}
			}
		}, func(sts []*recState, lo, hi int) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					st.v = float64(x*k) + float64(st.v*(1-k))
				}
			}
		}},
		{"ATR14", func(sts []*recState, lo, hi int) {
			for i, x := range c[lo:hi] {
				for _, st := range sts {
					st.v = (float64(st.v*(p-1)) + trueRange(h[lo+i], l[lo+i], x)) / p
				}
			}
		}, func(sts []*recState, lo, hi int) {
			for i, x := range c[lo:hi] {
				for _, st := range sts {
					st.v = float64(trueRange(h[lo+i], l[lo+i], x)*(1/p)) + float64(st.v*(1-1/p))
				}
			}
		}},
		{"RSI14", func(sts []*recState, lo, hi int) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					d := x - st.prev
					st.prev = x
					up := max(d, 0)
					st.v = (float64(st.v*(p-1)) + up) / p
					st.w = (float64(st.w*(p-1)) + (up - d)) / p
					st.out = 100 * (st.v / (st.v + st.w))
				}
			}
		}, func(sts []*recState, lo, hi int) {
			for _, x := range c[lo:hi] {
				for _, st := range sts {
					d := x - st.prev
					st.prev = x
					up := max(d, 0)
					st.v = float64(up*(1/p)) + float64(st.v*(1-1/p))
					st.w = float64((up-d)*(1/p)) + float64(st.w*(1-1/p))
					st.out = st.v / (st.v + st.w) * 100
				}
			}
		}},
	}
	states := func(n int) []*recState {
		sts := make([]*recState, n)
		for i := range sts {
			sts[i] = &recState{win: newRing(20), v: 400, w: 1, prev: 400}
		}
		return sts
	}
	for _, tc := range cases {
		for _, n := range []int{1, 8} {
			name := tc.name + "/1-stream"
			if n > 1 {
				name = fmt.Sprintf("%s/%d-streams", tc.name, n)
			}
			b.Run(name, func(b *testing.B) {
				talib, alt := states(n), states(n)
				chunks := b.N/vsChunk + 2
				ratio, tNs, aNs := make([]float64, 0, chunks), make([]time.Duration, 0, chunks), make([]time.Duration, 0, chunks)
				b.ResetTimer()
				cycleChunks(b.N, n, func(lo, hi int) {
					t0 := time.Now()
					tc.talib(talib, lo, hi)
					t1 := time.Now()
					tc.goTart(alt, lo, hi)
					t2 := time.Now()
					if (hi-lo)*n == vsChunk {
						tNs, aNs = append(tNs, t1.Sub(t0)), append(aNs, t2.Sub(t1))
						ratio = append(ratio, float64(t1.Sub(t0))/float64(t2.Sub(t1)))
					}
				})
				b.StopTimer()
				vsSink = talib[0].v + talib[0].out + alt[0].v + alt[0].out
				if len(ratio) >= 20 {
					b.ReportMetric(median(ratio), "talib/go-tart")
					b.ReportMetric(cleanMean(tNs)/vsChunk, "talib-ns/bar")
					b.ReportMetric(cleanMean(aNs)/vsChunk, "go-tart-ns/bar")
				}
			})
		}
	}
}
