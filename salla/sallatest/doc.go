// Package sallatest is a stateful fake of Salla's Merchant API v2 product
// image endpoints and of its OAuth accounts server, for tests, examples
// and benchmarks of code that uses package salla (or any Salla client).
package sallatest
