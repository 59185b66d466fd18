//go:build !(linux || darwin || freebsd)

package main

// readMemLimits: no address-space limit is known on this system.
func readMemLimits() memLimits { return memLimits{} }
