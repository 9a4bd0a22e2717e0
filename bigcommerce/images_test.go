package bigcommerce_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
)

var ctx = context.Background()

// specImage382 is the first image of the spec's list example.
var specImage382 = bigcommerce.Image{
	ID: 382, ProductID: 158, IsThumbnail: true, SortOrder: 0,
	ImageFile:    "a/521/foglinenbeigestripetowel1b_1024x1024__83011__60806.jpg",
	URLZoom:      "https://cdn8.bigcommerce.com/s-id30h7ohwf/products/158/images/382/foglinenbeigestripetowel1b_1024x1024__83011__60806.1534344511.1280.1280.jpg?c=2",
	URLStandard:  "https://cdn8.bigcommerce.com/s-id30h7ohwf/products/158/images/382/foglinenbeigestripetowel1b_1024x1024__83011__60806.1534344511.560.850.jpg?c=2",
	URLThumbnail: "https://cdn8.bigcommerce.com/s-id30h7ohwf/products/158/images/382/foglinenbeigestripetowel1b_1024x1024__83011__60806.1534344511.330.500.jpg?c=2",
	URLTiny:      "https://cdn8.bigcommerce.com/s-id30h7ohwf/products/158/images/382/foglinenbeigestripetowel1b_1024x1024__83011__60806.1534344511.66.100.jpg?c=2",
	DateModified: time.Date(2018, 8, 15, 14, 48, 31, 0, time.UTC),
}

// specImage485 is the spec's get example.
var specImage485 = bigcommerce.Image{
	ID: 485, ProductID: 158, SortOrder: 1, ImageFile: "o/381/product-image__98178.png",
	URLZoom:      "https://cdn8.bigcommerce.com/s-id30h7ohwf/products/158/images/485/product-image__98178.1536854227.1280.1280.png?c=2",
	URLStandard:  "https://cdn8.bigcommerce.com/s-id30h7ohwf/products/158/images/485/product-image__98178.1536854227.560.850.png?c=2",
	URLThumbnail: "https://cdn8.bigcommerce.com/s-id30h7ohwf/products/158/images/485/product-image__98178.1536854227.330.500.png?c=2",
	URLTiny:      "https://cdn8.bigcommerce.com/s-id30h7ohwf/products/158/images/485/product-image__98178.1536854227.66.100.png?c=2",
	DateModified: time.Date(2018, 9, 13, 15, 57, 7, 0, time.UTC),
}

// timeEqual compares times by instant, whatever their location.
var timeEqual = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func TestListImagesDecodesTheSpecExample(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, serveFixture(t, 200, "images_list.json"))
	page, _, err := c.ListImages(ctx, 158, &bigcommerce.ListImagesOptions{Page: 2, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	wantRequest(t, reqs(), "GET", "/stores/abc/v3/catalog/products/158/images", "limit=10&page=2")
	if len(page.Images) != 2 {
		t.Fatalf("got %d images, want 2", len(page.Images))
	}
	if d := cmp.Diff(specImage382, page.Images[0], timeEqual); d != "" {
		t.Errorf("first image (-want +got):\n%s", d)
	}
	want := bigcommerce.Pagination{Total: 2, Count: 2, PerPage: 50, CurrentPage: 1, TotalPages: 1, Links: bigcommerce.PaginationLinks{Current: "?page=1&limit=50"}}
	if d := cmp.Diff(want, page.Pagination); d != "" {
		t.Errorf("pagination (-want +got):\n%s", d)
	}
	if _, more := page.NextPage(); more {
		t.Error("NextPage says there is more after the only page")
	}
}

func TestListImagesNoContentIsEmpty(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	page, _, err := c.ListImages(ctx, 7, nil)
	if err != nil || len(page.Images) != 0 {
		t.Fatalf("ListImages = %+v, %v; want an empty page", page, err)
	}
	wantRequest(t, reqs(), "GET", "/stores/abc/v3/catalog/products/7/images", "")
}

func TestListImagesIterFollowsPages(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":[{"id":%s0},{"id":%s1}],"meta":{"pagination":{"total":6,"count":2,"per_page":2,"current_page":%s,"total_pages":3}}}`, page, page, page)
	})
	var ids []bigcommerce.ImageID
	for img, err := range c.ListImagesIter(ctx, 9, &bigcommerce.ListImagesOptions{Limit: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, img.ID)
	}
	if d := cmp.Diff([]bigcommerce.ImageID{10, 11, 20, 21, 30, 31}, ids); d != "" {
		t.Errorf("ids (-want +got):\n%s", d)
	}
	var queries []string
	for _, r := range reqs() {
		queries = append(queries, r.RawQuery)
	}
	if d := cmp.Diff([]string{"limit=2&page=1", "limit=2&page=2", "limit=2&page=3"}, queries); d != "" {
		t.Errorf("queries (-want +got):\n%s", d)
	}
}

