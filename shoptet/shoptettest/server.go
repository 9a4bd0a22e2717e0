package shoptettest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// Fault is a scripted failure; add it with srv.Faults().Add.
type Fault = fakestore.Fault

// RecordedRequest is one request the server received (srv.Recorder()).
type RecordedRequest = fakestore.RecordedRequest

// Redacted replaces token values in recorded requests.
const Redacted = fakestore.Redacted

// Image is an image to seed a product with (AddProduct), in the fake's own
// terms.
type Image struct {
	// Name is the file name; empty gets "<n>.jpg".
	Name string
	// Priority is the priority; nil is null.
	Priority *int
	// Description is the label; nil is null.
	Description *string
	// VariantImage marks an image a variant uses, which a delete keeps
	// unless removeReference is set.
	VariantImage bool
}

// ImageState is an image as the server holds it (Server.Images).
type ImageState struct {
	// Name is the file name.
	Name string
	// Priority is the priority (nil: null).
	Priority *int
	// Description is the label (nil: null).
	Description *string
	// IsMain is what isMainImage says of it.
	IsMain bool
	// Source is the URL it was added or last replaced from ("" if seeded).
	Source string
	// Seq orders the images by when they were added.
	Seq int64
	// VariantImage marks an image a variant uses.
	VariantImage bool
	// Changed is its changeTime.
	Changed time.Time
}

// stored is an image as the catalogue keeps it.
type stored struct {
	Name        string
	Priority    *int
	Description *string
	Seq         int64
	Source      string
	Variant     bool
	Changed     time.Time
}

// Server is a running fake. Its Recorder, Faults, Quota and Clock methods
// come from the engine; Close shuts it down.
type Server struct {
	*fakestore.Server
	// URL is the server's base URL, "http://127.0.0.1:port": the API host
	// and, for the OAuth server, the e-shop's host too.
	URL string

	cfg   config
	cat   *fakestore.Catalog[stored]
	ids   *fakestore.IDGen
	conns connLimit
	locks lockTable

	mu        sync.Mutex
	webhook   bool
	jobs      map[string]*job
	tokens    []issued // API access tokens issued, oldest first
	imageSeq  int64
	nameSeq   int64
	created   int
	requestNo int64
}

// issued is an API access token the OAuth server gave out.
type issued struct {
	value   string
	expires time.Time
}

// NewServer starts a fake with no products. Call Close when done.
func NewServer(opts ...Option) *Server {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Clock == nil {
		cfg.Clock = shopimg.SystemClock{}
	}
	cfg.Secrets = append(cfg.Secrets, cfg.privateToken, cfg.oauthToken)
	s := &Server{
		cfg:     cfg,
		cat:     fakestore.NewCatalog[stored](cfg.CatalogOptions()),
		ids:     fakestore.NewIDGen(1, cfg.Seed^0x5eed),
		webhook: cfg.webhook,
		jobs:    map[string]*job{},
	}
	s.conns.counts = map[string]int{}
	s.locks.held = map[string]time.Time{}
	if cfg.bucket {
		cfg.Quota = &fakestore.LeakyBucket{Capacity: cfg.capacity, DrainPerSecond: cfg.drain}
	}
	s.Server = fakestore.NewServer(s.routes(), cfg.Config.Options(bucketHeader, s.rejectBucket))
	s.URL = s.Server.URL
	return s
}

// routes is the wire protocol: the OAuth server, then the API behind the
// connection limit, the token check, the Content-Type check and the lock.
func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/products/{guid}/images/{gallery}", s.list)
	api.HandleFunc("POST /api/products/{guid}/images/{gallery}", s.add)
	api.HandleFunc("PATCH /api/products/{guid}/images/{gallery}", s.update)
	api.HandleFunc("DELETE /api/products/{guid}/images/{gallery}", s.deleteGallery)
	api.HandleFunc("PATCH /api/products/{guid}/images/{gallery}/source", s.replaceSources)
	api.HandleFunc("DELETE /api/products/{guid}/images/{gallery}/{name}", s.deleteOne)
	api.HandleFunc("GET /api/system/jobs/{jobId}", s.jobDetail)
	api.HandleFunc("GET /api/eshop", s.eshop)
	api.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		s.fail(w, http.StatusNotFound, "not-found", "Endpoint not found.", "unknown")
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /action/ApiOAuthServer/getAccessToken", s.getAccessToken)
	mux.Handle("/", s.limitConnections(s.authorize(s.checkContentType(s.lock(api)))))
	return mux
}

