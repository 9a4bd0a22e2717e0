package shopimgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
)

// Call names a ProductImages (or BatchUpdater) method of a Fake, for
// Faults and call counts.
type Call string

// The Fake's methods. CallAnyWrite matches every write in a Fault.
const (
	CallList         Call = "List"
	CallAdd          Call = "Add"
	CallUpdate       Call = "Update"
	CallReorder      Call = "Reorder"
	CallDelete       Call = "Delete"
	CallUpdateImages Call = "UpdateImages"
	CallAnyWrite     Call = "*write"
)

func (c Call) isWrite() bool { return c != CallList }

// Fault makes a future call of a Fake fail, to test error handling and crash
// recovery.
type Fault struct {
	// Call is the method it hits; CallAnyWrite hits any write.
	Call Call
	// ProductID restricts it to one product; empty matches any.
	ProductID string
	// Skip lets this many matching calls through before the fault fires.
	Skip int
	// Err is what the failing call returns.
	Err error
	// Apply makes the call take effect before returning Err: the write
	// happened, yet the caller sees a failure (use an Err wrapping
	// shopimg.ErrOutcomeUnknown to model a dropped connection). For an Add
	// whose Err is or wraps a *shopimg.AddedError (the image was created,
	// then a follow-up step such as reading it back failed), Add returns
	// the stored image with an *shopimg.AddedError holding that image and
	// the given Step and Err; for any other Err it returns no image.
	Apply bool
}

// Fake is an in-memory shopimg.ProductImages for tests. Its capabilities can
// be restricted to behave like any platform (see the profiles), faults can be
// injected, and it counts calls, including the write calls the platform it
// mimics would have needed. It is safe for concurrent use.
//
// Products must be created with AddProduct before use; any other product ID
// gives ErrNotFound.
type Fake struct {
	caps  shopimg.Capabilities
	idGen func(n int) string
	clock shopimg.Clock

	guard shopimg.ProductImages // the shared adapter guard, over fakeDriver

	mu       sync.Mutex
	products map[string]*fakeProduct
	seq      int
	seeded   map[string]bool // IDs given to Seed, which newID never hands out
	calls    map[Call]int
	writes   int
	faults   []*Fault
}

type fakeProduct struct {
	images []FakeImage
}

// FakeImage is an image stored in a Fake; it is the Raw value of the Images
// the Fake returns.
type FakeImage struct {
	// ID is the image's ID (see WithIDs).
	ID string
	// URL is the source URL it was added from, or for an upload a made-up
	// URL under https://fake.shopimg.test/.
	URL string
	// FileName is the uploaded file's name, empty for a URL add.
	FileName string
	// Size is how many bytes of the upload were read, 0 for a URL add.
	Size int64
	// Alt is the image's alt text.
	Alt string
	// UpdatedAt is when it was added or last changed, by the Fake's clock.
	UpdatedAt time.Time
}

// Option configures a Fake.
type Option func(*Fake)

// WithCapabilities makes the Fake behave like a platform with caps: every
// operation caps does not allow returns ErrUnsupported, a product holds at
// most caps.MaxImages images (the add beyond fails with ErrInvalidInput), and
// write calls are counted the way that platform would need them (BatchReorder,
// MainIsFlag, MaxPerCall). AsyncAdd is only reported: like an adapter that waits for the
// platform's job, the Fake's Add returns the stored image.
func WithCapabilities(caps shopimg.Capabilities) Option {
	return func(f *Fake) { f.caps = caps }
}

// WithIDs sets how image IDs are made from a sequence number starting at 1
// (default: the decimal number), to mimic file-name or GUID IDs.
func WithIDs(gen func(n int) string) Option {
	return func(f *Fake) { f.idGen = gen }
}

// WithClock sets the clock stamping UpdatedAt (default: a fixed time).
func WithClock(c shopimg.Clock) Option {
	return func(f *Fake) { f.clock = c }
}

