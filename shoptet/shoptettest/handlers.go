package shoptettest

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// gallery checks the path's product and gallery and returns the catalogue
// key, or answers 404 and returns "".
func (s *Server) gallery(w http.ResponseWriter, r *http.Request) (guid, gallery, k string) {
	s.tick()
	guid, gallery = r.PathValue("guid"), r.PathValue("gallery")
	if gallery != "shop" && gallery != "shop360" {
		s.fail(w, http.StatusNotFound, "gallery-not-found", fmt.Sprintf("Gallery %q does not exist.", gallery), gallery)
		return "", "", ""
	}
	k = key(guid, gallery)
	if !s.cat.HasProduct(k) {
		s.fail(w, http.StatusNotFound, "product-not-found", fmt.Sprintf("Product with guid %q not found.", guid), guid)
		return "", "", ""
	}
	return guid, gallery, k
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	_, gallery, k := s.gallery(w, r)
	if k == "" {
		return
	}
	imgs, _ := s.cat.Images(k)
	disp := s.display(imgs)
	out := s.wire(gallery, disp, nil)
	if s.cfg.order == ListAdded {
		seq := map[string]int64{}
		for _, st := range imgs {
			seq[st.Name] = st.Seq
		}
		slices.SortFunc(out, func(a, b wireImage) int { return int(seq[a.Name] - seq[b.Name]) })
	}
	s.write(w, http.StatusOK, map[string]any{"images": out}, nil)
}

// readWrite reads a write's rows, answering 422 (malformed), 413 (over
// limit rows) or nothing.
func (s *Server) readWrite(w http.ResponseWriter, r *http.Request, limit int) ([]inRow, bool) {
	rows, err := readRows(r)
	switch {
	case errors.Is(err, errTooLarge):
		s.fail(w, http.StatusRequestEntityTooLarge, "payload-too-large", "Request body is too large.", "unknown")
		return nil, false
	case err != nil:
		s.fail(w, http.StatusUnprocessableEntity, "invalid-request-data", "Request does not match the schema: "+err.Error(), "unknown")
		return nil, false
	case len(rows) == 0:
		s.fail(w, http.StatusUnprocessableEntity, "invalid-request-data", "data.images must have at least 1 item.", "unknown")
		return nil, false
	case limit > 0 && len(rows) > limit:
		s.fail(w, http.StatusRequestEntityTooLarge, "too-many-items", fmt.Sprintf("At most %d images can be sent at once; nothing was updated.", limit), "unknown")
		return nil, false
	}
	return rows, true
}

// asyncAllowed answers 403 when the job:finished webhook is not
// registered.
func (s *Server) asyncAllowed(w http.ResponseWriter) bool {
	s.mu.Lock()
	ok := s.webhook
	s.mu.Unlock()
	if !ok {
		s.fail(w, http.StatusForbidden, "job-finished-webhook-missing", "Webhook job:finished must be registered to call asynchronous endpoints.", "webhook")
	}
	return ok
}

func (s *Server) add(w http.ResponseWriter, r *http.Request) { s.queueRows(w, r, "add") }

func (s *Server) replaceSources(w http.ResponseWriter, r *http.Request) { s.queueRows(w, r, "source") }

// queueRows is an asynchronous call: an add ("add": rows of sourceUrl,
// at most 100) or a source replacement ("source": rows of name and
// sourceUrl), validated whole (400 with every bad row), then queued as one
// job.
func (s *Server) queueRows(w http.ResponseWriter, r *http.Request, kind string) {
	guid, gallery, k := s.gallery(w, r)
	if k == "" {
		return
	}
	limit, most, endpoint := MaxRowsPerCall, 65535, "/api/products/images"
	if kind == "source" {
		limit, most, endpoint = 0, 99999, "/api/products/images/source"
	}
	rows, ok := s.readWrite(w, r, limit)
	if !ok || !s.asyncAllowed(w) {
		return
	}
	var jr []jobRow
	var bad []wireError
	for i, row := range rows {
		instance := fmt.Sprint(i)
		switch {
		case kind == "add" && row.Name != nil:
			bad = append(bad, wireError{"invalid-request-data", "name is not a property of a new image", instance})
			continue
		case kind == "source" && (row.Name == nil || *row.Name == ""):
			bad = append(bad, wireError{"invalid-request-data", "name is required", instance})
			continue
		case kind == "source":
			instance = *row.Name
		}
		if err := checkSource(row.SourceURL); err != nil {
			bad = append(bad, wireError{"invalid-source-url", err.Error(), instance})
			continue
		}
		p, err := priorityOf(row.Priority, most)
		if err != nil {
			bad = append(bad, wireError{"invalid-priority", err.Error(), instance})
			continue
		}
		jr = append(jr, jobRow{source: *row.SourceURL, priority: p, description: row.Description})
		if row.Name != nil {
			jr[len(jr)-1].name = *row.Name
		}
	}
	if len(bad) > 0 {
		s.write(w, http.StatusBadRequest, nil, bad)
		return
	}
	id := s.queue(endpoint, kind, guid, gallery, jr)
	s.write(w, http.StatusAccepted, map[string]any{"jobId": id}, nil)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request) {
	_, gallery, k := s.gallery(w, r)
	if k == "" {
		return
	}
	rows, ok := s.readWrite(w, r, MaxRowsPerCall)
	if !ok {
		return
	}
	type change struct {
		name string
		p    *int
		d    *string
	}
	var changes []change
	var bad []wireError
	for i, row := range rows {
		if row.SourceURL != nil {
			bad = append(bad, wireError{"invalid-request-data", "sourceUrl is not a property of an image update", fmt.Sprint(i)})
			continue
		}
		if row.Name == nil || *row.Name == "" {
			bad = append(bad, wireError{"invalid-request-data", "name is required", fmt.Sprint(i)})
			continue
		}
		p, err := priorityOf(row.Priority, 65535)
		if err != nil {
			bad = append(bad, wireError{"invalid-priority", err.Error(), *row.Name})
			continue
		}
		changes = append(changes, change{*row.Name, p, row.Description})
	}
	if len(bad) > 0 {
		s.write(w, http.StatusBadRequest, nil, bad)
		return
	}
	var skipped []wireError
	updated := map[string]bool{}
	var after []stored
	now := s.now()
	err := s.cat.Update(k, func(p *fakestore.Product[stored]) error {
		for _, ch := range changes {
			i := slices.IndexFunc(p.Images, func(st stored) bool { return st.Name == ch.name })
			if i < 0 {
				skipped = append(skipped, wireError{"image-not-found", fmt.Sprintf("Image %q not found.", ch.name), ch.name})
				continue
			}
			if ch.p != nil {
				p.Images[i].Priority = ch.p
			}
			if ch.d != nil {
				p.Images[i].Description = ch.d
			}
			p.Images[i].Changed = now
			updated[ch.name] = true
		}
		after = slices.Clone(p.Images)
		return nil
	})
	if err != nil {
		s.fail(w, http.StatusNotFound, "product-not-found", "Product not found.", r.PathValue("guid"))
		return
	}
	only := updated
	if s.cfg.patch == PatchGallery {
		only = nil
	}
	s.write(w, http.StatusOK, map[string]any{"images": s.wire(gallery, s.display(after), only)}, skipped)
}

