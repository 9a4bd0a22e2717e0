package rest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// envelope is a 2xx answer that can report an error inside, as FinerWorks'
// status.success=false does, with the status and kind the body gives; with
// needID, an answer without an ID is an error too (a create answered
// without the new image).
type envelope struct {
	ID     int    `json:"id"`
	Error  string `json:"error"`
	Status int    `json:"status"`
	Kind   string `json:"kind"`

	needID bool
	seen   []envelope // the value CheckBody was called on, each time
}

var kinds = map[string]error{
	"invalid": shopimg.ErrInvalidInput, "unauthorized": shopimg.ErrUnauthorized, "notfound": shopimg.ErrNotFound,
	"conflict": shopimg.ErrConflict, "ratelimited": shopimg.ErrRateLimited, "unavailable": shopimg.ErrUnavailable,
}

func (e *envelope) CheckBody(ae *shopimg.APIError) bool {
	e.seen = append(e.seen, envelope{ID: e.ID, Error: e.Error, Status: e.Status, Kind: e.Kind})
	switch {
	case e.Error != "":
		ae.Message = e.Error
	case e.needID && e.ID == 0:
		ae.Message = "the answer has no ID"
	default:
		return false
	}
	if e.Status != 0 {
		ae.StatusCode = e.Status
	}
	ae.Kind = kinds[e.Kind]
	return true
}

// TestErrorsInsideSuccessBodies: an error a 2xx body reports is retried,
// classified and, for a create, marked as of unknown outcome by the same
// rules as an error status.
func TestErrorsInsideSuccessBodies(t *testing.T) {
	t.Parallel()
	const ok = `{"id":1}`
	cases := []struct {
		name    string
		effect  rest.Effect
		first   string // the first answer's body; later answers are ok
		always  bool   // every answer is first
		want    error  // nil: success
		unknown bool   // the error also matches ErrOutcomeUnknown
		hits    int64
	}{
		{name: "read, 503 in a 200, retried", effect: rest.Read, first: `{"error":"busy","status":503}`, hits: 2},
		{name: "read, 503 in every 200", effect: rest.Read, first: `{"error":"busy","status":503}`, always: true, want: shopimg.ErrUnavailable, hits: 4},
		{name: "read, 429 in a 200, retried", effect: rest.Read, first: `{"error":"slow down","status":429}`, hits: 2},
		{name: "read, 404 in a 200", effect: rest.Read, first: `{"error":"no such","status":404}`, want: shopimg.ErrNotFound, hits: 1},
		{name: "create, 503 in a 200", effect: rest.Create, first: `{"error":"busy","status":503}`, want: shopimg.ErrUnavailable, unknown: true, hits: 1},
		{name: "create, 500 in a 200", effect: rest.Create, first: `{"error":"boom","status":500}`, want: shopimg.ErrUnavailable, unknown: true, hits: 1},
		{name: "create, 422 in a 200", effect: rest.Create, first: `{"error":"bad","status":422}`, want: shopimg.ErrInvalidInput, hits: 1},
		{name: "create, 401 in a 200", effect: rest.Create, first: `{"error":"who","status":401}`, want: shopimg.ErrUnauthorized, hits: 1},
		{name: "create, 429 in a 200, retried", effect: rest.Create, first: `{"error":"slow","status":429}`, hits: 2},
		{name: "create, refusal kind without status", effect: rest.Create, first: `{"error":"dup","kind":"conflict"}`, want: shopimg.ErrConflict, hits: 1},
		{name: "create, invalid kind without status", effect: rest.Create, first: `{"error":"bad","kind":"invalid"}`, want: shopimg.ErrInvalidInput, hits: 1},
		{name: "create, error without status or kind", effect: rest.Create, first: `{"error":"hmm"}`, want: shopimg.ErrUnavailable, unknown: true, hits: 1},
		{name: "create, unavailable kind", effect: rest.Create, first: `{"error":"later","kind":"unavailable"}`, want: shopimg.ErrUnavailable, unknown: true, hits: 1},
		{name: "create answered without an ID", effect: rest.Create, first: `{}`, want: shopimg.ErrUnavailable, unknown: true, hits: 1},
		{name: "create answered 204 without an ID", effect: rest.Create, first: "204", want: shopimg.ErrUnavailable, unknown: true, hits: 1},
		{name: "write, error without status", effect: rest.Write, first: `{"error":"hmm"}`, want: shopimg.ErrUnavailable, unknown: true, hits: 1},
		{name: "write, 503 in every 200", effect: rest.Write, first: `{"error":"busy","status":503}`, always: true, want: shopimg.ErrUnavailable, unknown: true, hits: 4},
		{name: "write, 503 in a 200, then done", effect: rest.Write, first: `{"error":"busy","status":503}`, hits: 2},
		{name: "write, unreadable 2xx", effect: rest.Write, first: `{"id":`, want: shopimg.ErrUnavailable, unknown: true, hits: 1},
		{name: "write, HTML 2xx", effect: rest.Write, first: `<html><title>hi</title></html>`, want: shopimg.ErrUnavailable, unknown: true, hits: 1},
		{name: "write, 409 in a 200", effect: rest.Write, first: `{"error":"used","status":409}`, want: shopimg.ErrConflict, hits: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				body := ok
				if n.Add(1) == 1 || tc.always {
					body = tc.first
				}
				if body == "204" {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				_, _ = w.Write([]byte(body))
			})
			out := &envelope{needID: true}
			_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "x", Effect: tc.effect}, out)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("err = %v, want success", err)
			case tc.want == nil && out.ID != 1:
				t.Errorf("out = %+v, want the second answer's", out)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if got := errors.Is(err, shopimg.ErrOutcomeUnknown); got != tc.unknown {
				t.Errorf("err = %v: ErrOutcomeUnknown %v, want %v", err, got, tc.unknown)
			}
			if hs.hits.Load() != tc.hits {
				t.Errorf("%d requests, want %d", hs.hits.Load(), tc.hits)
			}
			var apiErr *shopimg.APIError
			if tc.want != nil && strings.Contains(tc.first, `"error"`) && errors.As(err, &apiErr) {
				if apiErr.Message == "" || apiErr.Platform != "testvendor" || apiErr.Path != "/api/v1/x" || apiErr.Attempts != int(tc.hits) {
					t.Errorf("APIError = %+v", apiErr)
				}
			}
		})
	}
}

