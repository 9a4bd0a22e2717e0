package shopimg

import (
	"net/http"
	"time"
)

// Response is what a platform answered a typed call with, beside the
// decoded result: the metadata the result does not carry. Every typed
// endpoint of every vendor package returns it (as go-github does): non-nil
// whenever the platform answered, also when the call failed, and nil when no
// answer arrived (invalid input, a network failure). Adapters
// (ProductImages) and iterators do not expose it.
type Response struct {
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	// Header holds the last attempt's response headers.
	Header http.Header
	// RequestID is the platform's ID of the request, when it sends one
	// (a header or the envelope's metadata), for its support desk.
	RequestID string
	// Rate is the quota state the last answer reported, if any.
	Rate Rate
	// Attempts is how many times the request was sent.
	Attempts int
}

// Rate is a quota state a platform reported in its answer's headers.
type Rate struct {
	// Known reports whether the answer carried quota headers at all; the
	// other fields are zero when it did not.
	Known bool
	// Limit is the quota per window, or a leaky bucket's capacity (0 if
	// not reported).
	Limit int
	// Remaining is how many requests are left in the window (or how much
	// room is left in the bucket).
	Remaining int
	// Reset is how long until the quota refills (0 if not reported).
	Reset time.Duration
}
