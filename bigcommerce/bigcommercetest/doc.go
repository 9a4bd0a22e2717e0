// Package bigcommercetest is a stateful fake of BigCommerce's product image
// endpoints, catalog v3 and the legacy v2, for tests, examples and
// benchmarks of code that talks to BigCommerce (package bigcommerce or any
// other client). It serves, under /stores/{hash}:
//
//	GET    /v3/catalog/products/{product_id}/images?page=&limit=
//	POST   /v3/catalog/products/{product_id}/images              JSON image_url, or multipart image_file
//	GET    /v3/catalog/products/{product_id}/images/{image_id}
//	PUT    /v3/catalog/products/{product_id}/images/{image_id}   JSON, or multipart with an optional image_file
//	DELETE /v3/catalog/products/{product_id}/images/{image_id}
//
//	GET    /v2/products/{product_id}/images?page=&limit=
//	POST   /v2/products/{product_id}/images
//	DELETE /v2/products/{product_id}/images?page=&limit=
//	GET    /v2/products/{product_id}/images/{id}
//	PUT    /v2/products/{product_id}/images/{id}
//	DELETE /v2/products/{product_id}/images/{id}
//	GET    /v2/products/images/count
//
// and every v2 path also with ".json" appended. Both API generations are
// views of one catalogue, as on a real store. The fake keeps its own wire
// structs, written from BigCommerce's OpenAPI file and reference pages, and
// its own Image type for seeding and reading its state; it never uses the
// client's types, so a field the client names wrongly shows up in tests.
//
// # What it reproduces from BigCommerce's documentation
//
//   - Authentication: the X-Auth-Token header; without the right token,
//     401 with the API's error body ({status, title, type} on v3, a
//     [{status, message}] array on v2). Another store hash is a 404.
//   - Envelopes: v3 answers {data, meta}, meta.pagination on lists (total,
//     count, per_page, current_page, total_pages, links with relative query
//     strings); v2 answers bare objects and arrays.
//   - Statuses: a v3 create answers 200 (not 201), a v2 create 201; a
//     product without images lists as 204 with no body; a delete is 204; an
//     unknown product or image is 404; a limit above 250 is 413; a JSON
//     create without image_url, or image_url sent as multipart, is 422 with
//     the API's own message; a method a path does not serve is 405 with an
//     Allow header.
//   - Limits: 50 images a page by default, at most 250; at most 1000 images
//     a product; 8,000,000 bytes a file ("up to 8 MB"); image_url at most
//     255 characters.
//   - One thumbnail per product, and a product's only image is its
//     thumbnail.
//   - Images are served from the store's CDN, never from the URL they were
//     created from: url_zoom, url_standard, url_thumbnail and url_tiny are
//     CDN URLs of the stored file (image_url echoes the source).
//   - The store's quota: a fixed window of 150 requests per 30 s by
//     default, the X-Rate-Limit-* headers on every answer, and over it a 429
//     with X-Retry-After (seconds).
//
// # Where the documentation is silent: readings as options
//
// The docs say of sort_order only that a higher number is a lower priority
// and that "when updating, if the image is given a lower priority, all
// images with a sort_order the same as or greater than the image's new
// sort_order value will have their sort_orders reordered". They do not say
// what happens on a move to a higher priority, on a create that carries a
// sort_order, or which image (if any) becomes the thumbnail when the
// thumbnail is deleted. A client should be right whatever the store does,
// so the fake offers each reading (WithReading, or WithShiftRule and
// WithThumbnailRule; Readings lists every combination):
//
//   - ShiftInsert (the default): writing sort_order s, on a create or an
//     update, adds one to the sort_order of every other image at s or more,
//     so the written image lands just before them.
//   - ShiftLowerPriority: only an update that raises an image's sort_order
//     (a lower priority), and a create with a sort_order, shift the others;
//     a move to a higher priority stores s as sent, next to any image
//     already there.
//   - ShiftLowerPriorityUpdates: as ShiftLowerPriority, but a create stores
//     its sort_order as sent.
//   - ShiftNone: sort_order is always stored as sent.
//   - ThumbnailPromote (the default): when the thumbnail is deleted, the
//     first remaining image by sort_order, then ID, becomes the thumbnail.
//   - ThumbnailNone: no image does, unless exactly one remains; the
//     product then has images and no thumbnail until a client sets one.
//
// Other choices, not switchable: a create without sort_order goes after the
// last image; is_thumbnail false sent for the thumbnail is ignored (a
// product keeps its thumbnail); lists are sent by image ID, not by
// sort_order, so a client must sort them (by sort_order, then ID); a page
// past the last is 200 with no data on v3 and 204 on v2; more than 1000
// images, a bad image_url or a sort_order outside 32 bits is a 422, a file
// over the limit a 413; a v2 write naming a read-only or unknown field is a
// 400 "The field 'x' is not supported by this resource."; a multipart PUT's
// image_file replaces the file; a v2 DELETE of the collection deletes one
// page (page and limit as for a list); the quota's reset header is rounded
// up to the millisecond and X-Retry-After up to the second, so a client
// waiting that long is never early; the 429 body is a v3 error.
//
// # Engine
//
// The fake runs on package shopimgtest/fakestore: every request is
// recorded (Recorder, with the access token redacted wherever it appears),
// scripted failures are queued with Faults().Add (a status, a dropped
// connection, latency, a write that happens before the failure, a function
// run between two requests), and one injectable clock times dates, latency
// and the quota, so nothing really sleeps in tests. Server.NewClient returns
// a bigcommerce.Client wired to the server and its clock.
package bigcommercetest
