// Package shopimg is the common contract for managing a product's images on
// several e-commerce platforms: 3dcart/Shift4Shop, BigCommerce, Salla,
// Shoptet and FinerWorks (each in its own package: threedcart, bigcommerce,
// salla, shoptet, finerworks).
//
// Each platform has its own package (for example
// github.com/shopimg/shopimg/bigcommerce) with a typed client for the
// vendor's own API and an adapter that implements [ProductImages]. Code that
// should work on any platform depends only on this package:
//
//	func mainImage(ctx context.Context, p shopimg.ProductImages, productID string) (shopimg.Image, error) {
//		imgs, err := p.List(ctx, productID)
//		if err != nil {
//			return shopimg.Image{}, err
//		}
//		if len(imgs) == 0 || !imgs[0].Main {
//			return shopimg.Image{}, shopimg.ErrNotFound
//		}
//		return imgs[0], nil
//	}
//
// # Semantics
//
// List returns a product's images in display order. Where the platform has a
// main image, it is first and has Main set. Positions are 0-based indexes
// into that order.
//
// Reorder takes a full permutation of the product's current image IDs; on
// platforms with a main image, the first ID becomes the main image.
//
// Invalid input (empty IDs, a Reorder list that is not a permutation, a
// position out of range, a NewImage with neither or both sources) is
// rejected with an error matching [ErrInvalidInput] before any request is
// sent.
//
// An operation the platform cannot do natively returns an error matching
// [ErrUnsupported]; [Capabilities] tells in advance which ones those are.
//
// # Errors
//
// Every error from an adapter can be classified with [errors.Is] against the
// sentinels [ErrNotFound], [ErrUnauthorized], [ErrRateLimited],
// [ErrInvalidInput], [ErrUnsupported], [ErrConflict] and [ErrOutcomeUnknown].
// Errors that came from the platform's API are [*APIError] values, which
// carry the HTTP status, the vendor's code and message, field errors and the
// request ID; use [errors.As] to read them.
//
// ErrOutcomeUnknown deserves care: it means a write may or may not have
// happened (for example the connection dropped after an add was sent). Do not
// simply retry an add that failed this way; list the product first, or let
// package imagesync reconcile it.
//
// # Testing
//
// Package shopimgtest has an in-memory [ProductImages] for your own unit
// tests and the conformance suite every adapter passes. Each vendor package
// has a <vendor>test sub-package with a stateful fake server of that vendor's
// wire protocol.
package shopimg
