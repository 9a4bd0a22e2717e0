// Package guard is the one adapter every platform package and
// shopimgtest.Fake put in front of their shopimg.ProductImages: it checks
// every argument, refuses what the platform's Capabilities do not allow (so
// an adapter cannot contradict its own capabilities), resolves positions
// and the main image, enforces MaxImages, checks Reorder permutations, lists
// the product where an operation needs its current images, and words every
// refusal the same way on every platform. A platform package supplies a
// small Driver that only talks to its API.
package guard

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/check"
)

// Operation names what was asked, in the wording of UnsupportedError.
type Operation string

// The operations a capability can refuse.
const (
	OpList      Operation = "list images"
	OpAddURL    Operation = "add an image from a URL"
	OpAddFile   Operation = "upload an image file"
	OpAddAt     Operation = "add an image at a position"
	OpAddMain   Operation = "add an image as the main image"
	OpUpdateAlt Operation = "change an image's alt text"
	OpMove      Operation = "move an image"
	OpSetMain   Operation = "set the main image"
	OpReorder   Operation = "reorder images"
	OpDelete    Operation = "delete an image"
	OpBatch     Operation = "update images in a batch"
)

// Driver is a platform's side of an adapter: the calls that reach its API,
// in the common model. The guard has checked every argument before it calls
// a Driver method, and calls only what the Driver's Capabilities allow.
type Driver interface {
	// Platform names the vendor package ("bigcommerce"), for errors.
	Platform() string
	// Capabilities reports what the platform does natively.
	Capabilities() shopimg.Capabilities
	// CheckProductID and CheckImageID check an ID's platform format (a
	// decimal number, a GUID) after the guard's own check (not empty,
	// valid UTF-8, no control character); see NumericID.
	CheckProductID(id string) error
	CheckImageID(id string) error
	// List returns every image of the product in display order, each with
	// ID, ProductID, Main (on the first image, when the platform flags it:
	// Capabilities.MainIsFlag) and the other fields it knows; the guard
	// sets Position, and Main where the main image is simply the first.
	List(ctx context.Context, productID string) ([]shopimg.Image, error)
	// Add creates the image at call.Position. Once the platform answered
	// the create with an ID, Add returns the image even when a later step
	// fails, with that step's error (see Added).
	Add(ctx context.Context, call AddCall) (shopimg.Image, error)
	// Update applies call; it is called only when something changes.
	Update(ctx context.Context, call UpdateCall) (shopimg.Image, error)
	// Reorder puts the images in call.Target's order, which differs from
	// the current one (or the first image must become main).
	Reorder(ctx context.Context, call ReorderCall) error
	// Delete deletes one image.
	Delete(ctx context.Context, productID, imageID string) error
}

// Batcher is implemented by drivers whose platform changes several images
// in one call (Capabilities.BatchUpdate).
type Batcher interface {
	// UpdateImages applies call, which changes something.
	UpdateImages(ctx context.Context, call BatchCall) ([]shopimg.Image, error)
}

// AddChecker is implemented by drivers with limits of their own on what
// Add sends (a URL length, a file size), checked before anything is sent.
type AddChecker interface {
	CheckAdd(img shopimg.NewImage) error
}

// Reasoner is implemented by drivers that can say why an operation is
// unsupported ("the API has no image delete endpoint").
type Reasoner interface {
	Reason(op Operation) string
}

// Snapshotter is implemented by drivers whose own reads must not count as
// List calls (shopimgtest.Fake): the guard reads the current images through
// Snapshot where an operation needs them, and through List only for List.
type Snapshotter interface {
	Snapshot(ctx context.Context, productID string) ([]shopimg.Image, error)
}

// BlindAdder is implemented by drivers whose Add needs no listing when no
// position, main image or image limit is involved (an image library that
// has no order): the guard then calls Add without listing, with
// Listed false and Position -1 (append).
type BlindAdder interface {
	AddsWithoutList() bool
}

