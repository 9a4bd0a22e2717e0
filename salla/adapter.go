package salla

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
)

// ProductImages returns the client as a shopimg.ProductImages. Product and
// image IDs are the decimal IDs of the API; an ID that is not a positive
// decimal number is invalid input. Videos of a gallery are not listed, and
// keep their places when the pictures around them move. See the package
// documentation for how the common model maps onto Salla and what each
// operation costs.
func (c *Client) ProductImages() shopimg.ProductImages {
	return guard.New(&driver{c: c, seen: map[ProductID][][]ProductImage{}})
}

// driver is the adapter's Salla side; package guard checks every argument
// and capability before calling it.
type driver struct {
	c *Client

	// seen holds the last galleries listed per product (videos included,
	// newest first), so that a write after the guard's listing need not
	// read the product again to find the videos; a gallery is used only
	// when its pictures are exactly the ones the guard passes.
	mu   sync.Mutex
	seen map[ProductID][][]ProductImage
}

// Bounds of the galleries remembered: products, and galleries per product
// (several goroutines may list the same product between a listing and its
// write).
const (
	maxSeen        = 256
	maxSeenPerItem = 4
)

// Platform names the package.
func (d *driver) Platform() string { return platform }

// Capabilities reports Salla: URL and file adds with sort and default,
// per-image moves through the update call, the main image being the one
// flagged default (MainIsFlag), and the client's per-product image limit.
func (d *driver) Capabilities() shopimg.Capabilities {
	return shopimg.Capabilities{
		List: true, AddFromURL: true, AddFromFile: true, AddAtPosition: true,
		Update: true, Delete: true, Reorder: true, SetMain: true,
		MainIsFlag: true, MaxImages: d.c.maxImages,
	}
}

// CheckProductID checks a decimal product ID.
func (d *driver) CheckProductID(id string) error { _, err := ParseProductID(id); return err }

// CheckImageID checks a decimal image ID.
func (d *driver) CheckImageID(id string) error { _, err := ParseImageID(id); return err }

// gallery reads the product and returns its gallery in display order,
// remembering it.
func (d *driver) gallery(ctx context.Context, pid ProductID) ([]ProductImage, error) {
	p, _, err := d.c.GetProduct(ctx, pid)
	if err != nil {
		return nil, err
	}
	g := display(p.Images)
	d.mu.Lock()
	if _, ok := d.seen[pid]; !ok && len(d.seen) >= maxSeen {
		clear(d.seen)
	}
	hist := append([][]ProductImage{g}, d.seen[pid]...)
	d.seen[pid] = hist[:min(len(hist), maxSeenPerItem)]
	d.mu.Unlock()
	return g, nil
}

// current returns the gallery the guard's listing cur was taken from: the
// remembered one when its pictures are cur's, else a fresh read (which
// must still hold cur's pictures, or the product changed meanwhile).
func (d *driver) current(ctx context.Context, pid ProductID, cur []shopimg.Image) ([]ProductImage, error) {
	d.mu.Lock()
	hist := d.seen[pid]
	d.mu.Unlock()
	for _, g := range hist {
		if samePictures(g, cur) {
			return g, nil
		}
	}
	g, err := d.gallery(ctx, pid)
	if err != nil {
		return nil, err
	}
	if !samePictures(g, cur) {
		return g, errChanged
	}
	return g, nil
}

// errChanged is current's error for a gallery whose pictures are no longer
// those of the guard's listing; the gallery read is returned with it.
var errChanged = guard.Changed(platform, "", "the gallery differs from the listing the call was checked against")

// samePictures reports whether g's pictures are cur's, in the same order
// and with the same sort values.
func samePictures(g []ProductImage, cur []shopimg.Image) bool {
	pics := pictures(g)
	if len(pics) != len(cur) || len(cur) == 0 && g == nil {
		return false
	}
	for i, p := range pics {
		r, ok := cur[i].Raw.(ProductImage)
		if !ok || r.ID != p.ID || r.Sort != p.Sort || r.Main != p.Main {
			return false
		}
	}
	return true
}

// pictures returns the pictures of g (no videos).
func pictures(g []ProductImage) []ProductImage {
	out := make([]ProductImage, 0, len(g))
	for _, it := range g {
		if !it.IsVideo() {
			out = append(out, it)
		}
	}
	return out
}

// toImage maps a picture at display position pos to the common model.
func toImage(pid ProductID, p ProductImage, pos int) shopimg.Image {
	return shopimg.Image{
		ID:        p.ID.String(),
		ProductID: pid.String(),
		URL:       string(p.URL),
		Alt:       string(p.Alt),
		Position:  pos,
		Main:      pos == 0,
		Raw:       p,
	}
}

// List returns the pictures in display order (see Product.Gallery); videos
// are left out. The first picture is the main one: the one flagged main,
// or, when none is, the first by sort.
func (d *driver) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	pid, _ := ParseProductID(productID)
	g, err := d.gallery(ctx, pid)
	if err != nil {
		return nil, err
	}
	pics := pictures(g)
	out := make([]shopimg.Image, len(pics))
	for i, p := range pics {
		out[i] = toImage(pid, p, i)
	}
	return out, nil
}

