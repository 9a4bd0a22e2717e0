package shoptet_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

// writeRequests counts the write requests of one product the fake
// received: every platform write call the adapter made (none fails in the
// tests that count them).
func writeRequests(srv *shoptettest.Server, guid string) int {
	prefix := shoptettest.ImagesPath(guid, "shop") + "*"
	return srv.Recorder().Count(http.MethodPost, prefix) + srv.Recorder().Count(http.MethodPatch, prefix) + srv.Recorder().Count(http.MethodDelete, prefix)
}

var syncAlts = []string{"", "red", "blue", "side view"}

// syncScenario is a random gallery on the fake, what the store knows of
// it, and a desired gallery.
type syncScenario struct {
	guid    string
	current []shopimg.Image
	state   imagesync.State
	desired []imagesync.Entry
	policy  imagesync.Policy
	packed  bool // priorities 1, 2, 3, ...: no room to add between two
}

// randomSync seeds a product with up to maxImages images (spaced
// priorities, as the adapter writes them, or, one time in five, packed
// 1, 2, 3) and draws a desired gallery over mapped and new keys.
func randomSync(t *testing.T, rng *rand.Rand, f *fixture, maxImages int) syncScenario {
	t.Helper()
	n := rng.IntN(maxImages + 1)
	packed := rng.IntN(5) == 0
	seed := make([]shoptettest.Image, n)
	for i := range seed {
		p := (i + 1) * 1024
		if packed {
			p = i + 1
		}
		seed[i] = shoptettest.Image{Name: fmt.Sprintf("s%d.jpg", i), Priority: new(p), Description: new(syncAlts[rng.IntN(len(syncAlts))])}
	}
	sc := syncScenario{guid: f.srv.AddProduct(seed...), packed: packed}
	var err error
	if sc.current, err = f.client.ProductImages().List(ctx, sc.guid); err != nil {
		t.Fatal(err)
	}
	keys := rng.Perm(maxImages + 4)
	next := 0
	for _, img := range sc.current {
		if rng.IntN(10) < 6 {
			sc.state.Mappings = append(sc.state.Mappings, imagesync.Mapping{Key: fmt.Sprintf("k%d", keys[next]), ImageID: img.ID, Created: rng.IntN(10) < 7})
			next++
		}
	}
	urls := rng.Perm(4 * (maxImages + 4))
	for i, k := range rng.Perm(maxImages + 4)[:rng.IntN(maxImages+1)] {
		sc.desired = append(sc.desired, imagesync.Entry{Key: fmt.Sprintf("k%d", k), SourceURL: fmt.Sprintf("https://pim.example.com/u%d.jpg", urls[i]), Alt: syncAlts[rng.IntN(len(syncAlts))]})
	}
	sc.policy = imagesync.Policy{Delete: imagesync.DeletePolicy(rng.IntN(3)), AdoptExisting: rng.IntN(2) == 0}
	return sc
}

