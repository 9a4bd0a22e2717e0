//go:build !race

package shoptet_test

const raceEnabled = false
