package imagesync_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
)

// bigInput is a product of n images imagesync manages, and a desired
// gallery that drops 5% of them, adds 5% new ones, changes 10% of the alt
// texts and moves 5% of the images (or, with reverse, reverses the order).
func bigInput(n int, caps shopimg.Capabilities, reverse bool) imagesync.Input {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	in := imagesync.Input{Ref: imagesync.ProductRef{Platform: "bench", Product: "p"}, Caps: caps}
	for i := range n {
		id := fmt.Sprint(1000 + i)
		in.Current = append(in.Current, shopimg.Image{ID: id, URL: fmt.Sprintf("https://pim.example.com/%d.jpg", i), Alt: "alt"})
		in.State.Mappings = append(in.State.Mappings, imagesync.Mapping{Key: fmt.Sprint("k", i), ImageID: id, Created: true})
	}
	for i := range n {
		if rng.IntN(100) < 5 {
			continue
		}
		e := imagesync.Entry{Key: fmt.Sprint("k", i), SourceURL: fmt.Sprintf("https://pim.example.com/%d.jpg", i), Alt: "alt"}
		if rng.IntN(100) < 10 {
			e.Alt = "new alt"
		}
		in.Desired = append(in.Desired, e)
		if rng.IntN(100) < 5 {
			in.Desired = append(in.Desired, imagesync.Entry{Key: fmt.Sprint("new", i), SourceURL: fmt.Sprintf("https://pim.example.com/new-%d.jpg", i)})
		}
	}
	if reverse {
		for i, j := 0, len(in.Desired)-1; i < j; i, j = i+1, j-1 {
			in.Desired[i], in.Desired[j] = in.Desired[j], in.Desired[i]
		}
		return in
	}
	for range len(in.Desired) / 20 {
		i, j := rng.IntN(len(in.Desired)), rng.IntN(len(in.Desired))
		e := in.Desired[i]
		in.Desired = append(in.Desired[:i], in.Desired[i+1:]...)
		in.Desired = append(in.Desired[:j], append([]imagesync.Entry{e}, in.Desired[j:]...)...)
	}
	return in
}

// BenchmarkNewPlan plans large galleries on platforms with per-image moves
// (BigCommerce), batched reorders (Shoptet) and appending adds (3dcart).
func BenchmarkNewPlan(b *testing.B) {
	for _, p := range []profile{{"bigcommerce", shopimgtest.BigCommerceProfile, nil}, {"shoptet", shopimgtest.ShoptetProfile, nil}, {"threedcart", shopimgtest.ThreeDCartProfile, nil}} {
		for _, n := range []int{100, 1000} {
			for _, reverse := range []bool{false, true} {
				name := fmt.Sprintf("%s/%d", p.name, n)
				if reverse {
					name += "/reversed"
				}
				b.Run(name, func(b *testing.B) {
					in := bigInput(n, p.caps, reverse)
					var writes int
					b.ReportAllocs()
					for b.Loop() {
						plan, err := imagesync.NewPlan(in)
						if err != nil {
							b.Fatal(err)
						}
						writes = plan.Writes
					}
					b.ReportMetric(float64(writes), "writes/plan")
				})
			}
		}
	}
}