// TestCheckerSeesTheZeroValue: an empty or 204 answer is checked too, as
// the zero value, also after an earlier attempt decoded into out (which is
// reset before the retry, its record of checks included).
func TestCheckerSeesTheZeroValue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		body   string
	}{
		{"204", http.StatusNoContent, ""},
		{"200 empty", http.StatusOK, ""},
		{"201 blank", http.StatusCreated, " \n\t "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 { // half an answer first: decoded, then retried
					_, _ = w.Write([]byte(`{"id":5,"error":"busy","status":503}`))
					return
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			out := &envelope{}
			if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, out); err != nil {
				t.Fatal(err)
			}
			if hs.hits.Load() != 2 {
				t.Errorf("%d requests, want 2 (the first answer's error retried)", hs.hits.Load())
			}
			want := []envelope{{}}
			if diff := cmp.Diff(want, out.seen, cmp.AllowUnexported(envelope{})); diff != "" {
				t.Errorf("values checked (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEnvelopeErrorBodyIsBounded: the Body of an error found in a large 2xx
// answer is cut to MaxErrorBody, as an error status's is.
func TestEnvelopeErrorBodyIsBounded(t *testing.T) {
	t.Parallel()
	big := `{"error":"bad","status":422,"pad":"` + strings.Repeat("p", 1<<20) + `"}`
	hs := newHarness(t, okJSON(big), func(c *rest.Config) { c.MaxErrorBody = 1 << 10 })
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, &envelope{})
	var apiErr *shopimg.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Fatalf("err = %v", err)
	}
	if len(apiErr.Body) > 1<<10 || !bytes.HasPrefix(apiErr.Body, []byte(`{"error":"bad"`)) {
		t.Errorf("APIError.Body has %d bytes starting %.20q, want at most 1 KiB of the answer", len(apiErr.Body), apiErr.Body)
	}
}

// endless is a body of a JSON string prefix then 'x' forever (or for n
// bytes when n >= 0), counting the bytes read.
type endless struct {
	prefix string
	n      int64 // -1: forever
	read   atomic.Int64
}

func (b *endless) Read(p []byte) (int, error) {
	done := b.read.Load()
	if b.n >= 0 && done >= b.n {
		return 0, io.EOF
	}
	k := len(p)
	if b.n >= 0 {
		k = int(min(int64(k), b.n-done))
	}
	for i := range p[:k] {
		if j := done + int64(i); j < int64(len(b.prefix)) {
			p[i] = b.prefix[j]
		} else {
			p[i] = 'x'
		}
	}
	b.read.Add(int64(k))
	return k, nil
}

func (b *endless) Close() error { return nil }

// gzipBomb is a gzip stream of `{"name":"` then 300 members, each 1 MiB
// of 'x' once decompressed (about 1 KiB compressed): 300 MiB from 300 KiB.
var gzipBomb = sync.OnceValue(func() []byte {
	member := func(data []byte) []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(data)
		_ = zw.Close()
		return buf.Bytes()
	}
	out := member([]byte(`{"name":"`))
	return append(out, bytes.Repeat(member(bytes.Repeat([]byte("x"), 1<<20)), 300)...)
})

// countingTransport counts the bytes the core reads of each answer, after
// net/http's own decompression.
type countingTransport struct {
	next http.RoundTripper
	read atomic.Int64
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err == nil {
		resp.Body = &countingReader{resp.Body, &t.read}
	}
	return resp, err
}

type countingReader struct {
	io.ReadCloser
	n *atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.n.Add(int64(n))
	return n, err
}

// TestOversizedSuccessBodies: a 2xx answer larger than MaxBody fails with
// an error saying so, after reading about MaxBody bytes of it, however it
// comes: a 300 MB JSON string, an endless body, or a gzip bomb that
// net/http decompresses on the fly.
func TestOversizedSuccessBodies(t *testing.T) {
	t.Parallel()
	const maxBody = 1 << 20
	for _, effect := range []rest.Effect{rest.Read, rest.Write, rest.Create} {
		for _, name := range []string{"300 MB JSON string", "endless", "gzip bomb"} {
			t.Run(effect.String()+"/"+name, func(t *testing.T) {
				t.Parallel()
				var read func() int64
				mod := func(c *rest.Config) { c.MaxBody = maxBody }
				var h http.HandlerFunc
				switch name {
				case "300 MB JSON string", "endless":
					n := int64(300 << 20)
					if name == "endless" {
						n = -1
					}
					body := &endless{prefix: `{"name":"`, n: n}
					read = body.read.Load
					mod = func(c *rest.Config) {
						c.MaxBody = maxBody
						c.HTTPClient = &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
							return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: body, Request: r}, nil
						})}
					}
				case "gzip bomb":
					bomb := gzipBomb()
					h = func(w http.ResponseWriter, r *http.Request) {
						w.Header().Set("Content-Type", "application/json")
						w.Header().Set("Content-Encoding", "gzip")
						_, _ = w.Write(bomb)
					}
					ct := &countingTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
					read = ct.read.Load
					mod = func(c *rest.Config) {
						c.MaxBody = maxBody
						c.HTTPClient = &http.Client{Transport: ct}
					}
				}
				hs := newHarness(t, h, mod)
				var out item
				_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "x", Effect: effect}, &out)
				if err == nil || !strings.Contains(err.Error(), "MaxBody "+strconv.Itoa(maxBody)) {
					t.Fatalf("err = %v, want one saying the answer is over MaxBody", err)
				}
				if !errors.Is(err, shopimg.ErrUnavailable) || errors.Is(err, shopimg.ErrOutcomeUnknown) != (effect != rest.Read) {
					t.Errorf("err = %v: want ErrUnavailable, and ErrOutcomeUnknown for a write", err)
				}
				// Each attempt reads MaxBody+1 bytes, and a too large
				// answer is not retried.
				if got := read(); got > maxBody+64<<10 {
					t.Errorf("read %d bytes, want at most about MaxBody (%d)", got, maxBody)
				}
			})
		}
	}
}

