package fakestore

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a shopimg.Clock whose Sleep advances time at once.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

// testImage is the image type of the test vendor.
type testImage struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

// testVendor is a tiny vendor fake: list and add images of a product.
type testVendor struct {
	cat   *Catalog[testImage]
	mux   *http.ServeMux
	calls atomic.Int64 // requests that reached the vendor handler
}

func (v *testVendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v.calls.Add(1)
	v.mux.ServeHTTP(w, r)
}

// newTestVendor returns a test vendor with product "1" (no images).
func newTestVendor() *testVendor {
	v := &testVendor{cat: NewCatalog[testImage](CatalogOptions{FirstID: 100}), mux: http.NewServeMux()}
	v.cat.AddProduct("1")
	mux := v.mux
	mux.HandleFunc("GET /products/{id}/images", func(w http.ResponseWriter, r *http.Request) {
		imgs, err := v.cat.Images(r.PathValue("id"))
		if err != nil {
			WriteJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		WriteJSON(w, http.StatusOK, imgs)
	})
	mux.HandleFunc("POST /products/{id}/images", func(w http.ResponseWriter, r *http.Request) {
		var in testImage
		if err := ReadJSON(r, &in, 0); err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		err := v.cat.Update(r.PathValue("id"), func(p *Product[testImage]) error {
			in.ID = v.cat.NextID()
			p.Images = append(p.Images, in)
			return nil
		})
		if err != nil {
			WriteJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		WriteJSON(w, http.StatusCreated, in)
	})
	return v
}

// setup starts a server over a test vendor with product "1" (no images).
func setup(t *testing.T, opts Options) (*Server, *testVendor) {
	t.Helper()
	v := newTestVendor()
	srv := NewServer(v, opts)
	t.Cleanup(srv.Close)
	return srv, v
}

// send makes a request and returns the response with its body read, or the
// transport error.
func send(t *testing.T, c *http.Client, method, url, body string, header ...string) (*http.Response, string, error) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", err
	}
	return resp, string(b), nil
}

// mustSend is send that fails the test on a transport error.
func mustSend(t *testing.T, c *http.Client, method, url, body string, header ...string) (*http.Response, string) {
	t.Helper()
	resp, b, err := send(t, c, method, url, body, header...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp, b
}

// addImage posts an image to product "1".
func addImage(t *testing.T, srv *Server, url string) (*http.Response, string, error) {
	t.Helper()
	return send(t, srv.Client(), "POST", srv.URL+"/products/1/images", `{"url":"`+url+`"}`, "Content-Type", "application/json")
}

func statuses(reqs []RecordedRequest) []int {
	out := make([]int, len(reqs))
	for i, r := range reqs {
		out[i] = r.Status
	}
	return out
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

var errTest = errors.New("test error")

func TestRoute(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	ok := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }
	}
	Route(mux, "/items/{id}", Methods{"DELETE": ok(204), "GET": ok(200), "PROPFIND": ok(207)}, func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": r.Method + " is not allowed"})
	})
	h := NewHandler(mux, Options{})
	for _, tc := range []struct {
		method    string
		status    int
		allow     string
		bodyStart string
	}{
		{"GET", 200, "", ""},
		{"DELETE", 204, "", ""},
		{"PROPFIND", 207, "", ""},
		{"PUT", 405, "GET, DELETE, PROPFIND", `{"error":"PUT is not allowed"}`},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tc.method, "/items/7", nil))
		if w.Code != tc.status || w.Header().Get("Allow") != tc.allow || !strings.HasPrefix(w.Body.String(), tc.bodyStart) {
			t.Errorf("%s: %d Allow %q %q; want %d Allow %q %q", tc.method, w.Code, w.Header().Get("Allow"), w.Body, tc.status, tc.allow, tc.bodyStart)
		}
	}
	if n := h.Recorder().Writes(); n != 2 {
		t.Errorf("Writes() = %d, want 2 (the DELETE and the refused PUT)", n)
	}
}
