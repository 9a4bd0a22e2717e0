package sallatest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/salla"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// Fault is a scripted failure; add it with srv.Faults().Add (API) or
// srv.Accounts.Faults().Add (token endpoint).
type Fault = fakestore.Fault

// RecordedRequest is one request the server received (srv.Recorder()).
type RecordedRequest = fakestore.RecordedRequest

// Redacted replaces credential values in recorded requests.
const Redacted = fakestore.Redacted

// Defaults of a new Server.
const (
	// DefaultAccessToken is a bearer token the API accepts that never
	// expires (Config.Secrets).
	DefaultAccessToken = "fake-salla-access-token"
	// DefaultClientID and DefaultClientSecret are the app credentials the
	// token endpoint accepts.
	DefaultClientID     = "fake-client-id"
	DefaultClientSecret = "fake-client-secret"
	// DefaultTokenLifetime is how long an issued access token lasts [I:
	// the docs give no figure; apps report two weeks].
	DefaultTokenLifetime = 14 * 24 * time.Hour
	// DefaultQuota is the Plus plan's requests per minute.
	DefaultQuota = 120
	// DefaultMaxUpload is the largest photo file taken [I: not
	// documented].
	DefaultMaxUpload = 64 << 20
	// DefaultFirstID is the first ID the catalogue hands out (Salla's IDs
	// are large numbers such as 1908361139).
	DefaultFirstID = 1908361101
	// MaxField is the largest plain form field taken.
	MaxField = 64 << 10
	// APIPrefix is the path of the Merchant API under the server's root.
	APIPrefix = "/admin/v2"
	// cdn is the host of the fake's image URLs.
	cdn = "https://cdn.salla.sa/fake/"
)

// UpdateIDs is what an update whose photo is a URL does to the image's ID.
type UpdateIDs int

const (
	// UpdateKeepsID changes the image in place (the default).
	UpdateKeepsID UpdateIDs = iota
	// UpdateNewID replaces the image by a new one with a new ID, at the
	// place the update gives; the old ID is gone.
	UpdateNewID
	// UpdateCopies adds a new image with the update's fields and leaves
	// the old one as it was.
	UpdateCopies
)

// String names the reading, for test names.
func (u UpdateIDs) String() string {
	switch u {
	case UpdateKeepsID:
		return "keeps-id"
	case UpdateNewID:
		return "new-id"
	case UpdateCopies:
		return "copies"
	}
	return "UpdateIDs(" + strconv.Itoa(int(u)) + ")"
}

// DeleteAnswer is how a successful delete is answered.
type DeleteAnswer int

const (
	// Delete202 answers 202 {"status":202,"success":true,"data":{...}}
	// (the default; 202 is "deleted" in Salla's status table).
	Delete202 DeleteAnswer = iota
	// Delete204 answers 204 without a body.
	Delete204
)

// Config is the fake's configuration, set by Options.
type Config struct {
	fakestore.Config
	// ClientID and ClientSecret are the app credentials the token
	// endpoint accepts (in the form body, or as HTTP basic auth).
	ClientID, ClientSecret string
	// TokenLifetime is how long an issued access token lasts.
	TokenLifetime time.Duration
	// InvalidGrantStatus is the status of an invalid_grant answer (401,
	// the default, as Salla lists it among its 401s; 400 is OAuth's).
	InvalidGrantStatus int
	// MaxImages is the most pictures a product holds (videos not counted
	// [I]).
	MaxImages int
	// MaxUpload is the largest photo file taken, in bytes.
	MaxUpload int64
	// SortShift: writing sort s moves every other entry at s or above up
	// by one (an insertion). Off (the default), the value is stored as
	// sent and ties are possible.
	SortShift bool
	// SortBase is the value an attach without sort gives the first entry
	// (then one more than the highest); with 1, a sort below 1 is refused
	// with a 422.
	SortBase int
	// UpdateIDs is what an update with a photo URL does to the ID.
	UpdateIDs UpdateIDs
	// KeepOtherDefaults: default=1 on one image leaves the flag on the
	// others (off: the flag moves, the default).
	KeepOtherDefaults bool
	// NoMainPromotion: deleting the main image leaves no image flagged
	// (off: the next image by sort gets the flag, the default).
	NoMainPromotion bool
	// Delete is how a delete is answered.
	Delete DeleteAnswer
	// SKUStatus is the status of a successful attach by SKU (201, the
	// example body's; the docs' header says 200).
	SKUStatus int
}

