package shopimg

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
	// Reorder and without BatchReorder; see ReorderMovesFor.
	MainIsFlag bool
	// SetMain: ImageUpdate.Main can make an image the main one.
	SetMain bool
	// BatchUpdate: the adapter implements BatchUpdater.
	BatchUpdate bool
	// AsyncAdd: the platform adds images asynchronously (Shoptet jobs); Add
	// waits for the job, so it is slower and an interrupted Add is more likely
	// to leave its outcome unknown.
	AsyncAdd bool
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
