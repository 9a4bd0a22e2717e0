package bigcommerce_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/shopimgtest"
)

func TestNewClientChecksItsInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, hash, token string
		opts              []bigcommerce.Option
	}{
		{"empty store hash", "", "secret-token", nil},
		{"blank store hash", "  ", "secret-token", nil},
		{"store hash with a slash", "abc/../x", "secret-token", nil},
		{"store hash with a query", "abc?x=1", "secret-token", nil},
		{"store hash with a space", "ab c", "secret-token", nil},
		{"empty token", "abc", "", nil},
		{"token with a line break", "abc", "secret\r\nX-Evil: 1", nil},
		{"relative base URL", "abc", "secret-token", []bigcommerce.Option{bigcommerce.WithBaseURL("/api")}},
		{"base URL with a query", "abc", "secret-token", []bigcommerce.Option{bigcommerce.WithBaseURL("https://proxy.example/?token=secret-token")}},
		{"nil HTTP client", "abc", "secret-token", []bigcommerce.Option{bigcommerce.WithHTTPClient(nil)}},
		{"nil clock", "abc", "secret-token", []bigcommerce.Option{bigcommerce.WithClock(nil)}},
		{"zero upload limit", "abc", "secret-token", []bigcommerce.Option{bigcommerce.WithMaxUploadSize(0)}},
		{"user agent with a line break", "abc", "secret-token", []bigcommerce.Option{bigcommerce.WithUserAgent("a\nb")}},
	}
	for _, tc := range cases {
		c, err := bigcommerce.NewClient(tc.hash, tc.token, tc.opts...)
		if c != nil || !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: NewClient = %v, %v; want nil and ErrInvalidInput", tc.name, c, err)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows the token: %v", tc.name, err)
		}
	}
}

// recordingTransport answers every request with 204 and keeps it.
type recordingTransport struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, r)
	rt.mu.Unlock()
	return &http.Response{StatusCode: http.StatusNoContent, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

// TestDefaultBaseURLAndHeaders: without WithBaseURL the client calls the
// API gateway, https://api.bigcommerce.com/stores/{store_hash}/v3 and /v2,
// with the token in X-Auth-Token only, Accept: application/json, no
// X-Auth-Client, and the User-Agent given.
func TestDefaultBaseURLAndHeaders(t *testing.T) {
	t.Parallel()
	rt := &recordingTransport{}
	c, err := bigcommerce.NewClient("abc123", "secret-token",
		bigcommerce.WithHTTPClient(&http.Client{Transport: rt}),
		bigcommerce.WithClock(shopimgtest.NewClock(epoch)),
		bigcommerce.WithUserAgent("my-pim/2.1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ListImages(ctx, 111, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.V2().ListImages(ctx, 111, nil); err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, r := range rt.reqs {
		urls = append(urls, r.URL.String())
		if got := r.Header.Get("X-Auth-Token"); got != "secret-token" {
			t.Errorf("X-Auth-Token = %q", got)
		}
		if got := r.Header.Get("Accept"); got != "application/json" {
			t.Errorf("Accept = %q", got)
		}
		if r.Header.Get("X-Auth-Client") != "" {
			t.Error("X-Auth-Client sent; it is no longer required")
		}
		if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "my-pim/2.1 ") || !strings.Contains(ua, "shopimg") {
			t.Errorf("User-Agent = %q", ua)
		}
		for k, vs := range r.Header {
			if k != "X-Auth-Token" && strings.Contains(strings.Join(vs, " "), "secret-token") {
				t.Errorf("header %s carries the token", k)
			}
		}
	}
	want := []string{
		"https://api.bigcommerce.com/stores/abc123/v3/catalog/products/111/images",
		"https://api.bigcommerce.com/stores/abc123/v2/products/111/images",
	}
	if d := cmp.Diff(want, urls); d != "" {
		t.Errorf("URLs (-want +got):\n%s", d)
	}
	if got := c.String() + " " + c.StoreHash(); strings.Contains(got, "secret") || got != "bigcommerce.Client{store:abc123} abc123" {
		t.Errorf("String, StoreHash = %q", got)
	}
}
