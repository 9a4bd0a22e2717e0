package salla_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/salla"
)

// fixture reads internal/testdata/salla/name.
func loadFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "salla", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const mockBase = "https://api.salla.example/admin/v2"

// mocked returns a client whose requests go to a fresh httpmock
// transport (one per test, so tests run in parallel), with token "tok"
// and no retries.
func mocked(t *testing.T, opts ...salla.Option) (*salla.Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	hc := &http.Client{Transport: mt}
	base := []salla.Option{salla.WithBaseURL(mockBase), salla.WithHTTPClient(hc), salla.WithRetry(shopimg.RetryPolicy{})}
	c, err := salla.NewClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"}), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, mt
}

// formOf reads a request's multipart form: fields, and for the file part
// its name, content type and bytes as "file:<name>:<type>:<len>".
func formOf(t *testing.T, r *http.Request) map[string]string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		t.Fatalf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	out := map[string]string{}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		if p.FileName() != "" {
			out[p.FormName()] = "file:" + p.FileName() + ":" + p.Header.Get("Content-Type") + ":" + string(b)
		} else {
			out[p.FormName()] = string(b)
		}
	}
}

// checkHeaders checks the credential and the Accept header.
func checkHeaders(t *testing.T, r *http.Request) {
	t.Helper()
	if got := r.Header["Authorization"]; len(got) != 1 || got[0] != "Bearer tok" {
		t.Errorf("Authorization %q", got)
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept %q", got)
	}
}

func respond(status int, body []byte) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewBytesResponse(status, body)
		r.Header.Set("Content-Type", "application/json")
		return r, nil
	}
}

func TestGetProduct(t *testing.T) {
	t.Parallel()
	c, mt := mocked(t)
	mt.RegisterResponder("GET", mockBase+"/products/1242212395", func(r *http.Request) (*http.Response, error) {
		checkHeaders(t, r)
		return respond(200, loadFixture(t, "product_get.json"))(r)
	})
	p, resp, err := c.GetProduct(ctx, 1242212395)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Attempts != 1 {
		t.Errorf("response %+v", resp)
	}
	want := salla.Product{ID: 1242212395, SKU: "DR-001", MainImage: "https://cdn.salla.sa/bYQEn/main.png", Thumbnail: "https://cdn.salla.sa/bYQEn/main-thumb.png",
		Images: []salla.ProductImage{
			{ID: 1699133464, URL: "https://cdn.salla.sa/bYQEn/side.png", Alt: "image", Type: "image", Sort: 5},
			{ID: 1699133463, URL: "https://cdn.salla.sa/bYQEn/main.png", Main: true, Alt: "main", Type: "image", Sort: 1},
			{ID: 1699133465, URL: "https://cdn.salla.sa/bYQEn/poster.png", VideoURL: "https://www.youtube.com/watch?v=xyz", Type: "video", Sort: 3},
		}}
	if d := cmp.Diff(want, p); d != "" {
		t.Errorf("product (-want +got):\n%s", d)
	}
	var order []salla.ImageID
	for _, it := range p.Gallery() {
		order = append(order, it.ID)
	}
	if d := cmp.Diff([]salla.ImageID{1699133463, 1699133465, 1699133464}, order); d != "" {
		t.Errorf("gallery order (-want +got):\n%s", d)
	}
	// The adapter lists the pictures only, the main one first.
	list, err := c.ProductImages().List(ctx, "1242212395")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"1699133463", "1699133464"}, ids(list)); d != "" || !list[0].Main || list[1].Main || list[0].Alt != "main" {
		t.Errorf("List: %+v", list)
	}
}

func TestAttachImageFromURL(t *testing.T) {
	t.Parallel()
	c, mt := mocked(t)
	mt.RegisterResponder("POST", mockBase+"/products/7/images", func(r *http.Request) (*http.Response, error) {
		checkHeaders(t, r)
		want := map[string]string{"photo": "https://img.example.com/a.jpg", "default": "1", "sort": "3", "alt": "Red shoe"}
		if d := cmp.Diff(want, formOf(t, r)); d != "" {
			t.Errorf("form (-want +got):\n%s", d)
		}
		return respond(201, loadFixture(t, "image_attach.json"))(r)
	})
	img, resp, err := c.AttachImage(ctx, 7, salla.AttachImageRequest{Photo: salla.Photo{URL: "https://img.example.com/a.jpg"}, Default: true, Sort: new(3), Alt: "Red shoe"})
	if err != nil {
		t.Fatal(err)
	}
	want := salla.Image{ID: 1908361139, Type: "image", Image: salla.Renditions{
		Original:           salla.Rendition{URL: "https://i.ibb.co/jyqRQfQ/avatar-male.webp"},
		StandardResolution: salla.Rendition{URL: "https://i.ibb.co/jyqRQfQ/avatar-male.webp", Width: 1000, Height: 424.59},
		LowResolution:      salla.Rendition{URL: "https://i.ibb.co/jyqRQfQ/avatar-male.webp", Width: 500, Height: 212.29},
		Thumbnail:          salla.Rendition{URL: "https://i.ibb.co/jyqRQfQ/avatar-male.webp", Width: 120, Height: 50.95},
	}}
	if d := cmp.Diff(want, img); d != "" || resp.StatusCode != 201 {
		t.Errorf("image (-want +got):\n%s", d)
	}
}

