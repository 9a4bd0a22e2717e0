package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// V2Service is the legacy (deprecated) v2 product images API of the same
// store, at /stores/{store_hash}/v2 with the same X-Auth-Token. It shares
// the Client's HTTP core and rate limiter, since v2 and v3 calls draw on
// the same store quota. The adapter does not use it; it is here for stores
// and tools that still depend on v2 field names and behaviour.
//
// The legacy form https://{store_url}/api/v2 with HTTP Basic auth is not
// supported. Get a V2Service with Client.V2.
type V2Service struct{ c *Client }

// V2 returns the client's legacy v2 API.
func (c *Client) V2() *V2Service { return &V2Service{c: c} }

// V2Time is a v2 date: RFC 1123 with a numeric zone, such as
// "Mon, 26 Oct 2009 05:08:32 +0000" (time.RFC1123Z). It decodes that form,
// RFC 1123 with a zone name ("GMT"), and "" or null as the zero time; it
// encodes the zero time as "" and any other as RFC 1123 with a numeric zone.
type V2Time struct{ time.Time }

// ParseV2Time parses a v2 date string (see V2Time). Leading and trailing
// spaces are ignored; "" gives the zero time.
func ParseV2Time(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC1123Z, s)
	if err == nil {
		return t, nil
	}
	if t, err2 := time.Parse(time.RFC1123, s); err2 == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("bigcommerce: v2 date %q is not RFC 1123: %w", s, err)
}

// String formats t as RFC 1123 with a numeric zone, or "" for the zero time.
func (t V2Time) String() string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC1123Z)
}

