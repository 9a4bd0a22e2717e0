package fakestore

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
)

func TestHandlerWithoutListener(t *testing.T) {
	t.Parallel()
	v := newTestVendor()
	h := NewHandler(v, Options{})
	h.Faults().Add(Fault{Method: "GET", Status: 500})

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/products/1/images", strings.NewReader(`{"url":"http://img/1"}`)))
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), `"id":100`) {
		t.Errorf("POST: %d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/products/1/images", nil))
	if w.Code != 500 {
		t.Errorf("GET: %d, want the fault's 500", w.Code)
	}
	if s := statuses(h.Recorder().Requests()); !slices.Equal(s, []int{201, 500}) {
		t.Errorf("recorded %v", s)
	}
	if _, ok := h.Clock().(shopimg.SystemClock); !ok {
		t.Errorf("default Clock is %T, want shopimg.SystemClock", h.Clock())
	}
	if c := newFakeClock(); NewHandler(v, Options{Clock: c}).Clock() != c {
		t.Error("Clock does not return Options.Clock")
	}
}

func TestNilHandlerIsNotFound(t *testing.T) {
	t.Parallel()
	srv := NewServer(nil, Options{})
	t.Cleanup(srv.Close)
	if resp, _ := mustSend(t, srv.Client(), "GET", srv.URL+"/", ""); resp.StatusCode != 404 {
		t.Errorf("got %d, want 404", resp.StatusCode)
	}
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		status     int
		v          any
		presetType string
		wantStatus int
		wantType   string
		wantBody   string
		bodyPrefix bool
	}{
		{"object", 201, map[string]string{"url": "http://x/?a=1&b=<2>"}, "", 201, "application/json", "{\"url\":\"http://x/?a=1&b=<2>\"}\n", false},
		{"vendor type", 200, []int{1}, "application/vnd.shoptet.v1.0+json", 200, "application/vnd.shoptet.v1.0+json", "[1]\n", false},
		{"no content", 204, map[string]int{}, "", 204, "application/json", "", false},
		{"unencodable", 200, make(chan int), "", 500, "text/plain; charset=utf-8", "fakestore: encoding the response", true},
	} {
		w := httptest.NewRecorder()
		if tc.presetType != "" {
			w.Header().Set("Content-Type", tc.presetType)
		}
		WriteJSON(w, tc.status, tc.v)
		body := w.Body.String()
		if tc.bodyPrefix && strings.HasPrefix(body, tc.wantBody) {
			body = tc.wantBody
		}
		got := []any{w.Code, w.Header().Get("Content-Type"), body}
		if diff := cmp.Diff([]any{tc.wantStatus, tc.wantType, tc.wantBody}, got); diff != "" {
			t.Errorf("%s: status, type, body (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestReadJSON(t *testing.T) {
	t.Parallel()
	type in struct {
		URL string `json:"url"`
	}
	read := func(body string, limit int64) (in, error) {
		var v in
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		return v, ReadJSON(r, &v, limit)
	}
	if v, err := read(`{"url":"u","unknown":1}`, 0); err != nil || v.URL != "u" {
		t.Errorf("valid body: %+v, %v", v, err)
	}
	if v, err := read(`{"url":"0123456789"}`, 20); err != nil || v.URL != "0123456789" {
		t.Errorf("body of exactly the limit: %+v, %v", v, err)
	}
	var mbe *http.MaxBytesError
	if _, err := read(`{"url":"0123456789"}`, 19); !errors.As(err, &mbe) || mbe.Limit != 19 {
		t.Errorf("body over the limit: %v, want *http.MaxBytesError", err)
	}
	if _, err := read(`{"url":"`+strings.Repeat("x", DefaultMaxBody)+`"}`, 0); !errors.As(err, &mbe) {
		t.Errorf("body over the default limit: %v", err)
	}
	for _, body := range []string{"", "  \n", `{"url":`, `{"url":"u"} {}`, `{"url":1}`} {
		if _, err := read(body, 0); err == nil || errors.As(err, &mbe) {
			t.Errorf("body %q: %v, want a decoding error", body, err)
		}
	}
}

func TestQueryInt(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/?limit=25&page=&offset=x&neg=-3", nil)
	for _, tc := range []struct {
		name    string
		want    int
		wantErr bool
	}{
		{"limit", 25, false},
		{"page", 1, false},
		{"missing", 1, false},
		{"neg", -3, false},
		{"offset", 0, true},
	} {
		got, err := QueryInt(r, tc.name, 1)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("QueryInt(%q) = %d, %v; want %d, error %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestInProcessTransport(t *testing.T) {
	t.Parallel()
	v := newTestVendor()
	h := NewHandler(v, Options{Secrets: []string{"s3cret"}})
	c := &http.Client{Transport: h.Transport()}

	resp, body, err := send(t, c, "POST", "http://fake.test/products/1/images", `{"url":"http://img/1"}`, "content-type", "application/json", "x-key", "s3cret")
	if err != nil || resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"id":100`) {
		t.Fatalf("POST in process: %v %q %v", resp, body, err)
	}
	reqs := h.Recorder().Requests()
	if len(reqs) != 1 || reqs[0].Header.Get("X-Key") != Redacted || reqs[0].Header.Get("Content-Type") != "application/json" {
		t.Errorf("recorded %+v, want canonical header names and the secret redacted", reqs)
	}

	// A dropped connection is a transport error matching ErrDropped; the
	// request is recorded with no status.
	h.Faults().Add(Fault{Method: "GET", Drop: true})
	if _, _, err := send(t, c, "GET", "http://fake.test/products/1/images", ""); !errors.Is(err, ErrDropped) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("dropped GET: err = %v, want ErrDropped", err)
	}
	if s := statuses(h.Recorder().Requests()); !slices.Equal(s, []int{201, 0}) {
		t.Errorf("recorded statuses %v, want [201 0]", s)
	}
	// An ended context is not served.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://fake.test/products/1/images", nil)
	if _, err := c.Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled request: err = %v", err)
	}
	if n := h.Recorder().Count("", ""); n != 2 {
		t.Errorf("%d requests recorded, want 2", n)
	}
}
