// Package bigcommercetest is a stateful fake of the BigCommerce product
// image APIs, v3 catalog and legacy v2, for tests, examples and benchmarks
// of code that uses package bigcommerce (or any BigCommerce client). It
// speaks the wire protocol of the official v3 OpenAPI file and VENDORS.md
// section 2:
//
//	GET    /stores/{hash}/v3/catalog/products/{product_id}/images?page=&limit=
//	POST   /stores/{hash}/v3/catalog/products/{product_id}/images   (JSON image_url, or multipart image_file)
//	GET    /stores/{hash}/v3/catalog/products/{product_id}/images/{image_id}
//	PUT    /stores/{hash}/v3/catalog/products/{product_id}/images/{image_id}   (JSON, or multipart with an optional image_file)
//	DELETE /stores/{hash}/v3/catalog/products/{product_id}/images/{image_id}
//
//	GET    /stores/{hash}/v2/products/{product_id}/images?page=&limit=
//	POST   /stores/{hash}/v2/products/{product_id}/images
//	DELETE /stores/{hash}/v2/products/{product_id}/images?page=&limit=
//	GET    /stores/{hash}/v2/products/{product_id}/images/{id}
//	PUT    /stores/{hash}/v2/products/{product_id}/images/{id}
//	DELETE /stores/{hash}/v2/products/{product_id}/images/{id}
//	GET    /stores/{hash}/v2/products/images/count
//
// (every v2 path also with a ".json" suffix). Both generations are views of
// one catalogue, as on a real store.
//
// Documented behaviour it reproduces: the X-Auth-Token check (401), the
// {data, meta} envelope with meta.pagination, limit up to 250 (413 above),
// 204 for a product without images, 200 (not 201) for a v3 create, 201 for
// a v2 create, one thumbnail per product, the sort_order shifting rule, at
// most 1000 images per product, 8 MB per file, v2 field names and RFC 1123
// dates, v3 error bodies {status, title, type[, errors]} and v2 error
// arrays [{status, message[, details]}], and the store's fixed-window quota
// (150 requests per 30 s by default) with the X-Rate-Limit-* headers on
// every response and a 429 with X-Retry-After over quota.
//
// Where the vendor's material is silent the fake picks a reading, marked
// [I]:
//
//   - sort_order: writing s (create or update) adds one to every other
//     image's sort_order that is s or more (the documented rule read as an
//     insertion; WithShiftRule picks other readings, to test a client's
//     robustness). A create without sort_order goes after the last image
//     [I: the spec's example has two images at 0, so the real default may be
//     0].
//   - The first image of a product becomes its thumbnail; is_thumbnail true
//     moves the flag; is_thumbnail false on the thumbnail is ignored; when
//     the thumbnail is deleted, the first remaining image by (sort_order,
//     id) becomes the thumbnail [I].
//   - Lists are sent by image ID, not by sort_order [I]: clients must sort.
//     A page past the last is 200 with no data [I]. v2 answers 204 for an
//     empty list too [I].
//   - Over 1000 images, a bad image_url or sort_order is a 422; a file over
//     the limit a 413 [I]. A v2 write with a read-only or unknown field is
//     a 400 "The field 'x' is not supported by this resource." (VENDORS.md
//     quotes it for image_url).
//   - A PUT takes JSON or multipart/form-data, the two bodies the spec
//     lists; a multipart PUT's image_file replaces the file [I] (the usage
//     notes send new files through POST).
//   - A v2 DELETE of the collection deletes one page (page, limit as for a
//     list; 50 by default) [I].
//   - The quota's reset header is rounded up to the millisecond and
//     X-Retry-After up to the second, so a client that waits that long is
//     never early [I]. The 429 body is a v3 error [I].
//
// The fake runs on shopimgtest/fakestore: it records every request (with
// X-Auth-Token redacted), takes scripted faults (a status, a dropped
// connection, latency, AfterApply) and uses an injectable clock for dates,
// latency and the quota.
package bigcommercetest

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// Fault is a scripted failure; add it with srv.Faults().Add.
type Fault = fakestore.Fault

