package imagesync_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/imagesync/boltstore"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

var (
	errCrash       = errors.New("process killed")
	errUnknown     = fmt.Errorf("connection reset after sending: %w", shopimg.ErrOutcomeUnknown)
	writeOps       = []shopimgtest.Call{shopimgtest.CallAdd, shopimgtest.CallUpdate, shopimgtest.CallDelete, shopimgtest.CallReorder, shopimgtest.CallUpdateImages}
	crashVariants  = []crashVariant{{"crash", errCrash, true}, {"outcome-unknown-applied", errUnknown, true}, {"outcome-unknown-not-applied", errUnknown, false}, {"cancel", nil, true}}
	crashProductID = "p"
)

// crashVariant is how a sync is interrupted after (or at) its k-th write
// call: the fake returns err (having made the write if apply), or, with a
// nil err, the context is cancelled once the write is made.
type crashVariant struct {
	name  string
	err   error
	apply bool
}

// crashScenario is a 20-image sync: four images to keep (two with new alt
// texts, all moved), sixteen to add (two from files), two to delete and two
// unknown ones to keep.
func crashScenario(fake *shopimgtest.Fake) scenario {
	return crashScenarioWith(func(imgs []shopimg.Image) []shopimg.Image { return fake.Seed(crashProductID, imgs...) }, fake.Capabilities())
}

// crashScenarioWith is crashScenario on a product seeded by seed (see
// randomScenarioWith) of a platform with capabilities caps.
func crashScenarioWith(seedFn func([]shopimg.Image) []shopimg.Image, caps shopimg.Capabilities) scenario {
	var seed []shopimg.Image
	for i := range 8 {
		seed = append(seed, shopimg.Image{URL: fmt.Sprintf("https://pim.example.com/old/%d.jpg", i), Alt: fmt.Sprintf("old %d", i)})
	}
	sc := scenario{current: seedFn(seed), policy: imagesync.Policy{Delete: imagesync.KeepUnknown}}
	for i, k := range []string{"keep0", "keep1", "keep2", "keep3", "old4", "old5"} {
		sc.state.Mappings = append(sc.state.Mappings, imagesync.Mapping{Key: k, ImageID: sc.current[i].ID, Created: true})
	}
	entry := func(k string) imagesync.Entry {
		return imagesync.Entry{Key: k, SourceURL: "https://pim.example.com/new/" + k + ".jpg", Alt: "alt " + k}
	}
	keep := func(i int, alt string) imagesync.Entry {
		return imagesync.Entry{Key: fmt.Sprintf("keep%d", i), SourceURL: sc.current[i].URL, Alt: alt}
	}
	sc.desired = append(sc.desired, keep(2, "new alt 2"))
	for i := range 8 {
		sc.desired = append(sc.desired, entry(fmt.Sprintf("n%02d", i)))
	}
	sc.desired = append(sc.desired, keep(0, "old 0"))
	for i := 8; i < 16; i++ {
		e := entry(fmt.Sprintf("n%02d", i))
		if i%7 == 0 && caps.AddFromFile {
			e.SourceURL, e.File = "", shopimg.FileFromBytes(e.Key+".png", []byte(e.Key))
		}
		sc.desired = append(sc.desired, e)
	}
	sc.desired = append(sc.desired, keep(3, "new alt 3"), keep(1, "old 1"))
	sc.rewritesURLs = !caps.KeepsSourceURL
	return sc
}

// storeKind makes the stores of a crash test; restart simulates a new
// process.
type storeKind struct {
	name    string
	open    func(t *testing.T) imagesync.Store
	restart func(t *testing.T, s imagesync.Store) imagesync.Store
}

var storeKinds = []storeKind{
	{"memory",
		func(t *testing.T) imagesync.Store { return imagesync.NewMemoryStore() },
		func(t *testing.T, s imagesync.Store) imagesync.Store { return s }},
	{"bolt",
		func(t *testing.T) imagesync.Store { return openBolt(t, filepath.Join(t.TempDir(), "state.db")) },
		func(t *testing.T, s imagesync.Store) imagesync.Store {
			bs := s.(*boltstore.Store)
			path := bs.DB().Path()
			if err := bs.Close(); err != nil {
				t.Fatal(err)
			}
			return openBolt(t, path)
		}},
}

