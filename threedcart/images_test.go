package threedcart

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
)

var update = flag.Bool("update", false, "rewrite golden files in internal/testdata/threedcart")

func TestListImagesDecodesTheFixture(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/3dCartWebAPI/v1/Products/1001/Images" {
			t.Errorf("got %s %s", r.Method, r.URL.Path)
		}
		if got := r.URL.Query(); got.Get("limit") != "50" || got.Get("offset") != "100" {
			t.Errorf("query = %v", got)
		}
		respond(w, http.StatusOK, fixture(t, "images_list.json"))
	})
	got, _, err := hs.client.ListImages(context.Background(), 1001, &ListImagesOptions{Limit: 50, Offset: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := []Image{
		{ImageGalleryID: 1311, ImageGalleryFile: "assets/images/red-shoe-side.jpg", ImageGalleryCaption: "Side view", ImageGallerySorting: 2},
		{ImageGalleryID: 1312, ImageGalleryFile: "https://cdn.example.com/red-shoe-front.jpg", ImageGalleryCaption: "Front view", ImageGallerySorting: 1},
		{ImageGalleryID: 1310, ImageGalleryFile: "/assets/images/red-shoe-back.jpg", ImageGallerySorting: 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
}

// TestListImagesEndOfData covers both documented end signals, in every
// form they may take, and the answers that are real errors.
func TestListImagesEndOfData(t *testing.T) {
	t.Parallel()
	offsetErr := fixture(t, "error_offset_exceeded.json")
	cases := []struct {
		name    string
		status  int
		body    []byte
		wantErr error // nil: an empty page
	}{
		{"404 empty", http.StatusNotFound, nil, nil},
		{"404 empty array", http.StatusNotFound, []byte(" [] "), nil},
		{"400 offset exceeded", http.StatusBadRequest, offsetErr, nil},
		{"404 offset exceeded", http.StatusNotFound, offsetErr, nil},
		{"200 offset exceeded", http.StatusOK, offsetErr, nil},
		{"200 empty array", http.StatusOK, []byte("[]"), nil},
		{"200 null", http.StatusOK, []byte("null"), nil},
		{"200 empty body", http.StatusOK, nil, nil},
		{"200 message without status", http.StatusOK, []byte(`[{"Message":"No records found"}]`), nil},
		{"404 product not found", http.StatusNotFound, []byte(`[{"Key":"CatalogID","Value":"9","Status":"404","Message":"Product not found"}]`), shopimg.ErrNotFound},
		{"200 with failing status", http.StatusOK, []byte(`[{"Key":"limit","Value":"-1","Status":"400","Message":"bad limit"}]`), shopimg.ErrInvalidInput},
		{"401", http.StatusUnauthorized, fixture(t, "error_unauthorized.json"), shopimg.ErrUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { respond(w, tc.status, tc.body) })
			got, _, err := hs.client.ListImages(context.Background(), 9, &ListImagesOptions{Offset: 3})
			switch {
			case tc.wantErr == nil && (err != nil || len(got) != 0):
				t.Errorf("got %v, %v; want an empty page", got, err)
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestErrorBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		status      int
		contentType string
		body        []byte
		kind        error
		message     string
	}{
		{"401 ASP.NET", 401, "application/json", fixture(t, "error_unauthorized.json"), shopimg.ErrUnauthorized, "Authorization has been denied for this request."},
		{"HTML page", 503, "text/html", fixture(t, "error_html.html"), nil, "HTML error page (490 bytes): 503 - Service Unavailable"},
		{"HTML sent as JSON", 500, "application/json", fixture(t, "error_html.html"), nil, "HTML error page (490 bytes): 503 - Service Unavailable"},
		{"result array", 400, "application/json", fixture(t, "error_offset_exceeded.json"), shopimg.ErrInvalidInput, MessageOffsetExceeded},
		{"message and detail", 400, "application/json", []byte(`{"Message":"The request is invalid.","MessageDetail":"bad catalogid"}`), shopimg.ErrInvalidInput, "The request is invalid.: bad catalogid"},
		{"plain text", 404, "text/plain", []byte("Not Found"), shopimg.ErrNotFound, "Not Found"},
		{"empty", 403, "", nil, shopimg.ErrUnauthorized, "empty body"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, func(w http.ResponseWriter, _ *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write(tc.body)
			}, WithRetry(shopimg.RetryPolicy{}))
			_, _, err := hs.client.UpdateImage(context.Background(), 4, Image{ImageGalleryID: 8, ImageGalleryFile: "a.jpg"})
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if ae.Message != tc.message || ae.StatusCode != tc.status || ae.Platform != "threedcart" || ae.Path != "/3dCartWebAPI/v1/Products/4/Images/8" {
				t.Errorf("got %+v, want status %d and message %q", ae, tc.status, tc.message)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("err = %v, want it to match %v", err, tc.kind)
			}
		})
	}
}

func TestWriteAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		status  int
		body    []byte
		wantErr error
		want    []Result
	}{
		{"vendor sample", 200, fixture(t, "image_update.json"), nil,
			[]Result{{Key: "ImageGalleryID", Value: "1234", Status: "200", Message: "updated successfully"}}},
		{"numbers", 200, fixture(t, "image_update_numbers.json"), nil,
			[]Result{{Key: "ImageGalleryID", Value: "1236", Status: "200", Message: "updated successfully"}}},
		{"lone object", 200, []byte(`{"Key":"ImageGalleryID","Value":"5","Status":"200","Message":"ok"}`), nil,
			[]Result{{Key: "ImageGalleryID", Value: "5", Status: "200", Message: "ok"}}},
		{"no body", 204, nil, nil, nil},
		{"200 with a 404 item", 200, fixture(t, "images_update_failure.json"), shopimg.ErrNotFound, nil},
		{"200 with a 400 item", 200, []byte(`[{"Key":"ImageGalleryFile","Status":400,"Message":"ImageGalleryFile cannot be empty"}]`), shopimg.ErrInvalidInput, nil},
		{"200 with a 409 item", 200, []byte(`[{"Status":"409","Message":"locked"}]`), shopimg.ErrConflict, nil},
		{"404 array", 404, fixture(t, "images_update_failure.json"), shopimg.ErrNotFound, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { respond(w, tc.status, tc.body) })
			got, _, err := hs.client.UpdateImages(context.Background(), 4, []Image{{ImageGalleryID: 1310, ImageGalleryFile: "a.jpg"}, {ImageGalleryID: 99, ImageGalleryFile: "b.jpg"}})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || errors.Is(err, shopimg.ErrOutcomeUnknown) {
					t.Fatalf("err = %v, want %v only", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteFailureDetails(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, _ *http.Request) {
		respond(w, 200, fixture(t, "images_update_failure.json"))
	})
	_, _, err := hs.client.UpdateImages(context.Background(), 4, []Image{{ImageGalleryID: 1310}, {ImageGalleryID: 99}})
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v", err)
	}
	want := &APIError{
		Platform: "threedcart", Method: "PUT", Path: "/3dCartWebAPI/v1/Products/4/Images",
		StatusCode: 404, Message: "ImageGalleryID not found",
		Details:  []shopimg.FieldError{{Field: "ImageGalleryID=99", Message: "ImageGalleryID not found"}},
		Attempts: 1, Body: fixture(t, "images_update_failure.json"),
	}
	if diff := cmp.Diff(want, ae); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if got, want := err.Error(), "threedcart: PUT /3dCartWebAPI/v1/Products/4/Images: 404 Not Found: ImageGalleryID not found (ImageGalleryID=99: ImageGalleryID not found)"; got != want {
		t.Errorf("Error() = %q\nwant      %q", got, want)
	}
}

func TestCreateImage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		status  int
		body    []byte
		want    ImageGalleryID
		wantErr []error // every one must match; ErrOutcomeUnknown only if listed
	}{
		{"vendor-like answer", 201, fixture(t, "image_create.json"), 1235, nil},
		{"200 and numbers", 200, []byte(`[{"Key":"ImageGalleryID","Value":77,"Status":201,"Message":"Created"}]`), 77, nil},
		{"key in other case, two items", 200, []byte(`[{"Key":"CatalogID","Value":"4","Status":"200"},{"Key":"imagegalleryid","Value":" 78 ","Status":"201"}]`), 78, nil},
		{"only item without key", 200, []byte(`[{"Value":"79","Status":"200"}]`), 79, nil},
		{"no ID", 200, []byte(`[{"Key":"ImageGalleryID","Value":"","Status":"201"}]`), 0, []error{shopimg.ErrOutcomeUnknown}},
		{"empty body", 200, nil, 0, []error{shopimg.ErrOutcomeUnknown}},
		{"unreadable body", 200, []byte(`[{"Key":`), 0, []error{shopimg.ErrOutcomeUnknown}},
		{"200 with a 400 item", 200, []byte(`[{"Key":"ImageGalleryFile","Value":"","Status":"400","Message":"ImageGalleryFile is required"}]`), 0, []error{shopimg.ErrInvalidInput}},
		{"200 with a 500 item", 200, []byte(`[{"Status":"500","Message":"An error has occurred."}]`), 0, []error{shopimg.ErrOutcomeUnknown}},
		{"500", 500, []byte(`{"Message":"An error has occurred."}`), 0, []error{shopimg.ErrOutcomeUnknown}},
		{"404 product", 404, []byte(`[{"Key":"CatalogID","Value":"4","Status":"404","Message":"Product not found"}]`), 0, []error{shopimg.ErrNotFound}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			posts := 0
			var body map[string]any
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				posts++
				b, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(b, &body)
				respond(w, tc.status, tc.body)
			})
			id, _, err := hs.client.CreateImage(context.Background(), 4, CreateImageRequest{ImageGalleryFile: "https://cdn.example.com/a.jpg", ImageGalleryCaption: "A", ImageGallerySorting: 3})
			if posts != 1 {
				t.Errorf("the create was sent %d times, want once", posts)
			}
			if diff := cmp.Diff(map[string]any{"ImageGalleryFile": "https://cdn.example.com/a.jpg", "ImageGalleryCaption": "A", "ImageGallerySorting": 3.0}, body); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			if len(tc.wantErr) == 0 {
				if err != nil || id != tc.want {
					t.Errorf("got %d, %v; want %d", id, err, tc.want)
				}
				return
			}
			for _, want := range tc.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("err = %v, want it to match %v", err, want)
				}
			}
			if errors.Is(err, shopimg.ErrOutcomeUnknown) && !errors.Is(tc.wantErr[0], shopimg.ErrOutcomeUnknown) {
				t.Errorf("err = %v should not be ErrOutcomeUnknown", err)
			}
		})
	}
}

