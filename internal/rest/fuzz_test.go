package rest_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopimg/shopimg/internal/rest"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := epoch
	cases := map[string]time.Duration{
		"":     0,
		"0":    0,
		"-5":   0,
		"abc":  0,
		"1.5":  1500 * time.Millisecond,
		" 30 ": 30 * time.Second,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
		now.Add(time.Minute).Format(time.RFC850):          time.Minute,
	}
	for in, want := range cases {
		if got := rest.ParseRetryAfter(in, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "10", "1e3", "1e9", "Wed, 21 Oct 2026 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT", "NaN", "-1", "+Inf", "-0", "0x10", "99999999999", " 5 ", "1.5e-9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := rest.ParseRetryAfter(s, epoch)
		if d < 0 || d > rest.MaxReportedWait {
			t.Errorf("ParseRetryAfter(%q) = %v, outside [0, %v]", s, d, rest.MaxReportedWait)
		}
		// A number of seconds is read as such, up to the clamp.
		if secs, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && secs >= 1 && secs < rest.MaxReportedWait.Seconds() {
			if want := time.Duration(secs * float64(time.Second)); d != want {
				t.Errorf("ParseRetryAfter(%q) = %v, want %v", s, d, want)
			}
		}
	})
}

// FuzzErrorBody: whatever an error response holds, the error is one line of
// bounded length and never repeats the credential.
func FuzzErrorBody(f *testing.F) {
	f.Add(502, "text/html", []byte("<html><head><title>Bad\nGateway</title></head></html>"))
	f.Add(400, "application/json", []byte(`{"error":"`+secret+`"}`))
	f.Add(500, "", []byte{0xff, 0x00, '\n'})
	f.Add(404, "text/plain; charset=utf-8", []byte("  not\r\n found  "))
	f.Add(429, "bogus/;;", []byte(""))
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		if status < 400 || status > 599 {
			return
		}
		hc := &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {contentType}}, Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
		})}
		cfg := rest.Config{
			Settings: rest.DefaultSettings("https://api.example.com"), Platform: "testvendor",
			Credentials: []rest.Credential{{Header: "X-Auth-Token", Value: secret}},
		}
		cfg.HTTPClient = hc
		cfg.Retry.MaxRetries = 0
		c, err := rest.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
		if err == nil {
			t.Fatal("no error for an error status")
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\r\n") || len(msg) > 1000 {
			t.Errorf("error message is not one short line: %q", msg)
		}
		checkNoSecret(t, err)
	})
}
