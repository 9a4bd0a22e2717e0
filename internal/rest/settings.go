package rest

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/shopimg/shopimg"
)

// DefaultMaxErrorBody is how much of an error response body is read.
const DefaultMaxErrorBody = 64 << 10

// DefaultMaxBody is the largest successful answer a client reads, after
// decompression: 8 MiB, far above the largest legitimate answer of the
// supported platforms (a BigCommerce page of 250 images is about 0.5 MiB).
// A larger answer fails the call with an error saying so, instead of
// taking memory without bound. Vendors whose answers can be larger set
// their own default; users change it with their WithMaxBody option.
const DefaultMaxBody = 8 << 20

// Settings are the options every vendor client shares. Vendor packages embed
// it in their option struct and expose each setter as a With... option.
type Settings struct {
	// BaseURL is the API root; request paths are relative to it.
	BaseURL string
	// HTTPClient sends the requests. It is never changed: its Transport is
	// looked up at every request (so httpmock.ActivateNonDefault on it
	// works before or after the client is made), its Timeout and Jar are
	// read once, and its CheckRedirect runs after the core's own redirect
	// policy.
	HTTPClient *http.Client
	// Retry is the retry policy.
	Retry shopimg.RetryPolicy
	// Logger, when set, receives one debug line per attempt and a warning
	// per retry. Nil logs nothing.
	Logger *slog.Logger
	// Clock is the time source of every wait.
	Clock shopimg.Clock
	// UserAgent is the User-Agent header.
	UserAgent string
	// MaxErrorBody is how many bytes of an error body are read.
	MaxErrorBody int64
	// MaxBody is the largest successful answer read (DefaultMaxBody).
	MaxBody int64
	// Limiter is the per-store rate limiter; nil makes a new one per client.
	Limiter *Limiter
}

// DefaultSettings returns the settings a client starts from.
func DefaultSettings(baseURL string) Settings {
	return Settings{
		BaseURL:      baseURL,
		Retry:        shopimg.DefaultRetryPolicy(),
		Clock:        shopimg.SystemClock{},
		UserAgent:    shopimg.UserAgent,
		MaxErrorBody: DefaultMaxErrorBody,
		MaxBody:      DefaultMaxBody,
	}
}

// SetBaseURL checks and sets the base URL: an absolute http(s) URL with a
// host and no query or fragment.
func (s *Settings) SetBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return &shopimg.InputError{Field: "BaseURL", Reason: fmt.Sprintf("%q is not an absolute http(s) URL without query", redactURLString(raw))}
	}
	s.BaseURL = strings.TrimRight(raw, "/")
	return nil
}

// SetHTTPClient sets the HTTP client (kept, never changed; see
// Settings.HTTPClient).
func (s *Settings) SetHTTPClient(c *http.Client) error {
	if c == nil {
		return &shopimg.InputError{Field: "HTTPClient", Reason: "is nil"}
	}
	s.HTTPClient = c
	return nil
}

// SetRetry checks and sets the retry policy.
func (s *Settings) SetRetry(p shopimg.RetryPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	s.Retry = p
	return nil
}

// SetLogger sets the logger; nil turns logging off.
func (s *Settings) SetLogger(l *slog.Logger) error {
	s.Logger = l
	return nil
}

// SetClock sets the clock.
func (s *Settings) SetClock(c shopimg.Clock) error {
	if c == nil {
		return &shopimg.InputError{Field: "Clock", Reason: "is nil"}
	}
	s.Clock = c
	return nil
}

// SetUserAgent sets the User-Agent header; the shopimg one is kept as a
// suffix so the platform can still tell the library apart.
func (s *Settings) SetUserAgent(ua string) error {
	if strings.ContainsAny(ua, "\r\n") {
		return &shopimg.InputError{Field: "UserAgent", Reason: "contains a line break"}
	}
	if ua == "" {
		s.UserAgent = shopimg.UserAgent
	} else {
		s.UserAgent = ua + " " + shopimg.UserAgent
	}
	return nil
}

// SetMaxErrorBody sets how much of an error body is read.
func (s *Settings) SetMaxErrorBody(n int64) error {
	if n <= 0 {
		return &shopimg.InputError{Field: "MaxErrorBody", Reason: "must be positive"}
	}
	s.MaxErrorBody = n
	return nil
}

// SetMaxBody sets the largest successful answer read.
func (s *Settings) SetMaxBody(n int64) error {
	if n <= 0 {
		return &shopimg.InputError{Field: "MaxBody", Reason: "must be positive"}
	}
	s.MaxBody = n
	return nil
}

// SetLimiter makes clients share lim, for several clients of the same store.
func (s *Settings) SetLimiter(lim *Limiter) error {
	if lim == nil {
		return &shopimg.InputError{Field: "Limiter", Reason: "is nil"}
	}
	s.Limiter = lim
	return nil
}
