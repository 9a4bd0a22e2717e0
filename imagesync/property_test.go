package imagesync_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopimg/shopimg/imagesync"
)

// seed seeds the random scenarios of the property tests.
var seed = flag.Uint64("seed", 1, "seed of the property tests' random scenarios")

// cases is how many random scenarios each profile runs in
// TestSyncProperties (half as many in the exhaustive TestLowerBoundIsOptimal);
// -short runs a tenth, the race detector a raceScale-th. Raise it to hunt:
//
//	go test ./imagesync -run Properties -args -cases 50000
var cases = flag.Int("cases", 2000, "random scenarios per profile in the property tests")

// TestSyncProperties syncs random galleries onto fakes of every platform
// profile and checks that the product ends up as desired except for the
// reported drift, that every drift is justified, that the fake counted
// exactly LowerBound writes (and the plan said so), and that a second sync
// has nothing left to do. Every platform's profile (and "full") runs -cases
// scenarios (2000 by default; a raceScale-th of them under the race
// detector), the made-up ones half as many: one in ten has up to 24 images,
// the others up to 8.
func TestSyncProperties(t *testing.T) {
	t.Parallel()
	for pi, p := range profiles(true) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			n := *cases / raceScale
			if strings.HasPrefix(p.name, "x-") {
				n /= 2 // the made-up profiles
			}
			if testing.Short() {
				n /= 10
			}
			rng := rand.New(rand.NewPCG(uint64(pi), *seed))
			var sum caseStats
			for i := range n {
				maxImages := 8
				if i%10 == 0 {
					maxImages = 24
				}
				sum.add(syncCase(t, p, rng, maxImages))
				if t.Failed() {
					t.Fatalf("case %d failed", i)
				}
			}
			t.Logf("%s: %d cases: %d writes made, LowerBound total %d; %d in sync already; %d drift items", p.name, n, sum.writes, sum.bound, sum.inSync, sum.drift)
		})
	}
}

// caseStats sums what the cases of a property test did.
type caseStats struct{ writes, bound, inSync, drift int }

func (s *caseStats) add(c caseStats) {
	s.writes += c.writes
	s.bound += c.bound
	s.inSync += c.inSync
	s.drift += c.drift
}

func syncCase(t *testing.T, p profile, rng *rand.Rand, maxImages int) caseStats {
	t.Helper()
	ctx := context.Background()
	fake := p.fake()
	sc := randomScenario(rng, fake, "p1", maxImages)
	target := imagesync.Target{Platform: p.name, Store: "s", Images: fake}
	ref := target.Ref("p1")
	store := storeWith(t, ref, sc.state)
	in := imagesync.Input{Ref: ref, Current: sc.current, State: sc.state, Desired: sc.desired, Caps: p.caps, Policy: sc.policy}
	bound, err := imagesync.LowerBound(in)
	if err != nil {
		t.Fatal(err)
	}
	s := &imagesync.Syncer{Store: store, Policy: sc.policy}
	res, err := s.Sync(ctx, target, "p1", sc.desired)
	if err != nil {
		t.Fatalf("%s\nSync: %v\n%s", describe(sc, p.caps), err, res.Plan)
	}
	final := fake.Images("p1")
	st, _ := store.Load(ctx, ref)
	if err := checkOutcome(sc, p.caps, final, st, res.Drift); err != nil {
		t.Fatalf("%s\n%s\nfinal %v\n%v", describe(sc, p.caps), res.Plan, final, err)
	}
	if got := fake.Writes(); got != bound || res.Plan.Writes != bound || res.Writes != bound {
		t.Fatalf("%s\n%s\nwrites: fake %d, plan %d, result %d, lower bound %d", describe(sc, p.caps), res.Plan, got, res.Plan.Writes, res.Writes, bound)
	}
	again, err := s.Plan(ctx, target, "p1", sc.desired)
	if err != nil {
		t.Fatal(err)
	}
	if !again.InSync() {
		t.Fatalf("%s\nfirst:\n%s\nsecond:\n%s", describe(sc, p.caps), res.Plan, again)
	}
	cs := caseStats{writes: fake.Writes(), bound: bound, drift: len(res.Drift)}
	if res.Plan.InSync() {
		cs.inSync = 1
	}
	return cs
}
