package ta

import (
	"testing"

	talib "github.com/markcheno/go-talib"
)

// Benchmarks: go test -run '^$' -bench . -benchmem ./engine/ta

const benchMask = 1<<14 - 1

var (
	sinkF  float64
	sinkB  bool
	sinkBB BB
	sinkD  DonchianValue
	sinkI  int
)

func benchBars() series { return walk400(benchMask+1, 11) }

func benchScalar(b *testing.B, s Stream, in []float64, peek bool) {
	// warm up past the lookback so the steady state is measured
	for _, x := range in[:1000] {
		s.Update(x)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var v float64
	var ok bool
	if peek {
		for i := 0; i < b.N; i++ {
			v, ok, _ = s.Peek(in[i&benchMask])
		}
	} else {
		for i := 0; i < b.N; i++ {
			v, ok, _ = s.Update(in[i&benchMask])
		}
	}
	sinkF, sinkB = v, ok
}

func BenchmarkStream(b *testing.B) {
	s := benchBars()
	scalars := []struct {
		name string
		mk   func() Stream
	}{
		{"SMA20", func() Stream { return must(NewSMA(20)) }},
		{"SMA200", func() Stream { return must(NewSMA(200)) }},
		{"EMA20", func() Stream { return must(NewEMA(20)) }},
		{"WMA20", func() Stream { return must(NewWMA(20)) }},
		{"RSI14", func() Stream { return must(NewRSI(14)) }},
		{"VAR20", func() Stream { return must(NewVAR(20)) }},
		{"STDDEV20", func() Stream { return must(NewStdDev(20, 2)) }},
		{"MAX20", func() Stream { return must(NewMAX(20)) }},
		{"MAX200", func() Stream { return must(NewMAX(200)) }},
		{"MIN20", func() Stream { return must(NewMIN(20)) }},
		{"MIN200", func() Stream { return must(NewMIN(200)) }},
		{"ROC20", func() Stream { return must(NewROC(20)) }},
		{"ROCP20", func() Stream { return must(NewROCP(20)) }},
		{"RVOL20", func() Stream { return must(NewRVOL(20)) }},
	}
	for _, sc := range scalars {
		in := s.c
		if sc.name == "RVOL20" {
			in = s.vol
		}
		b.Run(sc.name+"/Update", func(b *testing.B) { benchScalar(b, sc.mk(), in, false) })
		b.Run(sc.name+"/Peek", func(b *testing.B) { benchScalar(b, sc.mk(), in, true) })
	}
	for _, peek := range []bool{false, true} {
		op := "Update"
		if peek {
			op = "Peek"
		}
		b.Run("BBANDS20/"+op, func(b *testing.B) {
			bb := must(NewBBands(20, 2, 2))
			for _, x := range s.c[:1000] {
				bb.Update(x)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if peek {
					sinkBB, sinkB, _ = bb.Peek(s.c[i&benchMask])
				} else {
					sinkBB, sinkB, _ = bb.Update(s.c[i&benchMask])
				}
			}
		})
		b.Run("ATR14/"+op, func(b *testing.B) {
			a := must(NewATR(14))
			for i := range 1000 {
				a.Update(s.h[i], s.l[i], s.c[i])
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				j := i & benchMask
				if peek {
					sinkF, sinkB, _ = a.Peek(s.h[j], s.l[j], s.c[j])
				} else {
					sinkF, sinkB, _ = a.Update(s.h[j], s.l[j], s.c[j])
				}
			}
		})
		b.Run("Donchian20/"+op, func(b *testing.B) {
			d := must(NewDonchian(20))
			for i := range 1000 {
				d.Update(s.h[i], s.l[i], s.c[i])
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				j := i & benchMask
				if peek {
					sinkD, sinkB, _ = d.Peek(s.h[j], s.l[j], s.c[j])
				} else {
					sinkD, sinkB, _ = d.Update(s.h[j], s.l[j], s.c[j])
				}
			}
		})
		b.Run("Cross/"+op, func(b *testing.B) {
			c := must(NewCross(0))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d := s.c[i&benchMask] - 400
				if peek {
					sinkI, _ = c.Peek(d)
				} else {
					sinkI, _ = c.Update(d)
				}
			}
		})
	}
}

