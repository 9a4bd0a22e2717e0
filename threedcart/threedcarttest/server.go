package threedcarttest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
	"github.com/shopimg/shopimg/threedcart"
)

// Fault is a scripted failure; queue it with Server.Faults().Add. Its
// fields (Method, Path, Skip, Times, Status, Header, Body, Latency, Drop,
// AfterApply, Before) are documented on fakestore.Fault.
type Fault = fakestore.Fault

// RecordedRequest is one request the server received, as Server.Recorder
// lists it.
type RecordedRequest = fakestore.RecordedRequest

// Redacted replaces the credential values wherever they appear in a
// recorded request.
const Redacted = fakestore.Redacted

// MessageOffsetExceeded is the message of the error item the API answers a
// page that starts past the last record with.
const MessageOffsetExceeded = "Offset amount exceeds the total number of records"

// DefaultCredentials are the credentials the server accepts unless
// WithCredentials says otherwise.
var DefaultCredentials = threedcart.Credentials{
	SecureURL:  "https://demo.3dcartstores.com",
	PrivateKey: "fake-private-key",
	Token:      "fake-token",
}

// Image is an ImageGallery record as the fake stores it, for seeding a
// product (AddProduct) and reading the fake's state (Images).
type Image struct {
	// ImageGalleryID is the image's ID; AddProduct assigns the next one to
	// zero.
	ImageGalleryID int64
	// ImageGalleryFile is the path or URL the image was given.
	ImageGalleryFile string
	// ImageGalleryCaption is the caption.
	ImageGalleryCaption string
	// ImageGallerySorting is the sort position.
	ImageGallerySorting int
}

// PastEnd is how the server answers a page that starts past the last image.
type PastEnd int

const (
	// PastEndOffsetError answers 400 [{"Key":"","Value":"","Status":"400",
	// "Message":"Offset amount exceeds the total number of records"}].
	PastEndOffsetError PastEnd = iota
	// PastEndOffsetErrorOK answers the same array with HTTP 200.
	PastEndOffsetErrorOK
	// PastEndNotFound answers 404 with an empty body.
	PastEndNotFound
)

// String names the signal, for test names.
func (p PastEnd) String() string {
	switch p {
	case PastEndOffsetError:
		return "400 offset exceeded"
	case PastEndOffsetErrorOK:
		return "200 offset exceeded"
	case PastEndNotFound:
		return "empty 404"
	}
	return "PastEnd(" + strconv.Itoa(int(p)) + ")"
}

// Option configures a Server.
type Option func(*config)

type config struct {
	fakestore.Config
	creds         threedcart.Credentials
	offsetBase    int
	pastEnd       PastEnd
	maxLimit      int
	failureStatus bool
	numericStatus bool
	quota         int
	window        time.Duration
}

// WithCredentials sets the credentials the server accepts.
func WithCredentials(c threedcart.Credentials) Option { return func(o *config) { o.creds = c } }

// WithClock sets the clock of the recorder, fault latency and the quota.
func WithClock(c shopimg.Clock) Option { return func(o *config) { o.Clock = c } }

// WithOffsetBase makes offset count from base: 0 (the default: offset is
// the number of images before the page) or 1 (offset is the 1-based
// position of the page's first image; 0 still means the start). It panics
// on another value.
func WithOffsetBase(base int) Option {
	if base != 0 && base != 1 {
		panic(fmt.Sprintf("threedcarttest: offset base %d is neither 0 nor 1", base))
	}
	return func(o *config) { o.offsetBase = base }
}

// WithPastEnd sets the answer to a page past the last image.
func WithPastEnd(p PastEnd) Option { return func(o *config) { o.pastEnd = p } }

// WithMaxLimit caps the images per page, whatever limit asks (0: no cap).
func WithMaxLimit(n int) Option { return func(o *config) { o.maxLimit = n } }

// WithHTTPStatusForFailures answers a write whose item fails with that
// item's Status as the HTTP status, instead of 200.
func WithHTTPStatusForFailures() Option { return func(o *config) { o.failureStatus = true } }

// WithNumericStatus sends Status as a JSON number instead of a string.
func WithNumericStatus() Option { return func(o *config) { o.numericStatus = true } }

