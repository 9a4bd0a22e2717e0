package bigcommerce_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
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

// syncTarget returns a target on the server through a client whose
// transport is wrap(in-process).
func syncTarget(t testing.TB, srv *bigcommercetest.Server, wrap func(http.RoundTripper) http.RoundTripper) imagesync.Target {
	t.Helper()
	c, err := srv.NewClient(bigcommerce.WithHTTPClient(&http.Client{Transport: wrap(srv.Transport())}))
	if err != nil {
		t.Fatal(err)
	}
	return imagesync.Target{Platform: "bigcommerce", Store: srv.StoreHash(), Images: c.ProductImages()}
}

func direct(rt http.RoundTripper) http.RoundTripper { return rt }

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
	trials := 150
	if testing.Short() {
		trials = 40
	}
	for ri, r := range bigcommercetest.Readings() {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			srv := bigcommercetest.NewServer(bigcommercetest.WithReading(r), bigcommercetest.WithoutQuota(), bigcommercetest.WithMaxRecords(-1), bigcommercetest.WithClock(shopimgtest.NewClock(epoch)))
			t.Cleanup(srv.Close)
			target := syncTarget(t, srv, direct)
			rng := rand.New(rand.NewPCG(21, uint64(ri)))
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
}

// dyingTransport passes requests on until the k-th write request (0-based)
// has been served, then fails it and every later request, as if the
// process died right after the store acted on that write.
type dyingTransport struct {
	next   http.RoundTripper
	mu     sync.Mutex
	k      int
	writes int
	dead   bool
}

var errDied = errors.New("process died")

func (d *dyingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	d.mu.Lock()
	dead := d.dead
	d.mu.Unlock()
	if dead {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errDied
	}
	resp, err := d.next.RoundTrip(r)
	if r.Method == http.MethodGet {
		return resp, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writes++
	if err == nil && d.writes-1 == d.k {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d.dead = true
		return nil, errDied
	}
	return resp, err
}

// TestSyncCrashPointsUnderEveryReading crashes random syncs at each of
// their write requests, under every reading of the rules, and re-runs them
// in a new process (a new client, which has learned nothing) with the same
// Store: the re-run must reach the desired gallery as the store keeps it,
// with no image added twice.
func TestSyncCrashPointsUnderEveryReading(t *testing.T) {
	t.Parallel()
	trials := 12
	if testing.Short() {
		trials = 4
	}
	for ri, r := range bigcommercetest.Readings() {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			srv := bigcommercetest.NewServer(bigcommercetest.WithReading(r), bigcommercetest.WithoutQuota(), bigcommercetest.WithMaxRecords(-1), bigcommercetest.WithClock(shopimgtest.NewClock(epoch)))
			t.Cleanup(srv.Close)
			rng := rand.New(rand.NewPCG(31, uint64(ri)))
			crashes, pid := 0, bigcommerce.ProductID(1)
			ctx := context.Background()
			for trial := range trials {
				sc := randomSyncScenario(rng, 7)
				// A clean run counts the scenario's write requests.
				pid++
				clean := syncTarget(t, srv, direct)
				s := &imagesync.Syncer{Store: sc.install(t, srv, clean, pid), Policy: sc.policy}
				w0 := srv.Recorder().Writes()
				if _, err := s.Sync(ctx, clean, pid.String(), sc.desired); err != nil {
					t.Fatalf("trial %d: clean run: %v", trial, err)
				}
				n := srv.Recorder().Writes() - w0
				for k := range n {
					pid++
					dying := &dyingTransport{k: k}
					first := syncTarget(t, srv, func(rt http.RoundTripper) http.RoundTripper { dying.next = rt; return dying })
					s := &imagesync.Syncer{Store: sc.install(t, srv, first, pid), Policy: sc.policy}
					if _, err := s.Sync(ctx, first, pid.String(), sc.desired); err == nil || !strings.Contains(err.Error(), errDied.Error()) {
						t.Fatalf("trial %d crash %d: the first run ended with %v, want the crash", trial, k, err)
					}
					again := syncTarget(t, srv, direct)
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
}