// RecordedRequest is one request the server received (srv.Recorder()).
type RecordedRequest = fakestore.RecordedRequest

// Redacted replaces the X-Auth-Token value in recorded requests.
const Redacted = fakestore.Redacted

// Defaults of a new Server.
const (
	// DefaultStoreHash is the store hash a new Server answers for.
	DefaultStoreHash = "abc123"
	// DefaultAccessToken is the X-Auth-Token a new Server accepts.
	DefaultAccessToken = "fake-access-token"
	// DefaultQuota is the requests per window of the Standard and Plus
	// plans (VENDORS.md 2a).
	DefaultQuota = 150
	// DefaultWindow is the length of a quota window, 30 s.
	DefaultWindow = 30 * time.Second
)

// ShiftRule is how the server applies a written sort_order to the other
// images.
type ShiftRule int

const (
	// ShiftInsert adds one to every other image at or after the written
	// sort_order, on every write of it (the default).
	ShiftInsert ShiftRule = iota
	// ShiftLowerPriority does so only when the write lowers the image's
	// priority (a higher sort_order than before, or a create), the most
	// literal reading of the docs.
	ShiftLowerPriority
	// ShiftNone stores sort_order as sent and shifts nothing.
	ShiftNone
)

// Option configures a Server.
type Option func(*config)

type config struct {
	hash, token string
	clock       shopimg.Clock
	quota       int
	window      time.Duration
	maxImages   int
	maxUpload   int64
	maxRecords  int
	maxBody     int64
	firstID     int64
	shift       ShiftRule
	cdn         string
}

// WithStoreHash sets the store hash the server answers for.
func WithStoreHash(h string) Option { return func(c *config) { c.hash = h } }

// WithAccessToken sets the X-Auth-Token the server accepts.
func WithAccessToken(t string) Option { return func(c *config) { c.token = t } }

// WithClock sets the clock of dates, fault latency and the quota.
func WithClock(clock shopimg.Clock) Option { return func(c *config) { c.clock = clock } }

// WithQuota sets the fixed-window quota: limit requests per window.
func WithQuota(limit int, window time.Duration) Option {
	return func(c *config) { c.quota, c.window = limit, window }
}

// WithoutQuota turns the quota and its headers off.
func WithoutQuota() Option { return func(c *config) { c.quota = -1 } }

// WithMaxImages sets the most images a product can have (default 1000).
func WithMaxImages(n int) Option { return func(c *config) { c.maxImages = n } }

// WithMaxUploadSize sets the largest file a multipart create takes (default
// bigcommerce.DefaultMaxUploadSize, 8,000,000 bytes: "up to 8 MB").
func WithMaxUploadSize(n int64) Option { return func(c *config) { c.maxUpload = n } }

// WithMaxRecords keeps at most n recorded requests (negative: none, for
// benchmarks); counts are kept regardless.
func WithMaxRecords(n int) Option { return func(c *config) { c.maxRecords = n } }