// TestSyncWritesTheLowerBound syncs random desired galleries onto the fake
// through the adapter, under several readings of the docs: the write
// requests that reached the server equal imagesync.LowerBound (the plan's
// count), and a second sync has nothing to do. One gallery in five starts
// with packed priorities (1, 2, 3, as a gallery arranged in Shoptet's
// administration may have): there an add between two images has no
// priority to take, and the first such add of a sync costs one PATCH more
// (it renumbers the gallery with gaps, which later adds use).
func TestSyncWritesTheLowerBound(t *testing.T) {
	t.Parallel()
	n := 150
	if testing.Short() || raceEnabled {
		n = 40
	}
	for name, opts := range map[string][]shoptettest.Option{
		"default":        nil,
		"names-from-url": {shoptettest.WithNaming(shoptettest.NameFromURL), shoptettest.WithPatchAnswer(shoptettest.PatchGallery)},
		"slow-jobs":      {shoptettest.WithJobTiming(shoptettest.JobTiming{Polls: 3}), shoptettest.WithMainRule(shoptettest.MainFirstAdded)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, append([]shoptettest.Option{shoptettest.WithoutBucket()}, opts...))
			target := imagesync.Target{Platform: "shoptet", Store: "fake", Images: f.client.ProductImages()}
			caps := target.Images.Capabilities()
			rng := rand.New(rand.NewPCG(7, uint64(len(name))))
			writes, bounds, packed, extra := 0, 0, 0, 0
			for i := range n {
				maxImages := 8
				if i%10 == 0 {
					maxImages = 24
				}
				sc := randomSync(t, rng, f, maxImages)
				ref := target.Ref(sc.guid)
				store := imagesync.NewMemoryStore()
				if err := store.Save(ctx, ref, imagesync.Change{Put: sc.state.Mappings}); err != nil {
					t.Fatal(err)
				}
				bound, err := imagesync.LowerBound(imagesync.Input{Ref: ref, Current: sc.current, State: sc.state, Desired: sc.desired, Caps: caps, Policy: sc.policy})
				if err != nil {
					t.Fatal(err)
				}
				s := &imagesync.Syncer{Store: store, Policy: sc.policy}
				res, err := s.Sync(ctx, target, sc.guid, sc.desired)
				if err != nil {
					t.Fatalf("case %d: %v\n%s", i, err, res.Plan)
				}
				got := writeRequests(f.srv, sc.guid)
				allowed := bound
				if sc.packed {
					allowed++
					packed++
				}
				if got < bound || got > allowed || res.Plan.Writes != bound {
					t.Fatalf("case %d (packed %v): %d write requests, plan %d, LowerBound %d\n%s", i, sc.packed, got, res.Plan.Writes, bound, res.Plan)
				}
				extra += got - bound
				writes, bounds = writes+got, bounds+bound
				again, err := s.Plan(ctx, target, sc.guid, sc.desired)
				if err != nil || !again.InSync() {
					t.Fatalf("case %d: not in sync after the sync: %v\n%s\nthen\n%s", i, err, res.Plan, again)
				}
			}
			t.Logf("%s: %d random syncs: %d write requests, LowerBound %d; %d galleries packed, %d extra PATCH among them", name, n, writes, bounds, packed, extra)
		})
	}
}

// endpoint is one side of a mirror: an adapter, an empty product and its
// write count.
type endpoint struct {
	target  imagesync.Target
	product string
	writes  func() int
}

func shoptetEndpoint(t *testing.T) endpoint {
	f := newFixture(t, nil)
	guid := f.srv.AddProduct()
	return endpoint{imagesync.Target{Platform: "shoptet", Store: "fake", Images: f.client.ProductImages()}, guid, func() int { return writeRequests(f.srv, guid) }}
}

func bigcommerceEndpoint(t *testing.T) endpoint {
	f := newFixture(t, nil) // for its clock
	srv := bigcommercetest.NewServer(bigcommercetest.WithClock(f.clock))
	t.Cleanup(srv.Close)
	srv.AddProduct(111)
	c, err := srv.NewClient(bigcommerce.WithClock(f.clock))
	if err != nil {
		t.Fatal(err)
	}
	writes := func() int {
		n := 0
		for _, r := range srv.Recorder().Requests() {
			if r.Method != http.MethodGet && r.Status >= 200 && r.Status < 300 {
				n++
			}
		}
		return n
	}
	return endpoint{imagesync.Target{Platform: "bigcommerce", Store: srv.StoreHash(), Images: c.ProductImages()}, "111", writes}
}

