package bigcommercetest

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// Fault is a scripted failure; queue it with Server.Faults().Add. Its
// fields (Method, Path, Skip, Times, Status, Header, Body, Latency, Drop,
// AfterApply, Before) are documented on fakestore.Fault.
type Fault = fakestore.Fault

// RecordedRequest is one request the server received, as Server.Recorder
// lists it.
type RecordedRequest = fakestore.RecordedRequest

// Redacted replaces the access token wherever it appears in a recorded
// request.
const Redacted = fakestore.Redacted

// Defaults and documented limits.
const (
	// DefaultStoreHash is the store hash a new Server answers for.
	DefaultStoreHash = "abc123"
	// DefaultAccessToken is the X-Auth-Token a new Server accepts.
	DefaultAccessToken = "fake-access-token"
	// DefaultQuota is the requests per window of the Standard and Plus
	// plans.
	DefaultQuota = 150
	// DefaultWindow is the length of a quota window, 30 s.
	DefaultWindow = 30 * time.Second
	// MaxImages is the most images a product may have.
	MaxImages = 1000
	// MaxUploadSize is the largest image file, in bytes ("up to 8 MB").
	MaxUploadSize = 8_000_000
	// DefaultPageLimit and MaxPageLimit are the default and the largest
	// limit of a list.
	DefaultPageLimit, MaxPageLimit = 50, 250
	// MaxImageURLLength is the longest image_url accepted.
	MaxImageURLLength = 255
	// DefaultCDN is where the fake serves image files from.
	DefaultCDN = "https://cdn11.bigcommerce.example"
)

// Image is an image as the fake stores it and serves it on v3
// (productImage_Full, with the JSON names of the spec, written apart from
// package bigcommerce's), for seeding a product (AddProduct) and reading
// the fake's state (Images). The URL fields are read-only: the fake
// computes them.
type Image struct {
	// ID is the image's ID; AddProduct assigns the next one to zero.
	ID int64 `json:"id"`
	// ProductID is the product it belongs to (set by the fake).
	ProductID int64 `json:"product_id"`
	// ImageFile is the store-relative path of the file; AddProduct makes
	// one up when empty.
	ImageFile string `json:"image_file"`
	// ImageURL is the URL the image was created from, if any.
	ImageURL string `json:"image_url,omitempty"`
	// IsThumbnail marks the product's thumbnail.
	IsThumbnail bool `json:"is_thumbnail"`
	// SortOrder places the image: lower first.
	SortOrder int `json:"sort_order"`
	// Description is the image's description (its alt text).
	Description string `json:"description"`
	// URLZoom is the CDN URL of the largest rendition (1280x1280).
	URLZoom string `json:"url_zoom"`
	// URLStandard is the CDN URL of the product-page rendition.
	URLStandard string `json:"url_standard"`
	// URLThumbnail is the CDN URL of the category-page rendition.
	URLThumbnail string `json:"url_thumbnail"`
	// URLTiny is the CDN URL of the smallest rendition.
	URLTiny string `json:"url_tiny"`
	// DateModified is when the image last changed, by the server's clock,
	// to the second.
	DateModified time.Time `json:"date_modified"`
}

// Option configures a Server.
type Option func(*config)

type config struct {
	fakestore.Config
	hash, token string
	quota       int // requests per window; < 0: no quota
	window      time.Duration
	maxImages   int
	maxUpload   int64
	reading     Reading
	cdn         string
}

// WithStoreHash sets the store hash the server answers for.
func WithStoreHash(h string) Option { return func(c *config) { c.hash = h } }

// WithAccessToken sets the X-Auth-Token the server accepts.
func WithAccessToken(t string) Option { return func(c *config) { c.token = t } }

// WithClock sets the clock of dates, fault latency and the quota.
func WithClock(clock shopimg.Clock) Option { return func(c *config) { c.Clock = clock } }

// WithQuota sets the fixed-window quota: limit requests per window.
func WithQuota(limit int, window time.Duration) Option {
	return func(c *config) { c.quota, c.window = limit, window }
}

// WithoutQuota turns the quota and its headers off.
func WithoutQuota() Option { return func(c *config) { c.quota = -1 } }

// WithMaxImages sets the most images a product can have (default
// MaxImages).
func WithMaxImages(n int) Option { return func(c *config) { c.maxImages = n } }

// WithMaxUploadSize sets the largest file a multipart write takes (default
// MaxUploadSize).
func WithMaxUploadSize(n int64) Option { return func(c *config) { c.maxUpload = n } }

// WithMaxRecords keeps at most n recorded requests (negative: none, for
// benchmarks); counts are kept regardless.
func WithMaxRecords(n int) Option { return func(c *config) { c.MaxRecords = n } }

