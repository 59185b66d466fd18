package failover

import (
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
)

// BenchmarkDayBatch: what feed "auto" adds to a batch of a source that
// sends whole days — 2,000 symbols each sending today's complete set of
// 1-minute bars (390) — when passing it on (as updates: nothing copied).
func BenchmarkDayBatch(b *testing.B) {
	const syms, minutes = 2000, 390
	open := time.Date(2026, 11, 24, 9, 30, 0, 0, calendar.Location())
	batch := make([]engine.Bar, 0, syms*minutes)
	for i := range syms {
		sym := "S" + string(rune('A'+i%26)) + string(rune('A'+i/26%26)) + string(rune('A'+i/676))
		for m := range minutes {
			batch = append(batch, engine.Bar{Symbol: sym, Time: open.Add(time.Duration(m) * time.Minute), Open: 1, High: 1, Low: 1, Close: 1, Volume: 1})
		}
	}
	f, err := New(Options{Sources: []feeds.Feed{fake.New(fake.Options{})}})
	if err != nil {
		b.Fatal(err)
	}
	out := make(chan feeds.Batch, 1)
	s := &stream{f: f, ctx: b.Context(), out: out, lastQuote: map[string]time.Time{}, said: map[int]*engine.Provenance{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := s.send(feeds.Batch{Bars: batch}, true); err != nil {
			b.Fatal(err)
		}
		if got := <-out; len(got.Updates) != len(batch) {
			b.Fatal("bars lost")
		}
	}
}
