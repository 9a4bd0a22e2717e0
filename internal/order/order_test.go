package order_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg/internal/order"
)

// bruteHeaviest is the greatest total weight of a strictly increasing
// subsequence of seq, by trying every subset.
func bruteHeaviest(seq, weights []int) int {
	best := 0
	for mask := 0; mask < 1<<len(seq); mask++ {
		last, w, ok := -1, 0, true
		for i, v := range seq {
			if mask&(1<<i) == 0 {
				continue
			}
			if v <= last {
				ok = false
				break
			}
			last = v
			w += weight(weights, i)
		}
		if ok {
			best = max(best, w)
		}
	}
	return best
}

func weight(weights []int, i int) int {
	if weights == nil {
		return 1
	}
	return weights[i]
}

// TestHeaviestIncreasingAgainstBruteForce: on every small input the result
// is a strictly increasing subsequence whose weight is the greatest.
func TestHeaviestIncreasingAgainstBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 9 {
		for trial := range 120 {
			// Distinct values with gaps, as ranks of a longer list are.
			values := rng.Perm(n + 3)[:n]
			var weights []int
			if trial%3 != 0 {
				weights = make([]int, n)
				for i := range weights {
					weights[i] = 1 + rng.IntN(5)
				}
			}
			keep := order.HeaviestIncreasing(values, weights)
			if len(keep) != n {
				t.Fatalf("%v: %d flags for %d elements", values, len(keep), n)
			}
			last, got := -1, 0
			for i, k := range keep {
				if !k {
					continue
				}
				if values[i] <= last {
					t.Fatalf("HeaviestIncreasing(%v, %v) = %v: not increasing", values, weights, keep)
				}
				last = values[i]
				got += weight(weights, i)
			}
			if want := bruteHeaviest(values, weights); got != want {
				t.Fatalf("HeaviestIncreasing(%v, %v) = %v weighs %d, want %d", values, weights, keep, got, want)
			}
		}
	}
}

func TestHeaviestIncreasingExamples(t *testing.T) {
	t.Parallel()
	cases := []struct {
		seq, weights []int
		want         []bool
	}{
		{nil, nil, []bool{}},
		{[]int{0}, nil, []bool{true}},
		{[]int{3, 2, 1, 0}, nil, []bool{true, false, false, false}},
		{[]int{0, 1, 2}, nil, []bool{true, true, true}},
		{[]int{2, 0, 1}, nil, []bool{false, true, true}},
		// Weight beats length: the single heavy element wins over two light ones.
		{[]int{2, 0, 1}, []int{5, 1, 1}, []bool{true, false, false}},
		{[]int{1, 0, 2}, []int{1, 3, 1}, []bool{false, true, true}},
	}
	for _, tc := range cases {
		if diff := cmp.Diff(tc.want, order.HeaviestIncreasing(tc.seq, tc.weights)); diff != "" {
			t.Errorf("HeaviestIncreasing(%v, %v) (-want +got):\n%s", tc.seq, tc.weights, diff)
		}
	}
}

// validWrites reports whether writing the images in w (each put at its
// target place, one call each) turns current into target: the images not
// written keep their relative order, so they must already be in target's.
// With flagMain a new first image must be written.
func validWrites(flagMain bool, current, target, w []string) bool {
	written := map[string]bool{}
	for _, id := range w {
		written[id] = true
	}
	if flagMain && len(target) > 0 && target[0] != current[0] && !written[target[0]] {
		return false
	}
	rest := func(ids []string) []string {
		return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return written[id] })
	}
	return slices.Equal(rest(current), rest(target))
}