// removeReference reads the removeReference query parameter.
func removeReference(r *http.Request) bool {
	v := strings.ToLower(r.URL.Query().Get("removeReference"))
	return v == "true" || v == "1"
}

func (s *Server) deleteOne(w http.ResponseWriter, r *http.Request) {
	_, _, k := s.gallery(w, r)
	if k == "" {
		return
	}
	name := r.PathValue("name")
	force := removeReference(r)
	var status int
	err := s.cat.Update(k, func(p *fakestore.Product[stored]) error {
		i := slices.IndexFunc(p.Images, func(st stored) bool { return st.Name == name })
		switch {
		case i < 0:
			status = http.StatusNotFound
		case p.Images[i].Variant && !force:
			status = http.StatusConflict
		default:
			p.Images = slices.Delete(p.Images, i, i+1)
		}
		return nil
	})
	switch {
	case err != nil:
		s.fail(w, http.StatusNotFound, "product-not-found", "Product not found.", r.PathValue("guid"))
	case status == http.StatusNotFound:
		s.fail(w, status, "image-not-found", fmt.Sprintf("Image %q not found.", name), name)
	case status == http.StatusConflict:
		s.fail(w, status, "image-used-by-variant", fmt.Sprintf("Image %q is a variant's image; use removeReference=true to delete it.", name), name)
	default:
		s.write(w, http.StatusOK, nil, nil)
	}
}

func (s *Server) deleteGallery(w http.ResponseWriter, r *http.Request) {
	_, _, k := s.gallery(w, r)
	if k == "" {
		return
	}
	force := removeReference(r)
	var skipped []wireError
	_ = s.cat.Update(k, func(p *fakestore.Product[stored]) error {
		skipped = nil
		p.Images = slices.DeleteFunc(p.Images, func(st stored) bool {
			if st.Variant && !force {
				skipped = append(skipped, wireError{"image-used-by-variant", fmt.Sprintf("Image %q is a variant's image; it was skipped.", st.Name), st.Name})
				return false
			}
			return true
		})
		return nil
	})
	s.write(w, http.StatusOK, nil, skipped)
}

// eshop answers the e-shop info with the image cuts section only (the
// fake keeps no other e-shop data).
func (s *Server) eshop(w http.ResponseWriter, r *http.Request) {
	data := map[string]any{}
	if strings.Contains(strings.ToLower(r.URL.Query().Get("include")), "imagecuts") {
		type cut struct {
			Name    string `json:"name"`
			Width   *int   `json:"width"`
			Height  *int   `json:"height"`
			URLPath string `json:"urlPath"`
			CDNPath string `json:"cdnPath"`
		}
		var cuts []cut
		for _, c := range []struct {
			name string
			w, h int
		}{{"orig", 0, 0}, {"big", 1024, 768}, {"detail", 360, 270}, {"category", 216, 105}, {"related", 100, 100}} {
			x := cut{Name: c.name, URLPath: "https://" + EshopHost + "/user/shop/" + c.name + "/", CDNPath: "https://cdn.myshoptet.com/usr/" + EshopHost + "/user/shop/" + c.name + "/"}
			if c.w > 0 {
				x.Width, x.Height = new(c.w), new(c.h)
			}
			cuts = append(cuts, x)
		}
		data["imageCuts"] = cuts
	}
	s.write(w, http.StatusOK, data, nil)
}
