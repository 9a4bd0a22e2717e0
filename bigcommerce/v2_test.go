package bigcommerce_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
)

func TestV2ListDecodesTheSeedExample(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, serveFixture(t, 200, "v2_images_list.json"))
	imgs, _, err := c.V2().ListImages(ctx, 28, &bigcommerce.V2ListImagesOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	wantRequest(t, reqs(), "GET", "/stores/abc/v2/products/28/images", "limit=2")
	created := time.Date(2009, 10, 26, 5, 8, 32, 0, time.UTC)
	want := []bigcommerce.V2Image{
		{ID: 5, ProductID: 28, ImageFile: "sample_images/picture_1__48492.png", IsThumbnail: true, DateCreated: bigcommerce.V2Time{Time: created}},
		{ID: 6, ProductID: 28, ImageFile: "sample_images/overview_hero__21040.jpg", SortOrder: 1, DateCreated: bigcommerce.V2Time{Time: created}},
	}
	if d := cmp.Diff(want, imgs, timeEqual); d != "" {
		t.Errorf("images (-want +got):\n%s", d)
	}
}

func TestV2JSONSuffixOption(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, serveFixture(t, 201, "v2_image_create.json"), bigcommerce.WithV2JSONSuffix(true))
	img, _, err := c.V2().CreateImage(ctx, 29, bigcommerce.V2CreateImageRequest{ImageFile: "https://images.example.com/x-men.jpg", Description: "Cover"})
	if err != nil {
		t.Fatal(err)
	}
	r := wantRequest(t, reqs(), "POST", "/stores/abc/v2/products/29/images.json", "")
	wantJSON(t, r.Body, `{"image_file":"https://images.example.com/x-men.jpg","description":"Cover"}`)
	if img.ID != 116 || img.DateCreated.String() != "Fri, 21 Dec 2012 18:54:04 +0000" {
		t.Errorf("image = %+v", img)
	}
}

func TestV2UpdateCountAndDeletes(t *testing.T) {
	t.Parallel()
	c, reqs := stub(t, serveFixture(t, 200, "v2_image_update.json"))
	if _, _, err := c.V2().UpdateImage(ctx, 30, 118, bigcommerce.V2UpdateImageRequest{SortOrder: new(1)}); err != nil {
		t.Fatal(err)
	}
	r := wantRequest(t, reqs(), "PUT", "/stores/abc/v2/products/30/images/118", "")
	wantJSON(t, r.Body, `{"sort_order":1}`)

	c, reqs = stub(t, serveFixture(t, 200, "v2_count.json"))
	if n, _, err := c.V2().CountImages(ctx); err != nil || n != 2 {
		t.Fatalf("CountImages = %d, %v", n, err)
	}
	wantRequest(t, reqs(), "GET", "/stores/abc/v2/products/images/count", "")

	c, reqs = stub(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	if _, err := c.V2().DeleteAllImages(ctx, 30, &bigcommerce.V2ListImagesOptions{Limit: 250}); err != nil {
		t.Fatal(err)
	}
	wantRequest(t, reqs(), "DELETE", "/stores/abc/v2/products/30/images", "limit=250")
}

func TestV2GetAndDeleteOne(t *testing.T) {
	t.Parallel()
	for _, suffix := range []bool{false, true} {
		ext := ""
		if suffix {
			ext = ".json"
		}
		c, reqs := stub(t, serveFixture(t, 200, "v2_image_get.json"), bigcommerce.WithV2JSONSuffix(suffix))
		img, _, err := c.V2().GetImage(ctx, 29, 116)
		if err != nil {
			t.Fatal(err)
		}
		wantRequest(t, reqs(), "GET", "/stores/abc/v2/products/29/images/116"+ext, "")
		want := bigcommerce.V2Image{
			ID: 116, ProductID: 29, ImageFile: "p/022/astonishing-x-men-1-100k__36562.jpg",
			DateCreated: bigcommerce.V2Time{Time: time.Date(2012, 12, 21, 18, 54, 4, 0, time.UTC)},
		}
		if d := cmp.Diff(want, img, timeEqual); d != "" {
			t.Errorf("image (-want +got):\n%s", d)
		}
		c, reqs = stub(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, bigcommerce.WithV2JSONSuffix(suffix))
		if _, err := c.V2().DeleteImage(ctx, 29, 116); err != nil {
			t.Fatal(err)
		}
		wantRequest(t, reqs(), "DELETE", "/stores/abc/v2/products/29/images/116"+ext, "")
		c, reqs = stub(t, serveFixture(t, 200, "v2_count.json"), bigcommerce.WithV2JSONSuffix(suffix))
		if _, _, err := c.V2().CountImages(ctx); err != nil {
			t.Fatal(err)
		}
		wantRequest(t, reqs(), "GET", "/stores/abc/v2/products/images/count"+ext, "")
	}
}

func TestV2ErrorsAreClassified(t *testing.T) {
	t.Parallel()
	for status, kind := range map[int]error{400: shopimg.ErrInvalidInput, 401: shopimg.ErrUnauthorized, 404: shopimg.ErrNotFound, 429: shopimg.ErrRateLimited} {
		c, _ := stub(t, serveFixture(t, status, "v2_error_details.json"))
		_, _, err := c.V2().CreateImage(ctx, 1, bigcommerce.V2CreateImageRequest{ImageFile: "x.jpg"})
		var e *bigcommerce.APIError
		if !errors.Is(err, kind) || !errors.As(err, &e) || e.Message != "The field 'image_file' is invalid." || len(e.Details) != 1 {
			t.Errorf("%d: err = %v, want %v with the v2 message and details", status, err, kind)
		}
	}
}

func TestV2TimeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"Mon, 26 Oct 2009 05:08:32 +0000", "Fri, 21 Dec 2012 19:01:03 +0000", "Tue, 03 Mar 2026 23:59:59 -0530"} {
		var v bigcommerce.V2Time
		if err := json.Unmarshal([]byte(`"`+s+`"`), &v); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		b, err := json.Marshal(v)
		if err != nil || string(b) != `"`+s+`"` {
			t.Errorf("%q round-trips to %s, %v", s, b, err)
		}
	}
	// Other accepted forms, and what they encode to.
	for in, want := range map[string]string{
		`"Mon, 26 Oct 2009 05:08:32 GMT"`:     `"Mon, 26 Oct 2009 05:08:32 +0000"`,
		`""`:                                  `""`,
		`null`:                                `""`,
		`" Mon, 26 Oct 2009 05:08:32 +0000 "`: `"Mon, 26 Oct 2009 05:08:32 +0000"`,
	} {
		var v bigcommerce.V2Time
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if b, _ := json.Marshal(v); string(b) != want {
			t.Errorf("%s encodes back as %s, want %s", in, b, want)
		}
	}
	for _, bad := range []string{`"2009-10-26T05:08:32Z"`, `"yesterday"`, `12`} {
		var v bigcommerce.V2Time
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s decoded as %v, want an error", bad, v)
		}
	}
}

