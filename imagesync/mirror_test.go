package imagesync_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// endpoint is a platform to mirror from or to: a target with one empty
// product, and a count of the platform write calls made so far (requests
// answered 2xx, for the vendor fakes; Fake.Writes for the in-memory one).
type endpoint struct {
	target  imagesync.Target
	product string
	writes  func() int
	// requests counts every request the vendor fake server received (nil
	// for the in-memory fakes).
	requests func() int
}

type endpointMaker struct {
	name string
	make func(t testing.TB) endpoint
}

// serverWrites counts the write requests a vendor fake server answered
// with a 2xx (both fakes record the same RecordedRequest type).
func serverWrites(requests func() []bigcommercetest.RecordedRequest) func() int {
	return func() int {
		n := 0
		for _, r := range requests() {
			switch r.Method {
			case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
				if r.Status >= 200 && r.Status < 300 {
					n++
				}
			}
		}
		return n
	}
}

func fakeClock() *shopimgtest.Clock {
	return shopimgtest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
}

var endpoints = []endpointMaker{
	{"bigcommerce-fake-server", func(t testing.TB) endpoint {
		clock := fakeClock()
		srv := bigcommercetest.NewServer(bigcommercetest.WithClock(clock))
		t.Cleanup(srv.Close)
		srv.AddProduct(111)
		c, err := srv.NewClient(bigcommerce.WithClock(clock))
		if err != nil {
			t.Fatal(err)
		}
		return endpoint{imagesync.Target{Platform: "bigcommerce", Store: srv.StoreHash(), Images: c.ProductImages()}, "111", serverWrites(srv.Recorder().Requests), func() int { return srv.Recorder().Count("", "") }}
	}},
	{"threedcart-fake-server", func(t testing.TB) endpoint {
		clock := fakeClock()
		srv := threedcarttest.NewServer(threedcarttest.WithClock(clock))
		t.Cleanup(srv.Close)
		srv.AddProduct(9)
		c, err := srv.NewClient(threedcart.WithClock(clock))
		if err != nil {
			t.Fatal(err)
		}
		return endpoint{imagesync.Target{Platform: "threedcart", Store: srv.Credentials().SecureURL, Images: c.ProductImages()}, "9", serverWrites(srv.Recorder().Requests), func() int { return srv.Recorder().Count("", "") }}
	}},
}

func init() {
	for _, p := range profiles(false) {
		endpoints = append(endpoints, endpointMaker{"fake-" + p.name, func(t testing.TB) endpoint {
			f := p.fake()
			f.AddProduct("p")
			return endpoint{imagesync.Target{Platform: p.name, Store: "fake", Images: f}, "p", f.Writes, nil}
		}})
	}
}

