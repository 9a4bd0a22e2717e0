package rest_test

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
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

func TestStatusToSentinel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		want   error
	}{
		{400, shopimg.ErrInvalidInput}, {401, shopimg.ErrUnauthorized}, {403, shopimg.ErrUnauthorized},
		{404, shopimg.ErrNotFound}, {409, shopimg.ErrConflict}, {422, shopimg.ErrInvalidInput},
		{429, shopimg.ErrRateLimited},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{"title":"nope"}`))
			}, func(c *rest.Config) { c.Retry.MaxRetries = 0 })
			_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "products/1"}, nil)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			var apiErr *shopimg.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status || apiErr.Path != "/api/v1/products/1" || apiErr.Platform != "testvendor" {
				t.Errorf("APIError = %+v", apiErr)
			}
		})
	}
}

func TestVendorDecoderRefinesError(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"code":"gone-away","message":"It is gone","fields":{"a":"bad"}}`))
	}, func(c *rest.Config) {
		c.DecodeError = func(e *shopimg.APIError, h http.Header, body []byte) {
			var v struct {
				Code, Message string
				Fields        map[string]string
			}
			if json.Unmarshal(body, &v) == nil {
				e.Code, e.Message = v.Code, v.Message
				for f, m := range v.Fields {
					e.Details = append(e.Details, shopimg.FieldError{Field: f, Message: m})
				}
				if v.Code == "gone-away" {
					e.Kind = shopimg.ErrNotFound
				}
			}
		}
	})
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	if !errors.Is(err, shopimg.ErrNotFound) || errors.Is(err, shopimg.ErrUnauthorized) {
		t.Errorf("err = %v, want ErrNotFound only", err)
	}
	want := "testvendor: GET /api/v1/x: 403 Forbidden: It is gone [gone-away] (a: bad)"
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err.Error(), want)
	}
}

// countingBody serves n bytes of 'x' and counts what is read.
type countingBody struct {
	left, read int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), b.left)
	for i := range p[:n] {
		p[i] = 'x'
	}
	b.left -= n
	b.read += n
	return int(n), nil
}
func (b *countingBody) Close() error { return nil }

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestHugeErrorBodyIsReadOnlyToLimit(t *testing.T) {
	t.Parallel()
	body := &countingBody{left: 10 << 20}
	hc := &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"text/plain"}}, Body: body, Request: r}, nil
	})}
	cfg := rest.Config{Settings: rest.DefaultSettings("https://api.example.com"), Platform: "testvendor"}
	cfg.HTTPClient = hc
	c, err := rest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	var apiErr *shopimg.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	if len(apiErr.Body) != rest.DefaultMaxErrorBody {
		t.Errorf("kept %d bytes of the body, want %d", len(apiErr.Body), rest.DefaultMaxErrorBody)
	}
	if body.read > rest.DefaultMaxErrorBody+32<<10 {
		t.Errorf("read %d bytes of a 10 MiB body, want about %d", body.read, rest.DefaultMaxErrorBody)
	}
	if len(err.Error()) > 500 {
		t.Errorf("error message is %d bytes long", len(err.Error()))
	}
}

func TestHTMLBadGatewayGivesClearError(t *testing.T) {
	t.Parallel()
	page := `<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>`
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(page))
	}, func(c *rest.Config) {
		c.Retry.MaxRetries = 1
		c.DecodeError = func(e *shopimg.APIError, h http.Header, body []byte) {
			t.Error("the vendor decoder was called with an HTML body")
		}
	})
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	want := "testvendor: GET /api/v1/x: 502 Bad Gateway: HTML error page (" + strconv.Itoa(len(page)) + " bytes): 502 Bad Gateway"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	if hs.hits.Load() != 2 {
		t.Errorf("hits = %d, want 2 (retried once)", hs.hits.Load())
	}
}

func TestEmptyErrorBody(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodDelete, Path: "x/1"}, nil)
	if err == nil || err.Error() != "testvendor: DELETE /api/v1/x/1: 404 Not Found: empty body" || !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("err = %v", err)
	}
}

func TestTransportErrorRedactsURL(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, okJSON(`{}`), func(c *rest.Config) { c.Retry.MaxRetries = 1 })
	hs.srv.Close()
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x", Query: url.Values{"access_token": {secret}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "access_token=REDACTED") {
		t.Errorf("err = %v, want the token redacted from the URL", err)
	}
}