// ImagesPath is the path of a product's gallery, for Fault.Path and
// Recorder().Count.
func ImagesPath(guid, gallery string) string {
	return "/api/products/" + url.PathEscape(guid) + "/images/" + url.PathEscape(gallery)
}

// ImagePath is the escaped path of one image.
func ImagePath(guid, gallery, name string) string {
	return ImagesPath(guid, gallery) + "/" + url.PathEscape(name)
}

// JobPath is the path of a job's detail.
func JobPath(id string) string { return "/api/system/jobs/" + url.PathEscape(id) }

// PrivateToken returns the private API token the server accepts.
func (s *Server) PrivateToken() string { return s.cfg.privateToken }

// OAuthToken returns the addon OAuth access token the server accepts.
func (s *Server) OAuthToken() string { return s.cfg.oauthToken }

// SetWebhook registers (or removes) the job:finished webhook.
func (s *Server) SetWebhook(registered bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook = registered
}

// AddProduct creates a product with the given images in its "shop" gallery
// (in the order given, which is the order they were added) and an empty
// "shop360" gallery, and returns its GUID.
func (s *Server) AddProduct(images ...Image) string {
	guid := s.cat.NewGUID()
	s.SeedProduct(guid, images...)
	return guid
}

// SeedProduct creates (or replaces) the product guid with the given images
// in its "shop" gallery. It panics if two images have the same name.
func (s *Server) SeedProduct(guid string, images ...Image) {
	now := s.now()
	imgs := make([]stored, len(images))
	seen := map[string]bool{}
	for i, in := range images {
		st := stored{Name: in.Name, Priority: in.Priority, Description: in.Description, Variant: in.VariantImage, Seq: s.nextSeq(), Changed: now}
		if st.Name == "" {
			st.Name = s.nextName("", nil)
		}
		if seen[st.Name] {
			panic("shoptettest: image name " + st.Name + " given twice")
		}
		seen[st.Name] = true
		imgs[i] = st
	}
	s.cat.AddProduct(key(guid, "shop"), imgs...)
	s.cat.AddProduct(key(guid, "shop360"))
}

// Created returns how many images jobs have added, on every product.
func (s *Server) Created() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created
}

// Images returns a gallery's images in display order, or an error if there
// is no such product or gallery.
func (s *Server) Images(guid, gallery string) ([]ImageState, error) {
	imgs, err := s.cat.Images(key(guid, gallery))
	if err != nil {
		return nil, err
	}
	disp := s.display(imgs)
	main := s.mainOf(disp)
	out := make([]ImageState, len(disp))
	for i, st := range disp {
		out[i] = ImageState{Name: st.Name, Priority: st.Priority, Description: st.Description, IsMain: st.Name == main, Source: st.Source, Seq: st.Seq, VariantImage: st.Variant, Changed: st.Changed}
	}
	return out, nil
}

func key(guid, gallery string) string { return guid + "|" + gallery }

func (s *Server) now() time.Time { return s.cfg.Clock.Now().UTC() }

func (s *Server) nextSeq() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.imageSeq++
	return s.imageSeq
}

