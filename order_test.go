package shopimg_test

import (
	"errors"
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

func TestReorderMovesIsMinimalAndSufficient(t *testing.T) {
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
		moves := shopimg.ReorderMoves(current, target)
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

func TestReorderMovesExamples(t *testing.T) {
	t.Parallel()
	cases := []struct {
		current, target, want []string
	}{
		{nil, nil, []string{}},
		{[]string{"a", "b", "c"}, []string{"a", "b", "c"}, []string{}},
		{[]string{"a", "b", "c"}, []string{"c", "a", "b"}, []string{"c"}},
		{[]string{"a", "b", "c", "d"}, []string{"b", "c", "d", "a"}, []string{"a"}},
		{[]string{"a", "b", "c"}, []string{"c", "b", "a"}, []string{"c", "b"}},
	}
	for _, tc := range cases {
		if got := shopimg.ReorderMoves(tc.current, tc.target); !slices.Equal(got, tc.want) {
			t.Errorf("ReorderMoves(%v, %v) = %v, want %v", tc.current, tc.target, got, tc.want)
		}
	}
}

func TestCheckPermutation(t *testing.T) {
	t.Parallel()
	cur := []string{"1", "2", "3"}
	good := [][]string{{"3", "1", "2"}, {"1", "2", "3"}}
	for _, ids := range good {
		if err := shopimg.CheckPermutation(cur, ids); err != nil {
			t.Errorf("CheckPermutation(%v) = %v", ids, err)
		}
	}
	bad := map[string][]string{
		"short":     {"1", "2"},
		"long":      {"1", "2", "3", "3"},
		"duplicate": {"1", "1", "2"},
		"unknown":   {"1", "2", "9"},
		"empty id":  {"1", "", "3"},
	}
	for name, ids := range bad {
		err := shopimg.CheckPermutation(cur, ids)
		var in *shopimg.InputError
		if !errors.Is(err, shopimg.ErrInvalidInput) || !errors.As(err, &in) || in.Field != "imageIDs" {
			t.Errorf("%s: err = %v, want an InputError on imageIDs", name, err)
		}
	}
}

func BenchmarkReorderMoves1000(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	current := make([]string, 1000)
	for i := range current {
		current[i] = fmt.Sprint(i)
	}
	target := slices.Clone(current)
	rng.Shuffle(len(target), func(i, j int) { target[i], target[j] = target[j], target[i] })
	b.ReportAllocs()
	for b.Loop() {
		shopimg.ReorderMoves(current, target)
	}
}
