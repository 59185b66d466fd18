//go:build !race

package app

// raceEnabled is true when the test binary is built with -race.
const raceEnabled = false