// TestMirrorWithBigCommerce mirrors an eight-image gallery from the
// BigCommerce fake to the Shoptet fake and back, then changes the source
// (order, alt, a delete, an add) and mirrors again: each time the target
// receives exactly the plan's writes (LowerBound) and a second pass has
// nothing to do.
func TestMirrorWithBigCommerce(t *testing.T) {
	t.Parallel()
	for name, ends := range map[string][2]func(*testing.T) endpoint{
		"bigcommerce->shoptet": {bigcommerceEndpoint, shoptetEndpoint},
		"shoptet->bigcommerce": {shoptetEndpoint, bigcommerceEndpoint},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, dst := ends[0](t), ends[1](t)
			for i := range 8 {
				if _, err := src.target.Images.Add(ctx, src.product, shopimg.NewImage{SourceURL: fmt.Sprintf("https://pim.example.com/shoe-%d.jpg", i), Alt: fmt.Sprintf("Shoe, view %d", i)}); err != nil {
					t.Fatal(err)
				}
			}
			s := &imagesync.Syncer{Store: imagesync.NewMemoryStore(), Policy: imagesync.Policy{Delete: imagesync.MirrorExact}}
			mirror(t, s, src, dst)
			imgs, err := src.target.Images.List(ctx, src.product)
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(imgs))
			for i, img := range imgs {
				ids[i] = img.ID
			}
			if err := src.target.Images.Reorder(ctx, src.product, append(ids[7:], ids[:7]...)); err != nil {
				t.Fatal(err)
			}
			if _, err := src.target.Images.Update(ctx, src.product, ids[2], shopimg.ImageUpdate{Alt: new("Shoe, from above")}); err != nil {
				t.Fatal(err)
			}
			if err := src.target.Images.Delete(ctx, src.product, ids[4]); err != nil {
				t.Fatal(err)
			}
			if _, err := src.target.Images.Add(ctx, src.product, shopimg.NewImage{SourceURL: "https://pim.example.com/box.jpg", Alt: "Box"}); err != nil {
				t.Fatal(err)
			}
			mirror(t, s, src, dst)
		})
	}
}

func mirror(t *testing.T, s *imagesync.Syncer, src, dst endpoint) {
	t.Helper()
	desired, err := imagesync.Mirror(ctx, src.target, src.product)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Plan(ctx, dst.target, dst.product, desired)
	if err != nil {
		t.Fatal(err)
	}
	before := dst.writes()
	if _, err := s.Apply(ctx, dst.target, p); err != nil {
		t.Fatalf("%v\n%s", err, p)
	}
	if got := dst.writes() - before; got != p.Writes {
		t.Errorf("the target received %d writes, the plan (= LowerBound) %d\n%s", got, p.Writes, p)
	}
	again, err := s.Plan(ctx, dst.target, dst.product, desired)
	if err != nil || !again.InSync() {
		t.Fatalf("not in sync after the mirror: %v\n%s", err, again)
	}
	got, _ := dst.target.Images.List(ctx, dst.product)
	var have, want []string
	for _, img := range got {
		have = append(have, img.Alt)
	}
	for _, e := range desired {
		want = append(want, e.Alt)
	}
	if strings.Join(have, "|") != strings.Join(want, "|") {
		t.Errorf("target alts %q, want %q", have, want)
	}
}

// crashSync is the crash scenario: a product with six images, four of
// them known (two to delete), and a desired gallery that keeps two with
// new alt texts, moves them, and adds six.
func crashSync(t *testing.T, f *fixture) syncScenario {
	t.Helper()
	seed := make([]shoptettest.Image, 6)
	for i := range seed {
		seed[i] = shoptettest.Image{Name: fmt.Sprintf("old%d.jpg", i), Priority: new((i + 1) * 1024), Description: new(fmt.Sprintf("old %d", i))}
	}
	sc := syncScenario{guid: f.srv.AddProduct(seed...), policy: imagesync.Policy{Delete: imagesync.DeleteCreated}}
	for i, k := range []string{"keep0", "keep1", "gone2", "gone3"} {
		sc.state.Mappings = append(sc.state.Mappings, imagesync.Mapping{Key: k, ImageID: fmt.Sprintf("old%d.jpg", i), Created: true})
	}
	for i := range 6 {
		sc.desired = append(sc.desired, imagesync.Entry{Key: fmt.Sprintf("new%d", i), SourceURL: fmt.Sprintf("https://pim.example.com/new/%d.jpg", i), Alt: fmt.Sprintf("new %d", i)})
		if i == 2 {
			sc.desired = append(sc.desired, imagesync.Entry{Key: "keep1", Alt: "kept, first"}, imagesync.Entry{Key: "keep0", Alt: "kept, second"})
		}
	}
	return sc
}