// AddCall is an Add the guard checked.
type AddCall struct {
	// ProductID is the product.
	ProductID string
	// Image is what to add (validated).
	Image shopimg.NewImage
	// Position is where the image goes: 0 for a main image, the end (the
	// number of current images) when none was asked, -1 (the end) when
	// the guard did not list (see BlindAdder).
	Position int
	// Current are the product's images before the add, in display order,
	// when the guard listed them (Listed).
	Current []shopimg.Image
	// Listed reports whether Current was listed.
	Listed bool
}

// UpdateCall is an Update the guard checked, that changes something.
type UpdateCall struct {
	// ProductID and ImageID name the image.
	ProductID, ImageID string
	// Current are the product's images, in display order.
	Current []shopimg.Image
	// From is the image's index in Current; To is where it goes (From
	// when it does not move).
	From, To int
	// Target is the order of every image afterwards.
	Target []string
	// Alt is the new alt text, or nil when it does not change.
	Alt *string
	// Main reports that the image must become the main image (it goes
	// first, and, where the main image is a flag, gets the flag).
	Main bool
}

// ReorderCall is a Reorder the guard checked.
type ReorderCall struct {
	// ProductID is the product.
	ProductID string
	// Current are its images, in display order.
	Current []shopimg.Image
	// Target is the asked order, a permutation of Current's IDs.
	Target []string
}

// BatchCall is an UpdateImages the guard checked, that changes something.
type BatchCall struct {
	// ProductID is the product.
	ProductID string
	// Current are its images, in display order.
	Current []shopimg.Image
	// Order is the new order, or nil when the order does not change.
	Order []string
	// Alt maps the images whose alt text changes to the new text.
	Alt map[string]string
}

// New returns the adapter in front of d: a shopimg.ProductImages, which is
// also a shopimg.BatchUpdater when d's capabilities say BatchUpdate (d must
// then implement Batcher).
func New(d Driver) shopimg.ProductImages {
	a := &Adapter{d: d}
	if d.Capabilities().BatchUpdate {
		if _, ok := d.(Batcher); !ok {
			panic("guard: " + d.Platform() + " reports BatchUpdate but its driver has no UpdateImages")
		}
		return &BatchAdapter{a}
	}
	return a
}

// Adapter is the guard around a Driver. It is safe for concurrent use if
// the Driver is.
type Adapter struct{ d Driver }

// BatchAdapter is an Adapter that is also a shopimg.BatchUpdater.
type BatchAdapter struct{ *Adapter }

var (
	_ shopimg.ProductImages = (*Adapter)(nil)
	_ shopimg.BatchUpdater  = (*BatchAdapter)(nil)
)

// Capabilities returns the driver's capabilities.
func (a *Adapter) Capabilities() shopimg.Capabilities { return a.d.Capabilities() }

// List checks the product ID and lists its images in display order.
func (a *Adapter) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	if err := a.productID(productID); err != nil {
		return nil, err
	}
	if !a.d.Capabilities().List {
		return nil, a.unsupported(OpList)
	}
	imgs, err := a.d.List(ctx, productID)
	if err != nil {
		return nil, err
	}
	return a.normalize(productID, imgs)
}

// current reads the product's images for an operation.
func (a *Adapter) current(ctx context.Context, productID string) ([]shopimg.Image, error) {
	var imgs []shopimg.Image
	var err error
	if s, ok := a.d.(Snapshotter); ok {
		imgs, err = s.Snapshot(ctx, productID)
	} else {
		imgs, err = a.d.List(ctx, productID)
	}
	if err != nil {
		return nil, err
	}
	return a.normalize(productID, imgs)
}

