// Package imagesync makes a product's image gallery on any platform match a
// desired gallery, with the fewest write calls the platform allows, safely
// across crashes, and for many products at once. It works on any
// shopimg.ProductImages (a vendor adapter, or shopimgtest.Fake in tests) and
// imports no vendor package.
//
// # Model
//
// A desired gallery is a []Entry: each entry has a Key chosen by the caller
// (a PIM asset ID, a content hash), a source (a URL, or a reopenable
// *shopimg.File) and an alt text. The order of the entries is the display
// order and the first entry is the main image. Mirror reads another
// platform's gallery as a desired gallery, keyed by the source image's
// identity (see MirrorKey).
//
// A Target names the platform and store (ProductImages does not know them)
// and holds the adapter. A Store remembers, per (platform, store, product,
// key), which platform image is that key's image. That mapping is what lets
// a sync tell its own images from those added by hand, and recognise an
// image again although the platform rewrote its URL (BigCommerce serves
// every image from its own CDN).
//
// The gallery a sync aims for is: the desired entries, in order, followed by
// the images the Policy keeps, in their current order. The Policy's
// DeletePolicy says which images not in the desired gallery go: by default
// (KeepUnknown) those the Store maps to a key that is no longer desired;
// DeleteCreated only those imagesync added itself; MirrorExact every one.
// Policy.AdoptExisting lets an entry take over an unknown image whose URL is
// its source, instead of adding a copy.
//
// Whatever the platform cannot do is Drift, reported with a reason and
// never skipped silently: an image 3dcart cannot delete, an order or main
// image FinerWorks does not have, a file source on a platform that only
// takes URLs, Salla's ten-image limit. Drift never stops the sync of the rest.
//
// # Plan, apply, run
//
// NewPlan computes, without I/O, the operations that turn the current
// gallery into the desired one: store-only adopt/forget/discard, then
// deletes, adds, one-image updates (alt text, position, main), Reorder
// calls and BatchUpdater calls. A Plan prints as a table (String, Format)
// and marshals to JSON. Syncer.Plan lists the product and loads its state
// first; Syncer.DryRun prints the plan; Syncer.Apply carries it out;
// Syncer.Sync does both. Syncer.Run syncs a stream of jobs with bounded
// concurrency per store and overall, reporting progress through a callback
// and returning a per-product report.
//
// # Fewest writes
//
// Nothing is written when nothing differs. Otherwise a plan costs exactly
// LowerBound writes, counted as shopimg.Capabilities defines them: one per
// image added or deleted, plus the cheapest way to fix the alt texts and the
// order of the images that stay. Adds go straight to their final position
// where the platform takes a position (BigCommerce, Salla, Shoptet), so they
// need no reorder; where adds only append (3dcart) they come first and one
// reorder fixes everything. Alt changes and the order travel in one
// BatchUpdater call where the platform batches both (3dcart's collection
// PUT, Shoptet's PATCH), alt changes alone in batches on FinerWorks. On
// platforms that move one image per call (BigCommerce, Salla) an image that
// moves and changes its alt text does both in one Update, and only the
// images outside a heaviest increasing run move. There the main image is a
// flag (shopimg.Capabilities.MainIsFlag), so a new main image costs a write
// on it (shopimg.Capabilities.ReorderCost): the plan makes it main first
// and never moves the main image away, adds a new main image before
// ordering the others, and deletes an old main image that goes last, which
// leaves the next one main for free. The package's tests check
// on every platform profile that the fake counts exactly LowerBound writes,
// and search all call sequences on small galleries to check that none is
// cheaper.
//
// # Crash safety
//
// Apply saves an Intent to the Store before each add (the key, what is sent,
// and the IDs of the images already there) and the key's mapping after it,
// atomically with removing the intent. The mapping is saved whenever the
// platform answered with an image ID, also when a later step of the add
// failed (shopimg.ErrAdded); the intent is removed without a mapping only
// when the error proves that nothing was created. Every other write is
// idempotent and is simply planned again from a fresh listing. If Apply
// stops between the two saves (a crash, a cancelled context, an error
// matching shopimg.ErrOutcomeUnknown, a Store failure), the next plan looks
// for the image the add may have created:
//
//   - The candidates are the listed images that were not there before the
//     add (not in Intent.Before) and that no key maps to.
//   - No candidate: the add did not happen; the intent is discarded and the
//     entry is added again. Except on a platform that adds asynchronously
//     (Capabilities.AsyncAdd: a Shoptet add is a queued job, which may run
//     after its answer was lost): there the entry is held back, reported
//     as DriftRecover, until Policy.AsyncAddWindow (3 hours by default)
//     has passed since the add, so a late job cannot leave the image
//     twice.
//   - Otherwise each candidate scores 4 if its URL is the source URL, 2 if
//     the last segment of its URL contains the source's file name stem
//     (platforms keep an uploaded image's name, with a suffix), and 1 if its
//     alt text is the one sent. The unique best candidate with a score above
//     zero is adopted as the key's image. A tie, or a lone candidate that
//     matches nothing, is ambiguous: the entry is reported as DriftRecover
//     and not added until a person deletes the extra image or the store is
//     fixed, because adding again could make a duplicate.
//
// The result of a write that happened is saved even if the context was
// cancelled meanwhile, so a cancelled run leaves nothing to recover.
//
// The guarantee: as long as the Store keeps its contract and nobody else
// adds images to the product between the interrupted add and the next run,
// a re-run never adds an entry's image twice and ends with the same gallery
// an uninterrupted run would have. The limits: an image someone else added
// in that window, with the same file name or alt text, may be adopted by
// mistake (it is then managed like ours); an interrupted add whose image was
// then deleted by someone else is added again; two processes syncing the
// same product at once can both add an image (serialise them, see Store);
// and a MemoryStore protects only within its process.
//
// # Stores
//
// MemoryStore is for tests and one-off runs; package boltstore keeps the
// state in a bbolt file, checked on every read (a damaged file is refused,
// and no product is synced from it). To share state between processes, implement Store
// on a database: each Save is one transaction (all of a Change or nothing,
// in the order Put, Drop, Begin, Resolve), committed before Save returns;
// Load sees every Save that returned; intents come back in the order they
// were begun; and two syncs of one product must not run at once (take a
// per-product lease or advisory lock around Sync). Package storetest checks
// an implementation against this contract.
//
// # Rate limits
//
// Platforms rate-limit per store, so Run bounds the products synced at once
// per store (RunOptions.PerStore) as well as overall. Within a store the
// adapter's client keeps every goroutine within the quota the platform
// reports, so a long run works at the quota instead of into 429s; give
// every job of a store the same Target (the same client) so they share
// it. A throttled job (shopimg.ErrRateLimited) pauses its store and is
// tried again. The package's tests measure this against the BigCommerce
// fake server's quota of 150 requests per 30 s: no request is answered
// 429, and with 250 ms per request one product at a time uses about 77% of
// the quota while the default of two uses about 97% (TestQuota,
// BenchmarkQuota).
//
// # Errors
//
// Errors wrap the platform's and the Store's, so classify them with
// errors.Is against the shopimg sentinels: shopimg.ErrInvalidInput for a
// malformed desired gallery or plan, shopimg.ErrConflict when Apply finds
// the gallery changed since its plan, shopimg.ErrRateLimited for a store
// that throttles (Run pauses it and tries again), and so on.
package imagesync
