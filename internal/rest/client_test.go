package rest_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
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
	"github.com/shopimg/shopimg/shopimgtest"
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
	cfg := rest.Config{Settings: rest.DefaultSettings("https://api.example.com"), Platform: "testvendor", Credentials: []rest.Credential{{Header: "X-Auth-Token", Value: secret}}}
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
	checkNoSecret(t, err)
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
	want := "testvendor: GET /api/v1/x: 502 Bad Gateway: HTML error page (" + strconv.Itoa(len(page)) + " bytes): 502 Bad Gateway (after 2 attempts)"
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
	if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: rest.Path("products/%s", "..")}, nil); !errors.Is(err, shopimg.ErrInvalidInput) {
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

// TestHugeErrorBodyOverHTTP: a real server sends a 10 MiB error page that
// starts by echoing the credential; the client keeps the limit's worth,
// scrubbed, and its message stays one short line.
func TestHugeErrorBodyOverHTTP(t *testing.T) {
	t.Parallel()
	const size = 10 << 20
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadRequest)
		head := "bad token " + r.Header.Get("X-Auth-Token") + " "
		_, _ = io.WriteString(w, head)
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for n := len(head); n < size; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading
			}
		}
	}, func(c *rest.Config) { c.MaxErrorBody = 1 << 10 })
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	var apiErr *shopimg.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Fatalf("err = %v, want a 400 APIError", err)
	}
	if len(apiErr.Body) > 1<<10 || !bytes.HasPrefix(apiErr.Body, []byte("bad token REDACTED x")) {
		t.Errorf("kept %d bytes starting %.40q; want at most 1 KiB, scrubbed", len(apiErr.Body), apiErr.Body)
	}
	if len(err.Error()) > 500 {
		t.Errorf("error message is %d bytes long", len(err.Error()))
	}
}

func TestBearerTokenIsScrubbed(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		// Echo only the token, without its "Bearer " scheme.
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprintf(w, "token %s has expired", token)
	}, func(c *rest.Config) {
		c.Credentials = append(c.Credentials, rest.Credential{Header: "Authorization", Prefix: "Bearer ", Value: secret})
	})
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	want := "testvendor: GET /api/v1/x: 401 Unauthorized: token REDACTED has expired"
	if err == nil || err.Error() != want || !errors.Is(err, shopimg.ErrUnauthorized) {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}

func TestEmptySuccessBody(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusOK, http.StatusCreated, http.StatusNoContent} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
			got := item{ID: 42}
			resp, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "x"}, &got)
			if err != nil || resp.StatusCode != status || got.ID != 42 {
				t.Errorf("got %+v, %v, status %d; want success with out untouched", got, err, resp.StatusCode)
			}
		})
	}
}

// TestBadRequestsAreNotSent: a request the core cannot build fails before
// anything reaches the server.
func TestBadRequestsAreNotSent(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, okJSON(`{}`))
	f := shopimg.FileFromBytes("a.png", []byte("x"))
	bad := map[string]*rest.Request{
		"JSON and multipart": {Method: http.MethodPost, Path: "x", JSON: item{}, Multipart: &rest.Multipart{FileField: "f", File: f}},
		"unencodable JSON":   {Method: http.MethodPost, Path: "x", JSON: map[string]any{"c": make(chan int)}},
		"query not a struct": {Method: http.MethodGet, Path: "x", Query: 5},
		"file without field": {Method: http.MethodPost, Path: "x", Multipart: &rest.Multipart{File: f}},
		"dot segment":        {Method: http.MethodGet, Path: "a/./b"},
		"bad method":         {Method: "BAD METHOD", Path: "x"},
	}
	for name, r := range bad {
		if _, err := hs.do(context.Background(), r, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := hs.hits.Load(); n != 0 {
		t.Errorf("the server saw %d requests, want 0", n)
	}
	//lint:ignore SA1012 a nil context on purpose
	if _, err := hs.client.Do(nil, &rest.Request{Method: http.MethodGet, Path: "x"}, nil); err == nil {
		t.Error("a nil context: no error")
	}
}

func TestUserAgentOnTheWire(t *testing.T) {
	t.Parallel()
	var got atomic.Value
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get("User-Agent"))
		w.WriteHeader(http.StatusNoContent)
	}, func(c *rest.Config) {
		if err := c.SetUserAgent("pim-connector/2.1"); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil); err != nil {
		t.Fatal(err)
	}
	if ua := got.Load(); ua != "pim-connector/2.1 "+shopimg.UserAgent {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestEffectString(t *testing.T) {
	t.Parallel()
	got := []string{rest.Auto.String(), rest.Read.String(), rest.Write.String(), rest.Create.String(), rest.Effect(9).String()}
	if diff := cmp.Diff([]string{"auto", "read", "write", "create", "Effect(9)"}, got); diff != "" {
		t.Errorf("Op names (-want +got):\n%s", diff)
	}
}

func TestClientAccessors(t *testing.T) {
	t.Parallel()
	lim := rest.NewLimiter(nil)
	cfg := rest.Config{Settings: rest.DefaultSettings("https://api.example.com"), Platform: "testvendor"}
	cfg.Limiter = lim
	c, err := rest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Platform() != "testvendor" || c.Limiter() != lim {
		t.Errorf("Platform %q, Limiter shared %v", c.Platform(), c.Limiter() == lim)
	}
	if _, err := rest.New(rest.Config{Settings: rest.DefaultSettings("https://api.example.com")}); err == nil {
		t.Error("New without Platform: no error")
	}
}

func TestBinaryErrorBody(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusConflict)
		_, _ = w.Write([]byte{0xff, 0xfe, 0x00, 0x01})
	})
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPut, Path: "x"}, nil)
	if want := "testvendor: PUT /api/v1/x: 409 Conflict: binary body (4 bytes)"; err == nil || err.Error() != want || !errors.Is(err, shopimg.ErrConflict) {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}

