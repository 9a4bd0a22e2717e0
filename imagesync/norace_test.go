//go:build !race

package imagesync_test

const raceScale = 1
