package finerworks

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/check"
	"github.com/shopimg/shopimg/internal/rest"
)

// Limits of the image calls.
const (
	// MaxPerPage is the largest per_page list_images takes ("you can
	// display up to 50 at a time"); its default is 10.
	MaxPerPage = 50
	// MaxAddImagesPerCall is how many images one add_images call takes
	// ("Insert up to 5 at once"). AddImages splits longer lists.
	MaxAddImagesPerCall = 5
	// MaxUpdateImagesPerCall is how many images UpdateImages sends per
	// update_images call. The API documents no limit; the client takes the
	// documented limit of add_images, the one batch limit the API states,
	// as the safe reading, and splits longer lists. The adapter's
	// Capabilities().MaxPerCall is this number.
	MaxUpdateImagesPerCall = 5
	// MaxDeleteImagesPerCall is how many GUIDs DeleteImages sends per
	// delete_images call: no limit is documented, so the same safe reading.
	MaxDeleteImagesPerCall = 5
)

// Image is an image of a library: the API's image_details object
// (https://api.finerworks.com/Help/ResourceModel?modelName=image_details),
// with the fields answers also carry. Go field names follow the vendor's.
// Numbers are read from numbers or strings (Int), dates from the forms
// ASP.NET writes (Time); unknown fields are ignored.
type Image struct {
	// ID is the image's number; list_images sorts by it by default.
	ID Int `json:"id"`
	// GUID identifies the image in every call.
	GUID ImageGUID `json:"guid"`
	// Title is the image's title: the adapter's alt text.
	Title string `json:"title"`
	// Description is the image's description.
	Description string `json:"description"`
	// FileName is the file's name (the API may sanitize it).
	FileName string `json:"file_name"`
	// FileSize is the file's size, documented as "in bits".
	FileSize Int `json:"file_size"`
	// ThumbnailFileName, PreviewFileName and HiresFileName name the
	// renditions' files.
	ThumbnailFileName string `json:"thumbnail_file_name"`
	PreviewFileName   string `json:"preview_file_name"`
	HiresFileName     string `json:"hires_file_name"`
	// PublicThumbnailURI and PublicPreviewURI are public URLs of the small
	// and preview renditions; PrivateHiresURI is the full-size file's.
	PublicThumbnailURI string `json:"public_thumbnail_uri"`
	PublicPreviewURI   string `json:"public_preview_uri"`
	PrivateHiresURI    string `json:"private_hires_uri"`
	// PersonalGalleryTitle and MembersGalleryCategory place the image in
	// the account's galleries.
	PersonalGalleryTitle   string `json:"personal_gallery_title"`
	MembersGalleryCategory string `json:"members_gallery_category"`
	// PixW and PixH are the width and height in pixels.
	PixW Int `json:"pix_w"`
	PixH Int `json:"pix_h"`
	// DateAdded, DateUpdated and DateExpires (temporary library) are
	// zero when absent.
	DateAdded   Time `json:"date_added"`
	DateUpdated Time `json:"date_updated"`
	DateExpires Time `json:"date_expires"`
	// Active reports whether the image is visible in the public gallery
	// (false when not sent).
	Active bool `json:"active"`
	// Products are the virtual inventory products made from the image
	// (an array of product_details objects, kept as sent), when
	// list_images was asked for them (ListImagesRequest.ListProducts).
	Products RawJSON `json:"products,omitempty"`
	// AssignedGallerySubcategoryIDs and AssignedPersonalGalleryIDs, Username,
	// AccountKey, ArtistName and Rank are sent by the API without being
	// documented in the model.
	AssignedGallerySubcategoryIDs []Int  `json:"assigned_gallery_subcategory_ids,omitempty"`
	AssignedPersonalGalleryIDs    []Int  `json:"assigned_personal_gallery_ids,omitempty"`
	Username                      string `json:"username,omitempty"`
	AccountKey                    string `json:"account_key,omitempty"`
	ArtistName                    string `json:"artistname,omitempty"`
	Rank                          Int    `json:"rank,omitempty"`
}

// SortField is a field list_images sorts by.
type SortField string

// The sort fields list_images documents; the API's default is SortByID.
const (
	SortByID        SortField = "id"
	SortByTitle     SortField = "title"
	SortByFileName  SortField = "file_name"
	SortByFileSize  SortField = "file_size"
	SortByDateAdded SortField = "date_added"
)

