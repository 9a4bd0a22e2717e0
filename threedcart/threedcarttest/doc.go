// Package threedcarttest is a stateful fake of the 3dcart / Shift4Shop REST
// API v1 image endpoints, for tests, examples and benchmarks of code that
// uses package threedcart (or any 3dcart client). It speaks the wire
// protocol as VENDORS.md section 1 and the vendor's help pages describe it:
//
//	GET  /3dCartWebAPI/v1/Products/{catalogid}/Images?limit=&offset=
//	POST /3dCartWebAPI/v1/Products/{catalogid}/Images
//	PUT  /3dCartWebAPI/v1/Products/{catalogid}/Images
//	PUT  /3dCartWebAPI/v1/Products/{catalogid}/Images/{imagegalleryid}
//
// with the SecureURL, PrivateKey and Token headers checked on every request
// (a mismatch is a 401 {"Message":"Authorization has been denied for this
// request."}), bare ImageGallery arrays, write answers and errors as
// {Key, Value, Status, Message} arrays, and no image delete (DELETE is a
// 405, as on an ASP.NET Web API route without that method).
//
// Where the vendor's material is silent the fake picks a reading, marked
// [I] below, and most of them can be switched by an Option so a client can
// be tested against each:
//
//   - Paging: offset counts from 0 (WithOffsetBase(1) counts from 1; offset
//     0 then still means the start, being the documented default). A
//     product without images answers 404 with an empty body; an offset past
//     the last image answers 400 with MessageOffsetExceeded (WithPastEnd
//     picks the other signals). limit 0 means all; WithMaxLimit caps it.
//   - Images are sent in the order they were added (by ImageGalleryID), not
//     by ImageGallerySorting [I]: clients must sort.
//   - A field left out of a PUT keeps its value [I]. A collection PUT
//     applies the items it can and reports each [I].
//   - A failing write item is answered with HTTP 200 and the failure in its
//     Status [I] (WithHTTPStatusForFailures sends the failure status as the
//     HTTP status too). An unknown product is a 404 with a result array
//     [I]; a malformed body a 400 {"Message":"The request is invalid."}.
//   - Status is sent as a string, as in the vendor's sample
//     (WithNumericStatus sends numbers, as skuvault's model reads them).
//   - A create answers 201 [{"Key":"ImageGalleryID","Value":"<id>",
//     "Status":"201","Message":"Created successfully"}] [I: the vendor
//     publishes no sample].
//
// The fake runs on shopimgtest/fakestore, so it records every request (with
// the credential headers redacted), takes scripted faults (a status, a
// dropped connection, latency, AfterApply), can enforce a request quota
// (WithQuota: 429 with Retry-After; off by default, the vendor documents
// none) and uses an injectable clock (WithClock), which the clients from
// Server.NewClient share.
package threedcarttest
