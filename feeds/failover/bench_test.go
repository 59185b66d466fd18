package failover

import (
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
)

// BenchmarkDayBatch: what feed "auto" adds to a streaming source's batch
// late in the session — 2,000 symbols each sending today's complete set of
// 1-minute bars (390) — on the steady path (the serving source covers what
// was delivered before).
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
	s := &stream{f: f, day: map[string][]engine.Bar{}}
	s.bars(batch)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if out := s.bars(batch); len(out) != len(batch) {
			b.Fatal("bars lost")
		}
	}
}