// SortDirection is the order of a sort; the API's default is Descending.
type SortDirection string

// The sort directions list_images documents.
const (
	Ascending  SortDirection = "ASC"
	Descending SortDirection = "DESC"
)

// ListImagesRequest selects a page of ListImages (and where
// ListImagesIter starts). The zero value asks for the first page of the
// client's library with the client's page size, in the API's default order.
type ListImagesRequest struct {
	// Library is the library to list ("" for the client's, Inventory by
	// default).
	Library LibraryName
	// SearchFilter matches text in the title or description.
	SearchFilter string
	// GUIDFilter, when not empty, lists only these images.
	GUIDFilter []ImageGUID
	// PageNumber is the 1-based page (0 means 1).
	PageNumber int
	// PerPage is the page size, up to MaxPerPage (0 means the client's
	// page size, WithPageSize).
	PerPage int
	// SortField and SortDirection order the images; empty leaves the
	// API's default (by id, descending).
	SortField     SortField
	SortDirection SortDirection
	// UploadDateFrom and UploadDateTo, when not zero, bound date_added.
	UploadDateFrom, UploadDateTo time.Time
	// ListProducts asks for each inventory image's virtual inventory
	// products (Image.Products).
	ListProducts bool
	// Active, when not nil, lists only active (true) or inactive images.
	Active *bool
}

// listImagesBody is the list_images request body.
type listImagesBody struct {
	Library        Library     `json:"library"`
	SearchFilter   string      `json:"search_filter"`
	GUIDFilter     []ImageGUID `json:"guid_filter"`
	PageNumber     int         `json:"page_number"`
	PerPage        int         `json:"per_page"`
	SortField      SortField   `json:"sort_field,omitempty"`
	SortDirection  string      `json:"sort_direction,omitempty"`
	UploadDateFrom *time.Time  `json:"upload_date_from"`
	UploadDateTo   *time.Time  `json:"upload_date_to"`
	ListProducts   bool        `json:"list_products"`
	Active         *bool       `json:"active"`
}

// ImagePage is a list_images answer.
type ImagePage struct {
	// Images are the page's images, in the order asked for.
	Images []Image `json:"images"`
	// PageNumber and PerPage are the page the API answered.
	PageNumber Int `json:"page_number"`
	PerPage    Int `json:"per_page"`
	// Count is what the API calls count: the docs do not say whether it
	// is the number of images matching the request (over all pages) or
	// the number on this page. ListImagesIter works under both readings.
	Count Int `json:"count"`
}

type listImagesAnswer struct {
	envelope
	ImagePage
}

func (c *Client) listBody(req *ListImagesRequest) (*listImagesBody, error) {
	var r ListImagesRequest
	if req != nil {
		r = *req
	}
	lib, err := c.library(r.Library)
	if err != nil {
		return nil, err
	}
	body := &listImagesBody{
		Library: lib, SearchFilter: r.SearchFilter, GUIDFilter: r.GUIDFilter,
		PageNumber: max(r.PageNumber, 1), PerPage: r.PerPage,
		SortField: r.SortField, SortDirection: string(r.SortDirection),
		ListProducts: r.ListProducts, Active: r.Active,
	}
	switch {
	case r.PageNumber < 0:
		return nil, &shopimg.InputError{Field: "PageNumber", Reason: fmt.Sprintf("%d is negative", r.PageNumber)}
	case r.PerPage < 0 || r.PerPage > MaxPerPage:
		return nil, &shopimg.InputError{Field: "PerPage", Reason: fmt.Sprintf("%d is not within 0..%d", r.PerPage, MaxPerPage)}
	case r.PerPage == 0:
		body.PerPage = c.pageSize
	}
	if rs := check.Text(r.SearchFilter); rs != "" {
		return nil, &shopimg.InputError{Field: "SearchFilter", Reason: rs}
	}
	for _, g := range r.GUIDFilter {
		if r := guidReason(string(g)); r != "" {
			return nil, &shopimg.InputError{Field: "GUIDFilter", Reason: r}
		}
	}
	if !r.UploadDateFrom.IsZero() {
		body.UploadDateFrom = &r.UploadDateFrom
	}
	if !r.UploadDateTo.IsZero() {
		body.UploadDateTo = &r.UploadDateTo
	}
	return body, nil
}

