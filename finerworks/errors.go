package finerworks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/shopimg/shopimg"
)

// APIError is the error every call returns for an error answer, and for an
// answer whose status envelope says success false whatever its HTTP status.
// It is shopimg.APIError, so errors.Is classifies it against the shopimg
// sentinels and errors.As reads it the same way on every platform.
//
// From the status envelope, Message is status.message and StatusCode the
// envelope's status_code when the HTTP status was 2xx (and that code is an
// error status). From ASP.NET's {"Message", "ModelState"} shape, Message is
// Message and Details holds each ModelState entry; one about
// authorization_credentials matches shopimg.ErrUnauthorized, as does a 400
// whose plain-text or HTML body speaks of the keys ("Invalid app_key").
// status.debug, which can echo the request, is removed from Body and never
// copied into Message or Details.
type APIError = shopimg.APIError

// Response is the platform's answer to a typed call: status, headers and
// attempts (see shopimg.Response). Calls that the client splits into
// several requests return the last one's.
type Response = shopimg.Response

// flag is a boolean the API may send as true/false, "true"/"false" or 1/0.
// The zero value means absent or null.
type flag int8

const (
	flagUnset flag = iota
	flagTrue
	flagFalse
)

// UnmarshalJSON implements json.Unmarshaler.
func (f *flag) UnmarshalJSON(b []byte) error {
	switch strings.ToLower(strings.Trim(string(b), `"`)) {
	case "true", "1":
		*f = flagTrue
	case "false", "0":
		*f = flagFalse
	default:
		*f = flagUnset
	}
	return nil
}

// status is the response_status object every answer carries:
// {"success": bool, "status_code": int, "message": str, "debug": ...}.
// debug is never decoded: it can echo the request.
type status struct {
	Success    flag   `json:"success"`
	StatusCode Int    `json:"status_code"`
	Message    string `json:"message"`
}

// failed reports whether the status reports an error: success false, or no
// success but an error status_code.
func (s *status) failed() bool {
	return s.Success == flagFalse || (s.Success == flagUnset && s.StatusCode >= 400)
}

// envelope is what every answer may carry besides its payload: the status,
// or (in error answers) ASP.NET's {"Message", "MessageDetail",
// "ModelState"}. Every answer type embeds it, which makes it a
// rest.BodyChecker.
type envelope struct {
	Status        *status         `json:"status"`
	Message       string          `json:"Message"`
	MessageDetail string          `json:"MessageDetail"`
	ModelState    json.RawMessage `json:"ModelState"`
}

// CheckBody makes a 2xx answer an error when its status says success false
// (or, never seen with a 2xx, it is a ModelState error), and drops
// status.debug from the body kept in the error.
func (v *envelope) CheckBody(e *APIError) bool {
	switch {
	case v.Status != nil && v.Status.failed():
		fillStatus(e, v.Status, true)
	case hasModelState(v.ModelState):
		fillModelState(e, v.Message, v.ModelState)
		e.StatusCode = max(e.StatusCode, http.StatusBadRequest)
	default:
		return false
	}
	e.Body, _ = stripDebug(e.Body)
	return true
}

func hasModelState(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && string(raw) != "null" && string(raw) != "{}"
}

// fillStatus describes a failing status in e. Within a 2xx answer, its
// status_code becomes the error's status when it is one (4xx or 5xx);
// otherwise the HTTP status stands.
func fillStatus(e *APIError, st *status, in2xx bool) {
	if code := int(st.StatusCode); in2xx && code >= 400 && code <= 599 {
		e.StatusCode = code
	}
	e.Message = st.Message
	if strings.TrimSpace(e.Message) == "" {
		e.Message = "the answer reports success false"
	}
	if code := int(st.StatusCode); code != 0 && code != e.StatusCode {
		e.Code = fmt.Sprint(code)
	}
	if e.StatusCode == http.StatusBadRequest && isCredentialText(st.Message) {
		e.Kind = shopimg.ErrUnauthorized
	}
}

