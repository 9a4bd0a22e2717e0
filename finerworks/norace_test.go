//go:build !race

package finerworks_test

const raceScale = 1
