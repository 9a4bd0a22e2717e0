// Package shoptettest is a stateful fake of the Shoptet API's product image
// and job endpoints, for tests, examples and benchmarks of code that uses
// package shoptet (or any Shoptet client). It speaks the wire protocol of
// the official OpenAPI file (https://api.docs.shoptet.com):
//
//	GET    /api/products/{guid}/images/{gallery}
//	POST   /api/products/{guid}/images/{gallery}                  (async: 202 {jobId})
//	PATCH  /api/products/{guid}/images/{gallery}
//	DELETE /api/products/{guid}/images/{gallery}?removeReference=
//	PATCH  /api/products/{guid}/images/{gallery}/source           (async: 202 {jobId})
//	DELETE /api/products/{guid}/images/{gallery}/{imageName}?removeReference=
//	GET    /api/system/jobs/{jobId}
//	GET    /api/eshop?include=imageCuts                           (the image cuts only)
//	GET    /action/ApiOAuthServer/getAccessToken                  (the e-shop's OAuth server)
//
// Documented behaviour it reproduces: the Shoptet-Private-Api-Token and
// Shoptet-Access-Token checks (401 missing-access-token, invalid-token,
// expired-token); API access tokens issued by the OAuth server to
// Authorization: Bearer <OAuth access token>, valid 30 minutes, at most 5
// valid at once; the {data, errors, metadata{requestId}} envelope on every
// answer with the same ID in X-Request-ID; the Content-Type header every
// operation requires; galleries "shop" and "shop360"; at most 100 images
// per add or update (413, nothing done); 422 for a body off the schema
// (unknown members included); 400 for item validation (a priority outside
// 1..65535, or 1..99999 for sources); skipped update rows reported in
// errors with a 200; 409 when deleting a variant's image without
// removeReference, and such images skipped (reported in errors) by a
// gallery delete; asynchronous adds and source replacements as jobs
// (pending, running, then completed, failed or killed) whose images appear
// when they complete; a 403 on those calls, nothing queued, while the
// job:finished webhook is not registered (SetWebhook); at most 3 requests
// in flight per token, the fourth refused by nginx's 429 page; the leaky
// bucket (200 drops draining 10 a second) with X-RateLimit-Bucket-Filling
// on every answer and a 429 with an HTTP-date Retry-After when full; and a
// 423 for a write identical to one being processed.
//
// Where the documents leave a choice open, the fake offers every reading
// as an Option, and a client should be tested under each (the default is
// marked [I] where it is a guess):
//
//   - Content-Type of answers: application/json (the docs' example) or
//     application/vnd.shoptet.v1.0 (the PHP SDK's): WithMediaType.
//   - Job timing: a job completes at its first detail poll [I], after n
//     polls, or after a duration of the server's clock: WithJobTiming; a
//     limit on detail polls of an unprocessed job (the spec's 403
//     job-detail-try-counter-exceeded-limit): WithJobDetailLimit. A job
//     with a source that cannot be downloaded fails:
//     WithFailingSources; KillJob kills one.
//   - Which image isMainImage marks: the first in display order (lowest
//     priority, ties by the order added) [I], or the first added among
//     those sharing the lowest priority: WithMainRule.
//   - Display order: by priority, ties by the order added; images without
//     a priority last [I] or first: WithNulls. The list is sent in display
//     order (the docs) or in the order added: WithListOrder. An image added
//     without a priority gets the highest plus one [I] or null:
//     WithAddPriority.
//   - Names of images added from URLs: "<n>.<ext>" [I], the URL's file
//     name (de-duplicated with "-1", ...), or "<n>_<file name>":
//     WithNaming.
//   - What an update answers in data.images: the updated images [I] or
//     the whole gallery: WithPatchAnswer. Skipped rows' errors carry the
//     image name as instance, code image-not-found [I].
//   - The lock: on method, URL and body [I] or method and URL alone, held
//     while the write is processed [I] or for a window after it: WithLock.
//   - The 403 of a missing webhook has code job-finished-webhook-missing
//     [I]; a full bucket's 429 code rate-limit-exceeded [I]; a sixth token
//     ends the oldest valid one's validity [I].
//
// The fake runs on shopimgtest/fakestore: it records every request (with
// the token headers redacted), takes scripted faults (a status, a dropped
// connection, latency, AfterApply) and uses an injectable clock (WithClock)
// for token expiry, jobs, locks, the bucket and dates, which the clients
// from NewClient and NewAddonClient share. WithInFlightHook lets a test
// hold requests so that they overlap; Insert and Remove change a gallery
// behind a client's back.
package shoptettest
