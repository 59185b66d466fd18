package breadth

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/capwatch/capwatch/engine"
)

// upTo returns the part of s on or before day d.
func upTo(s series, d Day) series {
	n, _ := slices.BinarySearch(s.days, d+1)
	return series{sym: s.sym, days: s.days[:n], closes: s.closes[:n]}
}

func fullBuild(t *testing.T, leg series, members []series) *engine.Breadth {
	t.Helper()
	u := newUniverse(t, members)
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	load(t, u, members)
	return u.Snapshot()
}

func sameBreadth(t *testing.T, what string, got, want *engine.Breadth) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		if got == nil || want == nil {
			t.Fatalf("%s: got %v, want %v", what, got, want)
		}
		for i := range min(len(got.History), len(want.History)) {
			if got.History[i] != want.History[i] {
				t.Fatalf("%s: history[%d] = %+v, want %+v", what, i, got.History[i], want.History[i])
			}
		}
		g, w := *got, *want
		g.History, w.History = nil, nil
		t.Fatalf("%s:\n got %+v (%d points)\nwant %+v (%d points)", what, g, len(got.History), w, len(want.History))
	}
}

func TestLoadOrderAndIncrementalEqualFullBuild(t *testing.T) {
	leg, members := randomUniverse(11, 40, 330)
	want := fullBuild(t, leg, members)

	t.Run("members before leg, shuffled", func(t *testing.T) {
		u := newUniverse(t, members)
		r := rand.New(rand.NewPCG(1, 2))
		sh := slices.Clone(members)
		r.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
		load(t, u, sh)
		u.SetLeg(barsOf("IWM", leg.days, leg.closes))
		sameBreadth(t, "shuffled", u.Snapshot(), want)
	})

	t.Run("day by day", func(t *testing.T) {
		u := newUniverse(t, members)
		start := len(leg.days) - 20
		cut := leg.days[start-1]
		u.SetLeg(barsOf("IWM", leg.days[:start], leg.closes[:start]))
		for _, m := range members {
			m = upTo(m, cut)
			if err := u.SetMember(m.sym, barsOf(m.sym, m.days, m.closes)); err != nil {
				t.Fatal(err)
			}
		}
		for k := start; k < len(leg.days); k++ {
			// Alternate: leg first, members later, and the other way round.
			if k%2 == 0 {
				u.SetLeg(barsOf("IWM", leg.days[:k+1], leg.closes[:k+1]))
			}
			for _, m := range members {
				m = upTo(m, leg.days[k])
				if err := u.SetMember(m.sym, barsOf(m.sym, m.days, m.closes)); err != nil {
					t.Fatal(err)
				}
			}
			if k%2 == 1 {
				u.SetLeg(barsOf("IWM", leg.days[:k+1], leg.closes[:k+1]))
			}
			_ = u.Snapshot()
		}
		// Members' bars after the leg's last date were appended as well.
		load(t, u, members)
		sameBreadth(t, "day by day", u.Snapshot(), want)
	})

	t.Run("revised member and leg", func(t *testing.T) {
		u := newUniverse(t, members)
		u.SetLeg(barsOf("IWM", leg.days, leg.closes))
		load(t, u, members)
		m := members[3]
		rev := series{sym: m.sym, days: m.days, closes: slices.Clone(m.closes)}
		rev.closes[len(rev.closes)/2] *= 1.5
		if err := u.SetMember(rev.sym, barsOf(rev.sym, rev.days, rev.closes)); err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(u.Snapshot().History, want.History) {
			t.Fatal("a revised close changed nothing")
		}
		if err := u.SetMember(m.sym, barsOf(m.sym, m.days, m.closes)); err != nil {
			t.Fatal(err)
		}
		// A leg revision (a date removed, then restored) rebuilds everything.
		short := slices.Delete(slices.Clone(leg.days), 100, 101)
		shortC := slices.Delete(slices.Clone(leg.closes), 100, 101)
		u.SetLeg(barsOf("IWM", short, shortC))
		u.SetLeg(barsOf("IWM", leg.days, leg.closes))
		sameBreadth(t, "revised and restored", u.Snapshot(), want)
	})
}

// consecutiveCut returns an index k (counted from the end) such that leg
// date k and k-1 have no member bar between them on a date the leg skips.
func consecutiveCut(leg series, members []series) int {
	for k := len(leg.days) - 1; k > 1; k-- {
		ok := true
		for _, m := range members {
			for _, d := range m.days {
				if d > leg.days[k-1] && d < leg.days[k] {
					ok = false
				}
			}
		}
		if ok {
			return k
		}
	}
	return -1
}

