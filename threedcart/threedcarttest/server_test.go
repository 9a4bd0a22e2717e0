package threedcarttest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// These tests speak to the fake at the wire level, with net/http and raw
// JSON, from what the vendor's help pages and samples say: never through
// package threedcart.

// documented is the table of the 3dcart REST API v1 image behaviour the
// fake must show, one row per statement, with where it is made: the API
// help pages (apirest.3dcart.com/Help, ImageGallery and the
// Products/{catalogid}/Images operations), the vendor's sample client, and
// the general conventions of an ASP.NET Web API service. Where the
// documents leave a choice open, the row checks every reading the fake
// offers.
var documented = []shopimgtest.Behaviour{
	{
		Name:  "Auth",
		Doc:   "every request carries SecureURL, PrivateKey and Token headers; without them, 401 {Message: 'Authorization has been denied for this request.'}",
		Check: checkAuth,
	},
	{
		Name:  "ListIsABareArray",
		Doc:   "GET Products/{catalogid}/Images answers a bare array of ImageGallery {ImageGalleryID, ImageGalleryFile, ImageGalleryCaption, ImageGallerySorting}, no envelope",
		Check: checkListBareArray,
	},
	{
		Name:  "ListPaging",
		Doc:   "limit and offset page the list ('default value is 0'); where offset starts is not said: each reading",
		Check: checkPaging,
	},
	{
		Name:  "EmptyIs404",
		Doc:   "an empty result comes back as a 404 (the sample client treats it as no results)",
		Check: checkEmptyIs404,
	},
	{
		Name:  "EndOfPages",
		Doc:   "paging past the end answers an error item 'Offset amount exceeds the total number of records': each reading of how",
		Check: checkPastEnd,
	},
	{
		Name:  "FileKeptAsGiven",
		Doc:   "ImageGalleryFile is a path or URL string, not data: the store keeps what it was given",
		Check: checkFileKept,
	},
	{
		Name:  "CreateAnswersResults",
		Doc:   "POST one ImageGallery answers an array of {Key, Value, Status, Message}, not the image (no sample published: Key ImageGalleryID, Value the new ID)",
		Check: checkCreate,
	},
	{
		Name:  "UpdateOneSample",
		Doc:   "PUT Images/{imagegalleryid} answers the sample [{Key: ImageGalleryID, Value: '1234', Status: '200', Message: 'updated successfully'}]",
		Check: checkUpdateOne,
	},
	{
		Name:  "UpdateCollection",
		Doc:   "PUT Images takes an array of ImageGallery, each with its ImageGalleryID, and answers one result each",
		Check: checkUpdateCollection,
	},
	{
		Name:  "NoDelete",
		Doc:   "the API help index has no DELETE of an image: a 405 with Allow, as an ASP.NET route without the method answers",
		Check: checkNoDelete,
	},
	{
		Name:  "ErrorShapes",
		Doc:   "errors are arrays of {Key, Value, Status, Message}, Status a string in the sample (a number in other clients' models: each reading); a body the service cannot bind is a 400 {Message: 'The request is invalid.'}",
		Check: checkErrorShapes,
	},
	{
		Name:  "NotSortedOnTheWire",
		Doc:   "the order of a list is not documented; the fake sends records in the order they were added, whatever their sorting",
		Check: checkOrderAsAdded,
	},
	{
		Name:  "NoQuotaByDefault",
		Doc:   "no rate limit is documented; a quota, when set, answers 429 with Retry-After",
		Check: checkQuota,
	},
}

func TestDocumentedBehaviour(t *testing.T) {
	t.Parallel()
	shopimgtest.RunBehaviours(t, documented)
}

// wire is a fake and a way to send raw requests to it.
type wire struct {
	t   *testing.T
	srv *threedcarttest.Server
}

func newWire(t *testing.T, opts ...threedcarttest.Option) *wire {
	t.Helper()
	srv := threedcarttest.NewServer(append([]threedcarttest.Option{threedcarttest.WithClock(shopimgtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)))}, opts...)...)
	t.Cleanup(srv.Close)
	return &wire{t: t, srv: srv}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// send sends a request with the server's credentials unless creds is
// false, and a JSON body unless body is nil.
func (w *wire) send(method, path string, body any, creds bool) answer {
	w.t.Helper()
	h := http.Header{"Accept": {"application/json"}}
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			w.t.Fatal(err)
		}
		if s, ok := body.(string); ok {
			b = []byte(s)
		}
		h.Set("Content-Type", "application/json")
	}
	if creds {
		c := w.srv.Credentials()
		h.Set("SecureURL", c.SecureURL)
		h.Set("PrivateKey", c.PrivateKey)
		h.Set("Token", c.Token)
	}
	resp, rb, err := w.srv.Send(method, path, h, b)
	if err != nil {
		w.t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, rb}
}

func (w *wire) do(method, path string, body any) answer { return w.send(method, path, body, true) }

// wantJSON checks an answer's status and JSON body.
func wantJSON(t *testing.T, a answer, status int, body string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body %s", a.status, status, a.body)
	}
	var got, exp any
	if err := json.Unmarshal(a.body, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", a.body, err)
	}
	if err := json.Unmarshal([]byte(body), &exp); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(exp, got); d != "" {
		t.Errorf("body (-want +got):\n%s", d)
	}
}