// normalize sets Position and ProductID, sets Main on the first image only
// and by the capabilities (always where the main image is the first one,
// as the driver flags it where it is a flag, never where there is none),
// and refuses a listing that names an image twice (every later check would
// be wrong).
func (a *Adapter) normalize(productID string, imgs []shopimg.Image) ([]shopimg.Image, error) {
	caps := a.d.Capabilities()
	seen := make(map[string]bool, len(imgs))
	for i := range imgs {
		id := imgs[i].ID
		if id == "" || seen[id] {
			return nil, Changed(a.d.Platform(), productID, fmt.Sprintf("the platform listed image %q twice (or without an ID)", id))
		}
		seen[id] = true
		imgs[i].Position = i
		if imgs[i].ProductID == "" {
			imgs[i].ProductID = productID
		}
		switch {
		case i > 0 || !caps.HasMain():
			imgs[i].Main = false
		case !caps.MainIsFlag:
			imgs[i].Main = true
		}
	}
	if imgs == nil {
		imgs = []shopimg.Image{}
	}
	return imgs, nil
}

// Add checks img against the capabilities and the product's images and adds
// it, returning it with its ProductID and, when the guard listed the
// product, its Position. When the platform created the image but a later
// step failed, it returns the image with an error matching
// shopimg.ErrAdded and no other category.
func (a *Adapter) Add(ctx context.Context, productID string, img shopimg.NewImage) (shopimg.Image, error) {
	if err := a.productID(productID); err != nil {
		return shopimg.Image{}, err
	}
	if err := img.Validate(); err != nil {
		return shopimg.Image{}, err
	}
	caps := a.d.Capabilities()
	switch {
	case img.SourceURL != "" && !caps.AddFromURL:
		return shopimg.Image{}, a.unsupported(OpAddURL)
	case img.File != nil && !caps.AddFromFile:
		return shopimg.Image{}, a.unsupported(OpAddFile)
	case img.Main && !caps.HasMain():
		return shopimg.Image{}, a.unsupported(OpSetMain)
	}
	if ac, ok := a.d.(AddChecker); ok {
		if err := ac.CheckAdd(img); err != nil {
			return shopimg.Image{}, err
		}
	}
	call := AddCall{ProductID: productID, Image: img, Position: -1}
	if ba, ok := a.d.(BlindAdder); ok && ba.AddsWithoutList() && caps.MaxImages == 0 && img.Position == nil && !img.Main {
		return a.add(ctx, call)
	}
	cur, err := a.current(ctx, productID)
	if err != nil {
		return shopimg.Image{}, err
	}
	call.Current, call.Listed = cur, true
	n := len(cur)
	pos := n
	if img.Position != nil {
		pos = *img.Position
	}
	if img.Main {
		pos = 0
	}
	if err := CheckPosition(pos, n+1); err != nil {
		return shopimg.Image{}, err
	}
	if pos != n && !caps.AddAtPosition {
		if img.Main {
			return shopimg.Image{}, a.unsupported(OpAddMain)
		}
		return shopimg.Image{}, a.unsupported(OpAddAt)
	}
	if caps.MaxImages > 0 && n >= caps.MaxImages {
		return shopimg.Image{}, &shopimg.InputError{Field: "productID", Reason: fmt.Sprintf("%q already has %d images, the most %s allows", productID, n, a.d.Platform())}
	}
	call.Position = pos
	return a.add(ctx, call)
}

// add calls the driver's Add and makes sure an image that has an ID comes
// back with any follow-up error as an *shopimg.AddedError holding it, which
// matches shopimg.ErrAdded and nothing else (a driver's error that wraps an
// AddedError together with other categories is replaced by it).
func (a *Adapter) add(ctx context.Context, call AddCall) (shopimg.Image, error) {
	productID := call.ProductID
	got, err := a.d.Add(ctx, call)
	if got.ID == "" {
		if err == nil {
			err = fmt.Errorf("%s: product %q: %w: the platform answered the add without an image ID", a.d.Platform(), productID, shopimg.ErrOutcomeUnknown)
		}
		return shopimg.Image{}, err
	}
	if got.ProductID == "" {
		got.ProductID = productID
	}
	if call.Listed {
		got.Position = call.Position
	}
	if err == nil {
		return got, nil
	}
	step, cause := "finish adding it", err
	var ae *shopimg.AddedError
	if errors.As(err, &ae) {
		step, cause = ae.Step, ae.Err
	}
	return got, Added(got, step, cause)
}

