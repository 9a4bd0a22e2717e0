//go:build race

package imagesync_test

// raceScale divides the random case counts under the race detector, which
// makes every case several times slower while the cases themselves run on
// one goroutine (Run's concurrency has tests of its own); thousands of
// cases still run. The crash tests interrupt a sync at every raceScale-th
// write call instead of at every one.
const raceScale = 4
