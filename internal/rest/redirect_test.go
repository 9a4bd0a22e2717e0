package rest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// TestRedirectToAnotherOriginIsRefused: a redirect to another host would
// carry the credential header there (net/http forwards all but
// Authorization and Cookie), so it is refused, once, without retries; a
// create so refused may have been carried out.
func TestRedirectToAnotherOriginIsRefused(t *testing.T) {
	t.Parallel()
	var stolen atomic.Int64
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "" {
			stolen.Add(1)
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(evil.Close)
	t.Cleanup(func() { // after the parallel subtests
		if n := stolen.Load(); n != 0 {
			t.Errorf("the other host received the credential %d times", n)
		}
	})
	for _, tc := range []struct {
		method string
		op     rest.Effect
		status int
	}{
		{http.MethodGet, rest.Auto, http.StatusFound},
		{http.MethodGet, rest.Auto, http.StatusTemporaryRedirect},
		{http.MethodPut, rest.Auto, http.StatusPermanentRedirect},
		{http.MethodPost, rest.Create, http.StatusTemporaryRedirect},
	} {
		t.Run(tc.method+"/"+strconv.Itoa(tc.status), func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, evil.URL+"/steal", tc.status)
			})
			_, err := hs.do(context.Background(), &rest.Request{Method: tc.method, Path: "x", Effect: tc.op, JSON: map[string]int{"a": 1}}, nil)
			var re *rest.RedirectError
			if !errors.As(err, &re) || re.To != evil.URL {
				t.Fatalf("err = %v, want a *rest.RedirectError to %s", err, evil.URL)
			}
			if got, want := errors.Is(err, shopimg.ErrOutcomeUnknown), tc.op == rest.Create; got != want {
				t.Errorf("errors.Is(err, ErrOutcomeUnknown) = %v, want %v: %v", got, want, err)
			}
			if n := hs.hits.Load(); n != 1 {
				t.Errorf("%d requests, want 1 (a refused redirect is not retried)", n)
			}
			if !strings.Contains(err.Error(), "another origin") {
				t.Errorf("err = %v, want it to say why", err)
			}
		})
	}
}

// TestRedirectsWithinTheOrigin are followed with the credentials, unless
// they would turn a write into a GET.
func TestRedirectsWithinTheOrigin(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/old":
			http.Redirect(w, r, "/api/v1/new", http.StatusMovedPermanently)
		case "/api/v1/write":
			http.Redirect(w, r, "/api/v1/new", http.StatusSeeOther)
		default:
			okJSON(`{"name":"moved"}`)(w, r)
		}
	})
	var got struct{ Name string }
	if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "old"}, &got); err != nil || got.Name != "moved" {
		t.Fatalf("GET through a same-origin redirect: %+v, %v", got, err)
	}
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPut, Path: "write", JSON: map[string]int{"a": 1}}, nil)
	var re *rest.RedirectError
	if !errors.As(err, &re) || re.Method != http.MethodPut || re.NewMethod != http.MethodGet {
		t.Fatalf("PUT answered 303: err = %v, want a refused method change", err)
	}
}

// TestCallerRedirectPolicyStillApplies: the caller's CheckRedirect runs
// after the origin check.
func TestCallerRedirectPolicyStillApplies(t *testing.T) {
	t.Parallel()
	errNo := errors.New("no redirects here")
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/old" {
			http.Redirect(w, r, "/api/v1/new", http.StatusFound)
			return
		}
		okJSON(`{}`)(w, r)
	}, func(c *rest.Config) {
		c.HTTPClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return errNo }}
	})
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "old"}, nil)
	if !errors.Is(err, errNo) {
		t.Errorf("err = %v, want the caller's policy error", err)
	}
}

// TestHTMLPageWithStatus200 is described as an HTML page, not as a JSON
// syntax error, and retried as a maintenance page is (a read); a create so
// answered may have happened.
func TestHTMLPageWithStatus200(t *testing.T) {
	t.Parallel()
	page := `<html><head><title>Down for maintenance</title></head><body>back soon</body></html>`
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(page))
	})
	var out struct{}
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, &out)
	want := "testvendor: GET /api/v1/x: expected JSON, got HTML error page (" + strconv.Itoa(len(page)) + " bytes): Down for maintenance (after 4 attempts)"
	if err == nil || err.Error() != want || !errors.Is(err, shopimg.ErrUnavailable) {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	_, err = hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "x", Effect: rest.Create}, &out)
	if !errors.Is(err, shopimg.ErrOutcomeUnknown) {
		t.Errorf("create answered with HTML: err = %v, want ErrOutcomeUnknown", err)
	}
}
