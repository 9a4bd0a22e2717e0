package finerworks

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
)

// ProductImages returns the client as a shopimg.ProductImages over the
// account's image libraries, which is also a shopimg.BatchUpdater. The
// product ID is a library name, "inventory" or "temporary" (anything else
// is invalid input, refused before sending), and its images are that
// library's; image IDs are the images' GUIDs.
//
// How the common model maps onto a library:
//
//   - List reads every page (per_page up to 50, sorted by id ascending,
//     and sorted again by id in case the API did not) and returns the
//     images in the order they were added. An image library has no order
//     and no main image: no image is Main. Alt is the title; URL is
//     private_hires_uri (else public_preview_uri), ThumbnailURL
//     public_thumbnail_uri (else public_preview_uri); the description and
//     every other field are in Raw (an Image).
//   - Add registers NewImage.SourceURL through add_images (file uploads are
//     unsupported: the API registers files the caller hosts). The URL
//     becomes private_hires_uri, public_preview_uri and
//     public_thumbnail_uri alike (the one file the caller has stands for
//     the full size, the preview and the thumbnail), file_name is the last
//     segment of its path ("image.jpg" when it has none), and the alt text
//     the title. How Add finds the new image's GUID is in the package
//     documentation.
//   - Update changes the title with update_images, sending the current
//     description along (UpdateImages changes descriptions). UpdateImages
//     sends the changed titles in update_images calls of
//     MaxUpdateImagesPerCall images, Capabilities().MaxPerCall.
//   - Delete checks that the image is in the library (list_images with a
//     guid_filter: what delete_images answers for a GUID it does not have
//     is not documented) and deletes it with delete_images.
//   - Reorder, moves and the main image are unsupported: the guard refuses
//     them from Capabilities, and nothing is sent.
func (c *Client) ProductImages() shopimg.ProductImages { return guard.New(&driver{c: c}) }

// driver is the adapter's FinerWorks side; package guard checks every
// argument and capability before calling it.
type driver struct{ c *Client }

var (
	_ guard.Batcher    = (*driver)(nil)
	_ guard.Reasoner   = (*driver)(nil)
	_ guard.BlindAdder = (*driver)(nil)
)

// Platform names the package.
func (d *driver) Platform() string { return platform }

// Capabilities reports shopimgtest.FinerWorksProfile: URL adds, title
// updates (in batches of MaxUpdateImagesPerCall) and deletes; no order, no
// main image, no file upload.
func (d *driver) Capabilities() shopimg.Capabilities {
	return shopimg.Capabilities{
		List: true, AddFromURL: true, Update: true, Delete: true,
		BatchUpdate: true, MaxPerCall: MaxUpdateImagesPerCall,
		KeepsSourceURL: true, // the image's URIs are the hosted URL it was added from
	}
}

// Reason says why FinerWorks cannot do op.
func (d *driver) Reason(op guard.Operation) string {
	switch op {
	case guard.OpReorder, guard.OpMove, guard.OpAddAt:
		return "an image library has no order; images list in the order they were added"
	case guard.OpSetMain, guard.OpAddMain:
		return "an image library has no main image"
	case guard.OpAddFile:
		return "add_images registers files the caller hosts: upload the file elsewhere and add its URL"
	}
	return ""
}

// AddsWithoutList reports that Add needs no listing from the guard: a
// library has no order, so there is no position to check.
func (d *driver) AddsWithoutList() bool { return true }

// CheckProductID checks a library name.
func (d *driver) CheckProductID(id string) error { _, err := ParseLibraryName(id); return err }

// CheckImageID checks a GUID.
func (d *driver) CheckImageID(id string) error { _, err := ParseImageGUID(id); return err }

// List returns the library's images in the order they were added.
func (d *driver) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	imgs, err := d.all(ctx, LibraryName(productID))
	if err != nil {
		return nil, err
	}
	out := make([]shopimg.Image, len(imgs))
	for i, img := range imgs {
		out[i] = d.common(productID, img, i)
	}
	return out, nil
}

// all reads every page of a library and sorts it by id.
func (d *driver) all(ctx context.Context, lib LibraryName) ([]Image, error) {
	var imgs []Image
	for img, err := range d.c.ListImagesIter(ctx, &ListImagesRequest{Library: lib, SortField: SortByID, SortDirection: Ascending}) {
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, img)
	}
	slices.SortStableFunc(imgs, func(a, b Image) int { return cmp.Compare(a.ID, b.ID) })
	return imgs, nil
}

