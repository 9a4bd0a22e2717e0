package threedcart

import (
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf8"
)

// FuzzDecoders feeds any body to every decoder of API answers: the error
// decoder, the write-result check, the create-ID reader and the page
// decoder. None may panic; an error they build must be well-formed and
// bounded; a Status that is a 2xx number never fails a write.
func FuzzDecoders(f *testing.F) {
	for _, s := range []string{
		`[{"Key":"ImageGalleryID","Value":"1234","Status":"200","Message":"updated successfully"}]`,
		`[{"Key":"ImageGalleryID","Value":1236,"Status":200,"Message":"updated successfully"}]`,
		`[{"Key":"","Value":"","Status":"400","Message":"Offset amount exceeds the total number of records"}]`,
		`{"Message":"Authorization has been denied for this request."}`,
		`{"Message":"The request is invalid.","MessageDetail":"x"}`,
		`[{"ImageGalleryID":1,"ImageGalleryFile":"a.jpg","ImageGalleryCaption":"","ImageGallerySorting":1}]`,
		`[{"Status":null,"Message":{"a":[1,2]}},{"Status":true,"Key":3.5e10}]`,
		`<html><title>x</title></html>`, `null`, `[]`, `""`, `[{"Status":"-1"}]`, `[{"Status":"2e2"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		e := &APIError{Platform: platform, Method: "GET", Path: "/p", StatusCode: 400, Body: body}
		decodeError(e, http.Header{}, body)
		checkAPIError(t, e)
		_ = isEndOfData(e)

		var rs writeResults
		if json.Unmarshal(body, &rs) == nil {
			e := &APIError{Platform: platform, Method: "PUT", Path: "/p", StatusCode: 200}
			failed := rs.CheckBody(e)
			if failed {
				checkAPIError(t, e)
				if e.StatusCode < 100 || e.StatusCode > 599 {
					t.Fatalf("status %d", e.StatusCode)
				}
			}
			allOK := true
			for _, r := range rs {
				if code := r.StatusCode(); code != 0 && (code < 200 || code > 299) {
					allOK = false
				}
			}
			if allOK == failed {
				t.Fatalf("all statuses 2xx or absent: %v, yet failed: %v", allOK, failed)
			}
			cr := createResults{rs}
			ce := &APIError{Platform: platform, Method: "POST", Path: "/p", StatusCode: 200}
			if cr.CheckBody(ce) {
				checkAPIError(t, ce)
			} else if id, ok := createdID(rs); !ok || id <= 0 {
				t.Fatalf("a create answer passed without an ID: %s", body)
			}
		}

		var page pageBody
		if json.Unmarshal(body, &page) == nil {
			e := &APIError{Platform: platform, Method: "GET", Path: "/p", StatusCode: 200}
			if page.CheckBody(e) {
				checkAPIError(t, e)
			} else {
				for _, it := range page {
					if it.isResult() {
						t.Fatalf("a result item %+v was left among the images", it)
					}
				}
			}
		}
	})
}

// checkAPIError checks that e's text is valid text (the core bounds its
// length and folds its lines afterwards).
func checkAPIError(t *testing.T, e *APIError) {
	t.Helper()
	_ = e.Error()
	if utf8.ValidString(string(e.Body)) && !utf8.ValidString(e.Message) {
		t.Fatalf("invalid UTF-8 in message %q", e.Message)
	}
}

func TestScalar(t *testing.T) {
	t.Parallel()
	cases := map[string]Scalar{
		`"200"`: "200", `200`: "200", `null`: "", `true`: "true", `-1.5e3`: "-1.5e3",
		`"a\"b"`: `a"b`, `{"x": [1, 2]}`: `{"x":[1,2]}`, `[ ]`: `[]`,
	}
	for in, want := range cases {
		var s Scalar
		if err := json.Unmarshal([]byte(in), &s); err != nil || s != want {
			t.Errorf("Unmarshal(%s) = %q, %v; want %q", in, s, err, want)
		}
	}
	codes := map[Scalar]int{"200": 200, " 404 ": 404, "": 0, "OK": 0, "-3": 0, "2e2": 0, "1": 0, "600": 0}
	for st, want := range codes {
		if got := (Result{Status: st}).StatusCode(); got != want {
			t.Errorf("StatusCode(%q) = %d, want %d", st, got, want)
		}
	}
}