func TestListImagesIterStopsEarlyAndReportsErrors(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, serveFixture(t, 404, "error_422_fields.json"))
	n := 0
	for _, err := range c.ListImagesIter(ctx, 9, nil) {
		n++
		if !errors.Is(err, shopimg.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	}
	if n != 1 || len(reqs()) != 1 {
		t.Errorf("yielded %d times after %d requests, want once after 1", n, len(reqs()))
	}
	c2, reqs2 := stub(t, serveFixture(t, 200, "images_list.json"))
	it := c2.ListImagesIter(ctx, 9, nil)
	if len(reqs2()) != 0 {
		t.Error("the iterator fetched before being used")
	}
	for range it {
		break
	}
	wantRequest(t, reqs2(), "GET", "/stores/abc/v3/catalog/products/9/images", "limit=250&page=1")
}

func TestGetImageDecodesTheSpecExample(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, serveFixture(t, 200, "image_get.json"))
	img, _, err := c.GetImage(ctx, 158, 485)
	if err != nil {
		t.Fatal(err)
	}
	wantRequest(t, reqs(), "GET", "/stores/abc/v3/catalog/products/158/images/485", "")
	if d := cmp.Diff(specImage485, img, timeEqual); d != "" {
		t.Errorf("image (-want +got):\n%s", d)
	}
}

func TestCreateImageSendsJSON(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, serveFixture(t, 200, "image_get.json"))
	img, _, err := c.CreateImage(ctx, 158, bigcommerce.CreateImageRequest{
		ImageURL: "https://images.example.com/a.png?x=1&y=<2>", IsThumbnail: true, SortOrder: new(0), Description: "Front",
	})
	if err != nil || img.ID != 485 {
		t.Fatalf("CreateImage = %+v, %v", img, err)
	}
	r := wantRequest(t, reqs(), "POST", "/stores/abc/v3/catalog/products/158/images", "")
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	wantJSON(t, r.Body, `{"image_url":"https://images.example.com/a.png?x=1&y=<2>","is_thumbnail":true,"sort_order":0,"description":"Front"}`)
	if strings.Contains(string(r.Body), `\u003c`) {
		t.Errorf("body escapes HTML: %s", r.Body)
	}
}

func TestCreateImageMinimalBody(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, serveFixture(t, 200, "image_get.json"))
	if _, _, err := c.CreateImage(ctx, 158, bigcommerce.CreateImageRequest{ImageURL: "https://images.example.com/a.png"}); err != nil {
		t.Fatal(err)
	}
	wantJSON(t, reqs()[0].Body, `{"image_url":"https://images.example.com/a.png"}`)
}

func TestUploadImageStreamsMultipart(t *testing.T) {
	t.Parallel()
	content := strings.Repeat("pixel", 1000)
	type part struct{ Name, File, Type, Value string }
	var parts []part
	c, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) {
		mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "multipart/form-data" {
			t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(b)})
		}
		serveFixture(t, 200, "image_get.json")(w, r)
	})
	img, _, err := c.UploadImage(ctx, 158, bigcommerce.UploadImageRequest{
		File: shopimg.FileFromBytes("red shoe.png", []byte(content)), IsThumbnail: true, SortOrder: new(3), Description: "Red",
	})
	if err != nil || img.ID != 485 {
		t.Fatalf("UploadImage = %+v, %v", img, err)
	}
	r := wantRequest(t, reqs(), "POST", "/stores/abc/v3/catalog/products/158/images", "")
	want := []part{
		{Name: "description", Value: "Red"},
		{Name: "is_thumbnail", Value: "true"},
		{Name: "sort_order", Value: "3"},
		{Name: "image_file", File: "red shoe.png", Type: "image/png", Value: content},
	}
	if d := cmp.Diff(want, parts); d != "" {
		t.Errorf("parts (-want +got):\n%s", d)
	}
	if r.Header.Get("Content-Length") == "" {
		t.Error("a file of known size was sent without Content-Length")
	}
}

