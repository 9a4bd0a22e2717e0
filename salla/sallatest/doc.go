// Package sallatest is a stateful fake of Salla's Merchant API v2 product
// image endpoints and of its OAuth accounts server, for tests, examples
// and benchmarks of code that uses package salla (or any Salla client).
//
// The API (Server.URL, the engine's root + /admin/v2):
//
//	GET    /products/{product}            {status, success, data: {id, name, sku, main_image, thumbnail, images[]}}
//	POST   /products/{product}/images     multipart photo (file or URL), default, sort, alt -> 201 {data: ImageObj}
//	POST   /products/sku/{sku}/images     the same form -> 201 (WithSKUStatus)
//	POST   /products/images/{image}       the same form, photo required -> 201 {data: ImageObj}
//	DELETE /products/images/{image}       -> 202 {status, success, data} (WithDeleteAnswer: 204)
//
// The accounts server (Server.Accounts, its own recorder and faults, no
// quota):
//
//	GET  /oauth2/auth    client_id, response_type=code, redirect_uri, scope, state: approves at once, 302 to redirect_uri?code=&state=
//	POST /oauth2/token   form grant_type=authorization_code (code) or refresh_token (refresh_token), client_id and
//	                     client_secret in the form or as basic auth -> {token_type, access_token, expires (absolute
//	                     Unix seconds), refresh_token, scope}
//
// Documented behaviour it reproduces: the bearer check (a 401 envelope
// {"status":401,"success":false,"error":{"code":"Unauthorized",...}} for a
// missing, unknown or expired token); the {status, success, data} and
// {status, success:false, error:{code, message, fields}} envelopes; the
// two namings of the same fields (default and alt_seo in the writes'
// answers, main and alt in the product details); ImageObj's renditions
// with fractional sizes; a 422 for a write without photo; the image limit
// (WithMaxImages, 10 by default, pictures only); rotating single-use
// refresh tokens, where sending a used one answers {"error":"invalid_grant"}
// and revokes every token of the merchant (API calls with a revoked token
// then get that bare OAuth body with a 401); and the per-minute quota, a
// leaky bucket (WithQuota, 120 by default) with X-RateLimit-Limit,
// X-RateLimit-Remaining and X-RateLimit-Reset (the epoch second the bucket
// has drained, rounded up) on every answer, and a 429 envelope with
// Retry-After over it.
//
// Every reading of what the docs leave open is an option, so a client can
// be tested under each; the defaults are marked:
//
//   - sort written: stored as sent, ties allowed (default), or
//     WithSortShift: every other entry at that value or above moves up one.
//   - sort base: an attach without sort goes after the highest value,
//     starting at 0 (default) or 1 (WithSortBase(1), which also refuses a
//     sort below 1 with a 422).
//   - update with a photo URL (WithUpdateIDs): keeps the ID (default),
//     replaces the image by one with a new ID (UpdateNewID), or adds a new
//     image and leaves the old one (UpdateCopies). A photo file keeps the
//     ID.
//   - default=1: clears the flag on the others (default), or leaves it
//     (WithKeepOtherDefaults).
//   - deleting the main image: the next picture by sort gets the flag
//     (default), or none (WithoutMainPromotion).
//   - delete answer: 202 with an envelope (default) or 204
//     (WithDeleteAnswer).
//   - attach by SKU: 201 (default, the example body's) or 200
//     (WithSKUStatus).
//   - invalid_grant: 401 (default, as Salla lists it among its 401s) or
//     400, OAuth's (WithInvalidGrantStatus).
//
// Further readings marked [I] in the code: the gallery is listed by sort,
// then ID; a product's only picture is its main one; main and alt_seo are
// taken as synonyms of default and alt in the form; a photo file larger
// than WithMaxUpload (64 MiB by default; the docs give no limit) is a 422;
// an update of a video is a 422; an access token lasts 14 days
// (WithTokenLifetime); the fake's quota counts API requests only.
//
// Forms are read as a stream: the photo file is counted and discarded,
// never held (PhotoBytes reports the bytes read so far), and a plain field
// may be at most MaxField bytes. The fake runs on shopimgtest/fakestore:
// it records every request (Authorization, the static tokens and the
// client secret redacted), takes scripted faults (a status, a dropped
// connection, latency, AfterApply), and uses an injectable clock
// (WithClock) for token expiry, fault latency and the quota.
package sallatest
