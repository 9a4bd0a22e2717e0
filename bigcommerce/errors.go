package bigcommerce

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// APIError is the error every call returns for an error response. It is
// shopimg.APIError, so errors.Is classifies it against the shopimg sentinels
// (404 ErrNotFound, 401/403 ErrUnauthorized, 429 ErrRateLimited, 400/413/422
// ErrInvalidInput, 409 ErrConflict) and errors.As reads it the same way on
// every platform.
//
// From a v3 body {"status","title","type","instance","errors":{field:msg}}
// (the spec's error_Base and errorResponse_422), Message is the title, Code
// the "code" member when the body has one, and Details the errors map,
// sorted by field. From a v2 body [{"status","message","details"}], Message
// is the first item's message and Details holds every details member and
// every further item. An HTML or empty body gives a Message describing it.
type APIError = shopimg.APIError

// v3Error is the v3 error body: error_Base plus errorResponse_422's code and
// errors. Errors is kept raw: the spec types it as an object of anything
// (DetailedErrors, additionalProperties: true).
type v3Error struct {
	Status   json.Number     `json:"status"`
	Code     json.Number     `json:"code"`
	Title    string          `json:"title"`
	Type     string          `json:"type"`
	Instance string          `json:"instance"`
	Errors   json.RawMessage `json:"errors"`
}

// v2Error is one item of the v2 error array.
type v2Error struct {
	Status  json.Number     `json:"status"`
	Message string          `json:"message"`
	Details json.RawMessage `json:"details"`
}

// decodeError is the rest.ErrorDecoder for both API generations. A body in
// neither shape keeps the core's description.
func decodeError(e *APIError, _ http.Header, body []byte) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return
	}
	switch body[0] {
	case '{':
		var v v3Error
		if json.Unmarshal(body, &v) != nil || (v.Title == "" && len(v.Errors) == 0) {
			return
		}
		if v.Title != "" {
			e.Message = v.Title
		}
		if v.Code != "" && v.Code.String() != strconv.Itoa(e.StatusCode) {
			e.Code = v.Code.String()
		}
		e.Details = appendDetails(e.Details, "", v.Errors)
	case '[':
		var items []v2Error
		if json.Unmarshal(body, &items) != nil || len(items) == 0 {
			return
		}
		for i, it := range items {
			if i == 0 {
				if it.Message != "" {
					e.Message = it.Message
				}
			} else if it.Message != "" {
				e.Details = appendDetail(e.Details, "", it.Message)
			}
			e.Details = appendDetails(e.Details, "", it.Details)
		}
	}
}

// appendDetails adds the field errors of raw: an object maps fields to
// messages (a nested object or array is kept as its JSON text), an array
// holds messages, a string is one message.
func appendDetails(ds []shopimg.FieldError, field string, raw json.RawMessage) []shopimg.FieldError {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ds
	}
	switch raw[0] {
	case '{':
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return ds
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			ds = appendDetail(ds, k, rest.JSONText(m[k]))
		}
	case '[':
		var a []json.RawMessage
		if json.Unmarshal(raw, &a) != nil {
			return ds
		}
		for _, it := range a {
			ds = appendDetail(ds, field, rest.JSONText(it))
		}
	default:
		ds = appendDetail(ds, field, rest.JSONText(raw))
	}
	return ds
}

func appendDetail(ds []shopimg.FieldError, field, msg string) []shopimg.FieldError {
	return append(ds, shopimg.FieldError{Field: field, Message: msg})
}

// The quota headers (from the vendor's rate-limit page).
const (
	headerRequestsLeft  = "X-Rate-Limit-Requests-Left"
	headerRequestsQuota = "X-Rate-Limit-Requests-Quota"
	headerTimeResetMs   = "X-Rate-Limit-Time-Reset-Ms"
	headerTimeWindowMs  = "X-Rate-Limit-Time-Window-Ms"
	headerRetryAfter    = "X-Retry-After"
)

// readRate is the rest.RateReader: it reads the store's quota headers into
// the core's limiter. ok is false when the response carries none of
// X-Rate-Limit-Requests-Left, X-Rate-Limit-Time-Reset-Ms and X-Retry-After.
// A response without X-Rate-Limit-Requests-Left but with a reset or
// X-Retry-After (seconds) reports no requests left until the later of the
// two, so the limiter holds the store that long: the cautious reading of a
// response the docs do not describe (they send the headers together). On a
// 429 the core waits the longer of the reset and X-Retry-After, as the docs
// ask ("If both are present, use the longer of the two").
func readRate(h http.Header) (rest.RateInfo, bool) {
	var info rest.RateInfo
	left, haveLeft := rest.HeaderInt(h, headerRequestsLeft, 1e9)
	if haveLeft {
		info.Remaining = int(max(left, 0))
	}
	if n, ok := rest.HeaderInt(h, headerRequestsQuota, 1e9); ok && n > 0 {
		info.Limit = int(n)
	}
	if n, ok := rest.HeaderInt(h, headerTimeResetMs, 1e9); ok && n > 0 {
		info.Reset = time.Duration(n) * time.Millisecond
	}
	if n, ok := rest.HeaderInt(h, headerTimeWindowMs, 1e9); ok && n > 0 {
		info.Window = time.Duration(n) * time.Millisecond
	}
	// X-Retry-After is documented in seconds only; anything else (a date
	// would need a clock here) is ignored.
	if v := strings.TrimSpace(h.Get(headerRetryAfter)); v != "" {
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			info.RetryAfter = rest.ParseRetryAfter(v, time.Time{})
		}
	}
	if !haveLeft {
		if info.RetryAfter == 0 && info.Reset == 0 {
			return rest.RateInfo{}, false
		}
		info.Reset = max(info.Reset, info.RetryAfter)
	}
	return info, true
}