// NewFake returns an empty Fake with FullProfile capabilities unless an
// option says otherwise.
func NewFake(opts ...Option) *Fake {
	f := &Fake{
		caps:     FullProfile,
		idGen:    strconv.Itoa,
		clock:    NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		products: map[string]*fakeProduct{},
		calls:    map[Call]int{},
	}
	for _, o := range opts {
		o(f)
	}
	f.guard = guard.New((*fakeDriver)(f))
	return f
}

var (
	_ shopimg.ProductImages = (*Fake)(nil)
	_ shopimg.BatchUpdater  = (*Fake)(nil)
)

// AddProduct creates an empty product (it is a no-op for an existing one).
func (f *Fake) AddProduct(productID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.products[productID] == nil {
		f.products[productID] = &fakeProduct{}
	}
}

// Seed replaces a product's images without counting a call, creating the
// product if needed. Only ID, URL and Alt of each image are used; an empty ID
// gets a new one, and IDs given here are never handed out by a later Add.
// It returns the stored images. It panics if imgs lists an ID twice.
func (f *Fake) Seed(productID string, imgs ...shopimg.Image) []shopimg.Image {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := &fakeProduct{}
	for _, img := range imgs { // first, so that no new ID takes one of these
		if img.ID != "" {
			if f.seeded == nil {
				f.seeded = map[string]bool{}
			}
			f.seeded[img.ID] = true
		}
	}
	seen := make(map[string]bool, len(imgs))
	for _, img := range imgs {
		id := img.ID
		if id == "" {
			id = f.newID()
		}
		if seen[id] {
			panic(fmt.Sprintf("shopimgtest: Seed(%q) lists image ID %q twice", productID, id))
		}
		seen[id] = true
		p.images = append(p.images, FakeImage{ID: id, URL: img.URL, Alt: img.Alt, UpdatedAt: f.clock.Now()})
	}
	f.products[productID] = p
	return f.view(productID, p)
}

// Images returns a product's images without counting a call (nil for an
// unknown product).
func (f *Fake) Images(productID string) []shopimg.Image {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.products[productID]
	if p == nil {
		return nil
	}
	return f.view(productID, p)
}

// Inject queues a fault; faults fire in the order they were injected.
func (f *Fake) Inject(fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cp := fault
	f.faults = append(f.faults, &cp)
}

// PendingFaults returns how many injected faults have not fired.
func (f *Fake) PendingFaults() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.faults)
}

// Calls returns how many times each operation was called, failed calls
// included.
func (f *Fake) Calls() map[Call]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[Call]int, len(f.calls))
	for k, v := range f.calls {
		out[k] = v
	}
	return out
}

// Writes returns the write calls the mimicked platform would have received:
// one per Add and Delete; for Reorder, Capabilities.ReorderCost (one per image
// written, counting a new main image where Capabilities.MainIsFlag, or one
// per batch with Capabilities.BatchReorder); one per Update, except that on
// a per-image platform an Update that moves its image costs the images
// Capabilities.ReorderWrites writes for the new order, the image itself
// written anyway when its alt text changes too (so with MainIsFlag, moving
// the main image away costs a write on the image that becomes main); for
// UpdateImages, one per MaxPerCall changed images. Calls that change
// nothing, and calls refused before sending, count zero.
func (f *Fake) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// ResetCounts zeroes Calls and Writes.
func (f *Fake) ResetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = map[Call]int{}
	f.writes = 0
}

// Capabilities returns the Fake's capabilities.
func (f *Fake) Capabilities() shopimg.Capabilities { return f.caps }

// count counts a call of method.
func (f *Fake) count(c Call) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[c]++
}

// List returns the product's images in order, the first being main where the
// capabilities have a main image.
func (f *Fake) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	f.count(CallList)
	return f.guard.List(ctx, productID)
}

// Add adds one image.
func (f *Fake) Add(ctx context.Context, productID string, img shopimg.NewImage) (shopimg.Image, error) {
	f.count(CallAdd)
	return f.guard.Add(ctx, productID, img)
}

