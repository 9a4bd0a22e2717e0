package imagesync

import "time"

import "fmt"

// DeletePolicy says which of a product's images a sync may delete. Images
// whose key is in the desired gallery are never deleted.
type DeletePolicy int

const (
	// KeepUnknown, the default, deletes the images imagesync manages (those
	// the Store maps to a key) whose key left the desired gallery, and keeps
	// every image it does not know: ones added by hand or by another tool.
	KeepUnknown DeletePolicy = iota
	// DeleteCreated deletes only images imagesync added itself (Mapping.
	// Created) whose key left the desired gallery. Images it adopted
	// (Policy.AdoptExisting) are released instead: their mapping is dropped
	// and they stay, as unknown images.
	DeleteCreated
	// MirrorExact deletes every image that is not in the desired gallery,
	// known or not, so the product ends up with exactly the desired images.
	MirrorExact
)

var deletePolicyNames = [...]string{"keep-unknown", "delete-created", "mirror-exact"}

// String returns "keep-unknown", "delete-created" or "mirror-exact".
func (p DeletePolicy) String() string {
	if p >= 0 && int(p) < len(deletePolicyNames) {
		return deletePolicyNames[p]
	}
	return fmt.Sprintf("DeletePolicy(%d)", int(p))
}

// MarshalText encodes the policy as its name.
func (p DeletePolicy) MarshalText() ([]byte, error) {
	if p < 0 || int(p) >= len(deletePolicyNames) {
		return nil, fmt.Errorf("imagesync: unknown delete policy %d", int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText decodes a policy name.
func (p *DeletePolicy) UnmarshalText(b []byte) error {
	for i, n := range deletePolicyNames {
		if n == string(b) {
			*p = DeletePolicy(i)
			return nil
		}
	}
	return fmt.Errorf("imagesync: unknown delete policy %q", b)
}

// Policy tunes what a sync may do beyond adding the missing images, fixing
// alt texts and order.
type Policy struct {
	// Delete says which images not in the desired gallery are deleted.
	Delete DeletePolicy `json:"delete"`
	// AdoptExisting makes an entry that the Store does not map adopt an
	// unknown image of the product whose URL equals the entry's SourceURL,
	// instead of adding a copy. Use it to take over a product whose images
	// were added before imagesync managed it, or after the Store was lost.
	// It applies only on platforms whose Capabilities say KeepsSourceURL
	// (3dcart, FinerWorks): elsewhere (BigCommerce, Salla, Shoptet) an
	// image's URL is the platform's own, so an equal URL proves nothing and
	// nothing is adopted.
	AdoptExisting bool `json:"adopt_existing,omitempty"`
	// AsyncAddWindow is how long an interrupted add may still take effect
	// on a platform that adds asynchronously (Capabilities.AsyncAdd:
	// Shoptet queues a job, which may run after its answer was lost).
	// Until then, an interrupted add that left no image yet is not
	// repeated: the entry is reported as DriftRecover, so a re-run cannot
	// add the image a second time when the first job completes late. Zero
	// means DefaultAsyncAddWindow.
	AsyncAddWindow time.Duration `json:"async_add_window,omitempty"`
}

// DefaultAsyncAddWindow is Policy.AsyncAddWindow's default: 3 hours, the
// time after which Shoptet marks a job that has not completed as failed.
const DefaultAsyncAddWindow = 3 * time.Hour