func TestRequestBuilding(t *testing.T) {
	t.Parallel()
	type opts struct {
		Page  int    `url:"page,omitempty"`
		Limit int    `url:"limit,omitempty"`
		Sort  string `url:"sort,omitempty"`
	}
	var got *http.Request
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		w.WriteHeader(http.StatusNoContent)
	})
	var out item
	_, err := hs.do(context.Background(), &rest.Request{
		Method: http.MethodGet,
		Path:   rest.Path("products/%s/images/%s", "a/b c", "12.png"),
		Query:  opts{Page: 2, Limit: 50},
		Header: http.Header{"X-Extra": {"1"}},
	}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL.EscapedPath() != "/api/v1/products/a%2Fb%20c/images/12.png" {
		t.Errorf("path = %s", got.URL.EscapedPath())
	}
	if got.URL.RawQuery != "limit=50&page=2" {
		t.Errorf("query = %s", got.URL.RawQuery)
	}
	if ua := got.Header.Get("User-Agent"); ua != shopimg.UserAgent {
		t.Errorf("User-Agent = %q", ua)
	}
	if got.Header.Get("Accept") != "application/json" || got.Header.Get("X-Extra") != "1" {
		t.Errorf("headers = %v", got.Header)
	}
	if _, err := hs.client.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: rest.Path("products/%s", "..")}, nil); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("dot segment: err = %v, want ErrInvalidInput", err)
	}
	if hs.hits.Load() != 1 {
		t.Errorf("hits = %d, want 1", hs.hits.Load())
	}
}

func TestNewChecksConfig(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"", "ftp://x", "/relative", "https://x/?q=1"} {
		cfg := rest.Config{Settings: rest.DefaultSettings(base), Platform: "v"}
		if _, err := rest.New(cfg); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("base %q: err = %v, want ErrInvalidInput", base, err)
		}
	}
	cfg := rest.Config{Settings: rest.DefaultSettings("https://x"), Platform: "v"}
	cfg.Retry.MaxRetries = -1
	if _, err := rest.New(cfg); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("negative retries: err = %v", err)
	}
}

// openCounter is a 1 MiB upload whose opens and reads are counted.
type openCounter struct {
	data  []byte
	opens atomic.Int64
}

func (o *openCounter) file() *shopimg.File {
	return &shopimg.File{Name: "big \"shot\".png", Size: int64(len(o.data)), Open: func() (io.ReadCloser, error) {
		o.opens.Add(1)
		return io.NopCloser(bytes.NewReader(o.data)), nil
	}}
}

func TestMultipartStreamsAndReplays(t *testing.T) {
	t.Parallel()
	up := &openCounter{data: bytes.Repeat([]byte("0123456789abcdef"), 1<<16)}
	var (
		mu    sync.Mutex
		forms []map[string]string
		lens  []int64
	)
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "multipart/form-data" {
			t.Errorf("Content-Type = %s", mt)
		}
		form := map[string]string{}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			form[p.FormName()] = string(b)
			if p.FileName() != "" {
				form["filename"] = p.FileName()
				form["type"] = p.Header.Get("Content-Type")
			}
		}
		mu.Lock()
		forms = append(forms, form)
		lens = append(lens, r.ContentLength)
		n := len(forms)
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		okJSON(`{"id":5}`)(w, r)
	})
	var got item
	_, err := hs.do(context.Background(), &rest.Request{
		Method:    http.MethodPost,
		Path:      "images",
		Multipart: &rest.Multipart{Fields: []rest.Field{{Name: "alt", Value: "Front"}}, FileField: "image_file", File: up.file()},
	}, &got)
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 2 || up.opens.Load() != 2 {
		t.Fatalf("%d requests, %d opens; want 2 and 2", len(forms), up.opens.Load())
	}
	for i, f := range forms {
		if f["image_file"] != string(up.data) || f["alt"] != "Front" || f["filename"] != `big "shot".png` || f["type"] != "image/png" {
			t.Errorf("attempt %d: form fields %q %q %q, file %d bytes", i, f["alt"], f["filename"], f["type"], len(f["image_file"]))
		}
		if lens[i] <= int64(len(up.data)) {
			t.Errorf("attempt %d: Content-Length %d, want the exact form size", i, lens[i])
		}
	}
	if lens[0] != lens[1] {
		t.Errorf("Content-Length differs between attempts: %v", lens)
	}
}

func TestMultipartUnknownSizeIsChunked(t *testing.T) {
	t.Parallel()
	data := []byte("png-bytes")
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != -1 {
			t.Errorf("ContentLength = %d, want -1 (chunked)", r.ContentLength)
		}
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Error(err)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	f := &shopimg.File{Name: "a.png", Size: -1, Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
	if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPut, Path: "x", Multipart: &rest.Multipart{FileField: "photo", File: f}}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestUploadOpenErrorIsReported(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, okJSON(`{}`))
	f := &shopimg.File{Name: "a.png", Size: 1, Open: func() (io.ReadCloser, error) { return nil, errors.New("disk gone") }}
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "x", Multipart: &rest.Multipart{FileField: "photo", File: f}}, nil)
	if err == nil || !strings.Contains(err.Error(), "disk gone") || hs.hits.Load() != 0 {
		t.Errorf("err = %v after %d hits", err, hs.hits.Load())
	}
}