// Update changes an image's alt text, position or main flag. An update that
// changes nothing costs no write.
func (f *Fake) Update(ctx context.Context, productID, imageID string, u shopimg.ImageUpdate) (shopimg.Image, error) {
	f.count(CallUpdate)
	return f.guard.Update(ctx, productID, imageID, u)
}

// Reorder puts the images in the order of imageIDs.
func (f *Fake) Reorder(ctx context.Context, productID string, imageIDs []string) error {
	f.count(CallReorder)
	return f.guard.Reorder(ctx, productID, imageIDs)
}

// Delete removes an image.
func (f *Fake) Delete(ctx context.Context, productID, imageID string) error {
	f.count(CallDelete)
	return f.guard.Delete(ctx, productID, imageID)
}

// UpdateImages applies a batch of alt changes and an optional new order.
func (f *Fake) UpdateImages(ctx context.Context, productID string, b shopimg.BatchUpdate) ([]shopimg.Image, error) {
	f.count(CallUpdateImages)
	bu, ok := f.guard.(shopimg.BatchUpdater)
	if !ok {
		return nil, &shopimg.UnsupportedError{Platform: platform, Operation: string(guard.OpBatch), Reason: reason}
	}
	return bu.UpdateImages(ctx, productID, b)
}

// platform names the Fake in errors; reason is why it refuses what its
// capabilities do not allow.
const (
	platform = "shopimgtest"
	reason   = "not in the fake's capabilities"
)

// fakeDriver is the Fake as the guard's Driver: the guard has checked the
// arguments and the capabilities; the driver checks, under the lock, that
// the product is still as the guard listed it (another goroutine may have
// changed it: ErrConflict), fires faults and counts writes.
type fakeDriver Fake

func (d *fakeDriver) fake() *Fake                        { return (*Fake)(d) }
func (d *fakeDriver) Platform() string                   { return platform }
func (d *fakeDriver) Capabilities() shopimg.Capabilities { return d.caps }
func (d *fakeDriver) CheckProductID(string) error        { return nil }
func (d *fakeDriver) CheckImageID(string) error          { return nil }
func (d *fakeDriver) Reason(guard.Operation) string      { return reason }

func (d *fakeDriver) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	f := d.fake()
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.product(ctx, productID)
	if err != nil {
		return nil, err
	}
	if fault := f.takeFault(CallList, productID); fault != nil {
		return nil, fault.Err
	}
	return f.view(productID, p), nil
}

func (d *fakeDriver) Snapshot(ctx context.Context, productID string) ([]shopimg.Image, error) {
	f := d.fake()
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.product(ctx, productID)
	if err != nil {
		return nil, err
	}
	return f.view(productID, p), nil
}

// unchanged reports an error when p's images are no longer those the guard
// listed.
func (f *Fake) unchanged(productID string, p *fakeProduct, listed []shopimg.Image) error {
	if !slices.Equal(ids(p.images), idsOfImages(listed)) {
		return guard.Changed(platform, productID, fmt.Sprintf("listed %v, now %v", idsOfImages(listed), ids(p.images)))
	}
	return nil
}