func TestTypedCallsRejectBadInputWithoutSending(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(http.ResponseWriter, *http.Request) { t.Error("a request was sent") })
	ctx := context.Background()
	checks := map[string]error{
		"ListImages(0)":            third(hs.client.ListImages(ctx, 0, nil)),
		"ListImages(offset -1)":    third(hs.client.ListImages(ctx, 1, &ListImagesOptions{Offset: -1})),
		"CreateImage(no file)":     third(hs.client.CreateImage(ctx, 1, CreateImageRequest{ImageGalleryCaption: "x"})),
		"CreateImage(-1)":          third(hs.client.CreateImage(ctx, -1, CreateImageRequest{ImageGalleryFile: "x"})),
		"UpdateImages(empty)":      third(hs.client.UpdateImages(ctx, 1, nil)),
		"UpdateImages(no ID)":      third(hs.client.UpdateImages(ctx, 1, []Image{{ImageGalleryFile: "x"}})),
		"UpdateImage(no ID)":       third(hs.client.UpdateImage(ctx, 1, Image{ImageGalleryFile: "x"})),
		"UpdateImage(bad product)": third(hs.client.UpdateImage(ctx, 0, Image{ImageGalleryID: 1})),
	}
	for name, err := range checks {
		if !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
}

func third[T, U any](_ T, _ U, err error) error { return err }

