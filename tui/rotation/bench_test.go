package rotation

import (
	"testing"

	"github.com/capwatch/capwatch/internal/cputime"
)

// BenchmarkRender200x50: the whole panel (graph, labels, table) at 200×50
// in colour (goal ≤ 2 ms).
func BenchmarkRender200x50(b *testing.B) {
	in := Input{Rotation: fixture(b), Small: "IWM", Large: "SPY"}
	st := NewStyles(false, true, false)
	b.ReportAllocs()
	done := cputime.Report(b)
	defer done()
	for b.Loop() {
		if Render(in, 200, 50, st) == "" {
			b.Fatal("empty")
		}
	}
}