// WithMaxRecordedBody records at most n bytes of each request body
// (negative: none).
func WithMaxRecordedBody(n int64) Option { return func(c *config) { c.MaxRecordedBody = n } }

// WithFirstImageID sets the first image ID the server assigns (default
// 1001).
func WithFirstImageID(id int64) Option { return func(c *config) { c.FirstID = id } }

// WithShiftRule sets how a written sort_order moves the other images.
func WithShiftRule(r ShiftRule) Option { return func(c *config) { c.reading.Shift = r } }

// WithThumbnailRule sets what happens to the thumbnail flag when the
// thumbnail is deleted.
func WithThumbnailRule(r ThumbnailRule) Option { return func(c *config) { c.reading.Thumbnail = r } }

// WithReading sets both readings of what the docs leave open.
func WithReading(r Reading) Option { return func(c *config) { c.reading = r } }

// WithCDN sets the base URL the image files are served from (default
// DefaultCDN).
func WithCDN(base string) Option { return func(c *config) { c.cdn = strings.TrimRight(base, "/") } }

// Server is a running fake. Recorder, Faults, Quota, Clock and Client come
// from the embedded engine; Close shuts it down.
type Server struct {
	*fakestore.Server
	// URL is the server's base URL, "http://127.0.0.1:port", without a
	// trailing slash: the client's base URL (bigcommerce.WithBaseURL).
	// Request paths start with /stores/{hash}.
	URL string

	cfg config
	cat *fakestore.Catalog[stored]
}

// NewServer starts a fake with no products. Call Close when done. It
// panics on a ShiftRule or ThumbnailRule that is not one of the constants.
func NewServer(opts ...Option) *Server {
	cfg := config{
		Config: fakestore.Config{FirstID: 1001},
		hash:   DefaultStoreHash, token: DefaultAccessToken,
		quota: DefaultQuota, window: DefaultWindow, maxImages: MaxImages,
		maxUpload: MaxUploadSize, cdn: DefaultCDN,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Clock == nil {
		cfg.Clock = shopimg.SystemClock{}
	}
	if r := cfg.reading; r.Shift < 0 || int(r.Shift) >= len(shiftTable) || r.Thumbnail < 0 || int(r.Thumbnail) >= len(thumbnailNames) {
		panic("bigcommercetest: unknown reading " + r.String())
	}
	if cfg.quota >= 0 {
		cfg.Quota = &fakestore.FixedWindow{Limit: cfg.quota, Window: cfg.window}
	}
	cfg.Secrets = append(cfg.Secrets, cfg.token)
	s := &Server{cfg: cfg, cat: fakestore.NewCatalog[stored](cfg.CatalogOptions())}
	s.Server = fakestore.NewServer(s.routes(), cfg.Options(quotaHeaders, rejectQuota))
	s.URL = s.Server.URL
	return s
}

func quotaHeaders(h http.Header, s fakestore.QuotaState) {
	h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(s.Remaining))
	h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(s.Limit))
	h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(ceilMs(s.ResetIn), 10))
	h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(ceilMs(s.Window), 10))
}

func ceilMs(d time.Duration) int64 { return int64((d + time.Millisecond - 1) / time.Millisecond) }

func rejectQuota(w http.ResponseWriter, s fakestore.QuotaState) {
	w.Header().Set("X-Retry-After", strconv.FormatInt(fakestore.CeilSeconds(s.RetryAfter), 10))
	writeV3Error(w, http.StatusTooManyRequests, "Too many requests. Please try again later.", nil)
}

// StoreHash returns the store hash the server answers for.
func (s *Server) StoreHash() string { return s.cfg.hash }

// AccessToken returns the X-Auth-Token the server accepts.
func (s *Server) AccessToken() string { return s.cfg.token }

// Reading returns the readings of the docs the server follows.
func (s *Server) Reading() Reading { return s.cfg.reading }

// NewClient returns a bigcommerce client for this server: its URL, HTTP
// client, clock, store hash and token, then opts.
func (s *Server) NewClient(opts ...bigcommerce.Option) (*bigcommerce.Client, error) {
	base := []bigcommerce.Option{bigcommerce.WithBaseURL(s.URL), bigcommerce.WithHTTPClient(s.Client()), bigcommerce.WithClock(s.Clock())}
	return bigcommerce.NewClient(s.cfg.hash, s.cfg.token, append(base, opts...)...)
}

// ImagesPath is the v3 path of a product's images, for Fault.Path and
// Recorder().Count.
func (s *Server) ImagesPath(productID int64) string {
	return "/stores/" + s.cfg.hash + "/v3/catalog/products/" + strconv.FormatInt(productID, 10) + "/images"
}

