package bigcommerce

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
	"github.com/shopimg/shopimg/internal/rest"
)

// DefaultBaseURL is the API gateway. Requests go to
// {base}/stores/{store_hash}/v3/... and {base}/stores/{store_hash}/v2/...
// (the "servers" entry of the official v3 OpenAPI file).
const DefaultBaseURL = "https://api.bigcommerce.com"

// Limits documented for the v3 images endpoints (the official OpenAPI file,
// "Create a Product Image").
const (
	// MaxPageLimit is the largest limit a list call accepts (a larger one is
	// a 413).
	MaxPageLimit = 250
	// DefaultPageLimit is the limit the server uses when none is sent.
	DefaultPageLimit = 50
	// MaxImagesPerProduct is the most images a product can have.
	MaxImagesPerProduct = 1000
	// MaxImageURLLength is the longest image_url the API accepts.
	MaxImageURLLength = 255
	// DefaultMaxUploadSize is the largest file UploadImage sends: "each image
	// file or image uploaded by URL can be up to 8 MB". The docs do not say
	// whether that is 8,000,000 or 8,388,608 bytes; the client takes the
	// smaller, the safe reading: a file it sends is within the limit under
	// either, so the API never receives a whole upload only to refuse it.
	// A file between the two is refused before sending, as invalid input;
	// WithMaxUploadSize(8 << 20) allows it for a store known to take it.
	DefaultMaxUploadSize = 8_000_000
)

// platform names the package in errors and logs.
const platform = "bigcommerce"

// headerAuthToken carries the access token (the spec's security scheme
// X-Auth-Token). X-Auth-Client is "no longer required" (the API docs) and is
// not sent.
const headerAuthToken = "X-Auth-Token"

// ProductID identifies a product (the API's product_id).
type ProductID int64

// String returns the ID in decimal, the form the common model uses.
func (id ProductID) String() string { return strconv.FormatInt(int64(id), 10) }

// ImageID identifies a product image (the API's id, which "increments
// sequentially" across the store).
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
	v2Suffix      bool
	reorderCheck  bool
	maxUploadSize int64
	shareQuota    *Client
}

// WithBaseURL replaces DefaultBaseURL (for a fake server or a proxy). It
// must be an absolute http(s) URL without query; /stores/{store_hash}/v3 and
// /v2 are appended to it. Note that with http the token travels in clear
// text.
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
// with the token. Nil (the default) logs nothing.
func WithLogger(l *slog.Logger) Option { return func(o *options) error { return o.SetLogger(l) } }

// WithClock sets the time source of every wait (shopimgtest.Clock in tests).
func WithClock(c shopimg.Clock) Option { return func(o *options) error { return o.SetClock(c) } }

// WithUserAgent puts ua before the shopimg User-Agent.
func WithUserAgent(ua string) Option { return func(o *options) error { return o.SetUserAgent(ua) } }

// WithMaxErrorBody sets how many bytes of an error body are read (default
// 64 KiB).
func WithMaxErrorBody(n int64) Option { return func(o *options) error { return o.SetMaxErrorBody(n) } }

// WithMaxBody sets the largest successful answer read, after decompression
// (default 8 MiB; a page of 250 images is about 0.5 MiB). A larger answer
// fails the call with an error matching shopimg.ErrUnavailable.
func WithMaxBody(n int64) Option { return func(o *options) error { return o.SetMaxBody(n) } }

// WithV2JSONSuffix makes the legacy v2 calls end their paths in ".json", as
// older v2 descriptions write them (GET /products/{id}/images.json). The
// default is off: the suffix is optional and "the Accept header has
// priority", the current v2 reference writes the paths
// without it, and the client always sends Accept: application/json. Turn it
// on for a proxy or an old integration that routes on the suffix.
func WithV2JSONSuffix(on bool) Option {
	return func(o *options) error { o.v2Suffix = on; return nil }
}

// WithReorderCheck decides whether the adapter checks its moves (default
// on). The docs state the sort_order rule loosely (see the package
// documentation); with the check on, the adapter plans for every reading
// of the rule its store may still follow, lists the product again after
// moving images (Reorder, and Update or Add with a position) to check the
// order is the one asked for, learns from that listing which reading the
// store follows, and mends the order if needed. Off, it trusts the
// insertion reading and lists nothing more: one GET less per move, and
// wrong on a store that applies the rule otherwise.
func WithReorderCheck(on bool) Option {
	return func(o *options) error { o.reorderCheck = on; return nil }
}

