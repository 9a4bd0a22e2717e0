package finerworks

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/check"
	"github.com/shopimg/shopimg/internal/rest"
)

// The API hosts. Every request path starts with /v3 under them.
const (
	// DefaultBaseURL is the production host, the one the vendor's help
	// pages document (https://api.finerworks.com/Help).
	DefaultBaseURL = "https://api.finerworks.com"
	// SandboxBaseURL is the test host, with its own help pages
	// (https://test-api.finerworks.com/Help); its docs give site_id 2.
	SandboxBaseURL = "https://test-api.finerworks.com"
	// V2BaseURL is the newer production host that recent clients use
	// (https://v2.api.finerworks.com/Help), serving the same /v3 calls.
	V2BaseURL = "https://v2.api.finerworks.com"
)

// platform names the package in errors and logs.
const platform = "finerworks"

// The credential headers, spelled as the vendor's sample code spells them
// (Go's canonical form would send "Web_api_key").
const (
	headerWebAPIKey = "web_api_key"
	headerAppKey    = "app_key"
)

// Credentials are the two keys every request carries, as the headers
// web_api_key and app_key. Neither ever appears in an error, a log line or
// the output of String.
type Credentials struct {
	// WebAPIKey is the account's web API key.
	WebAPIKey string
	// AppKey is the application's key.
	AppKey string
}

// String describes c without its values.
func (c Credentials) String() string {
	return fmt.Sprintf("finerworks.Credentials{WebAPIKey:%s AppKey:%s}", mask(c.WebAPIKey), mask(c.AppKey))
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
	for _, f := range []struct{ name, v string }{{"WebAPIKey", c.WebAPIKey}, {"AppKey", c.AppKey}} {
		switch {
		case strings.TrimSpace(f.v) == "":
			return &shopimg.InputError{Field: "Credentials." + f.name, Reason: "is empty"}
		case strings.ContainsAny(f.v, "\r\n\x00"):
			return &shopimg.InputError{Field: "Credentials." + f.name, Reason: "contains a line break or NUL"}
		}
	}
	return nil
}

// LibraryName names an image library: the product ID of the adapter.
type LibraryName string

// The two libraries the API documents.
const (
	// Inventory is the account's permanent library, the default.
	Inventory LibraryName = "inventory"
	// Temporary is the library of uploads that expire (Image.DateExpires).
	Temporary LibraryName = "temporary"
)

// String returns the name, the form the common model uses.
func (n LibraryName) String() string { return string(n) }

// ParseLibraryName parses a library name in the common model's string form:
// "inventory" or "temporary", exactly. Anything else gives an error matching
// shopimg.ErrInvalidInput.
func ParseLibraryName(s string) (LibraryName, error) { return parseLibrary("productID", s) }

func parseLibrary(field, s string) (LibraryName, error) {
	switch n := LibraryName(s); n {
	case Inventory, Temporary:
		return n, nil
	}
	if r := check.ID(s); r != "" {
		return "", &shopimg.InputError{Field: field, Reason: r}
	}
	return "", &shopimg.InputError{Field: field, Reason: fmt.Sprintf("%q is not a library: want %q or %q", s, Inventory, Temporary)}
}

// ImageGUID identifies an image (the API's guid): a GUID such as
// "eaedbfbc-aee8-408f-9a80-43bda4e94de7".
type ImageGUID string

// String returns the GUID, the form the common model uses.
func (g ImageGUID) String() string { return string(g) }

// ParseImageGUID parses an image ID in the common model's string form: 32
// hexadecimal digits in the groups 8-4-4-4-12, without braces. Anything
// else gives an error matching shopimg.ErrInvalidInput. The GUID is kept as
// written; the API's answers use lower case.
func ParseImageGUID(s string) (ImageGUID, error) {
	if r := guidReason(s); r != "" {
		return "", &shopimg.InputError{Field: "imageID", Reason: r}
	}
	return ImageGUID(s), nil
}

// guidReason is the reason s is not a GUID, or "".
func guidReason(s string) string {
	if r := check.ID(s); r != "" {
		return r
	}
	if !isGUID(s) {
		return fmt.Sprintf("%q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", s)
	}
	return ""
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// Library is the API's image_library object, which every library call
// carries. The client keeps one (WithLibrary) and sends it with the name of
// the library each call is about.
type Library struct {
	// Name is the library: Inventory (the default) or Temporary.
	Name LibraryName `json:"name"`
	// SessionID stands for a FinerWorks.com session, 8 to 50 characters,
	// required by the API. When WithLibrary leaves it empty the client
	// makes a random 32-character one (the sandbox docs recommend a unique
	// 32-character ID). Whether the temporary library is tied to the
	// session is not documented: give a stable SessionID to see the same
	// temporary images from every client.
	SessionID string `json:"session_id"`
	// AccountKey is optional: the account's unique identifier, used only
	// when it is the account the app key belongs to.
	AccountKey string `json:"account_key"`
	// SiteID is required by the API. The production docs say to ask the
	// administrator and show 0 in their example (the client's default); the
	// sandbox docs say 2.
	SiteID int `json:"site_id"`
}

// Bounds of Library.SessionID, from the image_library model.
const (
	MinSessionIDLength = 8
	MaxSessionIDLength = 50
)

func (l Library) validate() error {
	if l.Name != "" {
		if _, err := parseLibrary("Library.Name", string(l.Name)); err != nil {
			return err
		}
	}
	if n := utf8.RuneCountInString(l.SessionID); l.SessionID != "" && (n < MinSessionIDLength || n > MaxSessionIDLength) {
		return &shopimg.InputError{Field: "Library.SessionID", Reason: fmt.Sprintf("has %d characters, want %d to %d", n, MinSessionIDLength, MaxSessionIDLength)}
	}
	for _, f := range []struct{ field, v string }{{"Library.SessionID", l.SessionID}, {"Library.AccountKey", l.AccountKey}} {
		if r := check.Text(f.v); r != "" {
			return &shopimg.InputError{Field: f.field, Reason: r}
		}
	}
	if l.SiteID < 0 {
		return &shopimg.InputError{Field: "Library.SiteID", Reason: fmt.Sprintf("%d is negative", l.SiteID)}
	}
	return nil
}

// newSessionID returns a random 32-character session ID.
func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// Option configures a Client.
type Option func(*options) error

type options struct {
	rest.Settings
	lib      *Library
	pageSize int
}

// WithBaseURL replaces DefaultBaseURL: SandboxBaseURL, V2BaseURL, a fake
// server or a proxy. It must be an absolute http(s) URL without query; the
// /v3 paths are appended to it. Note that with http the keys travel in clear
// text.
func WithBaseURL(u string) Option { return func(o *options) error { return o.SetBaseURL(u) } }

// WithHTTPClient sends the requests through c, which is never changed: its
// Transport is looked up at every request (so httpmock.ActivateNonDefault(c)
// works before or after NewClient), its Timeout and Jar are read once, and
// its CheckRedirect runs after the client's own redirect policy (which
// refuses redirects to another origin, where the keys would follow).
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error { return o.SetHTTPClient(c) }
}

