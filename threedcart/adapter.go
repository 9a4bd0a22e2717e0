package threedcart

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/shopimg/shopimg"
)

// ProductImages returns the client as a shopimg.ProductImages, which is also
// a shopimg.BatchUpdater. Product and image IDs are the decimal CatalogID and
// ImageGalleryID.
//
// How the common model maps onto the gallery:
//
//   - List reads every page and returns the gallery in display order:
//     ImageGallerySorting, then ImageGalleryID for equal sortings. The first
//     image is reported as Main. The product's own MainImageFile (and
//     ThumbnailFile) lives on the product, outside the gallery; the adapter
//     neither reads nor changes it.
//   - Add sends NewImage.SourceURL as ImageGalleryFile with a sorting after
//     the current last, and reads the new ID from the answer. It appends
//     only (Capabilities().AddAtPosition is false): the API does not say what
//     a sorting equal to another image's does. File uploads are unsupported:
//     the API takes a path or URL string, never bytes.
//   - Update changes the caption with one PUT of the image, and a Position
//     with one collection PUT. Main is unsupported.
//   - Reorder and UpdateImages renumber ImageGallerySorting 1..n in the new
//     order and send the images whose sorting or caption changes in one
//     collection PUT; nothing when nothing changes.
//   - Delete is unsupported: the API has no image delete endpoint.
//
// Add, Update, Reorder and UpdateImages list the gallery first (reads are
// not writes: a reorder still costs one write).
func (c *Client) ProductImages() shopimg.ProductImages { return &adapter{c: c} }

type adapter struct{ c *Client }

var (
	_ shopimg.ProductImages = (*adapter)(nil)
	_ shopimg.BatchUpdater  = (*adapter)(nil)
)

// Capabilities reports shopimgtest.ThreeDCartProfile: URL adds that append,
// caption updates, one-call reorders and batch updates; no file upload, no
// delete, no way to set the main image.
func (a *adapter) Capabilities() shopimg.Capabilities {
	return shopimg.Capabilities{
		List: true, AddFromURL: true,
		Update: true, Reorder: true, BatchReorder: true, BatchUpdate: true,
	}
}

func unsupported(op, reason string) error {
	return &shopimg.UnsupportedError{Platform: platform, Operation: op, Reason: reason}
}

func notFound(pid CatalogID, id string) error {
	return fmt.Errorf("threedcart: image %s is not in the gallery of product %d: %w", id, pid, shopimg.ErrNotFound)
}

// gallery reads every page of the product's gallery and sorts it into
// display order.
func (a *adapter) gallery(ctx context.Context, pid CatalogID) ([]Image, error) {
	var imgs []Image
	for img, err := range a.c.ListImagesIter(ctx, pid, nil) {
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, img)
	}
	sortGallery(imgs)
	return imgs, nil
}

// sortGallery puts imgs in display order.
func sortGallery(imgs []Image) {
	slices.SortStableFunc(imgs, func(x, y Image) int {
		return cmp.Or(cmp.Compare(x.ImageGallerySorting, y.ImageGallerySorting), cmp.Compare(x.ImageGalleryID, y.ImageGalleryID))
	})
}

func (a *adapter) common(productID string, img Image, pos int) shopimg.Image {
	return shopimg.Image{
		ID:        img.ImageGalleryID.String(),
		ProductID: productID,
		URL:       a.c.ImageURL(img),
		Alt:       img.ImageGalleryCaption,
		Position:  pos,
		Main:      pos == 0,
		Raw:       img,
	}
}

func (a *adapter) commonAll(productID string, imgs []Image) []shopimg.Image {
	out := make([]shopimg.Image, len(imgs))
	for i, img := range imgs {
		out[i] = a.common(productID, img, i)
	}
	return out
}

// ImageURL returns img.ImageGalleryFile as an absolute URL: as it is when it
// already is one, otherwise resolved against the store's SecureURL (a path
// such as "assets/images/shoe.jpg" is a file of the store; VENDORS.md: the
// field holds "a path or URL string"). It returns the field unchanged when
// it cannot be resolved.
func (c *Client) ImageURL(img Image) string {
	file := img.ImageGalleryFile
	if hasHTTPScheme(file) || file == "" || c.store == nil {
		return file
	}
	if simplePath(file) { // the common case, without parsing
		if file[0] == '/' {
			return c.storeOrigin + file
		}
		return c.storeBase + file
	}
	ref, err := url.Parse(strings.TrimSpace(file))
	if err != nil || ref.IsAbs() {
		return file
	}
	return c.store.ResolveReference(ref).String()
}

