package shoptet

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/check"
	"github.com/shopimg/shopimg/internal/rest"
)

// Image is one image of a product's gallery, as the API lists it
// (https://api.docs.shoptet.com/shoptet-api/openapi/product-images/getlistofproductimages).
// The Go field names are the vendor's.
type Image struct {
	// Name is the file name, which identifies the image within its product,
	// e.g. "100.jpg". Append it to an image cut's urlPath (from
	// /api/eshop?include=imageCuts) for the image's URL.
	Name ImageName `json:"name"`
	// Priority orders the gallery, lowest first. It need not start at 1,
	// may have gaps, and may be null (nil).
	Priority *int `json:"priority"`
	// Description is the image's label ("" when null).
	Description string `json:"description"`
	// ChangeTime is when the image last changed (zero when null).
	ChangeTime Time `json:"changeTime"`
	// SeoName is the file name with a short label, e.g.
	// "100_purple-apple.jpg"; it works in place of Name after urlPath.
	SeoName string `json:"seoName"`
	// CdnName is SeoName with the signed query of the "big" cut, to append
	// to that cut's cdnPath.
	CdnName string `json:"cdnName"`
	// SignedCdnNames holds a signed file name per cut (nil when the cut
	// configuration is unavailable).
	SignedCdnNames []SignedCdnName `json:"signedCdnNames"`
	// IsMainImage reports the product's main image (read-only: the image
	// with the lowest priority).
	IsMainImage bool `json:"isMainImage"`
	// Gallery is the gallery the image belongs to.
	Gallery Gallery `json:"gallery"`
}

// SignedCdnName is the signed file name of one image cut.
type SignedCdnName struct {
	// Type is the cut: "big", "detail", "thumbnail", ...
	Type string `json:"type"`
	// Name is the signed file name to append to the cut's cdnPath.
	Name string `json:"name"`
}

// CdnNameFor returns the signed file name of cut, from SignedCdnNames (or
// CdnName for "big"), or "" when the answer had none.
func (img Image) CdnNameFor(cut string) string {
	for _, s := range img.SignedCdnNames {
		if s.Type == cut {
			return s.Name
		}
	}
	if cut == "big" {
		return img.CdnName
	}
	return ""
}

// NewImage is one image of an AddImages call.
type NewImage struct {
	// SourceURL is the absolute http(s) URL Shoptet downloads the image
	// from, at most 2000 characters. Required.
	SourceURL string `json:"sourceUrl"`
	// Priority places the image (1..65535); 0 sends none.
	Priority int `json:"priority,omitempty"`
	// Description is the image's label; "" sends none.
	Description string `json:"description,omitempty"`
}

// ImageUpdate is one row of an UpdateImages call.
type ImageUpdate struct {
	// Name is the image to update. Required.
	Name ImageName `json:"name"`
	// Priority is the new priority (1..65535); 0 leaves it.
	Priority int `json:"priority,omitempty"`
	// Description is the new label; nil leaves it, "" clears it.
	Description *string `json:"description,omitempty"`
}

// SourceReplacement is one row of a ReplaceImageSources call.
type SourceReplacement struct {
	// Name is the image whose file is replaced. Required.
	Name ImageName `json:"name"`
	// SourceURL is the absolute http(s) URL of the new file, at most 2000
	// characters. Required.
	SourceURL string `json:"sourceUrl"`
	// Priority is the new priority (1..99999); 0 leaves it.
	Priority int `json:"priority,omitempty"`
	// Description is the new label; nil leaves it.
	Description *string `json:"description,omitempty"`
}

// DeleteOptions are the options of DeleteImage and DeleteGallery.
type DeleteOptions struct {
	// RemoveReference deletes an image that a variant uses as its image
	// too, removing that reference; without it such an image is kept (a
	// 409 for DeleteImage, an error item for DeleteGallery).
	RemoveReference bool
}

// maxSourceURL is the longest sourceUrl the API takes.
const maxSourceURL = 2000

func imagesPath(guid ProductGUID, g Gallery) string {
	return rest.Path("api/products/%s/images/%s", guid, g)
}

// checkProduct checks the product and gallery of a call and returns the
// gallery to use.
func checkProduct(guid ProductGUID, g Gallery) (Gallery, error) {
	if err := checkGUID(string(guid)); err != nil {
		return "", err
	}
	return g.or()
}

// imagesData is the data of a list or update answer.
type imagesData struct {
	Images []Image `json:"images"`
}

