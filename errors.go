package shopimg

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error categories. Every error an adapter or a typed client returns matches
// one of them with errors.Is (ErrOutcomeUnknown may come together with the
// category of its cause, for example ErrUnavailable for a 500 that answered
// an add).
var (
	// ErrNotFound: the product or image does not exist.
	ErrNotFound = errors.New("shopimg: not found")
	// ErrUnauthorized: the credentials are missing, invalid, expired or lack
	// the rights for the call.
	ErrUnauthorized = errors.New("shopimg: unauthorized")
	// ErrRateLimited: the platform's quota is used up and waiting within the
	// client's policy did not help (or would take longer than
	// RetryPolicy.MaxRetryAfter). *APIError.RetryAfter says when to retry.
	ErrRateLimited = errors.New("shopimg: rate limited")
	// ErrInvalidInput: the request was malformed, either caught before sending
	// (*InputError) or refused by the platform (400, 422 and the other 4xx
	// statuses without a category of their own).
	ErrInvalidInput = errors.New("shopimg: invalid input")
	// ErrUnsupported: the platform cannot do this natively; nothing was sent.
	ErrUnsupported = errors.New("shopimg: unsupported")
	// ErrConflict: the platform refused the write because of the current state
	// (409; a Shoptet image still used by a variant), or the product's images
	// changed between the reads and writes of one call (someone else edited
	// the gallery meanwhile).
	ErrConflict = errors.New("shopimg: conflict")
	// ErrUnavailable: the platform could not be reached or answered with a
	// server error (5xx, a dropped connection, an unreadable 2xx answer)
	// and the retries allowed by the client's policy ran out. It is
	// temporary: come back later. The message says how many attempts were
	// made.
	ErrUnavailable = errors.New("shopimg: unavailable")
	// ErrOutcomeUnknown: a write was sent but it is unknown whether it took
	// effect (a 5xx, a dropped connection, a cancelled context mid-request).
	// Check the state (list) before repeating a create.
	ErrOutcomeUnknown = errors.New("shopimg: outcome unknown")
	// ErrAdded: Add created the image (the platform answered with its ID),
	// but a later step of the same Add failed: reading it back, or moving it
	// to the asked position. The image exists; do not add it again. The
	// error is an *AddedError holding the image and the cause.
	ErrAdded = errors.New("shopimg: image added, follow-up failed")
)

// APIError is an error response from a platform's API. All vendor packages
// return it (each has an alias named APIError), so callers can read the
// details of any platform's error with errors.As, and classify it with
// errors.Is against the sentinels.
//
// Every field is free of the client's credentials: the client that built
// the error replaced any copy of them (in any encoding the body could carry
// them) with "REDACTED".
type APIError struct {
	// Platform names the vendor package, e.g. "bigcommerce".
	Platform string
	// Method and Path are the request's, with secrets removed.
	Method, Path string
	// StatusCode is the HTTP status (or, for envelopes that carry their own
	// status with HTTP 200, that status). A 429 with Attempts 0 was not
	// sent at all: the quota reported by earlier answers is used up for
	// longer than the client may wait (RetryPolicy.MaxRetryAfter).
	StatusCode int
	// Code is the vendor's own error code, when it has one
	// (e.g. "missing-access-token", "validation_failed").
	Code string
	// Message is the vendor's human-readable message, or a description of the
	// body when it was not in the vendor's error format.
	Message string
	// Details holds per-field or per-item errors.
	Details []FieldError
	// RequestID is the vendor's request ID, when it sends one.
	RequestID string
	// RetryAfter is how long the platform asked to wait (0 if it did not).
	RetryAfter time.Duration
	// Attempts is how many times the request was sent (0: not sent).
	Attempts int
	// Body is the start of the response body (up to the client's limit),
	// with every credential of the request replaced by "REDACTED".
	Body []byte
	// Kind is the sentinel this error matches. When nil, it follows from
	// StatusCode: 401/403 ErrUnauthorized, 404/410 ErrNotFound, 409
	// ErrConflict, 429 ErrRateLimited, 408/423/5xx ErrUnavailable, any
	// other status ErrInvalidInput.
	Kind error
}

// FieldError is one error about one field or item of a request.
type FieldError struct {
	// Field names the field or item, in the vendor's terms (empty when the
	// vendor did not say).
	Field string
	// Message is what the vendor said is wrong with it.
	Message string
}

// Error returns a one-line description: platform, method, path, status, the
// vendor's code and message, field errors, request ID and attempts.
func (e *APIError) Error() string {
	var b strings.Builder
	if e.Platform != "" {
		b.WriteString(e.Platform)
		b.WriteString(": ")
	}
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " [%s]", e.Code)
	}
	for i, d := range e.Details {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		if d.Field != "" {
			b.WriteString(d.Field)
			b.WriteString(": ")
		}
		b.WriteString(d.Message)
		if i == len(e.Details)-1 {
			b.WriteString(")")
		}
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request %s)", e.RequestID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Is reports whether target is the error's category.
func (e *APIError) Is(target error) bool {
	kind := e.Kind
	if kind == nil {
		kind = kindForStatus(e.StatusCode)
	}
	return kind == target
}

// kindForStatus is the category of an HTTP error status; see APIError.Kind.
func kindForStatus(status int) error {
	switch {
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return ErrUnauthorized
	case status == http.StatusNotFound, status == http.StatusGone:
		return ErrNotFound
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusRequestTimeout, status == http.StatusLocked, status >= 500:
		return ErrUnavailable
	case status >= 400:
		return ErrInvalidInput
	}
	return ErrUnavailable
}

// InputError is invalid input caught before any request was sent. It matches
// ErrInvalidInput.
type InputError struct {
	// Field names the offending argument or field.
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error returns "shopimg: invalid input: <Field> <Reason>".
func (e *InputError) Error() string {
	return "shopimg: invalid input: " + e.Field + " " + e.Reason
}

// Is reports whether target is ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// UnsupportedError is an operation the platform cannot do natively. It
// matches ErrUnsupported. Nothing was sent.
type UnsupportedError struct {
	// Platform names the vendor package, e.g. "threedcart".
	Platform string
	// Operation is what was asked, e.g. "delete an image".
	Operation string
	// Reason says why, e.g. "the API has no image delete endpoint".
	Reason string
}

// Error returns "<Platform>: <Operation> is unsupported[: <Reason>]".
func (e *UnsupportedError) Error() string {
	s := e.Platform + ": " + e.Operation + " is unsupported"
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Is reports whether target is ErrUnsupported.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// AddedError is the error of an Add whose image was created (the platform
// answered with its ID) while a later step of the same Add failed, such as
// reading the image back or moving it to the asked position. It matches
// ErrAdded and no other category: the image exists, and a caller that
// retried the Add on the cause's category (a rate limit, say) would add it
// twice. Add returns the image together with this error.
type AddedError struct {
	// Image is the image as far as it is known: its ID and product at
	// least.
	Image Image
	// Step names what failed after the create, e.g. "move it to position 2".
	Step string
	// Err is the cause, with its own category (read it with errors.As on
	// this field, not on the AddedError).
	Err error
}

// Error says that the image exists and what failed after it was created.
func (e *AddedError) Error() string {
	return fmt.Sprintf("shopimg: image %s was added to product %s, but could not %s: %v", e.Image.ID, e.Image.ProductID, e.Step, e.Err)
}

// Is reports whether target is ErrAdded.
func (e *AddedError) Is(target error) bool { return target == ErrAdded }