// WithRetry sets the retry policy (default shopimg.DefaultRetryPolicy).
func WithRetry(p shopimg.RetryPolicy) Option { return func(o *options) error { return o.SetRetry(p) } }

// WithLogger logs one debug line per attempt and a warning per retry, never
// with the keys or an answer's status.debug. Nil (the default) logs nothing.
func WithLogger(l *slog.Logger) Option { return func(o *options) error { return o.SetLogger(l) } }

// WithClock sets the time source of every wait (shopimgtest.Clock in tests).
func WithClock(c shopimg.Clock) Option { return func(o *options) error { return o.SetClock(c) } }

// WithUserAgent puts ua before the shopimg User-Agent.
func WithUserAgent(ua string) Option { return func(o *options) error { return o.SetUserAgent(ua) } }

// WithMaxErrorBody sets how many bytes of an error body are read (default
// 64 KiB).
func WithMaxErrorBody(n int64) Option { return func(o *options) error { return o.SetMaxErrorBody(n) } }

// WithMaxBody sets the largest successful answer read, after decompression
// (default 8 MiB; a page of 50 images is about 50 KiB). A larger answer
// fails the call with an error matching shopimg.ErrUnavailable.
func WithMaxBody(n int64) Option { return func(o *options) error { return o.SetMaxBody(n) } }

// WithLibrary sets the image_library fields every call sends: SessionID
// (8 to 50 characters, or empty for a random one), SiteID and AccountKey. lib.Name is
// the library typed calls use when they name none (Inventory when empty);
// the adapter always sends its product ID.
func WithLibrary(lib Library) Option {
	return func(o *options) error {
		if err := lib.validate(); err != nil {
			return err
		}
		o.lib = &lib
		return nil
	}
}

// WithPageSize sets the per_page the iterator and the adapter ask for,
// 1 to MaxPerPage (default MaxPerPage).
func WithPageSize(n int) Option {
	return func(o *options) error {
		if n < 1 || n > MaxPerPage {
			return &shopimg.InputError{Field: "PageSize", Reason: fmt.Sprintf("%d is not within 1..%d", n, MaxPerPage)}
		}
		o.pageSize = n
		return nil
	}
}

// Client is a typed client of the FinerWorks v3 image library endpoints
// for one account. It is safe for concurrent use.
type Client struct {
	rc       *rest.Client
	lib      Library
	pageSize int
}

// NewClient returns a client for the account the credentials belong to.
// Both keys are required.
func NewClient(creds Credentials, opts ...Option) (*Client, error) {
	if err := creds.validate(); err != nil {
		return nil, fmt.Errorf("finerworks: %w", err)
	}
	o := options{Settings: rest.DefaultSettings(DefaultBaseURL), pageSize: MaxPerPage}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("finerworks: %w", err)
		}
	}
	var lib Library
	if o.lib != nil {
		lib = *o.lib
	}
	if lib.Name == "" {
		lib.Name = Inventory
	}
	if lib.SessionID == "" {
		lib.SessionID = newSessionID()
	}
	rc, err := rest.New(rest.Config{
		Settings: o.Settings,
		Platform: platform,
		Credentials: []rest.Credential{
			{Header: headerWebAPIKey, Value: creds.WebAPIKey},
			{Header: headerAppKey, Value: creds.AppKey},
		},
		DecodeError: decodeError,
	})
	if err != nil {
		return nil, err
	}
	return &Client{rc: rc, lib: lib, pageSize: o.pageSize}, nil
}

// String describes the client without its keys.
func (c *Client) String() string { return "finerworks.Client{library:" + string(c.lib.Name) + "}" }

// GoString is String, so %#v shows no key either.
func (c *Client) GoString() string { return c.String() }

// Library returns the image_library fields the client sends.
func (c *Client) Library() Library { return c.lib }

// library returns the image_library object for a call about name (the
// client's default library when empty).
func (c *Client) library(name LibraryName) (Library, error) {
	lib := c.lib
	if name != "" {
		n, err := parseLibrary("library", string(name))
		if err != nil {
			return Library{}, err
		}
		lib.Name = n
	}
	return lib, nil
}