// listBody is a list answer. An answer without data.images is an error.
type listBody envelope[imagesData]

// CheckBody implements rest.BodyChecker. A list answered with data ignores
// errors beside it (the docs: a 200 GET need not be checked for them).
func (b *listBody) CheckBody(e *APIError) bool {
	if b.Data != nil && b.Data.Images != nil {
		return false
	}
	(*envelope[imagesData])(b).fill(e)
	if len(b.Errors) == 0 {
		e.Message = "the answer has no data.images"
	}
	return true
}

// ListImages returns the images of one gallery of a product (GalleryShop
// when g is empty), in the order the API sends them, which its docs say is
// the order of the administration. The list is not paged.
//
// GET /api/products/{guid}/images/{gallery}
// https://api.docs.shoptet.com/shoptet-api/openapi/product-images/getlistofproductimages
func (c *Client) ListImages(ctx context.Context, guid ProductGUID, g Gallery) ([]Image, *Response, error) {
	g, err := checkProduct(guid, g)
	if err != nil {
		return nil, nil, err
	}
	var body listBody
	resp, err := c.do(ctx, &rest.Request{Method: http.MethodGet, Path: imagesPath(guid, g)}, &body)
	if err != nil {
		return nil, resp, err
	}
	return body.Data.Images, resp, nil
}

// jobData is the data of an asynchronous call's answer.
type jobData struct {
	JobID JobID `json:"jobId"`
}

// jobBody is the 202 answer of an asynchronous call; one without a jobId
// leaves the call's outcome unknown.
type jobBody envelope[jobData]

// CheckBody implements rest.BodyChecker.
func (b *jobBody) CheckBody(e *APIError) bool {
	if b.Data != nil && b.Data.JobID != "" {
		return false
	}
	(*envelope[jobData])(b).fill(e)
	if len(b.Errors) == 0 {
		e.Message = "the answer carries no jobId"
	}
	return true
}

// AddImages queues the download of images from their source URLs into one
// gallery of a product (GalleryShop when g is empty), one call per 100
// images, and returns the jobs, one per call, in order. The images appear
// once a job completes: wait for it with WaitJob. The e-shop must have the
// job:finished webhook registered, or every call fails with a 403
// (IsWebhookNotRegistered). If a call's answer is lost (a dropped
// connection, a 5xx) or carries no jobId, the error matches
// shopimg.ErrOutcomeUnknown: list the gallery before adding again. On an
// error the jobs of the calls before it are returned with it.
//
// POST /api/products/{guid}/images/{gallery}
// https://api.docs.shoptet.com/shoptet-api/openapi/product-images/createproductimages
func (c *Client) AddImages(ctx context.Context, guid ProductGUID, g Gallery, images []NewImage) ([]JobID, *Response, error) {
	g, err := checkProduct(guid, g)
	if err != nil {
		return nil, nil, err
	}
	if len(images) == 0 {
		return nil, nil, &shopimg.InputError{Field: "images", Reason: "is empty"}
	}
	for i, img := range images {
		if err := checkNewImage(i, img); err != nil {
			return nil, nil, err
		}
	}
	return queue(ctx, c, http.MethodPost, imagesPath(guid, g), rest.Create, images)
}

// queue sends rows to an asynchronous endpoint, 100 a call, and returns
// the jobs, one per call, those before an error with it.
func queue[T any](ctx context.Context, c *Client, method, path string, effect rest.Effect, rows []T) ([]JobID, *Response, error) {
	var jobs []JobID
	var resp *Response
	var err error
	for chunk := range chunks(rows) {
		var body jobBody
		req := &rest.Request{Method: method, Path: path, JSON: imagesRequest[T]{Data: imagesList[T]{Images: chunk}}, Effect: effect}
		if resp, err = c.do(ctx, req, &body); err != nil {
			return jobs, resp, err
		}
		jobs = append(jobs, body.Data.JobID)
	}
	return jobs, resp, nil
}

// imagesRequest is the body of the image writes: {"data":{"images":[...]}}.
type imagesRequest[T any] struct {
	Data imagesList[T] `json:"data"`
}

type imagesList[T any] struct {
	Images []T `json:"images"`
}

// chunks yields images in slices of at most MaxImagesPerCall.
func chunks[T any](images []T) func(yield func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(images) > 0 {
			n := min(len(images), MaxImagesPerCall)
			if !yield(images[:n]) {
				return
			}
			images = images[n:]
		}
	}
}

