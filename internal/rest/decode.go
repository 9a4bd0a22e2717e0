package rest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// JSONText returns a JSON value as text for an error message: a string's
// content, any other value's compact JSON, "" for null or nothing. Vendor
// error decoders use it for members whose type the docs leave open.
func JSONText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw)
	}
	return buf.String()
}

// HeaderInt parses a quota header holding a whole number (a decimal point
// and fraction are dropped). A value below -1 or above limit is refused as
// implausible, as is one that is not a number: ok is false then.
func HeaderInt(h http.Header, name string, limit int64) (n int64, ok bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	if i := strings.IndexByte(v, '.'); i >= 0 {
		v = v[:i]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < -1 || n > limit {
		return 0, false
	}
	return n, true
}
