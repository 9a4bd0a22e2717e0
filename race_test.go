//go:build race

package shopimg_test

// raceDetector reports whether the tests run with -race, which makes the
// exhaustive searches several times slower: they check fewer cases then.
const raceDetector = true