func checkSourceURL(field, u string) error {
	if r := check.SourceURL(u); r != "" {
		return &shopimg.InputError{Field: field, Reason: r}
	}
	if n := utf8.RuneCountInString(u); n > maxSourceURL {
		return &shopimg.InputError{Field: field, Reason: fmt.Sprintf("is %d characters long, more than the %d Shoptet takes", n, maxSourceURL)}
	}
	return nil
}

func checkPriority(field string, p, most int) error {
	if p < 0 || p > most {
		return &shopimg.InputError{Field: field, Reason: fmt.Sprintf("%d is outside 1..%d (0 sends none)", p, most)}
	}
	return nil
}

func checkText(field, s string) error {
	if r := check.Text(s); r != "" {
		return &shopimg.InputError{Field: field, Reason: r}
	}
	return nil
}

func checkNewImage(i int, img NewImage) error {
	field := fmt.Sprintf("images[%d].", i)
	if err := checkSourceURL(field+"SourceURL", img.SourceURL); err != nil {
		return err
	}
	if err := checkPriority(field+"Priority", img.Priority, MaxPriority); err != nil {
		return err
	}
	return checkText(field+"Description", img.Description)
}

// RowStatus is what became of one row of an UpdateImages call.
type RowStatus int

const (
	// RowUpdated: the answer lists the image with the row's values.
	RowUpdated RowStatus = iota + 1
	// RowFailed: an error item of the answer names the image (its
	// instance): the row was skipped.
	RowFailed
	// RowUnreported: neither: the answer did not say (a lost answer, or
	// errors that name no image). List the gallery to know.
	RowUnreported
)

// String names the status.
func (s RowStatus) String() string {
	switch s {
	case RowUpdated:
		return "updated"
	case RowFailed:
		return "failed"
	case RowUnreported:
		return "unreported"
	}
	return fmt.Sprintf("RowStatus(%d)", int(s))
}

// RowOutcome is what became of one row of an UpdateImages call.
type RowOutcome struct {
	// Name is the row's image.
	Name ImageName
	// Status says whether it was updated.
	Status RowStatus
	// Image is the image as the answer lists it (for RowUpdated).
	Image *Image
	// Error is the error item naming it (for RowFailed).
	Error *Error
}

// UpdateResult is the outcome of an UpdateImages call: every row's, and the
// answers' images and errors.
type UpdateResult struct {
	// Rows has one outcome per row sent, in the order sent.
	Rows []RowOutcome
	// Images are the images the answers listed (the updated ones, or the
	// whole gallery: the docs do not say which), each once, the latest
	// answer's version.
	Images []Image
	// Errors are every answer's error items (the skipped rows, and any
	// error about the call as a whole).
	Errors []Error
}

// Failed returns the rows that were not updated (failed or unreported).
func (r *UpdateResult) Failed() []RowOutcome {
	var out []RowOutcome
	for _, row := range r.Rows {
		if row.Status != RowUpdated {
			out = append(out, row)
		}
	}
	return out
}

// updateBody is an update answer: a 200 carries the images and, beside
// them, the skipped rows' errors. It is an error only without data and
// errors both.
type updateBody envelope[imagesData]

// CheckBody implements rest.BodyChecker.
func (b *updateBody) CheckBody(e *APIError) bool {
	if b.Data != nil || len(b.Errors) > 0 {
		return false
	}
	e.Message = "the answer has neither data nor errors"
	return true
}

// UpdateImages changes the priority and description of images of one
// gallery of a product (GalleryShop when g is empty), one PATCH per 100
// rows, and reports every row's outcome: Shoptet answers 200 when some rows
// are skipped and lists them among the answer's errors. A row is RowUpdated
// when the answer lists its image with the row's values, RowFailed when an
// error item's instance names it, RowUnreported otherwise. The error is
// non-nil only when a call failed as a whole (then the rows of that call
// and of the calls after it are RowUnreported, and the result is still
// returned).
//
// PATCH /api/products/{guid}/images/{gallery}
// https://api.docs.shoptet.com/shoptet-api/openapi/product-images/getproductimagesupdate
func (c *Client) UpdateImages(ctx context.Context, guid ProductGUID, g Gallery, rows []ImageUpdate) (*UpdateResult, *Response, error) {
	return c.updateImages(ctx, guid, g, rows, false)
}

