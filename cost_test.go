package shopimg_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shopimg/shopimg"
)

// lisLen is the textbook O(n²) longest strictly increasing subsequence length.
func lisLen(seq []int) int {
	best := make([]int, len(seq))
	n := 0
	for i := range seq {
		best[i] = 1
		for j := range i {
			if seq[j] < seq[i] && best[j]+1 > best[i] {
				best[i] = best[j] + 1
			}
		}
		n = max(n, best[i])
	}
	return n
}

// applyMoves moves each image of moves, one at a time, to its place in
// target, and returns the resulting order.
func applyMoves(current, target, moves []string) []string {
	order := slices.Clone(current)
	for _, m := range moves {
		order = slices.DeleteFunc(order, func(s string) bool { return s == m })
		// Insert after the nearest image before it in target that is placed.
		ti := slices.Index(target, m)
		at := 0
		for k := ti - 1; k >= 0; k-- {
			if i := slices.Index(order, target[k]); i >= 0 && (!slices.Contains(moves, target[k]) || slices.Index(moves, target[k]) < slices.Index(moves, m)) {
				at = i + 1
				break
			}
		}
		order = slices.Insert(order, at, m)
	}
	return order
}

func TestReorderWritesIsMinimalAndSufficient(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 2000 {
		n := rng.IntN(40)
		current := make([]string, n)
		for i := range current {
			current[i] = fmt.Sprintf("i%d", i)
		}
		target := slices.Clone(current)
		rng.Shuffle(n, func(i, j int) { target[i], target[j] = target[j], target[i] })
		if trial%5 == 0 && n > 2 { // nearly sorted cases too
			target = slices.Clone(current)
			i, j := rng.IntN(n), rng.IntN(n)
			target[i], target[j] = target[j], target[i]
		}
		moves := perImage.ReorderWrites(current, target)
		pos := map[string]int{}
		for i, id := range current {
			pos[id] = i
		}
		seq := make([]int, n)
		for i, id := range target {
			seq[i] = pos[id]
		}
		if want := n - lisLen(seq); len(moves) != want {
			t.Fatalf("trial %d: %d moves, want n-LIS = %d (current %v, target %v)", trial, len(moves), want, current, target)
		}
		if got := applyMoves(current, target, moves); !slices.Equal(got, target) {
			t.Fatalf("trial %d: moving %v gives %v, want %v", trial, moves, got, target)
		}
	}
}

func TestReorderWritesPerImageExamples(t *testing.T) {
	t.Parallel()
	cases := []struct {
		current, target, want []string
	}{
		{nil, nil, []string{}},
		{[]string{"a", "b", "c"}, []string{"a", "b", "c"}, []string{}},
		{[]string{"a", "b", "c"}, []string{"c", "a", "b"}, []string{"c"}},
		{[]string{"a", "b", "c", "d"}, []string{"b", "c", "d", "a"}, []string{"a"}},
		{[]string{"a", "b", "c"}, []string{"c", "b", "a"}, []string{"b", "a"}},
	}
	for _, tc := range cases {
		if got := perImage.ReorderWrites(tc.current, tc.target); !slices.Equal(got, tc.want) {
			t.Errorf("ReorderWrites(%v, %v) = %v, want %v", tc.current, tc.target, got, tc.want)
		}
	}
}

func TestCalls(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ per, n, want int }{{0, 0, 0}, {0, 7, 1}, {5, 0, 0}, {5, 5, 1}, {5, 6, 2}, {5, 12, 3}, {100, 250, 3}} {
		if got := (shopimg.Capabilities{MaxPerCall: tc.per}).Calls(tc.n); got != tc.want {
			t.Errorf("MaxPerCall %d: Calls(%d) = %d, want %d", tc.per, tc.n, got, tc.want)
		}
	}
}

func BenchmarkReorderWrites1000(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	current := make([]string, 1000)
	for i := range current {
		current[i] = fmt.Sprint(i)
	}
	target := slices.Clone(current)
	rng.Shuffle(len(target), func(i, j int) { target[i], target[j] = target[j], target[i] })
	b.ReportAllocs()
	for b.Loop() {
		perImage.ReorderWrites(current, target)
	}
}

var (
	perImage = shopimg.Capabilities{Reorder: true}
	flagMain = shopimg.Capabilities{Reorder: true, MainIsFlag: true}
)

