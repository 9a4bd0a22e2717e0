// Package shoptettest is a stateful fake of the Shoptet API's product
// image and job endpoints.
package shoptettest
