package bigcommerce_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"

	// The sync engine the vendor tests drive.
	"github.com/shopimg/shopimg/imagesync"
)

// syncScenario is a random starting point for a sync: a product's images
// on the store (dense or spaced sort_orders, the thumbnail first), what the
// Store knows of them, and a desired gallery with a delete policy.
type syncScenario struct {
	seed    []bigcommercetest.Image
	state   []imagesync.Mapping // by index into seed: ImageID is the index
	desired []imagesync.Entry
	policy  imagesync.Policy
}

// randomSyncScenario draws a scenario of up to n images on either side.
// Source URLs are unique, so that an image added twice shows.
func randomSyncScenario(rng *rand.Rand, n int) syncScenario {
	var sc syncScenario
	cur := rng.IntN(n + 1)
	orders := rng.Perm(cur)
	if rng.IntN(2) == 0 {
		orders = rng.Perm(3 * (cur + 1))[:cur]
	}
	slices.Sort(orders)
	alts := []string{"", "red", "blue", "side view"}
	for i := range cur {
		sc.seed = append(sc.seed, bigcommercetest.Image{SortOrder: orders[i], IsThumbnail: i == 0, Description: alts[rng.IntN(len(alts))]})
	}
	rng.Shuffle(cur, func(i, j int) {
		sc.seed[i].SortOrder, sc.seed[j].SortOrder = sc.seed[j].SortOrder, sc.seed[i].SortOrder
	})
	for i := range sc.seed {
		sc.seed[i].IsThumbnail = sc.seed[i].SortOrder == slices.Min(orders)
	}
	keys := rng.Perm(3 * (n + 1))
	next := 0
	mapped := map[string]bool{}
	for i := range sc.seed {
		if rng.IntN(10) < 7 {
			k := fmt.Sprintf("k%d", keys[next])
			next++
			sc.state = append(sc.state, imagesync.Mapping{Key: k, ImageID: fmt.Sprint(i), Created: rng.IntN(10) < 7})
			mapped[k] = true
		}
	}
	m := rng.IntN(n + 1)
	for i := range m {
		var k string
		if i < len(sc.state) && rng.IntN(3) > 0 {
			k = sc.state[i].Key
		} else if next < len(keys) {
			k = fmt.Sprintf("k%d", keys[next])
			next++
		} else {
			break
		}
		if slices.ContainsFunc(sc.desired, func(e imagesync.Entry) bool { return e.Key == k }) {
			continue
		}
		e := imagesync.Entry{Key: k, Alt: alts[rng.IntN(len(alts))], SourceURL: "https://pim.example.com/" + k + ".jpg"}
		if rng.IntN(8) == 0 {
			e.SourceURL, e.File = "", shopimg.FileFromBytes(k+".png", []byte("png "+k))
		}
		sc.desired = append(sc.desired, e)
	}
	rng.Shuffle(len(sc.desired), func(i, j int) { sc.desired[i], sc.desired[j] = sc.desired[j], sc.desired[i] })
	sc.policy = imagesync.Policy{Delete: imagesync.DeletePolicy(rng.IntN(3))}
	return sc
}

// install seeds the scenario on product pid and returns a Store that knows
// what the scenario says it knows.
func (sc syncScenario) install(t testing.TB, srv *bigcommercetest.Server, target imagesync.Target, pid bigcommerce.ProductID) imagesync.Store {
	t.Helper()
	seeded := srv.AddProduct(int64(pid), sc.seed...)
	store := imagesync.NewMemoryStore()
	var put []imagesync.Mapping
	for _, m := range sc.state {
		var i int
		fmt.Sscan(m.ImageID, &i)
		m.ImageID = fmt.Sprint(seeded[i].ID)
		put = append(put, m)
	}
	if err := store.Save(context.Background(), target.Ref(pid.String()), imagesync.Change{Put: put}); err != nil {
		t.Fatal(err)
	}
	return store
}