// Option configures a Server.
type Option func(*Config)

// WithClock sets the clock of token expiry, dates, fault latency and the
// quota.
func WithClock(c shopimg.Clock) Option { return func(o *Config) { o.Clock = c } }

// WithAccessTokens sets the static bearer tokens the API accepts (they
// never expire), replacing DefaultAccessToken.
func WithAccessTokens(tokens ...string) Option {
	return func(o *Config) { o.Secrets = slices.Clone(tokens) }
}

// WithClient sets the app credentials the token endpoint accepts.
func WithClient(id, secret string) Option {
	return func(o *Config) { o.ClientID, o.ClientSecret = id, secret }
}

// WithTokenLifetime sets how long an issued access token lasts.
func WithTokenLifetime(d time.Duration) Option { return func(o *Config) { o.TokenLifetime = d } }

// WithInvalidGrantStatus sets the status of invalid_grant answers.
func WithInvalidGrantStatus(status int) Option {
	return func(o *Config) { o.InvalidGrantStatus = status }
}

// WithQuota sets the per-minute quota, a leaky bucket of perMinute
// requests draining perMinute/60 a second.
func WithQuota(perMinute int) Option {
	return func(o *Config) {
		o.Quota = &fakestore.LeakyBucket{Capacity: perMinute, DrainPerSecond: float64(perMinute) / 60}
	}
}

// WithoutQuota turns the quota and its headers off.
func WithoutQuota() Option { return func(o *Config) { o.Quota = nil } }

// WithMaxImages sets the most pictures a product holds.
func WithMaxImages(n int) Option { return func(o *Config) { o.MaxImages = n } }

// WithMaxUpload sets the largest photo file taken.
func WithMaxUpload(n int64) Option { return func(o *Config) { o.MaxUpload = n } }

// WithSortShift turns the insertion reading of sort writes on or off.
func WithSortShift(on bool) Option { return func(o *Config) { o.SortShift = on } }

// WithSortBase sets the base of sort values (0 or 1; see Config.SortBase).
// It panics on another value.
func WithSortBase(base int) Option {
	if base != 0 && base != 1 {
		panic(fmt.Sprintf("sallatest: sort base %d is neither 0 nor 1", base))
	}
	return func(o *Config) { o.SortBase = base }
}

// WithUpdateIDs sets what an update with a photo URL does to the ID.
func WithUpdateIDs(u UpdateIDs) Option { return func(o *Config) { o.UpdateIDs = u } }

// WithKeepOtherDefaults makes default=1 leave the flag on other images.
func WithKeepOtherDefaults(on bool) Option { return func(o *Config) { o.KeepOtherDefaults = on } }

// WithoutMainPromotion makes a deleted main image leave no image flagged.
func WithoutMainPromotion() Option { return func(o *Config) { o.NoMainPromotion = true } }

// WithDeleteAnswer sets how a delete is answered.
func WithDeleteAnswer(a DeleteAnswer) Option { return func(o *Config) { o.Delete = a } }

// WithSKUStatus sets the status of a successful attach by SKU.
func WithSKUStatus(status int) Option { return func(o *Config) { o.SKUStatus = status } }

// WithMaxRecords keeps at most n recorded requests (negative: none).
func WithMaxRecords(n int) Option { return func(o *Config) { o.MaxRecords = n } }

// WithMaxRecordedBody records at most n bytes of each body (negative:
// none).
func WithMaxRecordedBody(n int64) Option { return func(o *Config) { o.MaxRecordedBody = n } }

// WithFirstID sets the first ID the catalogue hands out.
func WithFirstID(id int64) Option { return func(o *Config) { o.FirstID = id } }