func (d *fakeDriver) Add(ctx context.Context, call guard.AddCall) (shopimg.Image, error) {
	f := d.fake()
	img := call.Image
	var size int64
	if img.File != nil {
		// Read the upload as a client would send it.
		rc, err := img.File.Open()
		if err != nil {
			return shopimg.Image{}, fmt.Errorf("shopimgtest: opening %s: %w", img.File.Name, err)
		}
		size, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return shopimg.Image{}, fmt.Errorf("shopimgtest: reading %s: %w", img.File.Name, err)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.product(ctx, call.ProductID)
	if err != nil {
		return shopimg.Image{}, err
	}
	appending := call.Image.Position == nil && !call.Image.Main
	if !appending {
		// A position is relative to the images the guard listed.
		if err := f.unchanged(call.ProductID, p, call.Current); err != nil {
			return shopimg.Image{}, err
		}
	}
	if f.caps.MaxImages > 0 && len(p.images) >= f.caps.MaxImages {
		return shopimg.Image{}, &shopimg.InputError{Field: "productID", Reason: fmt.Sprintf("%q already has %d images, the most %s allows", call.ProductID, len(p.images), platform)}
	}
	fault := f.takeFault(CallAdd, call.ProductID)
	if fault != nil && !fault.Apply {
		return shopimg.Image{}, fault.Err
	}
	fi := FakeImage{ID: f.newID(), URL: img.SourceURL, Alt: img.Alt, Size: size, UpdatedAt: f.clock.Now()}
	if img.File != nil {
		fi.FileName = img.File.Name
		fi.URL = "https://fake.shopimg.test/" + call.ProductID + "/" + fi.ID + "/" + img.File.Name
	}
	pos := call.Position
	if pos < 0 || appending {
		pos = len(p.images)
	}
	p.images = insertAt(p.images, pos, fi)
	f.writes++
	var added *shopimg.AddedError
	switch {
	case fault != nil && errors.As(fault.Err, &added):
		// Created, then a follow-up step failed: the caller gets the image.
		img := f.image(call.ProductID, p, pos)
		return img, &shopimg.AddedError{Image: img, Step: added.Step, Err: added.Err}
	case fault != nil:
		return shopimg.Image{}, fault.Err
	}
	return f.image(call.ProductID, p, pos), nil
}

func (d *fakeDriver) Update(ctx context.Context, call guard.UpdateCall) (shopimg.Image, error) {
	f := d.fake()
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.product(ctx, call.ProductID)
	if err != nil {
		return shopimg.Image{}, err
	}
	if err := f.unchanged(call.ProductID, p, call.Current); err != nil {
		return shopimg.Image{}, err
	}
	fault := f.takeFault(CallUpdate, call.ProductID)
	if fault != nil && !fault.Apply {
		return shopimg.Image{}, fault.Err
	}
	img := p.images[call.From]
	if call.Alt != nil {
		img.Alt = *call.Alt
	}
	img.UpdatedAt = f.clock.Now()
	current := ids(p.images)
	p.images = insertAt(append(p.images[:call.From:call.From], p.images[call.From+1:]...), call.To, img)
	f.writes += f.updateCost(current, ids(p.images), call.ImageID, call.Alt != nil)
	if fault != nil {
		return shopimg.Image{}, fault.Err
	}
	return f.image(call.ProductID, p, call.To), nil
}

func (d *fakeDriver) Reorder(ctx context.Context, call guard.ReorderCall) error {
	f := d.fake()
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.product(ctx, call.ProductID)
	if err != nil {
		return err
	}
	if err := f.unchanged(call.ProductID, p, call.Current); err != nil {
		return err
	}
	cost := f.caps.ReorderCost(ids(p.images), call.Target)
	fault := f.takeFault(CallReorder, call.ProductID)
	if fault != nil && !fault.Apply {
		return fault.Err
	}
	p.images = permute(p.images, call.Target)
	f.writes += cost
	if fault != nil {
		return fault.Err
	}
	return nil
}

func (d *fakeDriver) Delete(ctx context.Context, productID, imageID string) error {
	f := d.fake()
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.product(ctx, productID)
	if err != nil {
		return err
	}
	i := indexOf(p.images, imageID)
	if i < 0 {
		return guard.NotFound(platform, productID, imageID)
	}
	fault := f.takeFault(CallDelete, productID)
	if fault != nil && !fault.Apply {
		return fault.Err
	}
	p.images = append(p.images[:i:i], p.images[i+1:]...)
	f.writes++
	if fault != nil {
		return fault.Err
	}
	return nil
}

func (d *fakeDriver) UpdateImages(ctx context.Context, call guard.BatchCall) ([]shopimg.Image, error) {
	f := d.fake()
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.product(ctx, call.ProductID)
	if err != nil {
		return nil, err
	}
	if err := f.unchanged(call.ProductID, p, call.Current); err != nil {
		return nil, err
	}
	changed := map[string]bool{}
	for id := range call.Alt {
		changed[id] = true
	}
	current := ids(p.images)
	for i, id := range call.Order {
		if current[i] != id {
			changed[id] = true
		}
	}
	fault := f.takeFault(CallUpdateImages, call.ProductID)
	if fault != nil && !fault.Apply {
		return nil, fault.Err
	}
	now := f.clock.Now()
	for i := range p.images {
		if alt, ok := call.Alt[p.images[i].ID]; ok {
			p.images[i].Alt = alt
			p.images[i].UpdatedAt = now
		}
	}
	if call.Order != nil {
		p.images = permute(p.images, call.Order)
	}
	f.writes += f.caps.Calls(len(changed))
	if fault != nil {
		return nil, fault.Err
	}
	return f.view(call.ProductID, p), nil
}

// updateCost is the write calls an Update of image id costs that changes
// the order from current to target (the same order if it does not move the
// image), changing its alt text too if alt is set: one, or on a per-image
// platform the images written to reach target (with id among them if alt),
// at least one.
func (f *Fake) updateCost(current, target []string, id string, alt bool) int {
	if !f.caps.Reorder || f.caps.BatchReorder {
		return 1
	}
	var written []string
	if alt {
		written = []string{id}
	}
	return max(1, len(f.caps.ReorderWrites(current, target, written...)))
}

// product returns the product or ErrNotFound; it also honours ctx.
func (f *Fake) product(ctx context.Context, productID string) (*fakeProduct, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := f.products[productID]
	if p == nil {
		return nil, fmt.Errorf("shopimgtest: product %q: %w", productID, shopimg.ErrNotFound)
	}
	return p, nil
}

// takeFault returns and removes the first fault matching the call, counting
// down Skip on the way.
func (f *Fake) takeFault(c Call, productID string) *Fault {
	for i, fl := range f.faults {
		if (fl.Call != c && (fl.Call != CallAnyWrite || !c.isWrite())) || (fl.ProductID != "" && fl.ProductID != productID) {
			continue
		}
		if fl.Skip > 0 {
			fl.Skip--
			continue
		}
		f.faults = append(f.faults[:i:i], f.faults[i+1:]...)
		return fl
	}
	return nil
}

func (f *Fake) newID() string {
	for {
		f.seq++
		if id := f.idGen(f.seq); !f.seeded[id] {
			return id
		}
	}
}

func (f *Fake) view(productID string, p *fakeProduct) []shopimg.Image {
	out := make([]shopimg.Image, len(p.images))
	for i := range p.images {
		out[i] = f.image(productID, p, i)
	}
	return out
}

func (f *Fake) image(productID string, p *fakeProduct, i int) shopimg.Image {
	fi := p.images[i]
	return shopimg.Image{
		ID:        fi.ID,
		ProductID: productID,
		URL:       fi.URL,
		Alt:       fi.Alt,
		Position:  i,
		Main:      i == 0 && f.caps.HasMain(),
		UpdatedAt: fi.UpdatedAt,
		Raw:       fi,
	}
}

func ids(imgs []FakeImage) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.ID
	}
	return out
}

func idsOfImages(imgs []shopimg.Image) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.ID
	}
	return out
}

func indexOf(imgs []FakeImage, id string) int {
	for i, img := range imgs {
		if img.ID == id {
			return i
		}
	}
	return -1
}

func insertAt(imgs []FakeImage, pos int, img FakeImage) []FakeImage {
	imgs = append(imgs, FakeImage{})
	copy(imgs[pos+1:], imgs[pos:])
	imgs[pos] = img
	return imgs
}

func permute(imgs []FakeImage, order []string) []FakeImage {
	byID := make(map[string]FakeImage, len(imgs))
	for _, img := range imgs {
		byID[img.ID] = img
	}
	out := make([]FakeImage, len(order))
	for i, id := range order {
		out[i] = byID[id]
	}
	return out
}
