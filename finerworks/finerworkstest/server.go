package finerworkstest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// Fault is a scripted failure; add it with srv.Faults().Add.
type Fault = fakestore.Fault

// RecordedRequest is one request the server received (srv.Recorder()).
type RecordedRequest = fakestore.RecordedRequest

// Redacted replaces the key values in recorded requests.
const Redacted = fakestore.Redacted

// The keys a new Server accepts.
const (
	DefaultWebAPIKey = "fake-web-api-key-0123"
	DefaultAppKey    = "fake-app-key-4567"
)

// The paths of the five calls, for Fault.Path and Recorder().Count.
const (
	ListImagesPath        = "/v3/list_images"
	AddImagesPath         = "/v3/add_images"
	UpdateImagesPath      = "/v3/update_images"
	DeleteImagesPath      = "/v3/delete_images"
	TestCredentialsPath   = "/v3/test_my_credentials"
	maxAddImagesPerCall   = 5  // documented: "Insert up to 5 at once"
	maxPerPage            = 50 // documented: "up to 50 at a time"
	defaultPerPage        = 10 // documented: "Default is 10"
	minSessionID          = 8  // documented: 8 to 50 characters
	maxSessionID          = 50
	defaultTemporaryLife  = 14 * 24 * time.Hour
	authorizationModelKey = "ApiC.Models.authorization_credentials"
)

// The libraries a Server holds.
const (
	Inventory = "inventory"
	Temporary = "temporary"
)

// CountReading is what list_images' count holds.
type CountReading int

const (
	// CountTotal: the number of images matching the request over all
	// pages (the default).
	CountTotal CountReading = iota
	// CountPage: the number of images on the page answered.
	CountPage
)

// AddAnswer is what add_images answers with.
type AddAnswer int

const (
	// AddAnswerStatus: the status envelope only, as update_images'
	// documented answer (the default).
	AddAnswerStatus AddAnswer = iota
	// AddAnswerImages: the status and "images", the created images.
	AddAnswerImages
)

// AuthFailure is how the server refuses bad or missing keys.
type AuthFailure int

const (
	// AuthModelState answers 400 {"Message":"The request is invalid.",
	// "ModelState":{"ApiC.Models.authorization_credentials":["Missing or
	// unauthorized api credentials"]}} (the default).
	AuthModelState AuthFailure = iota
	// AuthHTML answers 400 with Content-Type text/html and the text
	// "Invalid app_key or web_api_key.".
	AuthHTML
)

// UnknownGUID is how update_images and delete_images treat a GUID the
// library does not have.
type UnknownGUID int

const (
	// UnknownGUIDFails refuses the whole call, with a status envelope
	// success false and status_code 404 (the default).
	UnknownGUIDFails UnknownGUID = iota
	// UnknownGUIDIgnored skips it and applies the rest.
	UnknownGUIDIgnored
)

// Option configures a Server.
type Option func(*config)

type config struct {
	fakestore.Config
	webKey, appKey string
	count          CountReading
	addAnswer      AddAnswer
	auth           AuthFailure
	unknown        UnknownGUID
	sortField      string
	sortDir        string
	maxUpdate      int
	maxDelete      int
	httpStatus     bool
	asStrings      bool
	clearOmitted   bool
}

// WithCredentials sets the keys the server accepts.
func WithCredentials(webAPIKey, appKey string) Option {
	return func(c *config) { c.webKey, c.appKey = webAPIKey, appKey }
}

// WithClock sets the clock of dates, fault latency and the quota.
func WithClock(clock shopimg.Clock) Option { return func(c *config) { c.Clock = clock } }

// WithMaxRecords keeps at most n recorded requests (negative: none, for
// benchmarks); counts are kept regardless.
func WithMaxRecords(n int) Option { return func(c *config) { c.MaxRecords = n } }

// WithMaxRecordedBody records at most n bytes of each request body
// (negative: none).
func WithMaxRecordedBody(n int64) Option { return func(c *config) { c.MaxRecordedBody = n } }