// quoteSet is the indicator set evaluated for one quote in the side-by-side
// comparison: SMA20/50/200, EMA20, RSI14, ATR14, BBANDS20, MAX/MIN20, ROC20.
type quoteSet struct {
	sma20, sma50, sma200 *SMA
	ema20                *EMA
	rsi14                *RSI
	atr14                *ATR
	bb20                 *BBands
	max20                *MAX
	min20                *MIN
	roc20                *ROC
}

func newQuoteSet() *quoteSet {
	return &quoteSet{
		sma20: must(NewSMA(20)), sma50: must(NewSMA(50)), sma200: must(NewSMA(200)),
		ema20: must(NewEMA(20)), rsi14: must(NewRSI(14)), atr14: must(NewATR(14)),
		bb20: must(NewBBands(20, 2, 2)), max20: must(NewMAX(20)), min20: must(NewMIN(20)),
		roc20: must(NewROC(20)),
	}
}

func (q *quoteSet) peek(h, l, c float64) float64 {
	a, _, _ := q.sma20.Peek(c)
	b, _, _ := q.sma50.Peek(c)
	d, _, _ := q.sma200.Peek(c)
	e, _, _ := q.ema20.Peek(c)
	r, _, _ := q.rsi14.Peek(c)
	t, _, _ := q.atr14.Peek(h, l, c)
	bb, _, _ := q.bb20.Peek(c)
	mx, _, _ := q.max20.Peek(c)
	mn, _, _ := q.min20.Peek(c)
	rc, _, _ := q.roc20.Peek(c)
	return a + b + d + e + r + t + bb.Upper + bb.Lower + mx + mn + rc
}

func (q *quoteSet) update(h, l, c float64) float64 {
	a, _, _ := q.sma20.Update(c)
	b, _, _ := q.sma50.Update(c)
	d, _, _ := q.sma200.Update(c)
	e, _, _ := q.ema20.Update(c)
	r, _, _ := q.rsi14.Update(c)
	t, _, _ := q.atr14.Update(h, l, c)
	bb, _, _ := q.bb20.Update(c)
	mx, _, _ := q.max20.Update(c)
	mn, _, _ := q.min20.Update(c)
	rc, _, _ := q.roc20.Update(c)
	return a + b + d + e + r + t + bb.Upper + bb.Lower + mx + mn + rc
}

// BenchmarkQuote compares the work for one quote: recomputing the indicator
// set with go-talib over a 252-bar window vs the streams' Peek (forming bar)
// or Update (bar close).
func BenchmarkQuote(b *testing.B) {
	s := benchBars()
	const w = 252
	b.Run("talib-252", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			j := i & (benchMask >> 1) // window start; j+w stays in range
			h, l, c := s.h[j:j+w], s.l[j:j+w], s.c[j:j+w]
			last := w - 1
			u, m, lo := talib.BBands(c, 20, 2, 2, talib.SMA)
			sinkF = talib.Sma(c, 20)[last] + talib.Sma(c, 50)[last] + talib.Sma(c, 200)[last] +
				talib.Ema(c, 20)[last] + talib.Rsi(c, 14)[last] + talib.Atr(h, l, c, 14)[last] +
				u[last] + m[last] + lo[last] + talib.Max(c, 20)[last] + talib.Min(c, 20)[last] +
				talib.Roc(c, 20)[last]
		}
	})
	for _, op := range []string{"streams-peek", "streams-update"} {
		b.Run(op, func(b *testing.B) {
			q := newQuoteSet()
			for i := range 1000 {
				q.update(s.h[i], s.l[i], s.c[i])
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				j := i & benchMask
				if op == "streams-peek" {
					sinkF = q.peek(s.h[j], s.l[j], s.c[j])
				} else {
					sinkF = q.update(s.h[j], s.l[j], s.c[j])
				}
			}
		})
	}
}