// WithMaxRecordedBody records at most n bytes of each request body
// (negative: none).
func WithMaxRecordedBody(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithFirstImageID sets the first image ID the server assigns (default
// 1001).
func WithFirstImageID(id int64) Option { return func(c *config) { c.firstID = id } }

// WithShiftRule sets how a written sort_order moves the other images.
func WithShiftRule(r ShiftRule) Option { return func(c *config) { c.shift = r } }

// Server is a running fake. Its Recorder, Faults, Quota and Clock methods
// come from the engine; Close shuts it down.
type Server struct {
	*fakestore.Server
	cfg config
	cat *fakestore.Catalog[stored]
}

// stored is one image as the fake keeps it, with what both API
// generations show.
type stored struct {
	ID, ProductID int64
	SortOrder     int
	IsThumbnail   bool
	Description   string
	ImageFile     string // store-relative path
	ImageURL      string // the URL it was created from, if any
	Size          int64  // bytes uploaded, for a file
	Created       time.Time
	Modified      time.Time
}

// NewServer starts a fake with no products. Call Close when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		hash: DefaultStoreHash, token: DefaultAccessToken, clock: shopimg.SystemClock{},
		quota: DefaultQuota, window: DefaultWindow, maxImages: bigcommerce.MaxImagesPerProduct,
		maxUpload: bigcommerce.DefaultMaxUploadSize, firstID: 1001, cdn: "https://cdn.bigcommerce.example",
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{cfg: cfg, cat: fakestore.NewCatalog[stored](fakestore.CatalogOptions{FirstID: cfg.firstID})}
	fo := fakestore.Options{Clock: cfg.clock, MaxRecords: cfg.maxRecords, MaxRecordedBody: cfg.maxBody}
	if cfg.quota >= 0 {
		fo.Quota = &fakestore.FixedWindow{Limit: cfg.quota, Window: cfg.window}
		fo.QuotaHeaders = quotaHeaders
		fo.QuotaReject = rejectQuota
	}
	s.Server = fakestore.NewServer(http.HandlerFunc(s.serve), fo)
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

// NewClient returns a bigcommerce client for this server: its URL, HTTP
// client, clock, store hash and token, then opts.
func (s *Server) NewClient(opts ...bigcommerce.Option) (*bigcommerce.Client, error) {
	base := []bigcommerce.Option{bigcommerce.WithBaseURL(s.URL), bigcommerce.WithHTTPClient(s.Client()), bigcommerce.WithClock(s.Clock())}
	return bigcommerce.NewClient(s.cfg.hash, s.cfg.token, append(base, opts...)...)
}

// ImagesPath is the v3 path of a product's images, for Fault.Path and
// Recorder().Count.
func (s *Server) ImagesPath(id bigcommerce.ProductID) string {
	return "/stores/" + s.cfg.hash + "/v3/catalog/products/" + id.String() + "/images"
}

// ImagePath is the v3 path of one image.
func (s *Server) ImagePath(id bigcommerce.ProductID, img bigcommerce.ImageID) string {
	return s.ImagesPath(id) + "/" + img.String()
}

// AddProduct creates (or replaces) a product with the given images, stored
// as given (ties, several thumbnails or none included, to model any state a
// store may be in), except that an image without ID gets the next one. It
// returns the images as stored, in v3 form.
func (s *Server) AddProduct(id bigcommerce.ProductID, images ...bigcommerce.Image) []bigcommerce.Image {
	now := s.cfg.clock.Now().UTC()
	imgs := make([]stored, len(images))
	out := make([]bigcommerce.Image, len(images))
	for i, in := range images {
		st := stored{
			ID: int64(in.ID), ProductID: int64(id), SortOrder: in.SortOrder, IsThumbnail: in.IsThumbnail,
			Description: in.Description, ImageFile: in.ImageFile, ImageURL: in.ImageURL, Created: now, Modified: now,
		}
		if st.ID == 0 {
			st.ID = s.cat.NextID()
		}
		if st.ImageFile == "" {
			st.ImageFile = filePath(st.ID, "seed.jpg")
		}
		imgs[i] = st
		out[i] = s.v3(st)
	}
	s.cat.AddProduct(id.String(), imgs...)
	return out
}

// Images returns the product's images in v3 form, by ID, or an error if
// there is no such product.
func (s *Server) Images(id bigcommerce.ProductID) ([]bigcommerce.Image, error) {
	imgs, err := s.cat.Images(id.String())
	if err != nil {
		return nil, err
	}
	out := make([]bigcommerce.Image, len(imgs))
	for i, st := range byID(imgs) {
		out[i] = s.v3(st)
	}
	return out, nil
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

// serve routes a request: the store and auth checks, then v3 or v2.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(segs) < 3 || segs[0] != "stores" || (segs[2] != "v3" && segs[2] != "v2") {
		writeV3Error(w, http.StatusNotFound, "Not Found", nil)
		return
	}
	v2 := segs[2] == "v2"
	if segs[1] != s.cfg.hash {
		// [I] An unknown store hash.
		s.writeError(w, v2, http.StatusNotFound, "Store not found", nil)
		return
	}
	if r.Header.Get("X-Auth-Token") != s.cfg.token {
		s.writeError(w, v2, http.StatusUnauthorized, "You are not authorized to access this resource. Check the X-Auth-Token header.", nil)
		return
	}
	if v2 {
		s.serveV2(w, r, segs[3:])
		return
	}
	s.serveV3(w, r, segs[3:])
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

// parseID parses a positive decimal path segment.
func parseID(seg string) (int64, bool) {
	n, err := strconv.ParseInt(seg, 10, 64)
	return n, err == nil && n > 0 && !strings.HasPrefix(seg, "+")
}

func byID(imgs []stored) []stored {
	slices.SortFunc(imgs, func(a, b stored) int { return cmp.Compare(a.ID, b.ID) })
	return imgs
}

// bySortOrder returns imgs in the order BigCommerce displays them.
func bySortOrder(imgs []stored) []stored {
	slices.SortFunc(imgs, func(a, b stored) int {
		return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), cmp.Compare(a.ID, b.ID))
	})
	return imgs
}

