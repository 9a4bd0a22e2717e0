package salla

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
	"github.com/shopimg/shopimg/internal/rest"
)

// DefaultBaseURL is the Merchant API v2 root. Every call's path is
// relative to it.
const DefaultBaseURL = "https://api.salla.dev/admin/v2"

// DefaultMaxImages is the most images a product can hold as the current
// Merchant API documentation states it ("up to 10 images"; an older
// version of the docs said unlimited). WithMaxImages changes it.
const DefaultMaxImages = 10

// platform names the package in errors and logs.
const platform = "salla"

// headerAuthorization carries the OAuth access token as "Bearer <token>".
const headerAuthorization = "Authorization"

// ProductID identifies a product (the API's product id).
type ProductID int64

// String returns the ID in decimal, the form the common model uses.
func (id ProductID) String() string { return strconv.FormatInt(int64(id), 10) }

// ImageID identifies an image or video of a product's gallery (the id of
// its images[] entries, a large number such as 1908361139).
type ImageID int64

// String returns the ID in decimal, the form the common model uses.
func (id ImageID) String() string { return strconv.FormatInt(int64(id), 10) }

// ParseProductID parses a product ID in the common model's string form. An
// ID that is not a positive decimal integer gives an error matching
// shopimg.ErrInvalidInput.
func ParseProductID(s string) (ProductID, error) {
	n, err := guard.NumericID("productID", s)
	return ProductID(n), err
}

// ParseImageID parses an image ID in the common model's string form. An ID
// that is not a positive decimal integer gives an error matching
// shopimg.ErrInvalidInput.
func ParseImageID(s string) (ImageID, error) {
	n, err := guard.NumericID("imageID", s)
	return ImageID(n), err
}

// Option configures a Client.
type Option func(*options) error

type options struct {
	rest.Settings
	maxImages    int
	reorderCheck bool
}

// WithBaseURL replaces DefaultBaseURL (for a fake server or a proxy). It
// must be an absolute http(s) URL without query; the call paths
// (/products/...) are appended to it. Note that with http the access token
// travels in clear text.
func WithBaseURL(u string) Option { return func(o *options) error { return o.SetBaseURL(u) } }

// WithHTTPClient sends the API requests through c, which is never changed:
// its Transport is looked up at every request (so
// httpmock.ActivateNonDefault(c) works before or after NewClient), its
// Timeout and Jar are read once, and its CheckRedirect runs after the
// client's own redirect policy (which refuses redirects to another origin,
// where the token would follow). Token refreshes go through the token
// source's own client (see WithTokenHTTPClient).
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error { return o.SetHTTPClient(c) }
}

// WithRetry sets the retry policy (default shopimg.DefaultRetryPolicy).
func WithRetry(p shopimg.RetryPolicy) Option { return func(o *options) error { return o.SetRetry(p) } }

// WithLogger logs one debug line per attempt and a warning per retry, never
// with the token. Nil (the default) logs nothing.
func WithLogger(l *slog.Logger) Option { return func(o *options) error { return o.SetLogger(l) } }

// WithClock sets the time source of every wait and of the quota reset
// times the API reports (shopimgtest.Clock in tests).
func WithClock(c shopimg.Clock) Option { return func(o *options) error { return o.SetClock(c) } }

// WithUserAgent puts ua before the shopimg User-Agent.
func WithUserAgent(ua string) Option { return func(o *options) error { return o.SetUserAgent(ua) } }

// WithMaxErrorBody sets how many bytes of an error body are read (default
// 64 KiB).
func WithMaxErrorBody(n int64) Option { return func(o *options) error { return o.SetMaxErrorBody(n) } }

// WithMaxBody sets the largest successful answer read, after decompression
// (default 8 MiB; a product with its images is a few KiB). A larger answer
// fails the call with an error matching shopimg.ErrUnavailable.
func WithMaxBody(n int64) Option { return func(o *options) error { return o.SetMaxBody(n) } }

// WithMaxImages sets the most images a product may hold, checked before an
// add is sent (default DefaultMaxImages). The adapter's
// Capabilities().MaxImages reports it.
func WithMaxImages(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return &shopimg.InputError{Field: "MaxImages", Reason: fmt.Sprintf("%d is not positive", n)}
		}
		o.maxImages = n
		return nil
	}
}

// WithReorderCheck decides whether the adapter reads the product again
// after moving images (Reorder, an Update that moves an image or makes it
// the main one, an Add at a position) to check the gallery is in the asked
// order (default on). The moves are computed so that they are right
// whether or not the API shifts the other images when a sort value is
// written (the docs do not say); if a store behaves otherwise, the check
// catches it and the adapter writes every image again in order. Off saves
// one GET per move.
func WithReorderCheck(on bool) Option {
	return func(o *options) error { o.reorderCheck = on; return nil }
}

// Client is a typed client of one merchant's product image endpoints. It is
// safe for concurrent use.
type Client struct {
	rc           *rest.Client
	maxImages    int
	reorderCheck bool
}

// NewClient returns a client for the merchant whose OAuth access tokens ts
// gives. For a long-running app, ts is a *TokenSource, which refreshes the
// token and hands each new one to a persistence hook before it is used;
// oauth2.StaticTokenSource serves a fixed token. The token is read for
// every attempt of every request and sent as "Authorization: Bearer
// <token>"; it never appears in an error, a log line or the output of
// String and %#v.
func NewClient(ts oauth2.TokenSource, opts ...Option) (*Client, error) {
	if ts == nil {
		return nil, fmt.Errorf("salla: %w", &shopimg.InputError{Field: "TokenSource", Reason: "is nil"})
	}
	o := options{Settings: rest.DefaultSettings(DefaultBaseURL), maxImages: DefaultMaxImages, reorderCheck: true}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("salla: %w", err)
		}
	}
	rc, err := rest.New(rest.Config{
		Settings:    o.Settings,
		Platform:    platform,
		Credentials: []rest.Credential{{Header: headerAuthorization, Prefix: "Bearer ", Source: accessToken(ts)}},
		DecodeError: decodeError,
		ReadRate:    rateReader(o.Clock),
	})
	if err != nil {
		return nil, err
	}
	return &Client{rc: rc, maxImages: o.maxImages, reorderCheck: o.reorderCheck}, nil
}

// contextTokenSource is a token source that can be cancelled, as
// *TokenSource is.
type contextTokenSource interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// accessToken is the credential source: the access token of ts for one
// attempt. A token source error that has no category of its own (a
// network failure reaching the token endpoint of a custom source) is
// reported as it is; the core classifies it as unauthorized.
func accessToken(ts oauth2.TokenSource) func(ctx context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		var tok *oauth2.Token
		var err error
		if cs, ok := ts.(contextTokenSource); ok {
			tok, err = cs.TokenContext(ctx)
		} else {
			tok, err = ts.Token()
		}
		if err != nil {
			return "", err
		}
		if tok == nil || tok.AccessToken == "" {
			return "", errors.New("the token source gave no access token")
		}
		return tok.AccessToken, nil
	}
}

// String describes the client without its token.
func (c *Client) String() string { return "salla.Client{" + c.rc.String() + "}" }

// GoString is String, so %#v shows no token either.
func (c *Client) GoString() string { return c.String() }

// MaxImages returns the most images a product may hold (see WithMaxImages).
func (c *Client) MaxImages() int { return c.maxImages }