func openBolt(t *testing.T, path string) *boltstore.Store {
	t.Helper()
	// NoSync: the test restarts the store, it does not kill the machine,
	// so skipping fsync loses nothing and keeps the test fast.
	s, err := boltstore.Open(path, &bbolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func seedStore(t *testing.T, s imagesync.Store, ref imagesync.ProductRef, st imagesync.State) {
	t.Helper()
	if err := s.Save(context.Background(), ref, imagesync.Change{Put: st.Mappings}); err != nil {
		t.Fatal(err)
	}
}

func writeCalls(f *shopimgtest.Fake) int {
	n := 0
	for _, op := range writeOps {
		n += f.Calls()[op]
	}
	return n
}

// tracker records the write calls made through it, in order, and can
// cancel a context once the k-th one (0-based) has returned, as if the
// process were told to stop right then.
type tracker struct {
	*shopimgtest.Fake
	ops    []shopimgtest.Call
	k      int
	cancel context.CancelFunc
}

func (c *tracker) after(op shopimgtest.Call) {
	if c.cancel != nil && len(c.ops) == c.k {
		c.cancel()
	}
	c.ops = append(c.ops, op)
}

func (c *tracker) Add(ctx context.Context, pid string, img shopimg.NewImage) (shopimg.Image, error) {
	defer c.after(shopimgtest.CallAdd)
	return c.Fake.Add(ctx, pid, img)
}

func (c *tracker) Update(ctx context.Context, pid, id string, u shopimg.ImageUpdate) (shopimg.Image, error) {
	defer c.after(shopimgtest.CallUpdate)
	return c.Fake.Update(ctx, pid, id, u)
}

func (c *tracker) Delete(ctx context.Context, pid, id string) error {
	defer c.after(shopimgtest.CallDelete)
	return c.Fake.Delete(ctx, pid, id)
}

func (c *tracker) Reorder(ctx context.Context, pid string, ids []string) error {
	defer c.after(shopimgtest.CallReorder)
	return c.Fake.Reorder(ctx, pid, ids)
}

func (c *tracker) UpdateImages(ctx context.Context, pid string, b shopimg.BatchUpdate) ([]shopimg.Image, error) {
	defer c.after(shopimgtest.CallUpdateImages)
	return c.Fake.UpdateImages(ctx, pid, b)
}

// TestCrashRecovery interrupts a 20-image sync after each of its write calls
// in turn, in four ways (the process dies after the write; the write happens
// but reports an outcome-unknown error; it does not happen and reports one;
// the context is cancelled after it), then syncs again from the same store
// (reopened, for bolt): the gallery must come out right, with no image added
// twice. Every profile, both stores. Under the race detector each variant
// interrupts every raceScale-th write call, at offsets that vary with the
// profile and the variant.
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	for pi, p := range profiles(false) {
		for _, sk := range storeKinds {
			t.Run(p.name+"/"+sk.name, func(t *testing.T) {
				t.Parallel()
				clean := p.fake()
				sc := crashScenario(clean)
				store := imagesync.NewMemoryStore()
				seedStore(t, store, imagesync.Target{Platform: p.name}.Ref(crashProductID), sc.state)
				res := syncScenario(t, clean, store, sc, p, nil)
				calls, adds := writeCalls(clean), clean.Calls()[shopimgtest.CallAdd]
				if res.Err != nil || calls < 5 {
					t.Fatalf("clean sync: %v, %d write calls", res.Err, calls)
				}
				ran := 0
				shared := sk.open(t) // one store (file) for all cases, reset before each
				defer func() { t.Logf("%s/%s: %d write calls, %d interrupted syncs recovered", p.name, sk.name, calls, ran) }()
				for vi, v := range crashVariants {
					if sk.name == "bolt" && !v.apply || sk.name == "bolt" && v.err == nil {
						continue // the store does not change what those two test; keep bolt to the restarts that matter
					}
					for k := (pi + vi) % raceScale; k < calls; k += raceScale {
						shared = crashAndRecover(t, p, sk, shared, v, k, k == calls-1, adds)
						ran++
					}
				}
			})
		}
	}
}

func syncScenario(t *testing.T, images shopimg.ProductImages, store imagesync.Store, sc scenario, p profile, ctx context.Context) *imagesync.Result {
	t.Helper()
	if ctx == nil {
		ctx = context.Background()
	}
	s := &imagesync.Syncer{Store: store, Policy: noLateJobs(sc.policy)}
	res, _ := s.Sync(ctx, imagesync.Target{Platform: p.name, Images: images}, crashProductID, sc.desired)
	return res
}

// crashAndRecover runs one interrupted sync and its recovery with store
// (emptied first), and returns the store as reopened.
func crashAndRecover(t *testing.T, p profile, sk storeKind, store imagesync.Store, v crashVariant, k int, last bool, cleanAdds int) imagesync.Store {
	t.Helper()
	fake := p.fake()
	sc := crashScenario(fake)
	ref := imagesync.Target{Platform: p.name}.Ref(crashProductID)
	resetState(t, store, ref)
	seedStore(t, store, ref, sc.state)

	tr := &tracker{Fake: fake, k: k}
	ctx := context.Background()
	if v.err == nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		tr.cancel = cancel
	} else {
		fake.Inject(shopimgtest.Fault{Call: shopimgtest.CallAnyWrite, Skip: k, Err: v.err, Apply: v.apply})
	}
	first := syncScenario(t, tr, store, sc, p, ctx)
	if first.Err == nil && !(v.err == nil && last) { // cancelling after the last write stops nothing
		t.Fatalf("%s at write %d: the interrupted sync reported no error", v.name, k)
	}
	if v.err != nil && fake.PendingFaults() != 0 {
		t.Fatalf("%s at write %d: the fault did not fire", v.name, k)
	}
	store = sk.restart(t, store)
	if v.name == "crash" {
		// Crash again at the recovery's first write, and recover from that.
		s := &imagesync.Syncer{Store: store, Policy: noLateJobs(sc.policy)}
		p2, err := s.Plan(context.Background(), imagesync.Target{Platform: p.name, Images: fake}, crashProductID, sc.desired)
		if err != nil {
			t.Fatal(err)
		}
		if p2.Writes > 0 {
			fake.Inject(shopimgtest.Fault{Call: shopimgtest.CallAnyWrite, Err: errCrash, Apply: true})
			if again := syncScenario(t, fake, store, sc, p, nil); again.Err == nil {
				t.Fatalf("crash at write %d: the second crash reported no error", k)
			}
			store = sk.restart(t, store)
		}
	}
	second := syncScenario(t, fake, store, sc, p, nil)
	if second.Err != nil {
		t.Fatalf("%s at write %d: recovery failed: %v\n%s", v.name, k, second.Err, second.Plan)
	}
	st, err := store.Load(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkOutcome(sc, p.caps, fake.Images(crashProductID), st, second.Drift); err != nil {
		t.Fatalf("%s at write %d:\nfirst:\n%s\nsecond:\n%s\n%v", v.name, k, first.Plan, second.Plan, err)
	}
	// An add that happened unrecorded is adopted, not repeated; a cancelled
	// add's result is recorded before stopping, so nothing is left to adopt.
	adopted := slices.ContainsFunc(second.Done, func(op imagesync.Op) bool { return op.Kind == imagesync.OpAdopt })
	// (After the double crash either may happen.)
	if wantAdopt := v.err != nil && v.apply && tr.ops[k] == shopimgtest.CallAdd; adopted != wantAdopt && v.name != "crash" {
		t.Errorf("%s at write %d (%s): adopted=%v, want %v\n%s", v.name, k, tr.ops[k], adopted, wantAdopt, second.Plan)
	}
	// Every add that took effect was needed: as many as in a clean sync,
	// plus the interrupted one if it never happened and was sent again.
	want := cleanAdds
	if !v.apply && tr.ops[k] == shopimgtest.CallAdd {
		want++
	}
	if adds := fake.Calls()[shopimgtest.CallAdd]; adds != want {
		t.Fatalf("%s at write %d: %d Add calls, want %d\nfirst:\n%s\nsecond:\n%s", v.name, k, adds, want, first.Plan, second.Plan)
	}
	return store
}

// resetState empties the product's state in store.
func resetState(t *testing.T, store imagesync.Store, ref imagesync.ProductRef) {
	t.Helper()
	st, err := store.Load(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	var c imagesync.Change
	for _, m := range st.Mappings {
		c.Drop = append(c.Drop, m.Key)
	}
	for _, in := range st.Intents {
		c.Resolve = append(c.Resolve, in.Key)
	}
	if err := store.Save(context.Background(), ref, c); err != nil {
		t.Fatal(err)
	}
}

// failingStore fails its k-th Save (0-based), after making it if apply is
// set, as a database that commits and then loses the connection would.
type failingStore struct {
	imagesync.Store
	k, saves int
	apply    bool
}

func (f *failingStore) Save(ctx context.Context, ref imagesync.ProductRef, c imagesync.Change) error {
	defer func() { f.saves++ }()
	if f.saves != f.k {
		return f.Store.Save(ctx, ref, c)
	}
	if f.apply {
		if err := f.Store.Save(ctx, ref, c); err != nil {
			return err
		}
	}
	return errors.New("database connection lost")
}

// TestStoreFailures fails each Save of a 20-image sync in turn (before or
// after it commits), then syncs again: the gallery comes out right and no
// image is added twice.
func TestStoreFailures(t *testing.T) {
	t.Parallel()
	for _, p := range profiles(false) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			ref := imagesync.Target{Platform: p.name}.Ref(crashProductID)
			clean := p.fake()
			sc := crashScenario(clean)
			counting := &failingStore{Store: imagesync.NewMemoryStore(), k: -1}
			seedStore(t, counting.Store, ref, sc.state)
			if res := syncScenario(t, clean, counting, sc, p, nil); res.Err != nil {
				t.Fatal(res.Err)
			}
			adds := clean.Calls()[shopimgtest.CallAdd]
			for _, apply := range []bool{false, true} {
				for k := range counting.saves {
					fake := p.fake()
					crashScenario(fake)
					store := &failingStore{Store: imagesync.NewMemoryStore(), k: k, apply: apply}
					seedStore(t, store.Store, ref, sc.state)
					first := syncScenario(t, fake, store, sc, p, nil)
					if first.Err == nil {
						t.Fatalf("save %d (apply %v): no error", k, apply)
					}
					second := syncScenario(t, fake, store.Store, sc, p, nil)
					if second.Err != nil {
						t.Fatalf("save %d (apply %v): recovery: %v", k, apply, second.Err)
					}
					st, _ := store.Load(context.Background(), ref)
					if err := checkOutcome(sc, p.caps, fake.Images(crashProductID), st, second.Drift); err != nil {
						t.Fatalf("save %d (apply %v):\n%s\n%v", k, apply, second.Plan, err)
					}
					if got := fake.Calls()[shopimgtest.CallAdd]; got != adds {
						t.Fatalf("save %d (apply %v): %d Add calls, want %d", k, apply, got, adds)
					}
				}
			}
		})
	}
}