// sourceGallery fills a product of src with eight images through the
// common interface.
func sourceGallery(t *testing.T, src endpoint) {
	t.Helper()
	for i := range 8 {
		_, err := src.target.Images.Add(context.Background(), src.product, shopimg.NewImage{
			SourceURL: fmt.Sprintf("https://pim.example.com/catalog/shoe-%d.jpg", i), Alt: fmt.Sprintf("Shoe, view %d", i)})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestMirror mirrors a gallery from every platform (vendor fake servers and
// in-memory fakes of every profile) to every other, then changes the source
// (order, alt text, one image gone, one new) and mirrors again. Each time
// the target must end up like the source except for the reported drift, a
// second sync must have nothing to do, and the write calls the platform
// received must equal LowerBound.
func TestMirror(t *testing.T) {
	t.Parallel()
	for _, from := range endpoints {
		for _, to := range endpoints {
			if from.name == to.name {
				continue
			}
			t.Run(from.name+"->"+to.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				src, dst := from.make(t), to.make(t)
				sourceGallery(t, src)
				s := &imagesync.Syncer{Store: imagesync.NewMemoryStore(), Policy: imagesync.Policy{Delete: imagesync.MirrorExact}}
				mirrorOnce(t, s, src, dst)

				imgs, err := src.target.Images.List(ctx, src.product)
				if err != nil {
					t.Fatal(err)
				}
				caps := src.target.Images.Capabilities()
				if caps.Reorder {
					ids := make([]string, len(imgs))
					for i, img := range imgs {
						ids[i] = img.ID
					}
					ids = append(ids[len(ids)-1:], ids[:len(ids)-1]...)
					if err := src.target.Images.Reorder(ctx, src.product, ids); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := src.target.Images.Update(ctx, src.product, imgs[2].ID, shopimg.ImageUpdate{Alt: new("Shoe, from above")}); err != nil {
					t.Fatal(err)
				}
				if caps.Delete {
					if err := src.target.Images.Delete(ctx, src.product, imgs[4].ID); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := src.target.Images.Add(ctx, src.product, shopimg.NewImage{SourceURL: "https://pim.example.com/catalog/box.jpg", Alt: "Box"}); err != nil {
					t.Fatal(err)
				}
				mirrorOnce(t, s, src, dst)
			})
		}
	}
}

func mirrorOnce(t *testing.T, s *imagesync.Syncer, src, dst endpoint) {
	t.Helper()
	ctx := context.Background()
	desired, err := imagesync.Mirror(ctx, src.target, src.product)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Plan(ctx, dst.target, dst.product, desired)
	if err != nil {
		t.Fatal(err)
	}
	before := dst.writes()
	res, err := s.Apply(ctx, dst.target, p)
	if err != nil {
		t.Fatalf("%v\n%s", err, p)
	}
	if got := dst.writes() - before; got != p.Writes || res.Writes != p.Writes {
		t.Errorf("the platform received %d writes (result %d), the plan (= LowerBound) %d\n%s", got, res.Writes, p.Writes, p)
	}
	again, err := s.Plan(ctx, dst.target, dst.product, desired)
	if err != nil {
		t.Fatal(err)
	}
	if !again.InSync() {
		t.Fatalf("not in sync after the mirror:\n%s\nthen:\n%s", p, again)
	}
	// The target has the source's alt texts, in the source's order where
	// it can be ordered, apart from the drift.
	got, err := dst.target.Images.List(ctx, dst.product)
	if err != nil {
		t.Fatal(err)
	}
	var want, have []string
	for _, e := range desired {
		if !slices.ContainsFunc(res.Drift, func(d imagesync.Drift) bool { return d.Ref.Key == e.Key }) {
			want = append(want, e.Alt)
		}
	}
	for _, img := range got {
		if !slices.ContainsFunc(res.Drift, func(d imagesync.Drift) bool { return d.What == imagesync.DriftDelete && d.Ref.ImageID == img.ID }) {
			have = append(have, img.Alt)
		}
	}
	if !dst.target.Images.Capabilities().Reorder {
		slices.Sort(want)
		slices.Sort(have)
	}
	if !slices.Equal(have, want) {
		t.Errorf("target alt texts %q, want %q\n%s", have, want, p)
	}
}

// TestRecoverOnBigCommerce drops the connection after BigCommerce made an
// image (the client sees an outcome-unknown error), then syncs again: the
// new image is found by its file name and alt text, although BigCommerce
// serves it from its own CDN URL, and is not added twice.
func TestRecoverOnBigCommerce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := fakeClock()
	srv := bigcommercetest.NewServer(bigcommercetest.WithClock(clock))
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(bigcommerce.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	target := imagesync.Target{Platform: "bigcommerce", Store: srv.StoreHash(), Images: c.ProductImages()}
	var desired []imagesync.Entry
	for i := range 6 {
		desired = append(desired, imagesync.Entry{Key: fmt.Sprintf("sku-1/%d", i), SourceURL: fmt.Sprintf("https://pim.example.com/sku-1/view-%d.jpg", i), Alt: fmt.Sprintf("View %d", i)})
	}
	desired[3].SourceURL, desired[3].File = "", shopimg.FileFromBytes("detail.png", []byte("\x89PNG fake"))
	for _, k := range []int{0, 3, 5} { // a URL add, a file upload, the last one
		srv.Faults().Clear()
		product := int64(200 + k)
		srv.AddProduct(product)
		pid := fmt.Sprint(product)
		s := &imagesync.Syncer{Store: imagesync.NewMemoryStore()}
		if _, err := s.Sync(ctx, target, pid, desired[:k]); err != nil {
			t.Fatal(err)
		}
		srv.Faults().Add(bigcommercetest.Fault{Method: http.MethodPost, Path: srv.ImagesPath(product), AfterApply: true, Drop: true})
		if _, err := s.Sync(ctx, target, pid, desired); !errors.Is(err, shopimg.ErrOutcomeUnknown) {
			t.Fatalf("add %d: %v, want an outcome-unknown error from a dropped connection", k, err)
		}
		res, err := s.Sync(ctx, target, pid, desired)
		if err != nil {
			t.Fatalf("add %d: recovery: %v", k, err)
		}
		if res.Done[0].Kind != imagesync.OpAdopt {
			t.Errorf("add %d: recovery did not adopt first:\n%s", k, res.Plan)
		}
		imgs, _ := srv.Images(product)
		if posts := srv.Recorder().Count(http.MethodPost, srv.ImagesPath(product)); len(imgs) != len(desired) || posts != len(desired) {
			t.Errorf("add %d: %d images, %d POSTs; want %d of each\n%s", k, len(imgs), posts, len(desired), res.Plan)
		}
		if again, _ := s.Plan(ctx, target, pid, desired); !again.InSync() {
			t.Errorf("add %d: not in sync:\n%s", k, again)
		}
	}
}

// TestRandomOnVendorServers runs random scenarios against the vendor fake
// servers, through their adapters: the gallery ends as desired except the
// drift, the server receives exactly LowerBound write requests, never more
// (the adapters cost what the common model counts, BigCommerce's flagged
// main image included) and never fewer (LowerBound is the minimum), and a
// second sync has nothing to do.
func TestRandomOnVendorServers(t *testing.T) {
	t.Parallel()
	var writes, bounds [2]int
	t.Cleanup(func() {
		t.Logf("write requests vs LowerBound: %d vs %d (BigCommerce), %d vs %d (3dcart)", writes[0], bounds[0], writes[1], bounds[1])
	})
	for vi, vendor := range endpoints[:2] {
		t.Run(vendor.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(uint64(vi), *seed))
			n := 40 / raceScale
			if testing.Short() {
				n = 5
			}
			for i := range n {
				ctx := context.Background()
				ep := vendor.make(t)
				caps := ep.target.Images.Capabilities()
				sc := randomScenarioWith(rng, seedThrough(t, ep.target, ep.product), 8)
				sc.rewritesURLs = true
				store := storeWith(t, ep.target.Ref(ep.product), sc.state)
				s := &imagesync.Syncer{Store: store, Policy: sc.policy}
				before := ep.writes()
				res, err := s.Sync(ctx, ep.target, ep.product, sc.desired)
				if err != nil {
					t.Fatalf("case %d: %v\n%s", i, err, describe(sc, caps))
				}
				got := ep.writes() - before
				if got != res.Plan.Writes {
					t.Fatalf("case %d: %d write requests, LowerBound %d\n%s\n%s", i, got, res.Plan.Writes, describe(sc, caps), res.Plan)
				}
				writes[vi] += got
				bounds[vi] += res.Plan.Writes
				final, err := ep.target.Images.List(ctx, ep.product)
				if err != nil {
					t.Fatal(err)
				}
				st, _ := store.Load(ctx, ep.target.Ref(ep.product))
				if err := checkOutcome(sc, caps, final, st, res.Drift); err != nil {
					t.Fatalf("case %d:\n%s\n%s\n%v", i, describe(sc, caps), res.Plan, err)
				}
				if again, err := s.Plan(ctx, ep.target, ep.product, sc.desired); err != nil || !again.InSync() {
					t.Fatalf("case %d: second plan %v:\n%s", i, err, again)
				}
			}
		})
	}
}

// seedThrough returns a seed func for randomScenarioWith that adds the
// images to product pid of target through its adapter.
func seedThrough(t testing.TB, target imagesync.Target, pid string) func([]shopimg.Image) []shopimg.Image {
	return func(imgs []shopimg.Image) []shopimg.Image {
		t.Helper()
		ctx := context.Background()
		for _, img := range imgs {
			if _, err := target.Images.Add(ctx, pid, shopimg.NewImage{SourceURL: img.URL, Alt: img.Alt}); err != nil {
				t.Fatal(err)
			}
		}
		listed, err := target.Images.List(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		return listed
	}
}