// TestCrashRecovery interrupts a sync at each of its write requests in
// turn, by a fault of the fake at that request: the request is carried out
// but its connection dropped before the answer (an add's job is queued,
// and completes a moment later), or it fails with a 500 before anything
// happens. A second sync, later, with a new client and the same state,
// reaches the desired gallery, and no image is added twice.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	jobs := []shoptettest.Option{shoptettest.WithJobTiming(shoptettest.JobTiming{Polls: 1, After: 2 * time.Second})}
	clean := newFixture(t, jobs)
	sc := crashSync(t, clean)
	target := imagesync.Target{Platform: "shoptet", Store: "fake", Images: clean.client.ProductImages()}
	store := imagesync.NewMemoryStore()
	if err := store.Save(ctx, target.Ref(sc.guid), imagesync.Change{Put: sc.state.Mappings}); err != nil {
		t.Fatal(err)
	}
	res, err := (&imagesync.Syncer{Store: store, Policy: sc.policy}).Sync(ctx, target, sc.guid, sc.desired)
	if err != nil {
		t.Fatalf("clean sync: %v\n%s", err, res.Plan)
	}
	type write struct{ method, path string }
	var writes []write
	for _, r := range clean.srv.Recorder().Requests() {
		if r.Method != http.MethodGet {
			writes = append(writes, write{r.Method, r.Path})
		}
	}
	adds := clean.srv.Created()
	cleanPath := shoptettest.ImagesPath(sc.guid, "shop")
	if len(writes) < 8 {
		t.Fatalf("clean sync: %d writes", len(writes))
	}
	for k, w := range writes {
		for _, fault := range []string{"after-apply-drop", "500-before"} {
			t.Run(fmt.Sprintf("%d-%s-%s", k, w.method, fault), func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, jobs)
				sc := crashSync(t, f)
				guidPath := func(p string) string {
					return strings.Replace(p, cleanPath, shoptettest.ImagesPath(sc.guid, "shop"), 1)
				}
				path := guidPath(w.path)
				same := 0
				for _, e := range writes[:k] {
					if e.method == w.method && guidPath(e.path) == path {
						same++
					}
				}
				if same > 0 {
					f.srv.Faults().Add(shoptettest.Fault{Method: w.method, Path: path, Times: same}) // pass through
				}
				ft := shoptettest.Fault{Method: w.method, Path: path, Status: http.StatusInternalServerError, Times: 5}
				if fault == "after-apply-drop" {
					ft = shoptettest.Fault{Method: w.method, Path: path, AfterApply: true, Drop: true}
				}
				f.srv.Faults().Add(ft)
				target := imagesync.Target{Platform: "shoptet", Store: "fake", Images: f.client.ProductImages()}
				store := imagesync.NewMemoryStore()
				if err := store.Save(ctx, target.Ref(sc.guid), imagesync.Change{Put: sc.state.Mappings}); err != nil {
					t.Fatal(err)
				}
				s := &imagesync.Syncer{Store: store, Policy: sc.policy, Clock: f.clock}
				first, _ := s.Sync(ctx, target, sc.guid, sc.desired)
				if w.method == http.MethodPost && fault == "after-apply-drop" && !errors.Is(first.Err, shopimg.ErrOutcomeUnknown) {
					t.Errorf("the dropped add: %v, want an outcome-unknown error", first.Err)
				}
				f.srv.Faults().Clear()
				// Later: past the time a queued job may still run (before
				// it, the interrupted add is held back as drift).
				f.clock.Advance(imagesync.DefaultAsyncAddWindow)
				c, err := f.srv.NewClient()
				if err != nil {
					t.Fatal(err)
				}
				target.Images = c.ProductImages()
				second, err := s.Sync(ctx, target, sc.guid, sc.desired)
				if err != nil {
					t.Fatalf("recovery: %v\n%s", err, second.Plan)
				}
				if again, err := s.Plan(ctx, target, sc.guid, sc.desired); err != nil || !again.InSync() {
					t.Errorf("not in sync after the recovery: %v\n%s", err, again)
				}
				if got := f.srv.Created(); got != adds {
					t.Errorf("%d images added, a clean sync adds %d\nfirst:\n%s\nsecond:\n%s", got, adds, first.Plan, second.Plan)
				}
			})
		}
	}
}
