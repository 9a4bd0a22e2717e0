package rest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// categories are what every error of the core must match at least one of.
var categories = []error{
	shopimg.ErrNotFound, shopimg.ErrUnauthorized, shopimg.ErrRateLimited, shopimg.ErrInvalidInput,
	shopimg.ErrUnsupported, shopimg.ErrConflict, shopimg.ErrUnavailable, shopimg.ErrOutcomeUnknown,
	context.Canceled, context.DeadlineExceeded,
}

func shopimgCategory(err error) bool {
	for _, c := range categories {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}

// statusClient is a client whose every answer is status with body, through
// a RoundTripper (so 1xx and odd statuses can be answered).
func statusClient(t *testing.T, status int, header http.Header, body string, mods ...func(*rest.Config)) *rest.Client {
	t.Helper()
	cfg := rest.Config{Settings: rest.DefaultSettings("https://api.example.com/v1"), Platform: "testvendor",
		Credentials: []rest.Credential{{Header: "X-Auth-Token", Value: secret}}}
	cfg.HTTPClient = &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
		h := header.Clone()
		if h == nil {
			h = http.Header{}
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	})}
	cfg.Clock = newClock()
	cfg.Retry.MaxRetries = 2
	for _, m := range mods {
		m(&cfg)
	}
	c, err := rest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEveryStatusMatchesACategory: whatever status answers, for every
// Effect, the error matches a category.
func TestEveryStatusMatchesACategory(t *testing.T) {
	t.Parallel()
	statuses := []int{100, 103, 199, 300, 301, 302, 304, 307, 399, 400, 401, 402, 403, 404, 405, 408, 409, 410, 413,
		418, 422, 423, 429, 451, 499, 500, 501, 502, 503, 504, 507, 599, 600, 999}
	for _, status := range statuses {
		for _, effect := range []rest.Effect{rest.Read, rest.Write, rest.Create} {
			t.Run(fmt.Sprintf("%d/%s", status, effect), func(t *testing.T) {
				t.Parallel()
				c := statusClient(t, status, nil, `{"error":"x"}`)
				_, err := c.Do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "x", Effect: effect}, nil)
				if err == nil || !shopimgCategory(err) {
					t.Errorf("err = %v, want one matching a category", err)
				}
			})
		}
	}
}

// TestFailuresAfterRetriesAreUnavailable: a 5xx, a dropped connection or a
// refused connection that lasts through every retry gives an error matching
// ErrUnavailable that says how many attempts were made.
func TestFailuresAfterRetriesAreUnavailable(t *testing.T) {
	t.Parallel()
	cases := map[string]http.HandlerFunc{
		"503":     func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) },
		"500":     func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) },
		"EOF":     hangUp,
		"RST":     resetConn,
		"refused": nil, // the server is closed
		"2xx HTML": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>maintenance</html>"))
		},
		"2xx cut short": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			_, _ = w.Write([]byte(`{"id":`))
		},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, h)
			if h == nil {
				hs.srv.Close()
			}
			resp, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, &item{})
			if !errors.Is(err, shopimg.ErrUnavailable) || errors.Is(err, shopimg.ErrOutcomeUnknown) {
				t.Fatalf("err = %v, want ErrUnavailable only", err)
			}
			if !strings.Contains(err.Error(), "(after 4 attempts)") {
				t.Errorf("err = %q, want it to say 4 attempts", err)
			}
			if resp != nil && resp.Attempts != 4 {
				t.Errorf("Response.Attempts = %d, want 4", resp.Attempts)
			}
		})
	}
}

