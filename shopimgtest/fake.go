package shopimgtest

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/shopimg/shopimg"
)

// Op names a ProductImages (or BatchUpdater) method of a Fake.
type Op string

// The Fake's operations. OpAnyWrite matches every write in a Fault.
const (
	OpList         Op = "List"
	OpAdd          Op = "Add"
	OpUpdate       Op = "Update"
	OpReorder      Op = "Reorder"
	OpDelete       Op = "Delete"
	OpUpdateImages Op = "UpdateImages"
	OpAnyWrite     Op = "*write"
)

func (o Op) isWrite() bool { return o != OpList }

// Fault makes a future call of a Fake fail, to test error handling and crash
// recovery.
type Fault struct {
	// Op is the operation it hits; OpAnyWrite hits any write.
	Op Op
	// ProductID restricts it to one product; empty matches any.
	ProductID string
	// Skip lets this many matching calls through before the fault fires.
	Skip int
	// Err is what the failing call returns.
	Err error
	// Apply makes the call take effect before returning Err: the write
	// happened, yet the caller sees a failure (use an Err wrapping
	// shopimg.ErrOutcomeUnknown to model a dropped connection).
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

	mu       sync.Mutex
	products map[string]*fakeProduct
	seq      int
	seeded   map[string]bool // IDs given to Seed, which newID never hands out
	calls    map[Op]int
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
		calls:    map[Op]int{},
	}
	for _, o := range opts {
		o(f)
	}
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
func (f *Fake) Calls() map[Op]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[Op]int, len(f.calls))
	for k, v := range f.calls {
		out[k] = v
	}
	return out
}

// Writes returns the write calls the mimicked platform would have received:
// one per Add and Delete; for Reorder, shopimg.ReorderCost (one per image
// written, counting a new main image where Capabilities.MainIsFlag, or one
// per batch with Capabilities.BatchReorder); one per Update, except that on
// a per-image platform an Update that moves its image costs the images
// shopimg.ReorderMovesFor writes for the new order, the image itself
// written anyway when its alt text changes too (so with MainIsFlag, moving
// the main image away costs a write on the image that becomes main); for
// UpdateImages, one per MaxPerCall changed images. Calls that change nothing
// (Update aside), and calls refused before sending, count zero.
func (f *Fake) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// ResetCounts zeroes Calls and Writes.
func (f *Fake) ResetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = map[Op]int{}
	f.writes = 0
}

// Capabilities returns the Fake's capabilities.
func (f *Fake) Capabilities() shopimg.Capabilities { return f.caps }

// List returns the product's images in order, the first being main where the
// capabilities have a main image.
func (f *Fake) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	if err := shopimg.ValidateID("productID", productID); err != nil {
		return nil, err
	}
	if !f.caps.List {
		return nil, f.unsupported("list images")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[OpList]++
	p, err := f.product(ctx, productID)
	if err != nil {
		return nil, err
	}
	if fault := f.takeFault(OpList, productID); fault != nil {
		return nil, fault.Err
	}
	return f.view(productID, p), nil
}

// Add adds one image.
func (f *Fake) Add(ctx context.Context, productID string, img shopimg.NewImage) (shopimg.Image, error) {
	if err := shopimg.ValidateID("productID", productID); err != nil {
		return shopimg.Image{}, err
	}
	if err := img.Validate(); err != nil {
		return shopimg.Image{}, err
	}
	switch {
	case img.SourceURL != "" && !f.caps.AddFromURL:
		return shopimg.Image{}, f.unsupported("add an image from a URL")
	case img.File != nil && !f.caps.AddFromFile:
		return shopimg.Image{}, f.unsupported("upload an image file")
	case img.Main && !f.caps.HasMain():
		return shopimg.Image{}, f.unsupported("make an image main")
	}
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
	f.calls[OpAdd]++
	p, err := f.product(ctx, productID)
	if err != nil {
		return shopimg.Image{}, err
	}
	n := len(p.images)
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
	if pos != n && !f.caps.AddAtPosition {
		return shopimg.Image{}, f.unsupported("add an image at a position")
	}
	if f.caps.MaxImages > 0 && n >= f.caps.MaxImages {
		return shopimg.Image{}, &shopimg.InputError{Field: "productID", Reason: fmt.Sprintf("already has the most images allowed (%d)", f.caps.MaxImages)}
	}
	fault := f.takeFault(OpAdd, productID)
	if fault != nil && !fault.Apply {
		return shopimg.Image{}, fault.Err
	}
	fi := FakeImage{ID: f.newID(), URL: img.SourceURL, Alt: img.Alt, Size: size, UpdatedAt: f.clock.Now()}
	if img.File != nil {
		fi.FileName = img.File.Name
		fi.URL = "https://fake.shopimg.test/" + productID + "/" + fi.ID + "/" + img.File.Name
	}
	p.images = insertAt(p.images, pos, fi)
	f.writes++
	if fault != nil {
		return shopimg.Image{}, fault.Err
	}
	return f.image(productID, p, pos), nil
}

