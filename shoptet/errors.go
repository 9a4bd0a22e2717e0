package shoptet

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// APIError is the error every call returns for an error response (and for
// a 2xx answer whose errors say the call failed). It is shopimg.APIError,
// so errors.Is classifies it against the shopimg sentinels (401/403
// ErrUnauthorized, 404 ErrNotFound, 409 ErrConflict, 429 ErrRateLimited,
// 423/5xx ErrUnavailable, 400/413/422 ErrInvalidInput) and errors.As reads
// it the same way on every platform.
//
// From the envelope {"data", "errors":[{"errorCode","message","instance"}],
// "metadata":{"requestId"}}, Message is the first error's message, Code its
// errorCode, Details every error (Field is its instance) and RequestID the
// envelope's requestId (or the X-Request-ID header). An HTML or empty body
// (nginx's own 429 and 5xx pages) gives a Message describing it.
type APIError = shopimg.APIError

// Response is the platform's answer to a typed call: status, headers,
// request ID, the leaky bucket's state and attempts (see shopimg.Response).
type Response = shopimg.Response

// Error is one item of an envelope's errors.
type Error struct {
	// ErrorCode is a short identification, e.g. "image-not-found".
	ErrorCode string `json:"errorCode"`
	// Message describes the error.
	Message string `json:"message"`
	// Instance identifies the entity the error is about (an image name, a
	// job ID), or "unknown".
	Instance string `json:"instance"`
}

// Error returns "<errorCode>: <message> (<instance>)".
func (e Error) Error() string {
	s := e.ErrorCode + ": " + e.Message
	if e.Instance != "" {
		s += " (" + e.Instance + ")"
	}
	return s
}

// Metadata is an envelope's metadata.
type Metadata struct {
	// RequestID identifies the request for Shoptet's support.
	RequestID string `json:"requestId"`
}

// envelope is every answer's shape: {data, errors, metadata}, each of which
// may be null.
type envelope[T any] struct {
	Data     *T        `json:"data"`
	Errors   []Error   `json:"errors"`
	Metadata *Metadata `json:"metadata"`
}

// fill sets e from the envelope's errors and request ID.
func (v *envelope[T]) fill(e *APIError) {
	fillErrors(e, v.Errors)
	if v.Metadata != nil && v.Metadata.RequestID != "" {
		e.RequestID = v.Metadata.RequestID
	}
}

// fillErrors sets Message, Code and Details from errs.
func fillErrors(e *APIError, errs []Error) {
	if len(errs) == 0 {
		return
	}
	first := errs[0]
	if first.Message != "" {
		e.Message = first.Message
	}
	e.Code = first.ErrorCode
	if len(errs) == 1 && (first.Instance == "" || first.Instance == "unknown") {
		return
	}
	for _, er := range errs {
		msg := er.Message
		if er.ErrorCode != "" {
			msg = er.ErrorCode + ": " + msg
		}
		e.Details = append(e.Details, shopimg.FieldError{Field: er.Instance, Message: msg})
	}
}

// decodeError is the rest.ErrorDecoder: it reads the envelope into e, and
// says so plainly when a 403 on an asynchronous endpoint means the
// job:finished webhook is not registered, and what a 409 on an image delete
// means.
func decodeError(e *APIError, _ http.Header, body []byte) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '{' {
		var v envelope[json.RawMessage]
		if json.Unmarshal(body, &v) == nil {
			v.fill(e)
		}
	}
	switch {
	case webhookMissing(e):
		e.Message = "Shoptet refuses asynchronous requests (image adds, source replacements) until the e-shop registers the job:finished webhook, and queued nothing: register it (POST /api/webhooks, event job:finished) and send again [" + e.Message + "]"
	case e.StatusCode == http.StatusConflict && e.Method == http.MethodDelete && isImagePath(e.Path):
		e.Message = "the image is a variant's image, so Shoptet keeps it: delete with removeReference=true to remove that reference too [" + e.Message + "]"
	}
}

// tokenCodes are error codes about the token, which a 403 on an
// asynchronous endpoint may also carry (the token lacks the rights).
func tokenCode(code string) bool {
	return strings.Contains(code, "token") || strings.Contains(code, "right") || strings.Contains(code, "module")
}

