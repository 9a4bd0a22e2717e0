package bigcommercetest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// These tests speak to the fake at the wire level, with net/http and raw
// JSON, so they check the protocol itself (paths, headers, statuses,
// envelopes, field names) and not a round trip through package bigcommerce.

var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// wire is a fake with its clock, and a way to send raw requests to it.
type wire struct {
	t     *testing.T
	srv   *bigcommercetest.Server
	clock *shopimgtest.Clock
}

func newWire(t *testing.T, opts ...bigcommercetest.Option) *wire {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := bigcommercetest.NewServer(append([]bigcommercetest.Option{bigcommercetest.WithClock(clock)}, opts...)...)
	t.Cleanup(srv.Close)
	return &wire{t: t, srv: srv, clock: clock}
}

// answer is a response, its body read.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// decode decodes the body into a generic JSON value.
func (a answer) decode(t *testing.T) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(a.body, &v); err != nil {
		t.Fatalf("body %q is not JSON: %v", a.body, err)
	}
	return v
}

// send sends a request under /stores/{hash} with the server's token
// (token "" sends none), and a body of the given type.
func (w *wire) send(method, path, contentType string, body []byte, token string) answer {
	w.t.Helper()
	h := http.Header{"Accept": {"application/json"}}
	if token != "" {
		h.Set("X-Auth-Token", token)
	}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	resp, b, err := w.srv.Send(method, "/stores/"+w.srv.StoreHash()+path, h, body)
	if err != nil {
		w.t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// do sends a request with the right token and a JSON body (nil: none).
func (w *wire) do(method, path string, body any) answer {
	w.t.Helper()
	if body == nil {
		return w.send(method, path, "", nil, w.srv.AccessToken())
	}
	b, err := json.Marshal(body)
	if err != nil {
		w.t.Fatal(err)
	}
	return w.send(method, path, "application/json", b, w.srv.AccessToken())
}

// want checks an answer's status.
func want(t *testing.T, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body %s", a.status, status, a.body)
	}
}

// wantJSON checks an answer's status and JSON body.
func wantJSON(t *testing.T, a answer, status int, body string) {
	t.Helper()
	want(t, a, status)
	var exp any
	if err := json.Unmarshal([]byte(body), &exp); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(exp, a.decode(t)); d != "" {
		t.Errorf("body (-want +got):\n%s", d)
	}
}

// state returns "id:sort_order[*]" for each stored image, by ID, * marking
// the thumbnail.
func state(t *testing.T, srv *bigcommercetest.Server, pid int64) []string {
	t.Helper()
	imgs, err := srv.Images(pid)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = fmt.Sprintf("%d:%d", img.ID, img.SortOrder)
		if img.IsThumbnail {
			out[i] += "*"
		}
	}
	return out
}

func wantState(t *testing.T, srv *bigcommercetest.Server, pid int64, want ...string) {
	t.Helper()
	if d := cmp.Diff(want, state(t, srv, pid)); d != "" {
		t.Errorf("product %d (-want +got):\n%s", pid, d)
	}
}

const v3Images = "/v3/catalog/products/7/images"

func checkAuthAndStore(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7)
	errBody := `{"status":401,"title":"You are not authorized to access this resource. Check the X-Auth-Token header.","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}`
	wantJSON(t, w.send("GET", v3Images, "", nil, ""), 401, errBody)
	wantJSON(t, w.send("GET", v3Images, "", nil, "wrong"), 401, errBody)
	wantJSON(t, w.send("GET", "/v2/products/7/images", "", nil, "wrong"), 401,
		`[{"status":401,"message":"You are not authorized to access this resource. Check the X-Auth-Token header."}]`)
	want(t, w.do("GET", v3Images, nil), 204)

	// Another store's hash is not this store.
	req, _ := http.NewRequest("GET", w.srv.URL+"/stores/other/v3/catalog/products/7/images", nil)
	req.Header.Set("X-Auth-Token", w.srv.AccessToken())
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("another store: %d, want 404", resp.StatusCode)
	}
	// The recorder counts every request and never keeps the token.
	if n := w.srv.Recorder().Count("GET", ""); n != 5 {
		t.Errorf("recorded %d GETs, want 5", n)
	}
	for _, r := range w.srv.Recorder().Requests() {
		if v := r.Header.Get("X-Auth-Token"); v != "" && v != bigcommercetest.Redacted {
			t.Errorf("recorded token %q", v)
		}
	}
}

