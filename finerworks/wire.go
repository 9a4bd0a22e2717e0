package finerworks

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Int is a whole number in an answer. The API's models type these fields as
// numbers, but clients have seen some arrive as strings ("1600"), so both
// are read; null, an empty string, or a value that is not a whole number
// reads as 0 rather than failing the whole answer. It encodes as a number.
type Int int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Int) UnmarshalJSON(b []byte) error {
	*n = 0
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		if bytes.IndexByte(b, '\\') >= 0 {
			var s string
			if json.Unmarshal(b, &s) != nil {
				return nil
			}
			b = []byte(s)
		} else {
			b = b[1 : len(b)-1]
		}
		b = bytes.TrimSpace(b)
	}
	if v, ok := parseInt(b); ok {
		*n = Int(v)
		return nil
	}
	if f, err := strconv.ParseFloat(string(b), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		*n = Int(f)
	}
	return nil
}

// parseInt parses an optionally signed run of decimal digits without
// allocating; ok is false for anything else or an overflow.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// Time is a date in an answer: ASP.NET's ISO 8601 form with up to seven
// fractional digits, with an offset ("2026-09-03T10:50:27.4466133-05:00") or
// without one (then read as UTC), a date alone, or the old "/Date(ms)/"
// form. null, an empty string or anything else reads as the zero Time
// rather than failing the whole answer. It encodes in RFC 3339, or as null
// when zero.
type Time struct{ time.Time }

// layouts are the date forms Time reads, most likely first.
var layouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.9999999",
	"2006-01-02 15:04:05.9999999",
	"2006-01-02",
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	t.Time = time.Time{}
	if len(b) < 3 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil
	}
	var s string
	if bytes.IndexByte(b, '\\') < 0 {
		s = string(b[1 : len(b)-1])
	} else if json.Unmarshal(b, &s) != nil {
		return nil
	}
	for _, layout := range layouts {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	if ms, ok := bytes.CutPrefix([]byte(s), []byte("/Date(")); ok {
		if end := bytes.IndexAny(ms, "+-)"); end > 0 {
			if v, ok := parseInt(ms[:end]); ok {
				t.Time = time.UnixMilli(v).UTC()
			}
		}
	}
	return nil
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.Time.Format(time.RFC3339Nano))
}

// RawJSON is a JSON value kept as sent, for parts of an answer the package
// does not model; null reads as nil (and nil encodes as null).
type RawJSON []byte

// UnmarshalJSON implements json.Unmarshaler.
func (r *RawJSON) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*r = nil
		return nil
	}
	*r = append((*r)[:0], b...)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (r RawJSON) MarshalJSON() ([]byte, error) {
	if r == nil {
		return []byte("null"), nil
	}
	return r, nil
}