// oversizedAnswers sends n reads answered with 300 MB of JSON, under the
// default MaxBody (8 MiB), and returns the bytes allocated and read per
// call.
func oversizedAnswers(tb testing.TB, n int) (alloc, read float64) {
	tb.Helper()
	var total atomic.Int64
	cfg := rest.Config{Settings: rest.DefaultSettings("https://api.example.com"), Platform: "testvendor"}
	cfg.HTTPClient = &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		body := &endless{prefix: `{"name":"`, n: 300 << 20}
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: &countingReader{body, &total}, Request: r}, nil
	})}
	c, err := rest.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		var out item
		if _, err := c.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, &out); err == nil {
			tb.Fatal("no error")
		}
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(n), float64(total.Load()) / float64(n)
}

// BenchmarkOversizedAnswer reports the memory a 300 MB 2xx answer costs.
func BenchmarkOversizedAnswer(b *testing.B) {
	alloc, read := oversizedAnswers(b, b.N)
	b.ReportMetric(alloc, "alloc-bytes/op")
	b.ReportMetric(read, "read-bytes/op")
}

// TestOversizedAnswerMemory: a 300 MB answer costs about twice MaxBody in
// allocations (the read buffer growing to MaxBody), not its size. It is
// not parallel, so that no other test allocates meanwhile.
func TestOversizedAnswerMemory(t *testing.T) { //nolint:paralleltest // measures the process's allocations
	alloc, read := oversizedAnswers(t, 2)
	// About 2 × MaxBody; the race detector's runtime allocates more.
	if alloc > 6*rest.DefaultMaxBody {
		t.Errorf("a 300 MB answer allocated %.1f MiB per call, want at most 6 × MaxBody (%d MiB)", alloc/(1<<20), 6*rest.DefaultMaxBody>>20)
	}
	if read > rest.DefaultMaxBody+1 {
		t.Errorf("read %.0f bytes per call, want at most MaxBody+1", read)
	}
}