// Update changes an image's alt text, position or main flag.
func (f *Fake) Update(ctx context.Context, productID, imageID string, u shopimg.ImageUpdate) (shopimg.Image, error) {
	if err := validateIDs(productID, imageID); err != nil {
		return shopimg.Image{}, err
	}
	if err := u.Validate(); err != nil {
		return shopimg.Image{}, err
	}
	switch {
	case u.Alt != nil && !f.caps.Update:
		return shopimg.Image{}, f.unsupported("update an image's alt text")
	case u.Position != nil && !f.caps.Reorder:
		return shopimg.Image{}, f.unsupported("move an image")
	case u.Main != nil && !f.caps.SetMain:
		return shopimg.Image{}, f.unsupported("set the main image")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[OpUpdate]++
	p, err := f.product(ctx, productID)
	if err != nil {
		return shopimg.Image{}, err
	}
	i := indexOf(p.images, imageID)
	if i < 0 {
		return shopimg.Image{}, f.notFound(productID, imageID)
	}
	pos := i
	if u.Position != nil {
		if err := shopimg.CheckPosition(*u.Position, len(p.images)); err != nil {
			return shopimg.Image{}, err
		}
		pos = *u.Position
	}
	if u.Main != nil {
		pos = 0
	}
	fault := f.takeFault(OpUpdate, productID)
	if fault != nil && !fault.Apply {
		return shopimg.Image{}, fault.Err
	}
	img := p.images[i]
	if u.Alt != nil {
		img.Alt = *u.Alt
	}
	img.UpdatedAt = f.clock.Now()
	current := ids(p.images)
	p.images = insertAt(append(p.images[:i:i], p.images[i+1:]...), pos, img)
	f.writes += f.updateCost(current, ids(p.images), imageID, u.Alt != nil)
	if fault != nil {
		return shopimg.Image{}, fault.Err
	}
	return f.image(productID, p, pos), nil
}

// Reorder puts the images in the order of imageIDs.
func (f *Fake) Reorder(ctx context.Context, productID string, imageIDs []string) error {
	if err := shopimg.ValidateID("productID", productID); err != nil {
		return err
	}
	if !f.caps.Reorder {
		return f.unsupported("reorder images")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[OpReorder]++
	p, err := f.product(ctx, productID)
	if err != nil {
		return err
	}
	current := ids(p.images)
	if err := shopimg.CheckPermutation(current, imageIDs); err != nil {
		return err
	}
	cost := shopimg.ReorderCost(f.caps, current, imageIDs)
	if cost == 0 {
		return nil
	}
	fault := f.takeFault(OpReorder, productID)
	if fault != nil && !fault.Apply {
		return fault.Err
	}
	p.images = permute(p.images, imageIDs)
	f.writes += cost
	if fault != nil {
		return fault.Err
	}
	return nil
}

// Delete removes an image.
func (f *Fake) Delete(ctx context.Context, productID, imageID string) error {
	if err := validateIDs(productID, imageID); err != nil {
		return err
	}
	if !f.caps.Delete {
		return f.unsupported("delete an image")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[OpDelete]++
	p, err := f.product(ctx, productID)
	if err != nil {
		return err
	}
	i := indexOf(p.images, imageID)
	if i < 0 {
		return f.notFound(productID, imageID)
	}
	fault := f.takeFault(OpDelete, productID)
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

// UpdateImages applies a batch of alt changes and an optional new order.
func (f *Fake) UpdateImages(ctx context.Context, productID string, b shopimg.BatchUpdate) ([]shopimg.Image, error) {
	if err := shopimg.ValidateID("productID", productID); err != nil {
		return nil, err
	}
	switch {
	case !f.caps.BatchUpdate:
		return nil, f.unsupported("update images in a batch")
	case b.Order != nil && !f.caps.Reorder:
		return nil, f.unsupported("reorder images")
	case len(b.Alt) > 0 && !f.caps.Update:
		return nil, f.unsupported("update an image's alt text")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[OpUpdateImages]++
	p, err := f.product(ctx, productID)
	if err != nil {
		return nil, err
	}
	current := ids(p.images)
	if b.Order != nil {
		if err := shopimg.CheckPermutation(current, b.Order); err != nil {
			return nil, err
		}
	}
	changed := map[string]bool{}
	for id, alt := range b.Alt {
		i := indexOf(p.images, id)
		if i < 0 {
			return nil, f.notFound(productID, id)
		}
		if p.images[i].Alt != alt {
			changed[id] = true
		}
	}
	if b.Order != nil {
		for i, id := range b.Order {
			if current[i] != id {
				changed[id] = true
			}
		}
	}
	if len(changed) == 0 {
		return f.view(productID, p), nil
	}
	fault := f.takeFault(OpUpdateImages, productID)
	if fault != nil && !fault.Apply {
		return nil, fault.Err
	}
	now := f.clock.Now()
	for i := range p.images {
		if alt, ok := b.Alt[p.images[i].ID]; ok && changed[p.images[i].ID] {
			p.images[i].Alt = alt
			p.images[i].UpdatedAt = now
		}
	}
	if b.Order != nil {
		p.images = permute(p.images, b.Order)
	}
	f.writes += batches(len(changed), f.caps.MaxPerCall)
	if fault != nil {
		return nil, fault.Err
	}
	return f.view(productID, p), nil
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
	return max(1, len(shopimg.ReorderMovesFor(f.caps, current, target, written...)))
}

func batches(n, per int) int {
	if n == 0 {
		return 0
	}
	if per <= 0 {
		return 1
	}
	return (n + per - 1) / per
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
func (f *Fake) takeFault(op Op, productID string) *Fault {
	for i, fl := range f.faults {
		if (fl.Op != op && (fl.Op != OpAnyWrite || !op.isWrite())) || (fl.ProductID != "" && fl.ProductID != productID) {
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

func (f *Fake) unsupported(op string) error {
	return &shopimg.UnsupportedError{Platform: "shopimgtest", Operation: op, Reason: "not in the fake's capabilities"}
}

func (f *Fake) notFound(productID, imageID string) error {
	return fmt.Errorf("shopimgtest: image %q of product %q: %w", imageID, productID, shopimg.ErrNotFound)
}

func validateIDs(productID, imageID string) error {
	if err := shopimg.ValidateID("productID", productID); err != nil {
		return err
	}
	return shopimg.ValidateID("imageID", imageID)
}

func ids(imgs []FakeImage) []string {
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