// WithFirstID sets the first image id the server assigns (default 1001).
func WithFirstID(id int64) Option { return func(c *config) { c.FirstID = id } }

// WithSeed makes the server's GUIDs follow from seed (default 0).
func WithSeed(seed uint64) Option { return func(c *config) { c.Seed = seed } }

// WithQuota limits the server to limit requests per window (a fixed window
// the first request starts). A request over it is answered 429 with
// Retry-After (whole seconds) and a status envelope with status_code 429.
// The API documents no rate limit, so there is none by default and no
// quota header is ever sent. limit and window must be positive.
func WithQuota(limit int, window time.Duration) Option {
	if limit <= 0 || window <= 0 {
		panic(fmt.Sprintf("finerworkstest: quota of %d per %v", limit, window))
	}
	return func(c *config) { c.Quota = &fakestore.FixedWindow{Limit: limit, Window: window} }
}

// WithCount sets what list_images' count holds (default CountTotal).
func WithCount(r CountReading) Option { return func(c *config) { c.count = r } }

// WithAddAnswer sets what add_images answers (default AddAnswerStatus).
func WithAddAnswer(a AddAnswer) Option { return func(c *config) { c.addAnswer = a } }

// WithAuthFailure sets how bad or missing keys are refused (default
// AuthModelState).
func WithAuthFailure(a AuthFailure) Option { return func(c *config) { c.auth = a } }

// WithUnknownGUID sets how a GUID the library lacks is treated by
// update_images and delete_images (default UnknownGUIDFails).
func WithUnknownGUID(u UnknownGUID) Option { return func(c *config) { c.unknown = u } }

// WithDefaultSort sets the order list_images uses when the request names
// none: field is one of id, title, file_name, file_size, date_added and
// direction ASC or DESC. The documented default is id, DESC.
func WithDefaultSort(field, direction string) Option {
	if _, ok := sortKeys[field]; !ok || (direction != "ASC" && direction != "DESC") {
		panic(fmt.Sprintf("finerworkstest: sort %q %q", field, direction))
	}
	return func(c *config) { c.sortField, c.sortDir = field, direction }
}

// WithMaxUpdateImages refuses an update_images call of more than n images
// (400 in the status envelope). The API documents no limit, so the default
// is none.
func WithMaxUpdateImages(n int) Option { return func(c *config) { c.maxUpdate = n } }

// WithMaxDeleteImages refuses a delete_images call of more than n GUIDs.
// The API documents no limit, so the default is none.
func WithMaxDeleteImages(n int) Option { return func(c *config) { c.maxDelete = n } }

// WithErrorStatusInHTTP sends a failing status envelope with its
// status_code as the HTTP status. By default such answers are HTTP 200,
// as the envelope (which carries its own status_code) allows.
func WithErrorStatusInHTTP() Option { return func(c *config) { c.httpStatus = true } }

// WithNumbersAsStrings sends every number of an answer (id, file_size,
// pix_w, pix_h, status_code, page_number, per_page, count) as a string, as
// some clients report seeing.
func WithNumbersAsStrings() Option { return func(c *config) { c.asStrings = true } }

// WithUpdateClearingOmitted makes update_images clear a title or
// description the request leaves out (or sends as null). By default a
// field left out keeps its value.
func WithUpdateClearingOmitted() Option { return func(c *config) { c.clearOmitted = true } }

// Image is an image as the server stores it: what tests seed and read
// back. Zero dates, ID and GUID are filled in when seeded.
type Image struct {
	ID                                                    int64
	GUID                                                  string
	Title, Description                                    string
	FileName                                              string
	FileSize                                              int64
	ThumbnailFileName, PreviewFileName, HiresFileName     string
	PublicThumbnailURI, PublicPreviewURI, PrivateHiresURI string
	PixW, PixH                                            int
	DateAdded, DateUpdated, DateExpires                   time.Time
	Active                                                bool
}

