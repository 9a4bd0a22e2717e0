package bigcommerce

import (
	"context"
	"fmt"
	"slices"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
)

// ProductImages returns the client as a shopimg.ProductImages on the v3
// catalog API. Product and image IDs are the decimal IDs of the API; an ID
// that is not a positive decimal number is invalid input. See the package
// documentation for how the common model maps onto BigCommerce and what
// each operation costs.
func (c *Client) ProductImages() shopimg.ProductImages { return guard.New(&driver{c: c}) }

// driver is the adapter's BigCommerce side; package guard checks every
// argument and capability before calling it.
type driver struct{ c *Client }

var _ guard.AddChecker = (*driver)(nil)

// Platform names the package.
func (d *driver) Platform() string { return platform }

// Capabilities reports BigCommerce v3: URL and file adds with sort_order
// and is_thumbnail, per-image moves, the main image being the one flagged
// is_thumbnail (MainIsFlag), up to MaxImagesPerProduct images.
func (d *driver) Capabilities() shopimg.Capabilities {
	return shopimg.Capabilities{
		List: true, AddFromURL: true, AddFromFile: true, AddAtPosition: true,
		Update: true, Delete: true, Reorder: true, SetMain: true,
		MainIsFlag: true, MaxImages: MaxImagesPerProduct,
	}
}

// CheckProductID checks a decimal product ID.
func (d *driver) CheckProductID(id string) error { _, err := ParseProductID(id); return err }

// CheckImageID checks a decimal image ID.
func (d *driver) CheckImageID(id string) error { _, err := ParseImageID(id); return err }

// CheckAdd checks the image_url length and the upload limit.
func (d *driver) CheckAdd(img shopimg.NewImage) error {
	if img.SourceURL != "" {
		return checkImageURL(img.SourceURL)
	}
	_, _, err := d.c.limitFile(img.File)
	return err
}

// toImage maps a v3 image at display position pos to the common model.
// Main is set only on an image the store flags is_thumbnail: a product with
// images and no thumbnail has no main image until one is set.
func toImage(img Image, pos int) shopimg.Image {
	url := img.URLZoom
	for _, u := range []string{img.URLStandard, img.ImageURL} {
		if url == "" {
			url = u
		}
	}
	return shopimg.Image{
		ID:           img.ID.String(),
		ProductID:    img.ProductID.String(),
		URL:          url,
		ThumbnailURL: img.URLThumbnail,
		Alt:          img.Description,
		Position:     pos,
		Main:         img.IsThumbnail && pos == 0,
		UpdatedAt:    img.DateModified,
		Raw:          img,
	}
}

func toImages(imgs []Image) []shopimg.Image {
	out := make([]shopimg.Image, len(imgs))
	for i, img := range imgs {
		out[i] = toImage(img, i)
	}
	return out
}

// raw returns the typed images behind the guard's listing.
func raw(imgs []shopimg.Image) []Image {
	out := make([]Image, len(imgs))
	for i, img := range imgs {
		out[i] = img.Raw.(Image)
	}
	return out
}

// current returns the product's images in display order.
func (d *driver) current(ctx context.Context, pid ProductID) ([]Image, error) {
	var imgs []Image
	for img, err := range d.c.ListImagesIter(ctx, pid, nil) {
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, img)
	}
	return displayOrder(imgs), nil
}

// List returns the images in display order: by sort_order, then ID, with
// the thumbnail (Main) first. It reads every page, MaxPageLimit images a
// call.
func (d *driver) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	pid, _ := ParseProductID(productID)
	imgs, err := d.current(ctx, pid)
	if err != nil {
		return nil, err
	}
	return toImages(imgs), nil
}

