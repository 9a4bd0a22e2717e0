package salla

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
)

// This file carries out the driver's writes: an Add, an Update or a
// Reorder becomes the writes planWrites chose, sent in order, then, where
// something moved, a check of the order the store shows.

// outcome is what a series of writes did.
type outcome struct {
	// names maps an entry written to the ID the store answered with, when
	// it differs (the store replaced the image; 0 maps to the new image of
	// an Add).
	names map[ImageID]ImageID
	// answers are the store's answers, by the ID written (0: the create).
	answers map[ImageID]Image
}

// send sends ws for product pid, whose gallery is g. alts overrides the
// alt text of an entry; add is the image an entry with ID 0 creates.
func (d *driver) send(ctx context.Context, pid ProductID, g []ProductImage, ws []write, alts map[ImageID]string, add *shopimg.NewImage) (outcome, error) {
	out := outcome{names: map[ImageID]ImageID{}, answers: map[ImageID]Image{}}
	d.forget(pid)
	for _, w := range ws {
		if w.id == 0 {
			req := AttachImageRequest{Photo: Photo{URL: add.SourceURL, File: add.File}, Default: w.main, Sort: new(w.sort), Alt: add.Alt}
			img, _, err := d.c.AttachImage(ctx, pid, req)
			if err != nil {
				return out, err
			}
			out.names[0], out.answers[0] = img.ID, img
			continue
		}
		i := indexByID(g, w.id)
		if i < 0 {
			return out, guard.Changed(platform, pid.String(), fmt.Sprintf("image %d is not in the gallery", w.id))
		}
		it := g[i]
		if it.URL == "" {
			return out, errNoURL(pid, w.id)
		}
		alt := string(it.Alt)
		if a, ok := alts[w.id]; ok {
			alt = a
		}
		// The update needs photo: the image's own URL keeps the picture.
		req := UpdateImageRequest{Photo: Photo{URL: string(it.URL)}, Default: new(w.main), Sort: new(w.sort), Alt: &alt}
		img, _, err := d.c.UpdateImage(ctx, w.id, req)
		if err != nil {
			return out, err
		}
		out.answers[w.id] = img
		if img.ID != w.id {
			out.names[w.id] = img.ID
		}
	}
	return out, nil
}

// settle reads the gallery after writes and returns it when it is in the
// order want (entry IDs, before renames). Entries the store answered with
// a new ID are looked up by it; an entry whose old ID is still listed next
// to its new one (the store copied it instead of replacing it) is deleted.
// When the order is not want, every picture is written again after the
// videos, in want's picture order, and the gallery is read once more.
func (d *driver) settle(ctx context.Context, pid ProductID, want []ImageID, o outcome) ([]ProductImage, error) {
	want = renamed(want, o.names)
	g, err := d.gallery(ctx, pid)
	if err != nil {
		return nil, err
	}
	if g, err = d.dropCopies(ctx, pid, g, o.names); err != nil {
		return nil, err
	}
	if slices.Equal(galleryIDs(g), want) {
		return g, nil
	}
	if !sameSet(galleryIDs(g), want) {
		return nil, guard.Changed(platform, pid.String(), fmt.Sprintf("asked for %v, listed %v", want, galleryIDs(g)))
	}
	var pics []ImageID
	var videos []ImageID
	for _, id := range want {
		if it := g[indexByID(g, id)]; it.IsVideo() {
			videos = append(videos, id)
		} else {
			pics = append(pics, id)
		}
	}
	for _, it := range g {
		if it.IsVideo() {
			videos = slices.DeleteFunc(videos, func(id ImageID) bool { return id == it.ID })
			videos = append(videos, it.ID) // in the order the store shows them
		}
	}
	o2, err := d.send(ctx, pid, g, renumberAfter(pics, topSort(g)), nil, nil)
	if err != nil {
		return nil, err
	}
	want = renamed(append(videos, pics...), o2.names)
	if g, err = d.gallery(ctx, pid); err != nil {
		return nil, err
	}
	if g, err = d.dropCopies(ctx, pid, g, o2.names); err != nil {
		return nil, err
	}
	if !slices.Equal(galleryIDs(g), want) {
		if !sameSet(galleryIDs(g), want) {
			return nil, guard.Changed(platform, pid.String(), fmt.Sprintf("asked for %v, listed %v", want, galleryIDs(g)))
		}
		return nil, fmt.Errorf("salla: product %d: the store did not order the gallery by the sort values written; asked for %v, listed %v: %w", pid, want, galleryIDs(g), shopimg.ErrConflict)
	}
	return g, nil
}

