package bigcommerce

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

func TestReadRate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		header map[string]string
		want   rest.RateInfo
		ok     bool
	}{
		{"none", nil, rest.RateInfo{}, false},
		{"all", map[string]string{
			"X-Rate-Limit-Requests-Left": "12", "X-Rate-Limit-Requests-Quota": "150",
			"X-Rate-Limit-Time-Reset-Ms": "2500", "X-Rate-Limit-Time-Window-Ms": "30000", "X-Retry-After": "3",
		}, rest.RateInfo{Remaining: 12, Limit: 150, Reset: 2500 * time.Millisecond, Window: 30 * time.Second, RetryAfter: 3 * time.Second}, true},
		{"lower case names", map[string]string{"x-rate-limit-requests-left": "0", "x-rate-limit-time-reset-ms": "10"},
			rest.RateInfo{Reset: 10 * time.Millisecond}, true},
		{"retry-after alone holds the store", map[string]string{"X-Retry-After": "4"},
			rest.RateInfo{Reset: 4 * time.Second, RetryAfter: 4 * time.Second}, true},
		{"reset alone holds the store until it", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "1500"},
			rest.RateInfo{Reset: 1500 * time.Millisecond}, true},
		{"reset and retry-after without a count: the longer", map[string]string{"X-Rate-Limit-Time-Reset-Ms": "1500", "X-Retry-After": "4"},
			rest.RateInfo{Reset: 4 * time.Second, RetryAfter: 4 * time.Second}, true},
		{"fractions are cut", map[string]string{"X-Rate-Limit-Requests-Left": "3.0", "X-Rate-Limit-Time-Reset-Ms": "99.9"},
			rest.RateInfo{Remaining: 3, Reset: 99 * time.Millisecond}, true},
		{"garbage is ignored", map[string]string{"X-Rate-Limit-Requests-Left": "many", "X-Retry-After": "Tue, 01 Jan 2030 00:00:00 GMT"},
			rest.RateInfo{}, false},
		{"negative left is none left", map[string]string{"X-Rate-Limit-Requests-Left": "-1"}, rest.RateInfo{}, true},
	}
	for _, tc := range cases {
		h := http.Header{}
		for k, v := range tc.header {
			h[k] = []string{v} // as the server spelt it
		}
		got, ok := readRate(canon(h))
		if ok != tc.ok {
			t.Errorf("%s: ok = %v, want %v", tc.name, ok, tc.ok)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s: readRate (-want +got):\n%s", tc.name, d)
		}
	}
}

// canon is how net/http hands headers to a client: canonical keys.
func canon(h http.Header) http.Header {
	out := http.Header{}
	for k, vs := range h {
		for _, v := range vs {
			out.Add(k, v)
		}
	}
	return out
}

func TestDecodeErrorShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body string
		want       shopimg.APIError
	}{
		{"v3 with code and nested errors", `{"status":422,"code":10001,"title":"Invalid","type":"x","errors":{"b":{"min":1},"a":"bad","c":["one","two"]}}`,
			shopimg.APIError{StatusCode: 422, Code: "10001", Message: "Invalid", Details: []shopimg.FieldError{{Field: "a", Message: "bad"}, {Field: "b", Message: `{"min":1}`}, {Field: "c", Message: `["one","two"]`}}}},
		{"v3 code equal to the status is not repeated", `{"status":422,"code":422,"title":"Invalid"}`,
			shopimg.APIError{StatusCode: 422, Message: "Invalid"}},
		{"v3 errors as an array", `{"title":"Batch failed","errors":["x","y"]}`,
			shopimg.APIError{StatusCode: 422, Message: "Batch failed", Details: []shopimg.FieldError{{Message: "x"}, {Message: "y"}}}},
		{"v2 several items", `[{"status":400,"message":"first"},{"status":400,"message":"second","details":{"k":"v"}}]`,
			shopimg.APIError{StatusCode: 422, Message: "first", Details: []shopimg.FieldError{{Message: "second"}, {Field: "k", Message: "v"}}}},
		{"unknown object keeps the core's message", `{"foo":1}`, shopimg.APIError{StatusCode: 422, Message: "core"}},
		{"empty array", `[]`, shopimg.APIError{StatusCode: 422, Message: "core"}},
		{"not JSON", `oops`, shopimg.APIError{StatusCode: 422, Message: "core"}},
	}
	for _, tc := range cases {
		e := shopimg.APIError{StatusCode: 422, Message: "core"}
		decodeError(&e, nil, []byte(tc.body))
		if d := cmp.Diff(tc.want, e); d != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, d)
		}
	}
}

