package salla

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/check"
	"github.com/shopimg/shopimg/internal/rest"
)

// Attachment types of a gallery entry (the type member).
const (
	// TypeImage is a picture.
	TypeImage = "image"
	// TypeVideo is a video (video_url set); it shares the gallery and its
	// sort order with the pictures.
	TypeVideo = "video"
)

// Sort is a gallery entry's sort value: a lower value comes first. The API
// types it as a number; the client reads any JSON number (or a numeric
// string, or null as 0) and rounds it to a whole number.
type Sort int

// UnmarshalJSON reads a number, a numeric string or null.
func (s *Sort) UnmarshalJSON(b []byte) error {
	n, err := lenientNumber(b)
	if err != nil {
		return fmt.Errorf("salla: sort %s: %w", b, err)
	}
	*s = Sort(n)
	return nil
}

// lenientNumber parses a JSON number, numeric string or null (0), rounded
// to a whole number within the int32 range.
func lenientNumber(b []byte) (int, error) {
	b = bytes.TrimSpace(b)
	if string(b) == "null" || len(b) == 0 {
		return 0, nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		b = []byte(s)
		if len(bytes.TrimSpace(b)) == 0 {
			return 0, nil
		}
	}
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(b)), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number")
	}
	f = math.Round(f)
	if f > math.MaxInt32 || f < math.MinInt32 {
		return 0, fmt.Errorf("out of range")
	}
	return int(f), nil
}

// Flag is a boolean the API may send as true/false, 1/0 or "1"/"0".
type Flag bool

// UnmarshalJSON reads a boolean, a number or a string; null is false.
func (f *Flag) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "true", "1", `"1"`, `"true"`:
		*f = true
	case "false", "0", `"0"`, `"false"`, "null", `""`:
		*f = false
	default:
		return fmt.Errorf("salla: %s is not a boolean", b)
	}
	return nil
}

// Text is a string the API may send as null (read as "").
type Text string

// UnmarshalJSON reads a string, or null as "". A number or boolean is
// kept as its JSON text.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b[1:n-1]) {
		*t = Text(b[1 : n-1]) // the common case: no escapes to undo
		return nil
	}
	if string(b) == "null" {
		*t = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
			return fmt.Errorf("salla: expected a string, got %.20s", b)
		}
		*t = Text(b)
		return nil
	}
	*t = Text(s)
	return nil
}

// Rendition is one size of an image: its URL and, when known, its size in
// pixels. The API sends fractional sizes (865.8008658008658) and 0 for an
// original it did not measure.
type Rendition struct {
	// URL is the rendition's address on Salla's CDN.
	URL Text `json:"url"`
	// Width and Height are in pixels, 0 when unknown.
	Width float64 `json:"width"`
	// Height is in pixels, 0 when unknown.
	Height float64 `json:"height"`
}

// Renditions are the sizes of an image (the image member of an Image).
type Renditions struct {
	// Original is the file as uploaded or fetched.
	Original Rendition `json:"original"`
	// StandardResolution is the product page size.
	StandardResolution Rendition `json:"standard_resolution"`
	// LowResolution is a smaller size.
	LowResolution Rendition `json:"low_resolution"`
	// Thumbnail is the smallest size.
	Thumbnail Rendition `json:"thumbnail"`
}

// Image is a gallery entry as the attach and update calls answer it (the
// ProductImagesVideos schema). The Go field names follow the vendor's.
type Image struct {
	// ID is the entry's ID.
	ID ImageID `json:"id"`
	// Image holds the renditions.
	Image Renditions `json:"image"`
	// Sort orders the gallery: lower first.
	Sort Sort `json:"sort"`
	// Default marks the product's main image (main in the product
	// details).
	Default Flag `json:"default"`
	// AltSEO is the alternative text (alt in the product details).
	AltSEO Text `json:"alt_seo"`
	// VideoURL is a video entry's address; empty for an image.
	VideoURL Text `json:"video_url"`
	// Type is TypeImage or TypeVideo.
	Type Text `json:"type"`
}