// TestReorderSendsGoldenBody checks the collection PUT the adapter sends for
// a reorder of the fixture gallery, and that it lists in display order.
func TestReorderSendsGoldenBody(t *testing.T) {
	t.Parallel()
	var put []byte
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Query().Get("offset") == "0":
			respond(w, http.StatusOK, fixture(t, "images_list.json"))
		case r.Method == http.MethodGet:
			respond(w, http.StatusNotFound, nil)
		case r.Method == http.MethodPut && r.URL.Path == "/3dCartWebAPI/v1/Products/1001/Images":
			put, _ = io.ReadAll(r.Body)
			respond(w, http.StatusOK, []byte(`[{"Key":"ImageGalleryID","Value":"1311","Status":"200","Message":"updated successfully"}]`))
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
		}
	})
	p := hs.client.ProductImages()
	list, err := p.List(context.Background(), "1001")
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, img := range list {
		gotIDs = append(gotIDs, img.ID)
	}
	if diff := cmp.Diff([]string{"1312", "1310", "1311"}, gotIDs); diff != "" {
		t.Errorf("display order (-want +got):\n%s", diff)
	}
	if !list[0].Main || list[1].Main || list[0].URL != "https://cdn.example.com/red-shoe-front.jpg" ||
		list[1].URL != "https://sentinel-store-4b1d.3dcartstores.com/assets/images/red-shoe-back.jpg" {
		t.Errorf("list = %+v", list)
	}
	if err := p.Reorder(context.Background(), "1001", []string{"1311", "1312", "1310"}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("..", "internal", "testdata", "threedcart", "images_update_request.json")
	if *update {
		var v any
		_ = json.Unmarshal(put, &v)
		b, _ := json.MarshalIndent(v, "", "  ")
		if err := os.WriteFile(golden, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got, want any
	if err := json.Unmarshal(put, &got); err != nil {
		t.Fatalf("PUT body %q: %v", put, err)
	}
	if err := json.Unmarshal(fixture(t, "images_update_request.json"), &want); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PUT body (-golden +got):\n%s", diff)
	}
	if strings.Contains(string(put), "\\u0026") {
		t.Errorf("body has HTML-escaped characters: %s", put)
	}
}
