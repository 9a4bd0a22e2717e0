// Package threedcart is a client of the 3dcart / Shift4Shop REST API v1
// product image gallery, and its shopimg.ProductImages adapter.
//
//	client, err := threedcart.NewClient(threedcart.Credentials{
//		SecureURL:  "https://example.3dcartstores.com",
//		PrivateKey: privateKey,
//		Token:      token,
//	})
//	images := client.ProductImages() // shopimg.ProductImages and shopimg.BatchUpdater
//
// Package threedcarttest is a stateful fake of the API for tests.
//
// # Endpoints and authentication
//
// The typed client has one method per call of the gallery, under
// https://apirest.3dcart.com/3dCartWebAPI/v1 (https by default; the seed
// Swagger lists only http): ListImages and ListImagesIter (GET
// /Products/{catalogid}/Images?limit=&offset=), CreateImage (POST, one
// image), UpdateImages (PUT of the collection) and UpdateImage (PUT
// /Products/{catalogid}/Images/{imagegalleryid}). Images are the vendor's
// ImageGallery objects (Image), with typed IDs (CatalogID, ImageGalleryID).
// Every request carries the headers SecureURL, PrivateKey and Token, spelled
// so; their values never appear in an error, a log line or String output.
//
// # Answers and errors
//
// A GET answers a bare array of images. Writes and errors answer arrays of
// {Key, Value, Status, Message} (Result), where Status is "200" in the
// vendor's samples and 200 in skuvault's model, so both are read (Scalar).
// Every error is a *shopimg.APIError (alias APIError), classified with
// errors.Is against the shopimg sentinels:
//
//   - from a result array, by the first failing item's Status, with its
//     Message, and each failing item in Details;
//   - a 2xx write whose result carries a Status outside 2xx is an error
//     too, with StatusCode set to that Status: a 200 with a "404" item
//     matches shopimg.ErrNotFound;
//   - a 401 {"Message":"Authorization has been denied for this request."}
//     matches shopimg.ErrUnauthorized;
//   - an HTML error page (IIS) gives "HTML error page (N bytes): <title>";
//   - a create (POST) that got a 5xx, a dropped connection, a result with a
//     5xx or unknown Status, or no readable ImageGalleryID in its answer
//     matches shopimg.ErrOutcomeUnknown: list the product before adding it
//     again. PUTs are idempotent and retried after 5xx and network errors.
//
// The API documents no rate limit and no quota headers; a 429 is waited out
// (Retry-After) by the shared core.
//
// # Paging
//
// limit and offset are documented only as integers whose default is 0. Two
// signals end the data: a 404 with an empty body, and an error whose
// Message is "Offset amount exceeds the total number of records"
// (MessageOffsetExceeded); both give an empty page. Whether offset counts
// from 0 or from 1 is not documented: the vendor's sample client and
// skuvault both start at 1, and skuvault steps 1, 201, 401 with limit 200.
// The client reads offset as the number of images before the page (0-based)
// and asks for each page at the previous offset plus the number of images
// the previous page held. On a 0-based API the pages meet exactly; on a
// 1-based one each page repeats the previous page's last image, which the
// iterator drops by ImageGalleryID (offset 0 is the start either way, being
// the default). So no image is skipped or repeated under either reading,
// and none is skipped if the server caps the page size below the limit
// asked: the iterator stops only at an end signal, never at a short page,
// at the cost of one more GET per listing. A 1-based reading in the client
// could only save one image per page on a 1-based store, at the price of
// skipping one per page on a 0-based store, so there is no option for it.
// The fake serves both readings (threedcarttest.WithOffsetBase), and
// TestIteratorListsEachImageOnce and TestIteratorNeverSkipsOrRepeats check
// the iterator against both.
//
// A third reading is not ruled out: the vendor's sample client steps offset
// 1, 2, 3, ... with limit 100, as if offset were a page number, while
// skuvault's production client steps it by the limit (1, 201, 401), as a
// position; this package follows skuvault's production use. Were offset a page
// number, a gallery no longer than the page size would still list whole (the
// page after it is past the end under every reading), but a longer one would
// end after its first page. Product galleries rarely hold more than the
// default DefaultPageSize of 200; WithPageSize can raise it.
//
// # The adapter
//
// See Client.ProductImages. In short: display order is ImageGallerySorting,
// then ImageGalleryID; the first image is reported as the main one, while the
// product's own MainImageFile is outside the gallery and never touched; adds
// take an http(s) URL and append (a path in the store's file system can be
// added with CreateImage); captions are the alt text;
// reorders and batch updates are one collection PUT; there is no delete.
// Capabilities() equals shopimgtest.ThreeDCartProfile.
//
// # Doubts about the vendor's material
//
// Readings chosen where the vendor's docs are silent:
//
//   - What a PUT does with a field left out is not documented, so every PUT
//     carries all four fields, as read just before.
//   - What a POST with an ImageGallerySorting equal to another image's does
//     is not documented, so adds append after the current last sorting.
//   - The POST answer has no published sample; the new ID is read from the
//     Value of the ImageGalleryID item (or of the only item), and the image
//     is returned as sent (no GET of a single image exists).
//   - The order in which GET returns images is not documented, so the
//     adapter sorts.
//   - A product without images and an unknown product may both answer 404
//     with an empty body; both list as empty. A 404 with an error body
//     matches shopimg.ErrNotFound.
//   - ImageGalleryFile is "a path or URL string"; paths are resolved against
//     SecureURL for Image.URL (Client.ImageURL).
//   - A Status outside 100-599 or not a number is not taken as an HTTP
//     status; the HTTP status decides then.
//   - The help page's PUT sample answer has a trailing comma (invalid
//     JSON); a real answer like that would fail to decode, giving an error
//     for a PUT that was probably applied (safe to retry: PUT is
//     idempotent).
package threedcart
