package imagesync_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/imagesync"
)

// TestLowerBoundIsOptimal searches every sequence of calls on small
// galleries (up to four images involved) for the cheapest way to reach the
// gallery a sync reaches, counting writes as shopimgtest.Fake does, and
// checks that it costs exactly LowerBound: no plan, however clever, does
// better than the one imagesync makes. The search allows every add at every
// position the platform allows, every delete of an image that goes, every
// update (alt, position, main, and combinations), every reorder and every
// batch (any order, any subset of alt changes); it excludes only calls that
// cannot help: deleting an image that stays, adding one twice, and setting
// an alt text other than the desired one.
func TestLowerBoundIsOptimal(t *testing.T) {
	t.Parallel()
	for pi, p := range profiles(true) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(pi), *seed+98))
			n := *cases / 2 / raceScale
			if testing.Short() {
				n /= 10
			}
			tried := 0
			for done := 0; done < n; tried++ {
				if optimalCase(t, p, rng) {
					done++
				}
			}
			t.Logf("%s: %d galleries searched exhaustively (%d drawn)", p.name, n, tried)
		})
	}
}

// optimalCase runs one random case; it returns false if the case involved
// too many images to search.
func optimalCase(t *testing.T, p profile, rng *rand.Rand) bool {
	t.Helper()
	ctx := context.Background()
	fake := p.fake()
	sc := randomScenario(rng, fake, "p", 3)
	target := imagesync.Target{Platform: p.name, Images: fake}
	in := imagesync.Input{Ref: target.Ref("p"), Current: sc.current, State: sc.state, Desired: sc.desired, Caps: p.caps, Policy: sc.policy}
	bound, err := imagesync.LowerBound(in)
	if err != nil {
		t.Fatal(err)
	}
	s := &imagesync.Syncer{Store: storeWith(t, in.Ref, sc.state), Policy: sc.policy}
	if _, err := s.Sync(ctx, target, "p", sc.desired); err != nil {
		t.Fatal(err)
	}
	final := fake.Images("p")

	// Identities: the original images, then the added ones.
	idx := map[string]int{}
	var want []item
	for _, img := range sc.current {
		idx[img.ID] = len(idx)
	}
	targetAlt := map[int]string{}
	for _, img := range final {
		i, ok := idx[img.ID]
		if !ok {
			i = len(idx)
			idx[img.ID] = i
		}
		targetAlt[i] = img.Alt
		want = append(want, item{i, true})
	}
	if len(idx) > 4 {
		return false
	}
	var start []item
	for _, img := range sc.current {
		i := idx[img.ID]
		_, stays := targetAlt[i]
		start = append(start, item{i, !stays || img.Alt == targetAlt[i]})
	}
	isNew := func(i int) bool { return i >= len(sc.current) }
	inTarget := func(i int) bool { _, ok := targetAlt[i]; return ok }
	best := cheapest(p.caps, start, want, isNew, inTarget)
	if best != bound {
		t.Fatalf("%s\ncheapest sequence costs %d, LowerBound %d", describe(sc, p.caps), best, bound)
	}
	return true
}

// item is an image in the search: its identity and whether its alt text is
// the target's.
type item struct {
	id    int
	altOK bool
}

func key(s []item) string {
	b := make([]byte, len(s))
	for i, it := range s {
		b[i] = byte(it.id * 2)
		if it.altOK {
			b[i]++
		}
	}
	return string(b)
}

// cheapest runs Dijkstra from start to want over the calls caps allows.
func cheapest(caps shopimg.Capabilities, start, want []item, isNew, inTarget func(int) bool) int {
	dist := map[string]int{key(start): 0}
	buckets := [][][]item{{start}}
	goal := key(want)
	for cost := 0; cost < len(buckets); cost++ {
		for _, s := range buckets[cost] {
			if dist[key(s)] != cost {
				continue
			}
			if key(s) == goal {
				return cost
			}
			next(caps, s, isNew, inTarget, func(n []item, c int) {
				k := key(n)
				if d, ok := dist[k]; ok && d <= cost+c {
					return
				}
				dist[k] = cost + c
				for len(buckets) <= cost+c {
					buckets = append(buckets, nil)
				}
				buckets[cost+c] = append(buckets[cost+c], n)
			})
		}
	}
	return -1
}

// next calls visit with every state one call away from s, and its cost.
func next(caps shopimg.Capabilities, s []item, isNew, inTarget func(int) bool, visit func([]item, int)) {
	n := len(s)
	// Adds of the target's new images.
	for id := 0; id < 8; id++ {
		if !isNew(id) || !inTarget(id) || slices.ContainsFunc(s, func(x item) bool { return x.id == id }) {
			continue
		}
		if caps.MaxImages > 0 && n >= caps.MaxImages {
			break
		}
		for pos := 0; pos <= n; pos++ {
			if pos != n && !caps.AddAtPosition {
				continue
			}
			visit(slices.Insert(slices.Clone(s), pos, item{id, true}), 1)
		}
	}
	for i, it := range s {
		// Deletes of images that go.
		if caps.Delete && !inTarget(it.id) {
			visit(slices.Delete(slices.Clone(s), i, i+1), 1)
		}
		// Updates: alt, position, main, combined.
		for _, setAlt := range []bool{false, true} {
			if setAlt && (it.altOK || !caps.Update) {
				continue
			}
			for pos := -1; pos < n; pos++ { // -1: no move
				if pos >= 0 && !caps.Reorder && !(caps.SetMain && pos == 0) {
					continue
				}
				if !setAlt && (pos == -1 || pos == i) {
					continue
				}
				u := slices.Delete(slices.Clone(s), i, i+1)
				moved := it
				moved.altOK = it.altOK || setAlt
				at := pos
				if at == -1 {
					at = i
				}
				ns := slices.Insert(u, at, moved)
				visit(ns, updateCost(caps, s, ns, it.id, setAlt))
			}
		}
	}
	// Reorders and batches over every permutation.
	cur := make([]string, n)
	for i, it := range s {
		cur[i] = string(rune('a' + it.id))
	}
	for _, perm := range permutations(n) {
		order := make([]string, n)
		ns := make([]item, n)
		for i, j := range perm {
			order[i], ns[i] = cur[j], s[j]
		}
		moved := !slices.Equal(order, cur)
		if moved && !caps.Reorder {
			continue
		}
		if moved {
			visit(ns, caps.ReorderCost(cur, order))
		}
		if !caps.BatchUpdate {
			continue
		}
		// Batches: this order (or none), with any subset of alt fixes.
		var fixable []int
		for i, it := range ns {
			if !it.altOK && caps.Update {
				fixable = append(fixable, i)
			}
		}
		for mask := range 1 << len(fixable) {
			b := slices.Clone(ns)
			changed := 0
			for bit, i := range fixable {
				if mask&(1<<bit) != 0 {
					b[i].altOK = true
					changed++
				}
			}
			for i := range b {
				if order[i] != cur[i] && !(b[i].altOK && !ns[i].altOK) {
					changed++
				}
			}
			if changed > 0 {
				visit(b, ceilDiv(changed, caps.MaxPerCall))
			}
		}
	}
}

// updateCost is what shopimgtest.Fake counts for an Update of image id that
// turns s into ns: one call, or on a per-image platform the images
// shopimg.Capabilities.ReorderWrites writes (id among them if setAlt), at
// least one.
func updateCost(caps shopimg.Capabilities, s, ns []item, id int, setAlt bool) int {
	if !caps.Reorder || caps.BatchReorder {
		return 1
	}
	name := func(it item) string { return string(rune('a' + it.id)) }
	var written []string
	if setAlt {
		written = []string{string(rune('a' + id))}
	}
	return max(1, len(caps.ReorderWrites(each(s, name), each(ns, name), written...)))
}

// each returns f of every element of xs.
func each[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func ceilDiv(n, per int) int {
	if per <= 0 {
		return 1
	}
	return (n + per - 1) / per
}

// permTable holds the permutations of 0..n-1 for n up to 4.
var permTable = func() [5][][]int {
	var t [5][][]int
	for n := range t {
		var rec func(prefix, rest []int)
		rec = func(prefix, rest []int) {
			if len(rest) == 0 {
				t[n] = append(t[n], slices.Clone(prefix))
				return
			}
			for i := range rest {
				rec(append(prefix, rest[i]), append(slices.Clone(rest[:i]), rest[i+1:]...))
			}
		}
		rest := make([]int, n)
		for i := range rest {
			rest[i] = i
		}
		rec(nil, rest)
	}
	return t
}()

func permutations(n int) [][]int { return permTable[n] }
