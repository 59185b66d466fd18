package nowwhat

import "testing"

func BenchmarkRender80x24(b *testing.B) {
	a, r, st := fixture(), riskFixture(), NewStyles(true, false)
	b.ReportAllocs()
	for b.Loop() {
		if Render(a, r, "IWM", "SPY", 80, 24, st) == "" {
			b.Fatal("empty")
		}
	}
}
