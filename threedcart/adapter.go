package threedcart

import (
	"cmp"
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
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
func (c *Client) ProductImages() shopimg.ProductImages { return guard.New(&driver{c: c}) }

// driver is the adapter's 3dcart side; package guard checks every argument
// and capability before calling it.
type driver struct{ c *Client }

var (
	_ guard.Batcher  = (*driver)(nil)
	_ guard.Reasoner = (*driver)(nil)
)

// Platform names the package.
func (d *driver) Platform() string { return platform }

// Capabilities reports shopimgtest.ThreeDCartProfile: URL adds that append,
// caption updates, one-call reorders and batch updates; no file upload, no
// delete, no way to set the main image.
func (d *driver) Capabilities() shopimg.Capabilities {
	return shopimg.Capabilities{
		List: true, AddFromURL: true,
		Update: true, Reorder: true, BatchReorder: true, BatchUpdate: true,
		KeepsSourceURL: true,
	}
}

// Reason says why 3dcart cannot do op.
func (d *driver) Reason(op guard.Operation) string {
	switch op {
	case guard.OpDelete:
		return "the API has no image delete endpoint"
	case guard.OpAddFile:
		return "the API takes a path or URL in ImageGalleryFile, never the bytes"
	case guard.OpAddAt, guard.OpAddMain:
		return "adds append (what a colliding ImageGallerySorting does is undocumented); reorder afterwards"
	case guard.OpSetMain:
		return "the product's main image is its MainImageFile, outside the gallery; reorder to put an image first in the gallery"
	}
	return ""
}

// CheckProductID checks a decimal CatalogID.
func (d *driver) CheckProductID(id string) error { _, err := ParseCatalogID(id); return err }

// CheckImageID checks a decimal ImageGalleryID.
func (d *driver) CheckImageID(id string) error { _, err := ParseImageGalleryID(id); return err }

// gallery reads every page of the product's gallery and sorts it into
// display order.
func (d *driver) gallery(ctx context.Context, pid CatalogID) ([]Image, error) {
	var imgs []Image
	for img, err := range d.c.ListImagesIter(ctx, pid, nil) {
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

func (d *driver) common(productID string, img Image, pos int) shopimg.Image {
	return shopimg.Image{
		ID:        img.ImageGalleryID.String(),
		ProductID: productID,
		URL:       d.c.ImageURL(img),
		Alt:       img.ImageGalleryCaption,
		Position:  pos,
		Main:      pos == 0,
		Raw:       img,
	}
}

func (d *driver) commonAll(productID string, imgs []Image) []shopimg.Image {
	out := make([]shopimg.Image, len(imgs))
	for i, img := range imgs {
		out[i] = d.common(productID, img, i)
	}
	return out
}

// ImageURL returns img.ImageGalleryFile as an absolute URL: as it is when it
// already is one, otherwise resolved against the store's SecureURL (a path
// such as "assets/images/shoe.jpg" is a file of the store: the API
// documents the field as "a path or URL string"). It returns the field unchanged when
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
func (d *driver) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	pid, _ := ParseCatalogID(productID)
	imgs, err := d.gallery(ctx, pid)
	if err != nil {
		return nil, err
	}
	return d.commonAll(productID, imgs), nil
}

// Add appends an image fetched from the source URL, with a sorting after
// the current last.
func (d *driver) Add(ctx context.Context, call guard.AddCall) (shopimg.Image, error) {
	pid, _ := ParseCatalogID(call.ProductID)
	cur := guard.Raw[Image](call.Current)
	sorting := 1
	if len(cur) > 0 {
		sorting = slices.MaxFunc(cur, func(x, y Image) int { return cmp.Compare(x.ImageGallerySorting, y.ImageGallerySorting) }).ImageGallerySorting + 1
	}
	req := CreateImageRequest{ImageGalleryFile: call.Image.SourceURL, ImageGalleryCaption: call.Image.Alt, ImageGallerySorting: sorting}
	id, _, err := d.c.CreateImage(ctx, pid, req)
	if err != nil {
		return shopimg.Image{}, err
	}
	stored := Image{ImageGalleryID: id, ImageGalleryFile: req.ImageGalleryFile, ImageGalleryCaption: req.ImageGalleryCaption, ImageGallerySorting: sorting}
	return d.common(call.ProductID, stored, len(cur)), nil
}

// Update changes an image's caption (one PUT of the image) or position (one
// collection PUT, with the caption if both change).
func (d *driver) Update(ctx context.Context, call guard.UpdateCall) (shopimg.Image, error) {
	pid, _ := ParseCatalogID(call.ProductID)
	cur := guard.Raw[Image](call.Current)
	if call.To != call.From {
		b := guard.BatchCall{ProductID: call.ProductID, Current: call.Current, Order: call.Target}
		if call.Alt != nil {
			b.Alt = map[string]string{call.ImageID: *call.Alt}
		}
		after, err := d.apply(ctx, pid, cur, b)
		if err != nil {
			return shopimg.Image{}, err
		}
		return d.common(call.ProductID, after[call.To], call.To), nil
	}
	img := cur[call.From]
	img.ImageGalleryCaption = *call.Alt
	if _, _, err := d.c.UpdateImage(ctx, pid, img); err != nil {
		return shopimg.Image{}, err
	}
	return d.common(call.ProductID, img, call.From), nil
}

// Reorder puts the gallery in the order of imageIDs with one collection PUT.
func (d *driver) Reorder(ctx context.Context, call guard.ReorderCall) error {
	_, err := d.UpdateImages(ctx, guard.BatchCall{ProductID: call.ProductID, Current: call.Current, Order: call.Target})
	return err
}

// UpdateImages applies the order and captions of call in one collection PUT.
func (d *driver) UpdateImages(ctx context.Context, call guard.BatchCall) ([]shopimg.Image, error) {
	pid, _ := ParseCatalogID(call.ProductID)
	after, err := d.apply(ctx, pid, guard.Raw[Image](call.Current), call)
	if err != nil {
		return nil, err
	}
	return d.commonAll(call.ProductID, after), nil
}

// apply renumbers ImageGallerySorting 1..n in call's order (when it has
// one), sets its captions, sends the images whose sorting or caption
// changes in one collection PUT, and returns the gallery afterwards in
// display order.
func (d *driver) apply(ctx context.Context, pid CatalogID, cur []Image, call guard.BatchCall) ([]Image, error) {
	pos := make(map[string]int, len(cur))
	for i, img := range cur {
		pos[img.ImageGalleryID.String()] = i
	}
	next := slices.Clone(cur)
	if call.Order != nil {
		for i, id := range call.Order {
			next[i] = cur[pos[id]]
			next[i].ImageGallerySorting = i + 1
		}
	}
	var changed []Image
	for i := range next {
		id := next[i].ImageGalleryID.String()
		if alt, ok := call.Alt[id]; ok {
			next[i].ImageGalleryCaption = alt
		}
		if cur[pos[id]] != next[i] {
			changed = append(changed, next[i])
		}
	}
	if len(changed) == 0 {
		return cur, nil
	}
	if _, _, err := d.c.UpdateImages(ctx, pid, changed); err != nil {
		return nil, err
	}
	return next, nil
}

// Delete is never called: the API has no image delete endpoint (the help
// index lists GET, POST, PUT and PUT by ID only), so the guard refuses it
// from the capabilities, and nothing is sent.
func (d *driver) Delete(context.Context, string, string) error {
	return &shopimg.UnsupportedError{Platform: platform, Operation: string(guard.OpDelete), Reason: d.Reason(guard.OpDelete)}
}