// syncTarget returns a target on the server through a new client that
// reaches it in process (with opts).
func syncTarget(t testing.TB, srv *bigcommercetest.Server, opts ...bigcommerce.Option) imagesync.Target {
	t.Helper()
	c, err := srv.NewClient(append([]bigcommerce.Option{bigcommerce.WithHTTPClient(&http.Client{Transport: srv.Transport()})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return imagesync.Target{Platform: "bigcommerce", Store: srv.StoreHash(), Images: c.ProductImages()}
}

// checkSynced checks that the product is what a sync asked for, as the
// store keeps it: a new plan has nothing left to write, no two images
// share a sort_order, and a product with images has its first one flagged
// main. It returns the listing.
func checkSynced(t testing.TB, s *imagesync.Syncer, target imagesync.Target, srv *bigcommercetest.Server, pid bigcommerce.ProductID, desired []imagesync.Entry, what string) []shopimg.Image {
	t.Helper()
	p, err := s.Plan(context.Background(), target, pid.String(), desired)
	if err != nil {
		t.Fatalf("%s: plan after the sync: %v", what, err)
	}
	if p.Writes != 0 {
		var b strings.Builder
		p.Format(&b)
		t.Fatalf("%s: the sync left work to do:\n%s", what, b.String())
	}
	ids, thumbs, tied := stored(t, srv, pid)
	if tied {
		t.Fatalf("%s: two images share a sort_order", what)
	}
	if len(ids) > 0 && (len(thumbs) != 1 || thumbs[0] != ids[0]) {
		t.Fatalf("%s: the store keeps %v with thumbnails %v", what, ids, thumbs)
	}
	list, _ := target.Images.List(context.Background(), pid.String())
	return list
}

// TestSyncUnderEveryReading syncs random galleries onto the fake under
// every reading of BigCommerce's sort_order and thumbnail rules, through a
// client that learns its store's rule as it goes (one per reading, as one
// per store). Each sync must reach the desired gallery as the store keeps
// it; Result.Writes must equal the write requests the server received; and
// under the documented (default) reading they must equal LowerBound and
// Plan.Writes. Under the other readings the test reports what they cost
// above LowerBound.
func TestSyncUnderEveryReading(t *testing.T) {
	t.Parallel()
	trials := trialsOr(150, 40)
	eachReading(t, bigcommercetest.Readings(), 21, func(t *testing.T, r bigcommercetest.Reading, f *fixture, rng *rand.Rand) {
		srv := f.srv
		target := syncTarget(t, srv)
		var counts [2]struct{ bound, writes, above, worst, syncs int }
		for trial := range trials {
			pid := bigcommerce.ProductID(100 + trial)
			sc := randomSyncScenario(rng, 8)
			store := sc.install(t, srv, target, pid)
			s := &imagesync.Syncer{Store: store, Policy: sc.policy}
			ctx := context.Background()
			// The scenario's sync, then a second one on the same product
			// (the order shuffled, an alt text changed, one entry
			// dropped): the second starts from a state this package
			// left.
			desired2 := slices.Clone(sc.desired)
			rng.Shuffle(len(desired2), func(i, j int) { desired2[i], desired2[j] = desired2[j], desired2[i] })
			if len(desired2) > 0 {
				desired2[0].Alt += " 2"
				desired2 = desired2[:len(desired2)-rng.IntN(2)]
			}
			for pass, desired := range [][]imagesync.Entry{sc.desired, desired2} {
				what := fmt.Sprintf("trial %d pass %d", trial, pass)
				before, err := target.Images.List(ctx, pid.String())
				if err != nil {
					t.Fatal(err)
				}
				st, _ := store.Load(ctx, target.Ref(pid.String()))
				lb, err := imagesync.LowerBound(imagesync.Input{Ref: target.Ref(pid.String()), Current: before, State: st, Desired: desired, Caps: target.Images.Capabilities(), Policy: sc.policy})
				if err != nil {
					t.Fatal(err)
				}
				w0 := srv.Recorder().Writes()
				res, err := s.Sync(ctx, target, pid.String(), desired)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				checkSynced(t, s, target, srv, pid, desired, what)
				sent := srv.Recorder().Writes() - w0
				if res.Writes != sent {
					t.Fatalf("%s: Result.Writes = %d, the server received %d write requests", what, res.Writes, sent)
				}
				if r == (bigcommercetest.Reading{}) && (sent != lb || res.Plan.Writes != lb) {
					var b strings.Builder
					res.Plan.Format(&b)
					t.Fatalf("%s: %d writes, Plan.Writes %d, LowerBound %d\n%s", what, sent, res.Plan.Writes, lb, b.String())
				}
				c := &counts[pass]
				c.bound, c.writes = c.bound+lb, c.writes+sent
				if d := sent - lb; d > 0 {
					c.above, c.worst, c.syncs = c.above+d, max(c.worst, d), c.syncs+1
				}
			}
		}
		for pass, c := range counts {
			t.Logf("%s, %s syncs: %d syncs, %d writes, LowerBound %d: %d above, in %d syncs (at most %d in one)", r, []string{"first", "second"}[pass], trials, c.writes, c.bound, c.above, c.syncs, c.worst)
		}
	})
}

// TestSyncCrashPointsUnderEveryReading crashes random syncs right after
// each of their write requests (the store acts on it, the answer is lost,
// the sync stops), under every reading of the rules, and re-runs them in a
// new process (a new client, which has learned nothing) with the same
// Store: the re-run must reach the desired gallery as the store keeps it,
// with no image added twice and no two images at one sort_order.
func TestSyncCrashPointsUnderEveryReading(t *testing.T) {
	t.Parallel()
	trials := trialsOr(12, 4)
	eachReading(t, bigcommercetest.Readings(), 31, func(t *testing.T, r bigcommercetest.Reading, f *fixture, rng *rand.Rand) {
		srv := f.srv
		crashes, pid := 0, bigcommerce.ProductID(1)
		ctx := context.Background()
		for trial := range trials {
			sc := randomSyncScenario(rng, 7)
			// A clean run counts the scenario's write requests.
			pid++
			clean := syncTarget(t, srv)
			s := &imagesync.Syncer{Store: sc.install(t, srv, clean, pid), Policy: sc.policy}
			w0 := srv.Recorder().Writes()
			if _, err := s.Sync(ctx, clean, pid.String(), sc.desired); err != nil {
				t.Fatalf("trial %d: clean run: %v", trial, err)
			}
			n := srv.Recorder().Writes() - w0
			for k := range n {
				pid++
				// The k-th write happens and its answer is lost; the client,
				// retrying nothing, stops the sync there, as a process that
				// dies then would.
				first := syncTarget(t, srv, bigcommerce.WithRetry(shopimg.RetryPolicy{}))
				s := &imagesync.Syncer{Store: sc.install(t, srv, first, pid), Policy: sc.policy}
				srv.Faults().Add(bigcommercetest.Fault{Method: "POST,PUT,DELETE", Path: srv.ImagesPath(int64(pid)) + "*", Skip: k, AfterApply: true, Drop: true})
				if _, err := s.Sync(ctx, first, pid.String(), sc.desired); err == nil {
					t.Fatalf("trial %d crash %d: the first run did not stop", trial, k)
				}
				srv.Faults().Clear()
				again := syncTarget(t, srv)
				if _, err := s.Sync(ctx, again, pid.String(), sc.desired); err != nil {
					t.Fatalf("trial %d crash %d: the re-run: %v", trial, k, err)
				}
				what := fmt.Sprintf("%s trial %d crash %d", r, trial, k)
				checkSynced(t, s, again, srv, pid, sc.desired, what)
				imgs, _ := srv.Images(int64(pid))
				seen := map[string]bool{}
				for _, img := range imgs {
					if img.ImageURL != "" && seen[img.ImageURL] {
						t.Fatalf("%s: %s was added twice", what, img.ImageURL)
					}
					seen[img.ImageURL] = true
				}
				crashes++
			}
		}
		t.Logf("%s: %d crash points recovered", r, crashes)
	})
}

// matchByURL is what a downstream program that finds images by their URL
// does to make a product hold exactly the images of urls: delete every
// listed image whose URL is not wanted, add every wanted URL not listed. It
// returns the writes it made.
func matchByURL(ctx context.Context, p shopimg.ProductImages, pid string, urls []string) (int, error) {
	list, err := p.List(ctx, pid)
	if err != nil {
		return 0, err
	}
	writes := 0
	var have []string
	for _, img := range list {
		if !slices.Contains(urls, img.URL) {
			if err := p.Delete(ctx, pid, img.ID); err != nil {
				return writes, err
			}
			writes++
			continue
		}
		have = append(have, img.URL)
	}
	for _, u := range urls {
		if !slices.Contains(have, u) {
			if _, err := p.Add(ctx, pid, shopimg.NewImage{SourceURL: u}); err != nil {
				return writes, err
			}
			writes++
		}
	}
	return writes, nil
}

// urlTargets are a product on the BigCommerce fake server, on the
// in-memory Fake with BigCommerceProfile, and, for contrast, on a Fake of a
// platform that keeps source URLs.
func urlTargets(t *testing.T) map[string]shopimg.ProductImages {
	f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithoutQuota()})
	bc := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.BigCommerceProfile))
	bc.AddProduct("111")
	full := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.FullProfile))
	full.AddProduct("111")
	return map[string]shopimg.ProductImages{"server": f.client.ProductImages(), "fake": bc, "keeps-urls": full}
}