func BenchmarkLowerBound(b *testing.B) {
	in := bigInput(1000, shopimgtest.BigCommerceProfile, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := imagesync.LowerBound(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWritesVsMinimum syncs the same 300 random galleries (up to 20
// images each, with a random state and the default policy) onto fakes of
// each platform profile per iteration, and reports the writes made per
// LowerBound (writes/min, 1.00 when every sync is minimal) and, for
// comparison, what a straightforward sync makes on the same galleries
// (naive/min: delete what goes, append what is missing, one Reorder, one
// Update per alt change). On the BigCommerce and 3dcart fake servers (40
// galleries, through the adapters) it reports the write requests the
// server answered per LowerBound, and all requests (reads included) per
// sync.
//
//	go test -run '^$' -bench WritesVsMinimum -benchtime 1x ./imagesync/
func BenchmarkWritesVsMinimum(b *testing.B) {
	ctx := context.Background()
	for _, p := range profiles(false) {
		b.Run(p.name, func(b *testing.B) {
			var writes, naive, minimum int
			for b.Loop() {
				rng := rand.New(rand.NewPCG(11, 12))
				writes, naive, minimum = 0, 0, 0
				for range 300 {
					fake, plain := p.fake(), p.fake()
					sc := randomScenario(rng, fake, "p", 20)
					randomScenarioCopy(plain, sc)
					target := imagesync.Target{Platform: p.name, Images: fake}
					in := imagesync.Input{Ref: target.Ref("p"), Current: sc.current, State: sc.state, Desired: sc.desired, Caps: p.caps}
					bound, err := imagesync.LowerBound(in)
					if err != nil {
						b.Fatal(err)
					}
					store := imagesync.NewMemoryStore()
					if err := store.Save(ctx, in.Ref, imagesync.Change{Put: sc.state.Mappings}); err != nil {
						b.Fatal(err)
					}
					if _, err := (&imagesync.Syncer{Store: store}).Sync(ctx, target, "p", sc.desired); err != nil {
						b.Fatal(err)
					}
					naiveSync(plain, sc)
					writes += fake.Writes()
					naive += plain.Writes()
					minimum += bound
				}
			}
			b.ReportMetric(float64(writes)/float64(max(minimum, 1)), "writes/min")
			b.ReportMetric(float64(naive)/float64(max(minimum, 1)), "naive/min")
			b.ReportMetric(float64(minimum), "min-writes")
		})
	}
	for _, v := range endpoints[:2] {
		b.Run(v.name, func(b *testing.B) {
			const galleries = 40
			var writes, requests, minimum int
			for b.Loop() {
				rng := rand.New(rand.NewPCG(11, 13))
				writes, requests, minimum = 0, 0, 0
				for range galleries {
					ep := v.make(b)
					sc := randomScenarioWith(rng, seedThrough(b, ep.target, ep.product), 20)
					in := imagesync.Input{Ref: ep.target.Ref(ep.product), Current: sc.current, State: sc.state, Desired: sc.desired, Caps: ep.target.Images.Capabilities()}
					bound, err := imagesync.LowerBound(in)
					if err != nil {
						b.Fatal(err)
					}
					store := imagesync.NewMemoryStore()
					if err := store.Save(ctx, in.Ref, imagesync.Change{Put: sc.state.Mappings}); err != nil {
						b.Fatal(err)
					}
					w, r := ep.writes(), ep.requests()
					if _, err := (&imagesync.Syncer{Store: store}).Sync(ctx, ep.target, ep.product, sc.desired); err != nil {
						b.Fatal(err)
					}
					writes += ep.writes() - w
					requests += ep.requests() - r
					minimum += bound
				}
			}
			b.ReportMetric(float64(writes)/float64(max(minimum, 1)), "writes/min")
			b.ReportMetric(float64(minimum), "min-writes")
			b.ReportMetric(float64(requests)/galleries, "requests/sync")
		})
	}
}

// randomScenarioCopy seeds plain, a new fake of the same profile as the
// scenario's, with the scenario's gallery. The IDs come out the same
// (randomScenario's fake made them from the same sequence), and, as the
// fake made them, the images plain adds later get new ones: a Seed that
// kept the IDs would leave the sequence at 1, and later adds would reuse
// them.
func randomScenarioCopy(plain *shopimgtest.Fake, sc scenario) {
	imgs := slices.Clone(sc.current)
	for i := range imgs {
		imgs[i].ID = ""
	}
	got := plain.Seed("p", imgs...)
	for i := range got {
		if got[i].ID != sc.current[i].ID {
			panic("randomScenarioCopy: the fakes made different IDs")
		}
	}
}

// naiveSync is the straightforward sync BenchmarkWritesVsMinimum compares
// with: delete the managed images no longer desired, append the missing
// entries, reorder, then fix each alt text with its own update.
func naiveSync(f *shopimgtest.Fake, sc scenario) {
	ctx := context.Background()
	caps := f.Capabilities()
	idOf := map[string]string{}
	keyOf := map[string]string{}
	present := map[string]bool{}
	for _, img := range sc.current {
		present[img.ID] = true
	}
	for _, m := range sc.state.Mappings {
		if present[m.ImageID] {
			idOf[m.Key], keyOf[m.ImageID] = m.ImageID, m.Key
		}
	}
	wanted := map[string]imagesync.Entry{}
	for _, e := range sc.desired {
		wanted[e.Key] = e
	}
	for _, img := range sc.current {
		if k := keyOf[img.ID]; k != "" && wanted[k].Key == "" && caps.Delete {
			_ = f.Delete(ctx, "p", img.ID)
		}
	}
	for _, e := range sc.desired {
		if idOf[e.Key] == "" {
			if img, err := f.Add(ctx, "p", shopimg.NewImage{SourceURL: e.SourceURL, File: e.File, Alt: e.Alt}); err == nil {
				idOf[e.Key] = img.ID
			}
		}
	}
	if caps.Reorder {
		imgs, _ := f.List(ctx, "p")
		var order []string
		seen := map[string]bool{}
		for _, e := range sc.desired {
			if id := idOf[e.Key]; id != "" {
				order, seen[id] = append(order, id), true
			}
		}
		for _, img := range imgs {
			if !seen[img.ID] {
				order = append(order, img.ID)
			}
		}
		_ = f.Reorder(ctx, "p", order)
	}
	imgs, _ := f.List(ctx, "p")
	for _, img := range imgs {
		if e, ok := wanted[keyOf[img.ID]]; ok && caps.Update && img.Alt != e.Alt {
			_, _ = f.Update(ctx, "p", img.ID, shopimg.ImageUpdate{Alt: new(e.Alt)})
		}
	}
}
