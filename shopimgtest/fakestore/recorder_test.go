package fakestore

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRecorderRecordsRequests(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}), Options{Clock: clock, SecretHeaders: append(DefaultSecretHeaders(), "X-Custom-Secret")})
	t.Cleanup(srv.Close)

	mustSend(t, srv.Client(), "POST", srv.URL+"/products/a%2Fb/images?x=1&y=%20", `{"a":1}`,
		"Content-Type", "application/json",
		"Authorization", "Bearer secret1",
		"x-auth-token", "secret2",
		"Shoptet-Private-Api-Token", "secret3",
		"web_api_key", "secret4",
		"X-Custom-Secret", "secret5",
		"X-Visible", "shown")
	clock.Advance(3)
	mustSend(t, srv.Client(), "GET", srv.URL+"/x", "")

	reqs := srv.Recorder().Requests()
	if len(reqs) != 2 {
		t.Fatalf("recorded %d requests, want 2", len(reqs))
	}
	got := reqs[0]
	for _, h := range []string{"User-Agent", "Content-Length", "Accept-Encoding"} {
		got.Header.Del(h)
	}
	want := RecordedRequest{
		Method:   "POST",
		Path:     "/products/a%2Fb/images",
		RawQuery: "x=1&y=%20",
		Header: http.Header{
			"Content-Type":              {"application/json"},
			"Authorization":             {Redacted},
			"X-Auth-Token":              {Redacted},
			"Shoptet-Private-Api-Token": {Redacted},
			"Web_api_key":               {Redacted},
			"X-Custom-Secret":           {Redacted},
			"X-Visible":                 {"shown"},
		},
		Body:   []byte(`{"a":1}`),
		Status: http.StatusAccepted,
		Time:   newFakeClock().Now(),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("recorded request (-want +got):\n%s", diff)
	}
	if q := got.Query(); q.Get("y") != " " {
		t.Errorf("Query() = %v", q)
	}
	if reqs[1].Body != nil || reqs[1].BodyTruncated || reqs[1].Status != http.StatusAccepted || !reqs[1].Time.Equal(want.Time.Add(3)) {
		t.Errorf("GET recorded as %+v", reqs[1])
	}
}

func TestRecorderRequestsAreCopies(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t, Options{})
	addImage(t, srv, "http://img/1")
	first := srv.Recorder().Requests()
	first[0].Header.Set("Content-Type", "changed")
	first[0].Body[0] = 'X'
	again := srv.Recorder().Requests()
	if again[0].Header.Get("Content-Type") != "application/json" || again[0].Body[0] != '{' {
		t.Errorf("changing a returned request changed the recorder: %+v", again[0])
	}
}

func TestRecorderBodyLimit(t *testing.T) {
	t.Parallel()
	// The handler echoes how many body bytes it read: all of them, whatever
	// the recorder keeps.
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			t.Error(err)
		}
		WriteJSON(w, http.StatusOK, n)
	})
	srv := NewServer(echo, Options{MaxRecordedBody: 16})
	t.Cleanup(srv.Close)

	for _, tc := range []struct {
		body      string
		truncated bool
	}{
		{strings.Repeat("a", 15), false},
		{strings.Repeat("b", 16), false},
		{strings.Repeat("c", 17), true},
		{strings.Repeat("d", 100), true},
	} {
		srv.Recorder().Reset()
		_, body := mustSend(t, srv.Client(), "PUT", srv.URL+"/x", tc.body)
		if atoi(t, strings.TrimSpace(body)) != len(tc.body) {
			t.Errorf("handler read %s bytes of %d", body, len(tc.body))
		}
		r := srv.Recorder().Requests()[0]
		if want := tc.body[:min(16, len(tc.body))]; string(r.Body) != want || r.BodyTruncated != tc.truncated {
			t.Errorf("%d-byte body recorded as %q (truncated %v), want %q (truncated %v)", len(tc.body), r.Body, r.BodyTruncated, want, tc.truncated)
		}
	}
}

func TestRecorderNoBodies(t *testing.T) {
	t.Parallel()
	srv, v := setup(t, Options{MaxRecordedBody: -1})
	if _, _, err := addImage(t, srv, "http://img/1"); err != nil {
		t.Fatal(err)
	}
	if r := srv.Recorder().Requests()[0]; r.Body != nil || r.Status != http.StatusCreated {
		t.Errorf("recorded %+v, want no body", r)
	}
	if imgs, _ := v.cat.Images("1"); len(imgs) != 1 {
		t.Errorf("the handler did not get the body: %v", imgs)
	}
}

