package fakestore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
)

// ErrNoProduct is returned, wrapped with the product ID, by Catalog methods
// when the product does not exist. A vendor fake turns it into the vendor's
// 404.
var ErrNoProduct = errors.New("fakestore: no such product")

// Product is one product of a Catalog: its ID and its images, in display
// order, of the vendor fake's own image type.
type Product[T any] struct {
	// ID is the product's ID, as given to AddProduct.
	ID string
	// Images are the product's images in display order.
	Images []T
}

// CatalogOptions configure NewCatalog.
type CatalogOptions struct {
	// FirstID is the first number NextID returns; zero means 1.
	FirstID int64
	// Seed makes NewGUID deterministic: catalogues with the same seed
	// generate the same GUIDs in the same order.
	Seed uint64
}

// Catalog is an in-memory catalogue of products, each with an ordered slice
// of images of type T. It is safe for concurrent use.
//
// Products are copy-on-write: Update works on a copy and publishes it only
// when its func succeeds, so a View never sees a half-made change. For that
// to hold, T should be a plain value (no pointers, maps or slices that an
// Update mutates in place; replace them instead).
//
// The zero value is an empty catalogue whose IDs start at 1 with seed 0.
type Catalog[T any] struct {
	ids IDGen

	mu       sync.RWMutex
	products map[string]*Product[T]
	order    []string // product IDs in the order they were added
}

// NewCatalog returns an empty catalogue.
func NewCatalog[T any](opts CatalogOptions) *Catalog[T] {
	first := opts.FirstID
	if first == 0 {
		first = 1
	}
	return &Catalog[T]{ids: IDGen{next: first, started: true, seed: opts.Seed}}
}

// NextID returns the next number of the catalogue's monotonic sequence. It
// may be called from inside an Update func.
func (c *Catalog[T]) NextID() int64 { return c.ids.Next() }

// NewGUID returns the next GUID of the catalogue's seeded sequence. It may
// be called from inside an Update func.
func (c *Catalog[T]) NewGUID() string { return c.ids.GUID() }

// AddProduct adds a product with the given images (copied), replacing any
// product with the same ID (which keeps its place in ProductIDs).
func (c *Catalog[T]) AddProduct(id string, images ...T) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.products == nil {
		c.products = make(map[string]*Product[T])
	}
	if _, ok := c.products[id]; !ok {
		c.order = append(c.order, id)
	}
	c.products[id] = &Product[T]{ID: id, Images: slices.Clone(images)}
}

// HasProduct reports whether the product exists.
func (c *Catalog[T]) HasProduct(id string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.products[id]
	return ok
}

// DeleteProduct removes the product and reports whether it existed.
func (c *Catalog[T]) DeleteProduct(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.products[id]; !ok {
		return false
	}
	delete(c.products, id)
	c.order = slices.DeleteFunc(c.order, func(s string) bool { return s == id })
	return true
}

// ProductIDs returns the IDs of all products in the order they were added.
func (c *Catalog[T]) ProductIDs() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.order)
}

// Images returns a copy of the product's images, never nil for an existing
// product (so it encodes as a JSON array), or an error matching
// ErrNoProduct.
func (c *Catalog[T]) Images(id string) ([]T, error) {
	var out []T
	err := c.View(id, func(p *Product[T]) error {
		out = append(make([]T, 0, len(p.Images)), p.Images...)
		return nil
	})
	return out, err
}

// View calls fn with a snapshot of the product and returns fn's error, or
// an error matching ErrNoProduct. The snapshot is shared with other readers:
// fn must not modify it or keep it after returning (copy what it needs). No
// lock is held while fn runs, so fn may call any Catalog method.
func (c *Catalog[T]) View(id string, fn func(*Product[T]) error) error {
	c.mu.RLock()
	p, ok := c.products[id]
	c.mu.RUnlock()
	if !ok {
		return noProduct(id)
	}
	return fn(p)
}

// Update calls fn with a private copy of the product and, if fn returns nil,
// makes the copy the product's new state; if fn returns an error, nothing
// changes and the error is returned. A missing product gives an error
// matching ErrNoProduct. Updates of the whole catalogue are serialised: fn
// runs under the write lock, so it must be quick and must not call Catalog
// methods other than NextID and NewGUID. fn must not change p.ID.
func (c *Catalog[T]) Update(id string, fn func(p *Product[T]) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.products[id]
	if !ok {
		return noProduct(id)
	}
	work := &Product[T]{ID: p.ID, Images: slices.Clone(p.Images)}
	if err := fn(work); err != nil {
		return err
	}
	work.ID = id
	c.products[id] = work
	return nil
}

func noProduct(id string) error { return fmt.Errorf("%w: %q", ErrNoProduct, id) }

// IDGen generates IDs: a monotonic int64 sequence and a seeded sequence of
// GUIDs, both deterministic so tests are reproducible. It is safe for
// concurrent use. The zero value starts at 1 with seed 0.
type IDGen struct {
	mu      sync.Mutex
	next    int64
	started bool // next is set (the zero value starts at 1)
	seed    uint64
	rng     *rand.Rand
}

// NewIDGen returns a generator whose Next starts at first and whose GUIDs
// follow from seed.
func NewIDGen(first int64, seed uint64) *IDGen {
	return &IDGen{next: first, started: true, seed: seed}
}

// Next returns the next number of the sequence.
func (g *IDGen) Next() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.started {
		g.next, g.started = 1, true
	}
	id := g.next
	g.next++
	return id
}

// NextString returns Next in decimal, the form string IDs take.
func (g *IDGen) NextString() string { return strconv.FormatInt(g.Next(), 10) }

// GUID returns the next GUID of the seeded sequence, formatted like a
// version 4 UUID in lower case ("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx").
func (g *IDGen) GUID() string {
	var b [16]byte
	g.mu.Lock()
	if g.rng == nil {
		g.rng = rand.New(rand.NewPCG(g.seed, 0x9e3779b97f4a7c15))
	}
	binary.BigEndian.PutUint64(b[:8], g.rng.Uint64())
	binary.BigEndian.PutUint64(b[8:], g.rng.Uint64())
	g.mu.Unlock()
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