// TestMatchingByURLFailsOnBothLikeTheStore checks that the in-memory Fake
// with BigCommerceProfile serves images from a CDN URL, as the store (and
// its fake server) does: a downstream program that finds images by their
// source URL passes its unit test on neither, since it deletes and adds
// every image again on each run, on both alike; the same program passes on
// a platform that keeps source URLs. Capabilities().KeepsSourceURL says
// which is which, without importing a vendor package.
func TestMatchingByURLFailsOnBothLikeTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	urls := []string{"https://pim.example.com/a.jpg", "https://pim.example.com/b.jpg", "https://pim.example.com/c.jpg"}
	second := map[string]int{}
	for name, p := range urlTargets(t) {
		if _, err := matchByURL(ctx, p, "111", urls); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n, err := matchByURL(ctx, p, "111", urls)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		second[name] = n
		if keeps := p.Capabilities().KeepsSourceURL; keeps != (name == "keeps-urls") {
			t.Errorf("%s: KeepsSourceURL = %v", name, keeps)
		}
	}
	want := map[string]int{"server": 6, "fake": 6, "keeps-urls": 0}
	if d := cmp.Diff(want, second); d != "" {
		t.Errorf("writes of a second run with nothing to change (-want +got):\n%s", d)
	}
}

// TestStoreBasedSyncPassesOnBoth checks that the same job done with
// imagesync, which remembers image IDs in its Store, writes nothing on its
// second run, on the store's fake server and on the Fake alike.
func TestStoreBasedSyncPassesOnBoth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var desired []imagesync.Entry
	for i, k := range []string{"a", "b", "c"} {
		desired = append(desired, imagesync.Entry{Key: k, SourceURL: fmt.Sprintf("https://pim.example.com/%s.jpg", k), Alt: fmt.Sprint("view ", i)})
	}
	for name, p := range urlTargets(t) {
		s := &imagesync.Syncer{Store: imagesync.NewMemoryStore(), Policy: imagesync.Policy{Delete: imagesync.MirrorExact, AdoptExisting: true}}
		target := imagesync.Target{Platform: "bigcommerce", Store: "abc123", Images: p}
		first, err := s.Sync(ctx, target, "111", desired)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, err := s.Sync(ctx, target, "111", desired)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if first.Writes != 3 || again.Writes != 0 {
			t.Errorf("%s: writes %d then %d, want 3 then 0", name, first.Writes, again.Writes)
		}
	}
}
