package bigcommercetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// paging reads page and limit: 400 for a non-number, 413 for a limit above
// 250 (the status-code reference: "413 means limit is above the maximum").
func paging(r *http.Request) (page, limit, status int, msg string) {
	page, err := fakestore.QueryInt(r, "page", 1)
	if err != nil || page < 1 {
		return 0, 0, http.StatusBadRequest, "The page parameter must be a positive integer"
	}
	limit, err = fakestore.QueryInt(r, "limit", DefaultPageLimit)
	switch {
	case err != nil || limit < 1:
		return 0, 0, http.StatusBadRequest, "The limit parameter must be a positive integer"
	case limit > MaxPageLimit:
		return 0, 0, http.StatusRequestEntityTooLarge, fmt.Sprintf("The limit parameter is above the maximum of %d", MaxPageLimit)
	}
	return page, limit, 0, ""
}

func pageOf(imgs []stored, page, limit int) []stored {
	from := min((page-1)*limit, len(imgs))
	return imgs[from:min(from+limit, len(imgs))]
}

// product3 reads the product ID of a v3 path, answering its 404 when it is
// not a number.
func product3(w http.ResponseWriter, r *http.Request) (int64, bool) {
	pid, ok := pathID(r, "product_id", false)
	if !ok {
		writeV3Error(w, http.StatusNotFound, "The requested product was not found", nil)
	}
	return pid, ok
}

// image3 reads the product and image IDs of a v3 path, answering its 404
// when either is not a number.
func image3(w http.ResponseWriter, r *http.Request) (pid, iid int64, ok bool) {
	if pid, ok = product3(w, r); !ok {
		return 0, 0, false
	}
	if iid, ok = pathID(r, "image_id", false); !ok {
		writeV3Error(w, http.StatusNotFound, "The requested image was not found", nil)
	}
	return pid, iid, ok
}

func (s *Server) list3(w http.ResponseWriter, r *http.Request) {
	pid, ok := product3(w, r)
	if !ok {
		return
	}
	page, limit, status, msg := paging(r)
	if status != 0 {
		writeV3Error(w, status, msg, nil)
		return
	}
	imgs, err := s.cat.Images(strconv.FormatInt(pid, 10))
	if err != nil {
		writeV3Error(w, http.StatusNotFound, "The requested product was not found", nil)
		return
	}
	if len(imgs) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	sel := pageOf(byID(imgs), page, limit)
	data := make([]Image, len(sel))
	for i, img := range sel {
		data[i] = s.image(img)
	}
	pages := (len(imgs) + limit - 1) / limit
	link := func(p int) string { return fmt.Sprintf("?page=%d&limit=%d", p, limit) }
	links := map[string]string{"current": link(page)}
	if page > 1 {
		links["previous"] = link(page - 1)
	}
	if page < pages {
		links["next"] = link(page + 1)
	}
	fakestore.WriteJSON(w, http.StatusOK, map[string]any{
		"data": data,
		"meta": map[string]any{"pagination": map[string]any{
			"total": len(imgs), "count": len(data), "per_page": limit,
			"current_page": page, "total_pages": pages, "links": links,
		}},
	})
}

func (s *Server) get3(w http.ResponseWriter, r *http.Request) {
	pid, iid, ok := image3(w, r)
	if !ok {
		return
	}
	imgs, err := s.cat.Images(strconv.FormatInt(pid, 10))
	if err != nil {
		writeV3Error(w, http.StatusNotFound, "The requested product was not found", nil)
		return
	}
	i := slices.IndexFunc(imgs, func(img stored) bool { return img.ID == iid })
	if i < 0 {
		writeV3Error(w, http.StatusNotFound, "The requested image was not found", nil)
		return
	}
	s.writeImage3(w, imgs[i])
}

func (s *Server) writeImage3(w http.ResponseWriter, img stored) {
	fakestore.WriteJSON(w, http.StatusOK, map[string]any{"data": s.image(img), "meta": map[string]any{}})
}

