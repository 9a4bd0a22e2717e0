package imagesync_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// bounded wraps a Fake to measure how many calls are in flight at once, per
// store and overall.
type bounded struct {
	*shopimgtest.Fake
	store string
	m     *inflight
}

type inflight struct {
	mu       sync.Mutex
	now, max map[string]int // by store; "" is the total
}

func (m *inflight) enter(store string) func() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range []string{store, ""} {
		m.now[k]++
		m.max[k] = max(m.max[k], m.now[k])
	}
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.now[store]--
		m.now[""]--
	}
}

func (b *bounded) List(ctx context.Context, pid string) ([]shopimg.Image, error) {
	defer b.m.enter(b.store)()
	return b.Fake.List(ctx, pid)
}

func (b *bounded) Add(ctx context.Context, pid string, img shopimg.NewImage) (shopimg.Image, error) {
	defer b.m.enter(b.store)()
	return b.Fake.Add(ctx, pid, img)
}

// runFixture is a stream of jobs over fakes of every profile, two stores
// each (and, if asked, the BigCommerce and 3dcart fake servers), with the
// scenarios to check the outcome against.
type runFixture struct {
	jobs      []imagesync.Job
	scenarios map[imagesync.ProductRef]scenario
	bounds    map[imagesync.ProductRef]int
	caps      map[imagesync.ProductRef]shopimg.Capabilities
	fakes     map[string]*shopimgtest.Fake // by platform/store
	store     *imagesync.MemoryStore
	inflight  *inflight
	policy    imagesync.Policy
}

// vendorStore is a vendor fake server with many products.
type vendorStore struct {
	target imagesync.Target
	// add creates product number i and returns its ID.
	add func(i int) string
}