func TestReorderCostExamples(t *testing.T) {
	t.Parallel()
	abc := []string{"a", "b", "c", "d"}
	batch := shopimg.Capabilities{Reorder: true, BatchReorder: true}
	cases := []struct {
		name            string
		caps            shopimg.Capabilities
		current, target []string
		want            int
	}{
		{"empty", flagMain, nil, nil, 0},
		{"one image", flagMain, []string{"a"}, []string{"a"}, 0},
		{"unchanged", flagMain, abc, abc, 0},
		{"main kept, one moved", flagMain, abc, []string{"a", "c", "d", "b"}, 1},
		{"rotated left, per image", perImage, abc, []string{"b", "c", "d", "a"}, 1},
		// The new main costs a write, and the old one is then first among
		// the others, so it must move to the end.
		{"rotated left, flag", flagMain, abc, []string{"b", "c", "d", "a"}, 2},
		{"rotated right, flag", flagMain, abc, []string{"d", "a", "b", "c"}, 1},
		{"first two swapped, flag", flagMain, abc, []string{"b", "a", "c", "d"}, 1},
		{"reversed, per image", perImage, abc, []string{"d", "c", "b", "a"}, 3},
		{"reversed, flag", flagMain, abc, []string{"d", "c", "b", "a"}, 3},
		{"reversed, batch", batch, abc, []string{"d", "c", "b", "a"}, 1},
		{"reversed, batch of 2", shopimg.Capabilities{Reorder: true, BatchReorder: true, MaxPerCall: 2}, abc, []string{"d", "c", "b", "a"}, 2},
		{"flag ignored with batch", shopimg.Capabilities{Reorder: true, BatchReorder: true, MainIsFlag: true, MaxPerCall: 1}, abc, []string{"b", "c", "d", "a"}, 1},
		{"flag ignored without reorder", shopimg.Capabilities{MainIsFlag: true}, abc, []string{"b", "c", "d", "a"}, 1},
	}
	for _, tc := range cases {
		if got := tc.caps.ReorderCost(tc.current, tc.target); got != tc.want {
			t.Errorf("%s: ReorderCost(%v, %v) = %d, want %d", tc.name, tc.current, tc.target, got, tc.want)
		}
	}
}

func TestReorderWritesExamples(t *testing.T) {
	t.Parallel()
	abc := []string{"a", "b", "c", "d"}
	cases := []struct {
		name            string
		caps            shopimg.Capabilities
		current, target []string
		written         []string
		want            []string
	}{
		{"empty", flagMain, nil, nil, nil, []string{}},
		{"plain", perImage, abc, []string{"c", "b", "a", "d"}, nil, []string{"b", "a"}},
		{"rotated left, flag", flagMain, abc, []string{"b", "c", "d", "a"}, nil, []string{"b", "a"}},
		{"rotated right, flag", flagMain, abc, []string{"d", "a", "b", "c"}, nil, []string{"d"}},
		{"written, unmoved", perImage, abc, abc, []string{"c"}, []string{"c"}},
		{"written, unknown ID ignored", perImage, abc, abc, []string{"x"}, []string{}},
		// Swapping neighbours: the written one carries the move.
		{"written carries the move", perImage, abc, []string{"a", "c", "b", "d"}, []string{"b"}, []string{"b"}},
		{"written carries the move, other side", perImage, abc, []string{"a", "c", "b", "d"}, []string{"c"}, []string{"c"}},
		// The old main moves one place down: only the new main is written,
		// unless the old one is written anyway.
		{"old main second", flagMain, abc, []string{"b", "a", "c", "d"}, nil, []string{"b"}},
		{"old main second, written", flagMain, abc, []string{"b", "a", "c", "d"}, []string{"a"}, []string{"b", "a"}},
		{"old main moved down, written", flagMain, abc, []string{"b", "c", "a", "d"}, []string{"a"}, []string{"b", "a"}},
		{"new main written anyway", flagMain, abc, []string{"c", "a", "b", "d"}, []string{"c"}, []string{"c"}},
		{"main kept and written", flagMain, abc, []string{"a", "b", "d", "c"}, []string{"a"}, []string{"a", "c"}},
	}
	for _, tc := range cases {
		if got := tc.caps.ReorderWrites(tc.current, tc.target, tc.written...); !slices.Equal(got, tc.want) {
			t.Errorf("%s: ReorderWrites(%v, %v, %v) = %v, want %v", tc.name, tc.current, tc.target, tc.written, got, tc.want)
		}
	}
}

// flagState is a platform whose main image is a flag: the image flagged
// main, and the sort order of all images. It lists the flagged image first,
// then the others in sort order.
type flagState struct {
	main string
	sort []string
}

func (s flagState) display() []string {
	return append([]string{s.main}, slices.DeleteFunc(slices.Clone(s.sort), func(id string) bool { return id == s.main })...)
}

