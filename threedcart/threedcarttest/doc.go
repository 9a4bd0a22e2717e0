// Package threedcarttest is a stateful fake of the 3dcart / Shift4Shop REST
// API v1 image endpoints, for tests, examples and benchmarks of code that
// talks to 3dcart (package threedcart or any other client). It serves:
//
//	GET  /3dCartWebAPI/v1/Products/{catalogid}/Images?limit=&offset=
//	POST /3dCartWebAPI/v1/Products/{catalogid}/Images
//	PUT  /3dCartWebAPI/v1/Products/{catalogid}/Images
//	PUT  /3dCartWebAPI/v1/Products/{catalogid}/Images/{imagegalleryid}
//
// The fake keeps its own wire structs, written from the vendor's help
// pages, and its own Image type for seeding and reading its state; it never
// uses the client's types, so a field the client names wrongly shows up in
// tests.
//
// # What it reproduces from the vendor's documentation
//
//   - Authentication: the SecureURL, PrivateKey and Token headers on every
//     request; a mismatch is a 401 {"Message":"Authorization has been
//     denied for this request."}, the ASP.NET Web API answer.
//   - Records: ImageGallery objects with ImageGalleryID, ImageGalleryFile
//     (a path or URL string, kept as given: 3dcart serves what it was
//     told), ImageGalleryCaption and ImageGallerySorting, sent as bare
//     arrays.
//   - Writes: a POST of one image, a PUT of a collection (each item names
//     its ImageGalleryID) and a PUT of one image; each answers an array of
//     {Key, Value, Status, Message} items instead of echoing the image.
//   - No image delete: the API has no such endpoint, so DELETE is a 405
//     with an Allow header, as on an ASP.NET route without that method.
//   - Paging with limit and offset; an empty gallery answers 404 with no
//     body; a page past the end answers an error item whose Message is
//     MessageOffsetExceeded.
//
// # Where the documentation is silent: readings as options
//
//   - Where offset starts: from 0 by default (offset is the number of
//     images before the page); WithOffsetBase(1) counts from 1, as the
//     vendor's sample client loops (offset 0 then still means the start,
//     being the documented default).
//   - The signal of a page past the end: a 400 with the error item by
//     default; WithPastEnd picks the same item with HTTP 200, or an empty
//     404.
//   - limit 0 means all; WithMaxLimit caps a page whatever limit asks.
//   - A failing write item is answered with HTTP 200 and the failure in its
//     Status; WithHTTPStatusForFailures sends the failure's status as the
//     HTTP status too.
//   - Status is sent as a string, as in the vendor's sample;
//     WithNumericStatus sends numbers, as some clients' models read them.
//
// Other choices, not switchable: images are sent in the order they were
// added (by ImageGalleryID), not by ImageGallerySorting, so a client must
// sort them; a field left out of a PUT keeps its value; a collection PUT
// applies the items it can and reports each; an unknown product is a 404
// with a result array; a malformed body is a 400 {"Message":"The request
// is invalid."}; a create answers 201 [{"Key":"ImageGalleryID",
// "Value":"<id>","Status":"201","Message":"Created successfully"}] (the
// vendor publishes no sample).
//
// # Engine
//
// The fake runs on package shopimgtest/fakestore: every request is
// recorded (Recorder, with the credentials redacted wherever they appear),
// scripted failures are queued with Faults().Add (a status, a dropped
// connection, latency, a write that happens before the failure, a function
// run between two requests), a request quota can be set (WithQuota: 429
// with Retry-After; off by default, the vendor documents none), and one
// injectable clock (WithClock) times it all, which the clients from
// Server.NewClient share, so nothing really sleeps in tests.
package threedcarttest