// vendorStores starts the BigCommerce and 3dcart fake servers (with their
// quotas, on a fake clock).
func vendorStores(t *testing.T) []vendorStore {
	t.Helper()
	clock := fakeClock()
	bc := bigcommercetest.NewServer(bigcommercetest.WithClock(clock), bigcommercetest.WithMaxRecords(-1))
	t.Cleanup(bc.Close)
	bcc, err := bc.NewClient(bigcommerce.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	tdc := threedcarttest.NewServer(threedcarttest.WithClock(clock), threedcarttest.WithMaxRecords(-1))
	t.Cleanup(tdc.Close)
	tdcc, err := tdc.NewClient(threedcart.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	return []vendorStore{
		{imagesync.Target{Platform: "bigcommerce", Store: bc.StoreHash(), Images: bcc.ProductImages()}, func(i int) string {
			bc.AddProduct(int64(1000 + i))
			return fmt.Sprint(1000 + i)
		}},
		{imagesync.Target{Platform: "threedcart", Store: tdc.Credentials().SecureURL, Images: tdcc.ProductImages()}, func(i int) string {
			tdc.AddProduct(int64(1000 + i))
			return fmt.Sprint(1000 + i)
		}},
	}
}

// newRunFixture makes products jobs, cycling over the profiles (and, with
// vendors, the two vendor fake servers, which get one product in twenty).
func newRunFixture(t *testing.T, products int, seed uint64, vendors bool) *runFixture {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(seed, 3))
	f := &runFixture{
		scenarios: map[imagesync.ProductRef]scenario{}, bounds: map[imagesync.ProductRef]int{}, caps: map[imagesync.ProductRef]shopimg.Capabilities{},
		fakes: map[string]*shopimgtest.Fake{},
		store: imagesync.NewMemoryStore(), inflight: &inflight{now: map[string]int{}, max: map[string]int{}},
		policy: imagesync.Policy{Delete: imagesync.KeepUnknown, AdoptExisting: true},
	}
	ps := profiles(false)
	var vs []vendorStore
	if vendors {
		vs = vendorStores(t)
	}
	for i := range products {
		var target imagesync.Target
		var pid string
		var sc scenario
		if k := i % len(ps); vs == nil || i%20 < 20-len(vs) {
			p := ps[k]
			storeName := fmt.Sprintf("store-%d", i/len(ps)%2)
			fk := p.name + "/" + storeName
			if f.fakes[fk] == nil {
				f.fakes[fk] = p.fake()
			}
			fake := f.fakes[fk]
			pid = fmt.Sprintf("p%03d", i)
			sc = randomScenario(rng, fake, pid, 8)
			target = imagesync.Target{Platform: p.name, Store: storeName, Images: &bounded{Fake: fake, store: fk, m: f.inflight}}
		} else {
			v := vs[i%20-(20-len(vs))]
			target, pid = v.target, v.add(i)
			sc = randomScenarioWith(rng, seedThrough(t, target, pid), 8)
			sc.rewritesURLs = true
		}
		sc.policy = f.policy
		ref := target.Ref(pid)
		if err := f.store.Save(ctx, ref, imagesync.Change{Put: sc.state.Mappings}); err != nil {
			t.Fatal(err)
		}
		caps := target.Images.Capabilities()
		b, err := imagesync.LowerBound(imagesync.Input{Ref: ref, Current: sc.current, State: sc.state, Desired: sc.desired, Caps: caps, Policy: f.policy})
		if err != nil {
			t.Fatal(err)
		}
		f.scenarios[ref], f.bounds[ref], f.caps[ref] = sc, b, caps
		f.jobs = append(f.jobs, imagesync.Job{Target: target, ProductID: pid, Desired: sc.desired})
	}
	return f
}

// check checks every product's gallery and the report.
func (f *runFixture) check(t *testing.T, rep *imagesync.Report) {
	t.Helper()
	if len(rep.Results) != len(f.jobs) {
		t.Fatalf("report has %d results, want %d", len(rep.Results), len(f.jobs))
	}
	writes := 0
	for i, res := range rep.Results {
		j := f.jobs[i]
		ref := j.Target.Ref(j.ProductID)
		if res.Ref != ref {
			t.Fatalf("result %d is for %v, want %v (job order)", i, res.Ref, ref)
		}
		if res.Err != nil {
			t.Fatalf("%v: %v", ref, res.Err)
		}
		st, _ := f.store.Load(context.Background(), ref)
		final, err := j.Target.Images.List(context.Background(), j.ProductID)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkOutcome(f.scenarios[ref], f.caps[ref], final, st, res.Drift); err != nil {
			t.Fatalf("%v:\n%s\n%v", ref, res.Plan, err)
		}
		writes += res.Writes
	}
	if rep.Counts.Writes != writes {
		t.Errorf("Counts.Writes = %d, results add up to %d", rep.Counts.Writes, writes)
	}
}

// TestRun syncs 500 products over in-memory fakes of every profile (two
// stores each) and the BigCommerce and 3dcart fake servers (through their
// adapters), with 8 products at once and 2 per store, and checks the
// progress events, the bounds, the report, the writes (LowerBound for every
// product) and every product's gallery.
func TestRun(t *testing.T) {
	t.Parallel()
	const products = 500
	f := newRunFixture(t, products, 1, true)
	var events []imagesync.Event
	s := &imagesync.Syncer{Store: f.store, Policy: f.policy, Clock: shopimgtest.NewClock(time.Unix(0, 0))}
	start := time.Now()
	rep, err := s.Run(context.Background(), slices.Values(f.jobs), imagesync.RunOptions{
		Concurrency: 8, PerStore: 2,
		Progress: func(ev imagesync.Event) { events = append(events, ev) },
	})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	f.check(t, rep)
	bound := 0
	for _, b := range f.bounds {
		bound += b
	}
	t.Logf("%d products in %v: %+v; LowerBound total %d", products, took.Round(time.Millisecond), rep.Counts, bound)

	c := rep.Counts
	if c.Jobs != products || c.Planned != products || c.Failed != 0 || c.Done() != products || c.Applied == 0 || c.Skipped == 0 {
		t.Errorf("counts %+v", c)
	}
	// Events: in order of their counts, one planned and one final event per
	// product, planned first.
	seen := map[imagesync.ProductRef]imagesync.EventKind{}
	var prev imagesync.Counts
	for i, ev := range events {
		if ev.Counts.Done() < prev.Done() || ev.Counts.Planned < prev.Planned {
			t.Fatalf("event %d goes back: %+v after %+v", i, ev.Counts, prev)
		}
		prev = ev.Counts
		switch ev.Kind {
		case imagesync.EventPlanned:
			if seen[ev.Ref] != "" || ev.Plan == nil {
				t.Fatalf("event %d: planned %v after %q, plan %v", i, ev.Ref, seen[ev.Ref], ev.Plan)
			}
		case imagesync.EventApplied, imagesync.EventSkipped:
			if seen[ev.Ref] != imagesync.EventPlanned || ev.Result == nil {
				t.Fatalf("event %d: %s %v after %q", i, ev.Kind, ev.Ref, seen[ev.Ref])
			}
		default:
			t.Fatalf("event %d: unexpected %s %v: %v", i, ev.Kind, ev.Ref, ev.Err)
		}
		seen[ev.Ref] = ev.Kind
	}
	if len(events) != 2*products || prev != c {
		t.Errorf("%d events, last counts %+v, report %+v", len(events), prev, c)
	}
	for ref, b := range f.bounds {
		if res := rep.Results[slices.IndexFunc(rep.Results, func(r *imagesync.Result) bool { return r.Ref == ref })]; res.Writes != b {
			t.Errorf("%v: %d writes, lower bound %d", ref, res.Writes, b)
		}
	}
	f.inflight.mu.Lock()
	defer f.inflight.mu.Unlock()
	t.Logf("max in flight: %v", f.inflight.max)
	for store, m := range f.inflight.max {
		if store == "" && m > 8 || store != "" && m > 2 {
			t.Errorf("%q had %d calls in flight", store, m)
		}
	}
}

// TestRunFailuresAndThrottling: a product whose listing fails does not stop
// the others; a throttled product is paused for the platform's Retry-After
// and tried again; one that stays throttled fails after the retries; two
// jobs for the same product run one after the other.
func TestRunFailuresAndThrottling(t *testing.T) {
	t.Parallel()
	f := newRunFixture(t, 60, 2, false)
	clock := shopimgtest.NewClock(time.Unix(0, 0))
	fakeOf := func(j imagesync.Job) *shopimgtest.Fake { return j.Target.Images.(*bounded).Fake }
	broken, throttled, stuck := f.jobs[3], f.jobs[10], f.jobs[17]
	fakeOf(broken).Inject(shopimgtest.Fault{Call: shopimgtest.CallList, ProductID: broken.ProductID, Err: &shopimg.APIError{StatusCode: 401}})
	rateLimited := &shopimg.APIError{StatusCode: 429, RetryAfter: 90 * time.Second}
	fakeOf(throttled).Inject(shopimgtest.Fault{Call: shopimgtest.CallList, ProductID: throttled.ProductID, Err: rateLimited})
	for range 3 {
		fakeOf(stuck).Inject(shopimgtest.Fault{Call: shopimgtest.CallList, ProductID: stuck.ProductID, Err: rateLimited})
	}
	jobs := append(slices.Clone(f.jobs), f.jobs[20]) // the same product twice
	var mu sync.Mutex
	var throttles []imagesync.Event
	s := &imagesync.Syncer{Store: f.store, Policy: f.policy, Clock: clock}
	rep, err := s.Run(context.Background(), slices.Values(jobs), imagesync.RunOptions{
		Concurrency: 4, PerStore: 1, ThrottleRetries: 2,
		Progress: func(ev imagesync.Event) {
			if ev.Kind == imagesync.EventThrottled {
				mu.Lock()
				throttles = append(throttles, ev)
				mu.Unlock()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Counts
	if c.Jobs != 61 || c.Failed != 2 || c.Throttled != 4 || c.Done() != 61 {
		t.Errorf("counts %+v, want 61 jobs, 2 failed, 4 throttled", c)
	}
	for i, res := range rep.Results {
		ref := jobs[i].Target.Ref(jobs[i].ProductID)
		switch {
		case ref == broken.Target.Ref(broken.ProductID):
			if !errors.Is(res.Err, shopimg.ErrUnauthorized) {
				t.Errorf("broken product: %v", res.Err)
			}
		case ref == stuck.Target.Ref(stuck.ProductID):
			if !errors.Is(res.Err, shopimg.ErrRateLimited) {
				t.Errorf("stuck product: %v", res.Err)
			}
		case res.Err != nil:
			t.Errorf("%v: %v", ref, res.Err)
		case i == 60 && res.Writes != 0:
			t.Errorf("second job of %v wrote %d times", ref, res.Writes)
		}
	}
	for _, ev := range throttles {
		if ev.RetryAfter != 90*time.Second {
			t.Errorf("throttled event paused %v, want the platform's 90s", ev.RetryAfter)
		}
	}
	if clock.Slept() < 90*time.Second {
		t.Errorf("the fake clock slept %v: the store was not paused", clock.Slept())
	}
}

// TestRunCancel cancels a run midway: Run returns promptly with the
// context's error, the jobs not started fail with it, and a second run over
// the same jobs and store finishes every product correctly.
func TestRunCancel(t *testing.T) {
	t.Parallel()
	f := newRunFixture(t, 120, 4, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n int
	s := &imagesync.Syncer{Store: f.store, Policy: f.policy}
	rep, err := s.Run(ctx, slices.Values(f.jobs), imagesync.RunOptions{Concurrency: 8, PerStore: 2, Progress: func(ev imagesync.Event) {
		if n++; n == 40 {
			cancel()
		}
	}})
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after cancel: %v", err)
	}
	if rep.Counts.Done() != rep.Counts.Jobs || rep.Counts.Jobs == len(f.jobs) {
		t.Errorf("counts after cancel %+v", rep.Counts)
	}
	rep, err = s.Run(context.Background(), slices.Values(f.jobs), imagesync.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.check(t, rep)
}

// TestRunDryRun plans every product and writes nothing, neither to the
// platforms nor to the Store (whose plans include store-only operations).
func TestRunDryRun(t *testing.T) {
	t.Parallel()
	f := newRunFixture(t, 30, 5, false)
	states := func() map[imagesync.ProductRef]imagesync.State {
		out := map[imagesync.ProductRef]imagesync.State{}
		for _, ref := range f.store.Products() {
			out[ref], _ = f.store.Load(context.Background(), ref)
		}
		return out
	}
	before := states()
	s := &imagesync.Syncer{Store: f.store, Policy: f.policy}
	rep, err := s.Run(context.Background(), slices.Values(f.jobs), imagesync.RunOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, states()); d != "" {
		t.Errorf("a dry run changed the store (-before +after):\n%s", d)
	}
	storeOps := 0
	for _, res := range rep.Results {
		for _, op := range res.Plan.Ops {
			if op.Kind.StoreOnly() {
				storeOps++
			}
		}
	}
	if storeOps == 0 {
		t.Error("no plan had a store-only operation: the test proves nothing about the store")
	}
	if c := rep.Counts; c.Skipped != 30 || c.Planned != 30 || c.Writes != 0 {
		t.Errorf("counts %+v", c)
	}
	for fk, fake := range f.fakes {
		if w := fake.Writes(); w != 0 {
			t.Errorf("%s: %d writes in a dry run", fk, w)
		}
	}
	for i, res := range rep.Results {
		if res.Plan == nil || res.Plan.Writes != f.bounds[res.Ref] {
			t.Errorf("result %d: plan %v, want one with %d writes", i, res.Plan, f.bounds[res.Ref])
		}
	}
}

// gated is a Fake whose List waits until the test opens the gate, and
// reports each caller through entered.
type gated struct {
	*shopimgtest.Fake
	store   string
	m       *inflight
	entered chan<- string
	open    <-chan struct{}
}

func (g *gated) List(ctx context.Context, pid string) ([]shopimg.Image, error) {
	defer g.m.enter(g.store)()
	g.entered <- g.store
	select {
	case <-g.open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Fake.List(ctx, pid)
}

// TestRunReachesItsBounds holds every product's listing until the test
// lets go, in a synctest bubble: once every goroutine is blocked, exactly
// min(Concurrency, stores × PerStore) products are being synced, and no
// store has more than PerStore. So Run does sync as many products at once
// as its bounds allow, and never more: with six stores the overall bound
// (8) binds, with two stores the per-store bound (3 each).
func TestRunReachesItsBounds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ stores, perStore, concurrency int }{{6, 2, 8}, {2, 3, 8}} {
		t.Run(fmt.Sprintf("%d-stores-%d-each-%d-overall", c.stores, c.perStore, c.concurrency), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) { runBounds(t, c.stores, c.perStore, c.concurrency) })
		})
	}
}

func runBounds(t *testing.T, stores, perStore, concurrency int) {
	m := &inflight{now: map[string]int{}, max: map[string]int{}}
	entered := make(chan string, 100)
	open := make(chan struct{})
	var jobs []imagesync.Job
	for i := range 60 {
		store := fmt.Sprint("s", i%stores)
		fake := shopimgtest.NewFake()
		pid := fmt.Sprint("p", i)
		fake.AddProduct(pid)
		g := &gated{Fake: fake, store: store, m: m, entered: entered, open: open}
		jobs = append(jobs, imagesync.Job{Target: imagesync.Target{Platform: "full", Store: store, Images: g}, ProductID: pid, Desired: pim[:1]})
	}
	s := &imagesync.Syncer{Store: imagesync.NewMemoryStore()}
	var rep *imagesync.Report
	done := make(chan error)
	go func() {
		var err error
		rep, err = s.Run(t.Context(), slices.Values(jobs), imagesync.RunOptions{Concurrency: concurrency, PerStore: perStore})
		done <- err
	}()
	want := min(concurrency, stores*perStore)
	for range want {
		<-entered
	}
	synctest.Wait() // nothing else can start now
	m.mu.Lock()
	now := maps.Clone(m.now)
	m.mu.Unlock()
	if len(entered) != 0 || now[""] != want {
		t.Errorf("%d products synced at once (%d more waiting to list), want %d", now[""], len(entered), want)
	}
	for k := range stores {
		if n := now[fmt.Sprint("s", k)]; n > perStore || stores*perStore <= concurrency && n != perStore {
			t.Errorf("store s%d syncs %d products at once, want %d at most", k, n, perStore)
		}
	}
	close(open)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c := rep.Counts; c.Applied != len(jobs) || c.Writes != len(jobs) {
		t.Errorf("counts %+v", c)
	}
	if m.max[""] != want {
		t.Errorf("%d products at once at most, want %d", m.max[""], want)
	}
	for k := range stores {
		if n := m.max[fmt.Sprint("s", k)]; n > perStore {
			t.Errorf("store s%d: %d products at once, want at most %d", k, n, perStore)
		}
	}
}
