package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Goals: View() steady state ≤1 ms at 80×24 and ≤3 ms at 200×50 (since
// layout moved into Update, the idle Update+View benchmarks measure what
// the steady View did); one snapshot update plus View ≤2 ms at 200×50.
//
//	go test ./tui/ -run '^$' -bench . -benchmem

func benchModel(b *testing.B, w, h int) Model {
	m, _ := testModel(b, Options{ShowNowWhat: true})
	m = update(m, tea.WindowSizeMsg{Width: w, Height: h}, SnapshotMsg{Snap: testSnapshot(1)})
	_ = m.View()
	return m
}

func benchView(b *testing.B, w, h int) {
	m := benchModel(b, w, h)
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

func BenchmarkViewSteady80x24(b *testing.B)  { benchView(b, 80, 24) }
func BenchmarkViewSteady200x50(b *testing.B) { benchView(b, 200, 50) }

// View only hands over the screen composed in Update; an Update that
// changes nothing (an unbound key) plus View is the steady per-message
// cost: layout, cached panels joined, status and key lines.
func BenchmarkIdleUpdateView80x24(b *testing.B)  { benchIdle(b, 80, 24) }
func BenchmarkIdleUpdateView200x50(b *testing.B) { benchIdle(b, 200, 50) }

func benchIdle(b *testing.B, w, h int) {
	m := benchModel(b, w, h)
	key := tea.KeyPressMsg{Code: 'x', Text: "x"} // bound to nothing
	b.ReportAllocs()
	for b.Loop() {
		nm, _ := m.Update(key)
		m = nm.(Model)
		_ = m.View()
	}
}

func BenchmarkSnapshotUpdateView200x50(b *testing.B) { benchUpdate(b, "") }

// BenchmarkSnapshotUpdateView200x50_1D is the same on the 1D chart (the
// session grid and yesterday's close line).
func BenchmarkSnapshotUpdateView200x50_1D(b *testing.B) { benchUpdate(b, "1") }

func benchUpdate(b *testing.B, key string) {
	m := benchModel(b, 200, 50)
	if key != "" {
		m = update(m, press(key))
	}
	// Two snapshots with new prices (a new chart, quotes, sectors) that share
	// the study results, as the engine's do between day closes.
	snaps := []*SnapshotMsg{{Snap: testSnapshot(2)}, {Snap: testSnapshot(3)}}
	snaps[1].Snap.Analogs, snaps[1].Snap.Risk = snaps[0].Snap.Analogs, snaps[0].Snap.Risk
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		nm, _ := m.Update(*snaps[i%2])
		m = nm.(Model)
		_ = m.View()
		i++
	}
}

// BenchmarkTickView200x50 is the once-a-second cost: the clock moves a
// second, ages and countdowns re-render, everything else is cached.
func BenchmarkTickView200x50(b *testing.B) {
	m, clk := testModel(b, Options{ShowNowWhat: true})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
	_ = m.View()
	b.ReportAllocs()
	for b.Loop() {
		clk.Advance(time.Second)
		nm, _ := m.Update(tickMsg{gen: m.tickGen})
		m = nm.(Model)
		_ = m.View()
	}
}
