package shoptet

import (
	"fmt"
	"strings"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/check"
)

// ProductGUID identifies a product: the API's guid, a UUID such as
// "95b84d4b-7481-11e8-8216-002590dad85e".
type ProductGUID string

// String returns the GUID, the form the common model uses.
func (g ProductGUID) String() string { return string(g) }

// ParseProductGUID checks a product ID in the common model's string form: a
// UUID in the 8-4-4-4-12 hexadecimal form (either case). Anything else gives
// an error matching shopimg.ErrInvalidInput, so a malformed ID is refused
// before a request is sent.
func ParseProductGUID(s string) (ProductGUID, error) {
	if err := checkGUID(s); err != nil {
		return "", err
	}
	return ProductGUID(s), nil
}

func checkGUID(s string) error {
	if len(s) != 36 {
		return &shopimg.InputError{Field: "productGUID", Reason: fmt.Sprintf("%q is not a GUID (8-4-4-4-12 hexadecimal digits)", s)}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return &shopimg.InputError{Field: "productGUID", Reason: fmt.Sprintf("%q is not a GUID (8-4-4-4-12 hexadecimal digits)", s)}
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return &shopimg.InputError{Field: "productGUID", Reason: fmt.Sprintf("%q is not a GUID (8-4-4-4-12 hexadecimal digits)", s)}
			}
		}
	}
	return nil
}

// ImageName identifies an image of a product's gallery: its file name, such
// as "127.png" or "100_purple-apple.v2.jpg" (names may hold several dots).
// It is escaped as one path segment wherever it goes into a URL.
type ImageName string

// String returns the name, the form the common model uses.
func (n ImageName) String() string { return string(n) }

// ParseImageName checks an image ID in the common model's string form: a
// file name, not empty, valid UTF-8 without control characters, without a
// slash, and neither "." nor "..". Anything else gives an error matching
// shopimg.ErrInvalidInput.
func ParseImageName(s string) (ImageName, error) {
	if err := checkName("imageName", s); err != nil {
		return "", err
	}
	return ImageName(s), nil
}

func checkName(field, s string) error {
	if r := check.ID(s); r != "" {
		return &shopimg.InputError{Field: field, Reason: r}
	}
	switch {
	case strings.ContainsAny(s, `/\`):
		return &shopimg.InputError{Field: field, Reason: fmt.Sprintf("%q holds a slash; an image name is a file name", s)}
	case s == "." || s == "..":
		return &shopimg.InputError{Field: field, Reason: fmt.Sprintf("%q is not a file name", s)}
	}
	return nil
}

// Gallery is one of a product's two image galleries.
type Gallery string

const (
	// GalleryShop is the product's normal images, the default.
	GalleryShop Gallery = "shop"
	// Gallery360 is the product's 360° photos.
	Gallery360 Gallery = "shop360"
)

// or returns g, or GalleryShop when g is empty, and checks it.
func (g Gallery) or() (Gallery, error) {
	switch g {
	case "":
		return GalleryShop, nil
	case GalleryShop, Gallery360:
		return g, nil
	}
	return "", &shopimg.InputError{Field: "gallery", Reason: fmt.Sprintf("%q is neither %q nor %q", string(g), GalleryShop, Gallery360)}
}

// JobID identifies an asynchronous job, e.g. "ad24xod".
type JobID string

// String returns the ID.
func (j JobID) String() string { return string(j) }

func checkJobID(j JobID) error {
	if r := check.ID(string(j)); r != "" {
		return &shopimg.InputError{Field: "jobID", Reason: r}
	}
	if strings.ContainsAny(string(j), `/\`) {
		return &shopimg.InputError{Field: "jobID", Reason: fmt.Sprintf("%q holds a slash", string(j))}
	}
	return nil
}