// ProductImage is a gallery entry as the product details list it
// (data.images[]): a flat url, main for the main image, alt for the
// alternative text.
type ProductImage struct {
	// ID is the entry's ID.
	ID ImageID `json:"id"`
	// URL is the image's address (for a video, its poster).
	URL Text `json:"url"`
	// Main marks the product's main image (default in writes).
	Main Flag `json:"main"`
	// ThreeDImageURL is a 3D model's address, when the entry has one.
	ThreeDImageURL Text `json:"three_d_image_url"`
	// Alt is the alternative text (alt_seo in the attach and update
	// answers).
	Alt Text `json:"alt"`
	// VideoURL is a video entry's address; empty for an image.
	VideoURL Text `json:"video_url"`
	// Type is TypeImage or TypeVideo.
	Type Text `json:"type"`
	// Sort orders the gallery: lower first.
	Sort Sort `json:"sort"`
}

// IsVideo reports whether the entry is a video rather than a picture.
func (p ProductImage) IsVideo() bool { return p.Type == TypeVideo }

// Product is the part of a product's details this package reads.
type Product struct {
	// ID is the product's ID.
	ID ProductID `json:"id"`
	// SKU is the product's stock keeping unit.
	SKU Text `json:"sku"`
	// MainImage is the main image's URL.
	MainImage Text `json:"main_image"`
	// Thumbnail is the main image's thumbnail URL.
	Thumbnail Text `json:"thumbnail"`
	// Images is the gallery, pictures and videos, in the order the API
	// sent it (see Gallery for display order).
	Images []ProductImage `json:"images"`
}

// Photo is the picture of an attach or update: a URL Salla downloads, or a
// file streamed as the multipart part photo. Exactly one must be set.
type Photo struct {
	// URL is an absolute http(s) URL, sent as the photo form field.
	URL string
	// File is uploaded as the photo part, streamed from its source on
	// every attempt and never held in memory.
	File *shopimg.File
}

func (p Photo) check() error {
	switch {
	case p.URL == "" && p.File == nil:
		return &shopimg.InputError{Field: "Photo", Reason: "one of URL and File is required"}
	case p.URL != "" && p.File != nil:
		return &shopimg.InputError{Field: "Photo", Reason: "URL and File are mutually exclusive"}
	case p.URL != "":
		if r := check.SourceURL(p.URL); r != "" {
			return &shopimg.InputError{Field: "Photo.URL", Reason: r}
		}
	case p.File.Name == "":
		return &shopimg.InputError{Field: "Photo.File.Name", Reason: "is empty"}
	case p.File.Open == nil:
		return &shopimg.InputError{Field: "Photo.File.Open", Reason: "is nil"}
	default:
		if r := check.Text(p.File.Name); r != "" {
			return &shopimg.InputError{Field: "Photo.File.Name", Reason: r}
		}
	}
	return nil
}

// AttachImageRequest is the multipart form of AttachImage and
// AttachImageBySKU.
type AttachImageRequest struct {
	// Photo is the picture. Required.
	Photo Photo
	// Default makes the new image the product's main image (sent as
	// default=1; false sends default=0).
	Default bool
	// Sort places the image; nil leaves it to the API.
	Sort *int
	// Alt is the alternative text; empty is not sent.
	Alt string
}

// UpdateImageRequest is the multipart form of UpdateImage. The API requires
// photo on every update, also one that changes only the other fields;
// fields left nil are not sent.
type UpdateImageRequest struct {
	// Photo is the picture. Required. To keep the picture, send the
	// image's own URL (see the package documentation for what that may
	// cost).
	Photo Photo
	// Default, when not nil, sets or clears the main-image flag.
	Default *bool
	// Sort, when not nil, places the image.
	Sort *int
	// Alt, when not nil, sets the alternative text.
	Alt *string
}