// ListImages returns one page of a library's images. The call reads, so it
// is retried like a GET although it is a POST.
//
// POST /v3/list_images
// https://api.finerworks.com/Help/Api/POST-v3-list_images
func (c *Client) ListImages(ctx context.Context, req *ListImagesRequest) (*ImagePage, *Response, error) {
	body, err := c.listBody(req)
	if err != nil {
		return nil, nil, err
	}
	return c.listPage(ctx, body)
}

func (c *Client) listPage(ctx context.Context, body *listImagesBody) (*ImagePage, *Response, error) {
	var ans listImagesAnswer
	resp, err := c.do(ctx, &rest.Request{Method: http.MethodPost, Path: "v3/list_images", JSON: body, Effect: rest.Read}, &ans)
	if err != nil {
		return nil, resp, err
	}
	return &ans.ImagePage, resp, nil
}

// maxFruitlessPages is how many pages in a row may bring no new image
// before the iterator gives up: the API would be ignoring page_number.
const maxFruitlessPages = 3

// ListImagesIter returns an iterator over the images of every page from
// req's on (nil req: all the client's library, in the API's default order),
// fetched page by page as it is used. It yields each image once (by GUID),
// stops after the last page, when the loop breaks, or at the first error,
// which it yields once.
//
// The last page is the first one holding fewer images than its per_page
// (the one the answer states, else the one asked for), or none. count is
// not needed for that, since the docs leave open whether it is the total or
// the page's size; when it is plainly a total (more than the first page
// holds), the iterator stops as soon as that many images were listed, which
// saves the request for an empty page when the total is a multiple of the
// page size.
func (c *Client) ListImagesIter(ctx context.Context, req *ListImagesRequest) iter.Seq2[Image, error] {
	body, err := c.listBody(req)
	return func(yield func(Image, error) bool) {
		if err != nil {
			yield(Image{}, err)
			return
		}
		var (
			seen      = map[ImageGUID]bool{}
			total     = -1
			fruitless int
			fromStart = body.PageNumber == 1
		)
		fetch := func(ctx context.Context, page int) ([]Image, int, bool, error) {
			b := *body
			b.PageNumber = page
			p, _, err := c.listPage(ctx, &b)
			if err != nil {
				return nil, 0, false, err
			}
			n := len(p.Images)
			fresh := p.Images[:0]
			for _, img := range p.Images {
				if img.GUID == "" || !seen[img.GUID] {
					seen[img.GUID] = true
					fresh = append(fresh, img)
				}
			}
			switch {
			case n == 0:
				return nil, 0, false, nil
			case len(fresh) == 0:
				if fruitless++; fruitless >= maxFruitlessPages {
					return nil, 0, false, fmt.Errorf("finerworks: list_images: %d pages in a row brought no new image at page %d: the API seems to ignore page_number", fruitless, page)
				}
			default:
				fruitless = 0
			}
			if int(p.Count) > n && fromStart {
				total = int(p.Count) // more than the page holds: a total
			}
			per := b.PerPage
			if p.PerPage > 0 && int(p.PerPage) < per {
				per = int(p.PerPage) // the API capped the page size
			}
			more := n >= per && (total < 0 || len(seen) < total)
			return fresh, page + 1, more, nil
		}
		for img, err := range rest.Pages(ctx, body.PageNumber, fetch) {
			if !yield(img, err) {
				return
			}
		}
	}
}

// AddImage is one image of an add_images call: the API's add_image_details
// object. The files are not uploaded: the API registers files the caller
// already hosts, at the URIs given ("This assumes the image files will be
// posted to a url"). At least one URI is required; every URI must be an
// absolute http(s) URL.
type AddImage struct {
	Title              string `json:"title"`
	Description        string `json:"description,omitempty"`
	FileName           string `json:"file_name"`
	FileSize           int64  `json:"file_size,omitempty"`
	ThumbnailFileName  string `json:"thumbnail_file_name,omitempty"`
	PreviewFileName    string `json:"preview_file_name,omitempty"`
	HiresFileName      string `json:"hires_file_name,omitempty"`
	PublicThumbnailURI string `json:"public_thumbnail_uri,omitempty"`
	PublicPreviewURI   string `json:"public_preview_uri,omitempty"`
	PrivateHiresURI    string `json:"private_hires_uri,omitempty"`
	PixW               int    `json:"pix_w,omitempty"`
	PixH               int    `json:"pix_h,omitempty"`
}

