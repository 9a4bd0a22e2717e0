package bigcommercetest_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// documented is what BigCommerce's documents say of the product image
// endpoints, one row per statement, each checked against the fake's raw
// HTTP (never through package bigcommerce). doc names the statement and
// where it is made: the v3 OpenAPI file (products_catalog.v3.yml), the
// status-code, rate-limit and catalog pages, and the archived v2 product
// images reference. Where the documents leave a choice open, the row checks
// every reading the fake offers.
var documented = []shopimgtest.Behaviour{
	{Name: "Auth", Doc: "securitySchemes X_Auth_Token: the access token in X-Auth-Token; 401 answers error_Base {status, title, type}; v2 errors are [{status, message}]", Check: checkAuthAndStore},
	{Name: "ListEnvelope", Doc: "GET images answers {data: productImage_Full[], meta: metaCollection_Full}; pagination {total, count, per_page, current_page, total_pages, links} with relative links; limit defaults to 50", Check: checkV3ListPaging},
	{Name: "ListLimit", Doc: "limit: at most 250; status codes page: 413 means the limit is above the maximum", Check: checkListLimit},
	{Name: "EmptyListIs204", Doc: "GET images: 204 No Content when the product has no images", Check: checkV3NoImagesIs204},
	{Name: "EndOfPages", Doc: "meta.pagination.links.next is absent on the last page, and current_page == total_pages there", Check: checkEndOfPages},
	{Name: "CreateAnswers200", Doc: "POST images answers 200 (not 201) with {data: productImage_Full, meta: {}}; 422 'image_url must be present if uploading by url'", Check: checkV3CreateAnswers200},
	{Name: "CreateEchoesFields", Doc: "the created image echoes image_url, description, sort_order and is_thumbnail as sent, with id, product_id, image_file, date_modified and the four url_* renditions", Check: checkCreateEchoes},
	{Name: "ServedFromTheCDN", Doc: "url_zoom, url_standard, url_thumbnail, url_tiny are the store's CDN renditions (cdn*.bigcommerce.com/s-{hash}/products/{id}/images/...), not the source URL", Check: checkServedFromCDN},
	{Name: "GetOne", Doc: "GET images/{image_id} answers {data: productImage_Full, meta: {}}; 404 for an unknown image", Check: checkGetOne},
	{Name: "PutBodies", Doc: "PUT images/{image_id} takes productImage_Post_Put as JSON or multipart/form-data; an improper JSON body is a 422 (bigcommerce/docs#742)", Check: checkV3PutBodies},
	{Name: "DeleteIs204", Doc: "DELETE images/{image_id} answers 204 No Content", Check: checkDeleteIs204},
	{Name: "ImageLimit", Doc: "catalog page: a product can have up to 1000 images", Check: checkImageLimitPerProduct},
	{Name: "ImageURLLength", Doc: "productImage_Post_Put.image_url: 255 characters at most, a fully qualified URL", Check: checkImageURLLength},
	{Name: "ErrorsMap", Doc: "error_422 (errorResponse_422): {status: 422, title, type, errors: {field: message}}", Check: checkErrorsMap},
	{Name: "OneThumbnail", Doc: "is_thumbnail: a product can have only one thumbnail image at a time; if a product has only one image, that image is the thumbnail", Check: checkOneThumbnailPerProduct},
	{Name: "ThumbnailAfterDelete", Doc: "silent on the thumbnail after the thumbnail is deleted: each reading (another image promoted, or none unless one image remains)", Check: checkThumbnailReadings},
	{Name: "SortOrderRule", Doc: "sort_order: 'Higher integers give the image a lower priority. When updating, if the image is given a lower priority, all images with a sort_order the same as or greater than the image's new sort_order value will have their sort_orders reordered' (silent on higher priority and on creates: each reading)", Check: checkSortOrderReadings},
	{Name: "Quota", Doc: "rate-limit page: a fixed window per store (150 requests per 30 s), X-Rate-Limit-* on every answer, 429 with X-Retry-After (seconds) over it", Check: checkQuotaHeadersAnd429},
	{Name: "MethodNotAllowed", Doc: "a method a path does not serve is a 405 with Allow", Check: checkMethodNotAllowed},
	{Name: "V2", Doc: "v2 product images: bare arrays and objects, v2 field names, RFC 1123 dates, 201 on create, image_file (URL or import path) only, read-only fields refused, store-wide count, optional .json", Check: checkV2Routes},
}

func TestDocumentedBehaviour(t *testing.T) {
	t.Parallel()
	shopimgtest.RunBehaviours(t, documented)
}

func checkListLimit(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7, bigcommercetest.Image{IsThumbnail: true})
	want(t, w.do("GET", v3Images+"?limit=250", nil), 200)
	a := w.do("GET", v3Images+"?limit=251", nil)
	want(t, a, 413)
	if m := a.decode(t).(map[string]any); m["status"] != 413.0 || m["title"] == "" {
		t.Errorf("413 body %s, want error_Base", a.body)
	}
}

