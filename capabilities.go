package shopimg

import "github.com/shopimg/shopimg/internal/order"

// Capabilities describes what a platform does natively, as reported by
// ProductImages.Capabilities. Operations whose flag is false return an error
// matching ErrUnsupported and send nothing.
type Capabilities struct {
	// List: the product's images can be listed.
	List bool
	// AddFromURL: Add accepts NewImage.SourceURL (the platform fetches it).
	AddFromURL bool
	// AddFromFile: Add accepts NewImage.File (the bytes are uploaded).
	AddFromFile bool
	// AddAtPosition: Add honours NewImage.Position and NewImage.Main in the
	// same call, so no reorder is needed afterwards. Without it, Add only
	// appends: a Position other than the end, or Main on a product that has
	// images, is unsupported.
	AddAtPosition bool
	// Update: Update can change the alt text.
	Update bool
	// Delete: an image can be deleted.
	Delete bool
	// Reorder: the order of the images can be changed (Reorder, and
	// ImageUpdate.Position).
	Reorder bool
	// BatchReorder: Reorder is one call however many images move (3dcart,
	// Shoptet). Without it, each image that moves costs one call (BigCommerce,
	// Salla): see ReorderCost.
	BatchReorder bool
	// MainIsFlag: the main image is a flag on one image (BigCommerce's
	// is_thumbnail, Salla's default), separate from the sort order that
	// places the other images. Making another image main costs one write on
	// that image (which can carry its new place in the same call), and the
	// old main image falls back among the others to the place its sort order
	// gives it, which adapters keep first among them. Only meaningful with
	// Reorder and without BatchReorder; see ReorderWrites.
	MainIsFlag bool
	// SetMain: ImageUpdate.Main can make an image the main one.
	SetMain bool
	// BatchUpdate: the adapter implements BatchUpdater.
	BatchUpdate bool
	// AsyncAdd: the platform adds images asynchronously (Shoptet jobs); Add
	// waits for the job, so it is slower and an interrupted Add is more likely
	// to leave its outcome unknown.
	AsyncAdd bool
	// KeepsSourceURL: an image added from NewImage.SourceURL is listed with
	// that very URL as Image.URL (3dcart, FinerWorks). Where it is false,
	// the platform fetches the image and serves its own copy from a URL of
	// its own (BigCommerce's and Salla's CDNs, Shoptet's file names), so
	// an image cannot be found again by the URL it was added from: keep its
	// ID instead (imagesync's Store does), and do not adopt images by URL.
	KeepsSourceURL bool
	// MaxImages is the most images a product can have (0 = no known limit).
	MaxImages int
	// MaxPerCall is the most images one batch call can carry (0 = no known
	// limit).
	MaxPerCall int
}

// HasMain reports whether the platform has a main image that can be chosen,
// either directly (SetMain) or by putting it first (Reorder). On platforms
// without one (FinerWorks), no listed image has Main set. Either way the main
// image is the first one List returns; MainIsFlag only changes what making
// another image main costs.
func (c Capabilities) HasMain() bool { return c.SetMain || c.Reorder }

// Calls returns how many batch calls carry items changes: one per
// MaxPerCall items (one when there is no limit), and 0 for none.
func (c Capabilities) Calls(items int) int {
	switch {
	case items <= 0:
		return 0
	case c.MaxPerCall <= 0:
		return 1
	}
	return (items + c.MaxPerCall - 1) / c.MaxPerCall
}

// ReorderCost returns the write calls Reorder(target) costs on this platform
// when the images are in the order current: 0 when the orders are the same;
// with BatchReorder one per MaxPerCall moved images; otherwise one per image
// written, len(ReorderWrites(current, target)). That is the least number of
// calls that reach target: a per-image platform keeps the relative order of
// the images it does not write. target must be a permutation of current.
func (c Capabilities) ReorderCost(current, target []string) int {
	moves := c.ReorderWrites(current, target)
	if !c.BatchReorder {
		return len(moves)
	}
	return c.Calls(len(moves))
}

// ReorderWrites returns the images a reorder from current to target
// changes, in target order. On a per-image platform these are the images
// written, one call each, and the fewest possible: every image outside a
// longest subsequence the two orders share, plus, with MainIsFlag, the new
// main image when it changes (its write sets the flag and puts it first;
// the old main image then stands first among the others). The images listed
// in written are written anyway (an update that also changes the alt text),
// so they are in the result and moving them costs nothing more. target must
// be a permutation of current.
func (c Capabilities) ReorderWrites(current, target []string, written ...string) []string {
	return order.MovesFor(c.mainIsFlagWrite(), current, target, written...)
}

// mainIsFlagWrite reports whether making another image main costs a write
// of its own: the main image is a flag, on a per-image platform.
func (c Capabilities) mainIsFlagWrite() bool {
	return c.MainIsFlag && c.Reorder && !c.BatchReorder
}
