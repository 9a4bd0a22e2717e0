package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/check"
	"github.com/shopimg/shopimg/internal/guard"
	"github.com/shopimg/shopimg/internal/rest"
)

// Image is a product image as the v3 catalog API returns it
// (productImage_Full in the official OpenAPI file). The Go field names
// follow the vendor's.
type Image struct {
	// ID is the image's ID, unique in the store.
	ID ImageID `json:"id"`
	// ProductID is the product the image belongs to.
	ProductID ProductID `json:"product_id"`
	// ImageFile is the store-relative path of the original file, such as
	// "a/521/foo__83011.jpg".
	ImageFile string `json:"image_file,omitempty"`
	// ImageURL is the URL the image was created from, when the API reports
	// it.
	ImageURL string `json:"image_url,omitempty"`
	// IsThumbnail marks the product's thumbnail, its main image; a product
	// has at most one.
	IsThumbnail bool `json:"is_thumbnail"`
	// SortOrder orders the images: a higher number is a lower priority. See
	// the package documentation for how the API shifts the others when it
	// is written.
	SortOrder int `json:"sort_order"`
	// Description is the image's description, its alt text.
	Description string `json:"description"`
	// URLZoom is the largest rendition's URL (read-only), at most
	// 1280x1280; the adapter's Image.URL.
	URLZoom string `json:"url_zoom,omitempty"`
	// URLStandard is the product-page rendition's URL (read-only).
	URLStandard string `json:"url_standard,omitempty"`
	// URLThumbnail is the category-page rendition's URL (read-only); the
	// adapter's Image.ThumbnailURL.
	URLThumbnail string `json:"url_thumbnail,omitempty"`
	// URLTiny is the smallest rendition's URL (read-only).
	URLTiny string `json:"url_tiny,omitempty"`
	// DateModified is when the image last changed.
	DateModified time.Time `json:"date_modified,omitzero"`
}

// Pagination is the meta.pagination object of a list answer
// (pagination_Full).
type Pagination struct {
	// Total is the number of images of the product.
	Total int `json:"total"`
	// Count is the number of images on this page.
	Count int `json:"count"`
	// PerPage is the page size (the limit).
	PerPage int `json:"per_page"`
	// CurrentPage is this page's number, from 1.
	CurrentPage int `json:"current_page"`
	// TotalPages is the number of pages.
	TotalPages int `json:"total_pages"`
	// Links are the neighbouring pages' query strings.
	Links PaginationLinks `json:"links"`
}

// PaginationLinks are relative query strings such as "?page=2&limit=50".
type PaginationLinks struct {
	// Previous is the previous page's query; empty on the first page.
	Previous string `json:"previous,omitempty"`
	// Current is this page's query.
	Current string `json:"current,omitempty"`
	// Next is the next page's query; empty on the last page.
	Next string `json:"next,omitempty"`
}

// ImagePage is one page of ListImages.
type ImagePage struct {
	// Images are the page's images, in the order the API sent them (which
	// the docs do not define; the adapter sorts by sort_order, then ID).
	Images []Image
	// Pagination is the answer's meta.pagination; zero for a 204 (no
	// images).
	Pagination Pagination
}

// NextPage returns the number of the page after p and whether there is one.
func (p ImagePage) NextPage() (int, bool) {
	pg := p.Pagination
	if pg.TotalPages == 0 || pg.CurrentPage >= pg.TotalPages {
		return 0, false
	}
	return pg.CurrentPage + 1, true
}

// ListImagesOptions select one page of ListImages. Zero fields are not sent.
// The spec's include_fields and exclude_fields are left out: its enum for
// them lists product fields (name, type, sku), not image fields.
type ListImagesOptions struct {
	// Page is the 1-based page number; zero means the first.
	Page int `url:"page,omitempty"`
	// Limit is the page size, at most MaxPageLimit; zero means the API's
	// default (DefaultPageLimit) for ListImages and MaxPageLimit for
	// ListImagesIter.
	Limit int `url:"limit,omitempty"`
}

func (o *ListImagesOptions) check() error {
	if o == nil {
		return nil
	}
	if o.Page < 0 {
		return &shopimg.InputError{Field: "Page", Reason: fmt.Sprintf("%d is negative", o.Page)}
	}
	if o.Limit < 0 || o.Limit > MaxPageLimit {
		return &shopimg.InputError{Field: "Limit", Reason: fmt.Sprintf("%d is outside [0,%d]", o.Limit, MaxPageLimit)}
	}
	return nil
}