// fillModelState describes ASP.NET's validation error shape in e: msg
// ("The request is invalid.") and one detail per message of each key. A
// key about authorization_credentials, or a message about the keys, makes
// it an ErrUnauthorized.
func fillModelState(e *APIError, msg string, raw json.RawMessage) {
	e.Message = cmpOr(strings.TrimSpace(msg), "The request is invalid.")
	var ms map[string]json.RawMessage
	if json.Unmarshal(raw, &ms) != nil {
		return
	}
	keys := make([]string, 0, len(ms))
	for k := range ms {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	creds := false
	for _, k := range keys {
		msgs := texts(ms[k])
		for _, m := range msgs {
			e.Details = append(e.Details, shopimg.FieldError{Field: k, Message: m})
			creds = creds || isCredentialText(m)
		}
		creds = creds || strings.Contains(strings.ToLower(k), "authorization_credentials")
	}
	if creds {
		e.Kind = shopimg.ErrUnauthorized
	}
}

// texts returns the messages of a ModelState entry: an array of strings,
// a string, or any other value as its JSON text.
func texts(raw json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		list = []json.RawMessage{raw}
	}
	out := make([]string, 0, len(list))
	for _, it := range list {
		var s string
		if json.Unmarshal(it, &s) != nil {
			s = string(bytes.TrimSpace(it))
		}
		if s = strings.TrimSpace(s); s != "" && s != "null" {
			out = append(out, s)
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// credentialWords mark a message about the keys (the 400 ModelState text
// "Missing or unauthorized api credentials", a text/html "Invalid app_key").
var credentialWords = []string{"authorization_credentials", "api credentials", "app_key", "web_api_key", "api key", "apikey", "app key"}

func isCredentialText(s string) bool {
	low := strings.ToLower(s)
	return slices.ContainsFunc(credentialWords, func(w string) bool { return strings.Contains(low, w) })
}

// decodeError is the rest.ErrorDecoder: it reads the status envelope,
// ASP.NET's {"Message", "ModelState"} shape and plain-text bodies of error
// answers into e, and drops status.debug from e.Body. The core does not
// call it for HTML bodies; see refine.
func decodeError(e *APIError, _ http.Header, body []byte) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return
	}
	stripped, removed := stripDebug(body)
	e.Body = stripped
	var v envelope
	switch {
	case b[0] != '{' || json.Unmarshal(b, &v) != nil:
		if removed {
			// Not JSON (cut at MaxErrorBody, say), yet with a debug
			// member: nothing of the text may be shown.
			e.Message = fmt.Sprintf("unreadable error body (%d bytes)", len(body))
		} else if e.StatusCode == http.StatusBadRequest && isCredentialText(string(b)) {
			e.Kind = shopimg.ErrUnauthorized // a text answer about the keys
		}
	case v.Status != nil:
		fillStatus(e, v.Status, false)
	case hasModelState(v.ModelState):
		fillModelState(e, v.Message, v.ModelState)
	case strings.TrimSpace(v.Message) != "":
		e.Message = strings.TrimSpace(v.Message)
		if d := strings.TrimSpace(v.MessageDetail); d != "" {
			e.Message += ": " + d
		}
		if e.StatusCode == http.StatusBadRequest && isCredentialText(e.Message) {
			e.Kind = shopimg.ErrUnauthorized
		}
	case removed:
		// Only a debug member to say anything: say nothing of it.
		e.Message = fmt.Sprintf("error body without a message (%d bytes)", len(body))
	}
}

// debugRE finds a "debug" member name (any case) in JSON text.
var debugRE = regexp.MustCompile(`(?i)"debug"\s*:`)

// memberRE finds a JSON member name, as written (escapes included),
// followed by its colon.
var memberRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"\s*:`)

// debugIndex returns where the first "debug" member starts in b, or -1: a
// member whose name is debug in any case and however it is written (a
// JSON escape, "d\u0065bug", spells the same name).
func debugIndex(b []byte) int {
	at := -1
	if loc := debugRE.FindIndex(b); loc != nil {
		at = loc[0]
	}
	for _, loc := range memberRE.FindAllIndex(b, -1) {
		if at >= 0 && loc[0] >= at {
			break
		}
		var name string
		if json.Unmarshal(bytes.TrimRight(b[loc[0]:loc[1]], " \t\r\n:"), &name) == nil && strings.EqualFold(name, "debug") {
			return loc[0]
		}
	}
	return at
}

// stripDebug returns body without its members named debug (in any case,
// at any depth: status.debug is the documented one) and whether it removed
// any. A body that is not JSON is cut before its first debug member. The
// result is re-encoded JSON (members sorted) only when something was
// removed.
func stripDebug(body []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		if i := debugIndex(body); i >= 0 {
			return body[:i], true
		}
		return body, false
	}
	if !dropDebug(v) {
		return body, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, true
	}
	return out, true
}

// dropDebug deletes the members named debug, in any case, from every
// object in v.
func dropDebug(v any) bool {
	removed := false
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if strings.EqualFold(k, "debug") {
				delete(v, k)
				removed = true
				continue
			}
			removed = dropDebug(x) || removed
		}
	case []any:
		for _, x := range v {
			removed = dropDebug(x) || removed
		}
	}
	return removed
}

// maxMessage bounds the message refine takes from an HTML body, as the
// core bounds the ones it writes.
const maxMessage = 300

var tagRE = regexp.MustCompile(`<[^>]*>`)

// refine completes an error the core made without the vendor's decoder: a
// 400 with an HTML body (the core describes HTML pages without decoding
// them) that speaks of the keys, the text/html "Invalid app_key ..." answer
// some clients report. It then matches shopimg.ErrUnauthorized and says
// what the page says. The body was already stripped of the credentials.
func refine(err error) error {
	var e *APIError
	if !errors.As(err, &e) || e.StatusCode != http.StatusBadRequest || e.Kind != nil || !isCredentialText(string(e.Body)) {
		return err
	}
	e.Kind = shopimg.ErrUnauthorized
	text := strings.Join(strings.Fields(strings.ToValidUTF8(tagRE.ReplaceAllString(string(e.Body), " "), "\uFFFD")), " ")
	if utf8.RuneCountInString(text) > maxMessage {
		text = string([]rune(text)[:maxMessage]) + "…"
	}
	e.Message = "the API keys were refused: " + text
	return err
}
