package finerworks

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "finerworks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// debugMarker is in the debug member of error_status_200.json.
const debugMarker = "DEBUG-ECHO-MUST-NOT-SHOW"

func TestListAnswerFixturesDecode(t *testing.T) {
	t.Parallel()
	added := time.Date(2026, 9, 3, 10, 50, 27, 446613300, time.FixedZone("", -5*3600))
	updated := time.Date(2026, 9, 4, 8, 0, 0, 0, time.FixedZone("", -5*3600))
	tests := []struct {
		file string
		want ImagePage
	}{
		{"list_images.json", ImagePage{PageNumber: 1, PerPage: 10, Count: 1, Images: []Image{{
			GUID: "ff754fa0-a73e-488a-8fea-9cf2cb15e6bd", Title: "My Image", Description: "A sample image.",
			FileName: "myimage.jpg", FileSize: 100000, PreviewFileName: "preview.jpg", HiresFileName: "hires.jpg",
			PublicThumbnailURI: "https://somewhere.com/public_thumbnail_uri.jpg", PublicPreviewURI: "https://somewhere.com/public_preview_uri.jpg",
			PrivateHiresURI: "https://somewhere.com/private_hires_uri.jpg", PixW: 2000, PixH: 3000,
			DateAdded: Time{added}, DateUpdated: Time{updated}, Active: true, Products: RawJSON("[]"),
			AssignedGallerySubcategoryIDs: []Int{12, 40}, AssignedPersonalGalleryIDs: []Int{},
			Username: "artist1", AccountKey: "00000000-0000-0000-0000-000000000000", ArtistName: "An Artist", Rank: 3,
		}}}},
		{"list_images_strings.json", ImagePage{PageNumber: 1, PerPage: 50, Count: 1, Images: []Image{{
			ID: 1002, GUID: "0d7b0a9e-6c3d-4c59-9d1e-2f8f0c1b5a77", Title: "Sunset", FileName: "sunset.jpg",
			FileSize: 2048000, PixW: 1600, PixH: 2400, DateAdded: Time{time.Date(2026, 9, 3, 10, 50, 27, 447000000, time.UTC)},
		}}}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			var ans listImagesAnswer
			if err := json.Unmarshal(fixture(t, tc.file), &ans); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, ans.ImagePage, cmp.Comparer(func(a, b Time) bool { return a.Equal(b.Time) })); d != "" {
				t.Errorf("decoded (-want +got):\n%s", d)
			}
			if ans.CheckBody(&APIError{StatusCode: 200}) {
				t.Error("a success answer was taken for an error")
			}
		})
	}
}

func TestIntReadsNumbersAndStrings(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Int{
		`12`: 12, `"12"`: 12, `" 12 "`: 12, `-3`: -3, `1600.0`: 1600, `1.6e3`: 1600, `"1\u0036"`: 16,
		`null`: 0, `""`: 0, `"abc"`: 0, `1.5`: 0, `true`: 0, `"99999999999999999999"`: 0,
	} {
		var n Int
		if err := json.Unmarshal([]byte(in), &n); err != nil || n != want {
			t.Errorf("%s: got %d, %v; want %d", in, n, err, want)
		}
	}
}

func TestTimeReadsASPNETForms(t *testing.T) {
	t.Parallel()
	cdt := time.FixedZone("", -5*3600)
	for in, want := range map[string]time.Time{
		`"2026-09-03T10:50:27.4466133-05:00"`: time.Date(2026, 9, 3, 10, 50, 27, 446613300, cdt),
		`"2026-09-03T10:50:27Z"`:              time.Date(2026, 9, 3, 10, 50, 27, 0, time.UTC),
		`"2026-09-03T10:50:27.447"`:           time.Date(2026, 9, 3, 10, 50, 27, 447000000, time.UTC),
		`"2026-09-03 10:50:27"`:               time.Date(2026, 9, 3, 10, 50, 27, 0, time.UTC),
		`"2026-09-03"`:                        time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC),
		`"/Date(1788432627000)/"`:             time.UnixMilli(1788432627000).UTC(),
		`"/Date(1788432627000-0500)/"`:        time.UnixMilli(1788432627000).UTC(),
		`null`:                                {}, `""`: {}, `"soon"`: {}, `12`: {},
	} {
		var got Time
		if err := json.Unmarshal([]byte(in), &got); err != nil || !got.Equal(want) {
			t.Errorf("%s: got %v, %v; want %v", in, got, err, want)
		}
	}
	b, _ := json.Marshal(struct{ A, B Time }{B: Time{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}})
	if string(b) != `{"A":null,"B":"2026-01-02T03:04:05Z"}` {
		t.Errorf("encoded %s", b)
	}
}