// updateImages is UpdateImages; with strict, an answer that reports a
// skipped row is an error: an *APIError from its errors (built, classified
// and stripped of credentials by the core), whose Details name the skipped
// rows; the other rows of the call were applied.
func (c *Client) updateImages(ctx context.Context, guid ProductGUID, g Gallery, rows []ImageUpdate, strict bool) (*UpdateResult, *Response, error) {
	g, err := checkProduct(guid, g)
	if err != nil {
		return nil, nil, err
	}
	if err := checkUpdates(rows); err != nil {
		return nil, nil, err
	}
	res := &UpdateResult{Rows: make([]RowOutcome, len(rows))}
	for i, r := range rows {
		res.Rows[i] = RowOutcome{Name: r.Name, Status: RowUnreported}
	}
	seen := map[ImageName]int{}
	var resp *Response
	done := 0
	for chunk := range chunks(rows) {
		var body updateBody
		var out any = &body
		if strict {
			out = (*strictUpdateBody)(&body)
		}
		req := &rest.Request{Method: http.MethodPatch, Path: imagesPath(guid, g), JSON: imagesRequest[ImageUpdate]{Data: imagesList[ImageUpdate]{Images: chunk}}}
		resp, err = c.do(ctx, req, out)
		if err != nil {
			return res, resp, err
		}
		var imgs []Image
		if body.Data != nil {
			imgs = body.Data.Images
		}
		for _, img := range imgs {
			if i, ok := seen[img.Name]; ok {
				res.Images[i] = img
				continue
			}
			seen[img.Name] = len(res.Images)
			res.Images = append(res.Images, img)
		}
		res.Errors = append(res.Errors, body.Errors...)
		judgeRows(res.Rows[done:done+len(chunk)], chunk, imgs, body.Errors)
		done += len(chunk)
	}
	return res, resp, nil
}

// strictUpdateBody is an update answer in which any error item fails the
// call: a skipped row whose code says "not-found" matches
// shopimg.ErrNotFound, any other shopimg.ErrConflict.
type strictUpdateBody updateBody

// CheckBody implements rest.BodyChecker.
func (b *strictUpdateBody) CheckBody(e *APIError) bool {
	if len(b.Errors) == 0 {
		return (*updateBody)(b).CheckBody(e)
	}
	(*envelope[imagesData])(b).fill(e)
	e.Kind = shopimg.ErrNotFound
	for _, er := range b.Errors {
		if !strings.Contains(er.ErrorCode, "not-found") {
			e.Kind = shopimg.ErrConflict
		}
	}
	return true
}

// judgeRows sets the outcome of the rows of one call from its answer.
func judgeRows(out []RowOutcome, rows []ImageUpdate, imgs []Image, errs []Error) {
	byName := make(map[ImageName]*Image, len(imgs))
	for i := range imgs {
		byName[imgs[i].Name] = &imgs[i]
	}
	errOf := map[ImageName]*Error{}
	for i := range errs {
		if _, ok := errOf[ImageName(errs[i].Instance)]; !ok {
			errOf[ImageName(errs[i].Instance)] = &errs[i]
		}
	}
	for i, r := range rows {
		switch img := byName[r.Name]; {
		case errOf[r.Name] != nil:
			e := *errOf[r.Name]
			out[i].Status, out[i].Error = RowFailed, &e
		case img != nil && r.appliedTo(*img):
			cp := *img
			out[i].Status, out[i].Image = RowUpdated, &cp
		}
	}
}

// appliedTo reports whether img carries the row's values.
func (r ImageUpdate) appliedTo(img Image) bool {
	if r.Priority != 0 && (img.Priority == nil || *img.Priority != r.Priority) {
		return false
	}
	return r.Description == nil || *r.Description == img.Description
}

func checkUpdates(rows []ImageUpdate) error {
	if len(rows) == 0 {
		return &shopimg.InputError{Field: "rows", Reason: "is empty"}
	}
	seen := make(map[ImageName]bool, len(rows))
	for i, r := range rows {
		field := fmt.Sprintf("rows[%d].", i)
		if err := checkName(field+"Name", string(r.Name)); err != nil {
			return err
		}
		if seen[r.Name] {
			return &shopimg.InputError{Field: field + "Name", Reason: fmt.Sprintf("%q is in two rows", string(r.Name))}
		}
		seen[r.Name] = true
		if err := checkPriority(field+"Priority", r.Priority, MaxPriority); err != nil {
			return err
		}
		if r.Description != nil {
			if err := checkText(field+"Description", *r.Description); err != nil {
				return err
			}
		}
		if r.Priority == 0 && r.Description == nil {
			return &shopimg.InputError{Field: field[:len(field)-1], Reason: "changes nothing (no Priority, no Description)"}
		}
	}
	return nil
}