// errProcessDied is what a dead process's requests get.
var errProcessDied = errors.New("process died")

// dyingTransport passes requests to next until the k-th write request
// (0-based; POST, PUT, PATCH or DELETE) has reached the server, then fails
// it and every later request, as if the process had died right after the
// store acted on that write. The adapter sees a failed create as an
// outcome-unknown error and a failed update or delete as a network error it
// retries in vain.
type dyingTransport struct {
	next http.RoundTripper

	mu     sync.Mutex
	k      int
	writes []string // "METHOD path" of the writes sent
	dead   bool
}

func (d *dyingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	d.mu.Lock()
	dead := d.dead
	d.mu.Unlock()
	if dead {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, errProcessDied
	}
	resp, err := d.next.RoundTrip(r)
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return resp, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.writes = append(d.writes, r.Method+" "+r.URL.Path)
	if err == nil && len(d.writes)-1 == d.k {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d.dead = true
		return nil, errProcessDied
	}
	return resp, err
}

// vendorCrashFixture is a vendor fake server with the crash scenario on
// one product, and a way to make clients of it over any transport wrapped
// around its handler (served in process: TestRecoverOnBigCommerce and the
// sync example drop real connections).
type vendorCrashFixture struct {
	sc        scenario
	caps      shopimg.Capabilities
	target    func(wrap func(http.RoundTripper) http.RoundTripper) imagesync.Target
	pid       string
	creates   func() int // create requests the server acted on
	writeReqs func() int // write requests the server answered 2xx
	// seed stores images (URL and Alt) on the product, server side, and
	// returns them as the adapter lists them.
	seed func(imgs []shopimg.Image) []shopimg.Image
}

