// Package order holds the pure arithmetic of image order that the root
// package, the adapters, the in-memory fake and imagesync share: the longest
// (or heaviest) increasing subsequence, and which images a per-image
// platform must write to turn one order into another. It imports nothing of
// the module, so the root package can use it.
package order

// Moves returns the IDs that must move, in target order, to turn the order
// current into the order target by moving one image at a time: every ID
// outside a longest subsequence the two orders share. Its length is the
// least number of single-image moves. target must be a permutation of
// current.
func Moves(current, target []string) []string {
	pos := make(map[string]int, len(current))
	for i, id := range current {
		pos[id] = i
	}
	seq := make([]int, len(target))
	for i, id := range target {
		seq[i] = pos[id]
	}
	keep := HeaviestIncreasing(seq, nil)
	moves := make([]string, 0, len(target))
	for i, id := range target {
		if !keep[i] {
			moves = append(moves, id)
		}
	}
	return moves
}

// MovesFor returns the images a per-image platform writes, one call each,
// to turn the order current into target, in target order: the fewest
// possible. The images in written are written anyway (an update that also
// changes the alt text), so they are in the result and moving them costs
// nothing more; IDs not in target are ignored.
//
// With flagMain (the main image is a flag on one image, apart from the sort
// order: shopimg.Capabilities.MainIsFlag on a per-image platform), when
// target[0] is not current[0] the result also holds target[0]: its write
// sets the flag and puts it first. The old main image then stands first
// among the others, so the others are compared in their current order
// without target[0].
//
// target must be a permutation of current.
func MovesFor(flagMain bool, current, target []string, written ...string) []string {
	forced := make(map[string]bool, len(written)+1)
	for _, id := range written {
		forced[id] = true
	}
	if flagMain && len(target) > 0 && len(current) > 0 && target[0] != current[0] {
		forced[target[0]] = true
	}
	if len(forced) == 0 {
		return Moves(current, target)
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
	for _, id := range Moves(keep(current), keep(target)) {
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

// HeaviestIncreasing returns which elements of seq belong to a strictly
// increasing subsequence of greatest total weight. seq holds distinct
// non-negative values (ranks); weights, when not nil, are positive and one
// per element (nil weighs every element 1, which gives a longest increasing
// subsequence). It runs in O(n log n) with a Fenwick tree of prefix maxima
// over the values. Among equally heavy subsequences it keeps the one found
// first, so the result is deterministic.
func HeaviestIncreasing(seq, weights []int) []bool {
	size := 0
	for _, v := range seq {
		size = max(size, v+1)
	}
	type best struct{ w, at int } // weight of the heaviest run ending at element at
	tree := make([]best, size+1)  // 1-based Fenwick tree over values
	for i := range tree {
		tree[i].at = -1
	}
	query := func(v int) best { // max over values < v
		b := best{at: -1}
		for i := v; i > 0; i -= i & -i {
			if tree[i].w > b.w {
				b = tree[i]
			}
		}
		return b
	}
	update := func(v int, b best) {
		for i := v + 1; i <= size; i += i & -i {
			if b.w > tree[i].w {
				tree[i] = b
			}
		}
	}
	prev := make([]int, len(seq))
	top := best{at: -1}
	for i, v := range seq {
		w := 1
		if weights != nil {
			w = weights[i]
		}
		p := query(v)
		prev[i] = p.at
		b := best{w: p.w + w, at: i}
		update(v, b)
		if b.w > top.w {
			top = b
		}
	}
	keep := make([]bool, len(seq))
	for i := top.at; i >= 0; i = prev[i] {
		keep[i] = true
	}
	return keep
}
