package bigcommerce

import (
	"context"
	"fmt"
	"slices"

	"github.com/shopimg/shopimg"
)

// ProductImages returns the client as a shopimg.ProductImages on the v3
// catalog API. Product and image IDs are the decimal IDs of the API; an ID
// that is not a positive decimal number is invalid input. See the package
// documentation for how the common model maps onto BigCommerce and what
// each operation costs.
func (c *Client) ProductImages() shopimg.ProductImages { return &adapter{c: c} }

type adapter struct{ c *Client }

var _ shopimg.ProductImages = (*adapter)(nil)

// Capabilities reports BigCommerce v3: URL and file adds with sort_order
// and is_thumbnail, per-image moves, the main image being the one flagged
// is_thumbnail (MainIsFlag), up to MaxImagesPerProduct images.
func (a *adapter) Capabilities() shopimg.Capabilities {
	return shopimg.Capabilities{
		List: true, AddFromURL: true, AddFromFile: true, AddAtPosition: true,
		Update: true, Delete: true, Reorder: true, SetMain: true,
		MainIsFlag: true, MaxImages: MaxImagesPerProduct,
	}
}

// toImage maps a v3 image at display position pos to the common model.
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

// current returns the product's images in display order.
func (a *adapter) current(ctx context.Context, pid ProductID) ([]Image, error) {
	var imgs []Image
	for img, err := range a.c.ListImagesIter(ctx, pid, nil) {
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
func (a *adapter) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	pid, err := ParseProductID(productID)
	if err != nil {
		return nil, err
	}
	imgs, err := a.current(ctx, pid)
	if err != nil {
		return nil, err
	}
	return toImages(imgs), nil
}

// Add lists the product (to place the image and report its position),
// then creates the image: from img.SourceURL as JSON image_url, or from
// img.File as a streamed multipart image_file. Position 0 or Main sends
// is_thumbnail; any position (the end when nil) is sent as the sort_order
// that puts the image there. When the rule cannot place it in that one call
// (tied sort_orders, or an old thumbnail that is not first among the
// others), moves follow as in Reorder.
func (a *adapter) Add(ctx context.Context, productID string, img shopimg.NewImage) (shopimg.Image, error) {
	pid, err := ParseProductID(productID)
	if err != nil {
		return shopimg.Image{}, err
	}
	if err := img.Validate(); err != nil {
		return shopimg.Image{}, err
	}
	if img.SourceURL != "" {
		err = checkImageURL(img.SourceURL)
	} else {
		_, _, err = a.c.limitFile(img.File)
	}
	if err != nil {
		return shopimg.Image{}, err
	}
	cur, err := a.current(ctx, pid)
	if err != nil {
		return shopimg.Image{}, err
	}
	n := len(cur)
	if n >= MaxImagesPerProduct {
		return shopimg.Image{}, &shopimg.InputError{Field: "productID", Reason: fmt.Sprintf("%d already has %d images, the most BigCommerce allows", pid, n)}
	}
	pos := n
	if img.Position != nil {
		pos = *img.Position
	}
	if img.Main {
		pos = 0
	}
	if err := shopimg.CheckPosition(pos, n+1); err != nil {
		return shopimg.Image{}, err
	}
	so := insertSortOrder(cur, pos)
	thumb := pos == 0
	var created Image
	if img.SourceURL != "" {
		created, err = a.c.CreateImage(ctx, pid, CreateImageRequest{ImageURL: img.SourceURL, IsThumbnail: thumb, SortOrder: so, Description: img.Alt})
	} else {
		created, err = a.c.UploadImage(ctx, pid, UploadImageRequest{File: img.File, IsThumbnail: thumb, SortOrder: so, Description: img.Alt})
	}
	if err != nil {
		return shopimg.Image{}, err
	}
	// The expected state: cur with the new image inserted by the rule.
	state := append(slices.Clone(cur), created)
	if so != nil {
		simulate(state, created.ID, so, thumb)
	} else if thumb {
		simulate(state, created.ID, nil, true)
	}
	target := slices.Insert(idsOf(cur), pos, created.ID)
	positioned := img.Position != nil || img.Main
	if !slices.Equal(idsOf(displayOrder(slices.Clone(state))), target) || (positioned && a.c.reorderCheck) {
		// A position was asked for: the create's own shift is checked
		// like a move (the docs state the rule for updates only).
		final, err := a.arrange(ctx, pid, state, target, nil, positioned)
		if err != nil {
			return shopimg.Image{}, fmt.Errorf("bigcommerce: image %d was added but not placed at position %d: %w", created.ID, pos, err)
		}
		state = final
	}
	i := indexOf(state, created.ID)
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
// more. It returns the images afterwards in display order.
func (a *adapter) arrange(ctx context.Context, pid ProductID, state []Image, target []ImageID, extra *put, wrote bool) ([]Image, error) {
	var written []ImageID
	if extra != nil {
		written = append(written, extra.id)
	}
	puts, final := planOrder(state, target, written...)
	puts = fold(puts, extra)
	if err := a.send(ctx, pid, puts, final); err != nil {
		return nil, err
	}
	if !a.c.reorderCheck || (len(puts) == 0 && !wrote) {
		return final, nil
	}
	got, err := a.current(ctx, pid)
	if err != nil {
		return nil, err
	}
	if slices.Equal(idsOf(got), target) {
		return got, nil
	}
	puts, _ = renumber(got, target)
	if err := a.send(ctx, pid, puts, nil); err != nil {
		return nil, err
	}
	if got, err = a.current(ctx, pid); err != nil {
		return nil, err
	}
	if !slices.Equal(idsOf(got), target) {
		return nil, fmt.Errorf("bigcommerce: product %d: the store did not apply sort_order as documented; asked for %v, listed %v", pid, target, idsOf(got))
	}
	return got, nil
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
func (a *adapter) send(ctx context.Context, pid ProductID, puts []put, final []Image) error {
	for _, p := range puts {
		got, err := a.c.UpdateImage(ctx, pid, p.id, p.req)
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

// Update lists the product, then sends one PUT for the alt text
// (description), and for Position or Main the moves Reorder would send for
// the resulting order, the alt text riding on the moved image's PUT.
func (a *adapter) Update(ctx context.Context, productID, imageID string, u shopimg.ImageUpdate) (shopimg.Image, error) {
	pid, err := ParseProductID(productID)
	if err != nil {
		return shopimg.Image{}, err
	}
	iid, err := ParseImageID(imageID)
	if err != nil {
		return shopimg.Image{}, err
	}
	if err := u.Validate(); err != nil {
		return shopimg.Image{}, err
	}
	cur, err := a.current(ctx, pid)
	if err != nil {
		return shopimg.Image{}, err
	}
	from := indexOf(cur, iid)
	if from < 0 {
		return shopimg.Image{}, fmt.Errorf("bigcommerce: image %d of product %d: %w", iid, pid, shopimg.ErrNotFound)
	}
	to := from
	if u.Position != nil {
		if err := shopimg.CheckPosition(*u.Position, len(cur)); err != nil {
			return shopimg.Image{}, err
		}
		to = *u.Position
	}
	if u.Main != nil {
		to = 0
	}
	var extra *put
	if u.Alt != nil {
		extra = &put{id: iid, req: UpdateImageRequest{Description: u.Alt}}
	}
	target := idsOf(cur)
	target = slices.Insert(slices.Delete(target, from, from+1), to, iid)
	// Position 0 or Main on the first image of a product without a
	// thumbnail makes it the thumbnail, as Reorder would; an alt text alone
	// never touches is_thumbnail.
	claimsMain := to == 0 && !cur[0].IsThumbnail && (u.Position != nil || u.Main != nil)
	if to == from && !claimsMain {
		// No move: at most the alt text.
		if extra == nil {
			return toImage(cur[from], from), nil
		}
		got, err := a.c.UpdateImage(ctx, pid, iid, extra.req)
		if err != nil {
			return shopimg.Image{}, err
		}
		return toImage(got, from), nil
	}
	final, err := a.arrange(ctx, pid, cur, target, extra, false)
	if err != nil {
		return shopimg.Image{}, err
	}
	return toImage(final[indexOf(final, iid)], to), nil
}

// Reorder lists the product, checks imageIDs is a permutation of its
// images, and sends the fewest PUTs the sort_order rule allows (see
// planOrder for the exact count): none when the order already matches.
// With the reorder check on (the default) and anything written, it lists
// the product once more to confirm.
func (a *adapter) Reorder(ctx context.Context, productID string, imageIDs []string) error {
	pid, err := ParseProductID(productID)
	if err != nil {
		return err
	}
	for _, id := range imageIDs {
		if err := shopimg.ValidateID("imageIDs", id); err != nil {
			return err
		}
	}
	cur, err := a.current(ctx, pid)
	if err != nil {
		return err
	}
	if err := shopimg.CheckPermutation(stringIDs(idsOf(cur)), imageIDs); err != nil {
		return err
	}
	target := make([]ImageID, len(imageIDs))
	for i, s := range imageIDs {
		if target[i], err = ParseImageID(s); err != nil {
			return err
		}
	}
	_, err = a.arrange(ctx, pid, cur, target, nil, false)
	return err
}

// Delete deletes the image. If it was the thumbnail, BigCommerce picks the
// next main image itself.
func (a *adapter) Delete(ctx context.Context, productID, imageID string) error {
	pid, err := ParseProductID(productID)
	if err != nil {
		return err
	}
	iid, err := ParseImageID(imageID)
	if err != nil {
		return err
	}
	return a.c.DeleteImage(ctx, pid, iid)
}