func wantStatus(t *testing.T, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body %s", a.status, status, a.body)
	}
}

const images = "/3dCartWebAPI/v1/Products/7/Images"

func seed3(w *wire) {
	w.srv.AddProduct(7,
		threedcarttest.Image{ImageGalleryFile: "assets/a.jpg", ImageGalleryCaption: "A", ImageGallerySorting: 3},
		threedcarttest.Image{ImageGalleryFile: "assets/b.jpg", ImageGalleryCaption: "B", ImageGallerySorting: 1},
		threedcarttest.Image{ImageGalleryFile: "assets/c.jpg", ImageGalleryCaption: "C", ImageGallerySorting: 2},
	)
}

func checkAuth(t *testing.T) {
	w := newWire(t)
	seed3(w)
	wantJSON(t, w.send("GET", images, nil, false), 401, `{"Message":"Authorization has been denied for this request."}`)
	// Each header counts: one wrong value is refused.
	c := w.srv.Credentials()
	resp, _, err := w.srv.Send("GET", images, http.Header{"SecureURL": {c.SecureURL}, "PrivateKey": {c.PrivateKey}, "Token": {"wrong"}}, nil)
	if err != nil || resp.StatusCode != 401 {
		t.Errorf("a wrong Token: %v %v, want 401", resp, err)
	}
	wantStatus(t, w.do("GET", images, nil), 200)
	for _, r := range w.srv.Recorder().Requests() {
		if v := r.Header.Get("PrivateKey"); v != "" && v != threedcarttest.Redacted {
			t.Errorf("recorded PrivateKey %q", v)
		}
	}
}

func checkListBareArray(t *testing.T) {
	w := newWire(t)
	seed3(w)
	wantJSON(t, w.do("GET", images, nil), 200, `[
		{"ImageGalleryID":1001,"ImageGalleryFile":"assets/a.jpg","ImageGalleryCaption":"A","ImageGallerySorting":3},
		{"ImageGalleryID":1002,"ImageGalleryFile":"assets/b.jpg","ImageGalleryCaption":"B","ImageGallerySorting":1},
		{"ImageGalleryID":1003,"ImageGalleryFile":"assets/c.jpg","ImageGalleryCaption":"C","ImageGallerySorting":2}]`)
}

func checkPaging(t *testing.T) {
	for base, want := range map[int][]string{0: {"1002", "1003"}, 1: {"1001", "1002"}} {
		w := newWire(t, threedcarttest.WithOffsetBase(base))
		seed3(w)
		a := w.do("GET", images+"?limit=2&offset=1", nil)
		wantStatus(t, a, 200)
		var page []map[string]any
		if err := json.Unmarshal(a.body, &page); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, img := range page {
			got = append(got, fmt.Sprint(img["ImageGalleryID"]))
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("offset base %d, limit 2 offset 1 (-want +got):\n%s", base, d)
		}
	}
}

func checkEmptyIs404(t *testing.T) {
	w := newWire(t)
	w.srv.AddProduct(7)
	a := w.do("GET", images, nil)
	wantStatus(t, a, 404)
	if len(a.body) != 0 {
		t.Errorf("404 body %q, want none", a.body)
	}
}

func checkPastEnd(t *testing.T) {
	item := `[{"Key":"","Value":"","Status":"400","Message":"Offset amount exceeds the total number of records"}]`
	for pe, status := range map[threedcarttest.PastEnd]int{threedcarttest.PastEndOffsetError: 400, threedcarttest.PastEndOffsetErrorOK: 200, threedcarttest.PastEndNotFound: 404} {
		w := newWire(t, threedcarttest.WithPastEnd(pe))
		seed3(w)
		a := w.do("GET", images+"?limit=2&offset=3", nil)
		if pe == threedcarttest.PastEndNotFound {
			wantStatus(t, a, 404)
			continue
		}
		wantJSON(t, a, status, item)
	}
}

func checkFileKept(t *testing.T) {
	w := newWire(t)
	w.srv.AddProduct(7)
	const src = "https://pim.example.com/assets/shoe.jpg?v=2"
	wantStatus(t, w.do("POST", images, map[string]any{"ImageGalleryFile": src}), 201)
	wantJSON(t, w.do("GET", images, nil), 200, `[{"ImageGalleryID":1001,"ImageGalleryFile":"`+src+`","ImageGalleryCaption":"","ImageGallerySorting":0}]`)
}

func checkCreate(t *testing.T) {
	w := newWire(t)
	w.srv.AddProduct(7)
	wantJSON(t, w.do("POST", images, map[string]any{"ImageGalleryFile": "assets/x.jpg", "ImageGalleryCaption": "X", "ImageGallerySorting": 4}), 201,
		`[{"Key":"ImageGalleryID","Value":"1001","Status":"201","Message":"Created successfully"}]`)
	wantJSON(t, w.do("POST", images, map[string]any{"ImageGalleryCaption": "no file"}), 200,
		`[{"Key":"ImageGalleryFile","Value":"","Status":"400","Message":"ImageGalleryFile is required"}]`)
	wantJSON(t, w.do("POST", "/3dCartWebAPI/v1/Products/8/Images", map[string]any{"ImageGalleryFile": "a.jpg"}), 404,
		`[{"Key":"CatalogID","Value":"8","Status":"404","Message":"Product not found"}]`)
}