// Add creates the image: from a source URL as JSON image_url, or from a
// file as a streamed multipart image_file. Position 0 sends is_thumbnail;
// any position is sent as the sort_order that puts the image there. When
// the rule cannot place it in that one call (tied sort_orders, or an old
// thumbnail that is not first among the others), moves follow as in
// Reorder. Once the create answered with an image, a failure of what
// follows returns the image with an error matching shopimg.ErrAdded.
func (d *driver) Add(ctx context.Context, call guard.AddCall) (shopimg.Image, error) {
	pid, _ := ParseProductID(call.ProductID)
	cur, pos, img := raw(call.Current), call.Position, call.Image
	so := insertSortOrder(cur, pos)
	thumb := pos == 0
	var created Image
	var err error
	if img.SourceURL != "" {
		created, _, err = d.c.CreateImage(ctx, pid, CreateImageRequest{ImageURL: img.SourceURL, IsThumbnail: thumb, SortOrder: so, Description: img.Alt})
	} else {
		created, _, err = d.c.UploadImage(ctx, pid, UploadImageRequest{File: img.File, IsThumbnail: thumb, SortOrder: so, Description: img.Alt})
	}
	if err != nil {
		return shopimg.Image{}, err
	}
	added := toImage(created, pos)
	// The expected state: cur with the new image inserted by the rule.
	state := append(slices.Clone(cur), created)
	if so != nil || thumb {
		simulate(state, created.ID, so, thumb)
	}
	target := slices.Insert(idsOf(cur), pos, created.ID)
	positioned := img.Position != nil || img.Main
	if !slices.Equal(idsOf(displayOrder(slices.Clone(state))), target) || (positioned && d.c.reorderCheck) {
		// A position was asked for: the create's own shift is checked
		// like a move (the docs state the rule for updates only).
		final, err := d.arrange(ctx, pid, state, target, nil, positioned)
		if err != nil {
			return added, guard.Added(added, fmt.Sprintf("move it to position %d", pos), err)
		}
		state = final
	}
	i := indexOf(state, created.ID)
	if i < 0 {
		return added, guard.Added(added, "find it in the product's images", guard.Changed(platform, call.ProductID, fmt.Sprintf("image %d is not listed after it was created", created.ID)))
	}
	return toImage(state[i], pos), nil
}

// insertSortOrder returns the sort_order that inserts a new image at
// display position pos of cur (display order) under the rule, or nil for a
// product without images (the first image is the thumbnail anyway).
func insertSortOrder(cur []Image, pos int) *int {
	if len(cur) == 0 {
		return nil
	}
	if pos == 0 {
		// The new thumbnail goes before everything (its sort_order does
		// not matter for display; being first keeps the old thumbnail
		// first among the others).
		low, _ := minSortOrder(cur, 0)
		return new(low)
	}
	rest := cur[1:]
	if !cur[0].IsThumbnail {
		rest = cur
	}
	i := pos - 1 // index of the new image among the non-thumbnail images
	if !cur[0].IsThumbnail {
		i = pos
	}
	switch {
	case i > 0:
		return new(rest[i-1].SortOrder + 1)
	case len(rest) > 0:
		low, _ := minSortOrder(rest, 0)
		return new(low)
	}
	return new(cur[0].SortOrder + 1)
}

// arrange brings the product, whose images are believed to be state, into
// the display order target with the fewest PUTs (planOrder), adding the
// fields of extra to the PUT of the same image (or sending them alone).
// With the reorder check on and anything written (by these PUTs, or before
// when wrote is set), it lists the product again; if the order is not
// target, it renumbers every image from the listed state and checks once
// more. It returns the images afterwards in display order. A listing that
// no longer holds target's images (someone deleted or added one meanwhile)
// is an error matching shopimg.ErrConflict.
func (d *driver) arrange(ctx context.Context, pid ProductID, state []Image, target []ImageID, extra *put, wrote bool) ([]Image, error) {
	var written []ImageID
	if extra != nil {
		written = append(written, extra.id)
	}
	puts, final := planOrder(state, target, written...)
	puts = fold(puts, extra)
	if err := d.send(ctx, pid, puts, final); err != nil {
		return nil, err
	}
	if !d.c.reorderCheck || (len(puts) == 0 && !wrote) {
		return final, nil
	}
	got, err := d.current(ctx, pid)
	if err != nil {
		return nil, err
	}
	if slices.Equal(idsOf(got), target) {
		return got, nil
	}
	if !sameImages(got, target) {
		return nil, guard.Changed(platform, pid.String(), fmt.Sprintf("asked for %v, listed %v", target, idsOf(got)))
	}
	puts, _ = renumber(got, target)
	if err := d.send(ctx, pid, puts, nil); err != nil {
		return nil, err
	}
	if got, err = d.current(ctx, pid); err != nil {
		return nil, err
	}
	if !slices.Equal(idsOf(got), target) {
		if !sameImages(got, target) {
			return nil, guard.Changed(platform, pid.String(), fmt.Sprintf("asked for %v, listed %v", target, idsOf(got)))
		}
		return nil, fmt.Errorf("bigcommerce: product %d: the store did not apply sort_order as documented; asked for %v, listed %v: %w", pid, target, idsOf(got), shopimg.ErrConflict)
	}
	return got, nil
}

