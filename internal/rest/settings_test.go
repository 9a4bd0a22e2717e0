package rest_test

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
	"github.com/shopimg/shopimg/shopimgtest"
)

func TestDefaultSettings(t *testing.T) {
	t.Parallel()
	want := rest.Settings{
		BaseURL:      "https://api.example.com/v3",
		Retry:        shopimg.DefaultRetryPolicy(),
		Clock:        shopimg.SystemClock{},
		UserAgent:    shopimg.UserAgent,
		MaxErrorBody: rest.DefaultMaxErrorBody,
		MaxBody:      rest.DefaultMaxBody,
	}
	if diff := cmp.Diff(want, rest.DefaultSettings("https://api.example.com/v3"), cmpopts.IgnoreUnexported(rest.Limiter{})); diff != "" {
		t.Errorf("DefaultSettings (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(shopimg.UserAgent, "shopimg/"+shopimg.Version+" ") {
		t.Errorf("UserAgent = %q, want shopimg/<version> first", shopimg.UserAgent)
	}
}

// TestSettersCheckInput: every setter refuses what would make a broken
// client, with ErrInvalidInput, and leaves the setting as it was.
func TestSettersCheckInput(t *testing.T) {
	t.Parallel()
	var s rest.Settings
	bad := map[string]error{
		"SetBaseURL(ftp)":         s.SetBaseURL("ftp://example.com"),
		"SetBaseURL(relative)":    s.SetBaseURL("/v3"),
		"SetBaseURL(query)":       s.SetBaseURL("https://example.com/?a=1"),
		"SetBaseURL(fragment)":    s.SetBaseURL("https://example.com/#x"),
		"SetHTTPClient(nil)":      s.SetHTTPClient(nil),
		"SetRetry(negative)":      s.SetRetry(shopimg.RetryPolicy{MaxRetries: -1}),
		"SetClock(nil)":           s.SetClock(nil),
		"SetUserAgent(CRLF)":      s.SetUserAgent("app\r\nX-Injected: 1"),
		"SetMaxErrorBody(0)":      s.SetMaxErrorBody(0),
		"SetMaxErrorBody(-1)":     s.SetMaxErrorBody(-1),
		"SetLimiter(nil)":         s.SetLimiter(nil),
		"SetRetry(min above max)": s.SetRetry(shopimg.RetryPolicy{MinWait: time.Minute, MaxWait: time.Second}),
	}
	for name, err := range bad {
		if !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if diff := cmp.Diff(rest.Settings{}, s, cmpopts.IgnoreUnexported(rest.Limiter{})); diff != "" {
		t.Errorf("refused settings changed s (-want +got):\n%s", diff)
	}
}

func TestSettersSet(t *testing.T) {
	t.Parallel()
	var s rest.Settings
	hc := &http.Client{Timeout: time.Minute}
	clock := shopimgtest.NewClock(epoch)
	lim := rest.NewLimiter(clock)
	logger := slog.New(slog.DiscardHandler)
	policy := shopimg.RetryPolicy{MaxRetries: 1}
	for _, err := range []error{
		s.SetBaseURL("https://api.example.com/v3/"),
		s.SetHTTPClient(hc),
		s.SetRetry(policy),
		s.SetLogger(logger),
		s.SetClock(clock),
		s.SetUserAgent("pim-connector/2.1"),
		s.SetMaxErrorBody(10),
		s.SetLimiter(lim),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if s.BaseURL != "https://api.example.com/v3" {
		t.Errorf("BaseURL = %q, want the trailing slash trimmed", s.BaseURL)
	}
	if s.HTTPClient != hc || hc.Timeout != time.Minute {
		t.Errorf("HTTPClient is not the caller's value, or was changed")
	}
	if s.Retry != policy || s.Logger != logger || s.Clock != clock || s.MaxErrorBody != 10 || s.Limiter != lim {
		t.Errorf("settings = %+v", s)
	}
	if want := "pim-connector/2.1 " + shopimg.UserAgent; s.UserAgent != want {
		t.Errorf("UserAgent = %q, want %q", s.UserAgent, want)
	}
	if err := s.SetUserAgent(""); err != nil || s.UserAgent != shopimg.UserAgent {
		t.Errorf("SetUserAgent(\"\") = %v, UserAgent %q; want the default", err, s.UserAgent)
	}
	if err := s.SetLogger(nil); err != nil || s.Logger != nil {
		t.Errorf("SetLogger(nil) = %v; want logging off", err)
	}
}

func TestBaseURLErrorHidesCredentials(t *testing.T) {
	t.Parallel()
	var s rest.Settings
	err := s.SetBaseURL("ftp://user:" + secret + "@example.com/?access_token=" + secret)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("err = %v, want an error without the secret", err)
	}
}
