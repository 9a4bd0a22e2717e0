package threedcart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// Image is one image of a product's gallery: the API's ImageGallery object
// (https://apirest.3dcart.com/Help/ResourceModel?modelName=ImageGallery).
// The Go field names are the vendor's.
type Image struct {
	// ImageGalleryID is the image's primary key (product_images.id).
	ImageGalleryID ImageGalleryID `json:"ImageGalleryID,omitempty"`
	// ImageGalleryFile is the image: a path in the store's file system or
	// a URL (product_images.image), at most 65535 characters. It is a
	// string, never the bytes.
	ImageGalleryFile string `json:"ImageGalleryFile"`
	// ImageGalleryCaption is the caption (product_images.caption), at most
	// 65535 characters.
	ImageGalleryCaption string `json:"ImageGalleryCaption"`
	// ImageGallerySorting orders the gallery, lowest first
	// (product_images.sorting).
	ImageGallerySorting int `json:"ImageGallerySorting"`
}

// CreateImageRequest is the body of CreateImage: an ImageGallery object
// without its ID.
type CreateImageRequest struct {
	// ImageGalleryFile is a path in the store's file system or an absolute
	// URL. Required.
	ImageGalleryFile string `json:"ImageGalleryFile"`
	// ImageGalleryCaption is the caption.
	ImageGalleryCaption string `json:"ImageGalleryCaption"`
	// ImageGallerySorting places the image in the gallery. The API does
	// not say what happens when it equals another image's; the adapter
	// always gives a value after the last.
	ImageGallerySorting int `json:"ImageGallerySorting"`
}

// ListImagesOptions select one page of ListImages. Both are always sent.
type ListImagesOptions struct {
	// Limit is the page size; zero or less means the client's page size
	// (WithPageSize, default DefaultPageSize).
	Limit int `url:"limit"`
	// Offset is where the page starts, counted as the number of images
	// before it (so the first page is offset 0; see the package
	// documentation for why this reading is safe either way).
	Offset int `url:"offset"`
}

func imagesPath(id CatalogID) string {
	return rest.Path(apiPrefix+"/Products/%s/Images", id)
}

func imagePath(id CatalogID, img ImageGalleryID) string {
	return rest.Path(apiPrefix+"/Products/%s/Images/%s", id, img)
}

// fullPath is the request path as the core reports it in errors.
func (c *Client) fullPath(rel string) string { return c.basePath + "/" + rel }

func checkCatalogID(id CatalogID) error {
	if id <= 0 {
		return &shopimg.InputError{Field: "catalogID", Reason: fmt.Sprintf("%d is not positive", id)}
	}
	return nil
}

func checkImageID(id ImageGalleryID) error {
	if id <= 0 {
		return &shopimg.InputError{Field: "ImageGalleryID", Reason: fmt.Sprintf("%d is not positive", id)}
	}
	return nil
}

// pageItem is one element of a GET answer, which is normally an
// ImageGallery but can be a {Key, Value, Status, Message} error item (the
// past-the-end answer may come with HTTP 200). Message tells them apart in
// the same single decoding pass.
type pageItem struct {
	Image
	Key     Scalar  `json:"Key"`
	Value   Scalar  `json:"Value"`
	Status  Scalar  `json:"Status"`
	Message *Scalar `json:"Message"`
}

func (p *pageItem) isResult() bool {
	return p.ImageGalleryID == 0 && (p.Message != nil || p.Status != "")
}

func (p *pageItem) result() Result {
	r := Result{Key: p.Key, Value: p.Value, Status: p.Status}
	if p.Message != nil {
		r.Message = *p.Message
	}
	return r
}

// pageBody is a GET answer. It is decoded straight into the slice (a
// custom UnmarshalJSON, to accept a lone error object too, cost a second
// parse of every page: 10-25% of the time of a List in BenchmarkListOverhead).
type pageBody []pageItem

// pageImages splits a decoded page into its images. Result items in it are
// the end of data (MessageOffsetExceeded, or messages without a failing
// Status next to no image), or, with a failing Status, an error.
func (c *Client) pageImages(path string, items pageBody) ([]Image, error) {
	var results []Result
	imgs := make([]Image, 0, len(items))
	for i := range items {
		if items[i].isResult() {
			results = append(results, items[i].result())
			continue
		}
		imgs = append(imgs, items[i].Image)
	}
	if len(results) == 0 {
		return imgs, nil
	}
	e := &APIError{Platform: platform, Method: http.MethodGet, Path: path, StatusCode: http.StatusOK}
	fillFromResults(e, results, true)
	switch {
	case isEndOfData(e):
		return nil, nil
	case !containsFailure(results):
		return imgs, nil // informational items only
	}
	return nil, e
}