// TestEnvelopeOn200IsAnError: success false on HTTP 200 is an error with the
// envelope's status_code, its message, and no trace of debug.
func TestEnvelopeOn200IsAnError(t *testing.T) {
	t.Parallel()
	body := fixture(t, "error_status_200.json")
	var v envelope
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	e := &APIError{Platform: platform, Method: "DELETE", Path: "/v3/delete_images", StatusCode: 200, Body: body, Message: "the answer reports an error"}
	if !v.CheckBody(e) {
		t.Fatal("CheckBody = false for success false")
	}
	if e.StatusCode != 404 || e.Message != "Image not found." || !errors.Is(e, shopimg.ErrNotFound) {
		t.Errorf("got %d %q, want 404 Image not found. matching ErrNotFound", e.StatusCode, e.Message)
	}
	assertNoDebug(t, e)
	var ok envelope
	_ = json.Unmarshal(fixture(t, "update_images.json"), &ok)
	if ok.CheckBody(&APIError{StatusCode: 200}) {
		t.Error("the documented success answer was taken for an error")
	}
}

func assertNoDebug(t *testing.T, e *APIError) {
	t.Helper()
	for what, s := range map[string]string{"Error()": e.Error(), "Body": string(e.Body), "Message": e.Message} {
		if strings.Contains(strings.ToLower(s), "debug") {
			t.Errorf("%s holds debug: %s", what, s)
		}
	}
	for _, d := range e.Details {
		if strings.Contains(d.Message+d.Field, debugMarker) {
			t.Errorf("a detail holds debug: %+v", d)
		}
	}
}

func TestCheckBodyReadings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		failed     bool
		status     int
		kind       error
	}{
		{"success", `{"status":{"success":true,"status_code":200,"message":"","debug":null}}`, false, 200, nil},
		{"success as string", `{"status":{"success":"true","status_code":"200"}}`, false, 200, nil},
		{"no status", `{"images":[]}`, false, 200, nil},
		{"failure 400", `{"status":{"success":false,"status_code":400,"message":"Invalid library name."}}`, true, 400, shopimg.ErrInvalidInput},
		{"failure as strings", `{"status":{"success":"False","status_code":"404","message":"gone"}}`, true, 404, shopimg.ErrNotFound},
		{"failure 500", `{"status":{"success":false,"status_code":500,"message":"oops"}}`, true, 500, shopimg.ErrUnavailable},
		{"failure without code", `{"status":{"success":false,"message":"no"}}`, true, 200, shopimg.ErrUnavailable},
		{"no success, error code", `{"status":{"status_code":409,"message":"busy"}}`, true, 409, shopimg.ErrConflict},
		{"failure about keys", `{"status":{"success":false,"status_code":400,"message":"Missing or unauthorized api credentials"}}`, true, 400, shopimg.ErrUnauthorized},
		{"model state on 200", string(fixture(t, "error_credentials_400.json")), true, 400, shopimg.ErrUnauthorized},
	}
	for _, tc := range tests {
		var v envelope
		if err := json.Unmarshal([]byte(tc.body), &v); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		e := &APIError{StatusCode: 200, Body: []byte(tc.body)}
		if got := v.CheckBody(e); got != tc.failed {
			t.Errorf("%s: CheckBody = %v", tc.name, got)
			continue
		}
		if tc.failed && (e.StatusCode != tc.status || !errors.Is(e, tc.kind) || e.Message == "") {
			t.Errorf("%s: got status %d %q kind %v, want %d matching %v", tc.name, e.StatusCode, e.Message, e.Kind, tc.status, tc.kind)
		}
	}
}

func TestDecodeErrorShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    []byte
		kind    error
		message string
		details []shopimg.FieldError
	}{
		{"credentials", 400, fixture(t, "error_credentials_400.json"), shopimg.ErrUnauthorized, "The request is invalid.",
			[]shopimg.FieldError{{Field: "ApiC.Models.authorization_credentials", Message: "Missing or unauthorized api credentials"}}},
		{"validation", 400, fixture(t, "error_validation_400.json"), shopimg.ErrInvalidInput, "The request is invalid.",
			[]shopimg.FieldError{{Field: "request.images", Message: "The images field is required."},
				{Field: "request.library.session_id", Message: "The field session_id must be a string with a minimum length of 8 and a maximum length of 50."}}},
		{"envelope 404", 404, fixture(t, "error_status_200.json"), shopimg.ErrNotFound, "Image not found.", nil},
		{"envelope 500", 500, []byte(`{"status":{"success":false,"status_code":500,"message":"Server error","debug":"web_api_key=abc"}}`), shopimg.ErrUnavailable, "Server error", nil},
		{"asp.net message", 405, []byte(`{"Message":"The requested resource does not support http method 'GET'."}`), shopimg.ErrInvalidInput, "The requested resource does not support http method 'GET'.", nil},
		{"asp.net message about keys", 400, []byte(`{"Message":"Invalid app_key"}`), shopimg.ErrUnauthorized, "Invalid app_key", nil},
		{"plain text about keys", 400, []byte("Invalid app_key or web_api_key."), shopimg.ErrUnauthorized, "", nil},
		{"plain text", 400, []byte("Bad things"), shopimg.ErrInvalidInput, "", nil},
		{"only debug", 500, []byte(`{"debug":"echo"}`), shopimg.ErrUnavailable, "error body without a message (16 bytes)", nil},
		{"cut with debug", 500, []byte(`{"status":{"success":false,"debug":"echo`), shopimg.ErrUnavailable, "unreadable error body (40 bytes)", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := &APIError{Platform: platform, StatusCode: tc.status, Body: tc.body, Message: "core's description"}
			decodeError(e, http.Header{}, tc.body)
			if !errors.Is(e, tc.kind) {
				t.Errorf("kind: %v does not match %v", e, tc.kind)
			}
			if tc.message != "" && e.Message != tc.message {
				t.Errorf("Message = %q, want %q", e.Message, tc.message)
			}
			if d := cmp.Diff(tc.details, e.Details); d != "" {
				t.Errorf("Details (-want +got):\n%s", d)
			}
			assertNoDebug(t, e)
		})
	}
}

func TestStripDebug(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`{"status":{"success":false,"debug":{"x":1}},"images":[]}`: `{"images":[],"status":{"success":false}}`,
		`{"Status":{"Debug":"x","message":"m"}}`:                   `{"Status":{"message":"m"}}`,
		`{"status":{"d\u0065bug":"x"}}`:                            `{"status":{}}`,
		`{"debug":"x","status":null}`:                              `{"status":null}`,
		`{"status":{"success":true}}`:                              `{"status":{"success":true}}`,
		`{"status":{"success":false,"debug":"cut here`:             `{"status":{"success":false,`,
		`{"images":[{"debug":"deep"}],"status":{"debug":1}}`:       `{"images":[{}],"status":{}}`,
		`{"images":[{"Debug":"deep","n":12345678901234567890}]}`:   `{"images":[{"n":12345678901234567890}]}`,
		`{"status":{}} {"debug":1}`:                                `{"status":{}} {`,
		`not json`:                                                 `not json`,
	} {
		if got, _ := stripDebug([]byte(in)); string(got) != want {
			t.Errorf("stripDebug(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestRefineHTMLAboutKeys(t *testing.T) {
	t.Parallel()
	page := []byte("<html><head><title>Error</title></head><body><p>Invalid app_key or web_api_key.</p></body></html>")
	e := &APIError{StatusCode: 400, Body: page, Message: "HTML error page (95 bytes): Error"}
	err := refine(e)
	if !errors.Is(err, shopimg.ErrUnauthorized) || e.Message != "the API keys were refused: Error Invalid app_key or web_api_key." {
		t.Errorf("got %v (%q)", err, e.Message)
	}
	other := &APIError{StatusCode: 400, Body: []byte("<html>Bad request</html>"), Message: "HTML error page"}
	if err := refine(other); errors.Is(err, shopimg.ErrUnauthorized) || other.Message != "HTML error page" {
		t.Errorf("an HTML 400 not about keys became %v", err)
	}
	if err := refine(errors.New("x")); err.Error() != "x" {
		t.Error("refine changed a non-API error")
	}
}
