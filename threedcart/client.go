package threedcart

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
	"github.com/shopimg/shopimg/internal/rest"
)

// DefaultBaseURL is the API host. Every request path starts with
// /3dCartWebAPI/v1 under it. An old Swagger listing of the API names only
// the http scheme; the vendor's current documentation uses https, and so
// does the client (the credentials travel in headers).
const DefaultBaseURL = "https://apirest.3dcart.com"

// DefaultPageSize is the limit the iterator asks for per page: 200, the page
// size of skuvault's production client. The API documents no maximum; a
// server that sends fewer images per page than asked does no harm (see
// Client.ListImagesIter).
const DefaultPageSize = 200

// platform names the package in errors and logs.
const platform = "threedcart"

// apiPrefix is the path of the v1 REST API under the base URL.
const apiPrefix = "3dCartWebAPI/v1"

// The credential headers, spelled as the vendor's docs spell them. Header
// names are case-insensitive; the client sends this spelling exactly.
const (
	headerSecureURL  = "SecureURL"
	headerPrivateKey = "PrivateKey"
	headerToken      = "Token"
)

// CatalogID identifies a product (the API's catalogid).
type CatalogID int64

// String returns the ID in decimal, the form the common model uses.
func (id CatalogID) String() string { return strconv.FormatInt(int64(id), 10) }

// ImageGalleryID identifies an image of a product's gallery.
type ImageGalleryID int64

// String returns the ID in decimal, the form the common model uses.
func (id ImageGalleryID) String() string { return strconv.FormatInt(int64(id), 10) }

// ParseCatalogID parses a product ID in the common model's string form. An
// ID that is not a positive decimal integer gives an error matching
// shopimg.ErrInvalidInput.
func ParseCatalogID(s string) (CatalogID, error) {
	n, err := guard.NumericID("productID", s)
	return CatalogID(n), err
}

// ParseImageGalleryID parses an image ID in the common model's string form.
// An ID that is not a positive decimal integer gives an error matching
// shopimg.ErrInvalidInput.
func ParseImageGalleryID(s string) (ImageGalleryID, error) {
	n, err := guard.NumericID("imageID", s)
	return ImageGalleryID(n), err
}

// Credentials are the three values 3dcart requires on every request, sent as
// the headers SecureURL, PrivateKey and Token. None of them ever appears in
// an error, a log line or the output of String.
type Credentials struct {
	// SecureURL is the store's secure URL, e.g.
	// "https://example.3dcartstores.com". The adapter also resolves image
	// paths that are not absolute URLs against it.
	SecureURL string
	// PrivateKey is the developer application's private key.
	PrivateKey string
	// Token is the store's token, issued when the merchant authorises the
	// application.
	Token string
}

// String describes c without any of its values.
func (c Credentials) String() string {
	return fmt.Sprintf("threedcart.Credentials{SecureURL:%s PrivateKey:%s Token:%s}", mask(c.SecureURL), mask(c.PrivateKey), mask(c.Token))
}

// GoString is String, so %#v hides the values too.
func (c Credentials) GoString() string { return c.String() }

// Format writes String whatever the verb, so that no verb (%d, %t, ...,
// for which fmt would skip String and print the fields) shows a value.
func (c Credentials) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue makes slog log c as String does.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

func mask(s string) string {
	if s == "" {
		return "<empty>"
	}
	return "<redacted>"
}

func (c Credentials) validate() error {
	for _, f := range []struct{ name, v string }{{"SecureURL", c.SecureURL}, {"PrivateKey", c.PrivateKey}, {"Token", c.Token}} {
		switch {
		case strings.TrimSpace(f.v) == "":
			return &shopimg.InputError{Field: "Credentials." + f.name, Reason: "is empty"}
		case strings.ContainsAny(f.v, "\r\n\x00"):
			return &shopimg.InputError{Field: "Credentials." + f.name, Reason: "contains a line break or NUL"}
		}
	}
	return nil
}

// credentials declares the three headers to the core, with the documented
// spelling of their names (Go's canonical form would send "Secureurl").
func (c Credentials) credentials() []rest.Credential {
	return []rest.Credential{
		{Header: headerSecureURL, Value: c.SecureURL},
		{Header: headerPrivateKey, Value: c.PrivateKey},
		{Header: headerToken, Value: c.Token},
	}
}

// Option configures a Client.
type Option func(*options) error