func checkSort(p *int) error {
	if p != nil && (*p < 0 || *p > math.MaxInt32) {
		return &shopimg.InputError{Field: "Sort", Reason: fmt.Sprintf("%d is outside [0, 2^31)", *p)}
	}
	return nil
}

func checkAlt(p *string) error {
	if p != nil {
		if r := check.Text(*p); r != "" {
			return &shopimg.InputError{Field: "Alt", Reason: r}
		}
	}
	return nil
}

func checkProductID(id ProductID) error {
	if id <= 0 {
		return &shopimg.InputError{Field: "productID", Reason: fmt.Sprintf("%d is not positive", id)}
	}
	return nil
}

func checkImageID(id ImageID) error {
	if id <= 0 {
		return &shopimg.InputError{Field: "imageID", Reason: fmt.Sprintf("%d is not positive", id)}
	}
	return nil
}

// flag01 is a boolean as the form fields take it.
func flag01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// form builds the multipart body: the other fields first, then photo (a
// text field for a URL, a streamed file part for a file).
func form(photo Photo, def *bool, sort *int, alt *string) *rest.Multipart {
	mp := &rest.Multipart{}
	if def != nil {
		mp.Fields = append(mp.Fields, rest.Field{Name: "default", Value: flag01(*def)})
	}
	if sort != nil {
		mp.Fields = append(mp.Fields, rest.Field{Name: "sort", Value: strconv.Itoa(*sort)})
	}
	if alt != nil {
		mp.Fields = append(mp.Fields, rest.Field{Name: "alt", Value: *alt})
	}
	if photo.File != nil {
		mp.FileField, mp.File = "photo", photo.File
	} else {
		mp.Fields = append(mp.Fields, rest.Field{Name: "photo", Value: photo.URL})
	}
	return mp
}

// dataEnvelope is an answer whose data must be there: the product
// details (productEnvelope) or an attach or update (imageEnvelope). An
// answer without it is an error; for an attach, the image may have been
// made, so it matches shopimg.ErrOutcomeUnknown.
type dataEnvelope[T interface {
	present() bool
	noun() string
}] struct {
	envelope
	Data T `json:"data"`
}

type (
	productEnvelope = dataEnvelope[Product]
	imageEnvelope   = dataEnvelope[Image]
)

func (p Product) present() bool { return p.ID > 0 }
func (p Product) noun() string  { return "product" }
func (i Image) present() bool   { return i.ID > 0 }
func (i Image) noun() string    { return "image" }

// CheckBody reports a success:false envelope, or an answer without its
// data.
func (p *dataEnvelope[T]) CheckBody(e *APIError) bool {
	if p.check(e) {
		return true
	}
	if !p.Data.present() {
		e.Message = "the answer carries no " + p.Data.noun()
		return true
	}
	return false
}

// deleteEnvelope is the delete answer: an envelope (202) or nothing (204).
type deleteEnvelope struct {
	envelope
	Data json.RawMessage `json:"data"`
}

// CheckBody reports a success:false envelope.
func (p *deleteEnvelope) CheckBody(e *APIError) bool { return p.check(e) }

// GetProduct returns a product's details, of which this package reads the
// gallery (pictures and videos, each with its sort and main flag), the
// main image and the SKU. An unknown product is an error matching
// shopimg.ErrNotFound.
//
// GET /products/{product}. Salla API docs:
// https://docs.salla.dev/api-5394169
func (c *Client) GetProduct(ctx context.Context, productID ProductID) (Product, *Response, error) {
	if err := checkProductID(productID); err != nil {
		return Product{}, nil, err
	}
	var env productEnvelope
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodGet, Path: rest.Path("products/%s", productID)}, &env)
	if err != nil {
		return Product{}, resp, err
	}
	return env.Data, resp, nil
}

