package shopimgtest

import "github.com/shopimg/shopimg"

// Capability profiles of the five platforms, as their adapters report them,
// for a Fake that behaves like one of them (WithCapabilities). The vendor
// packages' tests check that their adapters report the same.
var (
	// FullProfile can do everything, with no limits, and keeps the source
	// URL of an image added from one.
	FullProfile = shopimg.Capabilities{
		List: true, AddFromURL: true, AddFromFile: true, AddAtPosition: true,
		Update: true, Delete: true, Reorder: true, BatchReorder: true, SetMain: true,
		BatchUpdate: true, KeepsSourceURL: true,
	}

	// ThreeDCartProfile is 3dcart / Shift4Shop: URL or path adds only, no
	// delete endpoint, the gallery reordered (and captions changed) by one
	// collection PUT, and no way to set the product's main image through the
	// gallery (the first image by sorting is reported as main). Adds append:
	// how the API treats a POST whose ImageGallerySorting collides with an
	// existing image is undocumented, and a reorder costs one call anyway.
	// ImageGalleryFile keeps the path or URL an image was added with.
	ThreeDCartProfile = shopimg.Capabilities{
		List: true, AddFromURL: true,
		Update: true, Reorder: true, BatchReorder: true, BatchUpdate: true,
		KeepsSourceURL: true,
	}

	// BigCommerceProfile is BigCommerce v3: URL and file adds with
	// sort_order and is_thumbnail, per-image sort_order moves, the main image
	// being the one flagged is_thumbnail (MainIsFlag: a new main image costs
	// a PUT on it, which also gives it the lowest sort_order), 1000 images
	// per product. Images are served from the store's CDN, never from the
	// URL they were added from.
	BigCommerceProfile = shopimg.Capabilities{
		List: true, AddFromURL: true, AddFromFile: true, AddAtPosition: true,
		Update: true, Delete: true, Reorder: true, SetMain: true,
		MainIsFlag: true, MaxImages: 1000,
	}

	// SallaProfile is Salla Merchant API v2: multipart adds with sort and
	// default, per-image sort moves through the update call (which needs
	// the picture again: the adapter sends its own URL), 10 images per
	// product. MainIsFlag: the main image is the picture flagged default
	// (main in the product details), apart from sort; the adapter gives a
	// new main image the lowest sort of the pictures. A gallery's videos
	// are not listed, are never written, and keep their places when the
	// pictures move.
	// Images are served from Salla's CDN (cdn.salla.sa), not from the
	// URL given.
	SallaProfile = shopimg.Capabilities{
		List: true, AddFromURL: true, AddFromFile: true, AddAtPosition: true,
		Update: true, Delete: true, Reorder: true, SetMain: true,
		MainIsFlag: true, MaxImages: 10,
	}

	// ShoptetProfile is Shoptet: asynchronous URL adds with priority, one
	// PATCH of up to 100 images for priorities and descriptions, the main
	// image being the one with the lowest priority. Images are served under
	// file names Shoptet gives them.
	ShoptetProfile = shopimg.Capabilities{
		List: true, AddFromURL: true, AddAtPosition: true,
		Update: true, Delete: true, Reorder: true, BatchReorder: true, SetMain: true,
		BatchUpdate: true, AsyncAdd: true, MaxPerCall: 100,
	}

	// FinerWorksProfile is FinerWorks: an image library without order or
	// main image; hosted-URL adds, batched title updates (at most 5 images a
	// call, the add_images limit, taken as the safe reading for updates too).
	// The library keeps the hosted URLs the caller registered.
	FinerWorksProfile = shopimg.Capabilities{
		List: true, AddFromURL: true,
		Update: true, Delete: true, BatchUpdate: true, MaxPerCall: 5,
		KeepsSourceURL: true,
	}
)

// Profiles maps each platform's package name to its profile, plus "full".
func Profiles() map[string]shopimg.Capabilities {
	return map[string]shopimg.Capabilities{
		"full":        FullProfile,
		"threedcart":  ThreeDCartProfile,
		"bigcommerce": BigCommerceProfile,
		"salla":       SallaProfile,
		"shoptet":     ShoptetProfile,
		"finerworks":  FinerWorksProfile,
	}
}