func (a AddImage) check(i int) error {
	field := func(name string) string { return fmt.Sprintf("images[%d].%s", i, name) }
	texts := []struct{ name, v string }{
		{"title", a.Title}, {"description", a.Description}, {"file_name", a.FileName},
		{"thumbnail_file_name", a.ThumbnailFileName}, {"preview_file_name", a.PreviewFileName}, {"hires_file_name", a.HiresFileName},
	}
	for _, t := range texts {
		if r := check.Text(t.v); r != "" {
			return &shopimg.InputError{Field: field(t.name), Reason: r}
		}
	}
	uris := []struct{ name, v string }{
		{"public_thumbnail_uri", a.PublicThumbnailURI}, {"public_preview_uri", a.PublicPreviewURI}, {"private_hires_uri", a.PrivateHiresURI},
	}
	some := false
	for _, u := range uris {
		if u.v == "" {
			continue
		}
		some = true
		if r := check.SourceURL(u.v); r != "" {
			return &shopimg.InputError{Field: field(u.name), Reason: r}
		}
	}
	switch {
	case !some:
		return &shopimg.InputError{Field: field("private_hires_uri"), Reason: "is empty, as are the other URIs: the API registers hosted files"}
	case a.FileSize < 0 || a.PixW < 0 || a.PixH < 0:
		return &shopimg.InputError{Field: field("file_size"), Reason: "a size is negative"}
	}
	return nil
}

type addImagesBody struct {
	Images  []AddImage `json:"images"`
	Library Library    `json:"library"`
}

// addImagesAnswer is an add_images answer. The docs publish no sample of
// it: it may carry the created images, or only the status.
type addImagesAnswer struct {
	envelope
	Images []Image `json:"images"`
}

// AddImages registers images in a library, at most MaxAddImagesPerCall per
// call: a longer list is sent in several calls, in order, each after the
// previous one succeeded. It returns the created images when the API's
// answers carry them, and nil when they carry only the status (the docs do
// not say which): find the new images with ListImages then (the adapter
// does). Each call is a create: one that may have been carried out without
// an answer (a 5xx, a dropped connection) fails with an error matching
// shopimg.ErrOutcomeUnknown. On an error, the images of the calls before
// the failing one were added (those the answers carried are returned).
//
// POST /v3/add_images
// https://api.finerworks.com/Help/Api/POST-v3-add_images
func (c *Client) AddImages(ctx context.Context, library LibraryName, images []AddImage) ([]Image, *Response, error) {
	lib, err := c.library(library)
	if err != nil {
		return nil, nil, err
	}
	if len(images) == 0 {
		return nil, nil, &shopimg.InputError{Field: "images", Reason: "is empty"}
	}
	for i, img := range images {
		if err := img.check(i); err != nil {
			return nil, nil, err
		}
	}
	var (
		added []Image
		resp  *Response
	)
	for chunk := range slices.Chunk(images, MaxAddImagesPerCall) {
		var ans addImagesAnswer
		resp, err = c.do(ctx, &rest.Request{Method: http.MethodPost, Path: "v3/add_images", JSON: addImagesBody{Images: chunk, Library: lib}, Effect: rest.Create}, &ans)
		if err != nil {
			return added, resp, err
		}
		added = append(added, ans.Images...)
	}
	return added, resp, nil
}

