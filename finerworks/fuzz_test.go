package finerworks

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopimg/shopimg"
)

// fuzzSeeds are the fixtures' bodies plus odd shapes.
func fuzzSeeds(f *testing.F) {
	for _, name := range []string{"list_images.json", "list_images_strings.json", "update_images.json", "error_credentials_400.json",
		"error_credentials_400.html", "error_status_200.json", "error_validation_400.json"} {
		f.Add(fixture(f, name))
	}
	for _, s := range []string{
		`{"status":{"success":"0","status_code":"4e2","Debug":[1,{"debug":2}]}}`,
		`{"ModelState":{"a":"b","c":[1,null,"x"]},"Message":null}`,
		`{"status":null,"images":[{"id":"-1","guid":7,"date_added":"/Date(-5)/"}]}`,
		`{"debug"  :  "x"`, `[]`, `null`, `"x"`, `{"status":{"success":false}} trailing`, "\xff\xfe{",
	} {
		f.Add([]byte(s))
	}
}

// FuzzErrorBodies feeds any body to the error decoder, the 2xx body check
// and the debug stripper: none may panic, nothing of a debug member may be
// left in the error, and a success-false status is always an error.
func FuzzErrorBodies(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, status := range []int{400, 404, 500} {
			e := &APIError{Platform: platform, Method: "POST", Path: "/v3/x", StatusCode: status, Body: body, Message: "core"}
			decodeError(e, http.Header{}, body)
			checkNoDebug(t, e.Body)
			if e.Message == "" || !utf8.ValidString(e.Message) && utf8.Valid(body) {
				t.Fatalf("Message %q from %q", e.Message, body)
			}
		}
		var v envelope
		if json.Unmarshal(body, &v) == nil {
			e := &APIError{StatusCode: 200, Body: body}
			failed := v.CheckBody(e)
			if v.Status != nil && v.Status.Success == flagFalse && !failed {
				t.Fatalf("success false passed: %s", body)
			}
			if failed {
				checkNoDebug(t, e.Body)
				if e.StatusCode < 200 || e.StatusCode > 599 || e.Message == "" {
					t.Fatalf("error %d %q from %s", e.StatusCode, e.Message, body)
				}
			}
		}
		e := &APIError{StatusCode: 400, Body: body}
		_ = refine(e)
		if n := utf8.RuneCountInString(e.Message); n > maxMessage+40 {
			t.Fatalf("refine made a %d-rune message", n)
		}
	})
}

// checkNoDebug fails when b, parsed as JSON, still has a member named
// debug, or, not JSON, still holds a raw debug member.
func checkNoDebug(t *testing.T, b []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	var v any
	if dec.Decode(&v) != nil || dec.More() {
		if debugIndex(b) >= 0 {
			t.Fatalf("a debug member is left in %q", b)
		}
		return
	}
	if hasDebug(v) {
		t.Fatalf("a debug member is left in %s", b)
	}
}

func hasDebug(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if strings.EqualFold(k, "debug") || hasDebug(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if hasDebug(x) {
				return true
			}
		}
	}
	return false
}

// FuzzAnswers feeds any body to the answer types: decoding never fails on
// a field's type where the lenient types stand (Int, Time, flag), and the
// numbers read back are what a string or number said.
func FuzzAnswers(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var ans listImagesAnswer
		if json.Unmarshal(body, &ans) == nil {
			_ = ans.CheckBody(&shopimg.APIError{StatusCode: 200})
		}
		var add addImagesAnswer
		_ = json.Unmarshal(body, &add)
		var n Int
		var tm Time
		var fl flag
		for _, v := range []any{&n, &tm, &fl} {
			if err := v.(json.Unmarshaler).UnmarshalJSON(body); err != nil {
				t.Fatalf("%T rejected %q: %v", v, body, err)
			}
		}
		if i, ok := parseInt(body); ok && n != Int(i) {
			t.Fatalf("%q read as %d, want %d", body, n, i)
		}
		if len(body) > 2 && body[0] == '"' && body[len(body)-1] == '"' {
			if i, ok := parseInt(body[1 : len(body)-1]); ok && n != Int(i) {
				t.Fatalf("%q read as %d, want %d", body, n, i)
			}
		}
	})
}