// CreateImageRequest is the JSON body of CreateImage (productImage_Post_Put).
type CreateImageRequest struct {
	// ImageURL is the absolute http(s) URL BigCommerce downloads the image
	// from, at most MaxImageURLLength characters. Required.
	ImageURL string `json:"image_url"`
	// IsThumbnail makes the new image the product's thumbnail.
	IsThumbnail bool `json:"is_thumbnail,omitempty"`
	// SortOrder places the image; nil leaves it to the API. The images with
	// the same or a greater sort_order move down one (see the package
	// documentation).
	SortOrder *int `json:"sort_order,omitempty"`
	// Description is the image's description (alt text).
	Description string `json:"description,omitempty"`
}

// UploadImageRequest describes the multipart upload of UploadImage.
type UploadImageRequest struct {
	// File is the image, streamed as the image_file part. Required. Its
	// size must not exceed the client's limit (DefaultMaxUploadSize).
	File *shopimg.File
	// IsThumbnail makes the new image the product's thumbnail.
	IsThumbnail bool
	// SortOrder places the image; nil leaves it to the API.
	SortOrder *int
	// Description is the image's description (alt text).
	Description string
}

// UpdateImageRequest is the JSON body of UpdateImage (productImage_Post_Put).
// Nil and empty fields are not sent; at least one must be set.
type UpdateImageRequest struct {
	// ImageURL replaces the image from a URL. Users reported that the API
	// answered 200 but kept the old file (bigcommerce/api#102); to replace
	// a file, delete the image and create a new one.
	ImageURL string `json:"image_url,omitempty"`
	// IsThumbnail, when true, makes the image the product's thumbnail
	// (the previous one stops being it).
	IsThumbnail *bool `json:"is_thumbnail,omitempty"`
	// SortOrder moves the image; the images with the same or a greater
	// sort_order move down one.
	SortOrder *int `json:"sort_order,omitempty"`
	// Description sets the description; a pointer to "" clears it.
	Description *string `json:"description,omitempty"`
}

// IsZero reports whether r changes nothing.
func (r UpdateImageRequest) IsZero() bool {
	return r.ImageURL == "" && r.IsThumbnail == nil && r.SortOrder == nil && r.Description == nil
}

// Response is the platform's answer to a typed call: status, headers,
// request ID, quota state and attempts (see shopimg.Response).
type Response = shopimg.Response

// listEnvelope is the v3 answer of a list {"data": [...], "meta": {...}}.
type listEnvelope struct {
	Data []Image `json:"data"`
	Meta struct {
		Pagination Pagination `json:"pagination"`
	} `json:"meta"`
}

// imageEnvelope is the v3 answer {"data": image, "meta": {}} of a get,
// create or update, which must carry an image: an answer without one
// (an empty body, {}, {"data":null}, a 204) is an error, and for a create
// shopimg.ErrOutcomeUnknown, since the image may have been made.
type imageEnvelope struct {
	Data Image `json:"data"`
}

// CheckBody reports an answer that carries no image.
func (e *imageEnvelope) CheckBody(err *APIError) bool {
	if e.Data.ID > 0 {
		return false
	}
	err.Message = "the answer carries no image"
	return true
}

func (c *Client) imagesPath(pid ProductID) string {
	return c.v3 + rest.Path("/catalog/products/%s/images", pid)
}

func (c *Client) imagePath(pid ProductID, iid ImageID) string {
	return c.v3 + rest.Path("/catalog/products/%s/images/%s", pid, iid)
}

func checkProductID(id ProductID) error { return guard.PositiveID("productID", id) }

func checkIDs(pid ProductID, iid ImageID) error {
	if err := checkProductID(pid); err != nil {
		return err
	}
	return guard.PositiveID("imageID", iid)
}

func checkSortOrder(p *int) error {
	if p != nil && (*p < math.MinInt32 || *p > math.MaxInt32) {
		return &shopimg.InputError{Field: "SortOrder", Reason: fmt.Sprintf("%d is outside the 32-bit range", *p)}
	}
	return nil
}

func checkImageURL(u string) error {
	if r := check.SourceURL(u); r != "" {
		return &shopimg.InputError{Field: "ImageURL", Reason: r}
	}
	if len(u) > MaxImageURLLength {
		return &shopimg.InputError{Field: "ImageURL", Reason: fmt.Sprintf("has %d characters, the API takes at most %d", len(u), MaxImageURLLength)}
	}
	return nil
}

