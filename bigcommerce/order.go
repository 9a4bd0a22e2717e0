package bigcommerce

import (
	"cmp"
	"slices"

	"github.com/shopimg/shopimg/internal/order"
)

// This file holds the pure part of ordering: the display order of a set of
// images, and the PUTs that turn one display order into another under the
// documented sort_order rule.
//
// The rule (productImage_Base.sort_order in the official OpenAPI file; the
// v2 seed says the same): "Higher integers give the image a lower priority.
// When updating, if the image is given a lower priority, all images with a
// sort_order the same as or greater than the image's new sort_order value
// will have their sort_orders reordered." It is read as an insertion:
// writing sort_order s on an image adds one to the sort_order of every other
// image of the product whose sort_order is s or more, so the written image
// lands just before them. The docs speak only of moves "to a lower
// priority" and of updates; the insertion reading is taken for every write
// of sort_order, creates included, and the adapter checks the result (see
// WithReorderCheck), falling back to renumbering every image, which gives
// the asked order under any reading.

// displayOrder sorts imgs in place into display order, and returns them:
// by sort_order, then ID (the spec's example has two images with
// sort_order 0, so ties happen; the ID breaks them, as images "increment
// sequentially"), then the thumbnail, if any, moved to the front. Among
// several images flagged as thumbnail (which the API should not allow), the
// first in that order is the main one.
func displayOrder(imgs []Image) []Image {
	slices.SortFunc(imgs, func(a, b Image) int {
		return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), cmp.Compare(a.ID, b.ID))
	})
	if i := slices.IndexFunc(imgs, func(img Image) bool { return img.IsThumbnail }); i > 0 {
		t := imgs[i]
		copy(imgs[1:i+1], imgs[:i])
		imgs[0] = t
	}
	return imgs
}

// put is one planned UpdateImage call.
type put struct {
	id    ImageID
	req   UpdateImageRequest
	thumb bool // the request sets is_thumbnail
}

// simulate applies a write of sort_order and/or is_thumbnail on image id to
// imgs (in any order) under the insertion reading of the rule.
func simulate(imgs []Image, id ImageID, sortOrder *int, thumb bool) {
	for i := range imgs {
		switch {
		case imgs[i].ID == id:
			if sortOrder != nil {
				imgs[i].SortOrder = *sortOrder
			}
			if thumb {
				imgs[i].IsThumbnail = true
			}
		default:
			if sortOrder != nil && imgs[i].SortOrder >= *sortOrder {
				imgs[i].SortOrder++
			}
			if thumb {
				imgs[i].IsThumbnail = false
			}
		}
	}
}

func idsOf(imgs []Image) []ImageID {
	out := make([]ImageID, len(imgs))
	for i, img := range imgs {
		out[i] = img.ID
	}
	return out
}

// indexOf returns the index of the image with ID id, or -1.
func indexOf(imgs []Image, id ImageID) int {
	return slices.IndexFunc(imgs, func(img Image) bool { return img.ID == id })
}

