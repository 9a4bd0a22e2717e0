package shopimg

import "context"

// ProductImages manages the image gallery of products in one store on one
// platform. Implementations are safe for concurrent use.
//
// Product and image IDs are strings: decimal numbers for numeric platforms,
// the file name on Shoptet, a GUID on FinerWorks. An empty ID is invalid input.
type ProductImages interface {
	// List returns the product's images in display order, the main image
	// first where the platform has one. Image.Position is the index in the
	// returned slice. A product without images gives an empty slice and no
	// error; an unknown product gives an error matching ErrNotFound where the
	// platform can tell the two apart.
	List(ctx context.Context, productID string) ([]Image, error)

	// Add adds one image to the product and returns it as stored. Exactly one
	// of img.SourceURL and img.File must be set. If the platform cannot tell
	// whether the image was added (the connection dropped after the request
	// was sent, or a 5xx answered it), the error matches ErrOutcomeUnknown:
	// list the product before adding it again.
	Add(ctx context.Context, productID string, img NewImage) (Image, error)

	// Update changes the fields of u that are not nil and returns the image as
	// stored afterwards. An update with no fields set is invalid input.
	Update(ctx context.Context, productID, imageID string, u ImageUpdate) (Image, error)

	// Reorder puts the product's images in the order of imageIDs, which must
	// be a permutation of the IDs List returns (anything else matches
	// ErrInvalidInput and nothing is sent). On platforms with a main image the
	// first ID becomes the main image. Implementations send as few writes as
	// the platform allows; nothing is written when the order already matches.
	Reorder(ctx context.Context, productID string, imageIDs []string) error

	// Delete removes one image from the product.
	Delete(ctx context.Context, productID, imageID string) error

	// Capabilities reports what the platform does natively. It does no I/O.
	Capabilities() Capabilities
}

// BatchUpdater is implemented by adapters whose platform changes several
// images of a product in one call (3dcart's collection PUT, Shoptet's PATCH,
// FinerWorks' update_images). Callers that have many changes to make, such as
// package imagesync, use it when Capabilities().BatchUpdate is true.
type BatchUpdater interface {
	// UpdateImages applies b in as few calls as the platform allows
	// (ceil(images/MaxPerCall) where MaxPerCall is set, otherwise one) and
	// returns the product's images afterwards, in display order.
	UpdateImages(ctx context.Context, productID string, b BatchUpdate) ([]Image, error)
}

// BatchUpdate is a set of changes to one product's images, applied together by
// [BatchUpdater].
type BatchUpdate struct {
	// Order, when not nil, is a full permutation of the product's image IDs,
	// with the same meaning as in ProductImages.Reorder. Platforms without
	// reordering reject a non-nil Order with ErrUnsupported.
	Order []string
	// Alt maps image IDs to their new alt text. IDs not in the map keep theirs.
	Alt map[string]string
}

// IsZero reports whether b changes nothing.
func (b BatchUpdate) IsZero() bool { return b.Order == nil && len(b.Alt) == 0 }
