// Package salla is a client of the product image endpoints of Salla's
// Merchant API v2, its OAuth 2.0 token handling, and its
// shopimg.ProductImages adapter.
//
//	cfg := salla.OAuthConfig(clientID, clientSecret, redirectURL)
//	tok, err := salla.Exchange(ctx, cfg, code, nil) // after the merchant authorized the app
//	ts, err := salla.NewTokenSource(cfg, tok, saveToken)
//	client, err := salla.NewClient(ts)
//	images := client.ProductImages()
//
// Package sallatest is a stateful fake of the API and of the token
// endpoint for tests.
//
// # Authentication
//
// Requests go to DefaultBaseURL (https://api.salla.dev/admin/v2;
// WithBaseURL replaces it) with "Authorization: Bearer <access token>" and
// Accept: application/json. The token comes from an oauth2.TokenSource,
// read for every attempt; it never appears in an error, a log line or
// String output.
//
// Apps get tokens with OAuth 2.0: the merchant authorizes the app at
// AuthURL (OAuthConfig's AuthCodeURL), and the code is exchanged at
// TokenURL (Exchange). OAuthConfig asks for offline_access, without which
// no refresh token is issued. The token endpoint answers {token_type,
// access_token, expires, refresh_token, scope}, where expires is an
// absolute Unix time, not a duration (TokenExpiry reads it; the oauth2
// package alone would see a token that never expires).
//
// Salla's refresh tokens are single-use and rotate with every refresh, and
// sending one twice revokes the merchant's tokens: the merchant must then
// authorize the app again. TokenSource is built for that: one refresh at a
// time however many goroutines need a token, each new token handed to the
// caller's SaveToken hook before it is used (and kept, unused, if saving
// fails), and a refused grant (invalid_grant) reported as an error
// matching shopimg.ErrUnauthorized that says the merchant must authorize
// the app again, after which the dead refresh token is never sent again.
// Several processes serving one merchant must share its token: keep it in
// a shared store, save it there in SaveToken, and give the source
// WithTokenLoader (read the newest token) and WithTokenLock (the store's
// lock), so that the first process to find the token expired refreshes it
// and the others take its result instead of refreshing with a used
// refresh token. Salla's "easy mode", where tokens arrive in the
// app.store.authorize webhook, works the same way: save the token the
// webhook brings, and start the source from it.
//
// # Endpoints
//
// One method per call, typed IDs ProductID and ImageID, the vendor's field
// names (Image, ProductImage, Product):
//
//	GetProduct        GET    /products/{product}                 the gallery is data.images[]
//	AttachImage       POST   /products/{product}/images          multipart: photo (file or URL), default, sort, alt
//	AttachImageBySKU  POST   /products/sku/{sku}/images          the same form
//	UpdateImage       POST   /products/images/{image-id}         the same form; photo is required
//	DeleteImage       DELETE /products/images/{image}            202 with an envelope, or 204
//
// Answers are {"status","success","data"}. The attach and update answers
// carry an Image (id, image.{original, standard_resolution,
// low_resolution, thumbnail}.{url, width, height} with fractional sizes,
// sort, default, alt_seo, video_url, type); the product details list
// ProductImage entries (id, url, main, alt, sort, type, video_url): main
// and alt there are default and alt_seo in the writes. Files are streamed
// as the photo part, never held in memory, and reopened for a retry. An
// attach that got a 5xx or lost its connection matches
// shopimg.ErrOutcomeUnknown. The image list is not paged.
//
// # Errors
//
// Error answers are {"status","success":false,"error":{"code","message",
// "fields":{field:[messages]}}}, read into *shopimg.APIError (alias
// APIError) with the fields as Details; the bare OAuth body
// {"error":"invalid_grant",...} that answers a call made with a revoked
// token matches shopimg.ErrUnauthorized and says the merchant must
// authorize again. A 2xx answer with success false is an error too, with
// the envelope's status. errors.Is classifies them: 401 and 403
// ErrUnauthorized, 404 ErrNotFound, 422 and other 4xx ErrInvalidInput,
// 429 ErrRateLimited, 5xx ErrUnavailable. Invalid input (a non-positive
// ID, no photo or two, a relative photo URL, a negative sort, control
// characters in alt) fails before anything is sent.
//
// # Rate limits
//
// The quota is per store, by plan (Plus 120 requests a minute, Pro 360,
// Special 720), a leaky bucket. Answers carry X-RateLimit-Limit,
// X-RateLimit-Remaining and X-RateLimit-Reset (the UTC epoch second the
// quota refills, turned into a wait with the client's clock when the
// answer is read; a value too small to be an epoch second is taken as
// seconds from now), and a 429 carries Retry-After in seconds. They feed
// one limiter per Client, shared by its goroutines, so a long job runs at
// the quota instead of into 429s.
//
// # The common model
//
// The adapter (Client.ProductImages) reads the gallery from the product
// details. The gallery holds pictures and videos (type "video", with
// video_url), in one sort order. List returns the pictures only, in
// display order: by sort, ties in the order the API lists them, with the
// main picture (the first flagged main) first; with no picture flagged,
// the first picture is the main one. Alt is alt, URL is url (Update and
// Add return the answer's original URL and sizes until the next List).
// Capabilities() equals shopimgtest.SallaProfile: URL and file adds at any
// position, updates, deletes, per-image moves, the main image a flag
// (MainIsFlag), and MaxImages from WithMaxImages (default 10, the current
// docs' "up to 10 images"; videos are not counted).
//
// Videos are not images to sync, yet they take places in the order, so
// the adapter keeps each video where it is: a Reorder, or an Update that
// moves a picture, fills the places that pictures hold with the pictures
// in the asked order, and every video keeps its index in the gallery. An
// Add goes right before the picture at its position (after the last entry
// when it appends), so the videos before that picture stay before it.
// Videos are never written.
//
// A move writes only the pictures outside the longest run already in
// order, plus the new main image (default=1), one update each: exactly
// shopimg.Capabilities.ReorderCost. Each written picture gets a sort value
// strictly between those of the entries around its new place, and the
// writes go from the last place to the first, which gives the asked order
// whether the API stores a sort value as sent or moves the entries at or
// after it up by one (the docs say neither). The adapter gives appended
// pictures values SortStep (1024) apart, and a moved picture the value
// halfway between its neighbours; when the values around a place are too
// close (after many moves, or values set elsewhere, such as consecutive
// ones), it writes every picture once with values spread apart again,
// which costs more than ReorderCost that once. The new main image also
// gets the lowest sort value of the pictures, so a storefront that orders
// by sort alone shows the same order. With WithReorderCheck (on by
// default) the adapter reads the product again after a move to confirm
// the order; if the store did something else, it writes every picture
// again in order after the videos, and reports shopimg.ErrConflict if even
// that fails.
//
// # Doubts about the vendor's material, and the readings taken
//
//   - The update call requires photo, also for a change of alt, sort or
//     default alone. The adapter sends the picture's own URL (its url in
//     the product details) as photo, with every other field set to the
//     value it must keep, so a store that resets a field left out changes
//     nothing. The store may fetch the picture again and replace the file
//     (its URL may change). It may even answer with another ID: the
//     adapter uses the ID of the answer, reads the product again, and
//     deletes the old entry if the store copied the picture instead of
//     replacing it, so no picture is lost or left twice; Update returns the
//     new ID. Under that reading every update changes the ID of the picture
//     written, Reorder's included: list again after a Reorder. The update
//     is retried like an idempotent write.
//   - Whether default=1 on one picture clears it on the others is not
//     said. The adapter sends default=0 on every picture it writes that is
//     not the main one, and a new main image gets the lowest sort value, so
//     the first flagged picture in sort order is the main one either way.
//     A picture that lost the main image without being written keeps a
//     stale flag under the reading where the flag is not moved.
//   - Whether sort counts from 0 or 1 is not said: the adapter sends
//     values of 1 and more, 0 only where the gallery already holds a 0.
//   - The delete call's reference page was not found; several independent
//     apps use DELETE /products/images/{image}. 202 with an envelope
//     (Salla's status table says 202 means deleted) and 204 are both taken.
//     Whether the next picture becomes the main one is not said; either
//     way List reports the first picture as main.
//   - Attach by SKU: the docs' header says 200, the example body 201; any
//     2xx is taken.
//   - The image limit: the docs of v2.2.8 and later say up to 10 images,
//     those of v2.2.4 unlimited; WithMaxImages changes it. Whether videos
//     count is not said; they are not counted.
//   - sort is typed as a number, and sizes are fractional: Sort reads any
//     number and rounds it; Rendition sizes are float64.
//   - error.code is a string in the examples and an integer in the 404
//     schema: both are read.
//
// Sources: Salla's Merchant API reference (docs.salla.dev: Product
// Details, Attach Image, Attach Image by SKU, Update Image), its pages on
// authorization, responses and rate limiting, and Salla's OAuth 2.0
// provider for PHP (SallaApp/oauth2-merchant).
package salla