// Added is the error of an Add whose image was created before step failed.
func Added(img shopimg.Image, step string, err error) error {
	return &shopimg.AddedError{Image: img, Step: step, Err: err}
}

// Update checks u against the capabilities and the product's images and
// applies it; an update that changes nothing sends nothing and returns the
// image as listed.
func (a *Adapter) Update(ctx context.Context, productID, imageID string, u shopimg.ImageUpdate) (shopimg.Image, error) {
	if err := a.productID(productID); err != nil {
		return shopimg.Image{}, err
	}
	if err := a.imageID("imageID", imageID); err != nil {
		return shopimg.Image{}, err
	}
	if err := u.Validate(); err != nil {
		return shopimg.Image{}, err
	}
	caps := a.d.Capabilities()
	switch {
	case u.Alt != nil && !caps.Update:
		return shopimg.Image{}, a.unsupported(OpUpdateAlt)
	case u.Position != nil && !caps.Reorder:
		return shopimg.Image{}, a.unsupported(OpMove)
	case u.Main != nil && !caps.SetMain:
		return shopimg.Image{}, a.unsupported(OpSetMain)
	}
	cur, err := a.current(ctx, productID)
	if err != nil {
		return shopimg.Image{}, err
	}
	from := slices.IndexFunc(cur, func(img shopimg.Image) bool { return img.ID == imageID })
	if from < 0 {
		return shopimg.Image{}, NotFound(a.d.Platform(), productID, imageID)
	}
	to := from
	if u.Position != nil {
		if err := CheckPosition(*u.Position, len(cur)); err != nil {
			return shopimg.Image{}, err
		}
		to = *u.Position
	}
	if u.Main != nil {
		to = 0
	}
	call := UpdateCall{ProductID: productID, ImageID: imageID, Current: cur, From: from, To: to}
	if u.Alt != nil && *u.Alt != cur[from].Alt {
		call.Alt = u.Alt
	}
	// Putting an image first makes it main; where the first image is not
	// flagged as main yet, that is a change even without a move.
	call.Main = to == 0 && caps.HasMain() && (u.Main != nil || u.Position != nil) && !(from == 0 && cur[0].Main)
	if call.Alt == nil && to == from && !call.Main {
		return cur[from], nil
	}
	target := ids(cur)
	call.Target = slices.Insert(slices.Delete(target, from, from+1), to, imageID)
	got, err := a.d.Update(ctx, call)
	if err != nil {
		return shopimg.Image{}, err
	}
	got.Position = to
	if got.ProductID == "" {
		got.ProductID = productID
	}
	return got, nil
}

// Reorder checks imageIDs (their format and that none repeats) before any
// request, then that they are a permutation of the product's images, and
// reorders; nothing is sent when the order already matches.
func (a *Adapter) Reorder(ctx context.Context, productID string, imageIDs []string) error {
	if err := a.productID(productID); err != nil {
		return err
	}
	if err := a.checkIDList("imageIDs", imageIDs); err != nil {
		return err
	}
	if !a.d.Capabilities().Reorder {
		return a.unsupported(OpReorder)
	}
	cur, err := a.current(ctx, productID)
	if err != nil {
		return err
	}
	if err := CheckPermutation(ids(cur), imageIDs); err != nil {
		return err
	}
	if slices.Equal(ids(cur), imageIDs) && (len(cur) == 0 || cur[0].Main || !a.d.Capabilities().HasMain()) {
		return nil
	}
	return a.d.Reorder(ctx, ReorderCall{ProductID: productID, Current: cur, Target: slices.Clone(imageIDs)})
}

// Delete checks the IDs and the capability, and deletes the image.
func (a *Adapter) Delete(ctx context.Context, productID, imageID string) error {
	if err := a.productID(productID); err != nil {
		return err
	}
	if err := a.imageID("imageID", imageID); err != nil {
		return err
	}
	if !a.d.Capabilities().Delete {
		return a.unsupported(OpDelete)
	}
	err := a.d.Delete(ctx, productID, imageID)
	var ae *shopimg.APIError
	if errors.Is(err, shopimg.ErrNotFound) && errors.Is(err, shopimg.ErrOutcomeUnknown) && errors.As(err, &ae) && ae.Attempts > 1 {
		// A retry found the image gone: an earlier attempt, whose answer
		// was lost, may have deleted it. If the product is there without
		// the image, the delete is done.
		if cur, lerr := a.current(ctx, productID); lerr == nil && !slices.ContainsFunc(cur, func(img shopimg.Image) bool { return img.ID == imageID }) {
			return nil
		}
	}
	return err
}