// sizedFile is a File of n bytes whose Size is size (-1: unknown).
func sizedFile(n, size int64) *shopimg.File {
	return &shopimg.File{Name: "big.jpg", Size: size, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(io.LimitReader(zeros{}, n)), nil
	}}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestUploadLimit(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	cases := []struct {
		name       string
		n, size    int64
		wantErr    bool
		wantUpload bool
	}{
		{"known size over the limit is not sent", limit + 1, limit + 1, true, false},
		{"known size at the limit is sent", limit, limit, false, true},
		{"unknown size over the limit is cut off", 3 * limit, -1, true, false},
		{"unknown size under the limit is sent", limit - 5, -1, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var complete bool
			c, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) {
				_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
				mr := multipart.NewReader(r.Body, params["boundary"])
				for {
					p, err := mr.NextPart()
					if err == io.EOF {
						complete = true
						break
					}
					if err != nil {
						break
					}
					_, _ = io.Copy(io.Discard, p)
				}
				serveFixture(t, 200, "image_get.json")(w, r)
			}, bigcommerce.WithMaxUploadSize(limit))
			_, _, err := c.UploadImage(ctx, 1, bigcommerce.UploadImageRequest{File: sizedFile(tc.n, tc.size)})
			if tc.wantErr {
				var in *shopimg.InputError
				if !errors.As(err, &in) || errors.Is(err, shopimg.ErrOutcomeUnknown) {
					t.Errorf("err = %v, want an InputError only", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := len(reqs()) == 1 && complete; got != tc.wantUpload {
				t.Errorf("a complete upload reached the server: %v, want %v (requests %d)", got, tc.wantUpload, len(reqs()))
			}
		})
	}
}

func TestUpdateImageSendsOnlySetFields(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, serveFixture(t, 200, "image_get.json"))
	if _, _, err := c.UpdateImage(ctx, 158, 485, bigcommerce.UpdateImageRequest{SortOrder: new(0), Description: new(""), IsThumbnail: new(true)}); err != nil {
		t.Fatal(err)
	}
	r := wantRequest(t, reqs(), "PUT", "/stores/abc/v3/catalog/products/158/images/485", "")
	wantJSON(t, r.Body, `{"is_thumbnail":true,"sort_order":0,"description":""}`)
}

func TestDeleteImage(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	if _, err := c.DeleteImage(ctx, 158, 485); err != nil {
		t.Fatal(err)
	}
	wantRequest(t, reqs(), "DELETE", "/stores/abc/v3/catalog/products/158/images/485", "")
}

