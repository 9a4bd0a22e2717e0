package finerworks_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// isWrite reports whether a request to the FinerWorks fake changes the
// library (list_images is a POST, but a read).
func isWrite(method, path string) bool {
	switch path {
	case finerworkstest.AddImagesPath, finerworkstest.UpdateImagesPath, finerworkstest.DeleteImagesPath:
		return method != http.MethodGet
	}
	return false
}

// writes counts the write requests the fake answered 2xx.
func writes(srv *finerworkstest.Server) int {
	n := 0
	for _, r := range srv.Recorder().Requests() {
		if isWrite(r.Method, r.Path) && r.Status >= 200 && r.Status < 300 {
			n++
		}
	}
	return n
}

// libraryTarget is the imagesync target of f's adapter.
func libraryTarget(f *fixture) imagesync.Target {
	return imagesync.Target{Platform: "finerworks", Store: "fake", Images: f.client.ProductImages()}
}

var alts = []string{"", "red", "blue", "side view"}

// randomSync seeds the inventory library with a random gallery, a random
// state and desired gallery, and returns what LowerBound needs.
func randomSync(t *testing.T, rng *rand.Rand, f *fixture, maxImages int) imagesync.Input {
	t.Helper()
	urls := 2*maxImages + 2
	url := func() string { return fmt.Sprintf("https://pim.example.com/assets/u%d.jpg", rng.IntN(urls)) }
	seed := make([]finerworkstest.Image, rng.IntN(maxImages+1))
	for i := range seed {
		u := url()
		seed[i] = finerworkstest.Image{PrivateHiresURI: u, PublicPreviewURI: u, FileName: u[strings.LastIndexByte(u, '/')+1:], Title: alts[rng.IntN(len(alts))]}
	}
	f.srv.SetImages(finerworkstest.Inventory, seed...)
	target := libraryTarget(f)
	current, err := target.Images.List(ctx, "inventory")
	if err != nil {
		t.Fatal(err)
	}
	in := imagesync.Input{Ref: target.Ref("inventory"), Current: current, Caps: target.Images.Capabilities()}
	keys := rng.Perm(maxImages + 4)
	mapped := map[string]string{}
	for i, img := range current {
		if rng.IntN(10) < 6 {
			k := fmt.Sprintf("k%d", keys[i])
			in.State.Mappings = append(in.State.Mappings, imagesync.Mapping{Key: k, ImageID: img.ID, Created: rng.IntN(10) < 7})
			mapped[k] = img.URL
		}
	}
	for _, k := range rng.Perm(maxImages + 4)[:rng.IntN(maxImages+1)] {
		key := fmt.Sprintf("k%d", k)
		e := imagesync.Entry{Key: key, Alt: alts[rng.IntN(len(alts))]}
		switch r := rng.IntN(100); {
		case r < 3: // no source
		case r < 12:
			e.File = shopimg.FileFromBytes(key+".png", []byte(key))
		case mapped[key] != "" && r < 60:
			e.SourceURL = mapped[key]
		default:
			e.SourceURL = url()
		}
		in.Desired = append(in.Desired, e)
	}
	in.Policy = imagesync.Policy{Delete: imagesync.DeletePolicy(rng.IntN(3)), AdoptExisting: rng.IntN(2) == 0}
	return in
}

