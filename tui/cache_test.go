package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
)

// TestContentCachesNeverServeStaleViews: the flags and "Now what?" panels
// re-render only when what they show changes, not on every snapshot. Oracle:
// after every snapshot of a sequence that changes (or keeps) flags, values,
// the study and the pair, the dashboard reads exactly like a fresh model
// that was only ever given that snapshot.
func TestContentCachesNeverServeStaleViews(t *testing.T) {
	base := testSnapshot(1)
	type step struct {
		name    string
		edit    func(s *engine.Snapshot)
		changes []string // text that must appear on screen after the step
	}
	otherEv := "2026-11-20"
	confirmed := func(s *engine.Snapshot) int {
		n := 0
		for _, f := range s.Flags {
			if f.State == engine.FlagConfirmed {
				n++
			}
		}
		return n
	}
	steps := []step{
		{"same content, new seq", func(s *engine.Snapshot) {}, nil},
		{"a flag turns confirmed", func(s *engine.Snapshot) { s.Flags[3].State = engine.FlagConfirmed }, []string{fmt.Sprintf("%d/9 confirmed", confirmed(base)+1)}},
		{"a value moves below display precision", func(s *engine.Snapshot) { s.Flags[6].Value.V += 1e-6 }, nil},
		{"a value moves visibly", func(s *engine.Snapshot) { s.Flags[6].Value = engine.Some(2.9) }, []string{"+2.9 vs 2.0 pts"}},
		{"a since date changes", func(s *engine.Snapshot) { s.Flags[0].Since = "2026-11-12" }, nil},
		{"a new analog study", func(s *engine.Snapshot) {
			a := *s.Analogs
			a.LastEvent, a.Events = &otherEv, a.Events[:5]
			a.Horizons = append([]engine.HorizonStats(nil), a.Horizons...)
			for i := range a.Horizons {
				a.Horizons[i].N, a.Horizons[i].RelHitRate = 5, engine.Some(0.8)
			}
			s.Analogs = &a
		}, nil},
		{"new risk figures", func(s *engine.Snapshot) {
			s.Risk = &engine.Risk{Beta63: engine.Some(0.5), VolRatio: engine.Some(2.5)}
		}, nil},
		{"no study", func(s *engine.Snapshot) { s.Analogs, s.Risk = nil, nil }, nil},
		{"flags gone", func(s *engine.Snapshot) { s.Flags = nil }, []string{"no flags computed yet"}},
	}
	for _, sz := range []struct{ w, h int }{{200, 50}, {120, 40}} {
		m, _ := testModel(t, Options{ShowNowWhat: true})
		m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: base})
		_ = m.View()
		prev := base
		for i, st := range steps {
			s := testSnapshot(uint64(i + 2))
			s.Analogs, s.Risk = prev.Analogs, prev.Risk // the engine shares the study until a day close
			s.Flags = append([]engine.Flag(nil), prev.Flags...)
			st.edit(s)
			m = update(m, SnapshotMsg{Snap: s})
			got := screen(m)
			fresh, _ := testModel(t, Options{ShowNowWhat: true})
			fresh = update(fresh, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: s})
			if want := screen(fresh); got != want {
				t.Fatalf("%dx%d, %s: the cached dashboard differs from a fresh render\n got:\n%s\nwant:\n%s", sz.w, sz.h, st.name, got, want)
			}
			for _, c := range st.changes {
				if !strings.Contains(got, c) {
					t.Errorf("%dx%d, %s: %q not on screen", sz.w, sz.h, st.name, c)
				}
			}
			prev = s
		}
	}
}

// TestFlagsAndNowWhatSkipUnchangedSnapshots: a snapshot with the same flags
// and the same study leaves both panels' rendered lines untouched (the same
// backing array: not redrawn), and a changed one redraws them.
func TestFlagsAndNowWhatSkipUnchangedSnapshots(t *testing.T) {
	m, _ := testModel(t, Options{ShowNowWhat: true})
	a := testSnapshot(1)
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: a})
	drawn := func() (flags, nowWhat *string) { return &m.flags().lines[0], &m.nowWhat().lines[0] }
	f0, n0 := drawn()
	b := testSnapshot(2)
	b.Analogs, b.Risk = a.Analogs, a.Risk
	b.Flags[2].Value.V += 1e-9 // not visible at the displayed precision
	m = update(m, SnapshotMsg{Snap: b})
	if f1, n1 := drawn(); f1 != f0 || n1 != n0 {
		t.Errorf("unchanged content redrawn: flags %v, now what %v", f1 != f0, n1 != n0)
	}
	c := testSnapshot(3)
	c.Analogs, c.Risk = a.Analogs, &engine.Risk{}
	c.Flags[2].State = engine.FlagOff
	m = update(m, SnapshotMsg{Snap: c})
	if f2, n2 := drawn(); f2 == f0 || n2 == n0 {
		t.Errorf("changed content not redrawn: flags %v, now what %v", f2 != f0, n2 != n0)
	}
}
