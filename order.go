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
// what a per-image reorder costs (see Capabilities.BatchReorder). target must
// be a permutation of current (see CheckPermutation).
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