func checkEndOfPages(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7, make([]bigcommercetest.Image, 5)...)
	for page, next := range map[int]bool{1: true, 2: true, 3: false} {
		a := w.do("GET", fmt.Sprintf("%s?limit=2&page=%d", v3Images, page), nil)
		want(t, a, 200)
		pg := a.decode(t).(map[string]any)["meta"].(map[string]any)["pagination"].(map[string]any)
		_, hasNext := pg["links"].(map[string]any)["next"]
		if hasNext != next || (pg["current_page"] == pg["total_pages"]) == next {
			t.Errorf("page %d: next link %v, current_page %v of %v", page, hasNext, pg["current_page"], pg["total_pages"])
		}
	}
	// Beyond the last page: no data.
	a := w.do("GET", v3Images+"?limit=2&page=4", nil)
	want(t, a, 200)
	if d := a.decode(t).(map[string]any)["data"].([]any); len(d) != 0 {
		t.Errorf("page 4 of 3 holds %d images", len(d))
	}
}

func checkCreateEchoes(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7, bigcommercetest.Image{IsThumbnail: true})
	a := w.do("POST", v3Images, map[string]any{"image_url": "https://images.example.com/shoe.jpg", "description": "Shoe", "sort_order": 7, "is_thumbnail": true})
	want(t, a, 200)
	d := a.decode(t).(map[string]any)["data"].(map[string]any)
	for k, v := range map[string]any{"image_url": "https://images.example.com/shoe.jpg", "description": "Shoe", "sort_order": 7.0, "is_thumbnail": true, "product_id": 7.0, "id": 1002.0} {
		if d[k] != v {
			t.Errorf("data.%s = %v, want %v", k, d[k], v)
		}
	}
	for _, k := range []string{"image_file", "date_modified", "url_zoom", "url_standard", "url_thumbnail", "url_tiny"} {
		if s, _ := d[k].(string); s == "" {
			t.Errorf("data.%s is missing", k)
		}
	}
}

func checkServedFromCDN(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7)
	const src = "https://pim.example.com/assets/red-shoe.jpg"
	a := w.do("POST", v3Images, map[string]any{"image_url": src})
	want(t, a, 200)
	d := a.decode(t).(map[string]any)["data"].(map[string]any)
	for _, k := range []string{"url_zoom", "url_standard", "url_thumbnail", "url_tiny"} {
		u, err := url.Parse(d[k].(string))
		if err != nil || d[k] == src || !strings.HasPrefix(u.Host, "cdn") || !strings.Contains(u.Path, "/s-"+w.srv.StoreHash()+"/products/7/images/1001/") {
			t.Errorf("%s = %v, want a CDN URL of the store's image", k, d[k])
		}
	}
}

func checkGetOne(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7, bigcommercetest.Image{IsThumbnail: true, Description: "only"})
	a := w.do("GET", v3Images+"/1001", nil)
	want(t, a, 200)
	m := a.decode(t).(map[string]any)
	if m["data"].(map[string]any)["description"] != "only" || len(m["meta"].(map[string]any)) != 0 {
		t.Errorf("GET one answered %s", a.body)
	}
	wantJSON(t, w.do("GET", v3Images+"/1009", nil), 404, `{"status":404,"title":"The requested image was not found","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"}`)
}

func checkDeleteIs204(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7, bigcommercetest.Image{IsThumbnail: true}, bigcommercetest.Image{SortOrder: 1})
	a := w.do("DELETE", v3Images+"/1002", nil)
	want(t, a, 204)
	if len(a.body) != 0 {
		t.Errorf("204 with a body %q", a.body)
	}
	wantState(t, w.srv, 7, "1001:0*")
}

func checkImageURLLength(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7)
	long := "https://images.example.com/" + strings.Repeat("a", 255-len("https://images.example.com/"))
	want(t, w.do("POST", v3Images, map[string]any{"image_url": long}), 200)
	want(t, w.do("POST", v3Images, map[string]any{"image_url": long + "b"}), 422)
	want(t, w.do("POST", v3Images, map[string]any{"image_url": "images/relative.jpg"}), 422)
}

func checkErrorsMap(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7, bigcommercetest.Image{IsThumbnail: true})
	a := w.do("PUT", v3Images+"/1001", map[string]any{"sort_order": "first"})
	want(t, a, 422)
	m := a.decode(t).(map[string]any)
	if m["status"] != 422.0 || m["title"] == "" || m["type"] == "" {
		t.Errorf("422 body %s", a.body)
	}
	if errs, ok := m["errors"].(map[string]any); !ok || errs["sort_order"] == nil {
		t.Errorf("errors = %v, want a map naming sort_order", m["errors"])
	}
}

