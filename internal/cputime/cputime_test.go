package cputime

import "testing"

func TestProcessAdvances(t *testing.T) {
	a, ok := Process()
	if !ok {
		t.Skip("no getrusage on this platform")
	}
	x := 0.0
	for i := range 20_000_000 {
		x += float64(i % 7)
	}
	b, _ := Process()
	if b <= a || x == 0 {
		t.Errorf("CPU time did not advance: %v → %v", a, b)
	}
}