func hasHTTPScheme(s string) bool {
	return len(s) > 8 && (strings.EqualFold(s[:7], "http://") || strings.EqualFold(s[:8], "https://"))
}

// simplePath reports whether p is a path that resolves by concatenation: only
// characters that need no escaping, no "." or ".." segment, no "//" start.
func simplePath(p string) bool {
	if strings.HasPrefix(p, "//") {
		return false
	}
	for i := 0; i < len(p); i++ {
		switch ch := p[i]; {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9', ch == '/', ch == '-', ch == '_', ch == '~':
		case ch == '.':
			start := i == 0 || p[i-1] == '/'
			if start && (i+1 == len(p) || p[i+1] == '/' || p[i+1] == '.') {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// List returns the product's gallery in display order; the first image is
// reported as the main one.
func (a *adapter) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	pid, err := ParseCatalogID(productID)
	if err != nil {
		return nil, err
	}
	imgs, err := a.gallery(ctx, pid)
	if err != nil {
		return nil, err
	}
	return a.commonAll(productID, imgs), nil
}

// Add appends an image fetched from img.SourceURL.
func (a *adapter) Add(ctx context.Context, productID string, img shopimg.NewImage) (shopimg.Image, error) {
	pid, err := ParseCatalogID(productID)
	if err != nil {
		return shopimg.Image{}, err
	}
	if err := img.Validate(); err != nil {
		return shopimg.Image{}, err
	}
	if img.File != nil {
		return shopimg.Image{}, unsupported("add an image from a file", "the API takes a path or URL in ImageGalleryFile, never the bytes")
	}
	cur, err := a.gallery(ctx, pid)
	if err != nil {
		return shopimg.Image{}, err
	}
	n := len(cur)
	if img.Position != nil && *img.Position != n {
		if err := shopimg.CheckPosition(*img.Position, n+1); err != nil {
			return shopimg.Image{}, err
		}
		return shopimg.Image{}, unsupported("add an image at a position", "adds append (what a colliding ImageGallerySorting does is undocumented); reorder afterwards")
	}
	if img.Main && n > 0 {
		return shopimg.Image{}, unsupported("add an image as the main image", "adds append; reorder afterwards to put it first")
	}
	sorting := 1
	if n > 0 {
		sorting = slices.MaxFunc(cur, func(x, y Image) int { return cmp.Compare(x.ImageGallerySorting, y.ImageGallerySorting) }).ImageGallerySorting + 1
	}
	req := CreateImageRequest{ImageGalleryFile: img.SourceURL, ImageGalleryCaption: img.Alt, ImageGallerySorting: sorting}
	id, err := a.c.CreateImage(ctx, pid, req)
	if err != nil {
		return shopimg.Image{}, err
	}
	stored := Image{ImageGalleryID: id, ImageGalleryFile: req.ImageGalleryFile, ImageGalleryCaption: req.ImageGalleryCaption, ImageGallerySorting: sorting}
	return a.common(productID, stored, n), nil
}

// Update changes an image's caption (one PUT of the image) or position (one
// collection PUT, with the caption if both change).
func (a *adapter) Update(ctx context.Context, productID, imageID string, u shopimg.ImageUpdate) (shopimg.Image, error) {
	pid, err := ParseCatalogID(productID)
	if err != nil {
		return shopimg.Image{}, err
	}
	iid, err := ParseImageGalleryID(imageID)
	if err != nil {
		return shopimg.Image{}, err
	}
	if err := u.Validate(); err != nil {
		return shopimg.Image{}, err
	}
	if u.Main != nil {
		return shopimg.Image{}, unsupported("make an image the main image", "the product's main image is its MainImageFile, outside the gallery; reorder to put an image first in the gallery")
	}
	cur, err := a.gallery(ctx, pid)
	if err != nil {
		return shopimg.Image{}, err
	}
	i := slices.IndexFunc(cur, func(img Image) bool { return img.ImageGalleryID == iid })
	if i < 0 {
		return shopimg.Image{}, notFound(pid, imageID)
	}
	if u.Position != nil {
		if err := shopimg.CheckPosition(*u.Position, len(cur)); err != nil {
			return shopimg.Image{}, err
		}
	}
	if u.Position != nil && *u.Position != i {
		order := ids(cur)
		order = slices.Insert(slices.Delete(order, i, i+1), *u.Position, iid.String())
		b := shopimg.BatchUpdate{Order: order}
		if u.Alt != nil {
			b.Alt = map[string]string{iid.String(): *u.Alt}
		}
		after, err := a.apply(ctx, pid, cur, b)
		if err != nil {
			return shopimg.Image{}, err
		}
		return a.common(productID, after[*u.Position], *u.Position), nil
	}
	img := cur[i]
	if u.Alt == nil || *u.Alt == img.ImageGalleryCaption {
		return a.common(productID, img, i), nil // nothing changes
	}
	img.ImageGalleryCaption = *u.Alt
	if _, err := a.c.UpdateImage(ctx, pid, img); err != nil {
		return shopimg.Image{}, err
	}
	return a.common(productID, img, i), nil
}

// Reorder puts the gallery in the order of imageIDs with one collection PUT,
// or no call when the order already matches.
func (a *adapter) Reorder(ctx context.Context, productID string, imageIDs []string) error {
	if imageIDs == nil {
		imageIDs = []string{} // a permutation only of an empty gallery
	}
	_, err := a.UpdateImages(ctx, productID, shopimg.BatchUpdate{Order: imageIDs})
	return err
}

// UpdateImages applies the order and captions of b in one collection PUT.
func (a *adapter) UpdateImages(ctx context.Context, productID string, b shopimg.BatchUpdate) ([]shopimg.Image, error) {
	pid, err := ParseCatalogID(productID)
	if err != nil {
		return nil, err
	}
	cur, err := a.gallery(ctx, pid)
	if err != nil {
		return nil, err
	}
	after, err := a.apply(ctx, pid, cur, b)
	if err != nil {
		return nil, err
	}
	return a.commonAll(productID, after), nil
}

// apply checks b against the current gallery cur (in display order), sends
// the images whose sorting or caption changes in one collection PUT, and
// returns the gallery afterwards in display order.
func (a *adapter) apply(ctx context.Context, pid CatalogID, cur []Image, b shopimg.BatchUpdate) ([]Image, error) {
	curIDs := ids(cur)
	if b.Order != nil {
		if err := shopimg.CheckPermutation(curIDs, b.Order); err != nil {
			return nil, err
		}
	}
	pos := make(map[string]int, len(cur))
	for i, id := range curIDs {
		pos[id] = i
	}
	for id := range b.Alt {
		if _, ok := pos[id]; !ok {
			return nil, notFound(pid, id)
		}
	}
	next := slices.Clone(cur)
	if b.Order != nil && !slices.Equal(curIDs, b.Order) {
		for i, id := range b.Order {
			next[i] = cur[pos[id]]
			next[i].ImageGallerySorting = i + 1
		}
	}
	var changed []Image
	for i := range next {
		id := next[i].ImageGalleryID.String()
		if alt, ok := b.Alt[id]; ok {
			next[i].ImageGalleryCaption = alt
		}
		if cur[pos[id]] != next[i] {
			changed = append(changed, next[i])
		}
	}
	if len(changed) == 0 {
		return cur, nil
	}
	if _, err := a.c.UpdateImages(ctx, pid, changed); err != nil {
		return nil, err
	}
	return next, nil
}

// Delete is unsupported: the API has no image delete endpoint (VENDORS.md:
// the help index lists GET, POST, PUT and PUT by ID only). Nothing is sent.
func (a *adapter) Delete(_ context.Context, productID, imageID string) error {
	if _, err := ParseCatalogID(productID); err != nil {
		return err
	}
	if _, err := ParseImageGalleryID(imageID); err != nil {
		return err
	}
	return unsupported("delete an image", "the API has no image delete endpoint")
}

func ids(imgs []Image) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.ImageGalleryID.String()
	}
	return out
}
