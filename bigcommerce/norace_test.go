//go:build !race

package bigcommerce_test

const raceScale = 1
