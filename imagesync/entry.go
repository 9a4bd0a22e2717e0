package imagesync

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/check"
	"github.com/shopimg/shopimg/internal/guard"
)

// MaxKeyLen is the longest Entry.Key, in bytes, that imagesync accepts
// (ValidateGallery refuses a longer one before anything is sent). Every
// Store must be able to hold a mapping and an intent under a key of this
// length, together with its ProductRef; it leaves room for the ProductRef
// in a database index over (platform, store, product, key), and is far
// below what package boltstore can hold. Keep keys short: an asset ID, or a
// hash of a longer identity.
const MaxKeyLen = 1024

// Entry is one image of a desired gallery. In a desired gallery (a []Entry)
// the first entry is the main image and the order of the entries is the
// display order.
type Entry struct {
	// Key identifies the image across runs, chosen by the caller: a PIM or
	// DAM asset ID, a content hash, or the source image's identity (see
	// Mirror), at most MaxKeyLen bytes. It must be unique within the gallery
	// and stable: a new key is a new image (the old one is deleted according
	// to the policy and the new one is added), the same key with another
	// source is the same image.
	Key string
	// SourceURL is an absolute http(s) URL the platform fetches the image
	// from when it is added.
	SourceURL string
	// File is an image to upload when it is added. At most one of SourceURL
	// and File may be set. An entry with neither can still be managed (its
	// alt text and position) while its image is on the product, but it
	// cannot be added: it is reported as drift.
	File *shopimg.File
	// Alt is the image's alt text (caption, description or title, whichever
	// the platform has).
	Alt string
}

// source describes where the entry's image comes from, for plans and intents.
func (e Entry) source() string {
	switch {
	case e.SourceURL != "":
		return e.SourceURL
	case e.File != nil:
		return "file " + e.File.Name
	}
	return ""
}

// newImage is what Add is given for the entry.
func (e Entry) newImage() shopimg.NewImage {
	return shopimg.NewImage{SourceURL: e.SourceURL, File: e.File, Alt: e.Alt}
}

// ValidateGallery reports whether desired is a well-formed desired gallery:
// every key non-empty, at most MaxKeyLen bytes and unique, no entry with both a SourceURL and a File,
// source URLs absolute http(s), files named and openable. The error matches
// shopimg.ErrInvalidInput and names the first problem.
func ValidateGallery(desired []Entry) error {
	seen := make(map[string]bool, len(desired))
	for i, e := range desired {
		field := fmt.Sprintf("desired[%d]", i)
		switch {
		case e.Key == "":
			return &shopimg.InputError{Field: field + ".Key", Reason: "is empty"}
		case len(e.Key) > MaxKeyLen:
			return &shopimg.InputError{Field: field + ".Key", Reason: fmt.Sprintf("is %d bytes long, more than MaxKeyLen (%d)", len(e.Key), MaxKeyLen)}
		case seen[e.Key]:
			return &shopimg.InputError{Field: field + ".Key", Reason: fmt.Sprintf("%q is used twice", e.Key)}
		case e.SourceURL != "" && e.File != nil:
			return &shopimg.InputError{Field: field, Reason: "SourceURL and File are mutually exclusive"}
		case e.File != nil && (e.File.Name == "" || e.File.Open == nil):
			return &shopimg.InputError{Field: field + ".File", Reason: "needs a Name and an Open func"}
		}
		if e.SourceURL != "" {
			if r := check.SourceURL(e.SourceURL); r != "" {
				return &shopimg.InputError{Field: field + ".SourceURL", Reason: r}
			}
		}
		if r := check.Text(e.Alt); r != "" {
			return &shopimg.InputError{Field: field + ".Alt", Reason: r}
		}
		seen[e.Key] = true
	}
	return nil
}

// Target is one store on one platform: where a gallery is synced to, or
// mirrored from. ProductImages does not know which platform and store it
// talks to, so the caller names them; together with a product ID they are
// the key of the product's state in a Store.
type Target struct {
	// Platform names the platform, e.g. "bigcommerce". Required.
	Platform string
	// Store names the store on that platform, e.g. a BigCommerce store hash
	// or a shop's domain. It may be empty when a program only ever talks to
	// one store of the platform. Run bounds concurrency per (Platform,
	// Store).
	Store string
	// Images is the platform adapter (or a shopimgtest.Fake).
	Images shopimg.ProductImages
}

// Ref returns the state key of one of the target's products.
func (t Target) Ref(productID string) ProductRef {
	return ProductRef{Platform: t.Platform, Store: t.Store, Product: productID}
}

func (t Target) validate(productID string) error {
	switch {
	case t.Platform == "":
		return &shopimg.InputError{Field: "Target.Platform", Reason: "is empty"}
	case t.Images == nil:
		return &shopimg.InputError{Field: "Target.Images", Reason: "is nil"}
	}
	return guard.ValidateID("productID", productID)
}

// MirrorKey is the key Mirror gives the image imageID of product productID
// in store store of platform platform: the four parts, each path-escaped,
// joined by "/", e.g. "bigcommerce/abc123/111/42".
//
// The key is the source image's identity, not its URL: platforms rewrite and
// sign URLs (a CDN URL can change while the image stays the same), while an
// image ID only changes when the image is replaced, which is exactly when the
// copy must be replaced too. The source product and store are part of the key
// so that feeding a target product from another source product replaces its
// images instead of mixing two galleries.
func MirrorKey(platform, store, productID, imageID string) string {
	return strings.Join([]string{url.PathEscape(platform), url.PathEscape(store), url.PathEscape(productID), url.PathEscape(imageID)}, "/")
}

// Mirror reads a product's gallery from another platform (or store) and
// returns it as a desired gallery: one entry per image, in the source's
// display order (so the source's main image is the main entry), keyed by
// MirrorKey, with the image's full-size URL as source and its alt text.
//
// An image the source lists without an absolute http(s) URL (some platforms
// give none, or a store-relative path) gets an entry without a source: it
// cannot be added to the target, which the plan reports as drift.
func Mirror(ctx context.Context, from Target, productID string) ([]Entry, error) {
	if err := from.validate(productID); err != nil {
		return nil, err
	}
	imgs, err := from.Images.List(ctx, productID)
	if err != nil {
		return nil, fmt.Errorf("imagesync: mirror %s product %s: %w", from.Platform, productID, err)
	}
	out := make([]Entry, len(imgs))
	for i, img := range imgs {
		out[i] = Entry{Key: MirrorKey(from.Platform, from.Store, productID, img.ID), Alt: img.Alt}
		if check.SourceURL(img.URL) == "" {
			out[i].SourceURL = img.URL
		}
	}
	return out, nil
}