// bruteForceWrites is the least number of single-image writes that turn
// current into target, each write moving its image anywhere in the sort
// order and, with flag, optionally making it main; every image of written
// must be written at least once. Without flag the list is the sort order.
// It searches every sequence of writes breadth first. A state is encoded as
// bytes: the main image's index in current, the sort order as indexes, and
// the mask of written images done.
func bruteForceWrites(flag bool, current, target, written []string) int {
	n := len(current)
	idx := func(id string) byte { return byte(slices.Index(current, id)) }
	goal := make([]byte, n)
	for i, id := range target {
		goal[i] = idx(id)
	}
	var must byte
	for _, id := range written {
		must |= 1 << idx(id)
	}
	shown := func(st []byte) []byte {
		if !flag {
			return st[1 : 1+n]
		}
		out := append(make([]byte, 0, n), st[0])
		for _, x := range st[1 : 1+n] {
			if x != st[0] {
				out = append(out, x)
			}
		}
		return out
	}
	start := make([]byte, n+2) // main, sort..., done
	for i := range n {
		start[1+i] = byte(i)
	}
	seen := map[string]bool{string(start): true}
	level := [][]byte{start}
	for cost := 0; ; cost++ {
		var next [][]byte
		for _, st := range level {
			if st[n+1]&must == must && slices.Equal(shown(st), goal) {
				return cost
			}
			for x := range byte(n) {
				without := slices.DeleteFunc(slices.Clone(st[1:1+n]), func(y byte) bool { return y == x })
				for at := 0; at <= len(without); at++ {
					for _, makeMain := range []bool{false, true} {
						if makeMain && !flag {
							continue
						}
						ns := append([]byte{st[0]}, slices.Insert(slices.Clone(without), at, x)...)
						ns = append(ns, st[n+1]|(1<<x)&must)
						if makeMain {
							ns[0] = x
						}
						if k := string(ns); !seen[k] {
							seen[k] = true
							next = append(next, ns)
						}
					}
				}
			}
		}
		level = next
	}
}

// applyFlagMoves writes the images of moves, in order, on a flag platform
// whose main image has the lowest sort order, the way an adapter would:
// target[0] is made main and given the lowest sort order if it is not main,
// and every other written image goes right after its nearest predecessor in
// target that is already in place. It returns the listed order and whether
// the main image still has the lowest sort order.
func applyFlagMoves(current, target, moves []string) ([]string, bool) {
	s := flagState{current[0], slices.Clone(current)}
	placed := map[string]bool{}
	for _, id := range current {
		placed[id] = !slices.Contains(moves, id)
	}
	for _, m := range moves {
		s.sort = slices.DeleteFunc(s.sort, func(x string) bool { return x == m })
		at := 0
		if m == target[0] {
			s.main = m
		} else {
			for k := slices.Index(target, m) - 1; k >= 0; k-- {
				if placed[target[k]] {
					at = slices.Index(s.sort, target[k]) + 1
					break
				}
			}
			if at == 0 && s.sort[0] == s.main {
				at = 1 // never before the main image
			}
		}
		s.sort = slices.Insert(s.sort, at, m)
		placed[m] = true
	}
	return s.display(), s.sort[0] == s.main
}

// TestReorderWritesMatchesBruteForce checks ReorderCost and
// ReorderWrites against an exhaustive search over every sequence of
// single-image writes on a model of each kind of platform (per-image moves,
// and a main image that is a flag), with and without images written anyway,
// and checks that writing the returned images in order reaches the target.
func TestReorderWritesMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 8))
	trials := 1500
	if testing.Short() || raceDetector {
		trials = 300
	}
	changedMain := 0
	for trial := range trials {
		n := 1 + rng.IntN(5)
		if trial%20 == 0 {
			n = 6 // slow to search
		}
		current := make([]string, n)
		for i := range current {
			current[i] = fmt.Sprintf("i%d", i)
		}
		target := slices.Clone(current)
		rng.Shuffle(n, func(i, j int) { target[i], target[j] = target[j], target[i] })
		var written []string
		if trial%2 == 1 {
			for _, id := range current {
				if rng.IntN(4) == 0 {
					written = append(written, id)
				}
			}
		}
		if target[0] != current[0] {
			changedMain++
		}
		for _, caps := range []shopimg.Capabilities{perImage, flagMain} {
			moves := caps.ReorderWrites(current, target, written...)
			want := bruteForceWrites(caps.MainIsFlag, current, target, written)
			if len(moves) != want {
				t.Fatalf("trial %d, flag %v: ReorderWrites(%v, %v, %v) = %v, the least is %d writes", trial, caps.MainIsFlag, current, target, written, moves, want)
			}
			if written == nil {
				if got := caps.ReorderCost(current, target); got != want {
					t.Fatalf("trial %d, flag %v: ReorderCost(%v, %v) = %d, the least is %d", trial, caps.MainIsFlag, current, target, got, want)
				}
			}
			for _, id := range written {
				if !slices.Contains(moves, id) {
					t.Fatalf("trial %d: the moves %v lack %s, written anyway", trial, moves, id)
				}
			}
			if !slices.IsSortedFunc(moves, func(a, b string) int { return slices.Index(target, a) - slices.Index(target, b) }) {
				t.Fatalf("trial %d: moves %v are not in target order %v", trial, moves, target)
			}
			if caps.MainIsFlag {
				got, lowest := applyFlagMoves(current, target, moves)
				if !slices.Equal(got, target) || !lowest {
					t.Fatalf("trial %d: writing %v on %v lists %v (main lowest %v), want %v", trial, moves, current, got, lowest, target)
				}
			} else if got := applyMoves(current, target, moves); !slices.Equal(got, target) {
				t.Fatalf("trial %d: moving %v gives %v, want %v", trial, moves, got, target)
			}
		}
	}
	t.Logf("%d random reorders of up to 6 images (%d changing the main image) match the exhaustive search on both models", trials, changedMain)
}
