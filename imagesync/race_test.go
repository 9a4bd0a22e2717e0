//go:build race

package imagesync_test

// raceScale divides the random case counts under the race detector, which
// makes every case several times slower; thousands of cases still run.
const raceScale = 2