// WithMaxRecords keeps at most n recorded requests (negative: none, for
// benchmarks); counts are kept regardless.
func WithMaxRecords(n int) Option { return func(o *config) { o.MaxRecords = n } }

// WithMaxRecordedBody records at most n bytes of each request body
// (negative: none).
func WithMaxRecordedBody(n int64) Option { return func(o *config) { o.MaxRecordedBody = n } }

// WithQuota limits the server to limit requests per window (a fixed
// window, the first request starting it); a request over it is answered 429
// with Retry-After (whole seconds until the window ends) and [{"Key":"",
// "Value":"","Status":"429","Message":"Too many requests"}]. The vendor
// documents no rate limit and no quota headers, so the default is none, the
// answer's shape is a guess, and no quota headers are sent. limit must be
// positive and window positive, or WithQuota panics.
func WithQuota(limit int, window time.Duration) Option {
	if limit <= 0 || window <= 0 {
		panic(fmt.Sprintf("threedcarttest: quota of %d per %v", limit, window))
	}
	return func(o *config) { o.quota, o.window = limit, window }
}

// WithFirstImageID sets the first ImageGalleryID the server assigns
// (default 1001).
func WithFirstImageID(id int64) Option { return func(o *config) { o.FirstID = id } }

// Server is a running fake. Recorder, Faults, Quota, Clock and Client come
// from the embedded engine; Close shuts it down.
type Server struct {
	*fakestore.Server
	// URL is the server's base URL, "http://127.0.0.1:port", without a
	// trailing slash: the client's base URL (threedcart.WithBaseURL).
	// Request paths start with /3dCartWebAPI/v1.
	URL string

	cfg config
	cat *fakestore.Catalog[Image]
}

// NewServer starts a fake with no products. Call Close when done.
func NewServer(opts ...Option) *Server {
	cfg := config{Config: fakestore.Config{FirstID: 1001}, creds: DefaultCredentials}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Clock == nil {
		cfg.Clock = shopimg.SystemClock{}
	}
	if cfg.quota > 0 {
		cfg.Quota = &fakestore.FixedWindow{Limit: cfg.quota, Window: cfg.window}
	}
	cfg.Secrets = append(cfg.Secrets, cfg.creds.PrivateKey, cfg.creds.Token)
	s := &Server{cfg: cfg, cat: fakestore.NewCatalog[Image](cfg.CatalogOptions())}
	s.Server = fakestore.NewServer(s.routes(), cfg.Options(nil, s.rejectQuota))
	s.URL = s.Server.URL
	return s
}

func (s *Server) rejectQuota(w http.ResponseWriter, q fakestore.QuotaState) {
	w.Header().Set("Retry-After", strconv.FormatInt(fakestore.CeilSeconds(q.RetryAfter), 10))
	fakestore.WriteJSON(w, http.StatusTooManyRequests, []result{s.result("", "", http.StatusTooManyRequests, "Too many requests")})
}

// Credentials returns the credentials the server accepts.
func (s *Server) Credentials() threedcart.Credentials { return s.cfg.creds }

// NewClient returns a threedcart client for this server: its URL, its HTTP
// client, its clock (so a server on a fake clock gives clients that never
// really sleep) and its credentials, then opts.
func (s *Server) NewClient(opts ...threedcart.Option) (*threedcart.Client, error) {
	base := []threedcart.Option{threedcart.WithBaseURL(s.URL), threedcart.WithHTTPClient(s.Client()), threedcart.WithClock(s.cfg.Clock)}
	return threedcart.NewClient(s.cfg.creds, append(base, opts...)...)
}

const apiPrefix = "/3dCartWebAPI/v1/Products/"

// ImagesPath is the path of a product's gallery, for Fault.Path and
// Recorder().Count.
func ImagesPath(catalogID int64) string {
	return apiPrefix + strconv.FormatInt(catalogID, 10) + "/Images"
}

// ImagePath is the path of one image of a product's gallery.
func ImagePath(catalogID, imageGalleryID int64) string {
	return ImagesPath(catalogID) + "/" + strconv.FormatInt(imageGalleryID, 10)
}