// TestLiveQuotesEqualClosedBar: quoting every member's close on the forming
// date gives the values that date gets once it is closed (Peek = Update).
func TestLiveQuotesEqualClosedBar(t *testing.T) {
	leg, members := randomUniverse(5, 50, 320)
	k := consecutiveCut(leg, members)
	if k < 0 {
		t.Fatal("no usable date")
	}
	leg.days, leg.closes = leg.days[:k+1], leg.closes[:k+1]
	d := leg.days[k]
	var cut []series
	for _, m := range members {
		cut = append(cut, upTo(m, d))
	}
	want := fullBuild(t, leg, cut)
	if want.AsOf != d.String() {
		t.Fatalf("reference as_of %s, want %s", want.AsOf, d)
	}

	u := newUniverse(t, cut)
	u.SetLeg(barsOf("IWM", leg.days[:k], leg.closes[:k]))
	for _, m := range cut {
		m = upTo(m, leg.days[k-1])
		if err := u.SetMember(m.sym, barsOf(m.sym, m.days, m.closes)); err != nil {
			t.Fatal(err)
		}
	}
	u.SetForming(d, leg.closes[k])
	before := u.Snapshot()
	if before.Forming {
		t.Fatal("forming without quotes")
	}
	for i, m := range cut {
		n := len(m.days)
		if n == 0 || m.days[n-1] != d {
			continue
		}
		if i%3 == 0 {
			// Its official bar for the forming date is already loaded (no
			// quote): it counts like a quote.
			if err := u.SetMember(m.sym, barsOf(m.sym, m.days, m.closes)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		// A wrong price first, then the right one: the last quote counts.
		if !u.Quote(m.sym, d, m.closes[n-1]*1.3) || !u.Quote(m.sym, d, m.closes[n-1]) {
			t.Fatalf("quote for %s rejected", m.sym)
		}
	}
	if u.Quote(cut[0].sym, d-1, 10) || u.Quote(cut[0].sym, d, -1) || u.Quote("NOPE", d, 10) {
		t.Error("a quote for another day, a negative price or a non-member was accepted")
	}
	got := u.Snapshot()
	if !got.Forming || got.AsOf != d.String() {
		t.Fatalf("live snapshot forming=%v as_of=%s, want forming at %s", got.Forming, got.AsOf, d)
	}
	g, w := *got, *want
	g.History, w.History, g.Forming = nil, nil, false
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("live values differ from the closed bar's:\n got %+v\nwant %+v", g, w)
	}
	above, thrust, ok := u.LiveFlags()
	last := want.History[len(want.History)-1]
	if !ok || above != last.AboveOn || thrust != last.ThrustRecent {
		t.Errorf("LiveFlags = %v %v %v, want %v %v true", above, thrust, ok, last.AboveOn, last.ThrustRecent)
	}

	// The leg closes the date: the quotes become provisional bars and the
	// closed snapshot equals the reference.
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	sameBreadth(t, "quotes committed", u.Snapshot(), want)
	// The official bars arrive (one member's close differs from its last
	// quote): they replace the provisional ones.
	off := slices.Clone(cut)
	for i, m := range off {
		if n := len(m.days); n > 0 && m.days[n-1] == d {
			off[i].closes = slices.Clone(m.closes)
			off[i].closes[n-1] *= 1.02
			break
		}
	}
	load(t, u, off)
	sameBreadth(t, "official bars", u.Snapshot(), fullBuild(t, leg, off))
}

func TestQuoteDoesNotAllocate(t *testing.T) {
	leg, members := randomUniverse(3, 30, 300)
	u := newUniverse(t, members)
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	load(t, u, members)
	d := leg.days[len(leg.days)-1] + 1
	u.SetForming(d, 100)
	px := 10.0
	allocs := testing.AllocsPerRun(200, func() {
		px += 0.01
		u.Quote(members[7].sym, d, px)
	})
	if allocs != 0 {
		t.Errorf("Quote allocates %v times", allocs)
	}
}

func TestNewFormingDayDropsQuotes(t *testing.T) {
	leg, members := randomUniverse(3, 30, 300)
	u := newUniverse(t, members)
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	load(t, u, members)
	d := leg.days[len(leg.days)-1] + 1
	u.SetForming(d, 100)
	for _, m := range members {
		u.Quote(m.sym, d, 20)
	}
	if got := u.Quoted(); got != len(members) {
		t.Fatalf("Quoted = %d, want %d", got, len(members))
	}
	u.SetForming(d+1, 100)
	if got := u.Quoted(); got != 0 {
		t.Errorf("Quoted after a new forming day = %d, want 0", got)
	}
	if u.Snapshot().Forming {
		t.Error("forming snapshot without quotes for the new day")
	}
}

// TestRandomOperationsEqualFreshBuild applies random member reloads (some
// revised), quotes and forming-price changes during a live day and compares
// every snapshot with a universe built from scratch from the same inputs.
func TestRandomOperationsEqualFreshBuild(t *testing.T) {
	leg, members := randomUniverse(21, 25, 300)
	k := len(leg.days) - 1
	d := leg.days[k]
	all := leg.days
	leg.days, leg.closes = leg.days[:k], leg.closes[:k]
	cur := make([]series, len(members))
	for i, m := range members {
		cur[i] = upTo(m, all[k-30])
	}
	quotes := map[string]float64{}
	price := 200.0
	u := newUniverse(t, members)
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	load(t, u, cur)
	u.SetForming(d, price)

	r := rand.New(rand.NewPCG(4, 4))
	for step := range 40 {
		i := r.IntN(len(members))
		m := members[i]
		switch op := r.IntN(4); op {
		case 0, 1: // reload: another prefix, sometimes a revised close
			s := upTo(m, all[k-30+r.IntN(31)])
			if r.IntN(3) == 0 && len(s.closes) > 0 {
				s.closes = slices.Clone(s.closes)
				s.closes[r.IntN(len(s.closes))] *= 1.1
			}
			if err := u.SetMember(s.sym, barsOf(s.sym, s.days, s.closes)); err != nil {
				t.Fatal(err)
			}
			// A shorter history keeps the member's later bars.
			old := cur[i]
			for j, day := range old.days {
				if len(s.days) == 0 || day > s.days[len(s.days)-1] {
					s.days = append(slices.Clone(s.days), old.days[j:]...)
					s.closes = append(slices.Clone(s.closes), old.closes[j:]...)
					break
				}
			}
			cur[i] = s
		case 2:
			q := 5 + r.Float64()*100
			quotes[m.sym] = q
			u.Quote(m.sym, d, q)
		case 3:
			price = 150 + r.Float64()*100
			u.SetForming(d, price)
		}
		f := newUniverse(t, members)
		f.SetLeg(barsOf("IWM", leg.days, leg.closes))
		load(t, f, cur)
		f.SetForming(d, price)
		for _, s := range members {
			if q, ok := quotes[s.sym]; ok {
				f.Quote(s.sym, d, q)
			}
		}
		got, want := u.Snapshot(), f.Snapshot()
		if !reflect.DeepEqual(got, want) {
			sameBreadth(t, fmt.Sprintf("step %d", step), got, want)
		}
	}
}

// TestSetMembersKeepsAndDrops: a new list keeps its members' history, drops
// the others' contributions (closed and live) and takes new ones; the
// result equals a universe built with the final list.
func TestSetMembersKeepsAndDrops(t *testing.T) {
	leg, members := randomUniverse(8, 30, 300)
	d := leg.days[len(leg.days)-1]
	leg.days, leg.closes = leg.days[:len(leg.days)-1], leg.closes[:len(leg.closes)-1]
	u := newUniverse(t, members[:20])
	u.SetLeg(barsOf("IWM", leg.days, leg.closes))
	load(t, u, members[:20])
	u.SetForming(d, 100)
	for _, m := range members[:20] {
		u.Quote(m.sym, d, 50)
	}
	final := append(slices.Clone(members[10:20]), members[20:]...)
	var syms []string
	for _, m := range final {
		syms = append(syms, m.sym)
	}
	u.SetMembers("other", syms)
	load(t, u, members[20:])
	for _, m := range members[20:] {
		u.Quote(m.sym, d, 50)
	}

	f := newUniverse(t, final)
	f.SetLeg(barsOf("IWM", leg.days, leg.closes))
	load(t, f, final)
	f.SetForming(d, 100)
	for _, m := range final {
		f.Quote(m.sym, d, 50)
	}
	got, want := u.Snapshot(), f.Snapshot()
	want.Universe = "other"
	sameBreadth(t, "after SetMembers", got, want)
	if u.IsMember(members[0].sym) || !u.IsMember(members[25].sym) {
		t.Error("membership not replaced")
	}
}
