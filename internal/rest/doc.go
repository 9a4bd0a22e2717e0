// Package rest is the one HTTP core every vendor client uses. A vendor plugs
// in only its authentication headers, an error decoder, a rate-limit header
// reader and its paging; this package does the rest:
//
//   - request building: a base URL plus escaped path segments (Path), query
//     strings from typed structs through google/go-querystring, JSON bodies,
//     and streamed multipart uploads that can be replayed (GetBody);
//   - retries through hashicorp/go-retryablehttp, configured with an
//     operation-aware policy (see Effect) instead of its defaults: reads and
//     idempotent writes retry on network errors, 429 and 5xx other than 501;
//     creates retry only when the server surely did not act (dial error, 429,
//     a vendor's "locked" status), and otherwise fail with an error matching
//     shopimg.ErrOutcomeUnknown;
//   - waits that honour Retry-After (seconds or HTTP date) and the vendor's
//     quota reset, capped, jittered, and ended at once by the context, all
//     through an injectable shopimg.Clock so tests never sleep;
//   - a per-store rate limiter (Limiter) shared by every goroutine using the
//     client, fed by the vendor's quota headers;
//   - error bodies read up to a limit into *shopimg.APIError (HTML and empty
//     bodies still give a clear message), with secret headers and query
//     parameters never appearing in an error or a log line;
//   - opt-in log/slog logging and a "shopimg/<version>" User-Agent.
//
// The retry loop is go-retryablehttp's. Its own timer is given a zero backoff;
// the real wait happens in its PrepareRetry hook, through the Clock and with
// the request's context, so waits are injectable and cancellable.
package rest