func TestInvalidInputSendsNothing(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, serveFixture(t, 200, "image_get.json"))
	long := "https://images.example.com/" + strings.Repeat("a", 240) + ".jpg"
	calls := map[string]func() error{
		"list product 0": func() error { _, _, err := c.ListImages(ctx, 0, nil); return err },
		"list limit 251": func() error {
			_, _, err := c.ListImages(ctx, 1, &bigcommerce.ListImagesOptions{Limit: 251})
			return err
		},
		"list page -1": func() error { _, _, err := c.ListImages(ctx, 1, &bigcommerce.ListImagesOptions{Page: -1}); return err },
		"get image 0":  func() error { _, _, err := c.GetImage(ctx, 1, 0); return err },
		"create relative URL": func() error {
			_, _, err := c.CreateImage(ctx, 1, bigcommerce.CreateImageRequest{ImageURL: "/a.jpg"})
			return err
		},
		"create URL over 255": func() error {
			_, _, err := c.CreateImage(ctx, 1, bigcommerce.CreateImageRequest{ImageURL: long})
			return err
		},
		"create sort_order range": func() error {
			_, _, err := c.CreateImage(ctx, 1, bigcommerce.CreateImageRequest{ImageURL: "https://x.example/a.jpg", SortOrder: new(1 << 40)})
			return err
		},
		"upload no file": func() error { _, _, err := c.UploadImage(ctx, 1, bigcommerce.UploadImageRequest{}); return err },
		"upload no name": func() error {
			_, _, err := c.UploadImage(ctx, 1, bigcommerce.UploadImageRequest{File: &shopimg.File{Open: sizedFile(1, 1).Open}})
			return err
		},
		"update nothing": func() error { _, _, err := c.UpdateImage(ctx, 1, 2, bigcommerce.UpdateImageRequest{}); return err },
		"update bad URL": func() error {
			_, _, err := c.UpdateImage(ctx, 1, 2, bigcommerce.UpdateImageRequest{ImageURL: "ftp://x/a.jpg"})
			return err
		},
		"delete product -4": func() error { _, err := c.DeleteImage(ctx, -4, 2); return err },
		"v2 create no file": func() error { _, _, err := c.V2().CreateImage(ctx, 1, bigcommerce.V2CreateImageRequest{}); return err },
		"v2 update nothing": func() error {
			_, _, err := c.V2().UpdateImage(ctx, 1, 2, bigcommerce.V2UpdateImageRequest{})
			return err
		},
		"v2 list limit 300": func() error {
			_, _, err := c.V2().ListImages(ctx, 1, &bigcommerce.V2ListImagesOptions{Limit: 300})
			return err
		},
		"v2 delete all product 0": func() error { _, err := c.V2().DeleteAllImages(ctx, 0, nil); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if n := len(reqs()); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

func TestErrorBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status  int
		fixture string
		kind    error
		message string
		details []shopimg.FieldError
	}{
		{422, "error_create_422.json", shopimg.ErrInvalidInput, "image_url must be present if uploading by url", nil},
		{422, "error_422_fields.json", shopimg.ErrInvalidInput, "Missing Required Fields", []shopimg.FieldError{{Field: "name", Message: "Please provide a name."}}},
		{400, "v2_error_400.json", shopimg.ErrInvalidInput, "The field 'image_url' is not supported by this resource.", nil},
		{400, "v2_error_details.json", shopimg.ErrInvalidInput, "The field 'image_file' is invalid.", []shopimg.FieldError{{Field: "invalid_reason", Message: "The file 'x.jpg' is missing or is not usable by this resource."}}},
		{404, "error_create_422.json", shopimg.ErrNotFound, "image_url must be present if uploading by url", nil},
		{401, "v2_error_400.json", shopimg.ErrUnauthorized, "The field 'image_url' is not supported by this resource.", nil},
		{403, "error_422_fields.json", shopimg.ErrUnauthorized, "Missing Required Fields", []shopimg.FieldError{{Field: "name", Message: "Please provide a name."}}},
		{409, "error_422_fields.json", shopimg.ErrConflict, "Missing Required Fields", []shopimg.FieldError{{Field: "name", Message: "Please provide a name."}}},
		{413, "error_create_422.json", shopimg.ErrInvalidInput, "image_url must be present if uploading by url", nil},
		{429, "error_create_422.json", shopimg.ErrRateLimited, "image_url must be present if uploading by url", nil},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status, tc.fixture), func(t *testing.T) {
			t.Parallel()
			c, _ := stub(t, serveFixture(t, tc.status, tc.fixture))
			_, _, err := c.GetImage(ctx, 1, 2)
			var e *bigcommerce.APIError
			if !errors.Is(err, tc.kind) || !errors.As(err, &e) {
				t.Fatalf("err = %v, want a %v APIError", err, tc.kind)
			}
			if e.StatusCode != tc.status || e.Message != tc.message || e.Platform != "bigcommerce" || e.Path != stubPrefix+"/stores/abc/v3/catalog/products/1/images/2" {
				t.Errorf("APIError = %+v", e)
			}
			if d := cmp.Diff(tc.details, e.Details); d != "" {
				t.Errorf("details (-want +got):\n%s", d)
			}
			if strings.Contains(err.Error(), "tok") {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}
