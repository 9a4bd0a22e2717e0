// Package contract checks the requests a vendor client sends (and the
// answers its fake server gives) against the vendor's official OpenAPI
// file, for the vendors that publish one. A test puts a Tap in the client's
// HTTP transport, runs every call, and validates each Exchange with
// Spec.Validate: method, path and path parameters, query, headers, JSON and
// multipart bodies, security, and, beyond what the validator checks, that
// every query parameter and body field is one the operation declares (the
// official schemas allow unknown properties, so a misspelt name would pass
// otherwise).
//
// The OpenAPI files live in the project's shared folder beside the module,
// absent from a plain clone: Load skips the test with a message then.
package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Exchange is one request a client sent and the answer it got, with both
// bodies read.
type Exchange struct {
	Req      *http.Request
	ReqBody  []byte
	Status   int
	Header   http.Header
	RespBody []byte
}

// Tap is an http.RoundTripper that keeps every exchange passing through it
// to Next.
type Tap struct {
	Next http.RoundTripper
	mu   sync.Mutex
	log  []Exchange
}

// RoundTrip sends r through Next and keeps the exchange.
func (t *Tap) RoundTrip(r *http.Request) (*http.Response, error) {
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
	// A replay must not call the client's GetBody, which would stream the
	// body again (an upload's goroutine) for nobody to read.
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := t.Next.RoundTrip(out)
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
	t.log = append(t.log, Exchange{Req: r, ReqBody: body, Status: resp.StatusCode, Header: resp.Header.Clone(), RespBody: rb})
	t.mu.Unlock()
	return resp, nil
}

// Exchanges returns the exchanges so far, oldest first.
func (t *Tap) Exchanges() []Exchange {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Exchange(nil), t.log...)
}

// Spec is a loaded OpenAPI file and what a vendor tells the validator.
type Spec struct {
	// Doc is the parsed file.
	Doc *openapi3.T
	// Scheme and Host replace a request's, so it matches the spec's
	// server entry (e.g. "https", "api.bigcommerce.com").
	Scheme, Host string
	// Auth checks a security scheme; nil accepts any.
	Auth openapi3filter.AuthenticationFunc
	// Answer, when set, validates an answer's body itself, for operations
	// whose answer schema the validator cannot check; it returns false to
	// let the validator check the body.
	Answer func(route *routers.Route, ex Exchange) (handled bool, err error)
	// SkipAnswers turns answer validation off (for a spec whose answer
	// schemas the validator cannot read).
	SkipAnswers bool

	router routers.Router
}

var registerImageDecoders sync.Once

// Load reads the OpenAPI file at path, applies fix (for known defects of
// the file, patched in memory; may be nil), and builds its router. It skips
// t when the file is absent.
func Load(t testing.TB, path string, fix func(*openapi3.T)) *Spec {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("contract test skipped: the official OpenAPI file %s is not there (it lives in the project's ../shared folder, absent from a plain clone)", path)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		t.Fatalf("loading %s: %v", path, err)
	}
	if fix != nil {
		fix(doc)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("router for %s: %v", path, err)
	}
	registerImageDecoders.Do(func() {
		for _, ct := range []string{"image/png", "image/jpeg", "image/gif", "image/webp"} {
			openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
		}
	})
	return &Spec{Doc: doc, router: router}
}

// Validate checks one exchange against the spec and returns its operation
// ID (with the media type appended for a multipart request). An error
// starting "request:" or "no route" means the request broke the spec; one
// starting "response" means the answer did.
func (s *Spec) Validate(ex Exchange) (string, error) {
	req := ex.Req.Clone(context.Background())
	u := *req.URL
	if s.Scheme != "" {
		u.Scheme = s.Scheme
	}
	if s.Host != "" {
		u.Host = s.Host
	}
	req.URL = &u
	req.Host = u.Host
	req.RequestURI = ""
	req.Body = io.NopCloser(bytes.NewReader(ex.ReqBody))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(ex.ReqBody)), nil }
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return "", fmt.Errorf("no route in the spec: %w", err)
	}
	auth := s.Auth
	if auth == nil {
		auth = openapi3filter.NoopAuthenticationFunc
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: auth, MultiError: true},
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return "", fmt.Errorf("request: %w", err)
	}
	if err := declaredOnly(route, req, ex.ReqBody); err != nil {
		return "", fmt.Errorf("request: %w", err)
	}
	op := route.Operation.OperationID
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt == "multipart/form-data" {
		op += "(multipart/form-data)"
	}
	if s.SkipAnswers {
		return op, nil
	}
	opts := &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true}
	if s.Answer != nil {
		handled, err := s.Answer(route, ex)
		if err != nil {
			return "", fmt.Errorf("response %d: %w", ex.Status, err)
		}
		opts.ExcludeResponseBody = handled
	}
	rin := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: ex.Status, Header: ex.Header,
		Body: io.NopCloser(bytes.NewReader(ex.RespBody)), Options: opts,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), rin); err != nil {
		return "", fmt.Errorf("response %d: %w", ex.Status, err)
	}
	return op, nil
}

// declaredOnly checks what openapi3filter lets through: every query
// parameter and every body field (JSON member or multipart part) must be
// declared by the operation, so a misspelt or invented name fails.
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