func containsFailure(rs []Result) bool {
	for _, r := range rs {
		if r.Failed() {
			return true
		}
	}
	return false
}

// ListImages returns one page of the product's images, in the order the API
// sends them (not necessarily the display order: sort by
// ImageGallerySorting). A page past the end is empty with no error, however
// the API says so: a 404 with an empty body or the error
// MessageOffsetExceeded. The API answers a product without images the same
// way, so an unknown product may look like an empty one.
//
// GET /3dCartWebAPI/v1/Products/{catalogid}/Images?limit=&offset=
// https://apirest.3dcart.com/Help/Api/GET-3dCartWebAPI-v1-Products-catalogid-Images_limit_offset
func (c *Client) ListImages(ctx context.Context, catalogID CatalogID, opts *ListImagesOptions) ([]Image, error) {
	if err := checkCatalogID(catalogID); err != nil {
		return nil, err
	}
	q := ListImagesOptions{Limit: c.pageSize}
	if opts != nil {
		q = *opts
		if q.Limit <= 0 {
			q.Limit = c.pageSize
		}
		if q.Offset < 0 {
			return nil, &shopimg.InputError{Field: "Offset", Reason: fmt.Sprintf("%d is negative", q.Offset)}
		}
	}
	rel := imagesPath(catalogID)
	var body pageBody
	_, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodGet, Path: rel, Query: q}, &body)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && isEndOfData(ae) {
			return nil, nil
		}
		return nil, err
	}
	return c.pageImages(c.fullPath(rel), body)
}

// maxFruitlessPages is how many pages in a row may bring no new image before
// the iterator gives up: one is normal (a 1-based API with a page size of
// 1), several mean the API ignores offset.
const maxFruitlessPages = 3

// ListImagesIter returns an iterator over all the product's images, fetched
// page by page as it is used, starting at opts.Offset with pages of
// opts.Limit (nil opts: from the start, with the client's page size). It
// yields each image once, in the order the API sends them, stops at the end
// of data (either signal), when the loop breaks, or at the first error,
// which it yields once.
//
// Each page starts at the previous offset plus the number of images the
// previous page held. Whether the API counts offset from 0 or from 1 is not
// documented: if from 0, pages meet exactly; if from 1, each page repeats
// the previous page's last image, which the iterator drops by
// ImageGalleryID. Either way no image is skipped, and a server that sends
// fewer images than asked (a lower maximum page size) skips none either.
func (c *Client) ListImagesIter(ctx context.Context, catalogID CatalogID, opts *ListImagesOptions) iter.Seq2[Image, error] {
	q := ListImagesOptions{Limit: c.pageSize}
	if opts != nil {
		q = *opts
	}
	return func(yield func(Image, error) bool) {
		seen := map[ImageGalleryID]bool{}
		fruitless := 0
		fetch := func(ctx context.Context, offset int) ([]Image, int, bool, error) {
			page, err := c.ListImages(ctx, catalogID, &ListImagesOptions{Limit: q.Limit, Offset: offset})
			if err != nil || len(page) == 0 {
				return nil, 0, false, err
			}
			fresh := page[:0]
			for _, img := range page {
				if !seen[img.ImageGalleryID] {
					seen[img.ImageGalleryID] = true
					fresh = append(fresh, img)
				}
			}
			if len(fresh) == 0 {
				fruitless++
				if fruitless >= maxFruitlessPages {
					return nil, 0, false, fmt.Errorf("threedcart: product %d: %d pages in a row brought no new image at offset %d: the API seems to ignore offset", catalogID, fruitless, offset)
				}
			} else {
				fruitless = 0
			}
			return fresh, offset + len(page), true, nil
		}
		for img, err := range rest.Pages(ctx, q.Offset, fetch) {
			if !yield(img, err) {
				return
			}
		}
	}
}

// writeResults decodes a write answer: an array of results, a lone result
// object, or nothing.
type writeResults []Result

// UnmarshalJSON implements json.Unmarshaler.
func (w *writeResults) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, "{") {
		var one Result
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*w = writeResults{one}
		return nil
	}
	return json.Unmarshal(b, (*[]Result)(w))
}