// maxSourcePriority is the highest priority a source replacement takes.
const maxSourcePriority = 99999

// ReplaceImageSources queues the replacement of images' files (and,
// optionally, priority and description) from new source URLs, one call per
// 100 rows, and returns the jobs, one per call; wait for them with WaitJob.
// Like AddImages it needs the job:finished webhook registered. On an error
// the jobs of the calls before it are returned with it.
//
// PATCH /api/products/{guid}/images/{gallery}/source
// https://api.docs.shoptet.com/shoptet-api/openapi/product-images/updateproductimagessource
func (c *Client) ReplaceImageSources(ctx context.Context, guid ProductGUID, g Gallery, rows []SourceReplacement) ([]JobID, *Response, error) {
	g, err := checkProduct(guid, g)
	if err != nil {
		return nil, nil, err
	}
	if len(rows) == 0 {
		return nil, nil, &shopimg.InputError{Field: "rows", Reason: "is empty"}
	}
	for i, r := range rows {
		field := fmt.Sprintf("rows[%d].", i)
		if err := checkName(field+"Name", string(r.Name)); err != nil {
			return nil, nil, err
		}
		if err := checkSourceURL(field+"SourceURL", r.SourceURL); err != nil {
			return nil, nil, err
		}
		if err := checkPriority(field+"Priority", r.Priority, maxSourcePriority); err != nil {
			return nil, nil, err
		}
		if r.Description != nil {
			if err := checkText(field+"Description", *r.Description); err != nil {
				return nil, nil, err
			}
		}
	}
	return queue(ctx, c, http.MethodPatch, imagesPath(guid, g)+"/source", rest.Auto, rows)
}

// deleteBody is a delete answer, {data: null} with the errors of skipped
// images.
type deleteBody envelope[struct{}]

// deleteOneBody is the answer of DeleteImage: an error item means the
// image was not deleted.
type deleteOneBody envelope[struct{}]

// CheckBody implements rest.BodyChecker.
func (b *deleteOneBody) CheckBody(e *APIError) bool {
	if len(b.Errors) == 0 {
		return false
	}
	(*envelope[struct{}])(b).fill(e)
	return true
}

func deleteQuery(opts *DeleteOptions) url.Values {
	if opts == nil || !opts.RemoveReference {
		return nil
	}
	return url.Values{"removeReference": {"true"}}
}

// DeleteImage deletes one image of a gallery of a product (GalleryShop when
// g is empty). An image that a variant uses is kept, with a 409 (an error
// matching shopimg.ErrConflict that says so), unless opts.RemoveReference.
// The name is escaped as one path segment.
//
// DELETE /api/products/{guid}/images/{gallery}/{imageName}?removeReference=
// https://api.docs.shoptet.com/shoptet-api/openapi/product-images/deleteoneproductimage
func (c *Client) DeleteImage(ctx context.Context, guid ProductGUID, g Gallery, name ImageName, opts *DeleteOptions) (*Response, error) {
	g, err := checkProduct(guid, g)
	if err != nil {
		return nil, err
	}
	if err := checkName("imageName", string(name)); err != nil {
		return nil, err
	}
	var body deleteOneBody
	return c.do(ctx, &rest.Request{Method: http.MethodDelete, Path: rest.Path("api/products/%s/images/%s/%s", guid, g, name), Query: deleteQuery(opts)}, &body)
}

// DeleteGallery deletes every image of a gallery of a product (GalleryShop
// when g is empty). Images that a variant uses are kept unless
// opts.RemoveReference, and reported in the errors returned (the answer is
// a 200 all the same).
//
// DELETE /api/products/{guid}/images/{gallery}?removeReference=
// https://api.docs.shoptet.com/shoptet-api/openapi/product-images/deleteallproductimagesingallery
func (c *Client) DeleteGallery(ctx context.Context, guid ProductGUID, g Gallery, opts *DeleteOptions) ([]Error, *Response, error) {
	g, err := checkProduct(guid, g)
	if err != nil {
		return nil, nil, err
	}
	var body deleteBody
	resp, err := c.do(ctx, &rest.Request{Method: http.MethodDelete, Path: imagesPath(guid, g), Query: deleteQuery(opts)}, &body)
	if err != nil {
		return nil, resp, err
	}
	return body.Errors, resp, nil
}
