package bigcommerce

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
	"github.com/shopimg/shopimg/internal/rest"
)

// ProductImages returns the client as a shopimg.ProductImages on the v3
// catalog API. Product and image IDs are the decimal IDs of the API; an ID
// that is not a positive decimal number is invalid input. See the package
// documentation for how the common model maps onto BigCommerce and what
// each operation costs.
//
// The value returned also has a method WriteRequests(productID string) int:
// the write requests (creates, PUTs, deletes, each retry included) the
// client's adapters have sent for the product, fix-ups included, for
// callers that count what a change cost (package imagesync does).
func (c *Client) ProductImages() shopimg.ProductImages {
	return &productImages{ProductImages: guard.New(&driver{c: c}), c: c}
}

// productImages is the adapter with its write count.
type productImages struct {
	shopimg.ProductImages
	c *Client
}

// WriteRequests returns the write requests the client's adapters have sent
// for the product so far.
func (p *productImages) WriteRequests(productID string) int { return p.c.writes.get(productID) }

// writeCounts counts write requests per product.
type writeCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (w *writeCounts) add(productID string, n int) {
	if n == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.n == nil {
		w.n = map[string]int{}
	}
	w.n[productID] += n
}

func (w *writeCounts) get(productID string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n[productID]
}

// attempts is how many times a call sent its request: from the answer, or
// from the error when none came.
func attempts(resp *Response, err error) int {
	if resp != nil {
		return resp.Attempts
	}
	var ae *APIError
	var ce *rest.CallError
	switch {
	case errors.As(err, &ae):
		return ae.Attempts
	case errors.As(err, &ce):
		return ce.Attempts
	}
	return 0
}

// driver is the adapter's BigCommerce side; package guard checks every
// argument and capability before calling it.
type driver struct{ c *Client }

var _ guard.AddChecker = (*driver)(nil)

// Platform names the package.
func (d *driver) Platform() string { return platform }

// Capabilities reports BigCommerce v3: URL and file adds with sort_order
// and is_thumbnail, per-image moves, the main image being the one flagged
// is_thumbnail (MainIsFlag), up to MaxImagesPerProduct images, served from
// the store's CDN (not KeepsSourceURL).
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

// toImage maps a v3 image at position pos of the store's order to the
// common model. Main is set only on the first image, and only when the
// store flags it is_thumbnail: a product whose first image is not its
// thumbnail (or that has none) has no main image until one is set.
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

// current returns the product's images in the store's order.
func (d *driver) current(ctx context.Context, pid ProductID) ([]Image, error) {
	var imgs []Image
	for img, err := range d.c.ListImagesIter(ctx, pid, nil) {
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, img)
	}
	return storeOrder(imgs), nil
}

// List returns the images in the order the store keeps them: by
// sort_order, then ID. The first image is Main only if it is the
// thumbnail. It reads every page, MaxPageLimit images a call.
func (d *driver) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	pid, _ := ParseProductID(productID)
	imgs, err := d.current(ctx, pid)
	if err != nil {
		return nil, err
	}
	return toImages(imgs), nil
}

// readings returns the readings of the sort_order rule to plan for: what
// the client has learned, or, with the reorder check off, the insertion
// reading alone (the client then trusts the documented rule).
func (d *driver) readings() reading {
	if !d.c.reorderCheck {
		return readInsert
	}
	return d.c.rules.get()
}

