package bigcommerce_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/getkin/kin-openapi/openapi3filter"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/internal/contract"
	"github.com/shopimg/shopimg/shopimgtest"
)

// specPath is the official v3 OpenAPI file, outside the module (a user's
// clone does not have it).
var specPath = filepath.Join("..", "..", "shared", "specs", "bigcommerce-catalog-products.v3.yml")

// loadSpec loads the spec, or skips the test when ../shared is absent. It
// patches one defect in memory: the multipart request schemas are an allOf
// without "type: object", which kin-openapi's multipart decoder requires.
// Requests are matched after their host is replaced by the spec's server,
// https://api.bigcommerce.com/stores/{store_hash}/v3.
//
// Answers are validated by status, headers and body, except the data
// member of create and update answers: the spec types it as a oneOf of two
// object schemas that any image matches both of, so no answer can pass it;
// it is validated against productImage_Full instead, the schema of the
// same image in the get answer.
func loadSpec(t *testing.T) *contract.Spec {
	t.Helper()
	spec := contract.Load(t, specPath, func(doc *openapi3.T) {
		for _, p := range []string{"/catalog/products/{product_id}/images", "/catalog/products/{product_id}/images/{image_id}"} {
			for _, op := range doc.Paths.Value(p).Operations() {
				if op.RequestBody == nil {
					continue
				}
				if mt := op.RequestBody.Value.Content.Get("multipart/form-data"); mt != nil && mt.Schema.Value.Type == nil {
					mt.Schema.Value.Type = &openapi3.Types{openapi3.TypeObject}
				}
			}
		}
	})
	spec.Scheme, spec.Host, spec.Auth = "https", "api.bigcommerce.com", requireToken
	spec.Answer = func(route *routers.Route, ex contract.Exchange) (bool, error) {
		if (route.Method != http.MethodPost && route.Method != http.MethodPut) || ex.Status != 200 {
			return false, nil
		}
		var body struct{ Data any }
		if err := json.Unmarshal(ex.RespBody, &body); err != nil {
			return true, err
		}
		return true, spec.Doc.Components.Schemas["productImage_Full"].Value.VisitJSON(body.Data, openapi3.MultiErrors())
	}
	return spec
}

// requireToken is the spec's X-Auth-Token security scheme.
func requireToken(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName != "X-Auth-Token" || in.RequestValidationInput.Request.Header.Get("X-Auth-Token") == "" {
		return fmt.Errorf("no X-Auth-Token for scheme %s", in.SecuritySchemeName)
	}
	return nil
}

// TestRequestsMatchTheOfficialSpec sends every v3 image call, through the
// typed client and the adapter, to the fake, and validates each request our
// client sent (method, path, path parameters, query, headers, JSON and
// multipart bodies, security) against the official OpenAPI file. The
// fake's answers are validated too, where the spec can be checked (see
// below).
func TestRequestsMatchTheOfficialSpec(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	srv := bigcommercetest.NewServer(bigcommercetest.WithoutQuota(), bigcommercetest.WithClock(shopimgtest.NewClock(epoch)))
	t.Cleanup(srv.Close)
	srv.AddProduct(111)
	tp := &contract.Tap{Next: srv.Client().Transport}
	c, err := srv.NewClient(bigcommerce.WithHTTPClient(&http.Client{Transport: tp}))
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, c)

	ops := map[string]int{}
	log := tp.Exchanges()
	for i, ex := range log {
		name := fmt.Sprintf("request %d: %s %s", i, ex.Req.Method, ex.Req.URL.RequestURI())
		op, err := spec.Validate(ex)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		ops[op]++
	}
	want := []string{"createProductImage", "createProductImage(multipart/form-data)", "deleteProductImage", "getProductImage", "getProductImages", "updateProductImage"}
	var got []string
	for op := range ops {
		got = append(got, op)
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("operations exercised = %v, want %v", got, want)
	}
	t.Logf("%d requests validated: %v", len(log), ops)
}

