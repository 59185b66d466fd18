package main

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds/demo"
)

// BenchmarkDemoUniverse loads the demo's 600 breadth members into a
// universe the dashboard's way (the small leg's history, then the members
// localMemberBatch at a time) and reports the heap the loaded universe
// keeps (heapMB, after a GC) beside the members' closes alone (closesMB:
// members × bars × 8 bytes, the least any model of them holds), and the
// heap's peak while loading (peakMB: live and not yet collected objects,
// sampled). -benchmem's B/op is everything allocated on the way.
func BenchmarkDemoUniverse(b *testing.B) {
	ctx := context.Background()
	f, err := demo.New(demo.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	syms := demo.Members()
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := samplePeakHeap()
		u, err := breadth.New(breadth.Config{Universe: "demo", Members: syms})
		if err != nil {
			b.Fatal(err)
		}
		h, err := f.History(ctx, []string{"IWM"})
		if err != nil {
			b.Fatal(err)
		}
		u.SetLeg(h.Daily["IWM"])
		bars := 0
		for i := 0; i < len(syms); i += localMemberBatch {
			h, err := f.History(ctx, syms[i:min(i+localMemberBatch, len(syms))])
			if err != nil {
				b.Fatal(err)
			}
			for s, d := range h.Daily {
				bars += len(d)
				if err := u.SetMember(s, d); err != nil {
					b.Fatal(err)
				}
			}
		}
		if u.Breadth() == nil {
			b.Fatal("no breadth")
		}
		peak := stop()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heapMB")
		b.ReportMetric(float64(bars)*8/(1<<20), "closesMB")
		b.ReportMetric(float64(peak-before.HeapAlloc)/(1<<20), "peakMB")
		runtime.KeepAlive(u)
	}
}

// BenchmarkDemoSnapshot is `capwatch snapshot --feed demo` (the pair, the
// watchlist and the 600 breadth members): peakMB is the heap's peak (live
// and not yet collected objects, sampled) above the heap before the run.
func BenchmarkDemoSnapshot(b *testing.B) {
	for b.Loop() {
		h := newHarness(b)
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := samplePeakHeap()
		if code, _, errOut := h.run("snapshot", "--feed", "demo", "--format", "json"); code != 0 {
			b.Fatalf("exit %d: %s", code, errOut)
		}
		b.ReportMetric(float64(stop()-before.HeapAlloc)/(1<<20), "peakMB")
	}
}

// samplePeakHeap samples the heap's objects (live and unswept) every 200 µs
// until the returned function is called, which returns the largest value.
func samplePeakHeap() (stop func() uint64) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	var peak uint64
	read := func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		peak = max(peak, s[0].Value.Uint64())
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}
