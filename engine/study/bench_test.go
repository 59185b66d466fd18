package study

import "testing"

// 30 years of daily bars.
const benchBars = 7500

func BenchmarkAnalogs30y(b *testing.B) {
	dates, small, large := genPair(42, benchBars)
	sc, lc := closes(small), closes(large)
	b.ReportAllocs()
	for b.Loop() {
		a := Analogs(dates, sc, lc)
		if len(a.Horizons) != 4 {
			b.Fatal("no horizons")
		}
	}
}

func BenchmarkComputeBars30y(b *testing.B) {
	dates, small, large := genPair(42, benchBars)
	b.ReportAllocs()
	for b.Loop() {
		if r, a := ComputeBars(dates, small, large); r == nil || a == nil {
			b.Fatal("nil result")
		}
	}
}

func BenchmarkRiskContext(b *testing.B) {
	_, small, large := genPair(42, benchBars)
	b.ReportAllocs()
	for b.Loop() {
		if r := RiskContext(small, large); !r.Beta63.Valid {
			b.Fatal("no beta")
		}
	}
}