// TestSyncWritesAreTheLowerBound syncs random desired galleries onto the
// fake server and checks that the write requests it received equal
// imagesync.LowerBound (and the plan's count), and that a second sync has
// nothing left to do.
func TestSyncWritesAreTheLowerBound(t *testing.T) {
	t.Parallel()
	n := 300 / raceScale
	if testing.Short() {
		n /= 10
	}
	f := newFixture(t, finerworkstest.WithMaxUpdateImages(5))
	rng := rand.New(rand.NewPCG(13, 1))
	total := 0
	for i := range n {
		maxImages := 6
		if i%10 == 0 {
			maxImages = 16
		}
		in := randomSync(t, rng, f, maxImages)
		bound, err := imagesync.LowerBound(in)
		if err != nil {
			t.Fatal(err)
		}
		store := imagesync.NewMemoryStore()
		if err := store.Save(ctx, in.Ref, imagesync.Change{Put: in.State.Mappings}); err != nil {
			t.Fatal(err)
		}
		f.srv.Recorder().Reset()
		s := &imagesync.Syncer{Store: store, Policy: in.Policy}
		res, err := s.Sync(ctx, libraryTarget(f), "inventory", in.Desired)
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, res.Plan)
		}
		if got := writes(f.srv); got != bound || res.Writes != bound || res.Plan.Writes != bound {
			t.Fatalf("case %d: the server received %d writes, result %d, plan %d, LowerBound %d\n%s", i, got, res.Writes, res.Plan.Writes, bound, res.Plan)
		}
		again, err := s.Plan(ctx, libraryTarget(f), "inventory", in.Desired)
		if err != nil || !again.InSync() {
			t.Fatalf("case %d: not in sync after the sync (%v):\n%s", i, err, again)
		}
		total += bound
	}
	t.Logf("%d random syncs: %d write requests, each sync exactly LowerBound", n, total)
}

// endpoint is a product on a vendor fake server, for mirroring.
type endpoint struct {
	target  imagesync.Target
	product string
	writes  func() int
}

// okWrites counts the POST, PUT, PATCH and DELETE requests of a
// BigCommerce or 3dcart fake answered 2xx.
func okWrites(reqs func() []bigcommercetest.RecordedRequest) func() int {
	return func() int {
		n := 0
		for _, r := range reqs() {
			if r.Method != http.MethodGet && r.Status >= 200 && r.Status < 300 {
				n++
			}
		}
		return n
	}
}

var endpoints = map[string]func(t *testing.T) endpoint{
	"finerworks": func(t *testing.T) endpoint {
		f := newFixture(t)
		return endpoint{libraryTarget(f), "inventory", func() int { return writes(f.srv) }}
	},
	"bigcommerce": func(t *testing.T) endpoint {
		srv := bigcommercetest.NewServer(bigcommercetest.WithClock(newFixture(t).clock))
		t.Cleanup(srv.Close)
		srv.AddProduct(111)
		c, err := srv.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		return endpoint{imagesync.Target{Platform: "bigcommerce", Store: srv.StoreHash(), Images: c.ProductImages()}, "111", okWrites(srv.Recorder().Requests)}
	},
	"threedcart": func(t *testing.T) endpoint {
		srv := threedcarttest.NewServer(threedcarttest.WithClock(newFixture(t).clock))
		t.Cleanup(srv.Close)
		srv.AddProduct(9)
		c, err := srv.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		return endpoint{imagesync.Target{Platform: "threedcart", Store: "demo", Images: c.ProductImages()}, "9", okWrites(srv.Recorder().Requests)}
	},
}

