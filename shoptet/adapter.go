package shoptet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
)

// ProductImages returns the client as a shopimg.ProductImages, which is also
// a shopimg.BatchUpdater, on the products' GalleryShop gallery. Product IDs
// are GUIDs, image IDs file names.
//
// How the common model maps onto the API:
//
//   - List reads the gallery (one GET, not paged) and returns it in the
//     order the API sends it, which its docs say is the administration's,
//     unless the priorities contradict that order (then by priority, images
//     without one last); the image flagged isMainImage goes first and is
//     the one reported Main. URL and ThumbnailURL are the "orig" (or
//     "big") and "related" cuts' urlPath followed by the name, from
//     /api/eshop?include=imageCuts, read once per Client.
//   - Add sends one image (sourceUrl, description, and a priority between
//     its neighbours' that places it), waits for its job (WithJobWait), lists
//     the gallery again and returns the one new image. A failed job gives a
//     *JobError; a completed job after which the new image cannot be told
//     apart gives an error matching shopimg.ErrOutcomeUnknown. File uploads
//     are unsupported.
//   - Update, Reorder and UpdateImages send one PATCH per 100 changed
//     images: a new description, and new priorities for the images that move
//     (the others keep theirs where the gaps between them allow; otherwise
//     every image is renumbered). The main image is the one with the lowest
//     priority. A row the answer reports skipped, or does not report, fails
//     the call with an *UpdateError.
//   - Delete deletes one image (WithDeleteRemovesReference for images that
//     variants use).
func (c *Client) ProductImages() shopimg.ProductImages { return guard.New(&driver{c: c}) }

// driver is the adapter's Shoptet side; package guard checks every argument
// and capability before calling it.
type driver struct{ c *Client }

var (
	_ guard.Batcher    = (*driver)(nil)
	_ guard.Reasoner   = (*driver)(nil)
	_ guard.AddChecker = (*driver)(nil)
)

// Platform names the package.
func (d *driver) Platform() string { return platform }

// Capabilities reports shopimgtest.ShoptetProfile: asynchronous URL adds at
// any position, descriptions, deletes, one-call reorders and batch updates
// of up to 100 images, the main image chosen by priority; no file upload.
func (d *driver) Capabilities() shopimg.Capabilities {
	return shopimg.Capabilities{
		List: true, AddFromURL: true, AddAtPosition: true,
		Update: true, Delete: true, Reorder: true, BatchReorder: true, SetMain: true,
		BatchUpdate: true, AsyncAdd: true, MaxPerCall: MaxImagesPerCall,
	}
}

// Reason says why Shoptet cannot do op.
func (d *driver) Reason(op guard.Operation) string {
	if op == guard.OpAddFile {
		return "the API adds product images from source URLs only"
	}
	return ""
}

// CheckProductID checks a GUID.
func (d *driver) CheckProductID(id string) error { return checkGUID(id) }

// CheckImageID checks a file name.
func (d *driver) CheckImageID(id string) error { return checkName("imageID", id) }

// CheckAdd checks the source URL's length.
func (d *driver) CheckAdd(img shopimg.NewImage) error {
	return checkSourceURL("SourceURL", img.SourceURL)
}

// gallery lists the product's gallery in display order.
func (d *driver) gallery(ctx context.Context, productID string) ([]Image, error) {
	imgs, _, err := d.c.ListImages(ctx, ProductGUID(productID), GalleryShop)
	if err != nil {
		return nil, err
	}
	return displayOrder(imgs), nil
}

// displayOrder returns imgs in display order: as sent when the non-null
// priorities do not decrease along it (the API sends the administration's
// order), otherwise sorted by priority with null last (ties as sent); then
// the image flagged isMainImage first.
func displayOrder(imgs []Image) []Image {
	out := slices.Clone(imgs)
	last, sorted := 0, true
	for _, img := range out {
		if p := priorityOf(img); p != 0 {
			if p < last {
				sorted = false
				break
			}
			last = p
		}
	}
	if !sorted {
		slices.SortStableFunc(out, func(a, b Image) int {
			pa, pb := priorityOf(a), priorityOf(b)
			switch {
			case pa == 0 && pb == 0:
				return 0
			case pa == 0:
				return 1
			case pb == 0:
				return -1
			}
			return cmp.Compare(pa, pb)
		})
	}
	if i := slices.IndexFunc(out, func(img Image) bool { return img.IsMainImage }); i > 0 {
		main := out[i]
		copy(out[1:i+1], out[:i])
		out[0] = main
	}
	return out
}

