package threedcart

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopimg/shopimg"
)

// APIError is the error every call returns for an error response (and for a
// 2xx write response whose results report a failure). It is
// shopimg.APIError, so errors.Is classifies it against the shopimg
// sentinels and errors.As reads it the same way on every platform.
//
// From a {Key, Value, Status, Message} array, Message is the first failing
// item's Message, Code its Status, and Details every failing item (Field is
// the Key). From an ASP.NET {"Message": ...} body (a 401), Message is that
// message. An HTML or empty body gives a Message describing it.
type APIError = shopimg.APIError

// MessageOffsetExceeded is the Message the API answers when offset is past
// the last image (production clients such as skuvault's treat it as "no
// more data").
const MessageOffsetExceeded = "Offset amount exceeds the total number of records"

// Result is one item of the arrays the API answers writes and errors with:
// [{"Key":"ImageGalleryID","Value":"1234","Status":"200","Message":"updated successfully"}].
type Result struct {
	// Key names what the item is about: "ImageGalleryID" in write answers,
	// a field name in validation errors, often "" in other errors.
	Key Scalar `json:"Key"`
	// Value is the key's value: the ImageGalleryID written (the new ID in
	// a create answer), or the rejected value.
	Value Scalar `json:"Value"`
	// Status is an HTTP-like status of the item ("200", "404"), sent as a
	// string in the vendor's samples and as a number in skuvault's model;
	// see StatusCode and Failed.
	Status Scalar `json:"Status"`
	// Message is the item's text, e.g. "updated successfully" or
	// MessageOffsetExceeded.
	Message Scalar `json:"Message"`
}

// StatusCode returns Status as an HTTP status: 0 when it is absent, not a
// decimal number, or outside 100-599 (then the HTTP status decides).
func (r Result) StatusCode() int {
	n, err := strconv.Atoi(strings.TrimSpace(string(r.Status)))
	if err != nil || n < 100 || n > 599 {
		return 0
	}
	return n
}

// Failed reports whether the item's Status is a number outside 2xx (a
// failure whatever the HTTP status was).
func (r Result) Failed() bool {
	code := r.StatusCode()
	return code != 0 && (code < 200 || code > 299)
}

// Scalar is a field the API sends sometimes as a string and sometimes as a
// number: the vendor's samples have "Status":"200", skuvault's production
// client models it as an int. It holds the text: a string's content, a number's or
// boolean's literal, "" for null. Any other JSON value is kept as its compact
// text rather than failing the whole response.
type Scalar string

// UnmarshalJSON implements json.Unmarshaler.
func (s *Scalar) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		*s = Scalar(str)
	case b[0] == '{' || b[0] == '[':
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return err
		}
		*s = Scalar(buf.String())
	default:
		*s = Scalar(b)
	}
	return nil
}

// decodeError is the rest.ErrorDecoder: it reads the vendor's two JSON error
// shapes into e. A body in neither shape keeps the core's description.
func decodeError(e *APIError, _ http.Header, body []byte) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return
	}
	switch body[0] {
	case '[':
		var rs []Result
		if json.Unmarshal(body, &rs) != nil || len(rs) == 0 {
			return
		}
		fillFromResults(e, rs, false)
	case '{':
		// ASP.NET Web API: {"Message": "...", "MessageDetail": "..."}; also a
		// lone result object.
		var m struct {
			Message       Scalar `json:"Message"`
			MessageDetail Scalar `json:"MessageDetail"`
			Status        Scalar `json:"Status"`
			Key           Scalar `json:"Key"`
			Value         Scalar `json:"Value"`
		}
		if json.Unmarshal(body, &m) != nil || m.Message == "" {
			return
		}
		if m.Status != "" || m.Key != "" {
			fillFromResults(e, []Result{{Key: m.Key, Value: m.Value, Status: m.Status, Message: m.Message}}, false)
			return
		}
		msg := string(m.Message)
		if m.MessageDetail != "" {
			msg += ": " + string(m.MessageDetail)
		}
		e.Message = strings.TrimSpace(msg)
	}
}

// fillFromResults sets e's Message, Code and Details from the items of a
// result array: the failing ones, or every item with a message when none
// says it failed. With setStatus (a 2xx answer), StatusCode becomes the
// first failing item's Status.
func fillFromResults(e *APIError, rs []Result, setStatus bool) {
	var pick []Result
	for _, r := range rs {
		if r.Failed() {
			pick = append(pick, r)
		}
	}
	if len(pick) == 0 {
		for _, r := range rs {
			if r.Message != "" {
				pick = append(pick, r)
			}
		}
	}
	if len(pick) == 0 {
		return
	}
	first := pick[0]
	if first.Message != "" {
		e.Message = strings.TrimSpace(string(first.Message))
	}
	if setStatus {
		if code := first.StatusCode(); code != 0 {
			e.StatusCode = code
		}
	}
	if st := strings.TrimSpace(string(first.Status)); st != strconv.Itoa(e.StatusCode) {
		e.Code = st
	}
	if len(pick) == 1 && first.Key == "" {
		return // the message says it all
	}
	for _, r := range pick {
		field := strings.TrimSpace(string(r.Key))
		if v := strings.TrimSpace(string(r.Value)); v != "" && field != "" {
			field += "=" + v
		}
		e.Details = append(e.Details, shopimg.FieldError{Field: field, Message: strings.TrimSpace(string(r.Message))})
	}
}

// isOffsetExceeded reports whether an error or result message is the API's
// past-the-end answer.
func isOffsetExceeded(msg string) bool {
	return strings.Contains(strings.ToLower(msg), strings.ToLower(MessageOffsetExceeded))
}

// isEndOfData reports whether e is one of the two ways the API says a page
// past the end is empty: a 404 with an empty body (or an empty array), or
// any answer whose message is MessageOffsetExceeded.
func isEndOfData(e *APIError) bool {
	if e.StatusCode == http.StatusNotFound {
		switch b := string(bytes.TrimSpace(e.Body)); b {
		case "", "[]", "null", `""`:
			return true
		}
	}
	if isOffsetExceeded(e.Message) {
		return true
	}
	for _, d := range e.Details {
		if isOffsetExceeded(d.Message) {
			return true
		}
	}
	return false
}