// AddProduct creates (or replaces) a product with the given images, in that
// order. Images without an ImageGalleryID get the next one. It returns the
// images as stored.
func (s *Server) AddProduct(catalogID int64, images ...Image) []Image {
	imgs := slices.Clone(images)
	for i := range imgs {
		if imgs[i].ImageGalleryID == 0 {
			imgs[i].ImageGalleryID = s.cat.NextID()
		}
	}
	s.cat.AddProduct(strconv.FormatInt(catalogID, 10), imgs...)
	return slices.Clone(imgs)
}

// Images returns the product's images in the order the server stores and
// sends them (the order they were added, whatever their sorting), or an
// error if there is no such product.
func (s *Server) Images(catalogID int64) ([]Image, error) {
	return s.cat.Images(strconv.FormatInt(catalogID, 10))
}

// routes returns the fake's routes behind the credential check.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	notAllowed := func(w http.ResponseWriter, r *http.Request) {
		fakestore.WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{
			"Message": "The requested resource does not support http method '" + r.Method + "'.",
		})
	}
	images := "/3dCartWebAPI/v1/Products/{catalogid}/Images"
	fakestore.Route(mux, images, fakestore.Methods{
		http.MethodGet:  s.list,
		http.MethodPost: s.create,
		http.MethodPut:  s.updateAll,
	}, notAllowed)
	fakestore.Route(mux, images+"/{imagegalleryid}", fakestore.Methods{http.MethodPut: s.updateOne}, notAllowed)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fakestore.WriteJSON(w, http.StatusNotFound, map[string]string{
			"Message": "No HTTP resource was found that matches the request URI '" + r.URL.Path + "'.",
		})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(r.Header) {
			fakestore.WriteJSON(w, http.StatusUnauthorized, map[string]string{"Message": "Authorization has been denied for this request."})
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) authorized(h http.Header) bool {
	c := s.cfg.creds
	norm := func(u string) string { return strings.TrimRight(strings.TrimSpace(u), "/") }
	return h.Get("PrivateKey") == c.PrivateKey && h.Get("Token") == c.Token &&
		strings.EqualFold(norm(h.Get("SecureURL")), norm(c.SecureURL))
}

// pathInt reads an integer path value, answering ASP.NET Web API's 400
// when it is not one.
func pathInt(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		invalid(w, name)
	}
	return n, err == nil
}

// invalid is ASP.NET Web API's answer to a request it cannot bind.
func invalid(w http.ResponseWriter, param string) {
	fakestore.WriteJSON(w, http.StatusBadRequest, map[string]string{
		"Message":       "The request is invalid.",
		"MessageDetail": "The value of '" + param + "' or of the request body is not valid.",
	})
}

// result is a {Key, Value, Status, Message} item as the server sends it.
type result struct {
	Key     string `json:"Key"`
	Value   string `json:"Value"`
	Status  any    `json:"Status"`
	Message string `json:"Message"`
}

func (s *Server) result(key, value string, status int, msg string) result {
	var st any = strconv.Itoa(status)
	if s.cfg.numericStatus {
		st = status
	}
	return result{Key: key, Value: value, Status: st, Message: msg}
}

// writeResults sends results with status, or, when an item failed, with
// 200 (the default) or the first failure's status.
func (s *Server) writeResults(w http.ResponseWriter, status int, rs []result, failure int) {
	if failure != 0 && s.cfg.failureStatus {
		status = failure
	}
	fakestore.WriteJSON(w, status, rs)
}

func (s *Server) noProduct(w http.ResponseWriter, id int64) {
	fakestore.WriteJSON(w, http.StatusNotFound, []result{s.result("CatalogID", strconv.FormatInt(id, 10), http.StatusNotFound, "Product not found")})
}