// TestEveryFailureMatchesACategory is the table of the ways a call fails
// without an error status, each of which must match a category.
func TestEveryFailureMatchesACategory(t *testing.T) {
	t.Parallel()
	upload := func(open func() (io.ReadCloser, error), size int64) *rest.Multipart {
		return &rest.Multipart{FileField: "f", File: &shopimg.File{Name: "a.png", Size: size, Open: open}}
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancelExpired := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	t.Cleanup(cancelExpired)
	during, cancelDuring := context.WithCancel(context.Background())
	t.Cleanup(cancelDuring)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(tlsSrv.Close)
	cases := []struct {
		name string
		ctx  context.Context
		req  *rest.Request
		h    http.HandlerFunc
		mods []func(*rest.Config)
		want error
	}{
		{name: "nil context", ctx: nil, want: shopimg.ErrInvalidInput},
		{name: "JSON and multipart", req: &rest.Request{Method: http.MethodPost, Path: "x", JSON: item{}, Multipart: upload(nil, 1)}, want: shopimg.ErrInvalidInput},
		{name: "unencodable JSON", req: &rest.Request{Method: http.MethodPost, Path: "x", JSON: map[string]any{"c": make(chan int)}}, want: shopimg.ErrInvalidInput},
		{name: "query not a struct", req: &rest.Request{Method: http.MethodGet, Path: "x", Query: 5}, want: shopimg.ErrInvalidInput},
		{name: "file without Open", req: &rest.Request{Method: http.MethodPost, Path: "x", Multipart: upload(nil, 1)}, want: shopimg.ErrInvalidInput},
		{name: "bad method", req: &rest.Request{Method: "BAD METHOD", Path: "x"}, want: shopimg.ErrInvalidInput},
		{name: "dot segment", req: &rest.Request{Method: http.MethodGet, Path: "a/../b"}, want: shopimg.ErrInvalidInput},
		{name: "upload cannot be opened", req: &rest.Request{Method: http.MethodPost, Path: "x",
			Multipart: upload(func() (io.ReadCloser, error) { return nil, errors.New("gone") }, 1)}, want: shopimg.ErrInvalidInput},
		{name: "upload shorter than its size", req: &rest.Request{Method: http.MethodPut, Path: "x",
			Multipart: upload(func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("ab")), nil }, 10)}, want: shopimg.ErrUnavailable},
		{name: "cancelled before", ctx: cancelled, want: context.Canceled},
		{name: "deadline passed before", ctx: expired, want: context.DeadlineExceeded},
		{name: "cancelled during", ctx: during, h: func(w http.ResponseWriter, r *http.Request) {
			cancelDuring()
			<-r.Context().Done()
		}, want: context.Canceled},
		{name: "redirect to another origin", h: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
		}, want: shopimg.ErrUnavailable},
		{name: "untrusted certificate", mods: []func(*rest.Config){func(c *rest.Config) { c.BaseURL = tlsSrv.URL }}, want: shopimg.ErrUnavailable},
		{name: "quota used up for longer than the cap", mods: []func(*rest.Config){func(c *rest.Config) {
			c.Limiter = rest.NewLimiter(c.Clock)
			c.Limiter.PauseFor(time.Hour)
		}}, want: shopimg.ErrRateLimited},
		{name: "credential source fails", mods: []func(*rest.Config){func(c *rest.Config) {
			c.Credentials = append(c.Credentials, rest.Credential{Header: "T", Source: func(context.Context) (string, error) { return "", io.EOF }})
		}}, want: shopimg.ErrUnauthorized},
		{name: "2xx larger than MaxBody", h: okJSON(`{"name":"` + strings.Repeat("x", 100) + `"}`),
			mods: []func(*rest.Config){func(c *rest.Config) { c.MaxBody = 10 }}, want: shopimg.ErrUnavailable},
		{name: "2xx not JSON", h: okJSON(`not json`), want: shopimg.ErrUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := tc.h
			if h == nil {
				h = okJSON(`{}`)
			}
			hs := newHarness(t, h, tc.mods...)
			req := tc.req
			if req == nil {
				req = &rest.Request{Method: http.MethodGet, Path: "x"}
			}
			ctx := tc.ctx
			if ctx == nil && tc.name != "nil context" {
				ctx = context.Background()
			}
			_, err := hs.do(ctx, req, &item{})
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want it to match %v", err, tc.want)
			}
			if !shopimgCategory(err) {
				t.Errorf("err = %v matches no category", err)
			}
		})
	}
}

// TestCreateFailuresMatchACategory: the same for a create, where a failure
// after sending also says the outcome is unknown.
func TestCreateFailuresMatchACategory(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]http.HandlerFunc{
		"EOF": hangUp, "RST": resetConn,
		"500":      func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) },
		"2xx HTML": func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html></html>")) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, h)
			_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "x", JSON: item{}}, &item{})
			if !errors.Is(err, shopimg.ErrOutcomeUnknown) || !errors.Is(err, shopimg.ErrUnavailable) {
				t.Errorf("err = %v, want ErrOutcomeUnknown and ErrUnavailable", err)
			}
		})
	}
}

var attemptsRE = regexp.MustCompile(`\(after (\d+) attempts\)`)

// attemptsIn returns the attempt count an error message states (1 when it
// states none).
func attemptsIn(msg string) int {
	m := attemptsRE.FindStringSubmatch(msg)
	if m == nil {
		return 1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestAttemptsInMessageMatchResponse: the count the message states is the
// count the Response and the APIError carry.
func TestAttemptsInMessageMatchResponse(t *testing.T) {
	t.Parallel()
	for _, retries := range []int{0, 1, 5} {
		t.Run(strconv.Itoa(retries), func(t *testing.T) {
			t.Parallel()
			c := statusClient(t, 502, nil, "bad gateway", func(c *rest.Config) { c.Retry.MaxRetries = retries })
			resp, err := c.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
			var apiErr *shopimg.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v", err)
			}
			if n := attemptsIn(err.Error()); n != retries+1 || apiErr.Attempts != n || resp.Attempts != n {
				t.Errorf("message says %d attempts, APIError %d, Response %d; want %d", n, apiErr.Attempts, resp.Attempts, retries+1)
			}
		})
	}
}