// WithMaxUploadSize sets the largest file UploadImage (and the adapter's
// Add) sends, checked before sending when File.Size is known and while
// streaming when it is not (default DefaultMaxUploadSize).
func WithMaxUploadSize(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return &shopimg.InputError{Field: "MaxUploadSize", Reason: fmt.Sprintf("%d is not positive", n)}
		}
		o.maxUploadSize = n
		return nil
	}
}

// WithSharedQuota makes the new client share c's rate limiter, so that
// several Clients of one store (say, with different retry policies or v2
// path styles) together keep within the store's quota, as one Client used
// from many goroutines does. c must be a Client of the same store hash.
// Apps that do not share a process cannot share a limiter; their requests
// still draw on the same quota, and a 429 caused by another app is waited
// out as any other. The shared limiter keeps c's clock.
func WithSharedQuota(c *Client) Option {
	return func(o *options) error {
		if c == nil {
			return &shopimg.InputError{Field: "SharedQuota", Reason: "is nil"}
		}
		o.shareQuota = c
		return nil
	}
}

// Client is a typed client of one store's product image endpoints: the v3
// catalog API through its methods, the legacy v2 API through V2. Both share
// one HTTP core and so one rate limiter, as they share the store's quota.
// Its adapters (ProductImages) remember what they learned of the store's
// sort_order rule. It is safe for concurrent use.
type Client struct {
	rc            *rest.Client
	store         string // the store hash
	v3, v2        string // "stores/{hash}/v3", "stores/{hash}/v2", escaped
	v2Suffix      string // "" or ".json"
	reorderCheck  bool
	maxUploadSize int64
	rules         *rules      // what the store's sort_order rule turned out to be
	writes        writeCounts // write requests the adapters sent, per product
}

// NewClient returns a client for the store with the given hash (the
// {store_hash} path segment, e.g. "abc123") and API account access token
// (sent as X-Auth-Token). Both are required. The token never appears in an
// error, a log line, or the output of String and %#v.
func NewClient(storeHash, accessToken string, opts ...Option) (*Client, error) {
	switch {
	case strings.TrimSpace(storeHash) == "":
		return nil, fmt.Errorf("bigcommerce: %w", &shopimg.InputError{Field: "storeHash", Reason: "is empty"})
	case strings.ContainsAny(storeHash, "/?#%") || strings.ContainsFunc(storeHash, isSpaceOrControl):
		return nil, fmt.Errorf("bigcommerce: %w", &shopimg.InputError{Field: "storeHash", Reason: "contains a space, control character or one of / ? # %"})
	case strings.TrimSpace(accessToken) == "":
		return nil, fmt.Errorf("bigcommerce: %w", &shopimg.InputError{Field: "accessToken", Reason: "is empty"})
	case strings.ContainsFunc(accessToken, isSpaceOrControl):
		return nil, fmt.Errorf("bigcommerce: %w", &shopimg.InputError{Field: "accessToken", Reason: "contains a space or control character"})
	}
	o := options{Settings: rest.DefaultSettings(DefaultBaseURL), reorderCheck: true, maxUploadSize: DefaultMaxUploadSize}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("bigcommerce: %w", err)
		}
	}
	if sh := o.shareQuota; sh != nil {
		if sh.store != storeHash {
			return nil, fmt.Errorf("bigcommerce: %w", &shopimg.InputError{Field: "SharedQuota", Reason: "is a client of another store"})
		}
		if err := o.SetLimiter(sh.rc.Limiter()); err != nil {
			return nil, fmt.Errorf("bigcommerce: %w", err)
		}
	}
	rc, err := rest.New(rest.Config{
		Settings:    o.Settings,
		Platform:    platform,
		Credentials: []rest.Credential{{Header: headerAuthToken, Value: accessToken}},
		DecodeError: decodeError,
		ReadRate:    readRate,
	})
	if err != nil {
		return nil, err
	}
	c := &Client{
		rc:            rc,
		store:         storeHash,
		v3:            rest.Path("stores/%s/v3", storeHash),
		v2:            rest.Path("stores/%s/v2", storeHash),
		reorderCheck:  o.reorderCheck,
		maxUploadSize: o.maxUploadSize,
		rules:         &rules{},
	}
	if o.shareQuota != nil {
		c.rules = o.shareQuota.rules // one store, one rule
	}
	if o.v2Suffix {
		c.v2Suffix = ".json"
	}
	return c, nil
}

// String describes the client without its token.
func (c *Client) String() string { return "bigcommerce.Client{store:" + c.store + "}" }

// GoString is String, so %#v shows no token either.
func (c *Client) GoString() string { return c.String() }

// StoreHash returns the store hash the client was made for.
func (c *Client) StoreHash() string { return c.store }

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }
