package shopimgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/guard"
	"github.com/shopimg/shopimg/internal/rest"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
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

// Fault makes a future call of a Fake (or, through a vendor fake's Inject,
// a request of a vendor client) fail, to test error handling and crash
// recovery.
//
// A fault with Err fails the Fake's call at once with that error. A fault
// without Err is a failure of the platform's HTTP API, in the vocabulary
// the vendor fake servers share (see fakestore.Fault): a Status (with
// RetryAfter), a dropped connection (Drop), a write that happens before the
// failure (Apply), Latency. The Fake then sends that call through the same
// HTTP core as the vendor clients, to an in-process server that serves it,
// so the caller sees what a vendor client would: a 5xx or a dropped
// connection retried by the retry policy (see WithRetry), a Retry-After
// waited for on the Fake's clock, a create that failed after sending
// reported as shopimg.ErrOutcomeUnknown, and so on.
type Fault struct {
	// Call is the method it hits; CallAnyWrite hits any write.
	Call Call
	// ProductID restricts it to one product; empty matches any.
	ProductID string
	// Skip lets this many matching calls (for a network fault, requests)
	// through before the fault fires.
	Skip int
	// Err is what the failing call returns.
	Err error
	// Apply makes the call take effect before it fails: the write
	// happened, yet the caller sees a failure (with Err, use one wrapping
	// shopimg.ErrOutcomeUnknown to model a dropped connection). For an Add
	// whose Err is or wraps a *shopimg.AddedError (the image was created,
	// then a follow-up step such as reading it back failed), Add returns
	// the stored image with an *shopimg.AddedError holding that image and
	// the given Step and Err; for any other Err it returns no image.
	Apply bool

	// Status is the HTTP status a network fault answers (500 when Apply is
	// set and neither Status nor Drop is).
	Status int
	// RetryAfter is sent with Status as a Retry-After header, in whole
	// seconds (rounded up).
	RetryAfter time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Latency delays the request, on the Fake's clock.
	Latency time.Duration
	// Times is how many matching requests a network fault applies to
	// (zero means 1).
	Times int
}

// network reports whether f is a network fault.
func (f Fault) network() bool { return f.Err == nil }

// Wire returns f as a fault of a fake server of a platform's HTTP API, for
// vendor fakes that accept this vocabulary: method is the request method
// (or a comma-separated list) of f.Call on that platform, path its escaped
// path (a prefix when it ends in "*"). It panics if f has Err, which only a
// Fake understands.
func (f Fault) Wire(method, path string) fakestore.Fault {
	if !f.network() {
		panic("shopimgtest: a fault with Err is not a network fault")
	}
	ft := fakestore.Fault{Method: method, Path: path, Skip: f.Skip, Times: f.Times, Status: f.Status,
		Latency: f.Latency, Drop: f.Drop, AfterApply: f.Apply}
	if f.RetryAfter > 0 {
		ft.Header = http.Header{"Retry-After": {strconv.FormatInt(fakestore.CeilSeconds(f.RetryAfter), 10)}}
	}
	return ft
}

// WriteMethods is the method list of CallAnyWrite for Fault.Wire.
const WriteMethods = "POST,PUT,PATCH,DELETE"

// Route is where a platform's client sends the requests of one call: the
// Method (or a comma-separated list) and the escaped Path (a prefix when it
// ends in "*"), for Fault.WireFor.
type Route struct {
	// Method is the request method, or a comma-separated list.
	Method string
	// Path is the escaped path, a prefix when it ends in "*".
	Path string
}

