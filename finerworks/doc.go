// Package finerworks is a client of the FinerWorks API v3 image library,
// and its shopimg.ProductImages adapter.
//
//	client, err := finerworks.NewClient(finerworks.Credentials{
//		WebAPIKey: webAPIKey,
//		AppKey:    appKey,
//	})
//	images := client.ProductImages() // shopimg.ProductImages and shopimg.BatchUpdater
//	list, err := images.List(ctx, "inventory")
//
// Package finerworkstest is a stateful fake of the API for tests.
//
// FinerWorks is a print service, not a storefront: an "image" is a file in
// the account's image library, from which print products (virtual
// inventory) are made. There is no product gallery, no order and no main
// image. The adapter therefore takes a library name as the product ID and
// lists that library's images.
//
// # Hosts and authentication
//
// Every call is under /v3 on DefaultBaseURL (https://api.finerworks.com,
// help at https://api.finerworks.com/Help). SandboxBaseURL
// (https://test-api.finerworks.com) is the test host and V2BaseURL
// (https://v2.api.finerworks.com) a newer host serving the same calls;
// pick one with WithBaseURL. Every request carries the two keys as the
// headers web_api_key and app_key, spelled so (not in Go's canonical
// form); their values never appear in an error, a log line or String
// output. TestMyCredentials checks them.
//
// Library calls carry an image_library object (Library): the library's
// name (inventory or temporary), a session_id of 8 to 50 characters, a
// site_id and an optional account_key. The client keeps one, set with
// WithLibrary; without it the session ID is random (32 characters, as the
// sandbox docs recommend) and site_id is 0, the production example's value
// (the sandbox docs say 2; the production docs say to ask the
// administrator).
//
// # Calls
//
// The typed client has one method per call, with the vendor's field names:
//
//   - ListImages: POST /v3/list_images, one page (per_page up to 50,
//     default 10) with the documented filters (search, GUIDs, upload dates,
//     active) and sort (id, title, file_name, file_size or date_added,
//     ascending or descending; by default id, descending). It reads, so the
//     client retries it like a GET. ListImagesIter iterates over every page.
//   - AddImages: POST /v3/add_images, at most 5 images a call ("Insert up to
//     5 at once"); longer lists are split. The API does not take uploads: it
//     registers files the caller already hosts, at the URIs given.
//   - UpdateImages: PUT /v3/update_images, title and description by GUID.
//   - DeleteImages: DELETE /v3/delete_images, with a JSON body of GUIDs and
//     the library (a DELETE with a body: some proxies drop it).
//   - TestMyCredentials: GET /v3/test_my_credentials.
//
// Answers are decoded leniently: unknown fields are ignored, numbers may
// come as strings (Int), dates in the forms ASP.NET writes (Time), and the
// fields answers carry beyond the documented model are kept (Image).
//
// # Errors
//
// Every answer carries a status envelope, {"status": {"success",
// "status_code", "message", "debug"}}. An envelope with success false is an
// error even when the HTTP status is 200: an *APIError whose StatusCode is
// the envelope's status_code (when the HTTP status was 2xx) and whose
// Message is its message, classified with errors.Is against the shopimg
// sentinels (404 shopimg.ErrNotFound, 400 shopimg.ErrInvalidInput, and so
// on). status.debug can echo the request, so it is removed from
// APIError.Body (debug members at any depth, in any case) and never copied
// into Message or Details, nor logged.
//
// Bad or missing keys are a 400 in ASP.NET's shape,
// {"Message": "The request is invalid.", "ModelState":
// {"ApiC.Models.authorization_credentials": ["Missing or unauthorized api
// credentials"]}}; some clients report a text/html 400 instead ("Invalid
// app_key ..."). Both match shopimg.ErrUnauthorized, with a message saying
// so; other ModelState errors match shopimg.ErrInvalidInput with each entry
// in Details.
//
// add_images is a create: one that may have been carried out without an
// answer (a dropped connection, a 5xx, success false with a 5xx or no
// status_code) fails with an error matching shopimg.ErrOutcomeUnknown; list
// the library before adding again. The other calls are idempotent and are
// retried after network errors and 5xx.
//
// The API documents no rate limit and no quota headers; a 429 is waited
// out (Retry-After) by the shared core.
//
// # The adapter
//
// See Client.ProductImages. The product ID is a library name ("inventory",
// the default library, or "temporary"); anything else is invalid input.
// Image IDs are GUIDs, checked for their form before anything is sent. Alt
// is the title; the description stays in Raw, and UpdateImages changes it.
// List returns the images in the order they were added; no image is Main.
// Reorder, moves and the main image are unsupported (the guard refuses them
// from Capabilities), and so are file uploads: Add takes NewImage.SourceURL,
// sent as private_hires_uri, public_preview_uri and public_thumbnail_uri,
// with the URL's last path segment as file_name. Batch updates send at most
// 5 images per update_images call. Capabilities() equals
// shopimgtest.FinerWorksProfile.
//
// Finding an added image. The docs publish no sample answer of add_images,
// so it may carry the created images or only the status. Add lists the
// library's newest page (per_page 50, by id descending) before the
// add_images call; if the answer names the new image, that is it;
// otherwise Add lists the newest page again and takes the one image that
// was not there before, or, if others added images meanwhile, the one whose
// title and URI (or file name, which the API may sanitize) are those sent.
// Add returns an error matching shopimg.ErrOutcomeUnknown when it cannot
// tell (an identical image added meanwhile, more than 50 added meanwhile,
// or an API that indexes new images later than it answers) or when that
// second listing fails: the image was added, but its GUID is unknown. Its
// Position is the number of images before it: told by the first listing
// when the library held fewer than a page or count is plainly a total, and
// by listing the library otherwise.
//
// Delete lists the library with a guid_filter first: what delete_images
// does with a GUID it does not have is not documented, and an image of the
// other library must not be deleted through this one.
//
// # Doubts about the vendor's docs, and the readings taken
//
//   - list_images' count may be the number of matching images or the
//     number on the page. The iterator never needs it: the last page is the
//     first one shorter than its per_page. When count is plainly a total
//     (more than the first page holds) it ends the listing early.
//   - Whether add_images answers with the created images: both are handled
//     (above).
//   - The default order of list_images is documented as id, descending; the
//     adapter asks for id ascending and sorts again by id.
//   - update_images and delete_images document no limit per call; the
//     client sends at most 5 (MaxUpdateImagesPerCall,
//     MaxDeleteImagesPerCall), add_images' documented limit, the only one
//     the API states.
//   - Whether update_images keeps a field left out is not documented: the
//     adapter always sends the title and the current description. The
//     update_images page also says updating an inventory image "will also
//     remove any virtual inventory products assigned to those images"; the
//     sentence reads as copied from delete_images and is not relied on.
//   - Which field holds the full-size image: private_hires_uri (then
//     public_preview_uri) is Image.URL. Whether the API keeps the URIs it
//     was given or rewrites them to its own storage is not documented;
//     finding an added image does not depend on it.
//   - file_size is documented as "in bits"; it is passed through as sent.
//   - Dates without an offset are read as UTC.
//   - The temporary library may be tied to session_id: give WithLibrary a
//     stable SessionID to see the same temporary images from every client.
package finerworks