// UpdateImages checks b before any request (its IDs and alt texts), then
// against the product's images, and applies what changes in the driver's
// batch call; nothing is sent when nothing changes.
func (b *BatchAdapter) UpdateImages(ctx context.Context, productID string, bu shopimg.BatchUpdate) ([]shopimg.Image, error) {
	a := b.Adapter
	if err := a.productID(productID); err != nil {
		return nil, err
	}
	caps := a.d.Capabilities()
	switch {
	case bu.Order != nil && !caps.Reorder:
		return nil, a.unsupported(OpReorder)
	case len(bu.Alt) > 0 && !caps.Update:
		return nil, a.unsupported(OpUpdateAlt)
	}
	if bu.Order != nil {
		if err := a.checkIDList("Order", bu.Order); err != nil {
			return nil, err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(bu.Alt)) { // the same error for the same input
		if err := a.imageID("Alt", id); err != nil {
			return nil, err
		}
		if r := check.Text(bu.Alt[id]); r != "" {
			return nil, &shopimg.InputError{Field: fmt.Sprintf("Alt[%q]", id), Reason: r}
		}
	}
	cur, err := a.current(ctx, productID)
	if err != nil {
		return nil, err
	}
	curIDs := ids(cur)
	if bu.Order != nil {
		if err := CheckPermutation(curIDs, bu.Order); err != nil {
			return nil, err
		}
	}
	call := BatchCall{ProductID: productID, Current: cur, Alt: map[string]string{}}
	for _, id := range slices.Sorted(maps.Keys(bu.Alt)) {
		alt := bu.Alt[id]
		i := slices.Index(curIDs, id)
		if i < 0 {
			return nil, NotFound(a.d.Platform(), productID, id)
		}
		if cur[i].Alt != alt {
			call.Alt[id] = alt
		}
	}
	if bu.Order != nil && (!slices.Equal(curIDs, bu.Order) || (len(cur) > 0 && !cur[0].Main && caps.HasMain())) {
		call.Order = slices.Clone(bu.Order)
	}
	if call.Order == nil && len(call.Alt) == 0 {
		return cur, nil
	}
	imgs, err := a.d.(Batcher).UpdateImages(ctx, call)
	if err != nil {
		return nil, err
	}
	return a.normalize(productID, imgs)
}

func (a *Adapter) productID(id string) error {
	if r := check.ID(id); r != "" {
		return &shopimg.InputError{Field: "productID", Reason: r}
	}
	return a.d.CheckProductID(id)
}

func (a *Adapter) imageID(field, id string) error {
	if r := check.ID(id); r != "" {
		return &shopimg.InputError{Field: field, Reason: r}
	}
	return a.d.CheckImageID(id)
}

// checkIDList checks every ID's format and that none repeats.
func (a *Adapter) checkIDList(field string, list []string) error {
	seen := make(map[string]bool, len(list))
	for _, id := range list {
		if err := a.imageID(field, id); err != nil {
			return err
		}
		if seen[id] {
			return &shopimg.InputError{Field: field, Reason: fmt.Sprintf("lists %q twice", id)}
		}
		seen[id] = true
	}
	return nil
}

func (a *Adapter) unsupported(op Operation) error {
	reason := ""
	if r, ok := a.d.(Reasoner); ok {
		reason = r.Reason(op)
	}
	if reason == "" {
		reason = "the platform's API cannot do it"
	}
	return &shopimg.UnsupportedError{Platform: a.d.Platform(), Operation: string(op), Reason: reason}
}

func ids(imgs []shopimg.Image) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.ID
	}
	return out
}
