//go:build race

package bigcommerce_test

// raceScale divides the random trial counts under the race detector, which
// makes every trial several times slower.
const raceScale = 4