// wireOut is an ImageGallery as the server sends it, with the field names
// of the vendor's help pages.
type wireOut struct {
	ImageGalleryID      int64  `json:"ImageGalleryID"`
	ImageGalleryFile    string `json:"ImageGalleryFile"`
	ImageGalleryCaption string `json:"ImageGalleryCaption"`
	ImageGallerySorting int    `json:"ImageGallerySorting"`
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "catalogid")
	if !ok {
		return
	}
	limit, err1 := fakestore.QueryInt(r, "limit", 0)
	offset, err2 := fakestore.QueryInt(r, "offset", 0)
	if err := errors.Join(err1, err2); err != nil || limit < 0 || offset < 0 {
		fakestore.WriteJSON(w, http.StatusBadRequest, []result{s.result("", "", http.StatusBadRequest, "limit and offset must be non-negative integers")})
		return
	}
	var page []wireOut
	n := 0
	err := s.cat.View(strconv.FormatInt(id, 10), func(p *fakestore.Product[Image]) error {
		n = len(p.Images)
		start := max(offset-s.cfg.offsetBase, 0)
		if start >= n {
			return nil
		}
		size := n - start
		if limit > 0 {
			size = min(size, limit)
		}
		if s.cfg.maxLimit > 0 {
			size = min(size, s.cfg.maxLimit)
		}
		for _, img := range p.Images[start : start+size] {
			page = append(page, wireOut(img))
		}
		return nil
	})
	switch {
	case err != nil:
		s.noProduct(w, id)
	case n == 0:
		w.WriteHeader(http.StatusNotFound) // an empty result: 404, no body
	case page == nil:
		s.pastEnd(w)
	default:
		fakestore.WriteJSON(w, http.StatusOK, page)
	}
}

func (s *Server) pastEnd(w http.ResponseWriter) {
	body := []result{s.result("", "", http.StatusBadRequest, MessageOffsetExceeded)}
	switch s.cfg.pastEnd {
	case PastEndNotFound:
		w.WriteHeader(http.StatusNotFound)
	case PastEndOffsetErrorOK:
		fakestore.WriteJSON(w, http.StatusOK, body)
	default:
		fakestore.WriteJSON(w, http.StatusBadRequest, body)
	}
}

// wireIn is an ImageGallery as received, with absent fields nil.
type wireIn struct {
	ImageGalleryID      *int64  `json:"ImageGalleryID"`
	ImageGalleryFile    *string `json:"ImageGalleryFile"`
	ImageGalleryCaption *string `json:"ImageGalleryCaption"`
	ImageGallerySorting *int    `json:"ImageGallerySorting"`
}

// applyTo sets the fields present in in on img.
func (in wireIn) applyTo(img *Image) {
	if in.ImageGalleryFile != nil {
		img.ImageGalleryFile = *in.ImageGalleryFile
	}
	if in.ImageGalleryCaption != nil {
		img.ImageGalleryCaption = *in.ImageGalleryCaption
	}
	if in.ImageGallerySorting != nil {
		img.ImageGallerySorting = *in.ImageGallerySorting
	}
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "catalogid")
	if !ok {
		return
	}
	var in wireIn
	if err := fakestore.ReadJSON(r, &in, 0); err != nil {
		invalid(w, "image")
		return
	}
	pid := strconv.FormatInt(id, 10)
	if in.ImageGalleryFile == nil || strings.TrimSpace(*in.ImageGalleryFile) == "" {
		if !s.cat.HasProduct(pid) {
			s.noProduct(w, id)
			return
		}
		s.writeResults(w, http.StatusOK, []result{s.result("ImageGalleryFile", "", http.StatusBadRequest, "ImageGalleryFile is required")}, http.StatusBadRequest)
		return
	}
	var img Image
	err := s.cat.Update(pid, func(p *fakestore.Product[Image]) error {
		img = Image{ImageGalleryID: s.cat.NextID()}
		in.applyTo(&img)
		p.Images = append(p.Images, img)
		return nil
	})
	if err != nil {
		s.noProduct(w, id)
		return
	}
	s.writeResults(w, http.StatusCreated, []result{s.result("ImageGalleryID", strconv.FormatInt(img.ImageGalleryID, 10), http.StatusCreated, "Created successfully")}, 0)
}

