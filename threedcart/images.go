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
	"github.com/shopimg/shopimg/internal/check"
	"github.com/shopimg/shopimg/internal/guard"
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

// Response is the platform's answer to a typed call: status, headers,
// quota state and attempts (see shopimg.Response).
type Response = shopimg.Response

func checkCatalogID(id CatalogID) error { return guard.PositiveID("catalogID", id) }

func checkImageID(id ImageGalleryID) error { return guard.PositiveID("ImageGalleryID", id) }

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

// CheckBody looks at the result items of a 2xx page, which the API sends
// past the end of data (MessageOffsetExceeded, or messages without a
// failing Status next to no image): they leave an empty or image-only page.
// Items with a failing Status make the page an error.
func (p *pageBody) CheckBody(e *APIError) bool {
	var results []Result
	imgs := (*p)[:0]
	for _, it := range *p {
		if it.isResult() {
			results = append(results, it.result())
			continue
		}
		imgs = append(imgs, it)
	}
	if len(results) == 0 {
		return false
	}
	fillFromResults(e, results, true)
	if isEndOfData(e) {
		*p = (*p)[:0]
		return false
	}
	if !containsFailure(results) {
		*p = imgs // informational items only
		return false
	}
	return true
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
func (c *Client) ListImages(ctx context.Context, catalogID CatalogID, opts *ListImagesOptions) ([]Image, *Response, error) {
	if err := checkCatalogID(catalogID); err != nil {
		return nil, nil, err
	}
	q := ListImagesOptions{Limit: c.pageSize}
	if opts != nil {
		q = *opts
		if q.Limit <= 0 {
			q.Limit = c.pageSize
		}
		if q.Offset < 0 {
			return nil, nil, &shopimg.InputError{Field: "Offset", Reason: fmt.Sprintf("%d is negative", q.Offset)}
		}
	}
	var body pageBody
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodGet, Path: imagesPath(catalogID), Query: q}, &body)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && isEndOfData(ae) {
			return nil, resp, nil
		}
		return nil, resp, err
	}
	imgs := make([]Image, len(body))
	for i := range body {
		imgs[i] = body[i].Image
	}
	return imgs, resp, nil
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
			page, _, err := c.ListImages(ctx, catalogID, &ListImagesOptions{Limit: q.Limit, Offset: offset})
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
// object, or nothing. Items with a failing Status make the answer an error
// (whatever the HTTP status), classified by the first one's Status.
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

// CheckBody reports failing items.
func (w *writeResults) CheckBody(e *APIError) bool {
	if !containsFailure(*w) {
		return false
	}
	fillFromResults(e, *w, true)
	return true
}

// createResults is a create answer: write results that must also carry the
// new image's ID. One without it leaves the create's outcome unknown.
type createResults struct{ writeResults }

// UnmarshalJSON implements json.Unmarshaler.
func (c *createResults) UnmarshalJSON(b []byte) error { return c.writeResults.UnmarshalJSON(b) }

// CheckBody reports failing items, or an answer without a readable ID.
func (c *createResults) CheckBody(e *APIError) bool {
	if c.writeResults.CheckBody(e) {
		return true
	}
	if _, ok := createdID(c.writeResults); ok {
		return false
	}
	e.Message = fmt.Sprintf("the answer carries no readable ImageGalleryID (%d items)", len(c.writeResults))
	return true
}

// CreateImage adds one image to the product's gallery and returns its ID,
// read from the Value of the answer's ImageGalleryID item. If the API's
// answer is lost (a dropped connection, a 5xx) or does not give a readable
// ID, the error matches shopimg.ErrOutcomeUnknown: list the product before
// adding the image again.
//
// POST /3dCartWebAPI/v1/Products/{catalogid}/Images
// https://apirest.3dcart.com/Help/Api/POST-3dCartWebAPI-v1-Products-catalogid-Images
func (c *Client) CreateImage(ctx context.Context, catalogID CatalogID, req CreateImageRequest) (ImageGalleryID, *Response, error) {
	if err := checkCatalogID(catalogID); err != nil {
		return 0, nil, err
	}
	if strings.TrimSpace(req.ImageGalleryFile) == "" {
		return 0, nil, &shopimg.InputError{Field: "ImageGalleryFile", Reason: "is empty"}
	}
	if r := check.Text(req.ImageGalleryCaption); r != "" {
		return 0, nil, &shopimg.InputError{Field: "ImageGalleryCaption", Reason: r}
	}
	var rs createResults
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodPost, Path: imagesPath(catalogID), JSON: req, Effect: rest.Create}, &rs)
	if err != nil {
		return 0, resp, err
	}
	id, _ := createdID(rs.writeResults)
	return id, resp, nil
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
func (c *Client) UpdateImages(ctx context.Context, catalogID CatalogID, images []Image) ([]Result, *Response, error) {
	if err := checkCatalogID(catalogID); err != nil {
		return nil, nil, err
	}
	if len(images) == 0 {
		return nil, nil, &shopimg.InputError{Field: "images", Reason: "is empty"}
	}
	for _, img := range images {
		if err := checkImage(img); err != nil {
			return nil, nil, err
		}
	}
	return c.write(ctx, imagesPath(catalogID), images)
}

// UpdateImage updates the image img.ImageGalleryID of the product. Send
// every field (see UpdateImages). An answer whose result reports a failure
// gives an *APIError with that Status.
//
// PUT /3dCartWebAPI/v1/Products/{catalogid}/Images/{imagegalleryid}
// https://apirest.3dcart.com/Help/Api/PUT-3dCartWebAPI-v1-Products-catalogid-Images-imagegalleryid
func (c *Client) UpdateImage(ctx context.Context, catalogID CatalogID, img Image) ([]Result, *Response, error) {
	if err := checkCatalogID(catalogID); err != nil {
		return nil, nil, err
	}
	if err := checkImage(img); err != nil {
		return nil, nil, err
	}
	return c.write(ctx, imagePath(catalogID, img.ImageGalleryID), img)
}

// write sends a PUT and returns its results.
func (c *Client) write(ctx context.Context, path string, body any) ([]Result, *Response, error) {
	var rs writeResults
	resp, err := c.rc.Do(ctx, &rest.Request{Method: http.MethodPut, Path: path, JSON: body}, &rs)
	if err != nil {
		return nil, resp, err
	}
	return rs, resp, nil
}

// checkImage checks an image sent in an update.
func checkImage(img Image) error {
	if err := checkImageID(img.ImageGalleryID); err != nil {
		return err
	}
	if r := check.Text(img.ImageGalleryCaption); r != "" {
		return &shopimg.InputError{Field: "ImageGalleryCaption", Reason: r}
	}
	return nil
}