// Add creates the image: from a source URL as JSON image_url, or from a
// file as a streamed multipart image_file. Position 0 sends is_thumbnail;
// any position is sent as the sort_order that puts the image there: inside
// the gap between its neighbours' sort_orders when there is one (the same
// under every reading of the rule), else as an insertion. When that create
// cannot place it under the readings still possible, or a position was
// asked and the check is on, the product is listed again (which also
// teaches the client its store's rule) and moved as Reorder would. Once
// the create answered with an image, a failure of what follows returns the
// image with an error matching shopimg.ErrAdded.
func (d *driver) Add(ctx context.Context, call guard.AddCall) (shopimg.Image, error) {
	pid, _ := ParseProductID(call.ProductID)
	cur, pos, img := raw(call.Current), call.Position, call.Image
	set := d.readings()
	so := insertSortOrder(cur, pos)
	// A product's first image is its thumbnail anyway; not asking lets
	// concurrent first adds keep the first one created.
	thumb := pos == 0 && (len(cur) > 0 || img.Main)
	var created Image
	var resp *Response
	var err error
	if img.SourceURL != "" {
		created, resp, err = d.c.CreateImage(ctx, pid, CreateImageRequest{ImageURL: img.SourceURL, IsThumbnail: thumb, SortOrder: so, Description: img.Alt})
	} else {
		created, resp, err = d.c.UploadImage(ctx, pid, UploadImageRequest{File: img.File, IsThumbnail: thumb, SortOrder: so, Description: img.Alt})
	}
	d.c.writes.add(call.ProductID, attempts(resp, err))
	if err != nil {
		return shopimg.Image{}, err
	}
	added := toImage(created, pos)
	target := slices.Insert(idsOf(cur), pos, created.ID)
	// The thumbnail to keep: the new image at 0, or the first image's if
	// it had the flag.
	keepThumb := pos == 0 || len(cur) == 0 || cur[0].IsThumbnail
	sims := simulateAll(append(slices.Clone(cur), created), set, created.ID, so, thumb, true)
	agree := true
	for _, sim := range sims {
		agree = agree && addLanded(sim, target, created.ID, thumb)
	}
	positioned := img.Position != nil || img.Main
	if !d.c.reorderCheck || (agree && !positioned) {
		return added, nil
	}
	got, err := d.current(ctx, pid)
	if err != nil {
		return added, guard.Added(added, "list the product to check where it went", err)
	}
	if !sameImages(got, target) {
		return added, guard.Added(added, "find it in the product's images", guard.Changed(platform, call.ProductID, fmt.Sprintf("listed %v after the create, expected %v", idsOf(got), target)))
	}
	d.learn(sims, got)
	if !addLanded(got, target, created.ID, thumb) {
		if got, err = d.arrange(ctx, pid, got, target, nil, keepThumb); err != nil {
			return added, guard.Added(added, fmt.Sprintf("move it to position %d", pos), err)
		}
	}
	i := indexOf(got, created.ID)
	if i < 0 {
		return added, guard.Added(added, "find it in the product's images", guard.Changed(platform, call.ProductID, fmt.Sprintf("image %d is not listed after it was created", created.ID)))
	}
	return toImage(got[i], pos), nil
}

// addLanded reports whether the image id, just created, is where target
// puts it in the store's order, at a sort_order of its own, and, with
// thumb, the one thumbnail.
func addLanded(imgs []Image, target []ImageID, id ImageID, thumb bool) bool {
	return !tied(imgs, id) && slices.Equal(idsOf(storeOrder(imgs)), target) && (!thumb || onlyThumbnail(imgs, id))
}

// tied reports whether another image has the sort_order of image id.
func tied(imgs []Image, id ImageID) bool {
	i := indexOf(imgs, id)
	return i >= 0 && slices.ContainsFunc(imgs, func(img Image) bool { return img.ID != id && img.SortOrder == imgs[i].SortOrder })
}

// insertSortOrder returns the sort_order that inserts a new image at
// position pos of cur (the store's order), or nil for a product without
// images (the first image is the thumbnail anyway). Before all (pos 0),
// after all, and between two neighbours whose sort_orders leave a gap (the
// middle of the gap), the value places the image there under every reading
// of the rule; between neighbours one apart it relies on the store
// shifting the later ones.
func insertSortOrder(cur []Image, pos int) *int {
	switch {
	case len(cur) == 0:
		return nil
	case pos == 0:
		return new(cur[0].SortOrder - spacing)
	case pos >= len(cur):
		return new(cur[len(cur)-1].SortOrder + spacing)
	}
	before, after := cur[pos-1].SortOrder, cur[pos].SortOrder
	if after-before >= 2 {
		return new(before + (after-before)/2)
	}
	return new(before + 1)
}

// simulateAll applies one write to a copy of imgs under each reading of
// set.
func simulateAll(imgs []Image, set reading, id ImageID, so *int, thumb, create bool) map[reading][]Image {
	out := make(map[reading][]Image, 4)
	for _, r := range set.each() {
		s := slices.Clone(imgs)
		simulate(s, r, id, so, thumb, create)
		out[r] = s
	}
	return out
}

// learn narrows the client's readings to those whose simulation matches
// what the store listed.
func (d *driver) learn(sims map[reading][]Image, got []Image) {
	var ok reading
	for r, s := range sims {
		if sameState(s, got) {
			ok |= r
		}
	}
	d.c.rules.narrow(ok)
}

// put sends one PUT and counts it.
func (d *driver) put(ctx context.Context, pid ProductID, p put) (Image, error) {
	got, resp, err := d.c.UpdateImage(ctx, pid, p.id, p.req)
	d.c.writes.add(pid.String(), attempts(resp, err))
	return got, err
}