func TestAttachImageFileAndBySKU(t *testing.T) {
	t.Parallel()
	c, mt := mocked(t)
	mt.RegisterResponder("POST", mockBase+"/products/sku/DR%2F001%20x/images", func(r *http.Request) (*http.Response, error) {
		want := map[string]string{"photo": "file:shoe.png:image/png:PNGDATA", "default": "0"}
		if d := cmp.Diff(want, formOf(t, r)); d != "" {
			t.Errorf("form (-want +got):\n%s", d)
		}
		return respond(200, loadFixture(t, "image_attach.json"))(r)
	})
	img, _, err := c.AttachImageBySKU(ctx, "DR/001 x", salla.AttachImageRequest{Photo: salla.Photo{File: shopimg.FileFromBytes("shoe.png", []byte("PNGDATA"))}})
	if err != nil || img.ID != 1908361139 {
		t.Fatalf("AttachImageBySKU: %v, %+v", err, img)
	}
}

func TestUpdateImage(t *testing.T) {
	t.Parallel()
	c, mt := mocked(t)
	for _, name := range []string{"image_update.json", "image_update_sizes.json"} {
		mt.RegisterResponder("POST", mockBase+"/products/images/713368802", func(r *http.Request) (*http.Response, error) {
			want := map[string]string{"photo": "https://cdn.salla.sa/x.png", "default": "0", "sort": "4", "alt": ""}
			if d := cmp.Diff(want, formOf(t, r)); d != "" {
				t.Errorf("form (-want +got):\n%s", d)
			}
			return respond(201, loadFixture(t, name))(r)
		})
		img, _, err := c.UpdateImage(ctx, 713368802, salla.UpdateImageRequest{Photo: salla.Photo{URL: "https://cdn.salla.sa/x.png"}, Default: new(false), Sort: new(4), Alt: new("")})
		if err != nil {
			t.Fatal(err)
		}
		var env struct {
			Data struct {
				ID      int64  `json:"id"`
				Sort    int    `json:"sort"`
				Default bool   `json:"default"`
				AltSEO  string `json:"alt_seo"`
			} `json:"data"`
		}
		_ = json.Unmarshal(loadFixture(t, name), &env)
		if int64(img.ID) != env.Data.ID || int(img.Sort) != env.Data.Sort || bool(img.Default) != env.Data.Default || string(img.AltSEO) != env.Data.AltSEO {
			t.Errorf("%s: %+v", name, img)
		}
	}
	// Without photo nothing is sent.
	if _, _, err := c.UpdateImage(ctx, 1, salla.UpdateImageRequest{Sort: new(1)}); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("update without photo: %v", err)
	}
	if n := mt.GetTotalCallCount(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestDeleteImage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status int
		body   string
	}{{202, `{"status":202,"success":true,"data":{"message":"deleted"}}`}, {204, ``}, {200, `{"status":200,"success":true,"data":null}`}} {
		c, mt := mocked(t)
		mt.RegisterResponder("DELETE", mockBase+"/products/images/5", func(r *http.Request) (*http.Response, error) {
			checkHeaders(t, r)
			return respond(tc.status, []byte(tc.body))(r)
		})
		if resp, err := c.DeleteImage(ctx, 5); err != nil || resp.StatusCode != tc.status {
			t.Errorf("delete answered %d: %v", tc.status, err)
		}
	}
}

// TestInputIsCheckedBeforeSending: bad input sends nothing.
func TestInputIsCheckedBeforeSending(t *testing.T) {
	t.Parallel()
	c, mt := mocked(t)
	photo := salla.Photo{URL: "https://img.example.com/a.jpg"}
	checks := map[string]error{
		"product 0":       second(c.GetProduct(ctx, 0)),
		"no photo":        second(c.AttachImage(ctx, 1, salla.AttachImageRequest{})),
		"both photos":     second(c.AttachImage(ctx, 1, salla.AttachImageRequest{Photo: salla.Photo{URL: photo.URL, File: shopimg.FileFromBytes("a.png", nil)}})),
		"relative URL":    second(c.AttachImage(ctx, 1, salla.AttachImageRequest{Photo: salla.Photo{URL: "/a.jpg"}})),
		"negative sort":   second(c.AttachImage(ctx, 1, salla.AttachImageRequest{Photo: photo, Sort: new(-1)})),
		"control in alt":  second(c.AttachImage(ctx, 1, salla.AttachImageRequest{Photo: photo, Alt: "a\x00b"})),
		"empty SKU":       second(c.AttachImageBySKU(ctx, "", salla.AttachImageRequest{Photo: photo})),
		"image 0":         second(c.UpdateImage(ctx, 0, salla.UpdateImageRequest{Photo: photo})),
		"delete image -1": second1(c.DeleteImage(ctx, -1)),
		"file no name":    second(c.AttachImage(ctx, 1, salla.AttachImageRequest{Photo: salla.Photo{File: &shopimg.File{Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(nil)), nil }}}})),
	}
	for name, err := range checks {
		if !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: %v, want ErrInvalidInput", name, err)
		}
	}
	if n := mt.GetTotalCallCount(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

func second[T any](_ T, _ *salla.Response, err error) error { return err }
func second1(_ *salla.Response, err error) error            { return err }