// errImageLimit, errNoImage and friends are the failures of catalogue
// updates, turned into responses by the handlers.
var (
	errImageLimit = errors.New("image limit")
	errNoImage    = errors.New("no such image")
)

// change is a write of an image's mutable fields; nil means unchanged.
type change struct {
	SortOrder   *int
	IsThumbnail *bool
	Description *string
	ImageURL    *string
	ImageFile   *string
	// Name is the file name a new image is stored under ("" for one from
	// ImageURL).
	Name string
}

// apply writes ch on the image at index i of p, under the shift rule and
// the one-thumbnail rule. created says the image is new.
func (s *Server) apply(p *fakestore.Product[stored], i int, ch change, created bool) {
	img := &p.Images[i]
	if ch.SortOrder != nil {
		so := *ch.SortOrder
		shift := s.cfg.shift == ShiftInsert || (s.cfg.shift == ShiftLowerPriority && (created || so > img.SortOrder))
		if shift {
			for j := range p.Images {
				if j != i && p.Images[j].SortOrder >= so {
					p.Images[j].SortOrder++
				}
			}
		}
		img.SortOrder = so
	}
	if ch.IsThumbnail != nil && *ch.IsThumbnail {
		for j := range p.Images {
			p.Images[j].IsThumbnail = j == i
		}
	}
	if ch.Description != nil {
		img.Description = *ch.Description
	}
	if ch.ImageURL != nil {
		img.ImageURL = *ch.ImageURL
		img.ImageFile = filePath(img.ID, baseName(*ch.ImageURL))
	}
	if ch.ImageFile != nil {
		img.ImageFile = *ch.ImageFile
	}
	if len(p.Images) == 1 {
		img.IsThumbnail = true
	}
	img.Modified = s.cfg.clock.Now().UTC()
}

// create adds a new image built by ch to product pid and returns it.
func (s *Server) create(pid int64, ch change, size int64) (stored, error) {
	var out stored
	err := s.cat.Update(strconv.FormatInt(pid, 10), func(p *fakestore.Product[stored]) error {
		if len(p.Images) >= s.cfg.maxImages {
			return errImageLimit
		}
		now := s.cfg.clock.Now().UTC()
		img := stored{ID: s.cat.NextID(), ProductID: pid, Size: size, Created: now}
		if ch.SortOrder == nil {
			next := 0
			for _, o := range p.Images {
				next = max(next, o.SortOrder+1)
			}
			img.SortOrder = next
		}
		img.ImageFile = filePath(img.ID, cmp.Or(ch.Name, "image.jpg"))
		p.Images = append(p.Images, img)
		s.apply(p, len(p.Images)-1, ch, true)
		out = p.Images[len(p.Images)-1]
		return nil
	})
	return out, err
}