// Item is a gallery entry as the fake's seeding API takes and returns it.
type Item struct {
	// ID is the entry's ID; 0 gets the next one.
	ID int64
	// Type is "image" (the default) or "video".
	Type string
	// URL is the picture's CDN URL; empty gets one.
	URL string
	// VideoURL is a video's address.
	VideoURL string
	// Sort is the sort value.
	Sort int
	// Default flags the main image.
	Default bool
	// Alt is the alternative text.
	Alt string
	// Size is the bytes of an uploaded file (0 for a URL).
	Size int64
}

func (it Item) isVideo() bool { return it.Type == "video" }

// Server is a running fake: the Merchant API on the embedded engine (its
// Recorder, Faults, Quota and Clock), and the accounts server (OAuth) on
// Accounts. Close shuts both down.
type Server struct {
	*fakestore.Server
	// URL is the Merchant API base, the engine's URL + APIPrefix: give it
	// to salla.WithBaseURL. (It shadows the engine's URL, the root.)
	URL string
	// Accounts is the accounts server (authorize and token endpoints),
	// with its own recorder and faults and no quota.
	Accounts *fakestore.Server

	cfg Config
	cat *fakestore.Catalog[Item]

	mu      sync.Mutex
	skus    map[string]string // SKU -> product ID
	oauth   oauthState
	photoIn atomic.Int64 // photo file bytes read so far
}

// NewServer starts a fake with no products. Call Close when done.
func NewServer(opts ...Option) *Server {
	cfg := Config{
		Config:             fakestore.Config{Clock: shopimg.SystemClock{}, FirstID: DefaultFirstID, Secrets: []string{DefaultAccessToken}},
		ClientID:           DefaultClientID,
		ClientSecret:       DefaultClientSecret,
		TokenLifetime:      DefaultTokenLifetime,
		InvalidGrantStatus: http.StatusUnauthorized,
		MaxImages:          salla.DefaultMaxImages,
		MaxUpload:          DefaultMaxUpload,
		SKUStatus:          http.StatusCreated,
	}
	WithQuota(DefaultQuota)(&cfg)
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Clock == nil {
		cfg.Clock = shopimg.SystemClock{}
	}
	s := &Server{cfg: cfg, cat: fakestore.NewCatalog[Item](cfg.CatalogOptions()), skus: map[string]string{}}
	s.oauth.init()
	api := http.NewServeMux()
	api.HandleFunc("GET "+APIPrefix+"/products/{product}", s.authed(s.getProduct))
	// One pattern serves both POST /products/{product}/images (attach) and
	// POST /products/images/{image} (update), which overlap as patterns.
	api.HandleFunc("POST "+APIPrefix+"/products/{a}/{b}", s.authed(s.postImage))
	api.HandleFunc("POST "+APIPrefix+"/products/sku/{sku}/images", s.authed(s.attachBySKU))
	api.HandleFunc("DELETE "+APIPrefix+"/products/images/{image}", s.authed(s.deleteImage))
	api.HandleFunc(APIPrefix+"/", s.authed(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "error", "المحتوى الذي تحاول الوصول اليه غير متوفر", nil)
	}))
	s.Server = fakestore.NewServer(api, cfg.Options(quotaHeaders, rejectQuota))
	s.URL = s.Server.URL + APIPrefix
	acc := http.NewServeMux()
	acc.HandleFunc("GET /oauth2/auth", s.authorize)
	acc.HandleFunc("POST /oauth2/token", s.token)
	accCfg := cfg.Config
	accCfg.Quota = nil
	accCfg.Secrets = append(slices.Clone(cfg.Secrets), cfg.ClientSecret)
	s.Accounts = fakestore.NewServer(acc, accCfg.Options(nil, nil))
	return s
}

// Close shuts the API and accounts servers down.
func (s *Server) Close() {
	s.Server.Close()
	s.Accounts.Close()
}

func quotaHeaders(h http.Header, q fakestore.QuotaState) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(q.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(q.Remaining))
	// The epoch second the bucket has drained, rounded up so a client
	// that waits until then is never early.
	h.Set("X-RateLimit-Reset", strconv.FormatInt(q.Now.Add(q.ResetIn+time.Second-1).Unix(), 10))
}

