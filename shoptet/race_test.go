//go:build race

package shoptet_test

// raceEnabled scales the random sync cases down under the race detector.
const raceEnabled = true