// write sends a write and checks its results.
func (c *Client) write(ctx context.Context, method, rel string, body any, op rest.Op) ([]Result, error) {
	var rs writeResults
	resp, err := c.rc.Do(ctx, &rest.Request{Method: method, Path: rel, JSON: body, Op: op}, &rs)
	if err != nil {
		return nil, err
	}
	if err := c.writeError(method, c.fullPath(rel), resp.StatusCode, rs, op == rest.OpCreate); err != nil {
		return nil, err
	}
	return rs, nil
}

// CreateImage adds one image to the product's gallery and returns its ID,
// read from the Value of the answer's ImageGalleryID item. If the API's
// answer is lost (a dropped connection, a 5xx) or does not give a readable
// ID, the error matches shopimg.ErrOutcomeUnknown: list the product before
// adding the image again.
//
// POST /3dCartWebAPI/v1/Products/{catalogid}/Images
// https://apirest.3dcart.com/Help/Api/POST-3dCartWebAPI-v1-Products-catalogid-Images
func (c *Client) CreateImage(ctx context.Context, catalogID CatalogID, req CreateImageRequest) (ImageGalleryID, error) {
	if err := checkCatalogID(catalogID); err != nil {
		return 0, err
	}
	if strings.TrimSpace(req.ImageGalleryFile) == "" {
		return 0, &shopimg.InputError{Field: "ImageGalleryFile", Reason: "is empty"}
	}
	rel := imagesPath(catalogID)
	rs, err := c.write(ctx, http.MethodPost, rel, req, rest.OpCreate)
	if err != nil {
		return 0, err
	}
	id, ok := createdID(rs)
	if !ok {
		return 0, fmt.Errorf("threedcart: POST %s: %w: the answer carries no readable ImageGalleryID (%d items)", c.fullPath(rel), shopimg.ErrOutcomeUnknown, len(rs))
	}
	return id, nil
}

// createdID finds the new image's ID in a create answer: the Value of the
// item whose Key is ImageGalleryID, or else of the only item.
func createdID(rs []Result) (ImageGalleryID, bool) {
	pick := -1
	for i, r := range rs {
		if strings.EqualFold(strings.TrimSpace(string(r.Key)), "ImageGalleryID") {
			pick = i
			break
		}
	}
	if pick < 0 && len(rs) == 1 {
		pick = 0
	}
	if pick < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(rs[pick].Value)), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return ImageGalleryID(n), true
}

// UpdateImages updates several images of the product in one call; each
// carries its ImageGalleryID. Send every field: the API does not say whether
// a field left out keeps its value or is cleared. It returns the answer's
// results; if any reports a failure the error is an *APIError with the first
// failing Status, and the other images may have been updated.
//
// PUT /3dCartWebAPI/v1/Products/{catalogid}/Images
// https://apirest.3dcart.com/Help/Api/PUT-3dCartWebAPI-v1-Products-catalogid-Images
func (c *Client) UpdateImages(ctx context.Context, catalogID CatalogID, images []Image) ([]Result, error) {
	if err := checkCatalogID(catalogID); err != nil {
		return nil, err
	}
	if len(images) == 0 {
		return nil, &shopimg.InputError{Field: "images", Reason: "is empty"}
	}
	for _, img := range images {
		if err := checkImageID(img.ImageGalleryID); err != nil {
			return nil, err
		}
	}
	return c.write(ctx, http.MethodPut, imagesPath(catalogID), images, rest.OpWrite)
}

// UpdateImage updates the image img.ImageGalleryID of the product. Send
// every field (see UpdateImages). An answer whose result reports a failure
// gives an *APIError with that Status.
//
// PUT /3dCartWebAPI/v1/Products/{catalogid}/Images/{imagegalleryid}
// https://apirest.3dcart.com/Help/Api/PUT-3dCartWebAPI-v1-Products-catalogid-Images-imagegalleryid
func (c *Client) UpdateImage(ctx context.Context, catalogID CatalogID, img Image) ([]Result, error) {
	if err := checkCatalogID(catalogID); err != nil {
		return nil, err
	}
	if err := checkImageID(img.ImageGalleryID); err != nil {
		return nil, err
	}
	return c.write(ctx, http.MethodPut, imagePath(catalogID, img.ImageGalleryID), img, rest.OpWrite)
}