// Delete deletes the picture. The API's delete takes the image ID alone,
// and would delete another product's image, or a video, as readily: the
// adapter first checks the ID is a picture of the product (from the last
// listing, else by reading the product). When it was the main image, the
// next picture becomes the main one (the store moves the flag, or no
// picture is flagged and the first is main).
func (d *driver) Delete(ctx context.Context, productID, imageID string) error {
	iid, _ := ParseImageID(imageID)
	pid, _ := ParseProductID(productID)
	if !d.seenPicture(pid, iid) {
		g, err := d.gallery(ctx, pid)
		if err != nil {
			return err
		}
		if i := indexByID(g, iid); i < 0 || g[i].IsVideo() {
			return guard.NotFound(platform, productID, imageID)
		}
	}
	d.forget(pid)
	_, err := d.c.DeleteImage(ctx, iid)
	return err
}

// seenPicture reports whether a remembered gallery of pid holds the
// picture iid (image IDs never move to another product).
func (d *driver) seenPicture(pid ProductID, iid ImageID) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, g := range d.seen[pid] {
		if i := indexByID(g, iid); i >= 0 && !g[i].IsVideo() {
			return true
		}
	}
	return false
}

// forget drops the remembered galleries of pid.
func (d *driver) forget(pid ProductID) {
	d.mu.Lock()
	delete(d.seen, pid)
	d.mu.Unlock()
}

// targetOrder returns the full gallery order that puts the pictures in
// the order pics, each video keeping its place (its index in the
// gallery).
func targetOrder(g []ProductImage, pics []ImageID) []ImageID {
	out := make([]ImageID, len(g))
	k := 0
	for i, it := range g {
		if it.IsVideo() {
			out[i] = it.ID
			continue
		}
		out[i] = pics[k]
		k++
	}
	return out
}

// slots builds the plan input for the gallery g put in the order full
// (entry IDs; 0 for a new image, given as newSlot), where main is the
// picture that must end up main and written the pictures written anyway.
func slots(g []ProductImage, full []ImageID, main ImageID, written map[ImageID]bool, newSlot *slot) []slot {
	byID := make(map[ImageID]ProductImage, len(g))
	for _, it := range g {
		byID[it.ID] = it
	}
	mi, flagged := mainIndex(g)
	curMain := ImageID(0)
	if mi >= 0 {
		curMain = g[mi].ID
	}
	// The current main image stays in place by its flag, whatever its
	// value, unless its value does not put it first among the pictures:
	// then it is left out of the plan, and its flag keeps it first.
	inPlace := mi >= 0 && firstPictureBySort(g) == curMain
	out := make([]slot, 0, len(full))
	for _, id := range full {
		if id == 0 {
			out = append(out, *newSlot)
			continue
		}
		it := byID[id]
		s := slot{id: id, sort: int(it.Sort), main: id == main}
		switch {
		case it.IsVideo():
			s.kind = mustKeep
		case id == main && id != curMain:
			s.kind = mustWrite // the new main image: flag and first place
		case id == main && flagged && !inPlace:
			continue // pinned by its flag (see pinnedWrite)
		case written[id]:
			s.kind = anyway
		case id == main && flagged:
			s.kind = mustKeep
		}
		out = append(out, s)
	}
	return out
}

// firstPictureBySort returns the first picture of g in sort order (ties in
// g's order), 0 if none.
func firstPictureBySort(g []ProductImage) ImageID {
	best := -1
	for i, it := range g {
		if !it.IsVideo() && (best < 0 || it.Sort < g[best].Sort) {
			best = i
		}
	}
	if best < 0 {
		return 0
	}
	return g[best].ID
}

// pinnedWrite returns the write of a flagged main image that stays main but
// is out of its sort place and written anyway (its alt text changes): it
// keeps its value and flag.
func pinnedWrite(g []ProductImage, main ImageID, written map[ImageID]bool) (write, bool) {
	mi, flagged := mainIndex(g)
	if mi < 0 || !flagged || g[mi].ID != main || !written[main] || firstPictureBySort(g) == main {
		return write{}, false
	}
	return write{id: main, sort: int(g[mi].Sort), main: true}, true
}

// renamed returns ids with the renames applied.
func renamed(ids []ImageID, names map[ImageID]ImageID) []ImageID {
	out := slices.Clone(ids)
	for i, id := range out {
		if n, ok := names[id]; ok {
			out[i] = n
		}
	}
	return out
}

// galleryIDs returns the entry IDs of g.
func galleryIDs(g []ProductImage) []ImageID {
	out := make([]ImageID, len(g))
	for i, it := range g {
		out[i] = it.ID
	}
	return out
}

// indexByID returns the index of the entry with ID id, or -1.
func indexByID(g []ProductImage, id ImageID) int {
	return slices.IndexFunc(g, func(it ProductImage) bool { return it.ID == id })
}

// errNoURL is an update of a picture whose URL is unknown, which the
// update's required photo cannot do without.
func errNoURL(pid ProductID, id ImageID) error {
	return fmt.Errorf("salla: product %d: image %d has no URL to send as its photo, which every update requires: %w", pid, id, shopimg.ErrUnsupported)
}
