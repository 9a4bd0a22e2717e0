package rest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/shopimg/shopimg/internal/rest"
)

// newMockedClient returns a client on base whose every request goes through
// hc.
func newMockedClient(t *testing.T, hc *http.Client) *rest.Client {
	t.Helper()
	cfg := rest.Config{Settings: rest.DefaultSettings("https://api.example.com/v3"), Platform: "testvendor",
		Credentials: []rest.Credential{{Header: "X-Auth-Token", Value: secret}}}
	cfg.HTTPClient = hc
	cfg.Clock = newClock()
	c, err := rest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func getItem(t *testing.T, c *rest.Client) item {
	t.Helper()
	var got item
	if _, err := c.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "items/1"}, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestHTTPMockOnTheCallersClient: httpmock.ActivateNonDefault on the client
// given as Settings.HTTPClient works whether it is called before or after
// rest.New, and the caller's client is never changed by the core. Not
// parallel: httpmock's responders are global.
func TestHTTPMockOnTheCallersClient(t *testing.T) { //nolint:paralleltest // httpmock's responders are global
	t.Cleanup(httpmock.DeactivateAndReset)
	for _, before := range []bool{true, false} {
		name := "activated after New"
		if before {
			name = "activated before New"
		}
		t.Run(name, func(t *testing.T) {
			jar, _ := cookiejar.New(nil)
			hc := &http.Client{Jar: jar, Timeout: time.Minute}
			if before {
				httpmock.ActivateNonDefault(hc)
			}
			mocked := hc.Transport
			c := newMockedClient(t, hc)
			if !before {
				httpmock.ActivateNonDefault(hc)
				mocked = hc.Transport
			}
			httpmock.RegisterResponder(http.MethodGet, "https://api.example.com/v3/items/1", func(r *http.Request) (*http.Response, error) {
				if r.Header.Get("X-Auth-Token") != secret {
					return httpmock.NewStringResponse(http.StatusUnauthorized, "no auth"), nil
				}
				return httpmock.NewStringResponse(http.StatusOK, `{"id":1,"name":"mocked"}`), nil
			})
			if got := getItem(t, c); got.Name != "mocked" {
				t.Errorf("got %+v, want the mocked answer", got)
			}
			if hc.Transport != mocked || hc.Jar != jar || hc.Timeout != time.Minute || hc.CheckRedirect != nil {
				t.Errorf("the caller's client was changed: %+v", hc)
			}
			if n := httpmock.GetTotalCallCount(); n != 1 {
				t.Errorf("httpmock saw %d calls, want 1", n)
			}
			httpmock.Reset()
		})
	}
}

// TestDefaultTransportReplaced: rest.New works when http.DefaultTransport
// is not an *http.Transport (instrumentation, httpmock.Activate), and a
// caller's client without a Transport uses http.DefaultTransport as it is at
// each request. Not parallel: it replaces a global.
func TestDefaultTransportReplaced(t *testing.T) { //nolint:paralleltest // replaces http.DefaultTransport
	orig := http.DefaultTransport
	t.Cleanup(func() { http.DefaultTransport = orig })
	answer := func(name string) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"name":"` + name + `"}`)), Request: r}, nil
		})
	}
	http.DefaultTransport = answer("first")
	withoutClient := newMockedClient(t, nil)
	withClient := newMockedClient(t, &http.Client{})
	if got := getItem(t, withoutClient); got.Name != "first" {
		t.Errorf("no HTTPClient: got %+v, want the replaced default transport's answer", got)
	}
	http.DefaultTransport = answer("second")
	if got := getItem(t, withClient); got.Name != "second" {
		t.Errorf("HTTPClient without Transport: got %+v, want the default transport at the time of the request", got)
	}
	http.DefaultTransport = orig
	httpmock.Activate()
	t.Cleanup(httpmock.DeactivateAndReset)
	httpmock.RegisterResponder(http.MethodGet, "https://api.example.com/v3/items/1", httpmock.NewStringResponder(200, `{"name":"httpmock"}`))
	if got := getItem(t, newMockedClient(t, nil)); got.Name != "httpmock" {
		t.Errorf("after httpmock.Activate: got %+v", got)
	}
}
