//go:build race

package finerworks_test

// raceScale divides the counts of the long end-to-end tests under the race
// detector, which makes every request several times slower.
const raceScale = 5
