// Package shoptet is a client of the Shoptet API's product image and job
// endpoints, and its shopimg.ProductImages adapter.
package shoptet