// exercise calls every v3 endpoint, with every optional field, and the
// adapter's operations.
func exercise(t *testing.T, c *bigcommerce.Client) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	a, _, err := c.CreateImage(ctx, 111, bigcommerce.CreateImageRequest{ImageURL: "https://images.example.com/a.jpg", IsThumbnail: true, SortOrder: new(0), Description: "A"})
	must(err)
	_, _, err = c.CreateImage(ctx, 111, bigcommerce.CreateImageRequest{ImageURL: "https://images.example.com/b.jpg"})
	must(err)
	up, _, err := c.UploadImage(ctx, 111, bigcommerce.UploadImageRequest{File: shopimg.FileFromBytes("c.png", []byte("\x89PNG fake")), IsThumbnail: true, SortOrder: new(1), Description: "C"})
	must(err)
	_, _, err = c.UploadImage(ctx, 111, bigcommerce.UploadImageRequest{File: shopimg.FileFromBytes("d.jpg", []byte("jpeg"))})
	must(err)
	_, _, err = c.ListImages(ctx, 111, &bigcommerce.ListImagesOptions{Page: 1, Limit: 2})
	must(err)
	for _, err := range c.ListImagesIter(ctx, 111, &bigcommerce.ListImagesOptions{Limit: 1}) {
		must(err)
	}
	_, _, err = c.GetImage(ctx, 111, a.ID)
	must(err)
	_, _, err = c.UpdateImage(ctx, 111, up.ID, bigcommerce.UpdateImageRequest{ImageURL: "https://images.example.com/c2.jpg", IsThumbnail: new(true), SortOrder: new(2), Description: new("")})
	must(err)
	_, err = c.DeleteImage(ctx, 111, a.ID)
	must(err)

	p := c.ProductImages()
	list, err := p.List(ctx, "111")
	must(err)
	added, err := p.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://images.example.com/e.jpg", Alt: "E", Position: new(1)})
	must(err)
	_, err = p.Add(ctx, "111", shopimg.NewImage{File: shopimg.FileFromBytes("f.webp", []byte("webp")), Main: true})
	must(err)
	_, err = p.Update(ctx, "111", added.ID, shopimg.ImageUpdate{Alt: new("E2"), Position: new(0)})
	must(err)
	order := []string{list[len(list)-1].ID}
	for _, img := range mustList(t, p) {
		if img.ID != order[0] {
			order = append(order, img.ID)
		}
	}
	must(p.Reorder(ctx, "111", order))
	must(p.Delete(ctx, "111", added.ID))
	// Errors: an unknown product and image, a product without images.
	if _, _, err := c.GetImage(ctx, 999, 1); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("GetImage(999) = %v", err)
	}
	if _, _, err := c.ListImages(ctx, 999, nil); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("ListImages(999) = %v", err)
	}
}

func mustList(t *testing.T, p shopimg.ProductImages) []shopimg.Image {
	t.Helper()
	list, err := p.List(ctx, "111")
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestContractValidatorCatchesBadRequests proves the contract check is not
// vacuous: requests that break the spec in one way each are refused.
func TestContractValidatorCatchesBadRequests(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	const base = "http://127.0.0.1/stores/abc/v3/catalog/products"
	mk := func(method, url, ct, body string, drop ...string) contract.Exchange {
		r, _ := http.NewRequest(method, url, nil)
		r.Header.Set("Accept", "application/json")
		r.Header.Set("X-Auth-Token", "t")
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		for _, h := range drop {
			r.Header.Del(h)
		}
		return contract.Exchange{Req: r, ReqBody: []byte(body), Status: 204}
	}
	multipartBody := "--XX\r\nContent-Disposition: form-data; name=\"sort_order\"\r\n\r\nfirst\r\n--XX--\r\n"
	bad := map[string]contract.Exchange{
		"limit above 250":         mk("GET", base+"/1/images?limit=300", "", ""),
		"product ID not a number": mk("GET", base+"/x/images", "", ""),
		"no token":                mk("GET", base+"/1/images", "", "", "X-Auth-Token"),
		"unknown path":            mk("GET", base+"/1/pictures", "", ""),
		"sort_order not a number": mk("PUT", base+"/1/images/2", "application/json", `{"sort_order":"first"}`),
		"image_url too long":      mk("POST", base+"/1/images", "application/json", `{"image_url":"https://x.example/`+string(bytes.Repeat([]byte("a"), 300))+`"}`),
		"PUT without a body":      mk("PUT", base+"/1/images/2", "application/json", ""),
		"multipart bad integer":   mk("POST", base+"/1/images", "multipart/form-data; boundary=XX", multipartBody),
		"method not in the spec":  mk("PATCH", base+"/1/images/2", "application/json", `{}`),
		"unknown query parameter": mk("GET", base+"/1/images?per_page=10", "", ""),
		"misspelt JSON field":     mk("PUT", base+"/1/images/2", "application/json", `{"sortorder":1}`),
		"unknown multipart part":  mk("POST", base+"/1/images", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nx\r\n--XX--\r\n"),
		"no Accept header":        mk("GET", base+"/1/images", "", "", "Accept"),
	}
	for name, ex := range bad {
		_, err := spec.Validate(ex)
		if err == nil || !(strings.HasPrefix(err.Error(), "request:") || strings.HasPrefix(err.Error(), "no route")) {
			t.Errorf("%s: err = %v, want the request refused", name, err)
		}
	}
}
