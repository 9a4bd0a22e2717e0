// Package shoptet is a client of the Shoptet API's product image and job
// endpoints (https://api.docs.shoptet.com), and its shopimg.ProductImages
// adapter.
//
//	client, err := shoptet.NewClient(shoptet.Credentials{PrivateAPIToken: token})
//	images := client.ProductImages() // shopimg.ProductImages and shopimg.BatchUpdater
//
// An addon authenticates with short-lived API access tokens instead, which
// an AccessTokenSource gets from the e-shop's OAuth server with the addon's
// OAuth access token and caches:
//
//	src, err := shoptet.NewAccessTokenSource("https://12345.myshoptet.com", oauthAccessToken)
//	client, err := shoptet.NewClient(shoptet.Credentials{AccessTokens: src})
//
// Package shoptettest is a stateful fake of the API for tests.
//
// # Endpoints and authentication
//
// The typed client has one method per call, under https://api.myshoptet.com:
// ListImages (GET /api/products/{guid}/images/{gallery}, not paged),
// AddImages (POST, asynchronous), UpdateImages (PATCH), ReplaceImageSources
// (PATCH .../source, asynchronous), DeleteImage and DeleteGallery (DELETE,
// with removeReference), GetJob and WaitJob (GET /api/system/jobs/{jobId}),
// and ImageCuts (GET /api/eshop?include=imageCuts). Products are GUIDs
// (ProductGUID), images file names (ImageName, escaped as one path segment;
// names may hold dots), galleries GalleryShop (the default) and Gallery360.
// Calls of more than 100 images are split into calls of 100.
//
// Every request carries Content-Type: application/json, which the OpenAPI
// file declares required on every operation (the official PHP SDK sends
// application/vnd.shoptet.v1.0 instead; answers in either type are read),
// and one token: Shoptet-Private-Api-Token (a private token, which never
// expires) or Shoptet-Access-Token (an addon's API access token, asked of
// Credentials.AccessTokens for every attempt). Neither ever appears in an
// error, a log line or String output. An AccessTokenSource calls GET
// https://<e-shop>/action/ApiOAuthServer/getAccessToken with
// Authorization: Bearer <OAuth access token>, reads {"access_token",
// "expires_in"} (the field names third-party clients read; the docs only
// say the answer holds the token and its expiry), and keeps each token
// until a minute before it expires (DefaultTokenLifetime when expires_in
// is missing). The e-shop allows 5 valid tokens per installation, so share
// one source per e-shop.
//
// # Answers and errors
//
// Every answer is {"data", "errors":[{"errorCode","message","instance"}],
// "metadata":{"requestId"}}, each part possibly null. Every error is a
// *shopimg.APIError (alias APIError) carrying the first error's message and
// code, every error in Details, and the request ID (metadata.requestId or
// X-Request-ID), classified with errors.Is against the shopimg sentinels:
// 400, 413 (too many items, nothing done) and 422 ErrInvalidInput; 401 and
// 403 ErrUnauthorized; 404 ErrNotFound; 409 ErrConflict (a variant's image:
// the message says to delete it with removeReference); 429 ErrRateLimited;
// 423 and 5xx ErrUnavailable. A 403 on an asynchronous call that is not
// about the token is Shoptet refusing it because the e-shop has not
// registered the job:finished webhook, which asynchronous calls require;
// the message says so, and IsWebhookNotRegistered reports it.
//
// A 2xx answer can carry errors too. A list answered with data ignores
// them (the docs: a 200 GET need not be checked). An update answers 200
// when some rows are skipped, and lists them in errors: UpdateImages
// reports each row's outcome (UpdateResult.Rows). An asynchronous call
// without a jobId, a lost answer to an add, or a 5xx to it, matches
// shopimg.ErrOutcomeUnknown.
//
// # Jobs
//
// Adds and source replacements answer 202 with a jobId; the job runs
// later. WaitJob polls GET /api/system/jobs/{jobId} on the client's clock,
// after 1 s and then at doubling intervals up to 30 s (JobWait), until the
// job is completed, failed, killed or expired, the context ends or the
// timeout passes. A failed job is a *JobError matching
// shopimg.ErrInvalidInput (killed or expired: ErrUnavailable); a wait that
// ends first is a *JobWaitError matching shopimg.ErrOutcomeUnknown. The
// spec documents a 403 job-detail-try-counter-exceeded-limit for polling an
// unprocessed job too often: WaitJob takes it as "not done yet" and polls
// at the longest interval. Shoptet marks a job that errors failed three
// hours after its creation at the latest.
//
// # Rate limits
//
// Shoptet refuses a fourth concurrent connection per token with a 429
// (nginx limit_conn), so a Client never has more than MaxInFlight (3)
// requests in flight, however many goroutines use it; clients of the same
// token share that cap with WithSharedQuota. The leaky bucket (200 drops,
// draining 10 a second; a request's cost follows from the size of its
// answer) is reported as X-RateLimit-Bucket-Filling: <current>/<max> on
// every answer, which feeds the client's limiter and Response.Rate; when it
// overflows, the 429's Retry-After is an HTTP date, waited out on the
// client's clock (up to RetryPolicy.MaxRetryAfter). A 423 (the same write
// is being processed; the lock lasts at most 5 s) is retried for every
// write, adds included.
//
// # Readings of the docs
//
// Where the documents are silent, the client does what is correct under
// every reading (package shoptettest offers each as an option, and the
// tests run under all of them):
//
//   - Order: the docs say the list comes in the administration's order and
//     that priority is its key ("not necessarily from the first, and the
//     series may contain gaps", and null). The adapter keeps the API's
//     order when the priorities agree with it, else sorts by priority
//     (null last); the image flagged isMainImage goes first either way.
//   - Main image: isMainImage is read-only; the main image is the first in
//     administration order, so the adapter makes an image main by giving it
//     the lowest priority. It always writes distinct priorities, so the
//     readings "lowest priority" and "first added among equal priorities"
//     agree.
//   - Priorities the adapter writes are spaced (up to 1024 apart), so an
//     add can land between two images and a reorder writes only the images
//     it moves; when nulls, ties or a full gap leave no room, it renumbers
//     every image (one PATCH per 100).
//   - Adds: the API returns a job, not the image, and the name it gives an
//     image added from a URL is not documented. The adapter's Add therefore
//     lists the gallery when its turn comes (adds to one product through
//     one Client take turns), adds, waits, lists again and takes the one new
//     image, or, when several appeared, the one with the priority and
//     description it sent; when that is still ambiguous (someone else added
//     the same image meanwhile) the error matches shopimg.ErrOutcomeUnknown.
//   - What an update answers in data.images (the updated images or the
//     whole gallery) is not said; a row counts as updated when the answer
//     lists its image with the values sent, as skipped when an error's
//     instance names it, and as unreported otherwise.
//   - Image URLs: the adapter appends the escaped name to the "orig" (else
//     "big") and "related" cuts' urlPath from /api/eshop?include=imageCuts,
//     read once per Client. Without rights to that endpoint, images come
//     without URLs.
//
// File uploads are not part of the image endpoints (the Files endpoints
// stage them first); the adapter reports them unsupported.
package shoptet