// ListImages returns one page of the product's images. A product without
// images gives an empty page (the API answers 204); an unknown product an
// error matching shopimg.ErrNotFound.
//
// GET /stores/{store_hash}/v3/catalog/products/{product_id}/images
// (operation getProductImages). BigCommerce API docs:
// https://developer.bigcommerce.com/docs/rest-catalog/products/images
func (c *Client) ListImages(ctx context.Context, productID ProductID, opts *ListImagesOptions) (ImagePage, *Response, error) {
	if err := checkProductID(productID); err != nil {
		return ImagePage{}, nil, err
	}
	if err := opts.check(); err != nil {
		return ImagePage{}, nil, err
	}
	var q any
	if opts != nil {
		q = opts
	}
	var env listEnvelope
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodGet, Path: c.imagesPath(productID), Query: q}, &env)
	if err != nil {
		return ImagePage{}, resp, err
	}
	return ImagePage{Images: env.Data, Pagination: env.Meta.Pagination}, resp, nil
}

// ListImagesIter returns an iterator over all the product's images, page by
// page (MaxPageLimit a page unless opts.Limit says otherwise, starting at
// opts.Page). Nothing is fetched until it is used; it yields an error once
// and stops. opts is copied.
func (c *Client) ListImagesIter(ctx context.Context, productID ProductID, opts *ListImagesOptions) iter.Seq2[Image, error] {
	o := ListImagesOptions{Limit: MaxPageLimit}
	if opts != nil {
		o = *opts
		if o.Limit == 0 {
			o.Limit = MaxPageLimit
		}
	}
	first := max(o.Page, 1)
	return rest.Pages(ctx, first, func(ctx context.Context, page int) ([]Image, int, bool, error) {
		p, _, err := c.ListImages(ctx, productID, &ListImagesOptions{Page: page, Limit: o.Limit})
		if err != nil {
			return nil, 0, false, err
		}
		next, more := p.NextPage()
		return p.Images, next, more, nil
	})
}

// GetImage returns one image of the product.
//
// GET /stores/{store_hash}/v3/catalog/products/{product_id}/images/{image_id}
// (operation getProductImage). BigCommerce API docs:
// https://developer.bigcommerce.com/docs/rest-catalog/products/images
func (c *Client) GetImage(ctx context.Context, productID ProductID, imageID ImageID) (Image, *Response, error) {
	if err := checkIDs(productID, imageID); err != nil {
		return Image{}, nil, err
	}
	var env imageEnvelope
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodGet, Path: c.imagePath(productID, imageID)}, &env)
	return env.Data, resp, err
}

// CreateImage adds an image that BigCommerce downloads from req.ImageURL,
// and returns it (the API answers 200, not 201). If the connection drops or
// a 5xx answers after the request was sent, the error matches
// shopimg.ErrOutcomeUnknown: list the product before creating it again.
//
// POST /stores/{store_hash}/v3/catalog/products/{product_id}/images, JSON
// (operation createProductImage). BigCommerce API docs:
// https://developer.bigcommerce.com/docs/rest-catalog/products/images
func (c *Client) CreateImage(ctx context.Context, productID ProductID, req CreateImageRequest) (Image, *Response, error) {
	if err := checkProductID(productID); err != nil {
		return Image{}, nil, err
	}
	if err := checkImageURL(req.ImageURL); err != nil {
		return Image{}, nil, err
	}
	if err := checkSortOrder(req.SortOrder); err != nil {
		return Image{}, nil, err
	}
	if r := check.Text(req.Description); r != "" {
		return Image{}, nil, &shopimg.InputError{Field: "Description", Reason: r}
	}
	var env imageEnvelope
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodPost, Path: c.imagesPath(productID), JSON: req, Effect: rest.Create}, &env)
	return created(env.Data, err), resp, err
}

// created is the image a create returns: none when it failed.
func created(img Image, err error) Image {
	if err != nil {
		return Image{}
	}
	return img
}

// errTooLarge ends an upload whose file turned out larger than the limit.
var errTooLarge = errors.New("bigcommerce: file exceeds the upload limit")

// UploadImage adds an image from a file, streamed as the multipart part
// image_file (never held in memory; reopened for a retry), and returns it.
//
// The file may be at most the client's upload limit (DefaultMaxUploadSize,
// "up to 8 MB" in the docs). With a known File.Size, a larger file is
// refused before anything is sent. With an unknown size (-1), the upload is
// cut off as soon as the limit is passed, so the server never receives a
// complete request and cannot have created the image; the error then
// matches shopimg.ErrInvalidInput, not ErrOutcomeUnknown.
//
// POST /stores/{store_hash}/v3/catalog/products/{product_id}/images,
// multipart/form-data (operation createProductImage). BigCommerce API docs:
// https://developer.bigcommerce.com/docs/rest-catalog/products/images
func (c *Client) UploadImage(ctx context.Context, productID ProductID, req UploadImageRequest) (Image, *Response, error) {
	if err := checkProductID(productID); err != nil {
		return Image{}, nil, err
	}
	f, tooLarge, err := c.limitFile(req.File)
	if err != nil {
		return Image{}, nil, err
	}
	if err := checkSortOrder(req.SortOrder); err != nil {
		return Image{}, nil, err
	}
	if r := check.Text(req.Description); r != "" {
		return Image{}, nil, &shopimg.InputError{Field: "Description", Reason: r}
	}
	mp := &rest.Multipart{FileField: "image_file", File: f}
	if req.Description != "" {
		mp.Fields = append(mp.Fields, rest.Field{Name: "description", Value: req.Description})
	}
	if req.IsThumbnail {
		mp.Fields = append(mp.Fields, rest.Field{Name: "is_thumbnail", Value: "true"})
	}
	if req.SortOrder != nil {
		mp.Fields = append(mp.Fields, rest.Field{Name: "sort_order", Value: strconv.Itoa(*req.SortOrder)})
	}
	var env imageEnvelope
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodPost, Path: c.imagesPath(productID), Multipart: mp, Effect: rest.Create}, &env)
	if err != nil && tooLarge.Load() {
		return Image{}, resp, c.tooLargeError(f.Name)
	}
	return created(env.Data, err), resp, err
}