// input3 is the JSON body of a v3 create or update (productImage_Post_Put).
// Numbers are decoded loosely so a bad value is a 422, not a 400.
type input3 struct {
	ImageURL    *string          `json:"image_url"`
	IsThumbnail *bool            `json:"is_thumbnail"`
	SortOrder   *json.RawMessage `json:"sort_order"`
	Description *string          `json:"description"`
}

// change validates in, returning the change or the field errors of a 422.
func (in input3) change() (change, map[string]string) {
	var ch change
	bad := map[string]string{}
	if in.ImageURL != nil {
		u, err := url.Parse(*in.ImageURL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			bad["image_url"] = "image_url must be a fully qualified URL, including the protocol"
		case len(*in.ImageURL) > MaxImageURLLength:
			bad["image_url"] = fmt.Sprintf("image_url must be at most %d characters", MaxImageURLLength)
		}
		ch.ImageURL = in.ImageURL
	}
	if in.SortOrder != nil {
		so, err := strconv.ParseInt(string(*in.SortOrder), 10, 64)
		if err != nil || so < math.MinInt32 || so > math.MaxInt32 {
			bad["sort_order"] = "sort_order must be a 32-bit integer"
		}
		ch.SortOrder = new(int(so))
	}
	ch.IsThumbnail, ch.Description = in.IsThumbnail, in.Description
	return ch, bad
}

func (s *Server) create3(w http.ResponseWriter, r *http.Request) {
	pid, ok := product3(w, r)
	if !ok {
		_, _ = io.Copy(io.Discard, r.Body)
		return
	}
	if !s.cat.HasProduct(strconv.FormatInt(pid, 10)) {
		// Drain the upload first, as a server reading the request would.
		_, _ = io.Copy(io.Discard, r.Body)
		writeV3Error(w, http.StatusNotFound, "The requested product was not found", nil)
		return
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var (
		ch   change
		size int64
	)
	switch mt {
	case "application/json":
		var in input3
		if err := fakestore.ReadJSON(r, &in, 0); err != nil {
			writeV3Error(w, http.StatusUnprocessableEntity, "The request body is not valid JSON", nil)
			return
		}
		if in.ImageURL == nil || *in.ImageURL == "" {
			// The spec's example of this 422.
			writeV3Error(w, http.StatusUnprocessableEntity, "image_url must be present if uploading by url", nil)
			return
		}
		var bad map[string]string
		if ch, bad = in.change(); len(bad) > 0 {
			writeV3Error(w, http.StatusUnprocessableEntity, "The image was not valid", bad)
			return
		}
	case "multipart/form-data":
		var status int
		var title string
		var bad map[string]string
		ch, size, status, title, bad = s.readUpload(r, params["boundary"], true)
		if status != 0 {
			writeV3Error(w, status, title, bad)
			return
		}
	default:
		writeV3Error(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json or multipart/form-data", nil)
		return
	}
	img, err := s.create(pid, ch, size)
	switch {
	case errors.Is(err, errImageLimit):
		writeV3Error(w, http.StatusUnprocessableEntity, fmt.Sprintf("A product can have up to %d images", s.cfg.maxImages), nil)
	case err != nil:
		writeV3Error(w, http.StatusNotFound, "The requested product was not found", nil)
	default:
		s.writeImage3(w, img)
	}
}

// readUpload reads a multipart create or update: the image_file part is
// counted and discarded, never held, and the form fields become a change
// (ch.Name is the uploaded file's name, "" when there is none). A create
// needs the file; an update may carry one. A non-zero status is the error to
// answer.
func (s *Server) readUpload(r *http.Request, boundary string, needFile bool) (ch change, size int64, status int, title string, bad map[string]string) {
	if boundary == "" {
		return ch, 0, http.StatusBadRequest, "The multipart body has no boundary", nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return ch, 0, http.StatusBadRequest, "The multipart body is malformed", nil
	}
	var in input3
	var file string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return ch, 0, http.StatusBadRequest, "The multipart body is malformed", nil
		}
		name := part.FormName()
		if name == "image_file" && part.FileName() != "" {
			file = part.FileName()
			n, err := io.Copy(io.Discard, io.LimitReader(part, s.cfg.maxUpload+1))
			if err != nil {
				return ch, 0, http.StatusBadRequest, "The multipart body is malformed", nil
			}
			if n > s.cfg.maxUpload {
				_, _ = io.Copy(io.Discard, r.Body)
				return ch, 0, http.StatusRequestEntityTooLarge, fmt.Sprintf("The image file is larger than %d bytes", s.cfg.maxUpload), nil
			}
			size = n
			continue
		}
		v, err := io.ReadAll(io.LimitReader(part, 64<<10))
		if err != nil {
			return ch, 0, http.StatusBadRequest, "The multipart body is malformed", nil
		}
		val := string(v)
		switch name {
		case "image_url":
			in.ImageURL = &val
		case "description":
			in.Description = &val
		case "is_thumbnail":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return ch, 0, http.StatusUnprocessableEntity, "The image was not valid", map[string]string{"is_thumbnail": "is_thumbnail must be a boolean"}
			}
			in.IsThumbnail = &b
		case "sort_order":
			raw := json.RawMessage(strings.TrimSpace(val))
			in.SortOrder = &raw
		}
	}
	if in.ImageURL != nil {
		// The spec's 422: image_url sent as multipart.
		return ch, 0, http.StatusUnprocessableEntity, "image_url must be present if uploading by url", nil
	}
	if file == "" && needFile {
		return ch, 0, http.StatusUnprocessableEntity, "image_file must be present if uploading a file", nil
	}
	ch, bad = in.change()
	if len(bad) > 0 {
		return ch, 0, http.StatusUnprocessableEntity, "The image was not valid", bad
	}
	ch.Name = file
	return ch, size, 0, "", nil
}

