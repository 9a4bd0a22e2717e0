package imagesync_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
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
// each, with the scenarios to check the outcome against.
type runFixture struct {
	jobs      []imagesync.Job
	scenarios map[imagesync.ProductRef]scenario
	bounds    map[imagesync.ProductRef]int
	fakes     map[string]*shopimgtest.Fake // by platform/store
	profiles  map[string]profile
	store     *imagesync.MemoryStore
	inflight  *inflight
	policy    imagesync.Policy
}

func newRunFixture(t *testing.T, products int, seed uint64) *runFixture {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	f := &runFixture{
		scenarios: map[imagesync.ProductRef]scenario{}, bounds: map[imagesync.ProductRef]int{},
		fakes: map[string]*shopimgtest.Fake{}, profiles: map[string]profile{},
		store: imagesync.NewMemoryStore(), inflight: &inflight{now: map[string]int{}, max: map[string]int{}},
		policy: imagesync.Policy{Delete: imagesync.KeepUnknown, AdoptExisting: true},
	}
	ps := profiles(false)
	for i := range products {
		p := ps[i%len(ps)]
		storeName := fmt.Sprintf("store-%d", i/len(ps)%2)
		fk := p.name + "/" + storeName
		if f.fakes[fk] == nil {
			f.fakes[fk] = p.fake()
			f.profiles[fk] = p
		}
		fake := f.fakes[fk]
		pid := fmt.Sprintf("p%03d", i)
		sc := randomScenario(rng, fake, pid, 8)
		sc.policy = f.policy
		target := imagesync.Target{Platform: p.name, Store: storeName, Images: &bounded{Fake: fake, store: fk, m: f.inflight}}
		ref := target.Ref(pid)
		if err := f.store.Save(context.Background(), ref, imagesync.Change{Put: sc.state.Mappings}); err != nil {
			t.Fatal(err)
		}
		b, err := imagesync.LowerBound(imagesync.Input{Ref: ref, Current: sc.current, State: sc.state, Desired: sc.desired, Caps: p.caps, Policy: f.policy})
		if err != nil {
			t.Fatal(err)
		}
		f.scenarios[ref], f.bounds[ref] = sc, b
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
		fk := ref.Platform + "/" + ref.Store
		st, _ := f.store.Load(context.Background(), ref)
		if err := checkOutcome(f.scenarios[ref], f.profiles[fk].caps, f.fakes[fk].Images(ref.Product), st, res.Drift); err != nil {
			t.Fatalf("%v:\n%s\n%v", ref, res.Plan, err)
		}
		writes += res.Writes
	}
	if rep.Counts.Writes != writes {
		t.Errorf("Counts.Writes = %d, results add up to %d", rep.Counts.Writes, writes)
	}
}

// TestRun syncs 500 products over fakes of every profile, two stores each,
// with 8 products at once and 2 per store, and checks the progress events,
// the bounds, the report and every product's gallery.
func TestRun(t *testing.T) {
	t.Parallel()
	const products = 500
	f := newRunFixture(t, products, 1)
	var events []imagesync.Event
	s := &imagesync.Syncer{Store: f.store, Policy: f.policy, Clock: shopimgtest.NewClock(time.Unix(0, 0))}
	rep, err := s.Run(context.Background(), slices.Values(f.jobs), imagesync.RunOptions{
		Concurrency: 8, PerStore: 2,
		Progress: func(ev imagesync.Event) { events = append(events, ev) },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.check(t, rep)

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
	f := newRunFixture(t, 60, 2)
	clock := shopimgtest.NewClock(time.Unix(0, 0))
	fakeOf := func(j imagesync.Job) *shopimgtest.Fake { return j.Target.Images.(*bounded).Fake }
	broken, throttled, stuck := f.jobs[3], f.jobs[10], f.jobs[17]
	fakeOf(broken).Inject(shopimgtest.Fault{Op: shopimgtest.OpList, ProductID: broken.ProductID, Err: &shopimg.APIError{StatusCode: 401}})
	rateLimited := &shopimg.APIError{StatusCode: 429, RetryAfter: 90 * time.Second}
	fakeOf(throttled).Inject(shopimgtest.Fault{Op: shopimgtest.OpList, ProductID: throttled.ProductID, Err: rateLimited})
	for range 3 {
		fakeOf(stuck).Inject(shopimgtest.Fault{Op: shopimgtest.OpList, ProductID: stuck.ProductID, Err: rateLimited})
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
	f := newRunFixture(t, 120, 4)
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

// TestRunDryRun plans every product and writes nothing.
func TestRunDryRun(t *testing.T) {
	t.Parallel()
	f := newRunFixture(t, 30, 5)
	s := &imagesync.Syncer{Store: f.store, Policy: f.policy}
	rep, err := s.Run(context.Background(), slices.Values(f.jobs), imagesync.RunOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
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