func (c *Client) tooLargeError(name string) error {
	return &shopimg.InputError{Field: "File", Reason: fmt.Sprintf("%s is larger than %d bytes, the upload limit", name, c.maxUploadSize)}
}

// limitFile checks f and returns the File to send: f itself when its size
// is known, or a copy whose reader fails past the limit (setting the flag)
// when it is not.
func (c *Client) limitFile(f *shopimg.File) (*shopimg.File, *atomic.Bool, error) {
	tooLarge := new(atomic.Bool)
	switch {
	case f == nil:
		return nil, nil, &shopimg.InputError{Field: "File", Reason: "is nil"}
	case f.Name == "":
		return nil, nil, &shopimg.InputError{Field: "File.Name", Reason: "is empty"}
	case f.Open == nil:
		return nil, nil, &shopimg.InputError{Field: "File.Open", Reason: "is nil"}
	case f.Size > c.maxUploadSize:
		return nil, nil, c.tooLargeError(f.Name)
	case f.Size >= 0:
		return f, tooLarge, nil
	}
	limited := *f
	limit := c.maxUploadSize
	limited.Open = func() (io.ReadCloser, error) {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		return &limitReader{rc: rc, left: limit, flag: tooLarge}, nil
	}
	return &limited, tooLarge, nil
}

// limitReader fails with errTooLarge once more than its limit is read.
type limitReader struct {
	rc   io.ReadCloser
	left int64
	flag *atomic.Bool
}

// Read reads from the file, failing once more than the limit was read.
func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		l.flag.Store(true)
		return 0, errTooLarge
	}
	return n, err
}

// Close closes the file.
func (l *limitReader) Close() error { return l.rc.Close() }

// UpdateImage changes the fields set in req and returns the image as stored.
// An empty req is invalid input and sends nothing.
//
// PUT /stores/{store_hash}/v3/catalog/products/{product_id}/images/{image_id}
// (operation updateProductImage). BigCommerce API docs:
// https://developer.bigcommerce.com/docs/rest-catalog/products/images
func (c *Client) UpdateImage(ctx context.Context, productID ProductID, imageID ImageID, req UpdateImageRequest) (Image, *Response, error) {
	if err := checkIDs(productID, imageID); err != nil {
		return Image{}, nil, err
	}
	if req.IsZero() {
		return Image{}, nil, &shopimg.InputError{Field: "UpdateImageRequest", Reason: "no field is set"}
	}
	if req.ImageURL != "" {
		if err := checkImageURL(req.ImageURL); err != nil {
			return Image{}, nil, err
		}
	}
	if err := checkSortOrder(req.SortOrder); err != nil {
		return Image{}, nil, err
	}
	if req.Description != nil {
		if r := check.Text(*req.Description); r != "" {
			return Image{}, nil, &shopimg.InputError{Field: "Description", Reason: r}
		}
	}
	var env imageEnvelope
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodPut, Path: c.imagePath(productID, imageID), JSON: req}, &env)
	return env.Data, resp, err
}

// DeleteImage deletes one image of the product (the API answers 204).
//
// DELETE /stores/{store_hash}/v3/catalog/products/{product_id}/images/{image_id}
// (operation deleteProductImage). BigCommerce API docs:
// https://developer.bigcommerce.com/docs/rest-catalog/products/images
func (c *Client) DeleteImage(ctx context.Context, productID ProductID, imageID ImageID) (*Response, error) {
	if err := checkIDs(productID, imageID); err != nil {
		return nil, err
	}
	return c.rc.Do(ctx, &rest.Request{Method: http.MethodDelete, Path: c.imagePath(productID, imageID)}, nil)
}