// ImagePath is the v3 path of one image.
func (s *Server) ImagePath(productID, imageID int64) string {
	return s.ImagesPath(productID) + "/" + strconv.FormatInt(imageID, 10)
}

// AddProduct creates (or replaces) a product with the given images, stored
// as given (ties, several thumbnails or none included, to model any state a
// store may be in), except that an image without ID gets the next one and
// one without ImageFile a made-up path. It returns the images as stored.
func (s *Server) AddProduct(productID int64, images ...Image) []Image {
	now := s.cfg.Now().UTC()
	imgs := make([]stored, len(images))
	out := make([]Image, len(images))
	for i, in := range images {
		st := stored{
			ID: in.ID, ProductID: productID, SortOrder: in.SortOrder, IsThumbnail: in.IsThumbnail,
			Description: in.Description, ImageFile: in.ImageFile, ImageURL: in.ImageURL, Created: now, Modified: now,
		}
		if st.ID == 0 {
			st.ID = s.cat.NextID()
		}
		if st.ImageFile == "" {
			st.ImageFile = filePath(st.ID, "seed.jpg")
		}
		imgs[i] = st
		out[i] = s.image(st)
	}
	s.cat.AddProduct(strconv.FormatInt(productID, 10), imgs...)
	return out
}

// Images returns the product's images by ID, or an error if there is no
// such product.
func (s *Server) Images(productID int64) ([]Image, error) {
	imgs, err := s.cat.Images(strconv.FormatInt(productID, 10))
	if err != nil {
		return nil, err
	}
	out := make([]Image, len(imgs))
	for i, st := range byID(imgs) {
		out[i] = s.image(st)
	}
	return out, nil
}

// SortedImages returns the product's images in the order the store keeps
// them: by sort_order, then ID.
func (s *Server) SortedImages(productID int64) ([]Image, error) {
	imgs, err := s.Images(productID)
	slices.SortStableFunc(imgs, func(a, b Image) int { return cmp.Compare(a.SortOrder, b.SortOrder) })
	return imgs, err
}

// ImageCount returns the number of images in the whole store.
func (s *Server) ImageCount() int {
	n := 0
	for _, pid := range s.cat.ProductIDs() {
		imgs, _ := s.cat.Images(pid)
		n += len(imgs)
	}
	return n
}

// image renders a stored image as an Image.
func (s *Server) image(img stored) Image {
	return Image{
		ID: img.ID, ProductID: img.ProductID, ImageFile: img.ImageFile, ImageURL: img.ImageURL,
		IsThumbnail: img.IsThumbnail, SortOrder: img.SortOrder, Description: img.Description,
		URLZoom: s.renditionURL(img, 1280, 1280), URLStandard: s.renditionURL(img, 560, 850),
		URLThumbnail: s.renditionURL(img, 330, 500), URLTiny: s.renditionURL(img, 66, 100),
		DateModified: img.Modified.Truncate(time.Second),
	}
}

// routes returns the fake's routes. Every handler checks the store hash
// and the token first (see guarded).
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	v3 := "/stores/{hash}/v3/catalog/products/{product_id}/images"
	fakestore.Route(mux, v3, fakestore.Methods{
		http.MethodGet:  s.guarded(false, s.list3),
		http.MethodPost: s.guarded(false, s.create3),
	}, s.guarded(false, notAllowed3))
	fakestore.Route(mux, v3+"/{image_id}", fakestore.Methods{
		http.MethodGet:    s.guarded(false, s.get3),
		http.MethodPut:    s.guarded(false, s.update3),
		http.MethodDelete: s.guarded(false, s.delete3),
	}, s.guarded(false, notAllowed3))
	for _, suffix := range []string{"", ".json"} {
		v2 := "/stores/{hash}/v2/products/{product_id}/images"
		fakestore.Route(mux, v2+suffix, fakestore.Methods{
			http.MethodGet:    s.guarded(true, s.list2),
			http.MethodPost:   s.guarded(true, s.create2),
			http.MethodDelete: s.guarded(true, s.deletePage2),
		}, s.guarded(true, notAllowed2))
		fakestore.Route(mux, "/stores/{hash}/v2/products/images/count"+suffix, fakestore.Methods{
			http.MethodGet: s.guarded(true, s.count2),
		}, s.guarded(true, notAllowed2))
	}
	// {id} may end in ".json".
	fakestore.Route(mux, "/stores/{hash}/v2/products/{product_id}/images/{id}", fakestore.Methods{
		http.MethodGet:    s.guarded(true, s.get2),
		http.MethodPut:    s.guarded(true, s.update2),
		http.MethodDelete: s.guarded(true, s.delete2),
	}, s.guarded(true, notAllowed2))
	mux.HandleFunc("/stores/{hash}/v2/", s.guarded(true, func(w http.ResponseWriter, r *http.Request) {
		writeV2Error(w, http.StatusNotFound, "The requested resource was not found.", nil)
	}))
	mux.HandleFunc("/stores/{hash}/v3/", s.guarded(false, func(w http.ResponseWriter, r *http.Request) {
		writeV3Error(w, http.StatusNotFound, "Not Found", nil)
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeV3Error(w, http.StatusNotFound, "Not Found", nil)
	})
	return mux
}