// update applies ch to image iid of product pid and returns it.
func (s *Server) update(pid, iid int64, ch change) (stored, error) {
	var out stored
	err := s.cat.Update(strconv.FormatInt(pid, 10), func(p *fakestore.Product[stored]) error {
		i := slices.IndexFunc(p.Images, func(img stored) bool { return img.ID == iid })
		if i < 0 {
			return errNoImage
		}
		s.apply(p, i, ch, false)
		out = p.Images[i]
		return nil
	})
	return out, err
}

// removeOne deletes image iid of product pid.
func (s *Server) removeOne(pid, iid int64) error {
	n, err := s.remove(pid, func([]stored) []int64 { return []int64{iid} })
	if err == nil && n == 0 {
		err = errNoImage
	}
	return err
}

// remove deletes the images of product pid that pick selects (given the
// images by ID), promoting a new thumbnail if the old one went. It returns
// how many were deleted.
func (s *Server) remove(pid int64, pick func(byID []stored) []int64) (int, error) {
	n := 0
	err := s.cat.Update(strconv.FormatInt(pid, 10), func(p *fakestore.Product[stored]) error {
		ids := pick(byID(slices.Clone(p.Images)))
		before := len(p.Images)
		p.Images = slices.DeleteFunc(p.Images, func(img stored) bool { return slices.Contains(ids, img.ID) })
		n = before - len(p.Images)
		if len(p.Images) > 0 && !slices.ContainsFunc(p.Images, func(img stored) bool { return img.IsThumbnail }) {
			first := bySortOrder(slices.Clone(p.Images))[0].ID
			for j := range p.Images {
				p.Images[j].IsThumbnail = p.Images[j].ID == first
			}
		}
		return nil
	})
	return n, err
}

// filePath makes a store-relative path like the API's "a/521/foo__83011.jpg".
func filePath(id int64, name string) string {
	dot := strings.LastIndexByte(name, '.')
	stem, ext := name, ".jpg"
	if dot > 0 {
		stem, ext = name[:dot], name[dot:]
	}
	return fmt.Sprintf("%c/%03d/%s__%05d%s", 'a'+rune(id%26), id%1000, stem, id%100000, ext)
}

// baseName returns the last path segment of a URL, without query.
func baseName(u string) string {
	u, _, _ = strings.Cut(u, "?")
	u, _, _ = strings.Cut(u, "#")
	if i := strings.LastIndexByte(u, '/'); i >= 0 {
		u = u[i+1:]
	}
	if u == "" {
		return "image.jpg"
	}
	return u
}

// renditionURL is the CDN URL of a rendition w x h of the image.
func (s *Server) renditionURL(img stored, w, h int) string {
	name := img.ImageFile
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	stem, ext := name, ".jpg"
	if dot := strings.LastIndexByte(name, '.'); dot > 0 {
		stem, ext = name[:dot], name[dot:]
	}
	return fmt.Sprintf("%s/s-%s/products/%d/images/%d/%s.%d.%d.%d%s?c=2", s.cfg.cdn, s.cfg.hash, img.ProductID, img.ID, stem, img.Modified.Unix(), w, h, ext)
}

// v3 renders a stored image in the client's v3 type (for Images).
func (s *Server) v3(img stored) bigcommerce.Image {
	return bigcommerce.Image{
		ID: bigcommerce.ImageID(img.ID), ProductID: bigcommerce.ProductID(img.ProductID),
		ImageFile: img.ImageFile, ImageURL: img.ImageURL, IsThumbnail: img.IsThumbnail,
		SortOrder: img.SortOrder, Description: img.Description,
		URLZoom: s.renditionURL(img, 1280, 1280), URLStandard: s.renditionURL(img, 560, 850),
		URLThumbnail: s.renditionURL(img, 330, 500), URLTiny: s.renditionURL(img, 66, 100),
		DateModified: img.Modified.Truncate(time.Second),
	}
}
