//go:build !race

package salla_test

const raceScale = 1