// TestMirror mirrors a gallery from FinerWorks to BigCommerce and 3dcart
// and back, then changes the source (an alt text, one image gone where the
// platform deletes, one new, the order where it has one) and mirrors
// again: each time the writes the target received equal the plan's
// (LowerBound), a second mirror has nothing to do, and the target holds the
// source's alt texts (in its order where the target has one).
func TestMirror(t *testing.T) {
	t.Parallel()
	for _, pair := range [][2]string{{"finerworks", "bigcommerce"}, {"bigcommerce", "finerworks"}, {"finerworks", "threedcart"}, {"threedcart", "finerworks"}} {
		t.Run(pair[0]+"->"+pair[1], func(t *testing.T) {
			t.Parallel()
			src, dst := endpoints[pair[0]](t), endpoints[pair[1]](t)
			for i := range 8 {
				_, err := src.target.Images.Add(ctx, src.product, shopimg.NewImage{SourceURL: fmt.Sprintf("https://pim.example.com/catalog/print-%d.jpg", i), Alt: fmt.Sprint("Print ", i)})
				if err != nil {
					t.Fatal(err)
				}
			}
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
					ids[(i+1)%len(ids)] = img.ID
				}
				if err := src.target.Images.Reorder(ctx, src.product, ids); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := src.target.Images.Update(ctx, src.product, imgs[2].ID, shopimg.ImageUpdate{Alt: new("Print, framed")}); err != nil {
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

func mirrorOnce(t *testing.T, s *imagesync.Syncer, src, dst endpoint) {
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
	res, err := s.Apply(ctx, dst.target, p)
	if err != nil {
		t.Fatalf("%v\n%s", err, p)
	}
	if got := dst.writes() - before; got != p.Writes || res.Writes != p.Writes {
		t.Errorf("the target received %d writes (result %d), the plan %d\n%s", got, res.Writes, p.Writes, p)
	}
	if again, err := s.Plan(ctx, dst.target, dst.product, desired); err != nil || !again.InSync() {
		t.Fatalf("not in sync after the mirror (%v):\n%s", err, again)
	}
	got, err := dst.target.Images.List(ctx, dst.product)
	if err != nil {
		t.Fatal(err)
	}
	var want, have []string
	for _, e := range desired {
		want = append(want, e.Alt)
	}
	for _, img := range got {
		if !slices.ContainsFunc(res.Drift, func(d imagesync.Drift) bool { return d.What == imagesync.DriftDelete && d.Ref.ImageID == img.ID }) {
			have = append(have, img.Alt) // not an image the target cannot delete
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

// crashScenario seeds f's inventory with eight images and returns a state
// and desired gallery: four kept (two with new alt texts), sixteen to add,
// two mapped images no longer desired (deleted), two unknown ones (kept).
func crashScenario(t *testing.T, f *fixture) (imagesync.State, []imagesync.Entry) {
	t.Helper()
	seed := make([]finerworkstest.Image, 8)
	for i := range seed {
		u := fmt.Sprintf("https://pim.example.com/old/%d.jpg", i)
		seed[i] = finerworkstest.Image{Title: fmt.Sprint("old ", i), PrivateHiresURI: u, PublicPreviewURI: u, FileName: fmt.Sprint(i, ".jpg")}
	}
	stored := f.srv.SetImages(finerworkstest.Inventory, seed...)
	var st imagesync.State
	for i, k := range []string{"keep0", "keep1", "keep2", "keep3", "old4", "old5"} {
		st.Mappings = append(st.Mappings, imagesync.Mapping{Key: k, ImageID: stored[i].GUID, Created: true})
	}
	keep := func(i int, alt string) imagesync.Entry {
		return imagesync.Entry{Key: fmt.Sprint("keep", i), SourceURL: stored[i].PrivateHiresURI, Alt: alt}
	}
	desired := []imagesync.Entry{keep(2, "new alt 2"), keep(0, "old 0")}
	for i := range 16 {
		k := fmt.Sprintf("n%02d", i)
		desired = append(desired, imagesync.Entry{Key: k, SourceURL: "https://pim.example.com/new/" + k + ".jpg", Alt: "alt " + k})
	}
	desired = append(desired, keep(3, "new alt 3"), keep(1, "old 1"))
	return st, desired
}

// dyingTransport passes requests on until the k-th write request (0-based:
// add_images, update_images or delete_images) has been carried out by the
// server, or, with before, until it is about to be sent; that request then
// fails (with before, as a 500 answered without carrying it out; else as a
// process that died right after sending it) and, unless before, so does
// every later one.
type dyingTransport struct {
	next   http.RoundTripper
	k      int
	before bool

	mu     sync.Mutex
	writes []string
	dead   bool
}

var errDied = errors.New("process died")

func (d *dyingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	d.mu.Lock()
	if d.dead {
		d.mu.Unlock()
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errDied
	}
	write := isWrite(r.Method, r.URL.Path)
	k := len(d.writes)
	if write {
		d.writes = append(d.writes, r.Method+" "+r.URL.Path)
	}
	d.mu.Unlock()
	if write && k == d.k && d.before {
		if r.Body != nil {
			r.Body.Close()
		}
		return &http.Response{StatusCode: 500, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
			Body: http.NoBody}, nil
	}
	resp, err := d.next.RoundTrip(r)
	if write && k == d.k && err == nil {
		resp.Body.Close()
		d.mu.Lock()
		d.dead = true
		d.mu.Unlock()
		return nil, errDied
	}
	return resp, err
}

// TestCrashRecovery runs the crash scenario once cleanly, then again with a
// failure at each write request in turn (the process dying right after the
// server carried it out, or a 500 answered before it; under the race
// detector a 500 before every fifth), followed by a new
// sync with the same state: the library ends as the clean sync left it,
// an interrupted add is adopted instead of added twice, and the server
// made exactly as many images as the clean sync.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	clean := newFixture(t)
	st, desired := crashScenario(t, clean)
	store := imagesync.NewMemoryStore()
	ref := libraryTarget(clean).Ref("inventory")
	if err := store.Save(ctx, ref, imagesync.Change{Put: st.Mappings}); err != nil {
		t.Fatal(err)
	}
	policy := imagesync.Policy{Delete: imagesync.KeepUnknown}
	clean.srv.Recorder().Reset()
	if _, err := (&imagesync.Syncer{Store: store, Policy: policy}).Sync(ctx, libraryTarget(clean), "inventory", desired); err != nil {
		t.Fatal(err)
	}
	nWrites, adds := writes(clean.srv), clean.srv.Recorder().Count("POST", finerworkstest.AddImagesPath)
	want := titles(clean.srv.Images(finerworkstest.Inventory))
	for _, before := range []bool{false, true} {
		for k := range nWrites {
			if before && k%raceScale != 0 {
				continue // under the race detector, a fifth of the 500s
			}
			f := newFixture(t)
			st, desired := crashScenario(t, f)
			store := imagesync.NewMemoryStore()
			if err := store.Save(ctx, ref, imagesync.Change{Put: st.Mappings}); err != nil {
				t.Fatal(err)
			}
			f.srv.Recorder().Reset()
			dying := &dyingTransport{next: f.srv.Client().Transport, k: k, before: before}
			c, err := f.srv.NewClient(finerworks.WithHTTPClient(&http.Client{Transport: dying}), finerworks.WithRetry(shopimg.RetryPolicy{MaxRetries: 1}))
			if err != nil {
				t.Fatal(err)
			}
			dyingTarget := imagesync.Target{Platform: "finerworks", Store: "fake", Images: c.ProductImages()}
			first, _ := (&imagesync.Syncer{Store: store, Policy: policy}).Sync(ctx, dyingTarget, "inventory", desired)
			crashedOn := dying.writes[k]
			onAdd := strings.HasSuffix(crashedOn, finerworkstest.AddImagesPath)
			if !before && first.Err == nil || onAdd && first.Err != nil && !errors.Is(first.Err, shopimg.ErrOutcomeUnknown) {
				t.Fatalf("write %d (%s, before=%v): the interrupted sync reported %v", k, crashedOn, before, first.Err)
			}
			second, err := (&imagesync.Syncer{Store: store, Policy: policy}).Sync(ctx, libraryTarget(f), "inventory", desired)
			if err != nil {
				t.Fatalf("write %d (%s, before=%v): recovery: %v\n%s", k, crashedOn, before, err, second.Plan)
			}
			if got := titles(f.srv.Images(finerworkstest.Inventory)); !slices.Equal(got, want) {
				t.Errorf("write %d (%s, before=%v): library %q, want %q", k, crashedOn, before, got, want)
			}
			if got := f.srv.Recorder().Count("POST", finerworkstest.AddImagesPath); got != adds {
				t.Errorf("write %d (%s, before=%v): %d images made, a clean sync makes %d", k, crashedOn, before, got, adds)
			}
			adopted := slices.ContainsFunc(second.Done, func(op imagesync.Op) bool { return op.Kind == imagesync.OpAdopt })
			if adopted != (onAdd && !before) {
				t.Errorf("write %d (%s, before=%v): adopted = %v", k, crashedOn, before, adopted)
			}
		}
	}
	t.Logf("%d write requests (%d adds) in a clean sync, each interrupted in turn both ways and recovered", nWrites, adds)
}

// titles returns the library's titles, sorted (a library has no order).
func titles(imgs []finerworkstest.Image) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.Title
	}
	slices.Sort(out)
	return out
}