// update3 answers a PUT. The spec gives the PUT the same two bodies as the
// create: JSON (image_url, is_thumbnail, sort_order, description) and
// multipart/form-data (the same fields with an optional image_file, which
// replaces the file, a guess: the usage notes say new files go through POST).
func (s *Server) update3(w http.ResponseWriter, r *http.Request) {
	pid, iid, ok := image3(w, r)
	if !ok {
		return
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var ch change
	switch mt {
	case "application/json":
		var in input3
		if err := fakestore.ReadJSON(r, &in, 0); err != nil {
			// bigcommerce/docs#742: an improper JSON body is a 422.
			writeV3Error(w, http.StatusUnprocessableEntity, "The request body is not valid JSON", nil)
			return
		}
		var bad map[string]string
		if ch, bad = in.change(); len(bad) > 0 {
			writeV3Error(w, http.StatusUnprocessableEntity, "The image was not valid", bad)
			return
		}
	case "multipart/form-data":
		var (
			status int
			title  string
			bad    map[string]string
		)
		if ch, _, status, title, bad = s.readUpload(r, params["boundary"], false); status != 0 {
			writeV3Error(w, status, title, bad)
			return
		}
		if ch.Name != "" {
			p := filePath(iid, ch.Name)
			ch.ImageFile = &p
		}
	default:
		writeV3Error(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json or multipart/form-data", nil)
		return
	}
	img, err := s.update(pid, iid, ch)
	switch {
	case errors.Is(err, errNoImage):
		writeV3Error(w, http.StatusNotFound, "The requested image was not found", nil)
	case err != nil:
		writeV3Error(w, http.StatusNotFound, "The requested product was not found", nil)
	default:
		s.writeImage3(w, img)
	}
}

func (s *Server) delete3(w http.ResponseWriter, r *http.Request) {
	if pid, iid, ok := image3(w, r); ok {
		s.answerDelete(w, s.removeOne(pid, iid), false)
	}
}

// answerDelete answers a delete: 204, or the 404 of a missing product or
// image.
func (s *Server) answerDelete(w http.ResponseWriter, err error, v2 bool) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, errNoImage):
		s.writeError(w, v2, http.StatusNotFound, "The requested image was not found", nil)
	default:
		s.writeError(w, v2, http.StatusNotFound, "The requested product was not found", nil)
	}
}
