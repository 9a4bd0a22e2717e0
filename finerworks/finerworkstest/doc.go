// Package finerworkstest is a stateful fake of the FinerWorks API v3 image
// library endpoints.
package finerworkstest
