package app

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/feeds/histcache"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// BenchmarkMembersFromCache: what a restart costs for 2,000 members with
// 300 daily bars each in the history cache: reading every cache file
// (histcache.Complete) and loading them into the breadth universe, then the
// first snapshot. Goal ≤ 1 s.
func BenchmarkMembersFromCache(b *testing.B) {
	const nMembers, nBars = 2000, 300
	cal := calendar.NYSE()
	end := time.Date(2025, 10, 10, 0, 0, 0, 0, calendar.Location())
	dates := make([]time.Time, nBars)
	d := end
	for i := nBars - 1; i >= 0; i-- {
		dates[i] = d
		d = cal.PrevTradingDate(d)
	}
	r := rand.New(rand.NewPCG(5, 5))
	h := feeds.History{Daily: map[string][]engine.Bar{}}
	syms := make([]string, nMembers)
	for i := range syms {
		syms[i] = fmt.Sprintf("M%04d", i)
		px := 10 + r.Float64()*100
		bars := make([]engine.Bar, nBars)
		for j, dt := range dates {
			px = math.Max(0.5, px*math.Exp(r.NormFloat64()*0.02))
			c := math.Round(px*100) / 100
			bars[j] = engine.Bar{Symbol: syms[i], Time: dt, Open: c, High: c, Low: c, Close: c, Volume: 1e5}
		}
		h.Daily[syms[i]] = bars
	}
	leg := h.Daily[syms[0]]
	dir := b.TempDir()
	after := time.Date(2025, 10, 10, 18, 0, 0, 0, calendar.Location())
	hc, err := histcache.New(fake.New(fake.Options{Name: "yahoo", History: h}), histcache.Options{Dir: dir, Clock: clock.NewFake(after)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := hc.History(context.Background(), syms); err != nil { // writes the cache files
		b.Fatal(err)
	}
	h = feeds.History{} // only the files remain
	b.ReportAllocs()
	for b.Loop() {
		got := hc.Complete(syms)
		if len(got) != nMembers {
			b.Fatalf("%d members complete, want %d", len(got), nMembers)
		}
		u, err := breadth.New(breadth.Config{Universe: "bench", Members: syms})
		if err != nil {
			b.Fatal(err)
		}
		u.SetLeg(leg)
		for _, s := range syms {
			if err := u.SetMember(s, got[s]); err != nil {
				b.Fatal(err)
			}
		}
		if s := u.Snapshot(); s == nil || s.Covered != nMembers {
			b.Fatalf("snapshot %+v", s)
		}
	}
}
