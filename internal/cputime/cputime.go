// Package cputime reads the process's CPU time, for benchmarks that report
// CPU nanoseconds per operation beside wall time: on a shared, loaded
// machine wall time per op counts the time other processes held the CPU,
// CPU time does not.
package cputime

import (
	"testing"
	"time"
)

// Report runs from the start of a benchmark loop: call the returned func
// after the loop to add a "cpu-ns/op" metric (the process's CPU time per
// iteration; nothing where the platform cannot say).
func Report(b *testing.B) func() {
	start, ok := Process()
	return func() {
		end, ok2 := Process()
		if ok && ok2 && b.N > 0 {
			b.ReportMetric(float64((end-start)/time.Nanosecond)/float64(b.N), "cpu-ns/op")
		}
	}
}