func TestRecorderMultipartOverDefaultLimit(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("image_file", "big.jpg")
	if err != nil {
		t.Fatal(err)
	}
	file := bytes.Repeat([]byte{0xff, 0xd8, 0x01}, DefaultMaxBody/3+100)
	fw.Write(file)
	mw.Close()
	sent := buf.Bytes()

	srv := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, _, err := r.FormFile("image_file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		defer f.Close()
		got, _ := io.ReadAll(f)
		if !bytes.Equal(got, file) {
			http.Error(w, "file differs", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusCreated)
	}), Options{})
	t.Cleanup(srv.Close)

	resp, body := mustSend(t, srv.Client(), "POST", srv.URL+"/upload", string(sent), "Content-Type", mw.FormDataContentType())
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	r := srv.Recorder().Requests()[0]
	if len(r.Body) != DefaultMaxBody || !r.BodyTruncated || !bytes.Equal(r.Body, sent[:DefaultMaxBody]) {
		t.Errorf("recorded %d bytes (truncated %v), want the first %d of %d", len(r.Body), r.BodyTruncated, DefaultMaxBody, len(sent))
	}
	if r.Header.Get("Content-Type") != mw.FormDataContentType() {
		t.Errorf("Content-Type recorded as %q", r.Header.Get("Content-Type"))
	}
}

func TestRecorderCounts(t *testing.T) {
	t.Parallel()
	srv := NewServer(http.NotFoundHandler(), Options{})
	t.Cleanup(srv.Close)
	for _, r := range []struct{ method, path string }{
		{"GET", "/a"}, {"GET", "/a"}, {"PUT", "/a/1"}, {"PUT", "/a/2"}, {"PUT", "/a/2"}, {"PUT", "/b"}, {"DELETE", "/a/1"},
	} {
		mustSend(t, srv.Client(), r.method, srv.URL+r.path, "")
	}
	rec := srv.Recorder()
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"PUT", "", 4},
		{"put", "/a/*", 3},
		{"", "/a", 2},
		{"", "/a*", 6},
		{"", "", 7},
		{"GET", "/a/1", 0},
		{"DELETE", "/a/1", 1},
	} {
		if got := rec.Count(tc.method, tc.path); got != tc.want {
			t.Errorf("Count(%q, %q) = %d, want %d", tc.method, tc.path, got, tc.want)
		}
	}
	want := map[string]int{"GET /a": 2, "PUT /a/1": 1, "PUT /a/2": 2, "PUT /b": 1, "DELETE /a/1": 1}
	if diff := cmp.Diff(want, rec.Counts()); diff != "" {
		t.Errorf("Counts (-want +got):\n%s", diff)
	}

	rec.Reset()
	if n, c, r := rec.Count("", ""), len(rec.Counts()), len(rec.Requests()); n != 0 || c != 0 || r != 0 {
		t.Errorf("after Reset: Count %d, %d keys, %d requests", n, c, r)
	}
	mustSend(t, srv.Client(), "GET", srv.URL+"/a", "")
	if diff := cmp.Diff(map[string]int{"GET /a": 1}, rec.Counts()); diff != "" {
		t.Errorf("Counts after Reset and one request (-want +got):\n%s", diff)
	}
}

func TestRecorderMaxRecords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		max       int
		wantPaths []string
	}{
		{2, []string{"/3", "/4"}},
		{-1, []string{}},
		{0, []string{"/0", "/1", "/2", "/3", "/4"}},
	} {
		srv := NewServer(http.NotFoundHandler(), Options{MaxRecords: tc.max})
		for _, p := range []string{"/0", "/1", "/2", "/3", "/4"} {
			mustSend(t, srv.Client(), "GET", srv.URL+p, "")
		}
		paths := []string{}
		for _, r := range srv.Recorder().Requests() {
			paths = append(paths, r.Path)
		}
		if diff := cmp.Diff(tc.wantPaths, paths); diff != "" {
			t.Errorf("MaxRecords %d: kept (-want +got):\n%s", tc.max, diff)
		}
		if n := srv.Recorder().Count("GET", ""); n != 5 {
			t.Errorf("MaxRecords %d: Count = %d, want 5", tc.max, n)
		}
		srv.Close()
	}
}
