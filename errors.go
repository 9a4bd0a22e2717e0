package shopimg

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Error categories. Every error an adapter returns matches at most one of
// them with errors.Is (ErrOutcomeUnknown may come together with the cause it
// wraps, for example a *APIError for a 500).
var (
	// ErrNotFound: the product or image does not exist.
	ErrNotFound = errors.New("shopimg: not found")
	// ErrUnauthorized: the credentials are missing, invalid, expired or lack
	// the rights for the call.
	ErrUnauthorized = errors.New("shopimg: unauthorized")
	// ErrRateLimited: the platform's quota is used up and retrying within the
	// client's policy did not help. *APIError.RetryAfter says when to retry.
	ErrRateLimited = errors.New("shopimg: rate limited")
	// ErrInvalidInput: the request was malformed, either caught before sending
	// (*InputError) or refused by the platform (400, 422).
	ErrInvalidInput = errors.New("shopimg: invalid input")
	// ErrUnsupported: the platform cannot do this natively; nothing was sent.
	ErrUnsupported = errors.New("shopimg: unsupported")
	// ErrConflict: the platform refused the write because of the current state
	// (409; a Shoptet image still used by a variant).
	ErrConflict = errors.New("shopimg: conflict")
	// ErrOutcomeUnknown: a write was sent but it is unknown whether it took
	// effect (a 5xx, a dropped connection, a cancelled context mid-request).
	// Check the state (list) before repeating a create.
	ErrOutcomeUnknown = errors.New("shopimg: outcome unknown")
)

// APIError is an error response from a platform's API. All vendor packages
// return it (each has an alias named APIError), so callers can read the
// details of any platform's error with errors.As, and classify it with
// errors.Is against the sentinels.
type APIError struct {
	// Platform names the vendor package, e.g. "bigcommerce".
	Platform string
	// Method and Path are the request's, with secrets removed.
	Method, Path string
	// StatusCode is the HTTP status (or, for envelopes that carry their own
	// status with HTTP 200, that status).
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
	// Body is the start of the response body (up to the client's limit),
	// with any credential of the request that it repeats replaced by
	// "REDACTED".
	Body []byte
	// Kind is the sentinel this error matches. When nil, it follows from
	// StatusCode (see KindForStatus).
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
// vendor's code and message, and field errors.
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
	return b.String()
}

// Is reports whether target is the error's category.
func (e *APIError) Is(target error) bool {
	kind := e.Kind
	if kind == nil {
		kind = KindForStatus(e.StatusCode)
	}
	return kind != nil && kind == target
}

// KindForStatus is the default category of an HTTP error status:
// 401/403 ErrUnauthorized, 404/410 ErrNotFound, 409 ErrConflict, 400/413/422
// ErrInvalidInput, 429 ErrRateLimited, anything else nil.
func KindForStatus(status int) error {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return ErrUnauthorized
	case http.StatusNotFound, http.StatusGone:
		return ErrNotFound
	case http.StatusConflict:
		return ErrConflict
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return ErrInvalidInput
	case http.StatusTooManyRequests:
		return ErrRateLimited
	}
	return nil
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
	// Operation is what was asked, e.g. "delete image".
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