// AttachImage adds one image to the product, from a URL Salla downloads or
// a file streamed as multipart (never held in memory; reopened for a
// retry), and returns it. If the connection drops or a 5xx answers after
// the request was sent, the error matches shopimg.ErrOutcomeUnknown: list
// the product before attaching it again. The client does not check the
// per-product image limit (the adapter does); the API refuses an image
// beyond it.
//
// POST /products/{product}/images, multipart/form-data (photo, default,
// sort, alt). Salla API docs: https://docs.salla.dev (Merchant API,
// Product Images, "Attach Image").
func (c *Client) AttachImage(ctx context.Context, productID ProductID, req AttachImageRequest) (Image, *Response, error) {
	if err := checkProductID(productID); err != nil {
		return Image{}, nil, err
	}
	return c.attach(ctx, rest.Path("products/%s/images", productID), req)
}

// AttachImageBySKU adds one image to the product with the given SKU, as
// AttachImage does. The docs' header says 200 and the example body 201;
// any 2xx is a success.
//
// POST /products/sku/{sku}/images, multipart/form-data. Salla API docs:
// https://docs.salla.dev/api-5394184
func (c *Client) AttachImageBySKU(ctx context.Context, sku string, req AttachImageRequest) (Image, *Response, error) {
	if r := check.ID(sku); r != "" {
		return Image{}, nil, &shopimg.InputError{Field: "sku", Reason: r}
	}
	return c.attach(ctx, rest.Path("products/sku/%s/images", sku), req)
}

func (c *Client) attach(ctx context.Context, path string, req AttachImageRequest) (Image, *Response, error) {
	if err := req.Photo.check(); err != nil {
		return Image{}, nil, err
	}
	if err := checkSort(req.Sort); err != nil {
		return Image{}, nil, err
	}
	var alt *string
	if req.Alt != "" {
		alt = &req.Alt
	}
	if err := checkAlt(alt); err != nil {
		return Image{}, nil, err
	}
	var env imageEnvelope
	mp := form(req.Photo, &req.Default, req.Sort, alt)
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodPost, Path: path, Multipart: mp, Effect: rest.Create}, &env)
	if err != nil {
		return Image{}, resp, err
	}
	return env.Data, resp, nil
}

// UpdateImage changes an image and returns it as stored. The API requires
// photo on every update, so a change of the other fields alone sends the
// picture again (see UpdateImageRequest.Photo). The answer's ID may differ
// from imageID if the store replaced the image (see the package
// documentation); the returned Image is what the store answered. The
// update is retried like an idempotent write.
//
// POST /products/images/{image-id}, multipart/form-data (photo required,
// default, sort, alt). Salla API docs: https://docs.salla.dev/api-5394188
func (c *Client) UpdateImage(ctx context.Context, imageID ImageID, req UpdateImageRequest) (Image, *Response, error) {
	if err := checkImageID(imageID); err != nil {
		return Image{}, nil, err
	}
	if err := req.Photo.check(); err != nil {
		return Image{}, nil, err
	}
	if err := checkSort(req.Sort); err != nil {
		return Image{}, nil, err
	}
	if err := checkAlt(req.Alt); err != nil {
		return Image{}, nil, err
	}
	var env imageEnvelope
	mp := form(req.Photo, req.Default, req.Sort, req.Alt)
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodPost, Path: rest.Path("products/images/%s", imageID), Multipart: mp, Effect: rest.Write}, &env)
	if err != nil {
		return Image{}, resp, err
	}
	return env.Data, resp, nil
}

// DeleteImage deletes one image (or video) of a product. The API answers
// 202 with an envelope or 204 without a body; both are a success.
//
// DELETE /products/images/{image}. The path is used by several
// independent apps; the vendor's reference page for it was not found.
func (c *Client) DeleteImage(ctx context.Context, imageID ImageID) (*Response, error) {
	if err := checkImageID(imageID); err != nil {
		return nil, err
	}
	var env deleteEnvelope
	return c.rc.Do(ctx, &rest.Request{Method: http.MethodDelete, Path: rest.Path("products/images/%s", imageID)}, &env)
}
