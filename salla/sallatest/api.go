package sallatest

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// The wire shapes, written from the vendor's documents (not shared with
// package salla, so a misspelt field on either side shows up in tests).

// wireRendition is {url, width, height}.
type wireRendition struct {
	URL    string  `json:"url"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

// wireImageObj is the ProductImagesVideos object of the attach and update
// answers.
type wireImageObj struct {
	ID    int64 `json:"id"`
	Image struct {
		Original           wireRendition `json:"original"`
		StandardResolution wireRendition `json:"standard_resolution"`
		LowResolution      wireRendition `json:"low_resolution"`
		Thumbnail          wireRendition `json:"thumbnail"`
	} `json:"image"`
	Sort     int     `json:"sort"`
	Default  bool    `json:"default"`
	AltSEO   *string `json:"alt_seo"`
	VideoURL string  `json:"video_url"`
	Type     string  `json:"type"`
}

// wireProductImage is an entry of the product details' images[].
type wireProductImage struct {
	ID             int64  `json:"id"`
	URL            string `json:"url"`
	Main           bool   `json:"main"`
	ThreeDImageURL string `json:"three_d_image_url"`
	Alt            string `json:"alt"`
	VideoURL       string `json:"video_url"`
	Type           string `json:"type"`
	Sort           int    `json:"sort"`
}

// wireProduct is the product details' data (the members the fake keeps).
type wireProduct struct {
	ID        int64              `json:"id"`
	Name      string             `json:"name"`
	SKU       string             `json:"sku"`
	MainImage string             `json:"main_image"`
	Thumbnail string             `json:"thumbnail"`
	Images    []wireProductImage `json:"images"`
}

func imageObj(it Item) wireImageObj {
	var o wireImageObj
	o.ID, o.Sort, o.Default, o.VideoURL, o.Type = it.ID, it.Sort, it.Default, it.VideoURL, it.Type
	if it.Alt != "" {
		o.AltSEO = &it.Alt
	}
	o.Image.Original = wireRendition{URL: it.URL}
	o.Image.StandardResolution = wireRendition{URL: it.URL + "?size=standard", Width: 865.8008658008658, Height: 1000}
	o.Image.LowResolution = wireRendition{URL: it.URL + "?size=low", Width: 432.9004329004329, Height: 500}
	o.Image.Thumbnail = wireRendition{URL: it.URL + "?size=thumb", Width: 103.89610389610388, Height: 119.99999999999999}
	return o
}

// writeOK sends {status, success:true, data}.
func writeOK(w http.ResponseWriter, status int, data any) {
	fakestore.WriteJSON(w, status, map[string]any{"status": status, "success": true, "data": data})
}

// writeError sends {status, success:false, error:{code, message[, fields]}}.
func writeError(w http.ResponseWriter, status int, code, msg string, fields map[string][]string) {
	e := map[string]any{"code": code, "message": msg}
	if len(fields) > 0 {
		e["fields"] = fields
	}
	fakestore.WriteJSON(w, status, map[string]any{"status": status, "success": false, "error": e})
}

// invalid sends a 422 with one field error.
func invalid(w http.ResponseWriter, field, msg string) {
	writeError(w, http.StatusUnprocessableEntity, "error", "alert.invalid_fields", map[string][]string{field: {msg}})
}

func notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "error", "المحتوى الذي تحاول الوصول اليه غير متوفر", nil)
}

// authed checks the bearer token before h.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			writeError(w, http.StatusUnauthorized, "Unauthorized", "The access token is missing", nil)
			return
		}
		switch s.checkAccess(tok) {
		case accessOK:
			h(w, r)
		case accessExpired:
			writeError(w, http.StatusUnauthorized, "Unauthorized", "The access token is invalid or has expired", nil)
		case accessRevoked:
			fakestore.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_grant", "error_description": "The access token has been revoked"})
		default:
			writeError(w, http.StatusUnauthorized, "Unauthorized", "The access token is invalid or has expired", nil)
		}
	}
}

// parseID parses a positive decimal path segment.
func parseID(seg string) (int64, bool) {
	n, err := strconv.ParseInt(seg, 10, 64)
	return n, err == nil && n > 0 && !strings.HasPrefix(seg, "+")
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("product"))
	if !ok {
		notFound(w)
		return
	}
	items, err := s.Items(id)
	if err != nil {
		notFound(w)
		return
	}
	p := wireProduct{ID: id, Name: "Product " + strconv.FormatInt(id, 10), SKU: s.skuOf(strconv.FormatInt(id, 10)), Images: make([]wireProductImage, len(items))}
	for i, it := range items {
		p.Images[i] = wireProductImage{ID: it.ID, URL: it.URL, Main: it.Default, Alt: it.Alt, VideoURL: it.VideoURL, Type: it.Type, Sort: it.Sort}
		if it.Default && p.MainImage == "" {
			p.MainImage, p.Thumbnail = it.URL, it.URL+"?size=thumb"
		}
	}
	writeOK(w, http.StatusOK, p)
}

func (s *Server) skuOf(pid string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sku, id := range s.skus {
		if id == pid {
			return sku
		}
	}
	return ""
}

// postImage serves POST /products/{product}/images (attach) and POST
// /products/images/{image} (update).
func (s *Server) postImage(w http.ResponseWriter, r *http.Request) {
	a, b := r.PathValue("a"), r.PathValue("b")
	switch {
	case a == "images":
		id, ok := parseID(b)
		if !ok {
			notFound(w)
			return
		}
		s.update(w, r, id)
	case b == "images":
		id, ok := parseID(a)
		if !ok {
			notFound(w)
			return
		}
		s.attach(w, r, strconv.FormatInt(id, 10), http.StatusCreated)
	default:
		notFound(w)
	}
}

func (s *Server) attachBySKU(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	pid, ok := s.skus[r.PathValue("sku")]
	s.mu.Unlock()
	if !ok {
		notFound(w)
		return
	}
	s.attach(w, r, pid, s.cfg.SKUStatus)
}

// form is a parsed write: each field nil when absent.
type form struct {
	photoURL  *string
	photoName string // a file's name
	photoSize int64
	isFile    bool
	def       *bool
	sort      *int
	alt       *string
}

// formError is a field the fake refuses, as a 422.
type formError struct{ field, msg string }

func (e *formError) Error() string { return e.field + ": " + e.msg }

// readForm reads a multipart form as a stream: plain fields up to
// MaxField, the photo file counted and discarded up to MaxUpload. The
// documented names are photo, default, sort and alt; main and alt_seo are
// taken as their synonyms [I: one third-party app sends main].
func (s *Server) readForm(r *http.Request) (*form, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, &formError{"photo", "The request must be multipart/form-data."}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &formError{"photo", "The form could not be read."}
	}
	f := &form{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &formError{"photo", "The form could not be read."}
		}
		name := part.FormName()
		if name == "photo" && part.FileName() != "" {
			n, err := io.Copy(countingDiscard{&s.photoIn}, io.LimitReader(part, s.cfg.MaxUpload+1))
			if err != nil {
				return nil, &formError{"photo", "The photo failed to upload."}
			}
			if n > s.cfg.MaxUpload {
				return nil, &formError{"photo", fmt.Sprintf("The photo may not be greater than %d kilobytes.", s.cfg.MaxUpload/1024)}
			}
			f.isFile, f.photoName, f.photoSize = true, part.FileName(), n
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, MaxField+1))
		if err != nil || len(b) > MaxField {
			return nil, &formError{name, "The field is too long."}
		}
		v := string(b)
		switch name {
		case "photo":
			f.photoURL = &v
		case "default", "main":
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "1", "true":
				f.def = new(true)
			case "0", "false", "":
				f.def = new(false)
			default:
				return nil, &formError{"default", "The default field must be true or false."}
			}
		case "sort":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return nil, &formError{"sort", "The sort must be a number."}
			}
			f.sort = &n
		case "alt", "alt_seo":
			f.alt = &v
		}
	}
	return f, s.checkForm(f)
}

// formOr422 reads the form, or answers the 422 and returns nil.
func (s *Server) formOr422(w http.ResponseWriter, r *http.Request) *form {
	f, err := s.readForm(r)
	var fe *formError
	if errors.As(err, &fe) {
		invalid(w, fe.field, fe.msg)
		return nil
	}
	return f
}

// checkForm checks the photo and the sort value.
func (s *Server) checkForm(f *form) error {
	switch {
	case !f.isFile && f.photoURL == nil:
		return &formError{"photo", "The photo field is required."}
	case !f.isFile:
		u, err := url.Parse(*f.photoURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &formError{"photo", "The photo must be an image file or a valid URL."}
		}
	}
	if f.sort != nil && *f.sort < s.cfg.SortBase {
		return &formError{"sort", fmt.Sprintf("The sort must be at least %d.", s.cfg.SortBase)}
	}
	return nil
}

// countingDiscard discards what it is given and counts it.
type countingDiscard struct{ n interface{ Add(int64) int64 } }

func (c countingDiscard) Write(p []byte) (int, error) {
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// photoName returns the name of the form's picture.
func (f *form) name() string {
	if f.isFile {
		return baseName(f.photoName)
	}
	return baseName(*f.photoURL)
}

// errLimit is an attach beyond the image limit.
var errLimit = errors.New("image limit")

func (s *Server) attach(w http.ResponseWriter, r *http.Request, pid string, status int) {
	if !s.cat.HasProduct(pid) {
		notFound(w)
		return
	}
	f := s.formOr422(w, r)
	if f == nil {
		return
	}
	var out Item
	err := s.cat.Update(pid, func(p *fakestore.Product[Item]) error {
		if pictures(p.Images) >= s.cfg.MaxImages {
			return errLimit
		}
		it := Item{ID: s.cat.NextID(), Type: "image", Size: f.photoSize}
		it.URL = cdnURL(it.ID, f.name())
		out = s.insert(p, it, f)
		return nil
	})
	switch {
	case errors.Is(err, errLimit):
		invalid(w, "photo", fmt.Sprintf("The product can have at most %d images.", s.cfg.MaxImages))
	case err != nil:
		notFound(w)
	default:
		writeOK(w, status, imageObj(out))
	}
}

// insert adds it to p with the form's fields and returns it as stored.
func (s *Server) insert(p *fakestore.Product[Item], it Item, f *form) Item {
	if f.sort == nil {
		it.Sort = s.cfg.SortBase
		for _, o := range p.Images {
			it.Sort = max(it.Sort, o.Sort+1)
		}
	}
	p.Images = append(p.Images, it)
	return s.apply(p, len(p.Images)-1, f)
}

// apply writes the form's sort, default and alt on p.Images[i], under the
// configured readings, and returns it.
func (s *Server) apply(p *fakestore.Product[Item], i int, f *form) Item {
	if f.sort != nil {
		if s.cfg.SortShift {
			for j := range p.Images {
				if j != i && p.Images[j].Sort >= *f.sort {
					p.Images[j].Sort++
				}
			}
		}
		p.Images[i].Sort = *f.sort
	}
	if f.def != nil {
		p.Images[i].Default = *f.def
		if *f.def && !s.cfg.KeepOtherDefaults {
			for j := range p.Images {
				if j != i {
					p.Images[j].Default = false
				}
			}
		}
	}
	if f.alt != nil {
		p.Images[i].Alt = *f.alt
	}
	if pictures(p.Images) == 1 && !p.Images[i].isVideo() {
		p.Images[i].Default = true // a product's only picture is its main one [I]
	}
	return p.Images[i]
}

func pictures(items []Item) int {
	n := 0
	for _, it := range items {
		if !it.isVideo() {
			n++
		}
	}
	return n
}

// productOf returns the ID of the product holding image id.
func (s *Server) productOf(id int64) (string, bool) {
	for _, pid := range s.cat.ProductIDs() {
		found := false
		_ = s.cat.View(pid, func(p *fakestore.Product[Item]) error {
			found = slices.ContainsFunc(p.Images, func(it Item) bool { return it.ID == id })
			return nil
		})
		if found {
			return pid, true
		}
	}
	return "", false
}

// errNoImage is an update or delete of an image that is gone.
var errNoImage = errors.New("no such image")

// errVideo is an update of a video.
var errVideo = errors.New("a video")

func (s *Server) update(w http.ResponseWriter, r *http.Request, id int64) {
	pid, ok := s.productOf(id)
	if !ok {
		notFound(w)
		return
	}
	f := s.formOr422(w, r)
	if f == nil {
		return
	}
	var out Item
	err := s.cat.Update(pid, func(p *fakestore.Product[Item]) error {
		i := slices.IndexFunc(p.Images, func(it Item) bool { return it.ID == id })
		if i < 0 {
			return errNoImage
		}
		if p.Images[i].isVideo() {
			return errVideo
		}
		reading := s.cfg.UpdateIDs
		if f.isFile {
			reading = UpdateKeepsID // the doubt is about a photo URL
		}
		it := p.Images[i]
		it.URL, it.Size = cdnURL(it.ID, f.name()), f.photoSize
		switch reading {
		case UpdateNewID, UpdateCopies:
			it.ID = s.cat.NextID()
			it.URL = cdnURL(it.ID, f.name())
			if reading == UpdateNewID {
				p.Images = slices.Delete(p.Images, i, i+1)
			}
			p.Images = append(p.Images, it)
			i = len(p.Images) - 1
		default:
			p.Images[i] = it
		}
		out = s.apply(p, i, f)
		return nil
	})
	switch {
	case errors.Is(err, errVideo):
		invalid(w, "photo", "A video cannot be updated with a photo.")
	case err != nil:
		notFound(w)
	default:
		writeOK(w, http.StatusCreated, imageObj(out))
	}
}

func (s *Server) deleteImage(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("image"))
	if !ok {
		notFound(w)
		return
	}
	pid, ok := s.productOf(id)
	if !ok {
		notFound(w)
		return
	}
	err := s.cat.Update(pid, func(p *fakestore.Product[Item]) error {
		i := slices.IndexFunc(p.Images, func(it Item) bool { return it.ID == id })
		if i < 0 {
			return errNoImage
		}
		wasMain := p.Images[i].Default
		p.Images = slices.Delete(p.Images, i, i+1)
		if wasMain && !s.cfg.NoMainPromotion && !slices.ContainsFunc(p.Images, func(it Item) bool { return it.Default }) {
			// The next picture by sort becomes the main one [I].
			next := -1
			for j, it := range p.Images {
				if !it.isVideo() && (next < 0 || it.Sort < p.Images[next].Sort || it.Sort == p.Images[next].Sort && it.ID < p.Images[next].ID) {
					next = j
				}
			}
			if next >= 0 {
				p.Images[next].Default = true
			}
		}
		return nil
	})
	switch {
	case err != nil:
		notFound(w)
	case s.cfg.Delete == Delete204:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeOK(w, http.StatusAccepted, map[string]any{"message": "The image has been deleted", "code": http.StatusAccepted})
	}
}
