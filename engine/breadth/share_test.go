package breadth

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/capwatch/capwatch/engine"
)

// TestMembersShareTheirDates: members trading on the same dates hold one
// array of dates between them (memory: 2,000 members × 1,260 dates), and
// sharing never lets one member's change reach another: a provisional bar
// from a live quote (quotesToBars appends to the member's dates) lands on
// the quoted members only, and the result equals a universe built from
// scratch with those bars as real ones.
func TestMembersShareTheirDates(t *testing.T) {
	leg, members := randomUniverse(5, 6, 300)
	for i := range members { // every member on the leg's dates
		members[i].days = slices.Clone(leg.days)
		members[i].closes = members[i].closes[:0]
		for k := range leg.days {
			members[i].closes = append(members[i].closes, float64(20+i)+float64(k%17)*0.25)
		}
	}
	u := newUniverse(t, members)
	u.SetLeg(barsOf("IWM", leg.days[:len(leg.days)-1], leg.closes[:len(leg.closes)-1]))
	last := len(leg.days) - 1
	for _, m := range members {
		if err := u.SetMember(m.sym, barsOf(m.sym, m.days[:last], m.closes[:last])); err != nil {
			t.Fatal(err)
		}
	}
	first := unsafe.SliceData(u.members[0].days)
	for i := range u.members {
		if got := unsafe.SliceData(u.members[i].days); got != first {
			t.Fatalf("member %d holds its own copy of the same %d dates", i, len(u.members[i].days))
		}
	}

	// A live day: members 0 and 2 quote, then the leg closes the day and
	// their quotes become provisional bars.
	d := leg.days[last]
	u.SetForming(d, leg.closes[last])
	quoted := map[int]bool{0: true, 2: true}
	for i := range quoted {
		u.Quote(members[i].sym, d, members[i].closes[last])
	}
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	for i := range u.members {
		n, want := len(u.members[i].days), last
		if quoted[i] {
			want++
		}
		if n != want {
			t.Errorf("member %d: %d dates after the close, want %d (quoted: %v)", i, n, want, quoted[i])
		}
		if !slices.Equal(u.members[i].days[:last], leg.days[:last]) {
			t.Errorf("member %d: its earlier dates changed", i)
		}
	}

	fresh := make([]series, len(members))
	for i, m := range members {
		n := last
		if quoted[i] {
			n++
		}
		fresh[i] = series{sym: m.sym, days: m.days[:n], closes: m.closes[:n]}
	}
	sameBreadth(t, "after the close", u.Snapshot(), fullBuild(t, leg, fresh))
}

// TestCleanBarsOracle: whatever the order, duplicates and bad closes of
// the input, cleanBars gives each date once, sorted, with the close of its
// last valid bar, and counts the bad ones (oracle: a map of date → close).
func TestCleanBarsOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	days := tradingDays(60)
	for trial := range 300 {
		var bars []engine.Bar
		want := map[Day]float64{}
		bad := 0
		n := r.IntN(50)
		sorted := trial%3 == 0 // a third in date order (the usual case), unique
		for k := range n {
			d := days[r.IntN(len(days))]
			if sorted {
				d = days[k]
			}
			c := float64(1 + r.IntN(100))
			switch r.IntN(8) {
			case 0:
				c = 0
			case 1:
				c = math.NaN()
			case 2:
				c = math.Inf(1)
			}
			if c > 0 && c <= math.MaxFloat64 {
				want[d] = c
			} else {
				bad++
			}
			bars = append(bars, barsOf("M", []Day{d}, []float64{c})...)
		}
		gotDays, gotCloses, gotBad := cleanBars(bars)
		wantDays := slices.Sorted(maps.Keys(want))
		if !slices.Equal(gotDays, wantDays) || gotBad != bad || len(gotCloses) != len(wantDays) {
			t.Fatalf("trial %d: days %v (bad %d), want %v (bad %d)", trial, gotDays, gotBad, wantDays, bad)
		}
		for i, d := range wantDays {
			if gotCloses[i] != want[d] {
				t.Fatalf("trial %d: close on %v = %v, want %v", trial, d, gotCloses[i], want[d])
			}
		}
		if cap(gotDays) != len(gotDays) {
			t.Fatalf("trial %d: days has room to append in place (cap %d, len %d): a shared array could be overwritten", trial, cap(gotDays), len(gotDays))
		}
	}
}