func TestDecodeErrorKeepsEveryDetail(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`[`)
	for i := range 50 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"status":400,"message":"m"}`)
	}
	b.WriteString(`]`)
	e := shopimg.APIError{}
	decodeError(&e, nil, []byte(b.String()))
	// The core bounds the details of every vendor's errors; the decoder
	// reads them all.
	if len(e.Details) != 49 {
		t.Errorf("%d details, want 49 (the first item is the message)", len(e.Details))
	}
}

// FuzzDecodeError feeds arbitrary bodies to the error decoder: it must not
// panic, must keep the status, and must leave valid UTF-8 where the body is
// (the core bounds the text's length afterwards).
func FuzzDecodeError(f *testing.F) {
	for _, s := range []string{
		`{"status":404,"title":"Not found","type":"t","instance":"i"}`,
		`{"status":422,"title":"Missing Required Fields","errors":{"name":"Please provide a name."}}`,
		`[{"status":400,"message":"The field 'image_file' is invalid.","details":{"invalid_reason":"missing"}}]`,
		`{"errors":[1,{"a":[]},null]}`, `[null]`, `{"code":"x"}`, `[`, "\xff",
	} {
		f.Add(400, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := shopimg.APIError{StatusCode: status, Message: "core"}
		decodeError(&e, nil, body)
		if e.StatusCode != status {
			t.Fatalf("status changed to %d", e.StatusCode)
		}
		for _, s := range append([]string{e.Message, e.Code}, detailText(e.Details)...) {
			if !utf8.ValidString(s) && utf8.Valid(body) {
				t.Fatalf("bad text %q", s)
			}
		}
		_ = e.Error()
	})
}

func detailText(ds []shopimg.FieldError) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Field, d.Message)
	}
	return out
}

// FuzzParseV2Time checks that every date the v2 parser accepts formats back
// to a string it parses to the same instant, and that decoding never
// panics.
func FuzzParseV2Time(f *testing.F) {
	for _, s := range []string{"Mon, 26 Oct 2009 05:08:32 +0000", "Fri, 21 Dec 2012 19:01:03 -0800", "Mon, 26 Oct 2009 05:08:32 GMT", "", "Mon, 99 Oct 2009"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseV2Time(s)
		if err != nil {
			return
		}
		v := V2Time{Time: tm}
		b, err := v.MarshalJSON()
		if err != nil {
			return // a year outside 0-9999
		}
		var back V2Time
		if err := back.UnmarshalJSON(b); err != nil {
			t.Fatalf("%q formats as %s, which does not parse: %v", s, b, err)
		}
		if !back.Equal(tm) {
			t.Fatalf("%q: %v round-trips to %v", s, tm, back.Time)
		}
	})
}

// FuzzReadRate feeds any quota headers to the reader: no panic, no negative
// count, and every duration within what the limiter accepts.
func FuzzReadRate(f *testing.F) {
	f.Add("150", "149", "29998", "30000", "")
	f.Add("", "0", "999999999", "", "1e9")
	f.Add("-1", "x", "1.5", "-30", "NaN")
	f.Fuzz(func(t *testing.T, quota, left, reset, window, retry string) {
		h := http.Header{}
		for k, v := range map[string]string{headerRequestsQuota: quota, headerRequestsLeft: left, headerTimeResetMs: reset, headerTimeWindowMs: window, headerRetryAfter: retry} {
			if v != "" {
				h.Set(k, v)
			}
		}
		info, ok := readRate(h)
		if !ok {
			return
		}
		if info.Remaining < 0 || info.Limit < 0 || info.Reset < 0 || info.Window < 0 || info.RetryAfter < 0 {
			t.Fatalf("negative value in %+v", info)
		}
	})
}
