package histcache

import (
	"context"
	"fmt"
	"testing"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/clock"
)

// benchCache writes 20 symbols × 7,500 bars (30 years) into a cache.
func benchCache(b *testing.B) (*Feed, []string, map[string][]engine.Bar) {
	b.Helper()
	m := map[string][]engine.Bar{}
	var syms []string
	for i := range 20 {
		s := fmt.Sprintf("SYM%02d", i)
		syms = append(syms, s)
		m[s] = series(s, 7500, tAfter)
	}
	inner := newRecentFake(daily(m), nil)
	f, err := New(inner, Options{Dir: b.TempDir(), Clock: clock.NewFake(tAfter)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.History(context.Background(), syms); err != nil {
		b.Fatal(err)
	}
	return f, syms, m
}

// BenchmarkLoad reads and validates 20 cache files of 7,500 bars each.
func BenchmarkLoad(b *testing.B) {
	f, syms, _ := benchCache(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, bars := range f.loadAll(syms) {
			if len(bars) != 7500 {
				b.Fatal("short load")
			}
		}
	}
}

// BenchmarkHistoryUpToDate is a whole History over the same cache against an
// in-process source whose recent bars match it (no write): load, merge and
// compare, without the network.
func BenchmarkHistoryUpToDate(b *testing.B) {
	f, syms, m := benchCache(b)
	recent := map[string][]engine.Bar{}
	for s, bars := range m {
		recent[s] = bars[len(bars)-DefaultOverlap:]
	}
	f.inner = newRecentFake(daily(recent), nil)
	b.ReportAllocs()
	for b.Loop() {
		h, err := f.History(context.Background(), syms)
		if err != nil || len(h.Daily[syms[0]]) != 7500 {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode decodes one 7,500-bar file already in memory.
func BenchmarkDecode(b *testing.B) {
	data := encode(series("IWM", 7500, tAfter))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decode(data, "IWM"); err != nil {
			b.Fatal(err)
		}
	}
}