func checkV3ListPaging(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	imgs := make([]bigcommercetest.Image, 5)
	for i := range imgs {
		imgs[i].SortOrder = 4 - i
	}
	w.srv.AddProduct(7, imgs...)
	a := w.do("GET", v3Images+"?page=2&limit=2", nil)
	want(t, a, 200)
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	var page struct {
		Data []map[string]any `json:"data"`
		Meta struct {
			Pagination map[string]any `json:"pagination"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(a.body, &page); err != nil {
		t.Fatal(err)
	}
	var ids []any
	for _, d := range page.Data {
		ids = append(ids, d["id"])
	}
	if d := cmp.Diff([]any{1003.0, 1004.0}, ids); d != "" {
		t.Errorf("page 2 of 2 holds (-want +got):\n%s", d)
	}
	wantPagination := map[string]any{
		"total": 5.0, "count": 2.0, "per_page": 2.0, "current_page": 2.0, "total_pages": 3.0,
		"links": map[string]any{"previous": "?page=1&limit=2", "current": "?page=2&limit=2", "next": "?page=3&limit=2"},
	}
	if d := cmp.Diff(wantPagination, page.Meta.Pagination); d != "" {
		t.Errorf("pagination (-want +got):\n%s", d)
	}
	// Every field of productImage_Full, under the spec's names.
	var keys []string
	for k := range page.Data[0] {
		keys = append(keys, k)
	}
	wantKeys := []string{"date_modified", "description", "id", "image_file", "is_thumbnail", "product_id", "sort_order", "url_standard", "url_thumbnail", "url_tiny", "url_zoom"}
	if d := cmp.Diff(wantKeys, keys, cmpSorted); d != "" {
		t.Errorf("image fields (-want +got):\n%s", d)
	}
	if _, err := time.Parse(time.RFC3339, page.Data[0]["date_modified"].(string)); err != nil {
		t.Errorf("date_modified: %v", err)
	}

	// The default limit is 50; 250 is the most; above is a 413.
	a = w.do("GET", v3Images, nil)
	if pg := a.decode(t).(map[string]any)["meta"].(map[string]any)["pagination"].(map[string]any); pg["per_page"] != 50.0 {
		t.Errorf("default per_page %v, want 50", pg["per_page"])
	}
	want(t, w.do("GET", v3Images+"?limit=250", nil), 200)
	want(t, w.do("GET", v3Images+"?limit=251", nil), 413)
	want(t, w.do("GET", v3Images+"?page=0", nil), 400)
	// A page past the last: 200 with no data [I].
	want(t, w.do("GET", v3Images+"?page=9&limit=2", nil), 200)
	// An unknown product is a 404 in the v3 error shape.
	a = w.do("GET", "/v3/catalog/products/8/images", nil)
	wantJSON(t, a, 404, `{"status":404,"title":"The requested product was not found","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}`)
}

// cmpSorted compares string slices as sets.
var cmpSorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

func checkV3NoImagesIs204(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7)
	a := w.do("GET", v3Images, nil)
	want(t, a, 204)
	if len(a.body) != 0 {
		t.Errorf("204 with body %q", a.body)
	}
	// After the last image goes, the list is a 204 again.
	c := w.do("POST", v3Images, map[string]any{"image_url": "https://images.example.com/a.jpg"})
	want(t, c, 200)
	want(t, w.do("DELETE", v3Images+"/1001", nil), 204)
	want(t, w.do("GET", v3Images, nil), 204)
	want(t, w.do("DELETE", v3Images+"/1001", nil), 404)
}

func checkV3CreateAnswers200(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota(), bigcommercetest.WithMaxUploadSize(10))
	w.srv.AddProduct(7)
	a := w.do("POST", v3Images, map[string]any{"image_url": "https://images.example.com/shoe.jpg", "description": "Shoe"})
	want(t, a, 200)
	var got struct {
		Data map[string]any `json:"data"`
		Meta map[string]any `json:"meta"`
	}
	if err := json.Unmarshal(a.body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Meta == nil || len(got.Meta) != 0 {
		t.Errorf("meta = %v, want {}", got.Meta)
	}
	for k, v := range map[string]any{"id": 1001.0, "product_id": 7.0, "image_url": "https://images.example.com/shoe.jpg", "description": "Shoe", "is_thumbnail": true, "sort_order": 0.0} {
		if got.Data[k] != v {
			t.Errorf("data.%s = %v, want %v", k, got.Data[k], v)
		}
	}

	// Multipart image_file: 200 too.
	body, ct := form(t, map[string]string{"description": "Side", "sort_order": "5"}, "side.png", "0123456789")
	a = w.send("POST", v3Images, ct, body, w.srv.AccessToken())
	want(t, a, 200)
	if d := a.decode(t).(map[string]any)["data"].(map[string]any); d["description"] != "Side" || d["sort_order"] != 5.0 || !strings.HasSuffix(d["image_file"].(string), ".png") {
		t.Errorf("upload stored %v", d)
	}

	// The spec's 422s: a JSON create without image_url, image_url sent as
	// multipart; and the fake's 413 for a file over the limit.
	wantJSON(t, w.do("POST", v3Images, map[string]any{"description": "x"}), 422,
		`{"status":422,"title":"image_url must be present if uploading by url","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}`)
	body, ct = form(t, map[string]string{"image_url": "https://images.example.com/a.jpg"}, "", "")
	want(t, w.send("POST", v3Images, ct, body, w.srv.AccessToken()), 422)
	body, ct = form(t, nil, "big.png", "0123456789A")
	want(t, w.send("POST", v3Images, ct, body, w.srv.AccessToken()), 413)
	a = w.do("POST", v3Images, map[string]any{"image_url": "/relative.jpg", "sort_order": "first"})
	want(t, a, 422)
	if d := cmp.Diff(map[string]any{"image_url": "image_url must be a fully qualified URL, including the protocol", "sort_order": "sort_order must be a 32-bit integer"}, a.decode(t).(map[string]any)["errors"]); d != "" {
		t.Errorf("422 errors (-want +got):\n%s", d)
	}
	want(t, w.send("POST", v3Images, "text/plain", []byte("x"), w.srv.AccessToken()), 415)
	want(t, w.do("POST", "/v3/catalog/products/8/images", map[string]any{"image_url": "https://images.example.com/a.jpg"}), 404)
	wantState(t, w.srv, 7, "1001:0*", "1002:5")
}

// form builds a multipart body of fields and, when name is set, an
// image_file part.
func form(t *testing.T, fields map[string]string, name, content string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("image_file", name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(fw, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

func checkOneThumbnailPerProduct(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7)
	post := func(body map[string]any) {
		t.Helper()
		want(t, w.do("POST", v3Images, body), 200)
	}
	// The first image is the thumbnail even when it asks not to be.
	post(map[string]any{"image_url": "https://images.example.com/a.jpg", "is_thumbnail": false})
	post(map[string]any{"image_url": "https://images.example.com/b.jpg"})
	wantState(t, w.srv, 7, "1001:0*", "1002:1")
	// A new thumbnail takes the flag from the old one.
	post(map[string]any{"image_url": "https://images.example.com/c.jpg", "is_thumbnail": true})
	wantState(t, w.srv, 7, "1001:0", "1002:1", "1003:2*")
	want(t, w.do("PUT", v3Images+"/1002", map[string]any{"is_thumbnail": true}), 200)
	wantState(t, w.srv, 7, "1001:0", "1002:1*", "1003:2")
	// Clearing the flag is ignored [I]: a product keeps its thumbnail.
	want(t, w.do("PUT", v3Images+"/1002", map[string]any{"is_thumbnail": false}), 200)
	wantState(t, w.srv, 7, "1001:0", "1002:1*", "1003:2")
	// Deleting the thumbnail passes it to the first remaining image.
	want(t, w.do("DELETE", v3Images+"/1002", nil), 204)
	wantState(t, w.srv, 7, "1001:0*", "1003:2")
	want(t, w.do("DELETE", v3Images+"/1001", nil), 204)
	wantState(t, w.srv, 7, "1003:2*")
}

func checkImageLimitPerProduct(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7, make([]bigcommercetest.Image, bigcommercetest.MaxImages-1)...)
	want(t, w.do("POST", v3Images, map[string]any{"image_url": "https://images.example.com/999.jpg"}), 200)
	a := w.do("POST", v3Images, map[string]any{"image_url": "https://images.example.com/1001.jpg"})
	wantJSON(t, a, 422, `{"status":422,"title":"A product can have up to 1000 images","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}`)
	a = w.do("POST", "/v2/products/7/images", map[string]any{"image_file": "https://images.example.com/1001.jpg"})
	wantJSON(t, a, 400, `[{"status":400,"message":"The field 'image_file' is invalid.","details":{"invalid_reason":"A product can have up to 1000 images."}}]`)
	if imgs, _ := w.srv.Images(7); len(imgs) != 1000 {
		t.Errorf("%d images stored, want 1000", len(imgs))
	}
}

func checkQuotaHeadersAnd429(t *testing.T) {
	w := newWire(t, bigcommercetest.WithQuota(2, 30*time.Second))
	w.srv.AddProduct(7)
	quota := func(a answer) []string {
		var out []string
		for _, h := range []string{"X-Rate-Limit-Requests-Left", "X-Rate-Limit-Requests-Quota", "X-Rate-Limit-Time-Reset-Ms", "X-Rate-Limit-Time-Window-Ms", "X-Retry-After"} {
			out = append(out, a.header.Get(h))
		}
		return out
	}
	a := w.do("GET", v3Images, nil)
	want(t, a, 204)
	if d := cmp.Diff([]string{"1", "2", "30000", "30000", ""}, quota(a)); d != "" {
		t.Errorf("first answer's quota headers (-want +got):\n%s", d)
	}
	w.clock.Advance(10 * time.Second)
	a = w.do("GET", "/v2/products/7/images", nil) // v2 shares the quota
	if d := cmp.Diff([]string{"0", "2", "20000", "30000", ""}, quota(a)); d != "" {
		t.Errorf("second answer's quota headers (-want +got):\n%s", d)
	}
	w.clock.Advance(500 * time.Millisecond)
	a = w.do("GET", v3Images, nil)
	wantJSON(t, a, 429, `{"status":429,"title":"Too many requests. Please try again later.","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}`)
	if d := cmp.Diff([]string{"0", "2", "19500", "30000", "20"}, quota(a)); d != "" {
		t.Errorf("429's quota headers (-want +got):\n%s", d)
	}
	if n := w.srv.Quota().Rejected(); n != 1 {
		t.Errorf("Rejected() = %d, want 1", n)
	}
	// The window resets.
	w.clock.Advance(19500 * time.Millisecond)
	a = w.do("GET", v3Images, nil)
	want(t, a, 204)
	if got := a.header.Get("X-Rate-Limit-Requests-Left"); got != "1" {
		t.Errorf("after the reset, %s left, want 1", got)
	}
	// A scripted 429 from the fault engine still carries the quota headers,
	// and the ones it sets.
	w.srv.Faults().Add(bigcommercetest.Fault{Method: "GET", Status: 429, Header: http.Header{"X-Retry-After": {"7"}}, Body: `{"status":429,"title":"Too many requests"}`})
	a = w.do("GET", v3Images, nil)
	want(t, a, 429)
	if d := cmp.Diff([]string{"0", "2", "30000", "30000", "7"}, quota(a)); d != "" {
		t.Errorf("scripted 429's headers (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{"GET " + w.srv.ImagesPath(7): 4, "GET /stores/abc123/v2/products/7/images": 1}, w.srv.Recorder().Counts()); d != "" {
		t.Errorf("request counts (-want +got):\n%s", d)
	}
}

func checkV3PutBodies(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7, bigcommercetest.Image{IsThumbnail: true}, bigcommercetest.Image{SortOrder: 1})
	a := w.do("PUT", v3Images+"/1002", map[string]any{"description": "Back", "image_url": "https://images.example.com/back.jpg"})
	want(t, a, 200)
	if d := a.decode(t).(map[string]any)["data"].(map[string]any); d["description"] != "Back" || d["image_url"] != "https://images.example.com/back.jpg" {
		t.Errorf("PUT answered %v", d)
	}
	// The spec also gives the PUT a multipart body.
	body, ct := form(t, map[string]string{"description": "Back 2", "sort_order": "0"}, "back.webp", "webp")
	a = w.send("PUT", v3Images+"/1002", ct, body, w.srv.AccessToken())
	want(t, a, 200)
	if d := a.decode(t).(map[string]any)["data"].(map[string]any); d["description"] != "Back 2" || !strings.HasSuffix(d["image_file"].(string), ".webp") {
		t.Errorf("multipart PUT answered %v", d)
	}
	wantState(t, w.srv, 7, "1001:1*", "1002:0")
	want(t, w.send("PUT", v3Images+"/1002", "application/json", []byte("{"), w.srv.AccessToken()), 422)
	want(t, w.do("PUT", v3Images+"/1009", map[string]any{"description": "x"}), 404)
	want(t, w.do("PATCH", v3Images+"/1002", map[string]any{"description": "x"}), 405)
}

func checkV2Routes(t *testing.T) {
	for _, suffix := range []string{"", ".json"} {
		t.Run("suffix "+suffix, func(t *testing.T) {
			t.Parallel()
			w := newWire(t, bigcommercetest.WithoutQuota())
			w.srv.AddProduct(7)
			w.srv.AddProduct(8, bigcommercetest.Image{IsThumbnail: true})
			base := "/v2/products/7/images"
			want(t, w.do("GET", base+suffix, nil), 204)
			a := w.do("POST", base+suffix, map[string]any{"image_file": "https://images.example.com/picture_1.png", "description": "One"})
			want(t, a, 201)
			img := a.decode(t).(map[string]any)
			var keys []string
			for k := range img {
				keys = append(keys, k)
			}
			wantKeys := []string{"date_created", "date_modified", "description", "id", "image_file", "is_sample", "is_thumbnail", "product_id", "sort_order", "standard_url", "thumbnail_url", "tiny_url", "zoom_url"}
			if d := cmp.Diff(wantKeys, keys, cmpSorted); d != "" {
				t.Errorf("v2 image fields (-want +got):\n%s", d)
			}
			if img["date_created"] != "Sun, 01 Mar 2026 09:00:00 +0000" || img["is_thumbnail"] != true {
				t.Errorf("created %v", img)
			}
			want(t, w.do("POST", base+suffix, map[string]any{"image_file": "import/picture_2.jpg", "sort_order": 0}), 201)
			a = w.do("GET", base+suffix+"?limit=1&page=2", nil)
			want(t, a, 200)
			if list, ok := a.decode(t).([]any); !ok || len(list) != 1 || list[0].(map[string]any)["id"] != 1003.0 {
				t.Errorf("page 2 of 1 = %s, want a bare array holding image 1003", a.body)
			}
			a = w.do("PUT", "/v2/products/7/images/1002"+suffix, map[string]any{"description": "First", "is_thumbnail": true})
			want(t, a, 200)
			if got := a.decode(t).(map[string]any); got["description"] != "First" || got["is_thumbnail"] != true {
				t.Errorf("PUT answered %v", got)
			}
			wantState(t, w.srv, 7, "1002:1*", "1003:0")
			want(t, w.do("GET", "/v2/products/7/images/1003"+suffix, nil), 200)
			// v2 refuses image_url and read-only fields, in its own error shape.
			wantJSON(t, w.do("POST", base+suffix, map[string]any{"image_url": "https://images.example.com/a.jpg"}), 400,
				`[{"status":400,"message":"The field 'image_url' is not supported by this resource."}]`)
			wantJSON(t, w.do("POST", base+suffix, map[string]any{"image_file": "a.jpg", "product_id": 7}), 400,
				`[{"status":400,"message":"The field 'product_id' is not supported by this resource."}]`)
			wantJSON(t, w.do("POST", base+suffix, map[string]any{"description": "x"}), 400,
				`[{"status":400,"message":"The required field 'image_file' was not supplied."}]`)
			wantJSON(t, w.do("GET", "/v2/products/9/images"+suffix, nil), 404,
				`[{"status":404,"message":"The requested resource was not found."}]`)
			// The count is store-wide: product 8's image counts too.
			wantJSON(t, w.do("GET", "/v2/products/images/count"+suffix, nil), 200, `{"count":3}`)
			// DELETE of the collection deletes one page.
			want(t, w.do("DELETE", base+suffix+"?limit=1", nil), 204)
			wantState(t, w.srv, 7, "1003:0*")
			want(t, w.do("DELETE", "/v2/products/7/images/1003"+suffix, nil), 204)
			want(t, w.do("DELETE", "/v2/products/7/images/1003"+suffix, nil), 404)
			want(t, w.do("GET", base+suffix, nil), 204)
		})
	}
}
