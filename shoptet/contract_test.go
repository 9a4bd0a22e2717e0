package shoptet_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/contract"
	"github.com/shopimg/shopimg/shoptet"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

// specPath is the official OpenAPI file (3.1), outside the module (a
// user's clone does not have it).
var specPath = filepath.Join("..", "..", "shared", "specs", "shoptet-openapi.yaml")

// loadSpec loads the spec, or skips the test when ../shared is absent.
// kin-openapi reads this OpenAPI 3.1 file as it is (type arrays with
// "null", examples); no in-memory fix is needed. Requests are matched
// after their host is replaced by the spec's server,
// https://api.myshoptet.com. Answers are validated too, except the e-shop
// info's: the fake serves only its imageCuts section, where the spec
// requires a dozen others. The file (2 MB of YAML) is loaded once for all
// the tests.
func loadSpec(t *testing.T) *contract.Spec {
	t.Helper()
	specOnce.Do(func() {
		spec := contract.Load(t, specPath, nil) // skips t, and leaves loaded nil, when absent
		spec.Scheme, spec.Host, spec.Auth = "https", "api.myshoptet.com", requireToken
		spec.Answer = func(route *routers.Route, _ contract.Exchange) (bool, error) {
			return route.Operation.OperationID == "getEshopInfo", nil
		}
		loaded = spec
	})
	if loaded == nil {
		t.Skipf("contract test skipped: the official OpenAPI file %s is not there (it lives in the project's ../shared folder, absent from a plain clone)", specPath)
	}
	return loaded
}

var (
	specOnce sync.Once
	loaded   *contract.Spec
)

// requireToken is the spec's two apiKey schemes (either will do).
func requireToken(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header
	switch in.SecuritySchemeName {
	case "shoptetAccessToken":
		if h.Get("Shoptet-Access-Token") != "" {
			return nil
		}
	case "shoptetPrivateApiToken":
		if h.Get("Shoptet-Private-Api-Token") != "" {
			return nil
		}
	}
	return fmt.Errorf("no header for scheme %s", in.SecuritySchemeName)
}

// TestRequestsMatchTheOfficialSpec sends every image and job call, through
// the typed client (with a private token and as an addon) and the adapter,
// to the fake, and validates each request against the official OpenAPI
// file: method, path, path parameters, query, headers, JSON bodies (every
// member declared), security; and the Content-Type header the spec
// requires on every operation. The fake's answers are validated too.
func TestRequestsMatchTheOfficialSpec(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	f := newFixture(t, nil)
	tp := &contract.Tap{Next: f.srv.Client().Transport}
	hc := &http.Client{Transport: tp}
	c, err := f.srv.NewClient(shoptet.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	addon, _, err := f.srv.NewAddonClient(shoptet.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	exerciseAll(t, f, c)
	guid := shoptet.ProductGUID(f.srv.AddProduct(shoptettest.Image{Name: "a.jpg"}))
	if _, _, err := addon.ListImages(ctx, guid, ""); err != nil {
		t.Fatal(err)
	}

	ops := map[string]int{}
	log := tp.Exchanges()
	for i, ex := range log {
		name := fmt.Sprintf("request %d: %s %s", i, ex.Req.Method, ex.Req.URL.RequestURI())
		if strings.HasPrefix(ex.Req.URL.Path, "/action/") {
			continue // the e-shop's OAuth server, not in the spec
		}
		if ct := ex.Req.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q, want application/json (required on every operation)", name, ct)
		}
		op, err := spec.Validate(ex)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		ops[op]++
	}
	want := []string{"createProductImages", "deleteAllProductImagesInGallery", "deleteOneProductImage", "getEshopInfo", "getJobDetail", "getListOfProductImages", "getProductImagesUpdate", "updateProductImagesSource"}
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

// exerciseAll calls every typed endpoint, with every optional field, and
// the adapter's operations.
func exerciseAll(t *testing.T, f *fixture, c *shoptet.Client) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	guid := shoptet.ProductGUID(f.srv.AddProduct(shoptettest.Image{Name: "1.jpg", Priority: new(10)}, shoptettest.Image{Name: "2.v1.jpg", Priority: new(20), VariantImage: true}))
	jobs, _, err := c.AddImages(ctx, guid, shoptet.GalleryShop, []shoptet.NewImage{
		{SourceURL: "https://images.example.com/a.jpg", Priority: 5, Description: "A"},
		{SourceURL: "https://images.example.com/b.jpg"},
	})
	must(err)
	_, _, err = c.WaitJob(ctx, jobs[0], nil)
	must(err)
	_, _, err = c.ListImages(ctx, guid, "")
	must(err)
	_, _, err = c.UpdateImages(ctx, guid, "", []shoptet.ImageUpdate{{Name: "1.jpg", Priority: 7, Description: new("one")}, {Name: "2.v1.jpg", Description: new("")}})
	must(err)
	jobs, _, err = c.ReplaceImageSources(ctx, guid, "", []shoptet.SourceReplacement{{Name: "1.jpg", SourceURL: "https://images.example.com/c.jpg", Priority: 99999, Description: new("C")}})
	must(err)
	_, _, err = c.GetJob(ctx, jobs[0])
	must(err)
	_, err = c.DeleteImage(ctx, guid, "", "2.v1.jpg", &shoptet.DeleteOptions{RemoveReference: true})
	must(err)
	_, err = c.DeleteImage(ctx, guid, "", "1.jpg", nil)
	must(err)
	_, _, err = c.DeleteGallery(ctx, guid, shoptet.Gallery360, &shoptet.DeleteOptions{RemoveReference: true})
	must(err)
	_, _, err = c.DeleteGallery(ctx, guid, "", nil)
	must(err)
	_, _, err = c.ImageCuts(ctx)
	must(err)
	if _, _, err := c.GetJob(ctx, "nosuchjob"); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("GetJob(unknown) = %v, want ErrNotFound", err)
	}

	p := c.ProductImages()
	pid := f.srv.AddProduct()
	a, err := p.Add(ctx, pid, shopimg.NewImage{SourceURL: "https://images.example.com/d.jpg", Alt: "D"})
	must(err)
	b, err := p.Add(ctx, pid, shopimg.NewImage{SourceURL: "https://images.example.com/e.jpg", Main: true})
	must(err)
	_, err = p.Update(ctx, pid, a.ID, shopimg.ImageUpdate{Alt: new("D2"), Position: new(0)})
	must(err)
	must(p.Reorder(ctx, pid, []string{b.ID, a.ID}))
	must(p.Delete(ctx, pid, a.ID))
}