// UpdateImage is one image of an update_images call: the API's
// update_image_details object. Both texts are always sent: the docs do not
// say whether one left out keeps its value, so send the current
// description along with a new title.
type UpdateImage struct {
	GUID        ImageGUID `json:"guid"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
}

type updateImagesBody struct {
	Images     []UpdateImage `json:"images"`
	AccountKey *string       `json:"account_key"`
}

// UpdateImages changes the title and description of images, found by GUID
// in any library, at most MaxUpdateImagesPerCall per call (the API
// documents no limit; see the constant): a longer list is sent in several
// calls, in order. The call is an idempotent write, retried after 5xx and
// network errors. The account_key sent is the client's (WithLibrary), or
// null. On an error, the calls before the failing one were applied.
//
// The help page adds that updating an image of the inventory library "will
// also remove any virtual inventory products assigned to those images"; the
// sentence reads as copied from delete_images, and the fake server does not
// model it.
//
// PUT /v3/update_images
// https://api.finerworks.com/Help/Api/PUT-v3-update_images
func (c *Client) UpdateImages(ctx context.Context, images []UpdateImage) (*Response, error) {
	if len(images) == 0 {
		return nil, &shopimg.InputError{Field: "images", Reason: "is empty"}
	}
	seen := map[ImageGUID]bool{}
	for i, img := range images {
		if r := guidReason(string(img.GUID)); r != "" {
			return nil, &shopimg.InputError{Field: fmt.Sprintf("images[%d].guid", i), Reason: r}
		}
		if seen[img.GUID] {
			return nil, &shopimg.InputError{Field: fmt.Sprintf("images[%d].guid", i), Reason: fmt.Sprintf("%s is listed twice", img.GUID)}
		}
		seen[img.GUID] = true
		for _, f := range []struct{ name, v string }{{"title", img.Title}, {"description", img.Description}} {
			if r := check.Text(f.v); r != "" {
				return nil, &shopimg.InputError{Field: fmt.Sprintf("images[%d].%s", i, f.name), Reason: r}
			}
		}
	}
	var key *string
	if c.lib.AccountKey != "" {
		key = &c.lib.AccountKey
	}
	var resp *Response
	for chunk := range slices.Chunk(images, MaxUpdateImagesPerCall) {
		var ans envelope
		var err error
		resp, err = c.do(ctx, &rest.Request{Method: http.MethodPut, Path: "v3/update_images", JSON: updateImagesBody{Images: chunk, AccountKey: key}}, &ans)
		if err != nil {
			return resp, err
		}
	}
	return resp, nil
}

type deleteImagesBody struct {
	GUIDs   []ImageGUID `json:"guids"`
	Library Library     `json:"library"`
}

// DeleteImages deletes images of a library by GUID, with the virtual
// inventory products made from them, at most MaxDeleteImagesPerCall per
// call (the API documents no limit): a longer list is sent in several
// calls, in order. The request is a DELETE with a JSON body, an idempotent
// write retried after 5xx and network errors. What the API answers for a
// GUID it does not have is not documented (the adapter checks first).
//
// DELETE /v3/delete_images
// https://api.finerworks.com/Help/Api/DELETE-v3-delete_images
func (c *Client) DeleteImages(ctx context.Context, library LibraryName, guids []ImageGUID) (*Response, error) {
	lib, err := c.library(library)
	if err != nil {
		return nil, err
	}
	if len(guids) == 0 {
		return nil, &shopimg.InputError{Field: "guids", Reason: "is empty"}
	}
	for i, g := range guids {
		if r := guidReason(string(g)); r != "" {
			return nil, &shopimg.InputError{Field: fmt.Sprintf("guids[%d]", i), Reason: r}
		}
	}
	var resp *Response
	for chunk := range slices.Chunk(guids, MaxDeleteImagesPerCall) {
		var ans envelope
		resp, err = c.do(ctx, &rest.Request{Method: http.MethodDelete, Path: "v3/delete_images", JSON: deleteImagesBody{GUIDs: chunk, Library: lib}}, &ans)
		if err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// TestMyCredentials checks the keys: it succeeds when the API accepts them,
// and fails with an error matching shopimg.ErrUnauthorized when it refuses
// them (a 400 naming authorization_credentials, or a page saying so).
//
// GET /v3/test_my_credentials
// https://api.finerworks.com/Help/Api/GET-v3-test_my_credentials
func (c *Client) TestMyCredentials(ctx context.Context) (*Response, error) {
	var ans envelope
	return c.do(ctx, &rest.Request{Method: http.MethodGet, Path: "v3/test_my_credentials"}, &ans)
}

// do sends r through the core and completes the errors the core could not
// give the vendor's decoder (refine).
func (c *Client) do(ctx context.Context, r *rest.Request, out any) (*Response, error) {
	resp, err := c.rc.Do(ctx, r, out)
	if err != nil {
		return resp, refine(err)
	}
	return resp, nil
}
