//go:build race

package soak

// raceEnabled is true when the test binary is built with -race.
const raceEnabled = true