// TestMovesForAgainstBruteForce: the writes MovesFor returns are in target
// order, include the forced ones, achieve target and are the fewest.
func TestMovesForAgainstBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 8 {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprint(i)
		}
		for trial := range 80 {
			current := slices.Clone(ids)
			rng.Shuffle(n, func(i, j int) { current[i], current[j] = current[j], current[i] })
			target := slices.Clone(ids)
			rng.Shuffle(n, func(i, j int) { target[i], target[j] = target[j], target[i] })
			var written []string
			for _, id := range ids {
				if trial%2 == 0 && rng.IntN(4) == 0 {
					written = append(written, id)
				}
			}
			flagMain := trial%3 == 0
			got := order.MovesFor(flagMain, current, target, append(written, "not-an-image")...)
			if !validWrites(flagMain, current, target, got) {
				t.Fatalf("MovesFor(%v, %v, %v, %v) = %v does not reach target", flagMain, current, target, written, got)
			}
			for _, id := range written {
				if !slices.Contains(got, id) {
					t.Fatalf("MovesFor(%v, %v, %v, %v) = %v lacks the written %s", flagMain, current, target, written, got, id)
				}
			}
			if slices.Contains(got, "not-an-image") {
				t.Fatalf("MovesFor returned an ID not in target: %v", got)
			}
			// In target order.
			pos := func(id string) int { return slices.Index(target, id) }
			if !slices.IsSortedFunc(got, func(a, b string) int { return pos(a) - pos(b) }) {
				t.Fatalf("MovesFor(...) = %v, not in target order %v", got, target)
			}
			// The fewest: any smaller superset of written fails.
			minimum := len(target)
			for mask := 0; mask < 1<<n; mask++ {
				var w []string
				for i, id := range target {
					if mask&(1<<i) != 0 {
						w = append(w, id)
					}
				}
				if containsAll(w, written) && validWrites(flagMain, current, target, w) {
					minimum = min(minimum, len(w))
				}
			}
			if len(got) != minimum {
				t.Fatalf("MovesFor(%v, %v, %v, %v) = %v, %d writes; the fewest is %d", flagMain, current, target, written, got, len(got), minimum)
			}
		}
	}
}

func containsAll(set, sub []string) bool {
	for _, id := range sub {
		if !slices.Contains(set, id) {
			return false
		}
	}
	return true
}

func TestMovesForExamples(t *testing.T) {
	t.Parallel()
	abcd := []string{"a", "b", "c", "d"}
	cases := []struct {
		name            string
		flagMain        bool
		current, target []string
		written         []string
		want            []string
	}{
		{name: "same order", current: abcd, target: abcd, want: []string{}},
		{name: "same order, flag", flagMain: true, current: abcd, target: abcd, want: []string{}},
		{name: "last to first", current: abcd, target: []string{"d", "a", "b", "c"}, want: []string{"d"}},
		{name: "first to last", current: abcd, target: []string{"b", "c", "d", "a"}, want: []string{"a"}},
		// Ties keep the image found first in target order in place.
		{name: "reversed", current: abcd, target: []string{"d", "c", "b", "a"}, want: []string{"c", "b", "a"}},
		{name: "swap two", current: abcd, target: []string{"a", "c", "b", "d"}, want: []string{"b"}},
		// A flag main image: the new first is written (flag and place),
		// and the old first then stands first among the rest.
		{name: "new main, flag", flagMain: true, current: abcd, target: []string{"c", "a", "b", "d"}, want: []string{"c"}},
		{name: "old main moves down, flag", flagMain: true, current: abcd, target: []string{"b", "c", "a", "d"}, want: []string{"b", "a"}},
		{name: "old main moves down, no flag", current: abcd, target: []string{"b", "c", "a", "d"}, want: []string{"a"}},
		{name: "written anyway", current: abcd, target: []string{"d", "a", "b", "c"}, written: []string{"b"}, want: []string{"d", "b"}},
		{name: "written unknown ID", current: abcd, target: abcd, written: []string{"z"}, want: []string{}},
		{name: "empty", current: nil, target: nil, want: []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, order.MovesFor(tc.flagMain, tc.current, tc.target, tc.written...)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMoves(t *testing.T) {
	t.Parallel()
	got := order.Moves([]string{"a", "b", "c", "d", "e"}, []string{"e", "a", "c", "b", "d"})
	// a, c, d (or a, b, d) stay; e and one of b/c move.
	if len(got) != 2 || got[0] != "e" {
		t.Errorf("Moves = %v, want e and one of b, c", got)
	}
}
