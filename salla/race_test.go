//go:build race

package salla_test

// raceScale divides the random case counts under the race detector, which
// makes every request several times slower.
const raceScale = 4
