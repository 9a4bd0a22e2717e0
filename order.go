package shopimg

import (
	"fmt"
	"sort"
)

// CheckPermutation reports whether ids is a permutation of current (same IDs,
// each once), with an error matching ErrInvalidInput that names the first
// problem found.
func CheckPermutation(current, ids []string) error {
	if len(ids) != len(current) {
		return &InputError{Field: "imageIDs", Reason: fmt.Sprintf("has %d IDs, the product has %d images", len(ids), len(current))}
	}
	want := make(map[string]bool, len(current))
	for _, id := range current {
		want[id] = true
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == "" {
			return &InputError{Field: "imageIDs", Reason: "contains an empty ID"}
		}
		if seen[id] {
			return &InputError{Field: "imageIDs", Reason: fmt.Sprintf("lists %q twice", id)}
		}
		if !want[id] {
			return &InputError{Field: "imageIDs", Reason: fmt.Sprintf("lists %q, which is not an image of the product", id)}
		}
		seen[id] = true
	}
	return nil
}

// ReorderMoves returns the IDs that must move, in target order, to turn the
// order current into the order target by moving one image at a time: every ID
// outside a longest subsequence that the two orders share. Its length is the
// least number of single-image moves (len(target) minus the length of the
// longest increasing subsequence of target's positions in current), which is
// what a per-image reorder costs where the main image is its first place (see
// Capabilities.BatchReorder; ReorderCost and ReorderMovesFor also count
// Capabilities.MainIsFlag). target must be a permutation of current (see
// CheckPermutation).
func ReorderMoves(current, target []string) []string {
	pos := make(map[string]int, len(current))
	for i, id := range current {
		pos[id] = i
	}
	seq := make([]int, len(target))
	for i, id := range target {
		seq[i] = pos[id]
	}
	keep := longestIncreasing(seq)
	moves := make([]string, 0, len(target)-len(keep))
	k := 0
	for i, id := range target {
		if k < len(keep) && keep[k] == i {
			k++
			continue
		}
		moves = append(moves, id)
	}
	return moves
}

// ReorderCost returns the write calls Reorder(target) costs on a platform
// with caps when the images are in the order current: 0 when the orders are
// the same; with BatchReorder one per MaxPerCall moved images (one if there
// is no limit); otherwise one per image written, len(ReorderMovesFor(caps,
// current, target)). That is n - LIS moves, LIS being the length of the
// longest subsequence the two orders share, except with MainIsFlag when
// target[0] is not current[0]: then 1 + (n-1) - LIS', LIS' being the longest
// subsequence that the other images' current order shares with target[1:].
// It is the least number of calls that reach target: a per-image platform
// keeps the relative order of the images it does not write. target must be
// a permutation of current (see CheckPermutation).
func ReorderCost(caps Capabilities, current, target []string) int {
	moves := ReorderMovesFor(caps, current, target)
	if !caps.BatchReorder || len(moves) == 0 {
		return len(moves)
	}
	if caps.MaxPerCall <= 0 {
		return 1
	}
	return (len(moves) + caps.MaxPerCall - 1) / caps.MaxPerCall
}

// ReorderMovesFor returns the images a per-image platform with caps writes,
// one call each, to turn the order current into target, in target order:
// the fewest possible. The images listed in written are written anyway (an
// Update that also changes the alt text, say), so they are in the result,
// and moving them costs nothing more; IDs that are not in target are
// ignored. With no written images and without MainIsFlag this is
// ReorderMoves.
//
// With MainIsFlag (and Reorder without BatchReorder), when target[0] is not
// current[0] the result also holds target[0]: its write sets the flag and
// puts it first. The old main image then stands first among the others, so
// the others are compared in their current order without target[0]. On
// other platforms the flag is ignored.
//
// target must be a permutation of current (see CheckPermutation).
func ReorderMovesFor(caps Capabilities, current, target []string, written ...string) []string {
	forced := make(map[string]bool, len(written)+1)
	for _, id := range written {
		forced[id] = true
	}
	if caps.MainIsFlag && caps.Reorder && !caps.BatchReorder && len(target) > 0 && len(current) > 0 && target[0] != current[0] {
		forced[target[0]] = true
	}
	if len(forced) == 0 {
		return ReorderMoves(current, target)
	}
	keep := func(ids []string) []string {
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			if !forced[id] {
				out = append(out, id)
			}
		}
		return out
	}
	moving := map[string]bool{}
	for _, id := range ReorderMoves(keep(current), keep(target)) {
		moving[id] = true
	}
	out := make([]string, 0, len(forced)+len(moving))
	for _, id := range target {
		if forced[id] || moving[id] {
			out = append(out, id)
		}
	}
	return out
}

// longestIncreasing returns the indexes into seq of a longest strictly
// increasing subsequence, in increasing order (patience sorting, O(n log n)).
// Among equally long ones it keeps the earliest-ending choices, so the result
// is deterministic.
func longestIncreasing(seq []int) []int {
	tails := []int{}              // tails[l] = index into seq of the smallest tail of an increasing run of length l+1
	prev := make([]int, len(seq)) // predecessor index in the run, -1 for none
	for i, v := range seq {
		l := sort.Search(len(tails), func(j int) bool { return seq[tails[j]] >= v })
		if l > 0 {
			prev[i] = tails[l-1]
		} else {
			prev[i] = -1
		}
		if l == len(tails) {
			tails = append(tails, i)
		} else {
			tails[l] = i
		}
	}
	out := make([]int, len(tails))
	for i, k := len(tails)-1, -1; i >= 0; i-- {
		if k == -1 {
			k = tails[len(tails)-1]
		} else {
			k = prev[k]
		}
		out[i] = k
	}
	return out
}