// updateItem applies one item of a PUT to p and returns its result and, if
// it failed, its status.
func (s *Server) updateItem(p *fakestore.Product[Image], in wireIn) (result, int) {
	if in.ImageGalleryID == nil || *in.ImageGalleryID <= 0 {
		return s.result("ImageGalleryID", "", http.StatusBadRequest, "ImageGalleryID is required"), http.StatusBadRequest
	}
	id := *in.ImageGalleryID
	key := strconv.FormatInt(id, 10)
	i := slices.IndexFunc(p.Images, func(img Image) bool { return img.ImageGalleryID == id })
	if i < 0 {
		return s.result("ImageGalleryID", key, http.StatusNotFound, "ImageGalleryID not found"), http.StatusNotFound
	}
	if in.ImageGalleryFile != nil && strings.TrimSpace(*in.ImageGalleryFile) == "" {
		return s.result("ImageGalleryFile", "", http.StatusBadRequest, "ImageGalleryFile cannot be empty"), http.StatusBadRequest
	}
	in.applyTo(&p.Images[i])
	return s.result("ImageGalleryID", key, http.StatusOK, "updated successfully"), 0
}

func (s *Server) updateAll(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "catalogid")
	if !ok {
		return
	}
	var in []wireIn
	if err := fakestore.ReadJSON(r, &in, 0); err != nil {
		invalid(w, "images")
		return
	}
	var rs []result
	failure := 0
	err := s.cat.Update(strconv.FormatInt(id, 10), func(p *fakestore.Product[Image]) error {
		rs = make([]result, 0, len(in))
		for _, item := range in {
			res, st := s.updateItem(p, item)
			rs = append(rs, res)
			if failure == 0 {
				failure = st
			}
		}
		return nil
	})
	if err != nil {
		s.noProduct(w, id)
		return
	}
	s.writeResults(w, http.StatusOK, rs, failure)
}

func (s *Server) updateOne(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(w, r, "catalogid")
	if !ok {
		return
	}
	iid, ok := pathInt(w, r, "imagegalleryid")
	if !ok {
		return
	}
	var in wireIn
	if err := fakestore.ReadJSON(r, &in, 0); err != nil {
		invalid(w, "image")
		return
	}
	var res result
	failure := 0
	err := s.cat.Update(strconv.FormatInt(id, 10), func(p *fakestore.Product[Image]) error {
		if in.ImageGalleryID != nil && *in.ImageGalleryID != 0 && *in.ImageGalleryID != iid {
			res, failure = s.result("ImageGalleryID", strconv.FormatInt(*in.ImageGalleryID, 10), http.StatusBadRequest, "ImageGalleryID in the body does not match the URI"), http.StatusBadRequest
			return nil
		}
		in.ImageGalleryID = new(iid)
		res, failure = s.updateItem(p, in)
		return nil
	})
	if err != nil {
		s.noProduct(w, id)
		return
	}
	s.writeResults(w, http.StatusOK, []result{res}, failure)
}

// Inject queues f, a network fault in the vocabulary the in-memory
// shopimgtest.Fake also takes (a Status with RetryAfter, Drop, Apply for a
// write that happens before the failure, Latency, Skip, Times), on the
// requests a client sends for f.Call: List the GETs of the gallery, Add
// the POST, Update any PUT, Reorder and UpdateImages the collection PUT,
// CallAnyWrite any POST or PUT; any product when f.ProductID is empty. A
// Status comes with a result array. It panics for a fault with Err (which
// only the in-memory Fake understands) or for CallDelete (3dcart has no
// image delete).
func (s *Server) Inject(f shopimgtest.Fault) {
	p, all := apiPrefix+"*", apiPrefix+"*"
	if f.ProductID != "" {
		p = apiPrefix + url.PathEscape(f.ProductID) + "/Images"
		all = p + "*"
	}
	ft := f.WireFor(map[shopimgtest.Call]shopimgtest.Route{
		shopimgtest.CallList: {Method: http.MethodGet, Path: p}, shopimgtest.CallAdd: {Method: http.MethodPost, Path: p},
		shopimgtest.CallUpdate: {Method: http.MethodPut, Path: all}, shopimgtest.CallReorder: {Method: http.MethodPut, Path: p},
		shopimgtest.CallUpdateImages: {Method: http.MethodPut, Path: p}, shopimgtest.CallAnyWrite: {Method: "POST,PUT", Path: all},
	})
	if f.Status != 0 {
		ft.Header = ft.Header.Clone()
		if ft.Header == nil {
			ft.Header = http.Header{}
		}
		ft.Header.Set("Content-Type", "application/json")
		body, _ := json.Marshal([]result{s.result("", "", f.Status, http.StatusText(f.Status))})
		ft.Body = string(body)
	}
	s.Faults().Add(ft)
}
