//go:build linux || darwin || freebsd

package main

import "syscall"

// readMemLimits reads the process's address-space limits.
func readMemLimits() memLimits {
	var l memLimits
	for _, res := range []int{syscall.RLIMIT_AS, syscall.RLIMIT_DATA} {
		var r syscall.Rlimit
		if syscall.Getrlimit(res, &r) == nil && finite(uint64(r.Cur)) {
			if l.Limit == 0 || uint64(r.Cur) < l.Limit {
				l.Limit = uint64(r.Cur)
			}
		}
	}
	return l
}

// finite reports whether a limit is set (RLIM_INFINITY is all ones on
// Linux, 2⁶³−1 on the BSDs).
func finite(v uint64) bool { return v > 0 && v < 1<<62 }