// WireFor returns f as a fault of a vendor fake whose requests for each
// call are routes[call] (routes[CallAnyWrite] for CallAnyWrite). It panics
// if routes has no entry for f.Call, or f has Err.
func (f Fault) WireFor(routes map[Call]Route) fakestore.Fault {
	r, ok := routes[f.Call]
	if !ok {
		panic(fmt.Sprintf("shopimgtest: no route for %s faults", f.Call))
	}
	return f.Wire(r.Method, r.Path)
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
	urls  urlStyle
	retry shopimg.RetryPolicy
	quota fakestore.QuotaModel

	guard shopimg.ProductImages // the shared adapter guard, over fakeDriver
	// The HTTP path of network faults and the quota, made on first use
	// (most Fakes never need it).
	netOnce sync.Once
	netWire *wire
	netUsed atomic.Bool

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
	// URL is where the platform serves the image from, as a platform of
	// the Fake's profile does: the source URL it was added from where the
	// platform keeps it (Capabilities.KeepsSourceURL: 3dcart, FinerWorks,
	// FullProfile), else a URL on the platform's CDN (BigCommerce, Salla)
	// or under the file name it gave the image (Shoptet); for an upload, a
	// made-up URL under https://fake.shopimg.test/ where the platform
	// keeps URLs.
	URL string
	// SourceURL is the URL the image was added from (empty for an
	// upload and for a seeded image).
	SourceURL string
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

// WithClock sets the clock stamping UpdatedAt and timing network faults,
// retries and the quota (default: a Clock at a fixed time, which never
// really sleeps).
func WithClock(c shopimg.Clock) Option {
	return func(f *Fake) { f.clock = c }
}

// WithRetry sets the retry policy applied to network faults and the quota,
// as a vendor client's WithRetry does (default
// shopimg.DefaultRetryPolicy, a vendor client's default).
func WithRetry(p shopimg.RetryPolicy) Option {
	return func(f *Fake) { f.retry = p }
}

// WithQuota makes the Fake's platform enforce a rate limit, as the vendor
// fake servers do (a fakestore.FixedWindow or LeakyBucket, used by this
// Fake alone): every call then goes through the HTTP core, and one over the
// quota is answered 429 with Retry-After, which the retry policy waits for
// on the Fake's clock.
func WithQuota(q fakestore.QuotaModel) Option {
	return func(f *Fake) { f.quota = q }
}

// NewFake returns an empty Fake with FullProfile capabilities unless an
// option says otherwise.
func NewFake(opts ...Option) *Fake {
	f := &Fake{
		caps:     FullProfile,
		idGen:    strconv.Itoa,
		clock:    NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		retry:    shopimg.DefaultRetryPolicy(),
		products: map[string]*fakeProduct{},
		calls:    map[Call]int{},
	}
	for _, o := range opts {
		o(f)
	}
	f.urls = urlStyleOf(f.caps)
	f.guard = guard.New((*fakeDriver)(f))
	if f.quota != nil {
		f.wire()
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

// Inject queues a fault; faults fire in the order they were injected (a
// fault with Err and a network fault are kept in two queues).
func (f *Fake) Inject(fault Fault) {
	if fault.network() {
		f.wire().h.Faults().Add(fault.Wire(f.route(fault.Call, fault.ProductID)))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cp := fault
	f.faults = append(f.faults, &cp)
}

// PendingFaults returns how many injected faults have not fired (for a
// network fault, how many more requests it applies to).
func (f *Fake) PendingFaults() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.faults)
	if f.netUsed.Load() {
		n += f.wire().h.Faults().Pending()
	}
	return n
}

// Requests returns the requests the Fake's platform received on its HTTP
// path: every call while a network fault is pending or a quota is set,
// each retry included, as a vendor fake's Recorder lists them. Their paths
// are those of Fault.Wire for the Fake's routes:
//
//	GET    /products/{productID}/images              List (and the listing other calls make)
//	POST   /products/{productID}/images              Add
//	PUT    /products/{productID}/images/{imageID}    Update
//	PUT    /products/{productID}/images              Reorder
//	PATCH  /products/{productID}/images              UpdateImages
//	DELETE /products/{productID}/images/{imageID}    Delete
func (f *Fake) Requests() []fakestore.RecordedRequest {
	if !f.netUsed.Load() {
		return nil
	}
	return f.wire().h.Recorder().Requests()
}

// wire returns the Fake's HTTP path, making it on first use.
func (f *Fake) wire() *wire {
	f.netOnce.Do(func() {
		f.netWire = newWire(f)
		f.netUsed.Store(true)
	})
	return f.netWire
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
// nothing, and calls refused before sending, count zero. A write a
// network fault made the client retry after it took effect (Apply) counts
// again, as it reached the platform again.
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
// changed it: ErrConflict), fires faults and counts writes. Each operation
// runs through exchange, directly or, while a network fault is pending or
// a quota is set, as a request to the Fake's in-process HTTP server.
type fakeDriver Fake

func (d *fakeDriver) fake() *Fake                        { return (*Fake)(d) }
func (d *fakeDriver) Platform() string                   { return platform }
func (d *fakeDriver) Capabilities() shopimg.Capabilities { return d.caps }
func (d *fakeDriver) CheckProductID(string) error        { return nil }
func (d *fakeDriver) CheckImageID(string) error          { return nil }
func (d *fakeDriver) Reason(guard.Operation) string      { return reason }

func (d *fakeDriver) List(ctx context.Context, productID string) ([]shopimg.Image, error) {
	return d.listing(ctx, productID, true)
}

func (d *fakeDriver) Snapshot(ctx context.Context, productID string) ([]shopimg.Image, error) {
	return d.listing(ctx, productID, false)
}

// listing reads the product's images; faults with Err hit only List
// itself, not the reads other calls make.
func (d *fakeDriver) listing(ctx context.Context, productID string, list bool) ([]shopimg.Image, error) {
	f := d.fake()
	var out []shopimg.Image
	err := f.onProduct(ctx, CallList, productID, "", func(p *fakeProduct) error {
		if list {
			if fault := f.takeFault(CallList, productID); fault != nil {
				return fault.Err
			}
		}
		out = f.view(productID, p)
		return nil
	})
	return out, err
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
	var out shopimg.Image
	err := f.onProduct(ctx, CallAdd, call.ProductID, "", func(p *fakeProduct) error {
		pos := call.Position
		// An append needs no position: images another call added
		// meanwhile do not matter.
		appending := img.Position == nil && !img.Main
		if pos < 0 || appending {
			pos = len(p.images)
		} else if err := f.unchanged(call.ProductID, p, call.Current); err != nil {
			return err
		}
		fault := f.takeFault(CallAdd, call.ProductID)
		if fault != nil && !fault.Apply {
			return fault.Err
		}
		fi := FakeImage{ID: f.newID(), SourceURL: img.SourceURL, Alt: img.Alt, Size: size, UpdatedAt: f.clock.Now()}
		if img.File != nil {
			fi.FileName = img.File.Name
		}
		fi.URL = f.urls.url(call.ProductID, fi)
		p.images = insertAt(p.images, pos, fi)
		f.writes++
		var added *shopimg.AddedError
		switch {
		case fault != nil && errors.As(fault.Err, &added):
			// Created, then a follow-up step failed: the caller gets the image.
			out = f.image(call.ProductID, p, pos)
			return &shopimg.AddedError{Image: out, Step: added.Step, Err: added.Err}
		case fault != nil:
			return fault.Err
		}
		out = f.image(call.ProductID, p, pos)
		return nil
	})
	if err != nil {
		if errors.Is(err, shopimg.ErrAdded) && out.ID != "" {
			return out, err
		}
		return shopimg.Image{}, err // a caller that got no answer knows no ID
	}
	return out, nil
}

func (d *fakeDriver) Update(ctx context.Context, call guard.UpdateCall) (shopimg.Image, error) {
	f := d.fake()
	var out shopimg.Image
	err := f.onProduct(ctx, CallUpdate, call.ProductID, call.ImageID, func(p *fakeProduct) error {
		current := ids(p.images)
		cost := f.updateCost(idsOfImages(call.Current), call.Target, call.ImageID, call.Alt != nil)
		retried := slices.Equal(current, call.Target) && (call.Alt == nil || p.images[call.To].Alt == *call.Alt)
		if err := f.unchanged(call.ProductID, p, call.Current); err != nil && !retried {
			return err
		}
		fault := f.takeFault(CallUpdate, call.ProductID)
		if fault != nil && !fault.Apply {
			return fault.Err
		}
		from := slices.Index(current, call.ImageID)
		img := p.images[from]
		if call.Alt != nil {
			img.Alt = *call.Alt
		}
		img.UpdatedAt = f.clock.Now()
		p.images = insertAt(append(p.images[:from:from], p.images[from+1:]...), call.To, img)
		f.writes += cost
		if fault != nil {
			return fault.Err
		}
		out = f.image(call.ProductID, p, call.To)
		return nil
	})
	return out, err
}

func (d *fakeDriver) Reorder(ctx context.Context, call guard.ReorderCall) error {
	f := d.fake()
	return f.onProduct(ctx, CallReorder, call.ProductID, "", func(p *fakeProduct) error {
		if err := f.unchanged(call.ProductID, p, call.Current); err != nil && !slices.Equal(ids(p.images), call.Target) {
			return err
		}
		cost := f.caps.ReorderCost(idsOfImages(call.Current), call.Target)
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
	})
}

func (d *fakeDriver) Delete(ctx context.Context, productID, imageID string) error {
	f := d.fake()
	return f.onProduct(ctx, CallDelete, productID, imageID, func(p *fakeProduct) error {
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
	})
}

func (d *fakeDriver) UpdateImages(ctx context.Context, call guard.BatchCall) ([]shopimg.Image, error) {
	f := d.fake()
	var out []shopimg.Image
	err := f.onProduct(ctx, CallUpdateImages, call.ProductID, "", func(p *fakeProduct) error {
		listed := idsOfImages(call.Current)
		retried := call.Order != nil && slices.Equal(ids(p.images), call.Order)
		if err := f.unchanged(call.ProductID, p, call.Current); err != nil && !retried {
			return err
		}
		changed := map[string]bool{}
		for id := range call.Alt {
			changed[id] = true
		}
		for i, id := range call.Order {
			if listed[i] != id {
				changed[id] = true
			}
		}
		fault := f.takeFault(CallUpdateImages, call.ProductID)
		if fault != nil && !fault.Apply {
			return fault.Err
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
			return fault.Err
		}
		out = f.view(call.ProductID, p)
		return nil
	})
	return out, err
}

// wire is the Fake's HTTP path: an in-process server on the fakestore
// engine (faults, quota, recorder) and a client on the module's HTTP core,
// which retries and waits as every vendor client does.
type wire struct {
	h  *fakestore.Handler
	rc *rest.Client
}

// handlerMark is a header the in-process server sets on the answers its
// handler gives (and a fault's answer lacks).
const handlerMark = "X-Shopimgtest-Handler"

// exchangeKey carries the operation of one exchange to the handler.
type exchangeKey struct{}

// exchange is one operation on the platform: run does it under the Fake's
// lock and returns its error. Without a pending network fault or a quota it
// just runs; otherwise it is a request to the in-process server, whose
// handler runs it (again, for a retried request).
type exchange struct {
	run func() error
	ran bool
	err error
}

func newWire(f *Fake) *wire {
	h := fakestore.NewHandler(http.HandlerFunc(serveExchange), fakestore.Options{Clock: f.clock, Quota: f.quota})
	settings := rest.DefaultSettings("https://fake.shopimg.test")
	settings.HTTPClient = &http.Client{Transport: h.Transport()}
	settings.Clock = f.clock
	settings.Retry = f.retry
	rc, err := rest.New(rest.Config{Settings: settings, Platform: platform})
	if err != nil {
		panic("shopimgtest: " + err.Error()) // the settings above are valid
	}
	return &wire{h: h, rc: rc}
}

// serveExchange runs the exchange the request carries: 200, or 422 with
// the error's text when it fails (never retried; the caller returns the
// operation's own error).
func serveExchange(w http.ResponseWriter, r *http.Request) {
	x, _ := r.Context().Value(exchangeKey{}).(*exchange)
	if x == nil {
		http.NotFound(w, r)
		return
	}
	x.err, x.ran = x.run(), true
	w.Header().Set(handlerMark, "1")
	if x.err != nil {
		http.Error(w, x.err.Error(), http.StatusUnprocessableEntity)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// onProduct is exchange with run called under the lock with the product
// (an unknown product, or an ended ctx, fails the call).
func (f *Fake) onProduct(ctx context.Context, call Call, productID, imageID string, run func(p *fakeProduct) error) error {
	return f.exchange(ctx, call, productID, imageID, func() error {
		f.mu.Lock()
		defer f.mu.Unlock()
		p, err := f.product(ctx, productID)
		if err != nil {
			return err
		}
		return run(p)
	})
}

// exchange runs one operation of call on the product (and image).
func (f *Fake) exchange(ctx context.Context, call Call, productID, imageID string, run func() error) error {
	if f.quota == nil && (!f.netUsed.Load() || f.wire().h.Faults().Pending() == 0) {
		return run()
	}
	x := &exchange{run: run}
	method, p := f.request(call, productID, imageID)
	resp, err := f.wire().rc.Do(context.WithValue(ctx, exchangeKey{}, x), &rest.Request{Method: method, Path: p}, nil)
	if x.ran && resp != nil && resp.Header.Get(handlerMark) != "" {
		return x.err // the operation's own answer, the last one
	}
	if err == nil && !x.ran {
		err = fmt.Errorf("%s: %s %s: %w: answered without running", platform, method, p, shopimg.ErrUnavailable)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
	}
	return err
}

// request returns the method and path (relative) of call's request.
func (f *Fake) request(call Call, productID, imageID string) (method, p string) {
	p = "products/" + url.PathEscape(productID) + "/images"
	switch call {
	case CallList:
		return http.MethodGet, p
	case CallAdd:
		return http.MethodPost, p
	case CallUpdate:
		return http.MethodPut, p + "/" + url.PathEscape(imageID)
	case CallReorder:
		return http.MethodPut, p
	case CallUpdateImages:
		return http.MethodPatch, p
	}
	return http.MethodDelete, p + "/" + url.PathEscape(imageID)
}

// route returns the method (or method list) and path pattern of the
// requests of call on a product (any product for ""), for a network fault.
func (f *Fake) route(call Call, productID string) (method, p string) {
	if productID == "" {
		method, _ = f.request(call, "", "")
		if call == CallAnyWrite {
			method = WriteMethods
		}
		return method, "/products/*"
	}
	base := "/products/" + url.PathEscape(productID) + "/images"
	switch call {
	case CallAnyWrite:
		return WriteMethods, base + "*"
	case CallUpdate, CallDelete:
		method, _ = f.request(call, "", "")
		return method, base + "/*"
	}
	method, _ = f.request(call, "", "")
	return method, base
}

// urlStyle is how a platform serves the images added to it.
type urlStyle int

const (
	keepURL urlStyle = iota // the source URL itself (3dcart, FinerWorks)
	cdnURL                  // a URL on the platform's own CDN
	bigcommerceCDN
	sallaCDN
	shoptetFiles // the file name the platform gave the image
)

// urlStyleOf returns the URL style of the platform whose profile is caps.
func urlStyleOf(caps shopimg.Capabilities) urlStyle {
	switch caps {
	case BigCommerceProfile:
		return bigcommerceCDN
	case SallaProfile:
		return sallaCDN
	case ShoptetProfile:
		return shoptetFiles
	}
	if caps.KeepsSourceURL {
		return keepURL
	}
	return cdnURL
}

// url returns the URL a platform of style s serves img from.
func (s urlStyle) url(productID string, img FakeImage) string {
	name := img.FileName
	if name == "" {
		name = path.Base(strings.SplitN(strings.SplitN(img.SourceURL, "?", 2)[0], "#", 2)[0])
	}
	if name == "" || name == "." || name == "/" {
		name = "image.jpg"
	}
	pid, id := url.PathEscape(productID), url.PathEscape(img.ID)
	switch s {
	case keepURL:
		if img.SourceURL != "" {
			return img.SourceURL
		}
		return "https://fake.shopimg.test/" + pid + "/" + id + "/" + url.PathEscape(name)
	case bigcommerceCDN:
		return "https://cdn11.bigcommerce.com/s-shopimgtest/products/" + pid + "/images/" + id + "/" + url.PathEscape(name) + "?c=2"
	case sallaCDN:
		return "https://cdn.salla.sa/shopimgtest/" + id + path.Ext(name)
	case shoptetFiles:
		file := img.ID
		if path.Ext(file) == "" {
			file += path.Ext(name)
		}
		return "https://cdn.myshoptet.com/usr/shopimgtest.myshoptet.com/user/shop/big/" + url.PathEscape(file)
	}
	return "https://cdn.shopimg.test/" + pid + "/" + id + "/" + url.PathEscape(name)
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
