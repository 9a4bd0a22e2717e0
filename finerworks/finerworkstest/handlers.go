package finerworkstest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// routes is the server's wire protocol.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+ListImagesPath, s.auth(s.list))
	mux.HandleFunc("POST "+AddImagesPath, s.auth(s.add))
	mux.HandleFunc("PUT "+UpdateImagesPath, s.auth(s.update))
	mux.HandleFunc("DELETE "+DeleteImagesPath, s.auth(s.delete))
	mux.HandleFunc("GET "+TestCredentialsPath, s.auth(s.testCredentials))
	for _, p := range []string{ListImagesPath, AddImagesPath, UpdateImagesPath, DeleteImagesPath, TestCredentialsPath} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"Message": "The requested resource does not support http method '" + r.Method + "'."})
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"Message": "No HTTP resource was found that matches the request URI '" + r.URL.Path + "'."})
	})
	return mux
}

// request is what a handler reads: the raw body, kept for the debug echo.
type request struct {
	*http.Request
	body []byte
}

// auth checks the two keys, then reads the body and calls h.
func (s *Server) auth(h func(w http.ResponseWriter, r *request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("web_api_key") != s.cfg.webKey || r.Header.Get("app_key") != s.cfg.appKey {
			s.refuseKeys(w)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, fakestore.DefaultMaxBody+1))
		if err != nil || len(body) > fakestore.DefaultMaxBody {
			modelState(w, "request", "The request body is too large or unreadable.")
			return
		}
		h(w, &request{Request: r, body: body})
	}
}

func (s *Server) refuseKeys(w http.ResponseWriter) {
	if s.cfg.auth == AuthHTML {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "Invalid app_key or web_api_key.")
		return
	}
	modelState(w, authorizationModelKey, "Missing or unauthorized api credentials")
}

