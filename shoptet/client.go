package shoptet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// DefaultBaseURL is the API host; every request path starts with /api under
// it.
const DefaultBaseURL = "https://api.myshoptet.com"

// MaxInFlight is how many requests one token may have in flight at once:
// Shoptet refuses a fourth concurrent connection per token with a 429. A
// Client never sends more, however many goroutines use it (clients that
// share a token share the cap through WithSharedQuota).
const MaxInFlight = 3

// MaxImagesPerCall is the most images one add or update call carries; the
// typed calls split longer lists into several calls.
const MaxImagesPerCall = 100

// MaxPriority is the highest priority an add or update accepts (a source
// replacement accepts up to 99999).
const MaxPriority = 65535

// platform names the package in errors and logs.
const platform = "shoptet"

// The credential headers, spelled as the OpenAPI file's security schemes
// spell them (the docs' curl example writes Shoptet-Private-API-Token; header
// names are case-insensitive).
const (
	headerAccessToken  = "Shoptet-Access-Token"
	headerPrivateToken = "Shoptet-Private-Api-Token"
	headerRequestID    = "X-Request-ID"
)

// mediaType is the Content-Type every request carries: the OpenAPI file
// declares the header required on every operation, with this default.
const mediaType = "application/json"

// Credentials authenticate the client: exactly one of PrivateAPIToken and
// AccessTokens must be set. Neither ever appears in an error, a log line or
// the output of String.
type Credentials struct {
	// PrivateAPIToken is a private API token of the e-shop (Premium), sent
	// as Shoptet-Private-Api-Token. It does not expire.
	PrivateAPIToken string
	// AccessTokens gives short-lived API access tokens of an addon, sent as
	// Shoptet-Access-Token; it is asked for a token on every attempt, so it
	// should cache them (oauth2.ReuseTokenSource, or NewAccessTokenSource,
	// which fetches them from the e-shop and caches them).
	AccessTokens oauth2.TokenSource
}

// String describes c without its values.
func (c Credentials) String() string {
	switch {
	case c.PrivateAPIToken != "" && c.AccessTokens != nil:
		return "shoptet.Credentials{PrivateAPIToken:<redacted> AccessTokens:<set>}"
	case c.PrivateAPIToken != "":
		return "shoptet.Credentials{PrivateAPIToken:<redacted>}"
	case c.AccessTokens != nil:
		return "shoptet.Credentials{AccessTokens:<set>}"
	}
	return "shoptet.Credentials{}"
}

// GoString is String, so %#v hides the values too.
func (c Credentials) GoString() string { return c.String() }

// Format writes String whatever the verb, so that no verb (%d, %t, ...,
// for which fmt would skip String and print the fields) shows a value.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue makes slog log c as String does.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// credentials checks c and declares it to the core.
func (c Credentials) credentials() ([]rest.Credential, error) {
	switch {
	case c.PrivateAPIToken != "" && c.AccessTokens != nil:
		return nil, &shopimg.InputError{Field: "Credentials", Reason: "sets both PrivateAPIToken and AccessTokens; set one"}
	case c.AccessTokens != nil:
		src := c.AccessTokens
		return []rest.Credential{{Header: headerAccessToken, Source: func(ctx context.Context) (string, error) {
			return tokenFrom(ctx, src)
		}}}, nil
	case strings.TrimSpace(c.PrivateAPIToken) == "":
		return nil, &shopimg.InputError{Field: "Credentials", Reason: "has neither a PrivateAPIToken nor AccessTokens"}
	}
	return []rest.Credential{{Header: headerPrivateToken, Value: c.PrivateAPIToken}}, nil
}

// contextTokenSource is a token source that can use the request's context
// (AccessTokenSource does).
type contextTokenSource interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// tokenFrom asks src for the access token of one attempt.
func tokenFrom(ctx context.Context, src oauth2.TokenSource) (string, error) {
	var tok *oauth2.Token
	var err error
	if cs, ok := src.(contextTokenSource); ok {
		tok, err = cs.TokenContext(ctx)
	} else {
		tok, err = src.Token()
	}
	if err != nil {
		return "", err
	}
	if tok == nil || tok.AccessToken == "" {
		return "", fmt.Errorf("the token source returned no access token: %w", shopimg.ErrUnauthorized)
	}
	return tok.AccessToken, nil
}

// Option configures a Client.
type Option func(*options) error

type options struct {
	rest.Settings
	share     *Client
	jobWait   JobWait
	removeRef bool
}

// WithBaseURL replaces DefaultBaseURL (for a fake server or a proxy). It
// must be an absolute http(s) URL without query; the /api paths are appended
// to it. Note that with http the token travels in clear text.
func WithBaseURL(u string) Option { return func(o *options) error { return o.SetBaseURL(u) } }

// WithHTTPClient sends the requests through c, which is never changed: its
// Transport is looked up at every request (so httpmock.ActivateNonDefault(c)
// works before or after NewClient), its Timeout and Jar are read once, and
// its CheckRedirect runs after the client's own redirect policy (which
// refuses redirects to another origin, where the token would follow).
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error { return o.SetHTTPClient(c) }
}