// sameImages reports whether imgs holds exactly the images of ids.
func sameImages(imgs []Image, ids []ImageID) bool {
	got := idsOf(imgs)
	slices.Sort(got)
	want := slices.Sorted(slices.Values(ids))
	return slices.Equal(got, want)
}

// fold adds extra's fields to the PUT of the same image, or appends it.
func fold(puts []put, extra *put) []put {
	if extra == nil {
		return puts
	}
	for i := range puts {
		if puts[i].id == extra.id {
			if extra.req.Description != nil {
				puts[i].req.Description = extra.req.Description
			}
			return puts
		}
	}
	return append(puts, *extra)
}

// send issues the PUTs in order, and copies each answer's fields other than
// sort_order (which later PUTs may shift) into final, when given.
func (d *driver) send(ctx context.Context, pid ProductID, puts []put, final []Image) error {
	for _, p := range puts {
		got, _, err := d.c.UpdateImage(ctx, pid, p.id, p.req)
		if err != nil {
			return err
		}
		if i := indexOf(final, p.id); i >= 0 {
			got.SortOrder, got.IsThumbnail = final[i].SortOrder, final[i].IsThumbnail
			final[i] = got
		}
	}
	return nil
}

// Update sends one PUT for the alt text (description), and for a move or a
// new main image the moves Reorder would send for the resulting order, the
// alt text riding on the moved image's PUT.
func (d *driver) Update(ctx context.Context, call guard.UpdateCall) (shopimg.Image, error) {
	pid, _ := ParseProductID(call.ProductID)
	iid, _ := ParseImageID(call.ImageID)
	cur := raw(call.Current)
	var extra *put
	if call.Alt != nil {
		extra = &put{id: iid, req: UpdateImageRequest{Description: call.Alt}}
	}
	if call.To == call.From && !call.Main {
		got, _, err := d.c.UpdateImage(ctx, pid, iid, extra.req)
		if err != nil {
			return shopimg.Image{}, err
		}
		return toImage(got, call.From), nil
	}
	target := make([]ImageID, len(call.Target))
	for i, s := range call.Target {
		target[i], _ = ParseImageID(s)
	}
	final, err := d.arrange(ctx, pid, cur, target, extra, false)
	if err != nil {
		return shopimg.Image{}, err
	}
	i := indexOf(final, iid)
	if i < 0 {
		return shopimg.Image{}, guard.Changed(platform, call.ProductID, fmt.Sprintf("image %d is not listed after the update", iid))
	}
	return toImage(final[i], call.To), nil
}

// Reorder sends the fewest PUTs the sort_order rule allows (see planOrder
// for the exact count). With the reorder check on (the default) and
// anything written, it lists the product once more to confirm.
func (d *driver) Reorder(ctx context.Context, call guard.ReorderCall) error {
	pid, _ := ParseProductID(call.ProductID)
	target := make([]ImageID, len(call.Target))
	for i, s := range call.Target {
		target[i], _ = ParseImageID(s)
	}
	_, err := d.arrange(ctx, pid, raw(call.Current), target, nil, false)
	return err
}

// Delete deletes the image. If it was the thumbnail, BigCommerce may pick
// the next main image itself, or leave the product without one (the docs
// do not say); List reports Main only on a flagged image either way.
func (d *driver) Delete(ctx context.Context, productID, imageID string) error {
	pid, _ := ParseProductID(productID)
	iid, _ := ParseImageID(imageID)
	_, err := d.c.DeleteImage(ctx, pid, iid)
	return err
}