// dropCopies deletes the old entries of renamed ones that are still
// listed, and returns g without them.
func (d *driver) dropCopies(ctx context.Context, pid ProductID, g []ProductImage, names map[ImageID]ImageID) ([]ProductImage, error) {
	for old, id := range names {
		if old == 0 || indexByID(g, old) < 0 {
			continue
		}
		if indexByID(g, id) < 0 {
			return nil, guard.Changed(platform, pid.String(), fmt.Sprintf("image %d was answered as %d, which is not listed", old, id))
		}
		d.forget(pid)
		if _, err := d.c.DeleteImage(ctx, old); err != nil {
			return nil, fmt.Errorf("salla: deleting image %d, which the store copied as %d instead of updating it: %w", old, id, err)
		}
		g = slices.DeleteFunc(slices.Clone(g), func(it ProductImage) bool { return it.ID == old })
	}
	return g, nil
}

func sameSet(a, b []ImageID) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// moved reports whether ws does more than rewrite entries with their own
// values (an alt change): something moves, or a main flag changes.
func moved(g []ProductImage, ws []write) bool {
	for _, w := range ws {
		i := indexByID(g, w.id)
		if i < 0 || int(g[i].Sort) != w.sort || bool(g[i].Main) != w.main {
			return true
		}
	}
	return false
}

// plan returns the writes that put g's pictures in the order pics (the
// first being the main image), writing the pictures of written anyway, and
// the full gallery order expected afterwards. newImg, when not nil, is the
// slot of an image to create, at index at of the full order.
func plan(g []ProductImage, pics []ImageID, written map[ImageID]bool, newImg *slot, at int) ([]write, []ImageID) {
	var full []ImageID
	if newImg != nil {
		full = slices.Insert(galleryIDs(g), at, 0)
	} else {
		full = targetOrder(g, pics)
	}
	ts, lo := slots(g, full, pics[0], written, newImg), lowBound(g)
	ws, ok := planWrites(ts, lo, true)
	if free, _ := planWrites(ts, lo, false); ok && len(ws) > len(free) {
		// The values are too close to move the pictures with the fewest
		// writes: write every picture once, spread apart again, so that
		// the next moves find room.
		if rs, ok := planWrites(respaced(ts), lo, true); ok {
			ws = rs
		}
	}
	if !ok {
		// The free values cannot keep every video in place (ties in the
		// sort values): the pictures go after the videos, in order.
		var videos []ImageID
		for _, it := range g {
			if it.IsVideo() {
				videos = append(videos, it.ID)
			}
		}
		return renumberAfter(pics, topSort(g)), append(videos, pics...)
	}
	if w, ok := pinnedWrite(g, pics[0], written); ok {
		ws = append(ws, w)
	}
	return ws, full
}

func parseIDs(ids []string) []ImageID {
	out := make([]ImageID, len(ids))
	for i, s := range ids {
		out[i], _ = ParseImageID(s)
	}
	return out
}

// picIDs returns the IDs of the pictures of g, in order.
func picIDs(g []ProductImage) []ImageID { return galleryIDs(pictures(g)) }

// Add attaches the image with the sort value that puts it at
// call.Position, and default=1 when it is the new main image (position
// 0). One call, unless the sort values around that place leave no free
// value (they were set outside this package): then the entries after it
// are written too. Once the attach answered with an image, a failure of
// what follows returns the image with an error matching shopimg.ErrAdded.
func (d *driver) Add(ctx context.Context, call guard.AddCall) (shopimg.Image, error) {
	pid, _ := ParseProductID(call.ProductID)
	pos := call.Position
	g, err := d.current(ctx, pid, call.Current)
	if errors.Is(err, errChanged) && pos == len(call.Current) {
		// Someone else changed the gallery since the listing (another
		// goroutine's add): an image to append is appended to it as it
		// is now.
		pos, err = len(pictures(g)), nil
	}
	if err != nil {
		return shopimg.Image{}, changed(pid, err)
	}
	cur := picIDs(g)
	at := len(g) // appended: after everything, so trailing videos keep their places
	if pos < len(cur) {
		at = indexByID(g, cur[pos])
	}
	pics := slices.Insert(slices.Clone(cur), pos, 0)
	var ws []write
	var want []ImageID
	if pos == len(cur) {
		// Appended after everything: nothing else moves, whatever the
		// values of the others (ties included).
		ws, want = []write{{id: 0, sort: topSort(g) + SortStep, main: pos == 0}}, append(galleryIDs(g), 0)
	} else {
		ws, want = plan(g, pics, nil, &slot{id: 0, kind: mustWrite, main: pos == 0}, at)
	}
	o, err := d.send(ctx, pid, g, ws, nil, &call.Image)
	created, ok := o.answers[0]
	if !ok {
		return shopimg.Image{}, err
	}
	img := fromAnswer(pid, created, pos)
	if err != nil {
		return img, guard.Added(img, fmt.Sprintf("place it at position %d", pos), err)
	}
	if (d.c.reorderCheck && (len(ws) > 1 || pos < len(cur))) || len(o.names) > 1 {
		g2, err := d.settle(ctx, pid, want, o)
		if err != nil {
			return img, guard.Added(img, fmt.Sprintf("check it is at position %d", pos), err)
		}
		if p := pictures(g2); pos < len(p) && p[pos].ID == created.ID {
			return toImage(pid, p[pos], pos), nil
		}
		return img, guard.Added(img, "find it at its position", guard.Changed(platform, pid.String(), fmt.Sprintf("image %d is not at position %d", created.ID, pos)))
	}
	return img, nil
}

