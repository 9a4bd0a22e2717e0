package bigcommercetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// wireV2 is a v2 product image as the legacy API documents it (v2 field
// names: zoom_url rather than url_zoom, RFC 1123 dates), with its own tags,
// as wireV3.
type wireV2 struct {
	ID           int64  `json:"id"`
	ProductID    int64  `json:"product_id"`
	ImageFile    string `json:"image_file"`
	ZoomURL      string `json:"zoom_url"`
	ThumbnailURL string `json:"thumbnail_url"`
	StandardURL  string `json:"standard_url"`
	TinyURL      string `json:"tiny_url"`
	IsThumbnail  bool   `json:"is_thumbnail"`
	SortOrder    int    `json:"sort_order"`
	Description  string `json:"description"`
	DateCreated  string `json:"date_created"`
	DateModified string `json:"date_modified"`
	IsSample     bool   `json:"is_sample"`
}

func (s *Server) wire2(img stored) wireV2 {
	return wireV2{
		ID: img.ID, ProductID: img.ProductID, ImageFile: img.ImageFile,
		ZoomURL: s.renditionURL(img, 1280, 1280), ThumbnailURL: s.renditionURL(img, 330, 500),
		StandardURL: s.renditionURL(img, 560, 850), TinyURL: s.renditionURL(img, 66, 100),
		IsThumbnail: img.IsThumbnail, SortOrder: img.SortOrder, Description: img.Description,
		DateCreated: img.Created.Format(time.RFC1123Z), DateModified: img.Modified.Format(time.RFC1123Z),
	}
}

// product2 reads the product ID of a v2 path, answering its 404 when it is
// not a number.
func product2(w http.ResponseWriter, r *http.Request) (int64, bool) {
	pid, ok := pathID(r, "product_id", true)
	if !ok {
		notFound2(w)
	}
	return pid, ok
}

// image2 reads the product and image IDs of a v2 path ({id} may end in
// ".json"), answering its 404 when either is not a number.
func image2(w http.ResponseWriter, r *http.Request) (pid, iid int64, ok bool) {
	if pid, ok = product2(w, r); !ok {
		return 0, 0, false
	}
	if iid, ok = pathID(r, "id", true); !ok {
		notFound2(w)
	}
	return pid, iid, ok
}

func notFound2(w http.ResponseWriter) {
	writeV2Error(w, http.StatusNotFound, "The requested resource was not found.", nil)
}

func (s *Server) count2(w http.ResponseWriter, _ *http.Request) {
	fakestore.WriteJSON(w, http.StatusOK, map[string]int{"count": s.ImageCount()})
}

func (s *Server) delete2(w http.ResponseWriter, r *http.Request) {
	if pid, iid, ok := image2(w, r); ok {
		s.answerDelete(w, s.removeOne(pid, iid), true)
	}
}

func (s *Server) list2(w http.ResponseWriter, r *http.Request) {
	pid, ok := product2(w, r)
	if !ok {
		return
	}
	page, limit, status, msg := paging(r)
	if status != 0 {
		writeV2Error(w, status, msg, nil)
		return
	}
	imgs, err := s.cat.Images(strconv.FormatInt(pid, 10))
	if err != nil {
		writeV2Error(w, http.StatusNotFound, "The requested resource was not found.", nil)
		return
	}
	sel := pageOf(byID(imgs), page, limit)
	if len(sel) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	out := make([]wireV2, len(sel))
	for i, img := range sel {
		out[i] = s.wire2(img)
	}
	fakestore.WriteJSON(w, http.StatusOK, out)
}

func (s *Server) get2(w http.ResponseWriter, r *http.Request) {
	pid, iid, ok := image2(w, r)
	if !ok {
		return
	}
	imgs, err := s.cat.Images(strconv.FormatInt(pid, 10))
	i := slices.IndexFunc(imgs, func(img stored) bool { return img.ID == iid })
	if err != nil || i < 0 {
		writeV2Error(w, http.StatusNotFound, "The requested resource was not found.", nil)
		return
	}
	fakestore.WriteJSON(w, http.StatusOK, s.wire2(imgs[i]))
}