// WithRetry sets the retry policy (default shopimg.DefaultRetryPolicy).
func WithRetry(p shopimg.RetryPolicy) Option { return func(o *options) error { return o.SetRetry(p) } }

// WithLogger logs one debug line per attempt and a warning per retry, never
// with a token. Nil (the default) logs nothing.
func WithLogger(l *slog.Logger) Option { return func(o *options) error { return o.SetLogger(l) } }

// WithClock sets the time source of every wait, job polls included
// (shopimgtest.Clock in tests).
func WithClock(c shopimg.Clock) Option { return func(o *options) error { return o.SetClock(c) } }

// WithUserAgent puts ua before the shopimg User-Agent.
func WithUserAgent(ua string) Option { return func(o *options) error { return o.SetUserAgent(ua) } }

// WithMaxErrorBody sets how many bytes of an error body are read (default
// 64 KiB).
func WithMaxErrorBody(n int64) Option { return func(o *options) error { return o.SetMaxErrorBody(n) } }

// WithMaxBody sets the largest successful answer read, after decompression
// (default 8 MiB; a gallery of 100 images is about 50 KiB). A larger answer
// fails the call with an error matching shopimg.ErrUnavailable.
func WithMaxBody(n int64) Option { return func(o *options) error { return o.SetMaxBody(n) } }

// WithSharedQuota makes the new client share c's limiter: its cap of
// MaxInFlight requests in flight and the leaky bucket it follows. Use it
// for every Client of the same token (say, with different retry policies),
// so that together they never open a fourth connection. The shared limiter
// keeps c's clock.
func WithSharedQuota(c *Client) Option {
	return func(o *options) error {
		if c == nil {
			return &shopimg.InputError{Field: "SharedQuota", Reason: "is nil"}
		}
		o.share = c
		return nil
	}
}

// WithJobWait sets how the adapter's Add waits for its job (default
// DefaultJobWait); WaitJob takes its own.
func WithJobWait(w JobWait) Option {
	return func(o *options) error {
		if err := w.validate(); err != nil {
			return err
		}
		o.jobWait = w
		return nil
	}
}

// WithDeleteRemovesReference makes the adapter's Delete send
// removeReference=true, so an image that is a variant's image is deleted
// together with that reference instead of being refused with a 409 (an
// error matching shopimg.ErrConflict).
func WithDeleteRemovesReference() Option {
	return func(o *options) error { o.removeRef = true; return nil }
}

// Client is a typed client of the Shoptet API's product image and job
// endpoints for one e-shop (one token). It is safe for concurrent use and
// never has more than MaxInFlight requests in flight.
type Client struct {
	rc        *rest.Client
	clock     shopimg.Clock
	jobWait   JobWait
	removeRef bool
	cuts      cutCache
	adds      keyedLock
}

// NewClient returns a client authenticated by creds.
func NewClient(creds Credentials, opts ...Option) (*Client, error) {
	cr, err := creds.credentials()
	if err != nil {
		return nil, fmt.Errorf("shoptet: %w", err)
	}
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	if o.share != nil {
		if err := o.SetLimiter(o.share.rc.Limiter()); err != nil {
			return nil, fmt.Errorf("shoptet: %w", err)
		}
	}
	rc, err := rest.New(rest.Config{
		Settings:        o.Settings,
		Platform:        platform,
		Credentials:     cr,
		DecodeError:     decodeError,
		ReadRate:        readRate,
		RequestIDHeader: headerRequestID,
		PauseStatuses:   []int{http.StatusLocked},
		MaxInFlight:     MaxInFlight,
	})
	if err != nil {
		return nil, err
	}
	return &Client{rc: rc, clock: o.clock(), jobWait: o.jobWait, removeRef: o.removeRef}, nil
}

// newOptions applies opts to the defaults.
func newOptions(opts []Option) (options, error) {
	o := options{Settings: rest.DefaultSettings(DefaultBaseURL), jobWait: DefaultJobWait()}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return o, fmt.Errorf("shoptet: %w", err)
		}
	}
	return o, nil
}

// clock is the clock the options set, or the system's.
func (o *options) clock() shopimg.Clock {
	if o.Clock == nil {
		return shopimg.SystemClock{}
	}
	return o.Clock
}

// String describes the client without its credentials.
func (c *Client) String() string { return "shoptet.Client" }

// GoString is String, so %#v shows no credential either.
func (c *Client) GoString() string { return c.String() }

// header is the Content-Type every request carries, also those without a
// body (the core sets it for JSON bodies itself).
var header = http.Header{"Content-Type": {mediaType}}

// do sends one request with the Content-Type header.
func (c *Client) do(ctx context.Context, r *rest.Request, out any) (*Response, error) {
	r.Header = header
	return c.rc.Do(ctx, r, out)
}

// since returns the time passed since t on the client's clock.
func (c *Client) since(t time.Time) time.Duration { return c.clock.Now().Sub(t) }

var errNilContext = errors.New("shoptet: nil context")