// common converts img at position pos.
func (d *driver) common(productID string, img Image, pos int, cuts *cutURLs) shopimg.Image {
	return shopimg.Image{
		ID:           string(img.Name),
		ProductID:    productID,
		URL:          cuts.full.ImageURL(img.Name),
		ThumbnailURL: cuts.thumb.ImageURL(img.Name),
		Alt:          img.Description,
		Position:     pos,
		Main:         pos == 0 && img.IsMainImage,
		UpdatedAt:    img.ChangeTime.Time,
		Raw:          img,
	}
}

func (d *driver) commonAll(ctx context.Context, productID string, imgs []Image) []shopimg.Image {
	cuts := d.c.cutURLs(ctx)
	out := make([]shopimg.Image, len(imgs))
	for i, img := range imgs {
		out[i] = d.common(productID, img, i, cuts)
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

// cutURLs are the image cuts the adapter builds URLs from.
type cutURLs struct{ full, thumb ImageCut }

// cutCache holds a Client's image cuts once read.
type cutCache struct {
	mu      sync.Mutex
	cuts    *cutURLs
	reading chan struct{} // closed when the read under way ends; nil: none
}

// cutURLs returns the image cuts, reading them once; when they cannot be
// read, images get no URL, and the next listing tries again, unless the
// token may not read them (a 401, 403 or 404, which stay). Concurrent
// callers share one read; one whose ctx ends while it waits for another's
// gets no URLs at once.
func (c *Client) cutURLs(ctx context.Context) *cutURLs {
	for {
		c.cuts.mu.Lock()
		if u := c.cuts.cuts; u != nil {
			c.cuts.mu.Unlock()
			return u
		}
		if wait := c.cuts.reading; wait != nil {
			c.cuts.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return &cutURLs{}
			}
		}
		done := make(chan struct{})
		c.cuts.reading = done
		c.cuts.mu.Unlock()
		u, keep := c.readCuts(ctx)
		c.cuts.mu.Lock()
		if keep {
			c.cuts.cuts = u
		}
		c.cuts.reading = nil
		close(done)
		c.cuts.mu.Unlock()
		return u
	}
}

// readCuts reads the image cuts, and whether to keep what it returns.
func (c *Client) readCuts(ctx context.Context) (*cutURLs, bool) {
	list, _, err := c.ImageCuts(ctx)
	if err != nil {
		return &cutURLs{}, errors.Is(err, shopimg.ErrUnauthorized) || errors.Is(err, shopimg.ErrNotFound)
	}
	by := map[string]ImageCut{}
	for _, cut := range list {
		by[cut.Name] = cut
	}
	return &cutURLs{full: cmp.Or(by["orig"], by["big"]), thumb: cmp.Or(by["related"], by["category"], by["detail"])}, true
}

// List returns the gallery in display order.
func (d *driver) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	imgs, err := d.gallery(ctx, productID)
	if err != nil {
		return nil, err
	}
	return d.commonAll(ctx, productID, imgs), nil
}

// Add adds the image at call.Position, waits for its job, and finds it in
// the gallery afterwards. Adds to one product through one Client take
// turns, and each lists the gallery again once it has its turn, so that
// the new image is the one the gallery did not hold before.
func (d *driver) Add(ctx context.Context, call guard.AddCall) (shopimg.Image, error) {
	guid := ProductGUID(call.ProductID)
	unlock, err := d.c.adds.lock(ctx, call.ProductID)
	if err != nil {
		return shopimg.Image{}, err
	}
	defer unlock()
	cur, err := d.gallery(ctx, call.ProductID)
	if err != nil {
		return shopimg.Image{}, err
	}
	pos := min(call.Position, len(cur))
	if call.Image.Main {
		pos = 0
	}
	req := NewImage{SourceURL: call.Image.SourceURL, Description: call.Image.Alt, Priority: addPriority(cur, pos)}
	jobs, _, err := d.c.AddImages(ctx, guid, GalleryShop, []NewImage{req})
	if err != nil {
		return shopimg.Image{}, err
	}
	if _, _, err := d.c.WaitJob(ctx, jobs[0], &d.c.jobWait); err != nil {
		var je *JobError
		if errors.As(err, &je) || errors.Is(err, shopimg.ErrOutcomeUnknown) {
			return shopimg.Image{}, err
		}
		return shopimg.Image{}, fmt.Errorf("%w: shoptet: product %s: waiting for job %s of the add: %w", shopimg.ErrOutcomeUnknown, guid, jobs[0], err)
	}
	after, err := d.gallery(ctx, call.ProductID)
	if err != nil {
		return shopimg.Image{}, fmt.Errorf("%w: shoptet: product %s: job %s completed, but listing the gallery failed: %w", shopimg.ErrOutcomeUnknown, guid, jobs[0], err)
	}
	img, err := identify(guid, jobs[0], cur, after, req)
	if err != nil {
		return shopimg.Image{}, err
	}
	return d.place(ctx, call.ProductID, after, img, pos)
}

