package tui

import (
	"math"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/charmbracelet/x/ansi"
)

// cellsOf are the numbers at the end of a sector row, in groups of three
// (small, large, spread); nil when the row has no such numbers.
func cellsOf(line string) [][3]string {
	f := strings.Fields(strings.Trim(ansi.Strip(line), "│ "))
	var nums []string
	for i := len(f) - 1; i >= 0; i-- {
		if _, err := strconv.ParseFloat(f[i], 64); err != nil && f[i] != "—" {
			break
		}
		nums = append([]string{f[i]}, nums...)
	}
	nums = nums[len(nums)%3:]
	var out [][3]string
	for i := 0; i+2 < len(nums); i += 3 {
		out = append(out, [3]string{nums[i], nums[i+1], nums[i+2]})
	}
	return out
}

// TestSectorSpreadIsShownDifference: in both modes and at every width, the
// spread column is the small column less the large column as shown. The
// legs' benchmarks differ (IWM for the small legs, SPY for the large), so
// in relative mode the spread of the returns is not the spread of the
// columns.
func TestSectorSpreadIsShownDifference(t *testing.T) {
	snap := testSnapshot(1)
	for i := range snap.Sectors {
		s := &snap.Sectors[i]
		shift := func(r engine.Returns, d float64) engine.Returns {
			return engine.Returns{D1: engine.Some(r.D1.V + d), W1: engine.Some(r.W1.V + 2*d), M1: engine.Some(r.M1.V + 3*d), M3: engine.Some(r.M3.V + 4*d)}
		}
		s.LargeVsBench = shift(s.LargeVsBench, 0.7) // SPY's move differs from IWM's
		s.SmallRet.D1 = engine.Some(0.04)           // rounds to +0.0 against a large leg of 0.0x
		s.LargeRet.D1 = engine.Some(0.01)
	}
	for _, rel := range []bool{false, true} {
		for _, sz := range []struct{ w, h int }{{200, 50}, {160, 45}, {120, 40}, {80, 24}, {80, 23}} {
			m, _ := testModel(t, Options{NoColor: true})
			m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: snap})
			if rel {
				m = update(m, press("r"))
			}
			rows := 0
			for _, l := range strings.Split(m.sectors().View(), "\n") {
				for _, c := range cellsOf(l) {
					if c[0] == "—" || c[1] == "—" {
						continue
					}
					a, _ := strconv.ParseFloat(c[0], 64)
					b, _ := strconv.ParseFloat(c[1], 64)
					d, _ := strconv.ParseFloat(c[2], 64)
					tol := 0.05 + 1e-9 // one decimal
					if math.Abs(a-b) >= 9.95 {
						tol = 0.5 + 1e-9 // shown without decimals
					}
					if math.Abs(d-(a-b)) > tol {
						t.Errorf("relative=%v %dx%d: %s - %s shown as spread %s: %q", rel, sz.w, sz.h, c[0], c[1], c[2], ansi.Strip(l))
					}
					rows++
				}
			}
			if rows < len(snap.Sectors) {
				t.Fatalf("relative=%v %dx%d: parsed %d rows of cells", rel, sz.w, sz.h, rows)
			}
		}
	}
}
