package salla_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/contract"
	"github.com/shopimg/shopimg/salla"
)

// seedGlob is Salla's Update Image OpenAPI description, in the project's
// shared folder beside the module (absent from a plain clone).
var seedGlob = filepath.Join("..", "..", "shared", "seeds", "002_*.txt")

// updateSpec writes the OpenAPI document of the seed (a YAML block inside
// markdown) to a file and loads it, or skips the test.
func updateSpec(t *testing.T) *contract.Spec {
	t.Helper()
	files, _ := filepath.Glob(seedGlob)
	if len(files) == 0 {
		t.Skipf("contract test skipped: Salla's Update Image OpenAPI (%s) is not there (it lives in the project's ../shared folder)", seedGlob)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	_, yml, ok := strings.Cut(string(b), "```yaml\n")
	yml, _, ok2 := strings.Cut(yml, "```")
	if !ok || !ok2 {
		t.Fatalf("%s holds no YAML block", files[0])
	}
	path := filepath.Join(t.TempDir(), "salla-update-image.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	spec := contract.Load(t, path, func(doc *openapi3.T) {
		// The first server is an empty "Cloud Mock" URL; keep production.
		doc.Servers = openapi3.Servers{{URL: "https://api.salla.dev/admin/v2"}}
	})
	spec.Scheme, spec.Host = "https", "api.salla.dev"
	return spec
}

// TestUpdateImageContract validates the update requests the adapter and
// the typed client send (a photo URL, a photo file), and the fake's
// answers, against the vendor's Update Image description.
func TestUpdateImageContract(t *testing.T) {
	t.Parallel()
	spec := updateSpec(t)
	f := newFixture(t, nil)
	tap := &contract.Tap{Next: f.srv.Client().Transport}
	c, err := f.srv.NewClient(salla.WithHTTPClient(&http.Client{Transport: tap}))
	if err != nil {
		t.Fatal(err)
	}
	p := c.ProductImages()
	a, err := p.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://pim.example.com/a.jpg", Alt: "a"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://pim.example.com/b.jpg"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Update(ctx, "111", a.ID, shopimg.ImageUpdate{Alt: new("Alt Text")}); err != nil {
		t.Fatal(err)
	}
	if err := p.Reorder(ctx, "111", []string{b.ID, a.ID}); err != nil {
		t.Fatal(err)
	}
	id, _ := salla.ParseImageID(a.ID)
	if _, _, err := c.UpdateImage(ctx, id, salla.UpdateImageRequest{Photo: salla.Photo{File: shopimg.FileFromBytes("profile.png", []byte("PNG"))}, Sort: new(1)}); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, ex := range tap.Exchanges() {
		if !strings.Contains(ex.Req.URL.Path, "/products/images/") {
			continue // the other calls are not in this description
		}
		if _, err := spec.Validate(ex); err != nil {
			t.Errorf("%s %s: %v\nrequest: %.500s\nanswer: %.500s", ex.Req.Method, ex.Req.URL.Path, err, ex.ReqBody, ex.RespBody)
		}
		checked++
	}
	if checked < 3 {
		t.Errorf("%d update exchanges checked, want at least 3", checked)
	}
	// The check bites: a form without photo, or with a field the
	// description does not declare, fails it.
	for name, fields := range map[string][][2]string{
		"no photo":       {{"sort", "1"}},
		"unknown field":  {{"photo", "https://x.example/a.jpg"}, {"main", "1"}},
		"sort not a num": {{"photo", "https://x.example/a.jpg"}, {"sort", "first"}},
	} {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for _, f := range fields {
			_ = mw.WriteField(f[0], f[1])
		}
		_ = mw.Close()
		req, _ := http.NewRequest("POST", "https://api.salla.dev/admin/v2/products/images/5", nil)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer x")
		ex := contract.Exchange{Req: req, ReqBody: body.Bytes(), Status: 201, Header: http.Header{"Content-Type": {"application/json"}}, RespBody: loadFixture(t, "image_update.json")}
		if _, err := spec.Validate(ex); err == nil {
			t.Errorf("%s: the contract let it through", name)
		}
	}
}