func checkUpdateOne(t *testing.T) {
	w := newWire(t)
	seed3(w)
	wantJSON(t, w.do("PUT", images+"/1002", map[string]any{"ImageGalleryCaption": "B2"}), 200,
		`[{"Key":"ImageGalleryID","Value":"1002","Status":"200","Message":"updated successfully"}]`)
	stored, _ := w.srv.Images(7)
	if stored[1].ImageGalleryCaption != "B2" || stored[1].ImageGalleryFile != "assets/b.jpg" || stored[1].ImageGallerySorting != 1 {
		t.Errorf("after the PUT: %+v (fields left out must keep their values)", stored[1])
	}
}

func checkUpdateCollection(t *testing.T) {
	w := newWire(t)
	seed3(w)
	wantJSON(t, w.do("PUT", images, []map[string]any{{"ImageGalleryID": 1003, "ImageGallerySorting": 9}, {"ImageGalleryID": 999, "ImageGallerySorting": 1}}), 200,
		`[{"Key":"ImageGalleryID","Value":"1003","Status":"200","Message":"updated successfully"},
		  {"Key":"ImageGalleryID","Value":"999","Status":"404","Message":"ImageGalleryID not found"}]`)
	// The reading where a failing item sets the HTTP status too.
	w = newWire(t, threedcarttest.WithHTTPStatusForFailures())
	seed3(w)
	wantStatus(t, w.do("PUT", images, []map[string]any{{"ImageGalleryID": 999}}), 404)
}

func checkNoDelete(t *testing.T) {
	w := newWire(t)
	seed3(w)
	for path, allow := range map[string]string{images + "/1001": "PUT", images: "GET, POST, PUT"} {
		a := w.do("DELETE", path, nil)
		wantJSON(t, a, 405, `{"Message":"The requested resource does not support http method 'DELETE'."}`)
		if got := a.header.Get("Allow"); got != allow {
			t.Errorf("DELETE %s: Allow %q, want %q", path, got, allow)
		}
	}
	if stored, _ := w.srv.Images(7); len(stored) != 3 {
		t.Errorf("%d images left, want 3", len(stored))
	}
}

func checkErrorShapes(t *testing.T) {
	w := newWire(t, threedcarttest.WithNumericStatus())
	seed3(w)
	wantJSON(t, w.do("PUT", images+"/999", map[string]any{"ImageGalleryCaption": "x"}), 200,
		`[{"Key":"ImageGalleryID","Value":"999","Status":404,"Message":"ImageGalleryID not found"}]`)
	w = newWire(t)
	seed3(w)
	a := w.do("PUT", images+"/1001", "{")
	wantStatus(t, a, 400)
	if m := map[string]any{}; json.Unmarshal(a.body, &m) != nil || m["Message"] != "The request is invalid." {
		t.Errorf("400 body %s", a.body)
	}
	wantJSON(t, w.do("GET", "/3dCartWebAPI/v1/Orders", nil), 404, `{"Message":"No HTTP resource was found that matches the request URI '/3dCartWebAPI/v1/Orders'."}`)
}

func checkOrderAsAdded(t *testing.T) {
	w := newWire(t)
	seed3(w)
	wantStatus(t, w.do("PUT", images+"/1001", map[string]any{"ImageGallerySorting": 0}), 200)
	a := w.do("GET", images, nil)
	var page []map[string]any
	if err := json.Unmarshal(a.body, &page); err != nil {
		t.Fatal(err)
	}
	var sortings []float64
	for _, img := range page {
		sortings = append(sortings, img["ImageGallerySorting"].(float64))
	}
	if d := cmp.Diff([]float64{0, 1, 2}, sortings); d != "" {
		t.Errorf("sortings on the wire (-want +got):\n%s", d)
	}
	if page[0]["ImageGalleryID"] != 1001.0 || page[2]["ImageGalleryID"] != 1003.0 {
		t.Errorf("records sent %s, want the order they were added", a.body)
	}
}

func checkQuota(t *testing.T) {
	w := newWire(t)
	seed3(w)
	for range 20 {
		a := w.do("GET", images, nil)
		wantStatus(t, a, 200)
		if a.header.Get("Retry-After") != "" {
			t.Fatal("a Retry-After without a quota")
		}
	}
	w = newWire(t, threedcarttest.WithQuota(1, time.Minute))
	seed3(w)
	wantStatus(t, w.do("GET", images, nil), 200)
	a := w.do("GET", images, nil)
	wantJSON(t, a, 429, `[{"Key":"","Value":"","Status":"429","Message":"Too many requests"}]`)
	if a.header.Get("Retry-After") != "60" {
		t.Errorf("Retry-After %q, want 60", a.header.Get("Retry-After"))
	}
}