// writable2 are the fields a v2 write may carry; any other is refused.
var writable2 = []string{"image_file", "is_thumbnail", "sort_order", "description"}

// read2 decodes a v2 write body, refusing fields that are not writable
// with the API's 400. A non-zero status is the error to answer.
func read2(r *http.Request) (ch change, status int, msg string) {
	var raw map[string]json.RawMessage
	if err := fakestore.ReadJSON(r, &raw, 0); err != nil || raw == nil {
		return ch, http.StatusBadRequest, "The request body is not valid JSON."
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(writable2, k) {
			return ch, http.StatusBadRequest, fmt.Sprintf("The field '%s' is not supported by this resource.", k)
		}
	}
	field := func(name string, v any) bool {
		b, ok := raw[name]
		return !ok || json.Unmarshal(b, v) == nil
	}
	var in struct {
		ImageFile   *string
		IsThumbnail *bool
		SortOrder   *int32
		Description *string
	}
	for name, v := range map[string]any{"image_file": &in.ImageFile, "is_thumbnail": &in.IsThumbnail, "sort_order": &in.SortOrder, "description": &in.Description} {
		if !field(name, v) {
			return ch, http.StatusBadRequest, fmt.Sprintf("The field '%s' is invalid.", name)
		}
	}
	ch.ImageFile, ch.IsThumbnail, ch.Description = in.ImageFile, in.IsThumbnail, in.Description
	if in.SortOrder != nil {
		ch.SortOrder = new(int(*in.SortOrder))
	}
	return ch, 0, ""
}

func (s *Server) create2(w http.ResponseWriter, r *http.Request) {
	pid, ok := product2(w, r)
	if !ok {
		return
	}
	ch, status, msg := read2(r)
	if status != 0 {
		writeV2Error(w, status, msg, nil)
		return
	}
	if ch.ImageFile == nil || strings.TrimSpace(*ch.ImageFile) == "" {
		writeV2Error(w, http.StatusBadRequest, "The required field 'image_file' was not supplied.", nil)
		return
	}
	// The image is stored under a path made from the URL's or the import
	// path's file name.
	ch.Name, ch.ImageFile = baseName(*ch.ImageFile), nil
	img, err := s.create(pid, ch, 0)
	switch {
	case errors.Is(err, errImageLimit):
		writeV2Error(w, http.StatusBadRequest, "The field 'image_file' is invalid.", map[string]string{"invalid_reason": fmt.Sprintf("A product can have up to %d images.", s.cfg.maxImages)})
	case err != nil:
		writeV2Error(w, http.StatusNotFound, "The requested resource was not found.", nil)
	default:
		fakestore.WriteJSON(w, http.StatusCreated, s.wire2(img))
	}
}

func (s *Server) update2(w http.ResponseWriter, r *http.Request) {
	pid, iid, ok := image2(w, r)
	if !ok {
		return
	}
	ch, status, msg := read2(r)
	if status != 0 {
		writeV2Error(w, status, msg, nil)
		return
	}
	if ch.ImageFile != nil {
		p := filePath(iid, baseName(*ch.ImageFile))
		ch.ImageFile = &p
	}
	img, err := s.update(pid, iid, ch)
	if err != nil {
		writeV2Error(w, http.StatusNotFound, "The requested resource was not found.", nil)
		return
	}
	fakestore.WriteJSON(w, http.StatusOK, s.wire2(img))
}

func (s *Server) deletePage2(w http.ResponseWriter, r *http.Request) {
	pid, ok := product2(w, r)
	if !ok {
		return
	}
	page, limit, status, msg := paging(r)
	if status != 0 {
		writeV2Error(w, status, msg, nil)
		return
	}
	_, err := s.remove(pid, func(imgs []stored) []int64 {
		var ids []int64
		for _, img := range pageOf(imgs, page, limit) {
			ids = append(ids, img.ID)
		}
		return ids
	})
	s.answerDelete(w, err, true)
}