func (d *driver) common(productID string, img Image, pos int) shopimg.Image {
	updated := img.DateUpdated.Time
	if updated.IsZero() {
		updated = img.DateAdded.Time
	}
	return shopimg.Image{
		ID:           img.GUID.String(),
		ProductID:    productID,
		URL:          cmp.Or(img.PrivateHiresURI, img.PublicPreviewURI, img.PublicThumbnailURI),
		ThumbnailURL: cmp.Or(img.PublicThumbnailURI, img.PublicPreviewURI),
		Alt:          img.Title,
		Position:     pos,
		Width:        int(img.PixW),
		Height:       int(img.PixH),
		UpdatedAt:    updated,
		Raw:          img,
	}
}

// addImageFor maps a NewImage onto add_image_details.
func addImageFor(img shopimg.NewImage) AddImage {
	return AddImage{
		Title:              img.Alt,
		FileName:           fileName(img.SourceURL),
		PrivateHiresURI:    img.SourceURL,
		PublicPreviewURI:   img.SourceURL,
		PublicThumbnailURI: img.SourceURL,
	}
}

// fileName is the last segment of the URL's path, unescaped, or
// "image.jpg".
func fileName(src string) string {
	u, err := url.Parse(src)
	if err != nil {
		return "image.jpg"
	}
	name := path.Base(u.Path)
	if name == "." || name == "/" || name == "" {
		return "image.jpg"
	}
	return name
}

// newest asks for the library's most recently added page of images.
func newest(lib LibraryName) *ListImagesRequest {
	return &ListImagesRequest{Library: lib, PerPage: MaxPerPage, SortField: SortByID, SortDirection: Descending}
}

// Add registers the source URL in the library and finds the new image: in
// add_images' answer when it carries it, otherwise as the image that was
// not among the library's newest before the add and is after (see the
// package documentation).
func (d *driver) Add(ctx context.Context, call guard.AddCall) (shopimg.Image, error) {
	lib := LibraryName(call.ProductID)
	req := addImageFor(call.Image)
	before, _, err := d.c.ListImages(ctx, newest(lib))
	if err != nil {
		return shopimg.Image{}, err
	}
	created, _, err := d.c.AddImages(ctx, lib, []AddImage{req})
	if err != nil {
		return shopimg.Image{}, err
	}
	img, ok := pick(created, req)
	if !ok {
		if img, err = d.find(ctx, lib, req, before); err != nil {
			return shopimg.Image{}, err
		}
	}
	pos, err := d.position(ctx, lib, before, img)
	got := d.common(call.ProductID, img, pos)
	if err != nil {
		return got, guard.Added(got, "list the library to tell its position", err)
	}
	return got, nil
}

// find looks for the image an add_images call whose answer did not carry
// it created: among the newest images, one absent before the add (see
// pick). Not finding exactly one leaves the add's outcome unknown to the
// caller, who must list the library before adding again.
func (d *driver) find(ctx context.Context, lib LibraryName, req AddImage, before *ImagePage) (Image, error) {
	after, _, err := d.c.ListImages(ctx, newest(lib))
	if err != nil {
		return Image{}, fmt.Errorf("%s: add_images succeeded, but listing %s to find the new image failed: %w: %w", platform, lib, shopimg.ErrOutcomeUnknown, err)
	}
	old := make(map[ImageGUID]bool, len(before.Images))
	for _, img := range before.Images {
		old[img.GUID] = true
	}
	fresh := slices.DeleteFunc(after.Images, func(img Image) bool { return old[img.GUID] || img.GUID == "" })
	if img, ok := pick(fresh, req); ok {
		return img, nil
	}
	return Image{}, fmt.Errorf("%s: add_images succeeded without naming the new image, and %d new images of %s match it: %w: list the library before adding it again",
		platform, len(fresh), lib, shopimg.ErrOutcomeUnknown)
}

