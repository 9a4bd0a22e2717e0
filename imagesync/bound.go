package imagesync

import (
	"slices"

	"github.com/shopimg/shopimg"
)

// LowerBound returns the least number of platform write calls that turn
// in.Current into the gallery NewPlan aims for (the desired entries in
// order, then the images the policy keeps; less the drift). Calls are
// counted as shopimg.Capabilities defines them, which is how
// shopimgtest.Fake.Writes counts them:
//
//   - Add and Delete: one each;
//   - Update: one, except that an Update taking the main image away from
//     the first place on a platform whose main image is a flag
//     (Capabilities.MainIsFlag) also costs the write that makes the next
//     image main (plans never send one);
//   - Reorder: shopimg.Capabilities.ReorderCost: one per image written
//     (the moved images, and where the main image is a flag a new main
//     image), or with BatchReorder one per MaxPerCall moved images (one if
//     no limit);
//   - a BatchUpdater call: one per MaxPerCall images whose alt text or
//     position changes (one if no limit).
//
// The bound is the sum of
//
//   - one write per image to add and one per image to delete: no call adds
//     or deletes two images, and no other call can stand in for them;
//   - the cheapest way to fix the alt texts and the order of the images that
//     stay (after the deletes, and after the adds on platforms where adds
//     only append; elsewhere adds go straight to their final position and
//     cost nothing more): a Reorder plus the alt changes (batched where the
//     platform batches); or one batch call carrying both; or one Update per
//     image, which changes an image's alt text and moves it in the same call,
//     so that only the unchanged-alt images outside a longest increasing run
//     of unchanged-alt images must be moved at an extra cost (and, where the
//     main image is a flag, a new main image its call; see
//     shopimg.Capabilities.ReorderWrites). On a platform that cannot
//     reorder, the alt changes and, where it can set the main image, one
//     call to do so.
//     Where the main image is a flag and the final main image is one to
//     add, that add comes first and takes the flag, so the images already
//     there keep their main image and pay no write for a new one. Where
//     the listing shows no main image (Current[0].Main is false on a
//     platform that has one), the final first image costs a write to
//     become main even if it is already first.
//
// A plan's Writes always equals LowerBound (the planner picks the same
// cheapest strategy), and applying it on a shopimgtest.Fake costs exactly
// that many writes; the package's tests check both over thousands of random
// galleries for every platform profile.
//
// It is also the true minimum over every sequence of calls that reaches the
// same gallery without deleting an image that stays or adding one twice: the
// tests search all such sequences exhaustively for galleries of up to four
// images on every profile. In general, with one Update per image the
// argument above is exact; with no per-call limit one batch call fixes
// everything; on platforms with a per-call limit (Shoptet: 100, FinerWorks:
// 5) and more changed images than the limit, a cleverer split of the changes
// between Reorder and batch calls than the three strategies might save a
// call, so there the bound is the best of the three strategies.
//
// The cost model is Capabilities', and it is the adapters' too: on
// BigCommerce, whose main image is the is_thumbnail flag, the adapter keeps
// the thumbnail's sort_order the lowest, so the listed order is the sort
// order and each call costs the PUTs the model counts; the tests against
// the BigCommerce fake server check that the server receives no more write
// requests than LowerBound.
//
// The error matches shopimg.ErrInvalidInput when in is malformed.
func LowerBound(in Input) (int, error) {
	g, err := analyze(in)
	if err != nil {
		return 0, err
	}
	writes := len(g.adds) + len(g.deletes)
	deleted := map[string]bool{}
	for _, d := range g.deletes {
		deleted[d.Ref.ImageID] = true
	}
	var cur []node
	for _, n := range g.start {
		if !deleted[n.id] || n.ident() == g.pin {
			cur = append(cur, n)
		}
	}
	switch {
	case !in.Caps.AddAtPosition:
		for _, i := range g.adds {
			cur = append(cur, newNode("", in.Desired[i].Key, ""))
		}
	case mainAddFirst(in.Caps, g):
		// The new main image is added first and takes the flag.
		cur = append([]node{newNode("", in.Desired[g.adds[0]].Key, "")}, cur...)
	}
	changed := map[string]bool{}
	for _, n := range cur {
		if _, ok := g.alt[n.id]; ok && n.id != "" {
			changed[n.ident()] = true
		}
	}
	fin := slices.Clone(cur)
	slices.SortStableFunc(fin, func(a, b node) int { return g.rankOf(a) - g.rankOf(b) })
	flag := needsFlag(g, cur, fin)
	if in.Caps.Reorder {
		_, c := modifyCost(in.Caps, identsOf(cur), identsOf(fin), changed, flag)
		return writes + c, nil
	}
	if in.Caps.SetMain && len(fin) > 0 && (fin[0].ident() != cur[0].ident() || flag) {
		writes++
		delete(changed, fin[0].ident())
	}
	return writes + altCost(in.Caps, len(changed)), nil
}

// needsFlag reports whether the final first image, already first in cur,
// must be written to become main: the listing showed no main image, and no
// add takes the flag first.
func needsFlag(g *goal, cur, fin []node) bool {
	return g.unflagged && len(fin) > 0 && len(cur) > 0 && fin[0].id != "" && fin[0].ident() == cur[0].ident()
}

// altCost is the writes n alt changes cost alone.
func altCost(caps shopimg.Capabilities, n int) int {
	if caps.BatchUpdate {
		return caps.Calls(n)
	}
	return n
}