// arrange brings the product, whose exact state is cur, to the order
// target as the store keeps it (by sort_order, then ID; no two images at
// the same sort_order), with target[0] the one thumbnail when thumb, and
// the fields of extra sent for their images. It returns the images
// afterwards, in the store's order.
//
// It plans for the readings of the rule the client still holds possible
// (see planOrder): the plan right under all of them when it costs no more
// than the one for the insertion reading, else, while the insertion
// reading is possible, that one. It never sends a PUT that could tie two
// images under a reading still possible, unless the tie would show as a
// wrong order (so a later call mends it even after a crash): before such a
// PUT it lists the product if anything was written since the state was
// known, or sends first a PUT that is right under every reading and tells
// them apart, or else falls back to the plan right under every reading.
// Each listing teaches the client which readings remain. With the check on
// (the default), it lists once more at the end; whatever was listed is the
// state the rest is planned from. A listing whose images are not target's
// (someone deleted or added one meanwhile) is an error matching
// shopimg.ErrConflict, as is a store that follows no reading.
func (d *driver) arrange(ctx context.Context, pid ProductID, cur []Image, target []ImageID, extra map[ImageID]UpdateImageRequest, thumb bool) ([]Image, error) {
	state := slices.Clone(cur)
	extra = maps(extra)
	lost := false     // the store followed no reading: plan for all of them
	safeOnly := false // no PUT can be risked: plan for every reading
	for round := 0; ; round++ {
		if reached(state, target, thumb) && len(extra) == 0 {
			return storeOrder(state), nil
		}
		if round == 8+2*len(target) {
			return nil, fmt.Errorf("bigcommerce: product %d: the store did not apply sort_order under any reading of the docs; asked for %v, listed %v: %w", pid, target, idsOf(storeOrder(state)), shopimg.ErrConflict)
		}
		set := d.readings()
		if lost {
			set = allReadings
		}
		p := planOrder(state, target, extra, thumb, set != readInsert)
		if set != readInsert && set&readInsert != 0 && !safeOnly {
			if fast := planOrder(state, target, extra, thumb, false); fast.cost() < p.cost() {
				p = fast
			}
		}
		sims := map[reading][]Image{}
		for _, r := range set.each() {
			sims[r] = slices.Clone(state)
		}
		placed := maps(p.stay)
		probe, wrote := false, false
		for i := 0; i < len(p.puts); i++ {
			pt := p.puts[i]
			// Where the readings still possible disagree on where this PUT
			// lands, or whether it ties two images, list first if anything
			// was written since the state was known. Else, rather than
			// risk a tie a crash could leave in an order that looks right,
			// send it only if any tie it makes shows as a wrong order (a
			// later sync then mends it); send first a PUT that lands right
			// under every reading and tells them apart, if there is one;
			// or plan again for every reading.
			risky, visible := d.risky(sims, pt, target, placed)
			switch {
			case risky && wrote:
				probe = true
			case risky && !visible:
				j := slices.IndexFunc(p.puts[i+1:], func(q put) bool { return d.teaches(sims, q, target, placed) })
				if j < 0 {
					safeOnly = true
					probe = true // replan without writing
					break
				}
				p.puts[i], p.puts[i+1+j] = p.puts[i+1+j], p.puts[i]
				pt, risky = p.puts[i], false
			}
			if probe {
				break
			}
			thumbPut := pt.req.IsThumbnail != nil && *pt.req.IsThumbnail
			got, err := d.put(ctx, pid, pt)
			if err != nil {
				if errors.Is(err, shopimg.ErrNotFound) {
					return nil, guard.Changed(platform, pid.String(), fmt.Sprintf("image %d is gone: %v", pt.id, err))
				}
				return nil, err
			}
			wrote = true
			delete(extra, pt.id)
			placed[pt.id] = true
			for r, s := range sims {
				simulate(s, r, pt.id, pt.req.SortOrder, thumbPut, false)
				if i := indexOf(s, pt.id); i >= 0 {
					so, th := s[i].SortOrder, s[i].IsThumbnail
					s[i] = got
					s[i].SortOrder, s[i].IsThumbnail = so, th
				}
			}
			if risky {
				probe = true
				break
			}
		}
		if probe && !wrote {
			continue // plan again (safeOnly): nothing was sent
		}
		if !probe && !d.c.reorderCheck {
			for _, r := range set.each() {
				return storeOrder(sims[r]), nil
			}
		}
		got, err := d.current(ctx, pid)
		if err != nil {
			return nil, err
		}
		if !sameImages(got, target) {
			return nil, guard.Changed(platform, pid.String(), fmt.Sprintf("asked for %v, listed %v", target, idsOf(got)))
		}
		if !lost {
			before := d.c.rules.get()
			d.learn(sims, got)
			lost = d.c.rules.get() == before && !anyMatch(sims, got)
		}
		state = got
	}
}

