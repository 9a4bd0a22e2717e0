package bigcommerce_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// specPath is the official v3 OpenAPI file, outside the module (a user's
// clone does not have it).
var specPath = filepath.Join("..", "..", "shared", "specs", "bigcommerce-catalog-products.v3.yml")

// exchange is one request our client sent and the fake's answer, with both
// bodies read.
type exchange struct {
	req      *http.Request
	reqBody  []byte
	status   int
	header   http.Header
	respBody []byte
}

// tap is a RoundTripper that keeps every exchange.
type tap struct {
	next http.RoundTripper
	mu   sync.Mutex
	log  []exchange
}

func (t *tap) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
		r.Body.Close()
	}
	out := r.Clone(r.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := t.next.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	rb, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	t.mu.Lock()
	t.log = append(t.log, exchange{req: r, reqBody: body, status: resp.StatusCode, header: resp.Header.Clone(), respBody: rb})
	t.mu.Unlock()
	return resp, nil
}

var registerImageDecoders sync.Once

// loadSpec loads the spec, or skips the test when ../shared is absent. It
// patches one defect in memory: the multipart request schemas are an allOf
// without "type: object", which kin-openapi's multipart decoder requires.
func loadSpec(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	if _, err := os.Stat(specPath); err != nil {
		t.Skipf("contract test skipped: the official OpenAPI file %s is not there (it lives in the project's ../shared folder, absent from a plain clone)", specPath)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(specPath)
	if err != nil {
		t.Fatalf("loading %s: %v", specPath, err)
	}
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
	// Requests are matched after their host is replaced by the spec's
	// server, https://api.bigcommerce.com/stores/{store_hash}/v3.
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router: %v", err)
	}
	registerImageDecoders.Do(func() {
		for _, ct := range []string{"image/png", "image/jpeg", "image/gif", "image/webp"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
		}
	})
	return doc, router
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
	doc, router := loadSpec(t)
	srv := bigcommercetest.NewServer(bigcommercetest.WithoutQuota(), bigcommercetest.WithClock(shopimgtest.NewClock(epoch)))
	t.Cleanup(srv.Close)
	srv.AddProduct(111)
	tp := &tap{next: srv.Client().Transport}
	c, err := srv.NewClient(bigcommerce.WithHTTPClient(&http.Client{Transport: tp}))
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, c)

	ops := map[string]int{}
	for i, ex := range tp.log {
		name := fmt.Sprintf("request %d: %s %s", i, ex.req.Method, ex.req.URL.RequestURI())
		op, err := validate(doc, router, ex)
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
	t.Logf("%d requests validated: %v", len(tp.log), ops)
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

// validate checks one exchange against the spec and returns its operation
// ID (with the media type for a multipart create).
//
// Answers are validated by status, headers and body, except the data
// member of create and update answers: the spec types it as a oneOf of two
// object schemas that any image matches both of, so no answer can pass it;
// it is validated against productImage_Full instead, the schema of the
// same image in the get answer.
func validate(doc *openapi3.T, router routers.Router, ex exchange) (string, error) {
	req := ex.req.Clone(context.Background())
	u := *req.URL
	u.Scheme, u.Host = "https", "api.bigcommerce.com"
	req.URL = &u
	req.Host = u.Host
	req.RequestURI = ""
	req.Body = io.NopCloser(bytes.NewReader(ex.reqBody))
	route, params, err := router.FindRoute(req)
	if err != nil {
		return "", fmt.Errorf("no route in the spec: %w", err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: requireToken, MultiError: true},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return "", fmt.Errorf("request: %w", err)
	}
	if err := declaredOnly(route, req, ex.reqBody); err != nil {
		return "", fmt.Errorf("request: %w", err)
	}
	op := route.Operation.OperationID
	if ct := req.Header.Get("Content-Type"); len(ct) >= 19 && ct[:19] == "multipart/form-data" {
		op += "(multipart/form-data)"
	}
	opts := &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}
	if (route.Method == http.MethodPost || route.Method == http.MethodPut) && ex.status == 200 {
		opts.ExcludeResponseBody = true
		var body struct{ Data any }
		if err := json.Unmarshal(ex.respBody, &body); err != nil {
			return "", fmt.Errorf("response %d: %w", ex.status, err)
		}
		if err := doc.Components.Schemas["productImage_Full"].Value.VisitJSON(body.Data, openapi3.MultiErrors()); err != nil {
			return "", fmt.Errorf("response %d data: %w", ex.status, err)
		}
	}
	rin := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: ex.status, Header: ex.header,
		Body: io.NopCloser(bytes.NewReader(ex.respBody)), Options: opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		return "", fmt.Errorf("response %d: %w", ex.status, err)
	}
	return op, nil
}

// declaredOnly checks what openapi3filter lets through: every query
// parameter and every body field (JSON member or multipart part) must be
// declared by the operation, so a misspelt or invented name fails. The
// spec's schemas do not forbid additional properties, and unknown query
// parameters are not checked by kin-openapi.
func declaredOnly(route *routers.Route, req *http.Request, body []byte) error {
	params := map[string]bool{}
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				params[p.Value.Name] = true
			}
		}
	}
	for k := range req.URL.Query() {
		if !params[k] {
			return fmt.Errorf("query parameter %q is not in the spec", k)
		}
	}
	if route.Operation.RequestBody == nil || len(body) == 0 {
		return nil
	}
	mt, mparams, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	media := route.Operation.RequestBody.Value.Content.Get(mt)
	if media == nil || media.Schema == nil {
		return fmt.Errorf("media type %q is not in the spec", mt)
	}
	props := map[string]bool{}
	collectProperties(media.Schema.Value, props)
	var names []string
	switch mt {
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return fmt.Errorf("JSON body: %w", err)
		}
		for k := range m {
			names = append(names, k)
		}
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), mparams["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("multipart body: %w", err)
			}
			names = append(names, part.FormName())
		}
	}
	for _, n := range names {
		if !props[n] {
			return fmt.Errorf("body field %q is not a property of the %s schema", n, mt)
		}
	}
	return nil
}

// collectProperties adds the property names of s and of its allOf, oneOf
// and anyOf members.
func collectProperties(s *openapi3.Schema, into map[string]bool) {
	if s == nil {
		return
	}
	for k := range s.Properties {
		into[k] = true
	}
	for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, r := range refs {
			collectProperties(r.Value, into)
		}
	}
}

// TestContractValidatorCatchesBadRequests proves the contract check is not
// vacuous: requests that break the spec in one way each are refused.
func TestContractValidatorCatchesBadRequests(t *testing.T) {
	t.Parallel()
	doc, router := loadSpec(t)
	const base = "http://127.0.0.1/stores/abc/v3/catalog/products"
	mk := func(method, url, ct, body string, drop ...string) exchange {
		r, _ := http.NewRequest(method, url, nil)
		r.Header.Set("Accept", "application/json")
		r.Header.Set("X-Auth-Token", "t")
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		for _, h := range drop {
			r.Header.Del(h)
		}
		return exchange{req: r, reqBody: []byte(body), status: 204}
	}
	multipartBody := "--XX\r\nContent-Disposition: form-data; name=\"sort_order\"\r\n\r\nfirst\r\n--XX--\r\n"
	bad := map[string]exchange{
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
		_, err := validate(doc, router, ex)
		if err == nil || !(strings.HasPrefix(err.Error(), "request:") || strings.HasPrefix(err.Error(), "no route")) {
			t.Errorf("%s: err = %v, want the request refused", name, err)
		}
	}
}
