package breadth

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/capwatch/capwatch/engine"
)

// benchData is 2,000 members × (300 + extra) daily bars and the leg.
type benchData struct {
	days    []Day
	leg     []engine.Bar
	syms    []string
	members [][]engine.Bar
}

const (
	benchMembers = 2000
	benchBars    = 300
	benchExtra   = 250 // dates appended one by one by the closed-bar benchmark
)

var (
	benchMu  sync.Mutex
	benchSet benchData
)

// benchUniverseData returns the shared fixture, generating it if needed.
func benchUniverseData() *benchData {
	benchMu.Lock()
	defer benchMu.Unlock()
	if benchSet.members == nil {
		r := rand.New(rand.NewPCG(9, 9))
		n := benchBars + benchExtra
		d := &benchSet
		d.days = tradingDays(n)
		lc := make([]float64, n)
		c := 200.0
		for i := range lc {
			c *= math.Exp(r.NormFloat64() * 0.01)
			lc[i] = c
		}
		d.leg = barsOf("IWM", d.days, lc)
		for i := range benchMembers {
			sym := fmt.Sprintf("S%04d", i)
			px := 5 + r.Float64()*200
			cl := make([]float64, n)
			for j := range cl {
				px *= math.Exp(r.NormFloat64() * 0.02)
				cl[j] = math.Round(px*100) / 100
			}
			d.syms = append(d.syms, sym)
			d.members = append(d.members, barsOf(sym, d.days, cl))
		}
	}
	return &benchSet
}

// dropBenchData frees the shared fixture (~90 MB) and returns the memory to
// the OS, so that a memory measurement sees only what it builds.
func dropBenchData() {
	benchMu.Lock()
	benchSet = benchData{}
	benchMu.Unlock()
	debug.FreeOSMemory()
}

// loaded returns a universe with the leg and members up to date index n.
func (d *benchData) loaded(tb testing.TB, n int) *Universe {
	u, err := New(Config{Universe: "bench", Members: d.syms})
	if err != nil {
		tb.Fatal(err)
	}
	u.SetLeg(d.leg[:n])
	for i, s := range d.syms {
		if err := u.SetMember(s, d.members[i]); err != nil {
			tb.Fatal(err)
		}
	}
	return u
}

// BenchmarkClosedBar2000: one closed daily bar for 2,000 members (every
// member has its bar for the new date): the leg appends the date, each
// member's streams advance, and the snapshot is rebuilt.
func BenchmarkClosedBar2000(b *testing.B) {
	d := benchUniverseData()
	var u *Universe
	n := benchBars + benchExtra
	b.ReportAllocs()
	for b.Loop() {
		if n == benchBars+benchExtra {
			b.StopTimer()
			u = d.loaded(b, benchBars)
			_ = u.Snapshot()
			n = benchBars
			b.StartTimer()
		}
		n++
		u.SetLeg(d.leg[:n])
		if s := u.Snapshot(); s.AsOf != d.days[n-1].String() {
			b.Fatalf("as_of %s, want %s", s.AsOf, d.days[n-1])
		}
	}
}

// BenchmarkQuote2000: one member quote's incremental breadth update with
// 2,000 members loaded.
func BenchmarkQuote2000(b *testing.B) {
	d := benchUniverseData()
	u := d.loaded(b, benchBars+benchExtra)
	day := d.days[len(d.days)-1] + 1
	u.SetForming(day, 200)
	px := 10.0
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		px += 0.01
		if px > 100 {
			px = 10
		}
		u.Quote(d.syms[i], day, px)
		if i++; i == len(d.syms) {
			i = 0
		}
	}
}

// BenchmarkLoad2000x300: building the universe from 2,000 members × 300
// daily bars (what the history cache hands over) and the first snapshot.
func BenchmarkLoad2000x300(b *testing.B) {
	d := benchUniverseData()
	leg := d.leg[:benchBars]
	members := make([][]engine.Bar, len(d.members))
	for i, m := range d.members {
		members[i] = m[:benchBars]
	}
	b.ReportAllocs()
	for b.Loop() {
		u, err := New(Config{Universe: "bench", Members: d.syms})
		if err != nil {
			b.Fatal(err)
		}
		u.SetLeg(leg)
		for i, s := range d.syms {
			if err := u.SetMember(s, members[i]); err != nil {
				b.Fatal(err)
			}
		}
		if u.Snapshot() == nil {
			b.Fatal("nil snapshot")
		}
	}
}

// BenchmarkMemory2000 reports the heap a loaded 2,000-member universe
// (550 daily bars each) keeps and the process's resident set size. The
// members' bars are generated one member at a time and dropped after
// SetMember; the other benchmarks' fixture is freed first, so rssMB is the
// process with one loaded universe.
func BenchmarkMemory2000(b *testing.B) {
	dropBenchData()
	const bars = benchBars + benchExtra
	days := tradingDays(bars)
	syms := make([]string, benchMembers)
	for i := range syms {
		syms[i] = fmt.Sprintf("S%04d", i)
	}
	leg := barsOf("IWM", days, slices.Repeat([]float64{100}, bars))
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		u, err := New(Config{Universe: "bench", Members: syms})
		if err != nil {
			b.Fatal(err)
		}
		u.SetLeg(leg)
		r := rand.New(rand.NewPCG(3, 3))
		cl := make([]float64, bars)
		for _, s := range syms {
			px := 5 + r.Float64()*200
			for j := range cl {
				px *= math.Exp(r.NormFloat64() * 0.02)
				cl[j] = math.Round(px*100) / 100
			}
			if err := u.SetMember(s, barsOf(s, days, cl)); err != nil {
				b.Fatal(err)
			}
		}
		_ = u.Snapshot()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heapMB")
		if rss := vmRSS(); rss > 0 {
			b.ReportMetric(rss, "rssMB")
		}
		runtime.KeepAlive(u)
	}
}

// vmRSS returns this process's resident set size in MiB (0 if unknown).
func vmRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}