func checkThumbnailReadings(t *testing.T) {
	for rule, after := range map[bigcommercetest.ThumbnailRule][]string{
		bigcommercetest.ThumbnailPromote: {"1001:3*", "1003:1"},
		bigcommercetest.ThumbnailNone:    {"1001:3", "1003:1"},
	} {
		w := newWire(t, bigcommercetest.WithoutQuota(), bigcommercetest.WithThumbnailRule(rule))
		w.srv.AddProduct(7, bigcommercetest.Image{SortOrder: 3}, bigcommercetest.Image{SortOrder: 0, IsThumbnail: true}, bigcommercetest.Image{SortOrder: 1})
		want(t, w.do("DELETE", v3Images+"/1002", nil), 204)
		// Promoted: the first by sort_order, then ID, is 1003.
		if rule == bigcommercetest.ThumbnailPromote {
			after = []string{"1001:3", "1003:1*"}
		}
		wantState(t, w.srv, 7, after...)
		// Whatever the reading, a product's only image is its thumbnail.
		want(t, w.do("DELETE", v3Images+"/1003", nil), 204)
		wantState(t, w.srv, 7, "1001:3*")
	}
}

func checkSortOrderReadings(t *testing.T) {
	// From 1001:0* 1002:1 1003:2: move 1001 to a lower priority (sort_order
	// 1), move 1003 to a higher one (0), and create with sort_order 1.
	cases := map[bigcommercetest.ShiftRule][3][]string{
		bigcommercetest.ShiftInsert:               {{"1001:1*", "1002:2", "1003:3"}, {"1001:1*", "1002:2", "1003:0"}, {"1001:0*", "1002:2", "1003:3", "1004:1"}},
		bigcommercetest.ShiftLowerPriority:        {{"1001:1*", "1002:2", "1003:3"}, {"1001:0*", "1002:1", "1003:0"}, {"1001:0*", "1002:2", "1003:3", "1004:1"}},
		bigcommercetest.ShiftLowerPriorityUpdates: {{"1001:1*", "1002:2", "1003:3"}, {"1001:0*", "1002:1", "1003:0"}, {"1001:0*", "1002:1", "1003:2", "1004:1"}},
		bigcommercetest.ShiftNone:                 {{"1001:1*", "1002:1", "1003:2"}, {"1001:0*", "1002:1", "1003:0"}, {"1001:0*", "1002:1", "1003:2", "1004:1"}},
	}
	for rule, want3 := range cases {
		seed := func() *wire {
			w := newWire(t, bigcommercetest.WithoutQuota(), bigcommercetest.WithShiftRule(rule))
			w.srv.AddProduct(7, bigcommercetest.Image{SortOrder: 0, IsThumbnail: true}, bigcommercetest.Image{SortOrder: 1}, bigcommercetest.Image{SortOrder: 2})
			return w
		}
		w := seed()
		a := w.do("PUT", v3Images+"/1001", map[string]any{"sort_order": 1})
		want(t, a, 200)
		if so := a.decode(t).(map[string]any)["data"].(map[string]any)["sort_order"]; so != 1.0 {
			t.Errorf("%v: the written image answers sort_order %v, as sent", rule, so)
		}
		if d := cmp.Diff(want3[0], state(t, w.srv, 7)); d != "" {
			t.Errorf("%v: lower priority (-want +got):\n%s", rule, d)
		}
		w = seed()
		want(t, w.do("PUT", v3Images+"/1003", map[string]any{"sort_order": 0}), 200)
		if d := cmp.Diff(want3[1], state(t, w.srv, 7)); d != "" {
			t.Errorf("%v: higher priority (-want +got):\n%s", rule, d)
		}
		w = seed()
		want(t, w.do("POST", v3Images, map[string]any{"image_url": "https://images.example.com/a.jpg", "sort_order": 1}), 200)
		if d := cmp.Diff(want3[2], state(t, w.srv, 7)); d != "" {
			t.Errorf("%v: create (-want +got):\n%s", rule, d)
		}
	}
	// A create without sort_order goes after the last image, whatever the
	// reading (a choice: the docs are silent).
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7, bigcommercetest.Image{SortOrder: 5, IsThumbnail: true})
	want(t, w.do("POST", v3Images, map[string]any{"image_url": "https://images.example.com/b.jpg"}), 200)
	wantState(t, w.srv, 7, "1001:5*", "1002:6")
}

func checkMethodNotAllowed(t *testing.T) {
	w := newWire(t, bigcommercetest.WithoutQuota())
	w.srv.AddProduct(7)
	for path, allow := range map[string]string{v3Images: "GET, POST", v3Images + "/1": "GET, PUT, DELETE", "/v2/products/7/images": "GET, POST, DELETE", "/v2/products/images/count": "GET"} {
		a := w.do("PATCH", path, map[string]any{})
		want(t, a, 405)
		if got := a.header.Get("Allow"); got != allow {
			t.Errorf("PATCH %s: Allow %q, want %q", path, got, allow)
		}
	}
}
