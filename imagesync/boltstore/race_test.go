//go:build race

package boltstore_test

// raceScale divides the damaged-file runs under the race detector, which
// makes every run several times slower.
const raceScale = 2
