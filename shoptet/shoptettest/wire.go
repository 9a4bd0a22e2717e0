package shoptettest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// The wire structs are written from the OpenAPI file, not shared with
// package shoptet, so a misspelt field on either side shows up in tests.

type wireError struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
	Instance  string `json:"instance"`
}

type wireMeta struct {
	RequestID string `json:"requestId"`
}

type wireEnvelope struct {
	Data     any         `json:"data"`
	Errors   []wireError `json:"errors"`
	Metadata wireMeta    `json:"metadata"`
}

type wireSigned struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

type wireImage struct {
	Name           string       `json:"name"`
	Priority       *int         `json:"priority"`
	Description    *string      `json:"description"`
	ChangeTime     *string      `json:"changeTime"`
	SeoName        string       `json:"seoName"`
	CdnName        string       `json:"cdnName"`
	SignedCdnNames []wireSigned `json:"signedCdnNames"`
	IsMainImage    bool         `json:"isMainImage"`
	Gallery        string       `json:"gallery"`
}

// timeLayout is the API's timestamp form, "2018-05-29T09:02:27+0200".
const timeLayout = "2006-01-02T15:04:05-0700"

// mediaTypes are the Content-Type values of MediaType.
var mediaTypes = map[MediaType]string{
	MediaJSON:   "application/json; charset=utf-8",
	MediaVendor: "application/vnd.shoptet.v1.0",
}

// write sends the envelope with status, a request ID in the header and
// the metadata.
func (s *Server) write(w http.ResponseWriter, status int, data any, errs []wireError) {
	s.mu.Lock()
	s.requestNo++
	n := s.requestNo
	s.mu.Unlock()
	id := fmt.Sprintf("019c8c34-%04x-7%03x-a%03x-%012x", n>>16&0xffff, n>>4&0xfff, n&0xfff, s.cfg.Seed&0xffffffffffff)
	w.Header().Set("X-Request-ID", id)
	w.Header().Set("Content-Type", mediaTypes[s.cfg.media])
	fakestore.WriteJSON(w, status, wireEnvelope{Data: data, Errors: errs, Metadata: wireMeta{RequestID: id}})
}

// fail sends an error envelope with one error.
func (s *Server) fail(w http.ResponseWriter, status int, code, msg, instance string) {
	s.write(w, status, nil, []wireError{{ErrorCode: code, Message: msg, Instance: instance}})
}

// wire renders a gallery's images, given in display order.
func (s *Server) wire(gallery string, disp []stored, only map[string]bool) []wireImage {
	main := s.mainOf(disp)
	out := make([]wireImage, 0, len(disp))
	for _, st := range disp {
		if only != nil && !only[st.Name] {
			continue
		}
		seo := seoName(st)
		ts := fmt.Sprintf("%08x", st.Changed.Unix())
		sign := func(x, y int) string {
			return fmt.Sprintf("%s?ff=1&x=%d&y=%d&q=85&ts=%s&sg=%08x", seo, x, y, ts, uint32(len(st.Name)*7919+x*31+y))
		}
		ct := st.Changed.Format(timeLayout)
		out = append(out, wireImage{
			Name: st.Name, Priority: st.Priority, Description: st.Description, ChangeTime: &ct,
			SeoName: seo, CdnName: sign(1024, 768),
			SignedCdnNames: []wireSigned{{"big", sign(1024, 768)}, {"detail", sign(360, 270)}, {"related", sign(100, 100)}},
			IsMainImage:    st.Name == main, Gallery: gallery,
		})
	}
	return out
}

// seoName inserts a slug of the description after the name's stem:
// "100.jpg" with "Red shoe" is "100_red-shoe.jpg".
func seoName(st stored) string {
	if st.Description == nil || *st.Description == "" {
		return st.Name
	}
	var b strings.Builder
	for _, r := range strings.ToLower(*st.Description) {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	slug := strings.Trim(b.String(), "-")
	if slug == "" {
		return st.Name
	}
	ext := path.Ext(st.Name)
	return strings.TrimSuffix(st.Name, ext) + "_" + slug + ext
}

// inRow is one item of data.images in a write, every field optional so
// that a missing one is a validation error, not a decoding one.
type inRow struct {
	Name        *string      `json:"name"`
	SourceURL   *string      `json:"sourceUrl"`
	Priority    *json.Number `json:"priority"`
	Description *string      `json:"description"`
}

type inBody struct {
	Data *struct {
		Images *[]inRow `json:"images"`
	} `json:"data"`
}

// errTooLarge is a body over the fake's read limit.
var errTooLarge = errors.New("request body too large")

// readRows reads {"data":{"images":[...]}}, refusing unknown members
// (the schemas say additionalProperties: false) with a 422.
func readRows(r *http.Request) ([]inRow, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, fakestore.DefaultMaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > fakestore.DefaultMaxBody {
		return nil, errTooLarge
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var in inBody
	if err := dec.Decode(&in); err != nil {
		return nil, err
	}
	if in.Data == nil || in.Data.Images == nil {
		return nil, errors.New("data.images is required")
	}
	return *in.Data.Images, nil
}

// priorityOf checks a row's priority: absent, or an integer in 1..most.
func priorityOf(n *json.Number, most int) (*int, error) {
	if n == nil {
		return nil, nil
	}
	p, err := strconv.Atoi(n.String())
	if err != nil || p < 1 || p > most {
		return nil, fmt.Errorf("priority %s is not an integer in 1..%d", n.String(), most)
	}
	return &p, nil
}

// checkSource checks a sourceUrl: 1..2000 characters, an absolute URL.
func checkSource(u *string) error {
	if u == nil || *u == "" || len([]rune(*u)) > 2000 {
		return errors.New("sourceUrl must have 1 to 2000 characters")
	}
	if p, err := url.Parse(*u); err != nil || p.Host == "" || (p.Scheme != "http" && p.Scheme != "https") {
		return errors.New("sourceUrl is not an absolute http(s) URL")
	}
	return nil
}

// formatTime renders t the API's way, for job fields.
func formatTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(timeLayout)
	return &s
}
