// Package bigcommerce is a client of the BigCommerce product image APIs, the
// current v3 catalog API and the legacy v2 API, and its
// shopimg.ProductImages adapter.
//
//	client, err := bigcommerce.NewClient(storeHash, accessToken)
//	images := client.ProductImages() // shopimg.ProductImages on v3
//	v2 := client.V2()                // the legacy v2 calls, same store and quota
//
// Package bigcommercetest is a stateful fake of both APIs for tests.
//
// # Endpoints and authentication
//
// Requests go to DefaultBaseURL (https://api.bigcommerce.com; WithBaseURL
// replaces it) under /stores/{store_hash}/v3 and /stores/{store_hash}/v2,
// with the API account's access token in the X-Auth-Token header (the
// official v3 OpenAPI file's security scheme) and Accept: application/json.
// X-Auth-Client is "no longer required" and is not sent. The token never
// appears in an error, a log line or String output.
//
// The v3 calls (one method each, typed IDs ProductID and ImageID, the
// vendor's field names in Image):
//
//	ListImages      GET    /catalog/products/{product_id}/images?page=&limit=   (204: no images)
//	ListImagesIter  the same, every page, as an iter.Seq2
//	GetImage        GET    /catalog/products/{product_id}/images/{image_id}
//	CreateImage     POST   /catalog/products/{product_id}/images   JSON image_url (answers 200)
//	UploadImage     POST   /catalog/products/{product_id}/images   multipart image_file, streamed
//	UpdateImage     PUT    /catalog/products/{product_id}/images/{image_id}   JSON
//	DeleteImage     DELETE /catalog/products/{product_id}/images/{image_id}   (answers 204)
//
// The v2 calls (V2Service, v2 field names in V2Image, RFC 1123 dates in
// V2Time), as the archived v2 reference describes them:
//
//	ListImages, ListImagesIter  GET    /products/{product_id}/images?page=&limit=
//	GetImage                    GET    /products/{product_id}/images/{id}
//	CreateImage                 POST   /products/{product_id}/images   image_file: a URL or an import path (201)
//	UpdateImage                 PUT    /products/{product_id}/images/{id}
//	DeleteImage                 DELETE /products/{product_id}/images/{id}
//	DeleteAllImages             DELETE /products/{product_id}/images?page=&limit=
//	CountImages                 GET    /products/images/count   (the whole store)
//
// WithV2JSONSuffix adds the optional ".json" to every v2 path.
//
// # Paging
//
// v3 lists take page (1-based) and limit (default 50, at most MaxPageLimit,
// 250); the answer is {"data":[...],"meta":{"pagination":{...}}} and
// ListImagesIter follows meta.pagination (current_page, total_pages) with
// 250 a page. A product without images answers 204 with no body, which is an
// empty page, not an error. v2 lists answer a bare array with no paging
// metadata, so V2Service.ListImagesIter stops at the first page shorter than
// its limit.
//
// # Errors
//
// Every error response is a *shopimg.APIError (alias APIError), from the v3
// body {status, title, type, instance, errors{field: message}} (Message is
// the title, Details the errors map) or the v2 array
// [{status, message, details}] (Message is the first message). errors.Is
// classifies it: 404 shopimg.ErrNotFound, 401 and 403
// shopimg.ErrUnauthorized, 429 shopimg.ErrRateLimited, 400, 413 and 422
// shopimg.ErrInvalidInput, 409 shopimg.ErrConflict. A create (POST) that got
// a 5xx or lost its connection after sending matches
// shopimg.ErrOutcomeUnknown: list the product before creating it again.
// Invalid input (a non-positive ID, a limit above 250, an image_url that is
// not an absolute http(s) URL of at most 255 characters, a file over the
// upload limit, an empty update) fails before anything is sent.
//
// # Rate limits
//
// The quota is per store, shared by every app, and counted in fixed windows
// (150 requests per 30 s on the Standard and Plus plans). Every answer
// carries X-Rate-Limit-Requests-Left, X-Rate-Limit-Requests-Quota,
// X-Rate-Limit-Time-Reset-Ms and X-Rate-Limit-Time-Window-Ms; the client
// feeds them to one limiter per Client (v2 and v3 together; WithSharedQuota
// shares it between Clients of the store), which holds
// requests once none are left until the window resets, so a long job runs
// at the quota instead of into 429s. On a 429 the client waits the longer of
// X-Rate-Limit-Time-Reset-Ms and X-Retry-After (seconds), as the vendor's
// rate-limit page asks, up to the retry policy's MaxRetryAfter; beyond that
// the error matches shopimg.ErrRateLimited and carries RetryAfter.
//
// # Order and the main image
//
// sort_order orders a product's images: a higher number is a lower
// priority. The docs (productImage_Base.sort_order; the v2 reference says
// the same) add: "When updating, if the image is given a lower priority,
// all images with a sort_order the same as or greater than the image's new
// sort_order value will have their sort_orders reordered." They do not say
// what a move to a higher priority does, nor a create that carries a
// sort_order, nor which image, if any, becomes the thumbnail when the
// thumbnail is deleted. is_thumbnail marks the main image; "a product can
// have only one thumbnail image at a time", and a product's only image is
// its thumbnail.
//
// The adapter (Client.ProductImages) lists the images in the order the
// store keeps them: by sort_order, then by ID. The first image is Main only
// if the store flags it is_thumbnail: a product whose thumbnail has been
// deleted, or sits further down, shows no main image, and a sync sees and
// fixes that. Alt is the description, URL the zoom rendition (else
// standard, else image_url; never the URL the image was added from: the
// store serves its own copy, so Capabilities().KeepsSourceURL is false),
// ThumbnailURL the thumbnail rendition.
//
// Reorder, and Update and Add with a position, reach the asked order as the
// store keeps it, never leave two images at one sort_order, and give the
// first image the thumbnail flag where it must be main. They write the
// fewest images possible: those outside a longest subsequence already in
// order, plus the new main image (MainIsFlag: its PUT sets is_thumbnail and
// its place in the same call), which is Capabilities.ReorderCost counted on the
// listed order. The sort_orders they pick are right under every reading of
// the rule where they can be: free values in the gap between two images
// (the adapter leaves gaps of 16 where nothing bounds its choice, below the
// first image and above the last). Where two neighbours are one apart, the
// fewest writes need the store to shift the others (the written image goes
// to the lower one's sort_order + 1); a client that does not yet know its
// store's rule learns it first, from a listing after a write whose effect
// differs between the readings, and then plans for what it learned: on a
// store that does not shift, by writing more images, into gaps. Each Client
// remembers what it learned (WithSharedQuota clients share it). With
// WithReorderCheck (on by default) every move is followed by one listing to
// confirm and learn; WithReorderCheck(false) trusts the insertion reading.
//
// Measured against the fake under each reading (bigcommercetest.Readings;
// see TestSyncUnderEveryReading and TestOperationsUnderEveryReading): the
// store's order is always the one asked, and the writes equal the common
// model's (imagesync.LowerBound) under the insertion reading; a new client
// may pay one write more, once, when its first move needs the rule and
// none of its writes can teach it without risking a tie (7 of 2,400 direct
// calls by new clients; none of 2,400 syncs). On stores that do not shift
// the others, or that flag no image after the thumbnail is deleted, the
// writes run a few percent above the model, mostly adds and moves between
// two images one apart on a product the adapter has not spaced yet. The
// adapter's WriteRequests method reports the writes actually sent.
//
// Capabilities() equals shopimgtest.BigCommerceProfile.
//
// # Doubts about the vendor's material
//
//   - The sort_order rule and the thumbnail after a delete: see above;
//     package bigcommercetest serves every reading (WithReading).
//   - "Up to 8 MB" per file does not say 8,000,000 or 8,388,608 bytes. The
//     client takes the smaller, DefaultMaxUploadSize = 8,000,000, so it
//     never sends a file the API may refuse after receiving it whole;
//     WithMaxUploadSize raises it.
//   - An older description of v2 lists a per-product GET
//     /products/{id}/images/count.json, but describes it as "a total number
//     of images in the store", and the v2 reference has only the store-wide
//     GET /products/images/count: CountImages uses the store-wide path.
//   - The same description marks product_id as a mandatory field of the v2
//     POST; the v2 reference calls it read-only, and sending a read-only
//     field fails. It is not sent unless V2CreateImageRequest.ProductID is
//     set.
//   - The ".json" suffix of v2 paths is optional ("the Accept header has
//     priority"); it is off by default (WithV2JSONSuffix).
//   - X-Retry-After is documented in seconds; another form is ignored. A
//     response with X-Rate-Limit-Time-Reset-Ms but no
//     X-Rate-Limit-Requests-Left is read as no requests left until the
//     reset, the cautious reading.
//   - A PUT with a new image_url has been reported to answer 200 and keep
//     the old file (bigcommerce/api#102); to replace a file, delete the
//     image and create a new one.
//   - The order in which a list returns images is not documented; the
//     adapter sorts. The spec's own list example has two images with
//     sort_order 0, so ties happen; the ID breaks them.
//   - The spec's include_fields and exclude_fields enums list product
//     fields, not image fields, so ListImagesOptions leaves them out.
//
// Sources: the official v3 OpenAPI file (bigcommerce/docs,
// reference/catalog/products_catalog.v3.yml), the archived v2 product
// images reference, and the vendor's API rate limits page.
package bigcommerce
