package main

import "fmt"

// Memory under an address-space limit (ulimit -v, ulimit -d).
//
// A Go program reserves much more address space than it uses: on
// linux/amd64 the runtime reserves about 1.3 GiB before main runs (with
// capwatch's C threads), and the heap's address space is never given back.
// Under a limit too low for the runtime itself it aborts with a stack
// trace before capwatch runs: nothing can be done there (README "Memory").
// Above that, running out of address space half-way is a fatal runtime
// error too — it cannot be recovered, GOTRACEBACK cannot be lowered from
// inside the program, and a dashboard would leave the terminal in its
// alternate screen. So capwatch checks the limit before it starts anything
// and refuses, with a clear message, when it is below what it was measured
// to need (BENCHMARKS.md "Memory"). A garbage-collector memory limit
// (debug.SetMemoryLimit) was measured not to lower these figures: the
// runtime's reservations, not the live heap, decide them.

// memLimits is what the process may map.
type memLimits struct {
	Limit uint64 // the lower of RLIMIT_AS and RLIMIT_DATA, bytes (0: none)
}

// addressSpaceNeed is the address space capwatch needs, measured on
// linux/amd64 (BENCHMARKS.md "Memory") with a margin. It is the same for
// every feed: the runtime's reservations dominate (the demo needed 2.5 GiB
// while it generated 20 years of bars for each of its 600 breadth members;
// it now generates the three years it hands out).
const addressSpaceNeed = 2048 << 20

// checkMemory returns an error saying what to change when the process's
// address-space limit is below what capwatch needs with feed (limits nil:
// none is checked).
func checkMemory(limits func() memLimits, feed string) error {
	if limits == nil {
		return nil
	}
	l := limits()
	need := uint64(addressSpaceNeed)
	if l.Limit == 0 || l.Limit >= need {
		return nil
	}
	return fmt.Errorf("the address-space limit (ulimit -v %d) is too low: with --feed %s capwatch needs about %.1f GiB of address space "+
		"(the Go runtime reserves most of it up front; capwatch uses under 150 MiB of memory); raise it (ulimit -v %d) or remove it (ulimit -v unlimited)",
		l.Limit>>10, feed, float64(need)/(1<<30), need>>10)
}