// Server is a running fake. Its Recorder, Faults, Quota and Clock methods
// come from the engine; Close shuts it down.
type Server struct {
	*fakestore.Server
	// URL is the server's base URL, "http://127.0.0.1:port" without a
	// trailing slash: give it to finerworks.WithBaseURL (NewClient does).
	URL string

	cfg config
	cat *fakestore.Catalog[Image]
}

// NewServer starts a fake whose two libraries are empty. Call Close when
// done.
func NewServer(opts ...Option) *Server {
	cfg := config{webKey: DefaultWebAPIKey, appKey: DefaultAppKey, sortField: "id", sortDir: "DESC"}
	cfg.FirstID = 1001
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Clock == nil {
		cfg.Clock = shopimg.SystemClock{}
	}
	cfg.Secrets = []string{cfg.webKey, cfg.appKey}
	s := &Server{cfg: cfg, cat: fakestore.NewCatalog[Image](cfg.CatalogOptions())}
	s.cat.AddProduct(Inventory)
	s.cat.AddProduct(Temporary)
	s.Server = fakestore.NewServer(s.routes(), cfg.Options(nil, s.rejectQuota))
	s.URL = s.Server.URL
	return s
}

// Credentials returns the keys the server accepts.
func (s *Server) Credentials() finerworks.Credentials {
	return finerworks.Credentials{WebAPIKey: s.cfg.webKey, AppKey: s.cfg.appKey}
}

// NewClient returns a finerworks client for this server: its URL, HTTP
// client, clock and keys, then opts.
func (s *Server) NewClient(opts ...finerworks.Option) (*finerworks.Client, error) {
	base := []finerworks.Option{finerworks.WithBaseURL(s.URL), finerworks.WithHTTPClient(s.Client()), finerworks.WithClock(s.Clock())}
	return finerworks.NewClient(s.Credentials(), append(base, opts...)...)
}

// AddImages stores images in the library (Inventory or Temporary; it
// panics on another) as add_images would, filling in what they lack: ID,
// GUID, DateAdded (now), DateExpires (temporary library). It returns them
// as stored.
func (s *Server) AddImages(library string, images ...Image) []Image {
	return s.put(library, images, true)
}

// SetImages replaces the library's images with images, completed as
// AddImages does, and returns them as stored.
func (s *Server) SetImages(library string, images ...Image) []Image {
	return s.put(library, images, false)
}

func (s *Server) put(library string, images []Image, keep bool) []Image {
	out := slices.Clone(images)
	err := s.cat.Update(library, func(p *fakestore.Product[Image]) error {
		for i := range out {
			s.fill(library, &out[i])
		}
		if !keep {
			p.Images = nil
		}
		p.Images = append(p.Images, out...)
		return nil
	})
	if err != nil {
		panic("finerworkstest: " + err.Error())
	}
	return out
}

// fill completes a new image.
func (s *Server) fill(library string, img *Image) {
	now := s.cfg.Now().UTC()
	if img.ID == 0 {
		img.ID = s.cat.NextID()
	}
	if img.GUID == "" {
		img.GUID = s.cat.NewGUID()
	}
	if img.DateAdded.IsZero() {
		img.DateAdded = now
	}
	if library == Temporary && img.DateExpires.IsZero() {
		img.DateExpires = img.DateAdded.Add(defaultTemporaryLife)
	}
}

// Images returns the library's images in the order they were added, or
// nil for an unknown library.
func (s *Server) Images(library string) []Image {
	imgs, _ := s.cat.Images(library)
	return imgs
}

func (s *Server) rejectQuota(w http.ResponseWriter, q fakestore.QuotaState) {
	w.Header().Set("Retry-After", strconv.FormatInt(fakestore.CeilSeconds(q.RetryAfter), 10))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{"status": s.status(http.StatusTooManyRequests, "Too many requests", nil)})
}
