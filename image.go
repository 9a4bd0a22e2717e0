package shopimg

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"time"

	"github.com/shopimg/shopimg/internal/check"
)

// Image is one image of a product, in the common model.
type Image struct {
	// ID identifies the image within its product: a decimal number, a file
	// name (Shoptet) or a GUID (FinerWorks).
	ID string
	// ProductID is the product the image belongs to.
	ProductID string
	// URL is the full-size image URL, empty where the platform gives none.
	URL string
	// ThumbnailURL is a small rendition's URL, empty where unknown.
	ThumbnailURL string
	// Alt is the image's text: alt, caption, description or title,
	// whichever the platform has.
	Alt string
	// Position is the 0-based index in display order.
	Position int
	// Main reports whether this is the product's main image.
	Main bool
	// Width and Height are in pixels, 0 when unknown.
	Width, Height int
	// UpdatedAt is when the image last changed, zero when unknown.
	UpdatedAt time.Time
	// Raw is the vendor's own typed image (for example bigcommerce.Image),
	// for fields the common model does not carry.
	Raw any
}

// NewImage describes an image to add. Exactly one of SourceURL and File must
// be set.
type NewImage struct {
	// SourceURL is an absolute http(s) URL the platform downloads the image
	// from.
	SourceURL string
	// File is an image to upload. Its Open func is called once per attempt,
	// so a retry resends the bytes without holding them in memory.
	File *File
	// Alt is the image's alt text (caption, description or title).
	Alt string
	// Position, when not nil, is the 0-based display position; the images at
	// and after it move down one. Nil appends the image at the end.
	Position *int
	// Main makes the new image the main image (which is first in display
	// order, so Position, if set, must be 0).
	Main bool
}

// File is an upload source that can be opened again for every attempt.
type File struct {
	// Name is the file name sent to the platform, e.g. "red-shoe.jpg".
	Name string
	// ContentType is the MIME type; when empty it is guessed from Name's
	// extension, falling back to application/octet-stream.
	ContentType string
	// Size is the length in bytes, or -1 when unknown. Clients that enforce a
	// platform's size limit before sending need it; streaming works without.
	Size int64
	// Open returns a fresh reader positioned at the start of the file.
	Open func() (io.ReadCloser, error)
}

// FileFromPath returns a File that reads path from disk on every attempt.
func FileFromPath(path string) (*File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("shopimg: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, &InputError{Field: "File", Reason: path + " is not a regular file"}
	}
	return &File{
		Name: filepath.Base(path),
		Size: fi.Size(),
		Open: func() (io.ReadCloser, error) { return os.Open(path) },
	}, nil
}

// FileFromBytes returns a File over data, which must not change while the
// File is in use.
func FileFromBytes(name string, data []byte) *File {
	return &File{
		Name: name,
		Size: int64(len(data)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
	}
}

// MediaType returns f.ContentType, or the type guessed from the extension of
// f.Name, or application/octet-stream.
func (f *File) MediaType() string {
	if f.ContentType != "" {
		return f.ContentType
	}
	if t := mime.TypeByExtension(filepath.Ext(f.Name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Validate reports whether img is well-formed, with an error matching
// ErrInvalidInput: exactly one source, a source URL that is an absolute
// http(s) URL without user:password, a file with a name and an Open func,
// an alt text of valid UTF-8 without control characters (tab and line
// breaks aside), and a sane position. It does not check platform limits or
// capabilities; adapters do, before sending anything.
func (img NewImage) Validate() error {
	switch {
	case img.SourceURL == "" && img.File == nil:
		return &InputError{Field: "NewImage", Reason: "one of SourceURL and File is required"}
	case img.SourceURL != "" && img.File != nil:
		return &InputError{Field: "NewImage", Reason: "SourceURL and File are mutually exclusive"}
	case img.SourceURL != "":
		if r := check.SourceURL(img.SourceURL); r != "" {
			return &InputError{Field: "SourceURL", Reason: r}
		}
	default:
		if img.File.Name == "" {
			return &InputError{Field: "File.Name", Reason: "is empty"}
		}
		if r := check.Text(img.File.Name); r != "" {
			return &InputError{Field: "File.Name", Reason: r}
		}
		if img.File.Open == nil {
			return &InputError{Field: "File.Open", Reason: "is nil"}
		}
	}
	if r := check.Text(img.Alt); r != "" {
		return &InputError{Field: "Alt", Reason: r}
	}
	if img.Position != nil && *img.Position < 0 {
		return &InputError{Field: "Position", Reason: fmt.Sprintf("%d is negative", *img.Position)}
	}
	if img.Main && img.Position != nil && *img.Position != 0 {
		return &InputError{Field: "Position", Reason: "a main image is first: Position must be 0 or nil"}
	}
	return nil
}

// ImageUpdate changes some fields of an image; nil fields are left as they
// are.
type ImageUpdate struct {
	// Alt is the new alt text (caption, description or title).
	Alt *string
	// Position moves the image to this 0-based display position; the others
	// shift to make room. Position 0 makes it the main image on platforms that
	// have one.
	Position *int
	// Main, when it points to true, makes this the main image, which moves it
	// first. It cannot point to false: a product's main image changes by
	// choosing another one.
	Main *bool
}

// IsZero reports whether u changes nothing.
func (u ImageUpdate) IsZero() bool { return u.Alt == nil && u.Position == nil && u.Main == nil }

// Validate reports whether u is well-formed, with an error matching
// ErrInvalidInput: at least one field set, an alt text of valid UTF-8
// without control characters (tab and line breaks aside), a non-negative
// position, Main only true. Whether Position is in range depends on the
// product; adapters check it against the listed images.
func (u ImageUpdate) Validate() error {
	if u.IsZero() {
		return &InputError{Field: "ImageUpdate", Reason: "no field is set"}
	}
	if u.Alt != nil {
		if r := check.Text(*u.Alt); r != "" {
			return &InputError{Field: "Alt", Reason: r}
		}
	}
	if u.Position != nil && *u.Position < 0 {
		return &InputError{Field: "Position", Reason: fmt.Sprintf("%d is negative", *u.Position)}
	}
	if u.Main != nil {
		if !*u.Main {
			return &InputError{Field: "Main", Reason: "can only be set to true; make another image main instead"}
		}
		if u.Position != nil && *u.Position != 0 {
			return &InputError{Field: "Position", Reason: "a main image is first: Position must be 0 or nil"}
		}
	}
	return nil
}