// TestUploadSizeMismatchIsNotRetried: a File whose Size is wrong fails the
// same way on every attempt, so it is reported at once; the body was cut
// short, so even a create surely did not happen.
func TestUploadSizeMismatchIsNotRetried(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodPut, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusNoContent)
			})
			var opens atomic.Int64
			f := &shopimg.File{Name: "a.png", Size: 10, Open: func() (io.ReadCloser, error) {
				opens.Add(1)
				return io.NopCloser(strings.NewReader("abc")), nil
			}}
			_, err := hs.do(context.Background(), &rest.Request{Method: method, Path: "x", Multipart: &rest.Multipart{FileField: "photo", File: f}}, nil)
			if err == nil || !strings.Contains(err.Error(), "Size says 10") || errors.Is(err, shopimg.ErrOutcomeUnknown) {
				t.Errorf("err = %v, want the size mismatch, outcome known", err)
			}
			if opens.Load() != 1 || len(hs.clock.Sleeps()) != 0 {
				t.Errorf("opened %d times, slept %v; want 1 and no retry", opens.Load(), hs.clock.Sleeps())
			}
		})
	}
}

func TestUntrustedCertificateIsNotRetried(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(srv.Close)
	clock := shopimgtest.NewClock(epoch)
	cfg := rest.Config{Settings: rest.DefaultSettings(srv.URL), Platform: "testvendor", Credentials: []rest.Credential{{Header: "X-Auth-Token", Value: secret}}}
	cfg.Clock = clock
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{}} // trusts nothing of the test server's
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)            // the handshake failure is expected
	c, err := rest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		_, err = c.Do(context.Background(), &rest.Request{Method: method, Path: "x", Query: url.Values{"token": {secret}}}, nil)
		checkNoSecret(t, err)
		var verr *tls.CertificateVerificationError
		if !errors.As(err, &verr) || errors.Is(err, shopimg.ErrOutcomeUnknown) || len(clock.Sleeps()) != 0 {
			t.Errorf("%s: err = %v, sleeps %v; want a certificate error, outcome known, no retry", method, err, clock.Sleeps())
		}
	}
}

// countingSource is an upload of n bytes that counts how many were read.
type countingSource struct {
	left int64
	read atomic.Int64
}

func (s *countingSource) Read(p []byte) (int, error) {
	if s.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), s.left)
	clear(p[:n])
	s.left -= n
	s.read.Add(n)
	return int(n), nil
}

func (s *countingSource) Close() error { return nil }

// TestUploadIsStreamed: when the server sees the first bytes of a 16 MiB
// file part, the client has read only part of the source, so the upload is
// not buffered whole before it is sent.
func TestUploadIsStreamed(t *testing.T) {
	t.Parallel()
	const size = 16 << 20
	src := &countingSource{left: size}
	var readWhenFirstSeen, received int64
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		part, err := multipart.NewReader(r.Body, params["boundary"]).NextPart()
		if err != nil {
			t.Error(err)
			return
		}
		var first [1 << 10]byte
		n, _ := io.ReadFull(part, first[:])
		readWhenFirstSeen = src.read.Load()
		rest, _ := io.Copy(io.Discard, part)
		received = int64(n) + rest
		w.WriteHeader(http.StatusNoContent)
	})
	f := &shopimg.File{Name: "big.jpg", Size: size, Open: func() (io.ReadCloser, error) { return src, nil }}
	if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPut, Path: "x", Multipart: &rest.Multipart{FileField: "photo", File: f}}, nil); err != nil {
		t.Fatal(err)
	}
	if received != size {
		t.Errorf("the server received %d bytes, want %d", received, size)
	}
	if readWhenFirstSeen >= size/2 {
		t.Errorf("%d of %d bytes were read from the source before the server saw the first; want the upload streamed", readWhenFirstSeen, size)
	}
}

func TestEchoedQuerySecretIsScrubbed(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, "bad request to %s", r.URL.String())
	})
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x", Query: url.Values{"api_key": {secret}, "page": {"2"}}}, nil)
	var apiErr *shopimg.APIError
	if !errors.As(err, &apiErr) || !strings.Contains(apiErr.Message, "api_key=REDACTED") || !strings.Contains(apiErr.Message, "page=2") {
		t.Errorf("err = %v, want the key scrubbed and the rest kept", err)
	}
}
