package demo

import (
	"context"
	"math"
	"reflect"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// referenceBars is the demo's first generator, kept as the oracle of "the
// same market": every array over all the world's dates, the shocks drawn
// into a slice first, the bars materialised and then cut.
func referenceBars(w *world, sym string) []engine.Bar {
	p := paramsFor(sym)
	r := rngFor(w.seed, sym, 1)
	n := len(w.dates)
	from := 0
	if isMember(sym) {
		from = max(n-shortDays, 0)
	}
	e := make([]float64, n)
	for i := from; i < n; i++ {
		e[i] = r.NormFloat64()
	}
	ret := make([]float64, n)
	cum := 0.0
	for t := from + 1; t < n; t++ {
		ret[t] = w.otherRet(p, e[t], t) + float64(p.size*w.size[t])
		cum += ret[t]
	}
	prev := p.level * math.Exp(-cum)
	bars := make([]engine.Bar, n)
	for t := from; t < n; t++ {
		sig := symSigma(p, w.mktSig[t])
		cl := prev * math.Exp(ret[t])
		op := prev * math.Exp(gapFrac*ret[t]+0.2*sig*r.NormFloat64())
		if t == from {
			op = cl * math.Exp(0.3*sig*r.NormFloat64())
		}
		hi := max(op, cl) * math.Exp(hlFrac*sig*math.Abs(r.NormFloat64()))
		lo := min(op, cl) * math.Exp(-hlFrac*sig*math.Abs(r.NormFloat64()))
		vol := p.adv * math.Exp(0.3*r.NormFloat64()-0.045) * (0.68 + 0.4*math.Abs(ret[t])/sig) *
			math.Sqrt(w.mktSig[t]/mktVol(1))
		if t == n-1 && w.staged && sym == stagedSmall && t >= 20 {
			sum := 0.0
			for _, b := range bars[t-20 : t] {
				sum += b.Volume
			}
			vol = min(vol, quietVol*sum/20)
		}
		bars[t] = engine.Bar{Symbol: sym, Time: w.dates[t], Open: cents(op), High: cents(hi), Low: cents(lo), Close: cents(cl), Volume: math.Round(vol)}
		b := &bars[t]
		b.High = max(b.High, b.Open, b.Close)
		b.Low = min(b.Low, b.Open, b.Close)
		prev = cl
	}
	if sym != w.small && sym != w.large {
		from = max(from, n-shortDays)
	}
	return bars[from:]
}

// TestStreamedBarsAreTheReferenceMarket: the streamed generator gives the
// same bars, bit for bit, as the materialising one it replaced (the pair's
// legs, a sector ETF, an unknown symbol, members; a member
// as the pair's small leg), and the stream starts from the same last
// closes and 20-day volumes.
func TestStreamedBarsAreTheReferenceMarket(t *testing.T) {
	for _, o := range []Options{
		{Seed: 1},
		{Seed: 7, Small: "IJR", Large: "VOO"},
		{Seed: 3, Small: "SC007", Large: "SPY"},
	} {
		f := newFeed(t, o)
		w := f.world()
		syms := []string{"IWM", "SPY", "IJR", "VOO", "XLK", "PSCT", "ZZZZ", "SC001", "SC007", "SC600"}
		h := history(t, f, syms...)
		for _, s := range syms {
			if want := referenceBars(w, s); !reflect.DeepEqual(h.Daily[s], want) {
				t.Errorf("seed %d %s/%s: %s's %d bars differ from the reference's %d", o.Seed, o.Small, o.Large, s, len(h.Daily[s]), len(want))
			}
		}
		l := newLive(w, f.cal, syms, f.start, time.Second)
		for i, s := range syms {
			bars := h.Daily[s]
			sum := 0.0
			for _, b := range bars[len(bars)-20:] {
				sum += b.Volume
			}
			if ls := l.syms[i]; ls.adv != sum/20 {
				t.Errorf("%s: the stream's average volume %v, want %v", s, ls.adv, sum/20)
			}
		}
	}
}

// TestHistoryAllocatesWhatItReturns: a symbol's history costs about the
// bars it returns (members are generated over their three years only; the
// others' years before them are streamed, not kept), and starting the
// stream, which needs only each symbol's last close and 20 volumes, costs
// a fraction of that. The first generator allocated 8× the history for
// History and as much again for Stream.
func TestHistoryAllocatesWhatItReturns(t *testing.T) {
	f := newFeed(t, Options{Seed: 1})
	w := f.world()
	syms := append(Members()[:100], "XLK", "PSCT", "ZZZZ")
	measure := func(fn func()) uint64 {
		var a, b runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&a)
		fn()
		runtime.ReadMemStats(&b)
		return b.TotalAlloc - a.TotalAlloc
	}
	var h map[string][]engine.Bar
	hist := measure(func() {
		x, err := f.History(context.Background(), syms)
		if err != nil {
			t.Fatal(err)
		}
		h = x.Daily
	})
	size := uint64(0)
	for _, bars := range h {
		size += uint64(len(bars)) * uint64(unsafe.Sizeof(engine.Bar{}))
	}
	t.Logf("History: %d KB allocated for %d KB of bars", hist>>10, size>>10)
	if hist > 2*size {
		t.Errorf("History allocated %d KB for %d KB of bars (want at most 2×)", hist>>10, size>>10)
	}
	stream := measure(func() { newLive(w, calendar.NYSE(), syms, f.start, time.Second) })
	t.Logf("stream start: %d KB allocated", stream>>10)
	if stream > size/4 {
		t.Errorf("starting the stream allocated %d KB, want at most a quarter of the history's %d KB", stream>>10, size>>10)
	}
}
