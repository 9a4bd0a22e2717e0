package imagesync

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// ProductRef names one product in one store on one platform: the unit of
// state in a Store.
type ProductRef struct {
	// Platform is the Target's Platform.
	Platform string `json:"platform"`
	// Store is the Target's Store (may be empty).
	Store string `json:"store,omitempty"`
	// Product is the product's ID on the platform.
	Product string `json:"product"`
}

// String returns "platform/store/product" (or "platform/product" when the
// store is empty).
func (r ProductRef) String() string {
	if r.Store == "" {
		return r.Platform + "/" + r.Product
	}
	return r.Platform + "/" + r.Store + "/" + r.Product
}

// Mapping records that the image of a key is the platform image ImageID.
type Mapping struct {
	// Key is the entry's key.
	Key string `json:"key"`
	// ImageID is the platform's ID of its image.
	ImageID string `json:"image_id"`
	// Created reports that imagesync added the image (as opposed to
	// adopting one that was already there, see Policy.AdoptExisting). The
	// DeleteCreated policy only deletes images with Created set.
	Created bool `json:"created,omitempty"`
}

// Intent is the record, written before an Add is sent, that lets a later run
// recognise the image if the add happened but its result was never recorded
// (a crash, a cancelled context, an error matching shopimg.ErrOutcomeUnknown).
// See the package documentation for the recovery rule.
type Intent struct {
	// Key is the entry being added.
	Key string `json:"key"`
	// Before holds the IDs of the product's images just before the add was
	// sent: the image the add creates is not among them.
	Before []string `json:"before"`
	// SourceURL is the URL the image was added from, if any.
	SourceURL string `json:"source_url,omitempty"`
	// FileName is the name of the file uploaded, if any.
	FileName string `json:"file_name,omitempty"`
	// Alt is the alt text sent. With SourceURL and FileName it tells the
	// created image from others that appeared meanwhile.
	Alt string `json:"alt,omitempty"`
	// At is when the add was about to be sent.
	At time.Time `json:"at"`
}

// State is what a Store holds for one product.
type State struct {
	// Mappings are the product's known images, by key (at most one mapping
	// per key). Order does not matter.
	Mappings []Mapping `json:"mappings,omitempty"`
	// Intents are the adds whose outcome was never recorded, in the order
	// they were begun (at most one per key).
	Intents []Intent `json:"intents,omitempty"`
}

// Change is one atomic update of a product's State.
type Change struct {
	// Put creates or replaces the mapping of each Mapping's key.
	Put []Mapping `json:"put,omitempty"`
	// Drop removes the mappings of these keys (absent keys are ignored).
	Drop []string `json:"drop,omitempty"`
	// Begin records a pending intent, replacing any intent of the same key;
	// it goes last in the order of intents.
	Begin *Intent `json:"begin,omitempty"`
	// Resolve removes the pending intents of these keys (absent keys are
	// ignored).
	Resolve []string `json:"resolve,omitempty"`
}

// IsZero reports whether c changes nothing.
func (c Change) IsZero() bool {
	return len(c.Put) == 0 && len(c.Drop) == 0 && c.Begin == nil && len(c.Resolve) == 0
}