// listed returns a product's images through target's adapter.
func listed(t *testing.T, target imagesync.Target, pid string) []shopimg.Image {
	t.Helper()
	imgs, err := target.Images.List(context.Background(), pid)
	if err != nil {
		t.Fatal(err)
	}
	return imgs
}

var vendorCrashMakers = []struct {
	name string
	make func(t *testing.T) vendorCrashFixture
}{
	{"bigcommerce-fake-server", func(t *testing.T) vendorCrashFixture {
		clock := fakeClock()
		srv := bigcommercetest.NewServer(bigcommercetest.WithClock(clock))
		t.Cleanup(srv.Close)
		srv.AddProduct(111)
		target := func(wrap func(http.RoundTripper) http.RoundTripper) imagesync.Target {
			c, err := srv.NewClient(bigcommerce.WithClock(clock), bigcommerce.WithHTTPClient(&http.Client{Transport: wrap(inProcess{srv})}))
			if err != nil {
				t.Fatal(err)
			}
			return imagesync.Target{Platform: "bigcommerce", Store: srv.StoreHash(), Images: c.ProductImages()}
		}
		seed := func(imgs []shopimg.Image) []shopimg.Image {
			var bc []bigcommercetest.Image
			for i, img := range imgs {
				bc = append(bc, bigcommercetest.Image{ImageURL: img.URL, Description: img.Alt, SortOrder: i, IsThumbnail: i == 0})
			}
			srv.AddProduct(111, bc...)
			return listed(t, target(same), "111")
		}
		return vendorCrashFixture{target: target, pid: "111", seed: seed,
			creates:   func() int { return okCount(srv.Recorder().Requests(), http.MethodPost) },
			writeReqs: serverWrites(srv.Recorder().Requests)}
	}},
	{"threedcart-fake-server", func(t *testing.T) vendorCrashFixture {
		clock := fakeClock()
		srv := threedcarttest.NewServer(threedcarttest.WithClock(clock))
		t.Cleanup(srv.Close)
		srv.AddProduct(9)
		target := func(wrap func(http.RoundTripper) http.RoundTripper) imagesync.Target {
			c, err := srv.NewClient(threedcart.WithClock(clock), threedcart.WithHTTPClient(&http.Client{Transport: wrap(inProcess{srv})}))
			if err != nil {
				t.Fatal(err)
			}
			return imagesync.Target{Platform: "threedcart", Store: srv.Credentials().SecureURL, Images: c.ProductImages()}
		}
		seed := func(imgs []shopimg.Image) []shopimg.Image {
			var tc []threedcarttest.Image
			for i, img := range imgs {
				tc = append(tc, threedcarttest.Image{ImageGalleryFile: img.URL, ImageGalleryCaption: img.Alt, ImageGallerySorting: i + 1})
			}
			srv.AddProduct(9, tc...)
			return listed(t, target(same), "9")
		}
		return vendorCrashFixture{target: target, pid: "9", seed: seed,
			creates:   func() int { return okCount(srv.Recorder().Requests(), http.MethodPost) },
			writeReqs: serverWrites(srv.Recorder().Requests)}
	}},
}