// nextName names a new image from its source URL by the naming rule,
// unique among taken.
func (s *Server) nextName(source string, taken func(string) bool) string {
	base := "image.jpg"
	if u, err := url.Parse(source); err == nil && u.Path != "" {
		if b := path.Base(u.Path); b != "/" && b != "." {
			base = b
		}
	}
	ext := path.Ext(base)
	if ext == "" {
		ext = ".jpg"
	}
	s.mu.Lock()
	s.nameSeq++
	n := s.nameSeq + 99
	s.mu.Unlock()
	var name string
	switch s.cfg.naming {
	case NameFromURL:
		name = base
	case NameNumberedSEO:
		name = strconv.FormatInt(n, 10) + "_" + base
	default:
		name = strconv.FormatInt(n, 10) + ext
	}
	if taken == nil {
		return name
	}
	stem := strings.TrimSuffix(name, path.Ext(name))
	for i := 1; taken(name); i++ {
		name = fmt.Sprintf("%s-%d%s", stem, i, path.Ext(name))
	}
	return name
}

// display returns imgs in display order: by priority, nulls where the
// option puts them, ties by the order they were added.
func (s *Server) display(imgs []stored) []stored {
	out := slices.Clone(imgs)
	nullRank := 1
	if s.cfg.nulls == NullsFirst {
		nullRank = -1
	}
	slices.SortStableFunc(out, func(a, b stored) int {
		switch {
		case a.Priority == nil && b.Priority == nil:
		case a.Priority == nil:
			return nullRank
		case b.Priority == nil:
			return -nullRank
		default:
			if c := cmp.Compare(*a.Priority, *b.Priority); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
	return out
}

// mainOf returns the name of the image isMainImage marks, given the images
// in display order.
func (s *Server) mainOf(disp []stored) string {
	if len(disp) == 0 {
		return ""
	}
	if s.cfg.mainRule == MainLowestPriority {
		return disp[0].Name
	}
	var low *int
	for _, st := range disp {
		if st.Priority != nil && (low == nil || *st.Priority < *low) {
			low = st.Priority
		}
	}
	best := -1
	for i, st := range disp {
		tied := (low == nil && st.Priority == nil) || (low != nil && st.Priority != nil && *st.Priority == *low)
		if tied && (best < 0 || st.Seq < disp[best].Seq) {
			best = i
		}
	}
	return disp[best].Name
}

// connLimit counts each token's requests in flight.
type connLimit struct {
	mu     sync.Mutex
	counts map[string]int
	peak   int
}

// InFlight returns how many requests are in flight past the connection
// limit now, all tokens together.
func (s *Server) InFlight() int {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	n := 0
	for _, c := range s.conns.counts {
		n += c
	}
	return n
}

// PeakInFlight returns the most requests of one token ever in flight at
// once past the connection limit.
func (s *Server) PeakInFlight() int {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	return s.conns.peak
}

// limitConnections refuses a token's request beyond the connection limit
// with nginx's 429 page (limit_conn_status 429), before anything else.
func (s *Server) limitConnections(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.Header.Get("Shoptet-Private-Api-Token") + "\x00" + r.Header.Get("Shoptet-Access-Token")
		s.conns.mu.Lock()
		n := s.conns.counts[tok] + 1
		if s.cfg.connections > 0 && n > s.cfg.connections {
			s.conns.mu.Unlock()
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
			return
		}
		s.conns.counts[tok] = n
		s.conns.peak = max(s.conns.peak, n)
		s.conns.mu.Unlock()
		defer func() {
			s.conns.mu.Lock()
			if s.conns.counts[tok]--; s.conns.counts[tok] <= 0 {
				delete(s.conns.counts, tok)
			}
			s.conns.mu.Unlock()
		}()
		if s.cfg.hook != nil {
			s.cfg.hook(n)
		}
		next.ServeHTTP(w, r)
	})
}

// authorize checks the token headers.
func (s *Server) authorize(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		priv, acc := r.Header.Get("Shoptet-Private-Api-Token"), r.Header.Get("Shoptet-Access-Token")
		switch {
		case priv != "" && priv == s.cfg.privateToken:
		case acc != "":
			switch s.tokenState(acc) {
			case tokenValid:
			case tokenExpired:
				s.fail(w, http.StatusUnauthorized, "expired-token", "Token is expired. Please ask for new one.", "unknown")
				return
			default:
				s.fail(w, http.StatusUnauthorized, "invalid-token", "Invalid access token.", "access-token")
				return
			}
		case priv != "":
			s.fail(w, http.StatusUnauthorized, "invalid-token", "Invalid private API token.", "access-token")
			return
		default:
			s.fail(w, http.StatusUnauthorized, "missing-access-token", "Missing access token. Please add `Shoptet-Access-Token` header to your request.", "unknown")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkContentType requires the Content-Type header every operation
// declares: application/json or application/vnd.shoptet.v1.0.
func (s *Server) checkContentType(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		switch strings.ToLower(strings.TrimSpace(ct)) {
		case "application/json", "application/vnd.shoptet.v1.0":
			next.ServeHTTP(w, r)
		default:
			s.fail(w, http.StatusBadRequest, "invalid-content-type", "The Content-Type header must be application/json.", "content-type")
		}
	})
}

// lockTable holds the writes being processed (and, with a lock window,
// recently ended), by lock key.
type lockTable struct {
	mu   sync.Mutex
	held map[string]time.Time // key -> until (zero: while processed)
}

// lock answers 423 to a write whose lock is held.
func (s *Server) lock(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		k := r.Method + " " + r.URL.RequestURI()
		if s.cfg.lockKey == LockSameRequest {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			k += fmt.Sprintf(" %x", sha256.Sum256(body))
		}
		now := s.now()
		s.locks.mu.Lock()
		until, held := s.locks.held[k]
		if held && (until.IsZero() || now.Before(until)) {
			s.locks.mu.Unlock()
			s.fail(w, http.StatusLocked, "locked", "The same request is being processed. Retry later.", r.URL.Path)
			return
		}
		s.locks.held[k] = time.Time{}
		s.locks.mu.Unlock()
		defer func() {
			s.locks.mu.Lock()
			defer s.locks.mu.Unlock()
			if s.cfg.lockWindow > 0 {
				s.locks.held[k] = s.now().Add(s.cfg.lockWindow)
			} else {
				delete(s.locks.held, k)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func bucketHeader(h http.Header, q fakestore.QuotaState) {
	h.Set("X-RateLimit-Bucket-Filling", fmt.Sprintf("%d/%d", q.Filling, q.Limit))
}

// rejectBucket answers a request that overflows the bucket: 429 with
// Retry-After as an HTTP date, rounded up to the second.
func (s *Server) rejectBucket(w http.ResponseWriter, q fakestore.QuotaState) {
	at := q.Now.Add(time.Duration(fakestore.CeilSeconds(q.RetryAfter)) * time.Second).UTC()
	w.Header().Set("Retry-After", at.Format(http.TimeFormat))
	s.fail(w, http.StatusTooManyRequests, "rate-limit-exceeded", "Rate limit exceeded. Retry after "+at.Format(http.TimeFormat)+".", "unknown")
}

// Insert adds an image to a gallery of an existing product at once, as
// someone editing the e-shop's administration would (a name is made up
// when empty). It returns the image's name.
func (s *Server) Insert(guid, gallery string, img Image) (string, error) {
	st := stored{Name: img.Name, Priority: img.Priority, Description: img.Description, Variant: img.VariantImage, Seq: s.nextSeq(), Changed: s.now()}
	err := s.cat.Update(key(guid, gallery), func(p *fakestore.Product[stored]) error {
		taken := func(n string) bool { return slices.ContainsFunc(p.Images, func(x stored) bool { return x.Name == n }) }
		if st.Name == "" {
			st.Name = s.nextName("", taken)
		}
		if taken(st.Name) {
			return fmt.Errorf("shoptettest: image %q exists", st.Name)
		}
		p.Images = append(p.Images, st)
		return nil
	})
	return st.Name, err
}

// Remove deletes an image of a gallery at once, as someone editing the
// administration would.
func (s *Server) Remove(guid, gallery, name string) error {
	return s.cat.Update(key(guid, gallery), func(p *fakestore.Product[stored]) error {
		p.Images = slices.DeleteFunc(p.Images, func(x stored) bool { return x.Name == name })
		return nil
	})
}