// quotaServer enforces a fixed window of limit requests per window on the
// given clock and reports it in BigCommerce-like headers.
type quotaServer struct {
	mu        sync.Mutex
	clock     shopimg.Clock
	limit     int
	window    time.Duration
	start     time.Time
	used      int
	ok, limed int
}

func (q *quotaServer) handle(w http.ResponseWriter, r *http.Request) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.clock.Now()
	if q.start.IsZero() || now.Sub(q.start) >= q.window {
		q.start, q.used = now, 0
	}
	reset := q.window - now.Sub(q.start)
	w.Header().Set("X-Left", strconv.Itoa(max(q.limit-q.used-1, 0)))
	w.Header().Set("X-Quota", strconv.Itoa(q.limit))
	w.Header().Set("X-Reset-Ms", strconv.FormatInt(reset.Milliseconds(), 10))
	w.Header().Set("X-Window-Ms", strconv.FormatInt(q.window.Milliseconds(), 10))
	if q.used >= q.limit {
		q.limed++
		w.Header().Set("X-Left", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	q.used++
	q.ok++
	w.WriteHeader(http.StatusNoContent)
}

func readQuota(h http.Header) (rest.RateInfo, bool) {
	left, err := strconv.Atoi(h.Get("X-Left"))
	if err != nil {
		return rest.RateInfo{}, false
	}
	quota, _ := strconv.Atoi(h.Get("X-Quota"))
	reset, _ := strconv.Atoi(h.Get("X-Reset-Ms"))
	window, _ := strconv.Atoi(h.Get("X-Window-Ms"))
	return rest.RateInfo{Remaining: left, Limit: quota, Reset: time.Duration(reset) * time.Millisecond, Window: time.Duration(window) * time.Millisecond}, true
}

func TestLimiterKeepsToQuota(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{1, 8} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, nil, func(c *rest.Config) { c.ReadRate = readQuota })
			q := &quotaServer{clock: hs.clock, limit: 10, window: 30 * time.Second}
			hs.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { q.handle(w, r) })
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for range 64 / workers {
						if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			if q.limed != 0 || q.ok != 64 {
				t.Errorf("server answered %d ok and %d 429s; want 64 and 0", q.ok, q.limed)
			}
			if hs.clock.Slept() < 5*30*time.Second {
				t.Errorf("slept %v in all, want at least 5 windows", hs.clock.Slept())
			}
		})
	}
}

func TestPagesIterator(t *testing.T) {
	t.Parallel()
	calls := 0
	fetch := func(ctx context.Context, page int) ([]int, int, bool, error) {
		calls++
		return []int{page * 10, page*10 + 1}, page + 1, page < 3, nil
	}
	var got []int
	for v, err := range rest.Pages(context.Background(), 1, fetch) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if diff := cmp.Diff([]int{10, 11, 20, 21, 30, 31}, got); diff != "" || calls != 3 {
		t.Errorf("calls %d, diff (-want +got):\n%s", calls, diff)
	}
	calls = 0
	for v := range rest.Pages(context.Background(), 1, fetch) {
		if v == 11 {
			break
		}
	}
	if calls != 1 {
		t.Errorf("stopping early made %d calls, want 1", calls)
	}
	stuck := func(ctx context.Context, page int) ([]int, int, bool, error) { return []int{1}, page, true, nil }
	var lastErr error
	for _, err := range rest.Pages(context.Background(), 1, stuck) {
		lastErr = err
	}
	if lastErr == nil {
		t.Error("a repeated cursor did not end the iteration with an error")
	}
}

func TestEchoedSecretsAreScrubbed(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		// Like FinerWorks' status.debug: the request comes back in the error.
		_, _ = fmt.Fprintf(w, `{"message":"bad key %s","debug":{"X-Auth-Token":%q}}`, r.Header.Get("X-Auth-Token"), r.Header.Get("X-Auth-Token"))
	}, func(c *rest.Config) {
		c.DecodeError = func(e *shopimg.APIError, h http.Header, body []byte) {
			var v struct{ Message string }
			if json.Unmarshal(body, &v) == nil {
				e.Message = v.Message
			}
		}
	})
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	var apiErr *shopimg.APIError
	if !errors.As(err, &apiErr) || apiErr.Message != "bad key REDACTED" || !strings.Contains(string(apiErr.Body), `"X-Auth-Token":"REDACTED"`) {
		t.Errorf("err = %v, body %s", err, apiErr.Body)
	}
}