// addPriority returns the priority that places a new image at pos among
// cur: between its neighbours' when they leave room, else after the
// highest (the add is then moved with a PATCH).
func addPriority(cur []Image, pos int) int {
	lo, hi := 0, MaxPriority+1
	if pos > 0 {
		lo = priorityOf(cur[pos-1])
	}
	if pos < len(cur) {
		hi = priorityOf(cur[pos])
	}
	if ps, ok := between(lo, hi, 1); ok && (pos == 0 || lo != 0) {
		return ps[0]
	}
	return min(maxPriority(cur)+1, MaxPriority)
}

// keyedLock serialises work per key, honouring contexts.
type keyedLock struct {
	mu   sync.Mutex
	held map[string]chan struct{} // closed when released
}

// lock waits for key's turn; the func returned releases it.
func (k *keyedLock) lock(ctx context.Context, key string) (func(), error) {
	for {
		k.mu.Lock()
		if k.held == nil {
			k.held = map[string]chan struct{}{}
		}
		ch, busy := k.held[key]
		if !busy {
			ch = make(chan struct{})
			k.held[key] = ch
			k.mu.Unlock()
			return func() {
				k.mu.Lock()
				delete(k.held, key)
				k.mu.Unlock()
				close(ch)
			}, nil
		}
		k.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// maxPriority is the highest priority among imgs (0 if none).
func maxPriority(imgs []Image) int {
	m := 0
	for _, img := range imgs {
		m = max(m, priorityOf(img))
	}
	return m
}

// identify finds the image an add created: the one image of after that
// before lacks, or, when others appeared meanwhile, the one of them with
// the priority and description sent.
func identify(guid ProductGUID, job JobID, before, after []Image, sent NewImage) (Image, error) {
	old := make(map[ImageName]bool, len(before))
	for _, img := range before {
		old[img.Name] = true
	}
	var fresh []Image
	for _, img := range after {
		if !old[img.Name] {
			fresh = append(fresh, img)
		}
	}
	if len(fresh) > 1 {
		fresh = slices.DeleteFunc(fresh, func(img Image) bool {
			return priorityOf(img) != sent.Priority || img.Description != sent.Description
		})
	}
	if len(fresh) == 1 {
		return fresh[0], nil
	}
	names := make([]string, len(fresh))
	for i, img := range fresh {
		names[i] = string(img.Name)
	}
	return Image{}, fmt.Errorf("%w: shoptet: product %s: job %s completed, but the gallery has %d new images matching the add (%s): which one it added is unknown",
		shopimg.ErrOutcomeUnknown, guid, job, len(fresh), strings.Join(names, ", "))
}

// place returns the new image at pos, moving it there with one PATCH when
// its priority did not place it (a gallery whose priorities left no room).
func (d *driver) place(ctx context.Context, productID string, after []Image, img Image, pos int) (shopimg.Image, error) {
	at := slices.IndexFunc(after, func(x Image) bool { return x.Name == img.Name })
	cuts := d.c.cutURLs(ctx)
	if at == pos && (pos != 0 || img.IsMainImage) {
		return d.common(productID, img, pos, cuts), nil
	}
	target := make([]string, 0, len(after))
	for _, x := range after {
		if x.Name != img.Name {
			target = append(target, string(x.Name))
		}
	}
	target = slices.Insert(target, min(pos, len(target)), string(img.Name))
	next, err := d.apply(ctx, ProductGUID(productID), after, target, nil)
	common := d.common(productID, img, at, cuts)
	if err != nil {
		return common, guard.Added(common, fmt.Sprintf("move it to position %d", pos), err)
	}
	i := slices.IndexFunc(next, func(x Image) bool { return x.Name == img.Name })
	next[i].IsMainImage = i == 0
	return d.common(productID, next[i], i, cuts), nil
}

// Update changes an image's description and place in one PATCH.
func (d *driver) Update(ctx context.Context, call guard.UpdateCall) (shopimg.Image, error) {
	alt := map[string]string{}
	if call.Alt != nil {
		alt[call.ImageID] = *call.Alt
	}
	var target []string
	if call.To != call.From || call.Main {
		target = call.Target
	}
	next, err := d.apply(ctx, ProductGUID(call.ProductID), raw(call.Current), target, alt)
	if err != nil {
		return shopimg.Image{}, err
	}
	i := slices.IndexFunc(next, func(x Image) bool { return string(x.Name) == call.ImageID })
	return d.common(call.ProductID, next[i], i, d.c.cutURLs(ctx)), nil
}

// Reorder puts the gallery in call.Target's order.
func (d *driver) Reorder(ctx context.Context, call guard.ReorderCall) error {
	_, err := d.apply(ctx, ProductGUID(call.ProductID), raw(call.Current), call.Target, nil)
	return err
}

// UpdateImages applies call's order and descriptions.
func (d *driver) UpdateImages(ctx context.Context, call guard.BatchCall) ([]shopimg.Image, error) {
	next, err := d.apply(ctx, ProductGUID(call.ProductID), raw(call.Current), call.Order, call.Alt)
	if err != nil {
		return nil, err
	}
	return d.commonAll(ctx, call.ProductID, next), nil
}

// apply sends the priorities that put cur in target's order (nil: keep the
// order) and the descriptions of alt, one PATCH per 100 rows, and returns
// the gallery afterwards in display order.
func (d *driver) apply(ctx context.Context, guid ProductGUID, cur []Image, target []string, alt map[string]string) ([]Image, error) {
	var prio map[ImageName]int
	if target != nil {
		written := make([]string, 0, len(alt))
		for id := range alt {
			written = append(written, id)
		}
		prio = plan(cur, target, written...)
	} else {
		target = make([]string, len(cur))
		for i, img := range cur {
			target[i] = string(img.Name)
		}
	}
	byName := make(map[ImageName]Image, len(cur))
	for _, img := range cur {
		byName[img.Name] = img
	}
	var rows []ImageUpdate
	next := make([]Image, len(target))
	for i, id := range target {
		name := ImageName(id)
		img := byName[name]
		row := ImageUpdate{Name: name}
		if p, ok := prio[name]; ok {
			row.Priority = p
			img.Priority = &p
		}
		if a, ok := alt[id]; ok {
			row.Description = &a
			img.Description = a
		}
		if row.Priority != 0 || row.Description != nil {
			rows = append(rows, row)
		}
		img.IsMainImage = i == 0
		next[i] = img
	}
	if len(rows) == 0 {
		return next, nil
	}
	res, _, err := d.c.updateImages(ctx, guid, GalleryShop, rows, true)
	if err != nil {
		return nil, err
	}
	if failed := res.Failed(); len(failed) > 0 {
		return nil, &UnreportedError{Product: guid, Rows: failed}
	}
	for i := range next {
		if got := rowImage(res, next[i].Name); got != nil {
			next[i].ChangeTime, next[i].SeoName, next[i].CdnName, next[i].SignedCdnNames = got.ChangeTime, got.SeoName, got.CdnName, got.SignedCdnNames
		}
	}
	return next, nil
}

// rowImage returns the answer's image of the row for name, if any.
func rowImage(res *UpdateResult, name ImageName) *Image {
	for _, r := range res.Rows {
		if r.Name == name {
			return r.Image
		}
	}
	return nil
}

// Delete deletes one image.
func (d *driver) Delete(ctx context.Context, productID, imageID string) error {
	_, err := d.c.DeleteImage(ctx, ProductGUID(productID), GalleryShop, ImageName(imageID), &DeleteOptions{RemoveReference: d.c.removeRef})
	return err
}

// UnreportedError is a PATCH of the adapter that Shoptet answered with
// success but without reporting some rows as applied (their images are
// missing from the answer, or listed with other values). It matches
// shopimg.ErrOutcomeUnknown: list the gallery to know. (Rows the answer
// reports skipped make an *APIError instead, from the answer's errors.)
type UnreportedError struct {
	// Product is the product.
	Product ProductGUID
	// Rows are the rows not reported.
	Rows []RowOutcome
}

// Error names the rows not reported.
func (e *UnreportedError) Error() string {
	names := make([]string, 0, min(len(e.Rows), 5))
	for i, r := range e.Rows {
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(e.Rows)-i))
			break
		}
		names = append(names, string(r.Name))
	}
	return fmt.Sprintf("shoptet: product %s: the update's answer does not report %d image(s) as updated: %s", e.Product, len(e.Rows), strings.Join(names, ", "))
}

// Is reports whether target is shopimg.ErrOutcomeUnknown.
func (e *UnreportedError) Is(target error) bool { return target == shopimg.ErrOutcomeUnknown }
