package bigcommerce_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// epoch is the start of every test clock.
var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// fixture is a fake store with a client on it, sharing a fake clock.
type fixture struct {
	srv    *bigcommercetest.Server
	client *bigcommerce.Client
	clock  *shopimgtest.Clock
}

// newFixture starts a fake (closed at the end of the test) with product
// 111 and no images, and a client for it with retries but no real waits.
func newFixture(t testing.TB, srvOpts []bigcommercetest.Option, opts ...bigcommerce.Option) *fixture {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := bigcommercetest.NewServer(append([]bigcommercetest.Option{bigcommercetest.WithClock(clock)}, srvOpts...)...)
	t.Cleanup(srv.Close)
	srv.AddProduct(111)
	client, err := srv.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, client: client, clock: clock}
}

// stubPrefix is the path under the stub server's URL that the client is
// given as its base, so a path built without the base fails loudly.
const stubPrefix = "/gateway"

// seen is a request a stub server received, with its body read.
type seen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// stub starts an httptest server whose handler answers every request, and
// returns a client for store "abc" with token "tok" on it (no retries, a
// fake clock) and the requests the server saw.
func stub(t *testing.T, h http.HandlerFunc, opts ...bigcommerce.Option) (*bigcommerce.Client, func() []seen) {
	t.Helper()
	var (
		mu   sync.Mutex
		reqs []seen
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, seen{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	base := []bigcommerce.Option{
		bigcommerce.WithBaseURL(srv.URL + stubPrefix), bigcommerce.WithHTTPClient(srv.Client()),
		bigcommerce.WithClock(shopimgtest.NewClock(epoch)), bigcommerce.WithRetry(shopimg.RetryPolicy{MaxRetries: 0}),
	}
	c, err := bigcommerce.NewClient("abc", "tok", append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(reqs)
	}
}

// fixtureBytes reads a file of internal/testdata/bigcommerce.
func fixtureBytes(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "bigcommerce", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serveFixture answers with the fixture and status.
func serveFixture(t testing.TB, status int, name string) http.HandlerFunc {
	t.Helper()
	b := fixtureBytes(t, name)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
}

// wantRequest checks the one request a stub saw.
func wantRequest(t *testing.T, reqs []seen, method, path, query string) seen {
	t.Helper()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != method || r.Path != stubPrefix+path || r.RawQuery != query {
		t.Errorf("request = %s %s?%s, want %s %s?%s", r.Method, r.Path, r.RawQuery, method, stubPrefix+path, query)
	}
	if got := r.Header.Get("X-Auth-Token"); got != "tok" {
		t.Errorf("X-Auth-Token = %q, want the token", got)
	}
	if got := r.Header.Get("Accept"); got != "application/json" {
		t.Errorf("Accept = %q", got)
	}
	return r
}

// wantJSON compares a JSON body with want, as decoded values.
func wantJSON(t *testing.T, body []byte, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body %q is not JSON: %v", body, err)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(exp, got); d != "" {
		t.Errorf("body differs (-want +got):\n%s", d)
	}
}