// risky reports whether, sent now, pt could land elsewhere than target
// says, or tie two images, under a reading still possible (sims), and, if
// so, whether every such outcome shows as an order other than target's
// (the store breaks ties by ID).
func (d *driver) risky(sims map[reading][]Image, pt put, target []ImageID, placed map[ImageID]bool) (risky, visible bool) {
	if len(sims) < 2 || pt.req.SortOrder == nil {
		return false, false
	}
	visible = true
	with := maps(placed)
	with[pt.id] = true
	for r, s := range sims {
		s = slices.Clone(s)
		simulate(s, r, pt.id, pt.req.SortOrder, pt.req.IsThumbnail != nil && *pt.req.IsThumbnail, false)
		if ordered := inOrder(s, target, with); !ordered || tied(s, pt.id) {
			risky = true
			visible = visible && !ordered
		}
	}
	return risky, risky && visible
}

// teaches reports whether q, sent now, lands right under every reading
// still possible and leaves states that tell some of them apart.
func (d *driver) teaches(sims map[reading][]Image, q put, target []ImageID, placed map[ImageID]bool) bool {
	if q.req.SortOrder == nil {
		return false
	}
	if risky, _ := d.risky(sims, q, target, placed); risky {
		return false
	}
	var first []Image
	for r, s := range sims {
		s = slices.Clone(s)
		simulate(s, r, q.id, q.req.SortOrder, false, false)
		if first == nil {
			first = s
		} else if !sameState(first, s) {
			return true
		}
	}
	return false
}

// anyMatch reports whether some simulated state is what was listed.
func anyMatch(sims map[reading][]Image, got []Image) bool {
	for _, s := range sims {
		if sameState(s, got) {
			return true
		}
	}
	return false
}

// maps returns a copy of m (never nil).
func maps[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Update sends one PUT for the alt text (description), and for a move or a
// new main image the PUTs Reorder would send for the resulting order, the
// alt text riding on the moved image's PUT.
func (d *driver) Update(ctx context.Context, call guard.UpdateCall) (shopimg.Image, error) {
	pid, _ := ParseProductID(call.ProductID)
	iid, _ := ParseImageID(call.ImageID)
	cur := raw(call.Current)
	if call.To == call.From && !call.Main {
		got, err := d.put(ctx, pid, put{id: iid, req: UpdateImageRequest{Description: call.Alt}})
		if err != nil {
			return shopimg.Image{}, err
		}
		return toImage(got, call.From), nil
	}
	extra := map[ImageID]UpdateImageRequest{}
	if call.Alt != nil {
		extra[iid] = UpdateImageRequest{Description: call.Alt}
	}
	target := make([]ImageID, len(call.Target))
	for i, s := range call.Target {
		target[i], _ = ParseImageID(s)
	}
	thumb := call.Main || (len(cur) > 0 && cur[0].IsThumbnail)
	final, err := d.arrange(ctx, pid, cur, target, extra, thumb)
	if err != nil {
		return shopimg.Image{}, err
	}
	i := indexOf(final, iid)
	if i < 0 {
		return shopimg.Image{}, guard.Changed(platform, call.ProductID, fmt.Sprintf("image %d is not listed after the update", iid))
	}
	return toImage(final[i], call.To), nil
}

// Reorder sends the fewest PUTs the store's rule allows (see planOrder),
// and makes the first image the thumbnail. With the reorder check on (the
// default) and anything written, it lists the product once more to
// confirm.
func (d *driver) Reorder(ctx context.Context, call guard.ReorderCall) error {
	pid, _ := ParseProductID(call.ProductID)
	target := make([]ImageID, len(call.Target))
	for i, s := range call.Target {
		target[i], _ = ParseImageID(s)
	}
	_, err := d.arrange(ctx, pid, raw(call.Current), target, nil, true)
	return err
}

// Delete deletes the image. If it was the thumbnail, the store may give the
// flag to another image or to none (the docs do not say); List reports
// Main only on a flagged first image either way.
func (d *driver) Delete(ctx context.Context, productID, imageID string) error {
	pid, _ := ParseProductID(productID)
	iid, _ := ParseImageID(imageID)
	resp, err := d.c.DeleteImage(ctx, pid, iid)
	d.c.writes.add(productID, attempts(resp, err))
	return err
}
