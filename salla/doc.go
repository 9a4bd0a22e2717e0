// Package salla is a client of Salla's Merchant API v2 product image
// endpoints, its OAuth 2.0 token handling, and its shopimg.ProductImages
// adapter.
package salla
