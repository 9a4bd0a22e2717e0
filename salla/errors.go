package salla

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
// shopimg.APIError, so errors.Is classifies it against the shopimg
// sentinels (401 and 403 ErrUnauthorized, 404 and 410 ErrNotFound, 429
// ErrRateLimited, 400, 405, 406 and 422 ErrInvalidInput, 5xx
// ErrUnavailable) and errors.As reads it the same way on every platform.
//
// From Salla's error envelope {"status","success":false,"error":{"code",
// "message","fields":{field:[messages]}}}, Code is error.code (such as
// "Unauthorized" or "error"), Message is error.message and Details holds
// one entry per field message, sorted by field. From the bare OAuth body
// {"error":"invalid_grant","error_description":...} that answers a call
// made with a revoked grant, Code is "invalid_grant" and Message says the
// merchant must authorize the app again. An HTML or empty body gives a
// Message describing it.
type APIError = shopimg.APIError

// Response is the platform's answer to a typed call: status, headers,
// quota state and attempts (see shopimg.Response).
type Response = shopimg.Response

// errorBody is the error member of Salla's envelope. Code is a string in
// the examples ("Unauthorized", "error") and an integer in the 404 schema,
// so it is kept raw.
type errorBody struct {
	Code    json.RawMessage `json:"code"`
	Message json.RawMessage `json:"message"`
	Fields  json.RawMessage `json:"fields"`
}

// envelope is every answer's frame: {"status","success","data"} on
// success, {"status","success":false,"error"} on failure. Bare OAuth errors
// ({"error":"invalid_grant","error_description":...}) have a string error
// and no success member.
type envelope struct {
	Status  json.RawMessage `json:"status"`
	Success *bool           `json:"success"`
	Error   json.RawMessage `json:"error"`
	// ErrorDescription is the bare OAuth body's description.
	ErrorDescription string `json:"error_description"`
}

// oauthInvalidGrant is the OAuth error of a revoked grant.
const oauthInvalidGrant = "invalid_grant"

// revokedMessage explains an invalid_grant answer.
const revokedMessage = "the merchant's grant was revoked (a refresh token was used twice, or the app was uninstalled): the merchant must authorize the app again"

// fill sets what the envelope says on e, and reports whether it is an
// error envelope at all.
func (v *envelope) fill(e *APIError) bool {
	raw := bytes.TrimSpace(v.Error)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return false
	case raw[0] == '"':
		// The bare OAuth body.
		var code string
		if json.Unmarshal(raw, &code) != nil || code == "" {
			return false
		}
		e.Code = code
		e.Message = v.ErrorDescription
		if code == oauthInvalidGrant {
			e.Kind = shopimg.ErrUnauthorized
			e.Message = revokedMessage
			if v.ErrorDescription != "" {
				e.Message += " (" + v.ErrorDescription + ")"
			}
		}
		if e.Message == "" {
			e.Message = code
		}
		return true
	case raw[0] != '{':
		return false
	}
	var b errorBody
	if json.Unmarshal(raw, &b) != nil {
		return false
	}
	if c := rest.JSONText(b.Code); c != "" {
		e.Code = c
	}
	if m := rest.JSONText(b.Message); m != "" {
		e.Message = m
	}
	e.Details = appendFields(e.Details, b.Fields)
	return true
}

// status returns the envelope's status member as a number, 0 when absent
// or not a status code.
func (v *envelope) status() int {
	s := strings.Trim(string(bytes.TrimSpace(v.Status)), `"`)
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0
	}
	return n
}

// decodeError is the rest.ErrorDecoder: Salla's error envelope, or the bare
// OAuth body. A body in neither shape keeps the core's description.
func decodeError(e *APIError, _ http.Header, body []byte) {
	var v envelope
	if json.Unmarshal(bytes.TrimSpace(body), &v) != nil {
		return
	}
	v.fill(e)
}

// check is the BodyChecker part every success envelope shares: a 2xx answer
// with success false reports an error. The status inside the envelope is
// used when it is an error status; a failure without one is taken as a
// refusal (invalid input), as nothing says it was carried out.
func (v *envelope) check(e *APIError) bool {
	if v.Success == nil || *v.Success {
		return false
	}
	if !v.fill(e) {
		e.Message = "the answer reports success false"
	}
	if st := v.status(); st >= 400 {
		e.StatusCode = st
	} else if e.Kind == nil {
		e.Kind = shopimg.ErrInvalidInput
	}
	return true
}

// appendFields adds the field errors of raw, which maps each field to a
// list of messages (a single message is taken too), sorted by field.
func appendFields(ds []shopimg.FieldError, raw json.RawMessage) []shopimg.FieldError {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return ds
	}
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
		v := bytes.TrimSpace(m[k])
		var list []json.RawMessage
		if len(v) > 0 && v[0] == '[' && json.Unmarshal(v, &list) == nil {
			for _, it := range list {
				ds = append(ds, shopimg.FieldError{Field: k, Message: rest.JSONText(it)})
			}
			continue
		}
		if s := rest.JSONText(v); s != "" {
			ds = append(ds, shopimg.FieldError{Field: k, Message: s})
		}
	}
	return ds
}

// The quota headers of the Merchant API.
const (
	headerRateLimit     = "X-RateLimit-Limit"
	headerRateRemaining = "X-RateLimit-Remaining"
	headerRateReset     = "X-RateLimit-Reset"
)

// quotaWindow is the window the documented limits are stated in (requests
// per minute).
const quotaWindow = time.Minute

// epochThreshold tells an absolute reset time from a relative one: the
// docs give X-RateLimit-Reset in UTC epoch seconds, but a value below this
// (September 2001) cannot be one, and is read as seconds from now.
const epochThreshold = 1_000_000_000

// rateReader returns the rest.RateReader: X-RateLimit-Remaining and
// X-RateLimit-Limit (requests per minute), and X-RateLimit-Reset, the UTC
// epoch second at which the quota refills, converted to a wait with the
// client's clock at the time the answer is read. ok is false when the
// answer carries neither Remaining nor Reset. Retry-After (seconds, on a
// 429) is read by the core.
func rateReader(clock shopimg.Clock) rest.RateReader {
	return func(h http.Header) (rest.RateInfo, bool) {
		var info rest.RateInfo
		rem, haveRem := rest.HeaderInt(h, headerRateRemaining, 1e11)
		if haveRem {
			info.Remaining = int(max(rem, 0))
		}
		if n, ok := rest.HeaderInt(h, headerRateLimit, 1e11); ok && n > 0 {
			info.Limit = int(n)
			info.Window = quotaWindow
		}
		reset, haveReset := rest.HeaderInt(h, headerRateReset, 1e11)
		if haveReset && reset > 0 {
			if reset >= epochThreshold {
				info.Reset = time.Unix(reset, 0).Sub(clock.Now())
				if info.Reset < 0 {
					info.Reset = 0
				}
			} else {
				info.Reset = time.Duration(reset) * time.Second
			}
		}
		if !haveRem {
			if info.Reset == 0 {
				return rest.RateInfo{}, false
			}
			// A reset without a count: cautiously, nothing left until then.
		}
		return info, true
	}
}