// guarded checks the store hash (another store is a 404, a guess) and the
// token (401) before h, answering in the v2 or v3 error shape.
func (s *Server) guarded(v2 bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if hash := r.PathValue("hash"); hash != s.cfg.hash {
			s.writeError(w, v2, http.StatusNotFound, "Store not found", nil)
			return
		}
		if r.Header.Get("X-Auth-Token") != s.cfg.token {
			s.writeError(w, v2, http.StatusUnauthorized, "You are not authorized to access this resource. Check the X-Auth-Token header.", nil)
			return
		}
		h(w, r)
	}
}

func notAllowed3(w http.ResponseWriter, _ *http.Request) {
	writeV3Error(w, http.StatusMethodNotAllowed, "Method Not Allowed", nil)
}

func notAllowed2(w http.ResponseWriter, _ *http.Request) {
	writeV2Error(w, http.StatusMethodNotAllowed, "The requested method is not supported by this resource.", nil)
}

func (s *Server) writeError(w http.ResponseWriter, v2 bool, status int, msg string, fields map[string]string) {
	if v2 {
		writeV2Error(w, status, msg, fields)
		return
	}
	writeV3Error(w, status, msg, fields)
}

// statusDocs is the type member of v3 errors, as in the spec's examples.
const statusDocs = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"

func writeV3Error(w http.ResponseWriter, status int, title string, fields map[string]string) {
	body := map[string]any{"status": status, "title": title, "type": statusDocs}
	if len(fields) > 0 {
		body["errors"] = fields
	}
	fakestore.WriteJSON(w, status, body)
}

func writeV2Error(w http.ResponseWriter, status int, msg string, details map[string]string) {
	item := map[string]any{"status": status, "message": msg}
	if len(details) > 0 {
		item["details"] = details
	}
	fakestore.WriteJSON(w, status, []any{item})
}

// pathID parses the path value name: a positive decimal number, with an
// optional ".json" on v2.
func pathID(r *http.Request, name string, v2 bool) (int64, bool) {
	seg := r.PathValue(name)
	if v2 {
		seg = strings.TrimSuffix(seg, ".json")
	}
	n, err := strconv.ParseInt(seg, 10, 64)
	return n, err == nil && n > 0 && !strings.HasPrefix(seg, "+")
}

// Inject queues f, a network fault in the vocabulary the in-memory
// shopimgtest.Fake also takes (a Status with RetryAfter, Drop, Apply for a
// write that happens before the failure, Latency, Skip, Times), on the
// requests a client sends for f.Call: List the GET of the product's images,
// Add the POST, Update and Reorder the PUT of an image, Delete the DELETE,
// CallAnyWrite any of those writes; any product when f.ProductID is empty.
// A Status comes with a v3 error body. It panics for a fault with Err
// (which only the in-memory Fake understands) or a call BigCommerce has no
// request for (UpdateImages).
func (s *Server) Inject(f shopimgtest.Fault) {
	p, one, all := "/stores/"+s.cfg.hash+"/v3/catalog/products/*", "", ""
	if f.ProductID != "" {
		p = "/stores/" + s.cfg.hash + "/v3/catalog/products/" + url.PathEscape(f.ProductID) + "/images"
		one, all = p+"/*", p+"*"
	}
	ft := f.WireFor(map[shopimgtest.Call]shopimgtest.Route{
		shopimgtest.CallList: {Method: http.MethodGet, Path: p}, shopimgtest.CallAdd: {Method: http.MethodPost, Path: p},
		shopimgtest.CallUpdate: {Method: http.MethodPut, Path: cmp.Or(one, p)}, shopimgtest.CallReorder: {Method: http.MethodPut, Path: cmp.Or(one, p)},
		shopimgtest.CallDelete: {Method: http.MethodDelete, Path: cmp.Or(one, p)}, shopimgtest.CallAnyWrite: {Method: "POST,PUT,DELETE", Path: cmp.Or(all, p)},
	})
	if f.Status != 0 {
		ft.Header = addJSON(ft.Header)
		ft.Body = fmt.Sprintf(`{"status":%d,"title":%q,"type":%q}`, f.Status, http.StatusText(f.Status), statusDocs)
	}
	s.Faults().Add(ft)
}

// addJSON returns h with Content-Type application/json.
func addJSON(h http.Header) http.Header {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	return h
}