// okCount counts the requests of method answered 2xx.
func okCount(reqs []bigcommercetest.RecordedRequest, method string) int {
	n := 0
	for _, r := range reqs {
		if r.Method == method && r.Status >= 200 && r.Status < 300 {
			n++
		}
	}
	return n
}

func same(rt http.RoundTripper) http.RoundTripper { return rt }

// newVendorCrash starts a server of maker with the crash scenario seeded.
func newVendorCrash(t *testing.T, maker func(t *testing.T) vendorCrashFixture) vendorCrashFixture {
	t.Helper()
	f := maker(t)
	f.caps = f.target(same).Images.Capabilities()
	f.sc = crashScenarioWith(f.seed, f.caps)
	f.sc.rewritesURLs = true
	return f
}

// TestCrashRecoveryOnVendorServers runs the 20-image crash scenario
// against the BigCommerce and 3dcart fake servers through their adapters,
// and kills the "process" right after each write request of the sync in
// turn (the server acted, the client never heard back: a create becomes an
// outcome-unknown error), then syncs again with a new client and the same
// state file, reopened. The gallery comes out right, an interrupted create
// is adopted, and the server acted on exactly as many creates as a clean
// sync needs: no image is added twice. Under the race detector it
// interrupts every raceScale-th write request.
func TestCrashRecoveryOnVendorServers(t *testing.T) {
	t.Parallel()
	for mi, m := range vendorCrashMakers {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clean := newVendorCrash(t, m.make)
			seeded := clean.creates()
			target := clean.target(same)
			store := imagesync.NewMemoryStore()
			seedStore(t, store, target.Ref(clean.pid), clean.sc.state)
			before := clean.writeReqs()
			res := syncScenarioOn(t, target, clean.pid, store, clean.sc, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			writes, adds := clean.writeReqs()-before, clean.creates()-seeded
			if writes < 10 {
				t.Fatalf("clean sync: %d write requests", writes)
			}
			shared := openBolt(t, filepath.Join(t.TempDir(), "state.db"))
			var restartedStore imagesync.Store = shared
			for k := mi % raceScale; k < writes; k += raceScale {
				f := newVendorCrash(t, m.make)
				seeded := f.creates()
				ref := imagesync.Target{Platform: target.Platform, Store: target.Store}.Ref(f.pid)
				resetState(t, restartedStore, ref)
				seedStore(t, restartedStore, ref, f.sc.state)
				dying := &dyingTransport{k: k}
				first := syncScenarioOn(t, f.target(func(rt http.RoundTripper) http.RoundTripper { dying.next = rt; return dying }), f.pid, restartedStore, f.sc, nil)
				if first.Err == nil || len(dying.writes) <= k {
					t.Fatalf("write %d: the interrupted sync reported %v after %d writes", k, first.Err, len(dying.writes))
				}
				crashedOn := dying.writes[k]
				if strings.HasPrefix(crashedOn, http.MethodPost) && !errors.Is(first.Err, shopimg.ErrOutcomeUnknown) {
					t.Errorf("write %d (%s): %v, want an outcome-unknown error", k, crashedOn, first.Err)
				}
				restartedStore = storeKinds[1].restart(t, restartedStore)
				second := syncScenarioOn(t, f.target(same), f.pid, restartedStore, f.sc, nil)
				if second.Err != nil {
					t.Fatalf("write %d (%s): recovery: %v\n%s", k, crashedOn, second.Err, second.Plan)
				}
				final, err := f.target(same).Images.List(ctx, f.pid)
				if err != nil {
					t.Fatal(err)
				}
				st, _ := restartedStore.Load(ctx, ref)
				if err := checkOutcome(f.sc, f.caps, final, st, second.Drift); err != nil {
					t.Fatalf("write %d (%s):\nfirst:\n%s\nsecond:\n%s\n%v", k, crashedOn, first.Plan, second.Plan, err)
				}
				adopted := slices.ContainsFunc(second.Done, func(op imagesync.Op) bool { return op.Kind == imagesync.OpAdopt })
				if wantAdopt := strings.HasPrefix(crashedOn, http.MethodPost); adopted != wantAdopt {
					t.Errorf("write %d (%s): adopted=%v, want %v\n%s", k, crashedOn, adopted, wantAdopt, second.Plan)
				}
				if got := f.creates() - seeded; got != adds {
					t.Errorf("write %d (%s): the server created %d images, a clean sync %d", k, crashedOn, got, adds)
				}
				if again, err := (&imagesync.Syncer{Store: restartedStore, Policy: noLateJobs(f.sc.policy)}).Plan(ctx, f.target(same), f.pid, f.sc.desired); err != nil || !again.InSync() {
					t.Errorf("write %d: not in sync after the recovery: %v\n%s", k, err, again)
				}
			}
			t.Logf("%s: %d write requests (%d creates) in a clean sync, every %s interrupted in turn and recovered", m.name, writes, adds, map[bool]string{true: "one", false: fmt.Sprintf("%dth", raceScale)}[raceScale == 1])
		})
	}
}

func syncScenarioOn(t *testing.T, target imagesync.Target, pid string, store imagesync.Store, sc scenario, ctx context.Context) *imagesync.Result {
	t.Helper()
	if ctx == nil {
		ctx = context.Background()
	}
	res, _ := (&imagesync.Syncer{Store: store, Policy: noLateJobs(sc.policy)}).Sync(ctx, target, pid, sc.desired)
	return res
}

// noLateJobs is p for a platform whose queued adds have all run by the time
// of a re-run: the in-memory Fake adds at once, so an interrupted add that
// left no image did not happen, even with AsyncAdd.
func noLateJobs(p imagesync.Policy) imagesync.Policy {
	p.AsyncAddWindow = time.Nanosecond
	return p
}