// Store keeps the state of synced products: which platform image is the
// image of which key, and which adds are pending. MemoryStore keeps it in
// memory; package boltstore keeps it in a file. Implement it on a shared
// database to run several processes against the same stores; the contract
// below is what Apply's crash safety rests on.
//
//   - Load returns the product's State as of the last Save that returned nil
//     for it (an unknown product has the zero State). Intents come back in
//     the order they were begun. When it cannot read that state intact (a
//     damaged file, a record that fails its checksum), Load returns an
//     error, never a partial or empty state: imagesync then does not sync
//     the product, since a missing mapping would make it add an image again.
//   - Save applies a Change atomically, in the order Put, Drop, Begin,
//     Resolve (so a Change may Put a key's mapping and Resolve its intent in
//     one step), and must be durable when it returns nil: a crash after Save
//     returned must not lose it, and a crash during Save must leave all of
//     it or none of it. In SQL: one transaction per Save, committed before
//     returning.
//   - For one ProductRef, imagesync calls Load and Save from one goroutine
//     at a time, and a Save's effect must be visible to the next Load. Run
//     never syncs one product twice at once; if several processes may sync
//     the same product, serialise them outside the Store (a lease or an
//     advisory lock per product), or two of them may both add an image.
//   - Different ProductRefs are independent and may be used concurrently;
//     the Store must be safe for that.
//   - It holds keys (Mapping.Key, Intent.Key) of up to MaxKeyLen bytes.
//   - Save honours ctx before it starts; once it has started committing it
//     should finish, since a cancelled Save leaves the caller unsure whether
//     the change was kept (Apply then stops and the next run reconciles).
type Store interface {
	// Load returns the product's state as of the last Save.
	Load(ctx context.Context, ref ProductRef) (State, error)
	// Save applies c to the product's state, atomically and durably.
	Save(ctx context.Context, ref ProductRef, c Change) error
}

// ApplyChange returns s with c applied, following the Store contract (Put,
// Drop, Begin, Resolve), without modifying s. Store implementations that
// hold a State per product can use it; mappings come back sorted by key.
func ApplyChange(s State, c Change) State {
	byKey := make(map[string]Mapping, len(s.Mappings)+len(c.Put))
	for _, m := range s.Mappings {
		byKey[m.Key] = m
	}
	for _, m := range c.Put {
		byKey[m.Key] = m
	}
	for _, k := range c.Drop {
		delete(byKey, k)
	}
	out := State{Mappings: make([]Mapping, 0, len(byKey))}
	for _, m := range byKey {
		out.Mappings = append(out.Mappings, m)
	}
	slices.SortFunc(out.Mappings, func(a, b Mapping) int { return strings.Compare(a.Key, b.Key) })
	resolved := make(map[string]bool, len(c.Resolve)+1)
	for _, k := range c.Resolve {
		resolved[k] = true
	}
	if c.Begin != nil {
		resolved[c.Begin.Key] = true // replaced
	}
	for _, in := range s.Intents {
		if !resolved[in.Key] {
			out.Intents = append(out.Intents, cloneIntent(in))
		}
	}
	if c.Begin != nil && !slices.Contains(c.Resolve, c.Begin.Key) {
		out.Intents = append(out.Intents, cloneIntent(*c.Begin))
	}
	if len(out.Mappings) == 0 {
		out.Mappings = nil
	}
	return out
}

func cloneIntent(in Intent) Intent {
	in.Before = slices.Clone(in.Before)
	return in
}

func cloneState(s State) State {
	out := State{Mappings: slices.Clone(s.Mappings)}
	for _, in := range s.Intents {
		out.Intents = append(out.Intents, cloneIntent(in))
	}
	return out
}

// MemoryStore is a Store in memory, for tests and one-off runs: its state is
// lost when the process ends, so it protects against failed writes and
// cancelled contexts within a process, not against crashes. It is safe for
// concurrent use. The zero value is ready to use.
type MemoryStore struct {
	mu       sync.Mutex
	products map[ProductRef]State
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{} }

// Load returns a copy of the product's state.
func (s *MemoryStore) Load(ctx context.Context, ref ProductRef) (State, error) {
	if err := ctx.Err(); err != nil {
		return State{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneState(s.products[ref]), nil
}

// Save applies c to the product's state.
func (s *MemoryStore) Save(ctx context.Context, ref ProductRef, c Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.products == nil {
		s.products = map[ProductRef]State{}
	}
	st := ApplyChange(s.products[ref], c)
	if len(st.Mappings) == 0 && len(st.Intents) == 0 {
		delete(s.products, ref)
		return nil
	}
	s.products[ref] = st
	return nil
}

// Products returns the refs that have state, sorted.
func (s *MemoryStore) Products() []ProductRef {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ProductRef, 0, len(s.products))
	for r := range s.products {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b ProductRef) int { return strings.Compare(a.String(), b.String()) })
	return out
}