// fromAnswer maps an attach or update answer to the common model.
func fromAnswer(pid ProductID, img Image, pos int) shopimg.Image {
	url := img.Image.Original.URL
	if url == "" {
		url = img.Image.StandardResolution.URL
	}
	return shopimg.Image{
		ID:           img.ID.String(),
		ProductID:    pid.String(),
		URL:          string(url),
		ThumbnailURL: string(img.Image.Thumbnail.URL),
		Alt:          string(img.AltSEO),
		Position:     pos,
		Main:         pos == 0,
		Width:        int(img.Image.Original.Width),
		Height:       int(img.Image.Original.Height),
		Raw:          img,
	}
}

// Update sends the image's new alt text, or moves it, with the update
// call, which needs photo: the image's own URL is sent (see the package
// documentation). A move writes the images shopimg.Capabilities'
// ReorderWrites counts (the moved image written anyway when its alt text
// changes too), each with a sort value between its new neighbours'.
func (d *driver) Update(ctx context.Context, call guard.UpdateCall) (shopimg.Image, error) {
	pid, _ := ParseProductID(call.ProductID)
	iid, _ := ParseImageID(call.ImageID)
	g, err := d.current(ctx, pid, call.Current)
	if err != nil {
		return shopimg.Image{}, changed(pid, err)
	}
	written := map[ImageID]bool{}
	alts := map[ImageID]string{}
	if call.Alt != nil {
		written[iid], alts[iid] = true, *call.Alt
	}
	pics := parseIDs(call.Target)
	ws, want := plan(g, pics, written, nil, 0)
	o, err := d.send(ctx, pid, g, ws, alts, nil)
	if err != nil {
		return shopimg.Image{}, err
	}
	if (d.c.reorderCheck && moved(g, ws)) || len(o.names) > 0 {
		g2, err := d.settle(ctx, pid, want, o)
		if err != nil {
			return shopimg.Image{}, err
		}
		id := renamed([]ImageID{iid}, o.names)[0]
		if p := pictures(g2); call.To < len(p) && p[call.To].ID == id {
			return toImage(pid, p[call.To], call.To), nil
		}
		return shopimg.Image{}, guard.Changed(platform, pid.String(), fmt.Sprintf("image %d is not at position %d", id, call.To))
	}
	if a, ok := o.answers[iid]; ok {
		return fromAnswer(pid, a, call.To), nil
	}
	it := g[indexByID(g, iid)]
	return toImage(pid, it, call.To), nil
}

// Reorder writes the pictures outside the longest run already in order
// (and the new main image, to flag it), each with a sort value between
// its new neighbours', from the last place to the first; videos keep
// their places. With the reorder check on, it reads the gallery again to
// confirm.
func (d *driver) Reorder(ctx context.Context, call guard.ReorderCall) error {
	pid, _ := ParseProductID(call.ProductID)
	g, err := d.current(ctx, pid, call.Current)
	if err != nil {
		return changed(pid, err)
	}
	ws, want := plan(g, parseIDs(call.Target), nil, nil, 0)
	o, err := d.send(ctx, pid, g, ws, nil, nil)
	if err != nil {
		return err
	}
	if (d.c.reorderCheck && len(ws) > 0) || len(o.names) > 0 {
		_, err = d.settle(ctx, pid, want, o)
	}
	return err
}

// changed names the product in current's errChanged.
func changed(pid ProductID, err error) error {
	if errors.Is(err, errChanged) {
		return guard.Changed(platform, pid.String(), "the gallery differs from the listing the call was checked against")
	}
	return err
}