// pick returns the image of imgs (an add_images answer, or the images
// new since the add) that the add of req made: the only one with a GUID,
// when it carries the title sent (whatever the API did to its file name
// and URIs); otherwise the only one that also has the same full-size or
// preview URI, or else the same file name up to what sanitizing changes
// (case, punctuation).
func pick(imgs []Image, req AddImage) (Image, bool) {
	var titled []Image
	for _, img := range imgs {
		if guidReason(string(img.GUID)) == "" && strings.TrimSpace(img.Title) == strings.TrimSpace(req.Title) {
			titled = append(titled, img)
		}
	}
	if len(titled) == 1 {
		return titled[0], true
	}
	var like []Image
	for _, img := range titled {
		if req.PrivateHiresURI != "" && img.PrivateHiresURI == req.PrivateHiresURI ||
			req.PublicPreviewURI != "" && img.PublicPreviewURI == req.PublicPreviewURI ||
			fold(img.FileName) != "" && fold(img.FileName) == fold(req.FileName) {
			like = append(like, img)
		}
	}
	if len(like) == 1 {
		return like[0], true
	}
	return Image{}, false
}

// fold keeps the letters and digits of s, in lower case.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return r
		case 'A' <= r && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}

// position returns the new image's index in List: the number of images
// added before it. The listing Add made before the add tells it when it
// held the whole library (fewer than a page) or its count is plainly the
// library's total; otherwise the library is listed.
func (d *driver) position(ctx context.Context, lib LibraryName, before *ImagePage, img Image) (int, error) {
	n, per := len(before.Images), MaxPerPage
	if before.PerPage > 0 {
		per = min(per, int(before.PerPage))
	}
	switch {
	case n < per:
		pos := 0
		for _, b := range before.Images {
			if img.ID == 0 || b.ID < img.ID {
				pos++
			}
		}
		return pos, nil
	case int(before.Count) > n:
		return int(before.Count), nil
	}
	imgs, err := d.all(ctx, lib)
	if err != nil {
		return -1, err
	}
	if i := slices.IndexFunc(imgs, func(x Image) bool { return x.GUID == img.GUID }); i >= 0 {
		return i, nil
	}
	return len(imgs), nil
}

// Update changes the image's title, sending its description unchanged.
func (d *driver) Update(ctx context.Context, call guard.UpdateCall) (shopimg.Image, error) {
	img := call.Current[call.From].Raw.(Image)
	img.Title = *call.Alt
	if _, err := d.c.UpdateImages(ctx, []UpdateImage{{GUID: img.GUID, Title: img.Title, Description: img.Description}}); err != nil {
		return shopimg.Image{}, err
	}
	return d.common(call.ProductID, img, call.From), nil
}

// UpdateImages changes the titles of call.Alt, in update_images calls of
// MaxUpdateImagesPerCall images, each sent with its description unchanged.
func (d *driver) UpdateImages(ctx context.Context, call guard.BatchCall) ([]shopimg.Image, error) {
	cur := guard.Raw[Image](call.Current)
	var changes []UpdateImage
	for i, img := range cur {
		if alt, ok := call.Alt[img.GUID.String()]; ok {
			cur[i].Title = alt
			changes = append(changes, UpdateImage{GUID: img.GUID, Title: alt, Description: img.Description})
		}
	}
	if len(changes) > 0 {
		if _, err := d.c.UpdateImages(ctx, changes); err != nil {
			return nil, err
		}
	}
	out := make([]shopimg.Image, len(cur))
	for i, img := range cur {
		out[i] = d.common(call.ProductID, img, i)
	}
	return out, nil
}

// Reorder is never called: a library has no order, so the guard refuses
// it from the capabilities, and nothing is sent.
func (d *driver) Reorder(context.Context, guard.ReorderCall) error {
	return &shopimg.UnsupportedError{Platform: platform, Operation: string(guard.OpReorder), Reason: d.Reason(guard.OpReorder)}
}

// Delete deletes an image after checking it is in the library.
func (d *driver) Delete(ctx context.Context, productID, imageID string) error {
	lib, guid := LibraryName(productID), ImageGUID(imageID)
	page, _, err := d.c.ListImages(ctx, &ListImagesRequest{Library: lib, GUIDFilter: []ImageGUID{guid}, PerPage: MaxPerPage})
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(page.Images, func(img Image) bool { return strings.EqualFold(string(img.GUID), imageID) }) {
		return guard.NotFound(platform, productID, imageID)
	}
	_, err = d.c.DeleteImages(ctx, lib, []ImageGUID{guid})
	return err
}