func rejectQuota(w http.ResponseWriter, q fakestore.QuotaState) {
	w.Header().Set("Retry-After", strconv.FormatInt(fakestore.CeilSeconds(q.RetryAfter), 10))
	writeError(w, http.StatusTooManyRequests, "too_many_requests", "Too many requests, slow down", nil)
}

// Config returns the server's configuration.
func (s *Server) Config() Config { return s.cfg }

// AccessToken returns the static bearer token the API accepts (the first
// of Config.Secrets).
func (s *Server) AccessToken() string {
	if len(s.cfg.Secrets) == 0 {
		return ""
	}
	return s.cfg.Secrets[0]
}

// NewClient returns a salla client for this server with the static token:
// its API URL, HTTP client and clock, then opts.
func (s *Server) NewClient(opts ...salla.Option) (*salla.Client, error) {
	return s.NewClientWith(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: s.AccessToken()}), opts...)
}

// NewClientWith is NewClient with another token source.
func (s *Server) NewClientWith(ts oauth2.TokenSource, opts ...salla.Option) (*salla.Client, error) {
	base := []salla.Option{salla.WithBaseURL(s.URL), salla.WithHTTPClient(s.Client()), salla.WithClock(s.Clock())}
	return salla.NewClient(ts, append(base, opts...)...)
}

// ProductPath is the API path of a product, for Fault.Path and
// Recorder().Count.
func ProductPath(id int64) string { return APIPrefix + "/products/" + strconv.FormatInt(id, 10) }

// ImagesPath is the attach path of a product.
func ImagesPath(id int64) string { return ProductPath(id) + "/images" }

// ImagePath is the update and delete path of an image.
func ImagePath(id int64) string {
	return APIPrefix + "/products/images/" + strconv.FormatInt(id, 10)
}

// TokenPath is the token endpoint's path on Accounts.
const TokenPath = "/oauth2/token"

// AddProduct creates (or replaces) a product with the given SKU (may be
// empty) and gallery, stored as given (ties, several or no main images
// included, to model any state a store may be in), except that an entry
// without ID gets the next one and a picture without URL gets a CDN URL.
// It returns the entries as stored.
func (s *Server) AddProduct(id int64, sku string, items ...Item) []Item {
	out := slices.Clone(items)
	for i := range out {
		if out[i].ID == 0 {
			out[i].ID = s.cat.NextID()
		}
		if out[i].Type == "" {
			out[i].Type = "image"
		}
		if out[i].URL == "" {
			out[i].URL = cdnURL(out[i].ID, "seed.jpg")
		}
	}
	pid := strconv.FormatInt(id, 10)
	s.cat.AddProduct(pid, out...)
	if sku != "" {
		s.mu.Lock()
		s.skus[sku] = pid
		s.mu.Unlock()
	}
	return slices.Clone(out)
}

// Items returns a product's entries in display order (by sort, then ID),
// or an error if there is no such product.
func (s *Server) Items(id int64) ([]Item, error) {
	items, err := s.cat.Images(strconv.FormatInt(id, 10))
	return bySort(items), err
}

// PhotoBytes returns the bytes of photo files the server has read so far,
// counted as they arrive (to check an upload is streamed).
func (s *Server) PhotoBytes() int64 { return s.photoIn.Load() }

// bySort sorts items the way the fake lists them: by sort, then ID [I].
func bySort(items []Item) []Item {
	slices.SortStableFunc(items, func(a, b Item) int { return cmp.Or(cmp.Compare(a.Sort, b.Sort), cmp.Compare(a.ID, b.ID)) })
	return items
}

// cdnURL is the CDN URL of an entry made from a file or URL named name.
func cdnURL(id int64, name string) string {
	return cdn + strconv.FormatInt(id, 10) + "-" + name
}

// baseName returns the file name of a URL or path, without a CDN ID
// prefix, so that a picture sent again keeps its name.
func baseName(u string) string {
	u, _, _ = strings.Cut(u, "?")
	u, _, _ = strings.Cut(u, "#")
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		u = u[i+1:]
	}
	if d, rest, ok := strings.Cut(u, "-"); ok && d != "" && strings.Trim(d, "0123456789") == "" {
		u = rest
	}
	if u == "" {
		return "image.jpg"
	}
	return u
}