// webhookMissing reports whether e is a 403 on an asynchronous endpoint (a
// POST of images, a PATCH of sources) that is not about the token: the docs
// say Shoptet answers so when the job:finished webhook is not registered.
func webhookMissing(e *APIError) bool {
	if e.StatusCode != http.StatusForbidden || tokenCode(e.Code) {
		return false
	}
	if strings.Contains(strings.ToLower(e.Code), "webhook") {
		return true
	}
	return isAsync(e.Method, e.Path)
}

// IsWebhookNotRegistered reports whether err is Shoptet's refusal of an
// asynchronous request (AddImages, ReplaceImageSources, and so the adapter's
// Add) because the e-shop has not registered the job:finished webhook.
// Nothing was queued; register the webhook and send again.
func IsWebhookNotRegistered(err error) bool {
	var e *APIError
	return asAPIError(err, &e) && webhookMissing(e)
}

// isAsync reports whether method and path are those of an asynchronous
// image endpoint (the path may have a prefix: a proxy's base URL).
func isAsync(method, path string) bool {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	n := len(segs)
	switch {
	case method == http.MethodPost && n >= 5 && segs[n-5] == "api" && segs[n-4] == "products" && segs[n-2] == "images":
		return true
	case method == http.MethodPatch && n >= 6 && segs[n-6] == "api" && segs[n-5] == "products" && segs[n-3] == "images" && segs[n-1] == "source":
		return true
	}
	return false
}

// isImagePath reports whether path is that of one image.
func isImagePath(path string) bool {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	n := len(segs)
	return n >= 6 && segs[n-6] == "api" && segs[n-5] == "products" && segs[n-3] == "images"
}

func asAPIError(err error, target **APIError) bool { return errors.As(err, target) }

// bucketDrain is how many drops a second Shoptet's leaky bucket drains.
const bucketDrain = 10

// readRate is the rest.RateReader: X-RateLimit-Bucket-Filling
// "<current>/<max>" on every answer. The bucket holds max drops and drains
// 10 a second, so it reports max-current drops of room and, when the
// bucket is full, how long until it has drained one drop (the cost of a
// request is at least one drop); the window is max/10 s, the time the
// bucket takes to drain whole.
func readRate(h http.Header) (rest.RateInfo, bool) {
	cur, limit, ok := ParseBucketFilling(h.Get("X-RateLimit-Bucket-Filling"))
	if !ok {
		return rest.RateInfo{}, false
	}
	perDrop := time.Second / bucketDrain
	return rest.RateInfo{
		Remaining: max(limit-cur, 0),
		Limit:     limit,
		Reset:     time.Duration(max(cur-limit+1, 0)) * perDrop,
		Window:    time.Duration(limit) * perDrop,
	}, true
}

// ParseBucketFilling parses an X-RateLimit-Bucket-Filling value such as
// "120/200" into the drops in the bucket and its capacity. ok is false
// unless both are non-negative decimal integers and the capacity is
// positive.
func ParseBucketFilling(v string) (current, capacity int, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(v), "/")
	if !found {
		return 0, 0, false
	}
	cur, err1 := strconv.Atoi(strings.TrimSpace(a))
	limit, err2 := strconv.Atoi(strings.TrimSpace(b))
	if err1 != nil || err2 != nil || cur < 0 || limit <= 0 || cur > 1<<30 || limit > 1<<30 {
		return 0, 0, false
	}
	return cur, limit, true
}

// Time is a Shoptet timestamp, "2018-05-29T09:02:27+0200" (RFC 3339 is read
// too); null or empty is the zero Time.
type Time struct{ time.Time }

// timeLayout is the API's timestamp form.
const timeLayout = "2006-01-02T15:04:05-0700"

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	t.Time = time.Time{}
	if string(b) == "null" {
		return nil
	}
	var s string
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b[1:n-1], '\\') < 0 && bytes.IndexByte(b[1:n-1], '"') < 0 {
		s = string(b[1 : n-1]) // the common case, without a second decoder
	} else if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		return nil
	}
	for _, layout := range []string{timeLayout, time.RFC3339Nano} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return &time.ParseError{Layout: timeLayout, Value: s, Message: ": not a Shoptet timestamp"}
}

// MarshalJSON implements json.Marshaler: the API's form, or null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Format(timeLayout))
}
