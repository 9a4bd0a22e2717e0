// Package finerworks is a client of the FinerWorks API v3 image library
// endpoints, and its shopimg.ProductImages adapter.
package finerworks