type options struct {
	rest.Settings
	pageSize int
}

// WithBaseURL replaces DefaultBaseURL (for a fake server, a proxy, or the
// host of another API generation). It must be an absolute http(s) URL
// without query; the /3dCartWebAPI/v1 paths are appended to it. Note that
// with http the credentials travel in clear text.
func WithBaseURL(u string) Option { return func(o *options) error { return o.SetBaseURL(u) } }

// WithHTTPClient sends the requests through c, which is never changed: its
// Transport is looked up at every request (so httpmock.ActivateNonDefault(c)
// works before or after NewClient), its Timeout and Jar are read once, and
// its CheckRedirect runs after the client's own redirect policy (which
// refuses redirects to another origin, where the credentials would follow).
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error { return o.SetHTTPClient(c) }
}

// WithRetry sets the retry policy (default shopimg.DefaultRetryPolicy).
func WithRetry(p shopimg.RetryPolicy) Option { return func(o *options) error { return o.SetRetry(p) } }

// WithLogger logs one debug line per attempt and a warning per retry, never
// with credentials. Nil (the default) logs nothing.
func WithLogger(l *slog.Logger) Option { return func(o *options) error { return o.SetLogger(l) } }

// WithClock sets the time source of every wait (shopimgtest.Clock in tests).
func WithClock(c shopimg.Clock) Option { return func(o *options) error { return o.SetClock(c) } }

// WithUserAgent puts ua before the shopimg User-Agent.
func WithUserAgent(ua string) Option { return func(o *options) error { return o.SetUserAgent(ua) } }

// WithMaxErrorBody sets how many bytes of an error body are read (default
// 64 KiB).
func WithMaxErrorBody(n int64) Option { return func(o *options) error { return o.SetMaxErrorBody(n) } }

// WithMaxBody sets the largest successful answer read, after decompression
// (default 8 MiB; a page of 200 images is about 60 KiB). A larger answer
// fails the call with an error matching shopimg.ErrUnavailable.
func WithMaxBody(n int64) Option { return func(o *options) error { return o.SetMaxBody(n) } }

// WithPageSize sets the limit the iterator and the adapter ask for per page
// (default DefaultPageSize).
func WithPageSize(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return &shopimg.InputError{Field: "PageSize", Reason: fmt.Sprintf("%d is not positive", n)}
		}
		o.pageSize = n
		return nil
	}
}

// Client is a typed client of the 3dcart / Shift4Shop REST API v1 image
// endpoints for one store. It is safe for concurrent use.
type Client struct {
	rc       *rest.Client
	pageSize int
	// The store's URL, for resolving image paths (nil if unusable), as a
	// string ending in "/" and as scheme://host.
	store                  *url.URL
	storeBase, storeOrigin string
}

// NewClient returns a client for the store the credentials belong to. Every
// credential must be set.
func NewClient(creds Credentials, opts ...Option) (*Client, error) {
	if err := creds.validate(); err != nil {
		return nil, fmt.Errorf("threedcart: %w", err)
	}
	o := options{Settings: rest.DefaultSettings(DefaultBaseURL), pageSize: DefaultPageSize}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("threedcart: %w", err)
		}
	}
	rc, err := rest.New(rest.Config{
		Settings:    o.Settings,
		Platform:    platform,
		Credentials: creds.credentials(),
		DecodeError: decodeError,
	})
	if err != nil {
		return nil, err
	}
	c := &Client{
		rc:       rc,
		pageSize: o.pageSize,
		store:    storeURL(creds.SecureURL),
	}
	if c.store != nil {
		c.storeBase = c.store.String()
		c.storeOrigin = (&url.URL{Scheme: c.store.Scheme, Host: c.store.Host}).String()
	}
	return c, nil
}

// String describes the client without its credentials.
// Its receiver is a value, so a Client printed by value shows no
// credential either (the store's URL is one).
func (c Client) String() string { return "threedcart.Client" }

// GoString is String, so %#v shows no credential either.
func (c Client) GoString() string { return c.String() }

// Format writes String whatever the verb, so that no verb prints the
// fields, which hold the store's URL.
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// storeURL parses the SecureURL credential as a base for image paths,
// adding https:// when it has no scheme. It returns nil when that fails.
func storeURL(s string) *url.URL {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u.ResolveReference(&url.URL{}) // removes dot segments
}
