package shoptet

import (
	"github.com/shopimg/shopimg/internal/order"
)

// Priorities are integers 1..MaxPriority. The adapter keeps them distinct
// and spaced by up to priorityStep, so that an image can be added between
// two others, and a reorder can give the images it moves new priorities
// between those of the images that stay, without writing the others.

// priorityStep is the gap the adapter leaves between priorities it
// assigns, room enough for about ten adds at the same place.
const priorityStep = 1024

// stepFor returns the spacing of n priorities renumbered from scratch.
func stepFor(n int) int {
	return max(1, min(priorityStep, MaxPriority/(n+1)))
}

// between returns k distinct priorities strictly between lo and hi (lo 0:
// the start; hi MaxPriority+1: the end), spaced by up to priorityStep from
// the image that stays next to them, and false when they do not fit.
func between(lo, hi, k int) ([]int, bool) {
	if k == 0 {
		return nil, true
	}
	if hi-lo-1 < k {
		return nil, false
	}
	out := make([]int, k)
	switch step := priorityStep; {
	case lo == 0 && hi <= MaxPriority && hi-step*k > 0:
		for j := range k {
			out[j] = hi - step*(k-j)
		}
	case hi > MaxPriority && lo > 0 && lo+step*k <= MaxPriority:
		for j := range k {
			out[j] = lo + step*(j+1)
		}
	case lo == 0 && hi > MaxPriority:
		step = stepFor(k)
		for j := range k {
			out[j] = step * (j + 1)
		}
	case k == 1 && lo > 0:
		// Right after lo, leaving most of the gap after it: adds come in
		// display order, each after the one before, and halving the gap
		// each time would use it up after ten.
		out[0] = lo + max(1, (hi-lo)/16)
	default:
		for j := range k {
			out[j] = lo + (hi-lo)*(j+1)/(k+1)
		}
	}
	return out, true
}

// priorityOf returns an image's priority, or 0 for null.
func priorityOf(img Image) int {
	if img.Priority == nil {
		return 0
	}
	return *img.Priority
}

// plan returns the priorities that put cur (display order) in the order
// target, writing as few images as it can: when the priorities of the
// images outside the moved ones (order.MovesFor, with written counted as
// moved for free) are distinct, non-null and increasing in target order,
// only the moved images get new priorities, between theirs; otherwise every
// image is renumbered. The result holds only priorities that change.
func plan(cur []Image, target []string, written ...string) map[ImageName]int {
	byName := make(map[ImageName]Image, len(cur))
	ids := make([]string, len(cur))
	for i, img := range cur {
		byName[img.Name] = img
		ids[i] = string(img.Name)
	}
	moved := map[string]bool{}
	for _, id := range order.MovesFor(false, ids, target, written...) {
		moved[id] = true
	}
	out, ok := fit(byName, target, moved)
	if ok {
		return out
	}
	out = map[ImageName]int{}
	step := stepFor(len(target))
	for i, id := range target {
		p := step * (i + 1)
		if priorityOf(byName[ImageName(id)]) != p {
			out[ImageName(id)] = p
		}
	}
	return out
}

// fit gives the moved images priorities between those of the kept ones,
// if the kept ones allow it.
func fit(byName map[ImageName]Image, target []string, moved map[string]bool) (map[ImageName]int, bool) {
	out := map[ImageName]int{}
	lo := 0
	var run []string
	flush := func(hi int) bool {
		ps, ok := between(lo, hi, len(run))
		if !ok {
			return false
		}
		for j, id := range run {
			out[ImageName(id)] = ps[j]
		}
		run = run[:0]
		return true
	}
	for _, id := range target {
		if moved[id] {
			run = append(run, id)
			continue
		}
		p := priorityOf(byName[ImageName(id)])
		if p <= lo {
			return nil, false // null, a tie, or out of order
		}
		if !flush(p) {
			return nil, false
		}
		lo = p
	}
	if !flush(MaxPriority + 1) {
		return nil, false
	}
	for name, p := range out {
		if priorityOf(byName[name]) == p {
			delete(out, name)
		}
	}
	return out, true
}