// TestContractValidatorCatchesBadRequests proves the contract check is not
// vacuous: requests that break the spec in one way each are refused.
func TestContractValidatorCatchesBadRequests(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t)
	const base = "http://127.0.0.1/api/products/95b84d4b-7481-11e8-8216-002590dad85e/images/shop"
	mk := func(method, url, body string, drop ...string) contract.Exchange {
		r, _ := http.NewRequest(method, url, nil)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Shoptet-Private-Api-Token", "t")
		for _, h := range drop {
			r.Header.Del(h)
		}
		return contract.Exchange{Req: r, ReqBody: []byte(body), Status: 200}
	}
	rows := func(n int) string {
		items := make([]string, n)
		for i := range items {
			items[i] = fmt.Sprintf(`{"name":"%d.jpg","priority":1}`, i)
		}
		return `{"data":{"images":[` + strings.Join(items, ",") + `]}}`
	}
	bad := map[string]contract.Exchange{
		"no token":                 mk("GET", base, "", "Shoptet-Private-Api-Token"),
		"unknown path":             mk("GET", base+"/x/y", ""),
		"priority 0":               mk("PATCH", base, `{"data":{"images":[{"name":"a.jpg","priority":0}]}}`),
		"priority above 65535":     mk("POST", base, `{"data":{"images":[{"sourceUrl":"https://x.example/a.jpg","priority":65536}]}}`),
		"101 rows":                 mk("PATCH", base, rows(101)),
		"no rows":                  mk("PATCH", base, `{"data":{"images":[]}}`),
		"add without sourceUrl":    mk("POST", base, `{"data":{"images":[{"priority":1}]}}`),
		"misspelt field":           mk("PATCH", base, `{"data":{"images":[{"name":"a.jpg","prio":1}]}}`),
		"unknown query parameter":  mk("GET", base+"?page=2", ""),
		"method not in the spec":   mk("PUT", base, rows(1)),
		"source priority too high": mk("PATCH", base+"/source", `{"data":{"images":[{"name":"a.jpg","sourceUrl":"https://x.example/a.jpg","priority":100000}]}}`),
	}
	for name, ex := range bad {
		_, err := spec.Validate(ex)
		if err == nil || !(strings.HasPrefix(err.Error(), "request:") || strings.HasPrefix(err.Error(), "no route")) {
			t.Errorf("%s: err = %v, want the request refused", name, err)
		}
	}
}