// TestV2OnTheFake runs every v2 call against the fake, sharing the
// catalogue (and the quota) with v3.
func TestV2OnTheFake(t *testing.T) {
	t.Parallel()
	for _, suffix := range []bool{false, true} {
		f := newFixture(t, nil, bigcommerce.WithV2JSONSuffix(suffix))
		v2 := f.client.V2()
		a, _, err := v2.CreateImage(ctx, 111, bigcommerce.V2CreateImageRequest{ImageFile: "https://images.example.com/a.jpg", Description: "A"})
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := v2.CreateImage(ctx, 111, bigcommerce.V2CreateImageRequest{ImageFile: "import/b.png", SortOrder: new(0)})
		if err != nil {
			t.Fatal(err)
		}
		if !a.IsThumbnail || b.IsThumbnail || !a.DateCreated.Equal(epoch) || a.ZoomURL == "" {
			t.Errorf("created %+v and %+v", a, b)
		}
		got, _, err := v2.GetImage(ctx, 111, a.ID)
		if err != nil || got.SortOrder != 1 {
			t.Errorf("GetImage = %+v, %v; want sort_order shifted to 1 by b's insert", got, err)
		}
		if _, _, err := v2.UpdateImage(ctx, 111, b.ID, bigcommerce.V2UpdateImageRequest{Description: new("B"), IsThumbnail: new(true)}); err != nil {
			t.Fatal(err)
		}
		v3, _, err := f.client.GetImage(ctx, 111, b.ID)
		if err != nil || !v3.IsThumbnail || v3.Description != "B" {
			t.Errorf("v3 sees %+v, %v", v3, err)
		}
		if n, _, err := v2.CountImages(ctx); err != nil || n != 2 {
			t.Errorf("CountImages = %d, %v", n, err)
		}
		var ids []bigcommerce.ImageID
		for img, err := range v2.ListImagesIter(ctx, 111, &bigcommerce.V2ListImagesOptions{Limit: 1}) {
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, img.ID)
		}
		if d := cmp.Diff([]bigcommerce.ImageID{a.ID, b.ID}, ids); d != "" {
			t.Errorf("listed (-want +got):\n%s", d)
		}
		if _, err := v2.DeleteImage(ctx, 111, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := v2.DeleteImage(ctx, 111, a.ID); !errors.Is(err, shopimg.ErrNotFound) {
			t.Errorf("second delete: %v, want ErrNotFound", err)
		}
		if _, err := v2.DeleteAllImages(ctx, 111, nil); err != nil {
			t.Fatal(err)
		}
		if imgs, _, err := v2.ListImages(ctx, 111, nil); err != nil || len(imgs) != 0 {
			t.Errorf("after delete all: %v, %v", imgs, err)
		}
		// v2 refuses image_url and read-only fields; the fake says so in the v2 error shape.
		_, _, err = v2.CreateImage(ctx, 111, bigcommerce.V2CreateImageRequest{ImageFile: "x.jpg", ProductID: 111})
		var e *bigcommerce.APIError
		if !errors.As(err, &e) || e.StatusCode != 400 || e.Message != "The field 'product_id' is not supported by this resource." {
			t.Errorf("create with product_id: %v", err)
		}
		wantPath := "/stores/" + bigcommercetest.DefaultStoreHash + "/v2/products/111/images"
		if suffix {
			wantPath += ".json"
		}
		if n := f.srv.Recorder().Count("POST", wantPath); n != 3 {
			t.Errorf("%d POSTs to %s, want 3", n, wantPath)
		}
	}
}
