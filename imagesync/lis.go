package imagesync

// heaviestIncreasing returns which elements of seq belong to a strictly
// increasing subsequence of greatest total weight. seq holds distinct values
// in [0, len(seq)+extra) (ranks); weights are positive. It runs in
// O(n log n) with a Fenwick tree of prefix maxima over the values. Among
// equally heavy subsequences it keeps the one found first, so the result is
// deterministic.
func heaviestIncreasing(seq, weights []int) []bool {
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
		p := query(v)
		prev[i] = p.at
		b := best{w: p.w + weights[i], at: i}
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
