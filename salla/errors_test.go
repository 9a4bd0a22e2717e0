package salla_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/salla"
	"github.com/shopimg/shopimg/shopimgtest"
)

// TestErrorShapes maps each error body Salla sends to an *APIError and a
// category.
func TestErrorShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		status  int
		body    []byte
		kind    error
		code    string
		msg     string
		details []shopimg.FieldError
	}{
		{"401 scope", 401, loadFixture(t, "error_unauthorized.json"), shopimg.ErrUnauthorized, "Unauthorized", "The access token should have access to one of those scopes: products.read_write", nil},
		{"404", 404, loadFixture(t, "error_not_found.json"), shopimg.ErrNotFound, "error", "المحتوى الذي تحاول الوصول اليه غير متوفر", nil},
		{"422 fields", 422, loadFixture(t, "error_invalid_fields.json"), shopimg.ErrInvalidInput, "error", "alert.invalid_fields", []shopimg.FieldError{
			{Field: "first_name", Message: "The first name must be a string."}, {Field: "first_name", Message: "The first name is too long."},
			{Field: "photo", Message: "The photo field is required."}}},
		{"401 invalid_grant", 401, loadFixture(t, "error_invalid_grant.json"), shopimg.ErrUnauthorized, "invalid_grant", "", nil},
		{"400 invalid_grant", 400, loadFixture(t, "error_invalid_grant.json"), shopimg.ErrUnauthorized, "invalid_grant", "", nil},
		{"404 numeric code", 404, []byte(`{"status":404,"success":false,"error":{"code":404,"message":"not here"}}`), shopimg.ErrNotFound, "404", "not here", nil},
		{"429", 429, []byte(`{"status":429,"success":false,"error":{"code":"too_many_requests","message":"slow down"}}`), shopimg.ErrRateLimited, "too_many_requests", "slow down", nil},
		{"403", 403, []byte(`{"status":403,"success":false,"error":{"code":"forbidden","message":"unusual traffic"}}`), shopimg.ErrUnauthorized, "forbidden", "unusual traffic", nil},
		{"500 html", 500, []byte(`<html><title>Oops</title></html>`), shopimg.ErrUnavailable, "", "HTML error page (32 bytes): Oops", nil},
		{"200 success false", 200, []byte(`{"status":422,"success":false,"error":{"code":"error","message":"bad"}}`), shopimg.ErrInvalidInput, "error", "bad", nil},
		{"200 success false no status", 200, []byte(`{"success":false,"error":{"message":"failed"}}`), shopimg.ErrInvalidInput, "", "failed", nil},
		{"200 no product", 200, []byte(`{"status":200,"success":true,"data":{}}`), shopimg.ErrUnavailable, "", "the answer carries no product", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mt := mocked(t)
			mt.RegisterResponder("GET", mockBase+"/products/9", respond(tc.status, tc.body))
			_, resp, err := c.GetProduct(ctx, 9)
			var e *salla.APIError
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *APIError", err)
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("err = %v, want %v", err, tc.kind)
			}
			if resp == nil || resp.StatusCode != tc.status {
				t.Errorf("response %+v", resp)
			}
			if e.Code != tc.code || (tc.msg != "" && e.Message != tc.msg) {
				t.Errorf("code %q message %q, want %q %q", e.Code, e.Message, tc.code, tc.msg)
			}
			if d := cmp.Diff(tc.details, e.Details); d != "" {
				t.Errorf("details (-want +got):\n%s", d)
			}
			if e.Code == "invalid_grant" && !errors.Is(err, shopimg.ErrUnauthorized) {
				t.Error("invalid_grant is not unauthorized")
			}
		})
	}
}

// TestAttachOutcome: an attach answered 2xx without an image, or with a
// 5xx, may have created it (ErrOutcomeUnknown); a 422 did not.
func TestAttachOutcome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status  int
		body    string
		unknown bool
	}{
		{201, `{"status":201,"success":true,"data":null}`, true},
		{201, ``, true},
		{500, `{"status":500,"success":false,"error":{"code":"server_error","message":"x"}}`, true},
		{422, string(loadFixture(t, "error_invalid_fields.json")), false},
		{200, `{"status":422,"success":false,"error":{"code":"error","message":"bad"}}`, false},
	} {
		c, mt := mocked(t)
		mt.RegisterResponder("POST", mockBase+"/products/1/images", respond(tc.status, []byte(tc.body)))
		_, _, err := c.AttachImage(ctx, 1, salla.AttachImageRequest{Photo: salla.Photo{URL: "https://img.example.com/a.jpg"}})
		if err == nil || errors.Is(err, shopimg.ErrOutcomeUnknown) != tc.unknown {
			t.Errorf("%d %s: err = %v, want outcome unknown %v", tc.status, tc.body, err, tc.unknown)
		}
	}
}

// TestRateHeaders: X-RateLimit-* reach the Response, the reset (an epoch
// second) read with the client's clock; a 429 with Retry-After is waited
// out on that clock and retried.
func TestRateHeaders(t *testing.T) {
	t.Parallel()
	clock := shopimgtest.NewClock(epoch)
	c, mt := mocked(t, salla.WithClock(clock), salla.WithRetry(shopimg.RetryPolicy{MaxRetries: 2, MinWait: time.Second, MaxWait: time.Second, MaxRetryAfter: time.Minute}))
	reset := strconv.FormatInt(epoch.Add(42*time.Second).Unix(), 10)
	ok := func(*http.Request) (*http.Response, error) {
		r := httpmock.NewBytesResponse(200, loadFixture(t, "product_get.json"))
		r.Header.Set("X-RateLimit-Limit", "120")
		r.Header.Set("X-RateLimit-Remaining", "99")
		r.Header.Set("X-RateLimit-Reset", reset)
		return r, nil
	}
	tooMany := func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(429, `{"status":429,"success":false,"error":{"code":"too_many_requests","message":"x"}}`)
		r.Header.Set("Retry-After", "7")
		r.Header.Set("X-RateLimit-Remaining", "0")
		r.Header.Set("X-RateLimit-Reset", strconv.FormatInt(epoch.Add(3*time.Second).Unix(), 10))
		return r, nil
	}
	mt.RegisterResponder("GET", mockBase+"/products/1", httpmock.Responder(tooMany).Once().Then(ok))
	_, resp, err := c.GetProduct(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 2 || !resp.Rate.Known || resp.Rate.Limit != 120 || resp.Rate.Remaining != 99 {
		t.Errorf("response %+v", resp)
	}
	if slept := clock.Slept(); slept < 7*time.Second || slept > 8*time.Second {
		t.Errorf("slept %v, want the 7 s of Retry-After", slept)
	}
	// The reset is relative to the clock when the answer was read.
	if want := 42*time.Second - clock.Slept(); resp.Rate.Reset != want {
		t.Errorf("reset %v, want %v", resp.Rate.Reset, want)
	}
}
