package guard

import (
	"fmt"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/check"
)

// ValidateID reports whether id is usable as a product or image ID: not
// empty, valid UTF-8, without control characters. field names it in the
// error ("productID", "imageID").
func ValidateID(field, id string) error {
	if r := check.ID(id); r != "" {
		return &shopimg.InputError{Field: field, Reason: r}
	}
	return nil
}

// NumericID parses the common model's string form of a numeric platform ID
// (BigCommerce, 3dcart, Salla): a positive decimal integer without sign or
// spaces. Anything else gives an error matching shopimg.ErrInvalidInput, so
// a malformed ID is refused before a request is sent instead of coming back
// as a 404. field names it in the error.
func NumericID(field, s string) (int64, error) {
	n, r := check.NumericID(s)
	if r != "" {
		return 0, &shopimg.InputError{Field: field, Reason: r}
	}
	return n, nil
}

// CheckPosition reports whether pos is a valid position for an image among n
// (n+1 when adding, since the new image may go last).
func CheckPosition(pos, n int) error {
	if pos < 0 || pos >= n {
		return &shopimg.InputError{Field: "Position", Reason: fmt.Sprintf("%d is out of range [0,%d)", pos, n)}
	}
	return nil
}

// CheckPermutation reports whether ids is a permutation of current (same IDs,
// each once), with an error matching shopimg.ErrInvalidInput that names the
// first problem found.
func CheckPermutation(current, ids []string) error {
	if len(ids) != len(current) {
		return &shopimg.InputError{Field: "imageIDs", Reason: fmt.Sprintf("has %d IDs, the product has %d images", len(ids), len(current))}
	}
	want := make(map[string]bool, len(current))
	for _, id := range current {
		want[id] = true
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == "" {
			return &shopimg.InputError{Field: "imageIDs", Reason: "contains an empty ID"}
		}
		if seen[id] {
			return &shopimg.InputError{Field: "imageIDs", Reason: fmt.Sprintf("lists %q twice", id)}
		}
		if !want[id] {
			return &shopimg.InputError{Field: "imageIDs", Reason: fmt.Sprintf("lists %q, which is not an image of the product", id)}
		}
		seen[id] = true
	}
	return nil
}

// NotFound is the error for an image that is not among the product's.
func NotFound(platform, productID, imageID string) error {
	return fmt.Errorf("%s: image %q is not an image of product %q: %w", platform, imageID, productID, shopimg.ErrNotFound)
}

// Changed is the error for a product whose images changed between the reads
// and writes of one call (someone else edited the gallery meanwhile, or the
// platform answered inconsistently): what says what was found.
func Changed(platform, productID, what string) error {
	return fmt.Errorf("%s: product %q changed during the call: %s: %w", platform, productID, what, shopimg.ErrConflict)
}

// PositiveID checks a typed numeric ID given to a typed call: it must be
// positive. field names it in the error.
func PositiveID[T ~int64](field string, id T) error {
	if id <= 0 {
		return &shopimg.InputError{Field: field, Reason: fmt.Sprintf("%d is not positive", id)}
	}
	return nil
}

// Raw returns the vendor's typed images behind images listed by a driver
// (each Image.Raw must hold a T).
func Raw[T any](images []shopimg.Image) []T {
	out := make([]T, len(images))
	for i, img := range images {
		out[i] = img.Raw.(T)
	}
	return out
}