// modelState is ASP.NET Web API's 400 for a request it cannot bind or
// validate.
func modelState(w http.ResponseWriter, key, msg string) {
	writeJSON(w, http.StatusBadRequest, map[string]any{
		"Message":    "The request is invalid.",
		"ModelState": map[string][]string{key: {msg}},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) { fakestore.WriteJSON(w, status, v) }

// wireStatus is the response_status object.
type wireStatus struct {
	Success    bool   `json:"success"`
	StatusCode any    `json:"status_code"`
	Message    string `json:"message"`
	Debug      any    `json:"debug"`
}

func (s *Server) num(n int64) any {
	if s.cfg.asStrings {
		return strconv.FormatInt(n, 10)
	}
	return n
}

// status is the envelope's status; debug, for a failure, echoes the
// request as the real API's may (headers, keys included, and body).
func (s *Server) status(code int, msg string, r *request) wireStatus {
	st := wireStatus{Success: code < 400, StatusCode: s.num(int64(code)), Message: msg}
	if r != nil && code >= 400 {
		st.Debug = map[string]any{"method": r.Method, "path": r.URL.Path, "headers": r.Header, "body": string(r.body)}
	}
	return st
}

// ok answers a success: the status and payload's members.
func (s *Server) ok(w http.ResponseWriter, payload map[string]any) {
	if payload == nil {
		payload = map[string]any{}
	}
	payload["status"] = s.status(http.StatusOK, "", nil)
	writeJSON(w, http.StatusOK, payload)
}

// fail answers a logical failure in the status envelope: HTTP 200 unless
// WithErrorStatusInHTTP.
func (s *Server) fail(w http.ResponseWriter, r *request, code int, msg string) {
	httpStatus := http.StatusOK
	if s.cfg.httpStatus {
		httpStatus = code
	}
	writeJSON(w, httpStatus, map[string]any{"status": s.status(code, msg, r)})
}

// decode reads the JSON body into v, answering ASP.NET's 400 when it
// cannot.
func decode(w http.ResponseWriter, r *request, v any) bool {
	if len(bytes.TrimSpace(r.body)) == 0 {
		modelState(w, "request", "The request body is required.")
		return false
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		modelState(w, "request", "The request body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

// count checks how many items a call carries: at least one (ASP.NET's
// "required"), and at most limit when it is positive (a failure in the
// envelope).
func (s *Server) count(w http.ResponseWriter, r *request, field, verb string, n, limit int) bool {
	switch {
	case n == 0:
		modelState(w, "request."+field, "The "+field+" field is required.")
		return false
	case limit > 0 && n > limit:
		s.fail(w, r, http.StatusBadRequest, fmt.Sprintf("You can %s up to %d images at once; %d were sent.", verb, limit, n))
		return false
	}
	return true
}

// wireLibrary is the image_library object.
type wireLibrary struct {
	Name       string `json:"name"`
	SessionID  string `json:"session_id"`
	AccountKey string `json:"account_key"`
	SiteID     *int   `json:"site_id"`
}

// library checks a request's library and returns its name.
func (s *Server) library(w http.ResponseWriter, r *request, lib *wireLibrary) (string, bool) {
	switch n := len([]rune(lib.sessionID())); {
	case lib == nil:
		modelState(w, "request.library", "The library field is required.")
	case n < minSessionID || n > maxSessionID:
		modelState(w, "request.library.session_id", fmt.Sprintf("The field session_id must be a string with a minimum length of %d and a maximum length of %d.", minSessionID, maxSessionID))
	case lib.SiteID == nil:
		modelState(w, "request.library.site_id", "The site_id field is required.")
	case lib.Name != Inventory && lib.Name != Temporary:
		s.fail(w, r, http.StatusBadRequest, "Invalid library name: use inventory or temporary.")
	default:
		return lib.Name, true
	}
	return "", false
}

func (l *wireLibrary) sessionID() string {
	if l == nil {
		return ""
	}
	return l.SessionID
}

// wireImage is an image_details object as answered.
type wireImage struct {
	ID                     any             `json:"id"`
	GUID                   string          `json:"guid"`
	Title                  string          `json:"title"`
	Description            string          `json:"description"`
	FileName               string          `json:"file_name"`
	FileSize               any             `json:"file_size"`
	ThumbnailFileName      *string         `json:"thumbnail_file_name"`
	PreviewFileName        *string         `json:"preview_file_name"`
	HiresFileName          *string         `json:"hires_file_name"`
	PublicThumbnailURI     string          `json:"public_thumbnail_uri"`
	PublicPreviewURI       string          `json:"public_preview_uri"`
	PrivateHiresURI        string          `json:"private_hires_uri"`
	PersonalGalleryTitle   *string         `json:"personal_gallery_title"`
	MembersGalleryCategory *string         `json:"members_gallery_category"`
	PixW                   any             `json:"pix_w"`
	PixH                   any             `json:"pix_h"`
	DateAdded              *string         `json:"date_added"`
	DateUpdated            *string         `json:"date_updated"`
	DateExpires            *string         `json:"date_expires"`
	Active                 bool            `json:"active"`
	Products               json.RawMessage `json:"products"`
}

// dateLayout is how ASP.NET writes a DateTimeOffset.
const dateLayout = "2006-01-02T15:04:05.0000000Z07:00"

func date(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(dateLayout)
	return &s
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) wire(img Image, products bool) wireImage {
	out := wireImage{
		ID: s.num(img.ID), GUID: img.GUID, Title: img.Title, Description: img.Description,
		FileName: img.FileName, FileSize: s.num(img.FileSize),
		ThumbnailFileName: orNull(img.ThumbnailFileName), PreviewFileName: orNull(img.PreviewFileName), HiresFileName: orNull(img.HiresFileName),
		PublicThumbnailURI: img.PublicThumbnailURI, PublicPreviewURI: img.PublicPreviewURI, PrivateHiresURI: img.PrivateHiresURI,
		PixW: s.num(int64(img.PixW)), PixH: s.num(int64(img.PixH)),
		DateAdded: date(img.DateAdded), DateUpdated: date(img.DateUpdated), DateExpires: date(img.DateExpires),
		Active: img.Active, Products: json.RawMessage("null"),
	}
	if products {
		out.Products = json.RawMessage("[]")
	}
	return out
}

// listIn is a list_images request.
type listIn struct {
	Library        *wireLibrary `json:"library"`
	SearchFilter   string       `json:"search_filter"`
	GUIDFilter     []string     `json:"guid_filter"`
	PageNumber     int          `json:"page_number"`
	PerPage        int          `json:"per_page"`
	SortField      string       `json:"sort_field"`
	SortDirection  string       `json:"sort_direction"`
	UploadDateFrom *time.Time   `json:"upload_date_from"`
	UploadDateTo   *time.Time   `json:"upload_date_to"`
	ListProducts   bool         `json:"list_products"`
	Active         *bool        `json:"active"`
}

// sortKeys compare two images by a sort field.
var sortKeys = map[string]func(a, b Image) int{
	"id":         func(a, b Image) int { return cmp.Compare(a.ID, b.ID) },
	"title":      func(a, b Image) int { return cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)) },
	"file_name":  func(a, b Image) int { return cmp.Compare(strings.ToLower(a.FileName), strings.ToLower(b.FileName)) },
	"file_size":  func(a, b Image) int { return cmp.Compare(a.FileSize, b.FileSize) },
	"date_added": func(a, b Image) int { return a.DateAdded.Compare(b.DateAdded) },
}

func (s *Server) list(w http.ResponseWriter, r *request) {
	var in listIn
	if !decode(w, r, &in) {
		return
	}
	name, ok := s.library(w, r, in.Library)
	if !ok {
		return
	}
	field := strings.ToLower(cmp.Or(in.SortField, s.cfg.sortField))
	dir := strings.ToUpper(cmp.Or(in.SortDirection, s.cfg.sortDir))
	key, known := sortKeys[field]
	if !known || (dir != "ASC" && dir != "DESC") {
		s.fail(w, r, http.StatusBadRequest, "Invalid sort_field or sort_direction.")
		return
	}
	imgs := slices.DeleteFunc(s.Images(name), func(img Image) bool { return !in.matches(img) })
	slices.SortStableFunc(imgs, func(a, b Image) int {
		c := cmp.Or(key(a, b), cmp.Compare(a.ID, b.ID))
		if dir == "DESC" {
			return -c
		}
		return c
	})
	page, per := max(in.PageNumber, 1), in.PerPage
	if per <= 0 {
		per = defaultPerPage
	}
	per = min(per, maxPerPage)
	start := min((page-1)*per, len(imgs))
	pageImgs := imgs[start:min(start+per, len(imgs))]
	out := make([]wireImage, len(pageImgs))
	for i, img := range pageImgs {
		out[i] = s.wire(img, in.ListProducts && name == Inventory)
	}
	count := len(imgs)
	if s.cfg.count == CountPage {
		count = len(out)
	}
	s.ok(w, map[string]any{"images": out, "page_number": s.num(int64(page)), "per_page": s.num(int64(per)), "count": s.num(int64(count))})
}

// matches reports whether img passes the request's filters.
func (in *listIn) matches(img Image) bool {
	if q := strings.ToLower(strings.TrimSpace(in.SearchFilter)); q != "" &&
		!strings.Contains(strings.ToLower(img.Title), q) && !strings.Contains(strings.ToLower(img.Description), q) {
		return false
	}
	if in.GUIDFilter != nil && !slices.ContainsFunc(in.GUIDFilter, func(g string) bool { return strings.EqualFold(g, img.GUID) }) {
		return false
	}
	switch {
	case in.UploadDateFrom != nil && img.DateAdded.Before(*in.UploadDateFrom):
		return false
	case in.UploadDateTo != nil && img.DateAdded.After(*in.UploadDateTo):
		return false
	case in.Active != nil && *in.Active != img.Active:
		return false
	}
	return true
}

// addIn is an add_images request.
type addIn struct {
	Images []struct {
		Title              string `json:"title"`
		Description        string `json:"description"`
		FileName           string `json:"file_name"`
		FileSize           int64  `json:"file_size"`
		ThumbnailFileName  string `json:"thumbnail_file_name"`
		PreviewFileName    string `json:"preview_file_name"`
		HiresFileName      string `json:"hires_file_name"`
		PublicThumbnailURI string `json:"public_thumbnail_uri"`
		PublicPreviewURI   string `json:"public_preview_uri"`
		PrivateHiresURI    string `json:"private_hires_uri"`
		PixW               int    `json:"pix_w"`
		PixH               int    `json:"pix_h"`
	} `json:"images"`
	Library *wireLibrary `json:"library"`
}

// unsafeName is what the server replaces in file names.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (s *Server) add(w http.ResponseWriter, r *request) {
	var in addIn
	if !decode(w, r, &in) {
		return
	}
	name, ok := s.library(w, r, in.Library)
	if !ok {
		return
	}
	if !s.count(w, r, "images", "insert", len(in.Images), maxAddImagesPerCall) {
		return
	}
	imgs := make([]Image, len(in.Images))
	for i, a := range in.Images {
		if strings.TrimSpace(a.FileName) == "" {
			s.fail(w, r, http.StatusBadRequest, fmt.Sprintf("images[%d]: file_name is required.", i))
			return
		}
		imgs[i] = Image{
			Title: a.Title, Description: a.Description,
			FileName: unsafeName.ReplaceAllString(a.FileName, "_"), FileSize: a.FileSize,
			ThumbnailFileName: a.ThumbnailFileName, PreviewFileName: a.PreviewFileName, HiresFileName: a.HiresFileName,
			PublicThumbnailURI: a.PublicThumbnailURI, PublicPreviewURI: a.PublicPreviewURI, PrivateHiresURI: a.PrivateHiresURI,
			PixW: a.PixW, PixH: a.PixH, Active: true,
		}
	}
	imgs = s.AddImages(name, imgs...)
	payload := map[string]any{}
	if s.cfg.addAnswer == AddAnswerImages {
		out := make([]wireImage, len(imgs))
		for i, img := range imgs {
			out[i] = s.wire(img, false)
		}
		payload["images"] = out
	}
	s.ok(w, payload)
}

// updateIn is an update_images request.
type updateIn struct {
	Images []struct {
		GUID        string  `json:"guid"`
		Title       *string `json:"title"`
		Description *string `json:"description"`
	} `json:"images"`
	AccountKey *string `json:"account_key"`
}

var guidRE = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// errUnknownGUID refuses a call naming a GUID the library lacks.
var errUnknownGUID = errors.New("unknown guid")

func (s *Server) update(w http.ResponseWriter, r *request) {
	var in updateIn
	if !decode(w, r, &in) {
		return
	}
	if !s.count(w, r, "images", "update", len(in.Images), s.cfg.maxUpdate) {
		return
	}
	for _, u := range in.Images {
		if !guidRE.MatchString(u.GUID) {
			modelState(w, "request.images.guid", fmt.Sprintf("The value '%s' is not valid for guid.", u.GUID))
			return
		}
	}
	if g, ok := s.unknownGUID(in.guids()); ok && s.cfg.unknown == UnknownGUIDFails {
		s.fail(w, r, http.StatusNotFound, "Image not found: "+g)
		return
	}
	// Images are found by GUID in either library; the call is applied to
	// each library in turn.
	for _, lib := range []string{Inventory, Temporary} {
		err := s.cat.Update(lib, func(p *fakestore.Product[Image]) error {
			for _, u := range in.Images {
				i := slices.IndexFunc(p.Images, func(img Image) bool { return strings.EqualFold(img.GUID, u.GUID) })
				if i < 0 {
					continue
				}
				img := &p.Images[i]
				switch {
				case u.Title != nil:
					img.Title = *u.Title
				case s.cfg.clearOmitted:
					img.Title = ""
				}
				switch {
				case u.Description != nil:
					img.Description = *u.Description
				case s.cfg.clearOmitted:
					img.Description = ""
				}
				img.DateUpdated = s.cfg.Now().UTC()
			}
			return nil
		})
		if err != nil {
			s.fail(w, r, http.StatusInternalServerError, err.Error())
			return
		}
	}
	s.ok(w, nil)
}

// unknownGUID returns the first GUID of guids that neither library has.
func (s *Server) unknownGUID(guids []string) (string, bool) {
	have := map[string]bool{}
	for _, img := range append(s.Images(Inventory), s.Images(Temporary)...) {
		have[strings.ToLower(img.GUID)] = true
	}
	for _, g := range guids {
		if !have[strings.ToLower(g)] {
			return g, true
		}
	}
	return "", false
}

// guids are the GUIDs of an update, for the unknown-GUID check.
func (in *updateIn) guids() []string {
	out := make([]string, len(in.Images))
	for i, u := range in.Images {
		out[i] = u.GUID
	}
	return out
}

// deleteIn is a delete_images request.
type deleteIn struct {
	GUIDs   []string     `json:"guids"`
	Library *wireLibrary `json:"library"`
}

func (s *Server) delete(w http.ResponseWriter, r *request) {
	var in deleteIn
	if !decode(w, r, &in) {
		return
	}
	name, ok := s.library(w, r, in.Library)
	if !ok {
		return
	}
	if !s.count(w, r, "guids", "delete", len(in.GUIDs), s.cfg.maxDelete) {
		return
	}
	for _, g := range in.GUIDs {
		if !guidRE.MatchString(g) {
			modelState(w, "request.guids", fmt.Sprintf("The value '%s' is not valid for guids.", g))
			return
		}
	}
	err := s.cat.Update(name, func(p *fakestore.Product[Image]) error {
		for _, g := range in.GUIDs {
			if s.cfg.unknown == UnknownGUIDFails && !slices.ContainsFunc(p.Images, func(img Image) bool { return strings.EqualFold(img.GUID, g) }) {
				return fmt.Errorf("%w: %s", errUnknownGUID, g)
			}
		}
		p.Images = slices.DeleteFunc(p.Images, func(img Image) bool {
			return slices.ContainsFunc(in.GUIDs, func(g string) bool { return strings.EqualFold(img.GUID, g) })
		})
		return nil
	})
	if err != nil {
		s.fail(w, r, http.StatusNotFound, "Image not found: "+strings.TrimPrefix(err.Error(), errUnknownGUID.Error()+": "))
		return
	}
	s.ok(w, nil)
}

func (s *Server) testCredentials(w http.ResponseWriter, _ *request) { s.ok(w, nil) }