// planOrder returns the fewest PUTs that turn the display order of cur into
// target (a permutation of cur's IDs), and the images as they will be
// afterwards under the rule (in display order). The images of written get a
// PUT anyway (an alt text riding on it), so the plan moves them rather than
// others where that saves a PUT.
//
// The count: let t0 = target[0] and R = target[1:]. If t0 is already the
// thumbnail, the PUTs are len(R) - LIS, where LIS is the length of the
// longest subsequence of R that is already in sort order among the images
// other than t0 (equivalently: n - LIS of target in the current display
// order, as t0 is first in both). If t0 is not the thumbnail, one more PUT
// sets is_thumbnail on it, and the count is 1 + len(R) - LIS with LIS
// taken the same way (t0's own sort_order does not matter for the display
// order, so t0 never needs a move; its PUT also gives it the lowest
// sort_order, for free). Both are the least possible: an image that is not
// written keeps its place relative to the other unwritten ones, because a
// write shifts every image at or after a point by the same amount.
//
// The thumbnail keeps the lowest sort_order: a new one is given it, and
// moved images are placed after the thumbnail. So in a product this
// package wrote, the display order is the sort order, the old thumbnail
// stands first among the others once it loses the flag, and the count is
// exactly shopimg.ReorderCost (or ReorderMovesFor, with written) under the
// adapter's Capabilities, computed from the listed order alone. In other
// states (a thumbnail with a higher sort_order than others) the count
// follows the real sort order, and may differ from that.
//
// Each moved image of R is written, in target order, with the sort_order
// just after its predecessor in R (or before all others for R[0]), which
// places it right after that predecessor. When sort_orders tie (possible in
// data not written through this package), such a move can land elsewhere;
// planOrder checks the result by simulation and then returns renumber's
// plan instead.
func planOrder(cur []Image, target []ImageID, written ...ImageID) ([]put, []Image) {
	if len(target) == 0 {
		return nil, nil
	}
	state := slices.Clone(cur)
	var puts []put
	t0 := target[0]
	if i := indexOf(state, t0); !state[i].IsThumbnail || countThumbnails(state) != 1 {
		p := put{id: t0, thumb: true, req: UpdateImageRequest{IsThumbnail: new(true)}}
		if front, ok := minSortOrder(state, t0); ok && state[i].SortOrder >= front {
			p.req.SortOrder = new(front)
		}
		puts = append(puts, p)
		simulate(state, t0, p.req.SortOrder, true)
	}
	rest := withoutID(displayOrder(slices.Clone(state)), t0)
	var also []string
	for _, id := range written {
		if id != t0 {
			also = append(also, id.String())
		}
	}
	// The others' order is plain sort order: a write moves one image.
	moves := order.MovesFor(false, stringIDs(idsOf(rest)), stringIDs(target[1:]), also...)
	moving := make(map[string]bool, len(moves))
	for _, m := range moves {
		moving[m] = true
	}
	for i, id := range target[1:] {
		if !moving[id.String()] {
			continue
		}
		var so int
		if i == 0 {
			front, ok := minSortOrder(withoutID(state, t0), id)
			if !ok {
				continue // the only other image: nothing to move before
			}
			so = front
		} else {
			so = state[indexOf(state, target[i])].SortOrder + 1
		}
		puts = append(puts, put{id: id, req: UpdateImageRequest{SortOrder: new(so)}})
		simulate(state, id, new(so), false)
	}
	state = displayOrder(state)
	if !slices.Equal(idsOf(state), target) {
		return renumber(cur, target)
	}
	return puts, state
}

// renumber returns the PUTs that give target[1:] consecutive sort_orders
// in that order, and is_thumbnail to target[0] when it lacks it: one PUT per
// image. A new thumbnail's PUT also gives it sort_order 0 and the others
// follow from 1; a thumbnail that keeps the flag is not written, and the
// others follow from its sort_order + 1. Either way the thumbnail has the
// lowest sort_order. Written in that order, this gives the target order
// under the insertion reading, and also if the API stored sort_order as
// sent without shifting anything, or shifted only on moves to a lower
// priority (each write shifts, if anything, only images at or after its
// value, which the images already written are not).
func renumber(cur []Image, target []ImageID) ([]put, []Image) {
	state := slices.Clone(cur)
	var puts []put
	base := 1
	if i := indexOf(state, target[0]); !state[i].IsThumbnail || countThumbnails(state) != 1 {
		puts = append(puts, put{id: target[0], thumb: true, req: UpdateImageRequest{IsThumbnail: new(true), SortOrder: new(0)}})
		simulate(state, target[0], new(0), true)
	} else {
		base = state[i].SortOrder + 1
	}
	for i, id := range target[1:] {
		puts = append(puts, put{id: id, req: UpdateImageRequest{SortOrder: new(base + i)}})
		simulate(state, id, new(base+i), false)
	}
	return puts, displayOrder(state)
}

func countThumbnails(imgs []Image) int {
	n := 0
	for _, img := range imgs {
		if img.IsThumbnail {
			n++
		}
	}
	return n
}

// minSortOrder returns the lowest sort_order among imgs other than the one
// with ID except, and whether there is any.
func minSortOrder(imgs []Image, except ImageID) (int, bool) {
	found, low := false, 0
	for _, img := range imgs {
		if img.ID != except && (!found || img.SortOrder < low) {
			found, low = true, img.SortOrder
		}
	}
	return low, found
}

// withoutID returns imgs without the image with ID id (a new slice).
func withoutID(imgs []Image, id ImageID) []Image {
	out := make([]Image, 0, len(imgs))
	for _, img := range imgs {
		if img.ID != id {
			out = append(out, img)
		}
	}
	return out
}

func stringIDs(ids []ImageID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}