// MarshalJSON implements json.Marshaler.
func (t V2Time) MarshalJSON() ([]byte, error) {
	if !t.IsZero() && (t.Year() < 0 || t.Year() > 9999) {
		return nil, fmt.Errorf("bigcommerce: v2 date year %d is out of range", t.Year())
	}
	return json.Marshal(t.String())
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *V2Time) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("bigcommerce: v2 date: %w", err)
	}
	v, err := ParseV2Time(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// V2Image is a product image as the v2 API returns it, with v2 field names
// (the archived v2 reference). Only ImageFile, IsThumbnail, SortOrder and
// Description are writable.
type V2Image struct {
	// ID is the image's ID (read-only).
	ID ImageID `json:"id"`
	// ProductID is the product the image belongs to (read-only).
	ProductID ProductID `json:"product_id"`
	// ImageFile is the store-relative path of the file, such as
	// "sample_images/picture_1__48492.png".
	ImageFile string `json:"image_file"`
	// ZoomURL is the largest rendition's URL (read-only; v3 url_zoom).
	ZoomURL string `json:"zoom_url,omitempty"`
	// ThumbnailURL is the thumbnail rendition's URL (read-only; v3
	// url_thumbnail).
	ThumbnailURL string `json:"thumbnail_url,omitempty"`
	// StandardURL is the standard rendition's URL (read-only; v3
	// url_standard).
	StandardURL string `json:"standard_url,omitempty"`
	// TinyURL is the smallest rendition's URL (read-only; v3 url_tiny).
	TinyURL string `json:"tiny_url,omitempty"`
	// IsThumbnail marks the product's thumbnail; a product has at most one.
	IsThumbnail bool `json:"is_thumbnail"`
	// SortOrder orders the images: a higher number is a lower priority;
	// writing it shifts the others as in v3 (see the package documentation).
	SortOrder int `json:"sort_order"`
	// Description is the image's description.
	Description string `json:"description"`
	// DateCreated is when the image was added (read-only), in RFC 1123
	// with a numeric zone on the wire.
	DateCreated V2Time `json:"date_created"`
	// DateModified is when the image last changed (read-only).
	DateModified V2Time `json:"date_modified,omitzero"`
	// IsSample marks an image of the store's sample data (read-only).
	IsSample bool `json:"is_sample,omitempty"`
}

// V2ListImagesOptions select one page of a v2 list (and of
// V2Service.DeleteAllImages). Zero fields are not sent.
type V2ListImagesOptions struct {
	// Page is the 1-based page number; zero means the first.
	Page int `url:"page,omitempty"`
	// Limit is the page size, at most MaxPageLimit; zero means the API's
	// default (DefaultPageLimit).
	Limit int `url:"limit,omitempty"`
}

func (o *V2ListImagesOptions) check() error {
	if o == nil {
		return nil
	}
	return (&ListImagesOptions{Page: o.Page, Limit: o.Limit}).check()
}

func (o *V2ListImagesOptions) query() any {
	if o == nil {
		return nil
	}
	return o
}

// V2CreateImageRequest is the body of V2Service.CreateImage.
type V2CreateImageRequest struct {
	// ImageFile is the image: a URL the store downloads, or a path
	// relative to the store's WebDAV import directory. Required. (v2 has no
	// image_url field and refuses it.)
	ImageFile string `json:"image_file"`
	// IsThumbnail makes the image the product's thumbnail.
	IsThumbnail bool `json:"is_thumbnail,omitempty"`
	// SortOrder places the image; nil leaves it to the API.
	SortOrder *int `json:"sort_order,omitempty"`
	// Description is the image's description.
	Description string `json:"description,omitempty"`
	// ProductID, when set, is sent as product_id. An older description of
	// v2 lists it as a mandatory field of the POST, while the v2 reference
	// lists it as read-only and says sending a read-only field fails; the
	// product is in the path either way, so it is not sent by default.
	ProductID ProductID `json:"product_id,omitempty"`
}

// V2UpdateImageRequest is the body of V2Service.UpdateImage. Nil and empty
// fields are not sent; at least one must be set.
type V2UpdateImageRequest struct {
	// ImageFile replaces the file from a URL or an import-directory path.
	ImageFile string `json:"image_file,omitempty"`
	// IsThumbnail, when true, makes the image the product's thumbnail.
	IsThumbnail *bool `json:"is_thumbnail,omitempty"`
	// SortOrder moves the image; the images with the same or a greater
	// sort_order move down one.
	SortOrder *int `json:"sort_order,omitempty"`
	// Description sets the description; a pointer to "" clears it.
	Description *string `json:"description,omitempty"`
}

func (s *V2Service) path(format string, args ...any) string {
	return s.c.v2 + rest.Path(format, args...) + s.c.v2Suffix
}

// ListImages returns one page of the product's images, sorted by ID. A
// product without images gives an empty slice (the API may answer 204).
//
// GET /stores/{store_hash}/v2/products/{product_id}/images. BigCommerce API
// docs (archived):
// https://developer.bigcommerce.com/docs/store-operations/v2-catalog-products/v2-product-images
func (s *V2Service) ListImages(ctx context.Context, productID ProductID, opts *V2ListImagesOptions) ([]V2Image, *Response, error) {
	if err := checkProductID(productID); err != nil {
		return nil, nil, err
	}
	if err := opts.check(); err != nil {
		return nil, nil, err
	}
	var out []V2Image
	resp, err := s.c.rc.Do(ctx, &rest.Request{Method: http.MethodGet, Path: s.path("/products/%s/images", productID), Query: opts.query()}, &out)
	return out, resp, err
}

// ListImagesIter returns an iterator over all the product's images, page by
// page (MaxPageLimit a page unless opts.Limit says otherwise). v2 answers
// carry no paging metadata, so a page shorter than the limit is the last.
// Nothing is fetched until it is used; it yields an error once and stops.
func (s *V2Service) ListImagesIter(ctx context.Context, productID ProductID, opts *V2ListImagesOptions) iter.Seq2[V2Image, error] {
	o := V2ListImagesOptions{Limit: MaxPageLimit}
	if opts != nil {
		o = *opts
		if o.Limit == 0 {
			o.Limit = MaxPageLimit
		}
	}
	return rest.Pages(ctx, max(o.Page, 1), func(ctx context.Context, page int) ([]V2Image, int, bool, error) {
		imgs, _, err := s.ListImages(ctx, productID, &V2ListImagesOptions{Page: page, Limit: o.Limit})
		return imgs, page + 1, err == nil && len(imgs) >= o.Limit, err
	})
}

// GetImage returns one image of the product.
//
// GET /stores/{store_hash}/v2/products/{product_id}/images/{id}.
// BigCommerce API docs (archived):
// https://developer.bigcommerce.com/docs/store-operations/v2-catalog-products/v2-product-images
func (s *V2Service) GetImage(ctx context.Context, productID ProductID, imageID ImageID) (V2Image, *Response, error) {
	if err := checkIDs(productID, imageID); err != nil {
		return V2Image{}, nil, err
	}
	var out v2ImageAnswer
	resp, err := s.c.rc.Do(ctx, &rest.Request{Method: http.MethodGet, Path: s.path("/products/%s/images/%s", productID, imageID)}, &out)
	return V2Image(out), resp, err
}

// v2ImageAnswer is a v2 answer that must carry an image (a get, create or
// update): one without is an error, and for a create
// shopimg.ErrOutcomeUnknown.
type v2ImageAnswer V2Image

// CheckBody reports an answer that carries no image.
func (a *v2ImageAnswer) CheckBody(e *APIError) bool {
	if a.ID > 0 {
		return false
	}
	e.Message = "the answer carries no image"
	return true
}

// CreateImage adds an image from a URL or an import-directory path (the API
// answers 201). If the connection drops or a 5xx answers after the request
// was sent, the error matches shopimg.ErrOutcomeUnknown.
//
// POST /stores/{store_hash}/v2/products/{product_id}/images.
// BigCommerce API docs (archived):
// https://developer.bigcommerce.com/docs/store-operations/v2-catalog-products/v2-product-images
func (s *V2Service) CreateImage(ctx context.Context, productID ProductID, req V2CreateImageRequest) (V2Image, *Response, error) {
	if err := checkProductID(productID); err != nil {
		return V2Image{}, nil, err
	}
	if strings.TrimSpace(req.ImageFile) == "" {
		return V2Image{}, nil, &shopimg.InputError{Field: "ImageFile", Reason: "is empty"}
	}
	if err := checkSortOrder(req.SortOrder); err != nil {
		return V2Image{}, nil, err
	}
	var out v2ImageAnswer
	resp, err := s.c.rc.Do(ctx, &rest.Request{Method: http.MethodPost, Path: s.path("/products/%s/images", productID), JSON: req, Effect: rest.Create}, &out)
	if err != nil {
		return V2Image{}, resp, err
	}
	return V2Image(out), resp, nil
}

// UpdateImage changes the fields set in req and returns the image. An empty
// req is invalid input and sends nothing.
//
// PUT /stores/{store_hash}/v2/products/{product_id}/images/{id}.
// BigCommerce API docs (archived):
// https://developer.bigcommerce.com/docs/store-operations/v2-catalog-products/v2-product-images
func (s *V2Service) UpdateImage(ctx context.Context, productID ProductID, imageID ImageID, req V2UpdateImageRequest) (V2Image, *Response, error) {
	if err := checkIDs(productID, imageID); err != nil {
		return V2Image{}, nil, err
	}
	if req.ImageFile == "" && req.IsThumbnail == nil && req.SortOrder == nil && req.Description == nil {
		return V2Image{}, nil, &shopimg.InputError{Field: "V2UpdateImageRequest", Reason: "no field is set"}
	}
	if err := checkSortOrder(req.SortOrder); err != nil {
		return V2Image{}, nil, err
	}
	var out v2ImageAnswer
	resp, err := s.c.rc.Do(ctx, &rest.Request{Method: http.MethodPut, Path: s.path("/products/%s/images/%s", productID, imageID), JSON: req}, &out)
	return V2Image(out), resp, err
}

// DeleteImage deletes one image (the API answers 204).
//
// DELETE /stores/{store_hash}/v2/products/{product_id}/images/{id}.
// BigCommerce API docs (archived):
// https://developer.bigcommerce.com/docs/store-operations/v2-catalog-products/v2-product-images
func (s *V2Service) DeleteImage(ctx context.Context, productID ProductID, imageID ImageID) (*Response, error) {
	if err := checkIDs(productID, imageID); err != nil {
		return nil, err
	}
	return s.c.rc.Do(ctx, &rest.Request{Method: http.MethodDelete, Path: s.path("/products/%s/images/%s", productID, imageID)}, nil)
}

// DeleteAllImages deletes the product's images. The v2 reference says this
// call is paged by page and limit like a list, so one call may delete only
// one page (the first DefaultPageLimit images when opts is nil): repeat it
// until ListImages is empty to be sure.
//
// DELETE /stores/{store_hash}/v2/products/{product_id}/images.
// BigCommerce API docs (archived):
// https://developer.bigcommerce.com/docs/store-operations/v2-catalog-products/v2-product-images
func (s *V2Service) DeleteAllImages(ctx context.Context, productID ProductID, opts *V2ListImagesOptions) (*Response, error) {
	if err := checkProductID(productID); err != nil {
		return nil, err
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	return s.c.rc.Do(ctx, &rest.Request{Method: http.MethodDelete, Path: s.path("/products/%s/images", productID), Query: opts.query()}, nil)
}

// CountImages returns the number of product images in the whole store.
//
// An older description of v2 has a per-product GET
// /products/{id}/images/count.json; the v2 reference has only this
// store-wide endpoint, and even that description of the per-product path
// says "a total number of images in the store". The
// store-wide path is the one used.
//
// GET /stores/{store_hash}/v2/products/images/count.
// BigCommerce API docs (archived):
// https://developer.bigcommerce.com/docs/store-operations/v2-catalog-products/v2-product-images
func (s *V2Service) CountImages(ctx context.Context) (int, *Response, error) {
	var out struct {
		Count int `json:"count"`
	}
	resp, err := s.c.rc.Do(ctx, &rest.Request{Method: http.MethodGet, Path: s.path("/products/images/count")}, &out)
	return out.Count, resp, err
}
