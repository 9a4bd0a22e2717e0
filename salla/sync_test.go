package salla_test

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
	"github.com/shopimg/shopimg/salla"
	"github.com/shopimg/shopimg/salla/sallatest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// These tests run package imagesync on the Salla fake server through the
// adapter, and count the write requests the server answered.

// okWrites counts the write requests (POST, DELETE) srv answered 2xx.
func okWrites(srv *sallatest.Server) int {
	n := 0
	for _, r := range srv.Recorder().Requests() {
		if (r.Method == http.MethodPost || r.Method == http.MethodDelete) && r.Status >= 200 && r.Status < 300 {
			n++
		}
	}
	return n
}

// okCreates counts the attaches srv answered 2xx.
func okCreates(srv *sallatest.Server) int {
	n := 0
	for _, r := range srv.Recorder().Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/images") && r.Status >= 200 && r.Status < 300 {
			n++
		}
	}
	return n
}

// scenario is a random starting gallery, what the store knows of it, a
// desired gallery and a policy.
type scenario struct {
	seed    []sallatest.Item
	state   imagesync.State
	desired []imagesync.Entry
	policy  imagesync.Policy
}

var syncAlts = []string{"", "red", "blue", "side view"}

func srcURL(i int) string { return fmt.Sprintf("https://pim.example.com/assets/u%d.jpg", i) }

// randomScenario makes a gallery of up to max images (sort values
// SortStep apart, the first flagged main), maps some of them to keys,
// and asks for a random gallery of up to max entries.
func randomScenario(rng *rand.Rand, max int) scenario {
	var sc scenario
	n := rng.IntN(max + 1)
	for i := range n {
		sc.seed = append(sc.seed, sallatest.Item{ID: int64(1900000000 + i), URL: srcURL(rng.IntN(2*max + 2)), Alt: syncAlts[rng.IntN(len(syncAlts))], Sort: (i + 1) * salla.SortStep, Default: i == 0})
	}
	keys := rng.Perm(max + 4)
	next := 0
	for _, it := range sc.seed {
		if rng.IntN(10) < 6 {
			sc.state.Mappings = append(sc.state.Mappings, imagesync.Mapping{Key: fmt.Sprint("k", keys[next]), ImageID: fmt.Sprint(it.ID), Created: rng.IntN(10) < 7})
			next++
		}
	}
	for _, k := range rng.Perm(max + 4)[:rng.IntN(max+1)] {
		e := imagesync.Entry{Key: fmt.Sprint("k", k), Alt: syncAlts[rng.IntN(len(syncAlts))]}
		if rng.IntN(8) == 0 {
			e.File = shopimg.FileFromBytes(e.Key+".png", []byte("png "+e.Key))
		} else {
			e.SourceURL = srcURL(rng.IntN(2*max + 2))
		}
		sc.desired = append(sc.desired, e)
	}
	sc.policy = imagesync.Policy{Delete: imagesync.DeletePolicy(rng.IntN(3)), AdoptExisting: rng.IntN(2) == 0}
	return sc
}

// syncTarget is a fake with the scenario seeded on product 111, a target
// on it, and a store holding the scenario's state.
func syncTarget(t testing.TB, sc scenario, srvOpts []sallatest.Option, wrap func(http.RoundTripper) http.RoundTripper) (*sallatest.Server, imagesync.Target, *imagesync.MemoryStore) {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := sallatest.NewServer(append([]sallatest.Option{sallatest.WithClock(clock), sallatest.WithoutQuota()}, srvOpts...)...)
	t.Cleanup(srv.Close)
	srv.AddProduct(111, "", sc.seed...)
	target := func(wrap func(http.RoundTripper) http.RoundTripper) imagesync.Target {
		hc := srv.Client()
		if wrap != nil {
			hc = &http.Client{Transport: wrap(hc.Transport)}
		}
		c, err := srv.NewClient(salla.WithHTTPClient(hc))
		if err != nil {
			t.Fatal(err)
		}
		return imagesync.Target{Platform: "salla", Store: "fake", Images: c.ProductImages()}
	}
	tg := target(wrap)
	store := imagesync.NewMemoryStore()
	if err := store.Save(context.Background(), tg.Ref("111"), imagesync.Change{Put: sc.state.Mappings}); err != nil {
		t.Fatal(err)
	}
	return srv, tg, store
}

// TestSyncWritesAreTheLowerBound syncs random galleries onto the fake and
// checks, for each, that the server received exactly LowerBound write
// requests (the plan's count), and that a second sync has nothing to do.
// It runs under the two readings of a sort write.
func TestSyncWritesAreTheLowerBound(t *testing.T) {
	t.Parallel()
	cases := 150 / raceScale
	if testing.Short() {
		cases = 20
	}
	for name, opts := range map[string][]sallatest.Option{"stored-as-sent": nil, "shift": {sallatest.WithSortShift(true)}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(7, 8))
			writes, inSync := 0, 0
			for i := range cases {
				sc := randomScenario(rng, 8)
				srv, target, store := syncTarget(t, sc, opts, nil)
				current, err := target.Images.List(ctx, "111")
				if err != nil {
					t.Fatal(err)
				}
				bound, err := imagesync.LowerBound(imagesync.Input{Ref: target.Ref("111"), Current: current, State: sc.state, Desired: sc.desired, Caps: target.Images.Capabilities(), Policy: sc.policy})
				if err != nil {
					t.Fatal(err)
				}
				s := &imagesync.Syncer{Store: store, Policy: sc.policy}
				res, err := s.Sync(ctx, target, "111", sc.desired)
				if err != nil {
					t.Fatalf("case %d: %v\n%v", i, err, res.Plan)
				}
				if got := okWrites(srv); got != bound || res.Writes != bound {
					t.Fatalf("case %d: the server received %d writes (result %d), LowerBound %d\n%v", i, got, res.Writes, bound, res.Plan)
				}
				again, err := s.Plan(ctx, target, "111", sc.desired)
				if err != nil || !again.InSync() {
					t.Fatalf("case %d: not in sync after the sync (%v):\n%v\nthen:\n%v", i, err, res.Plan, again)
				}
				checkOrder(t, target, store, sc.desired, res.Drift)
				writes += bound
				if res.Plan.InSync() {
					inSync++
				}
			}
			t.Logf("%s: %d cases, %d writes, all equal to LowerBound; %d in sync already", name, cases, writes, inSync)
		})
	}
}

// checkOrder checks the desired entries (less the drift) lead the
// gallery, in order, with their alt texts.
func checkOrder(t *testing.T, target imagesync.Target, store imagesync.Store, desired []imagesync.Entry, drift []imagesync.Drift) {
	t.Helper()
	list, err := target.Images.List(ctx, "111")
	if err != nil {
		t.Fatal(err)
	}
	st, _ := store.Load(ctx, target.Ref("111"))
	idOf := map[string]string{}
	for _, m := range st.Mappings {
		idOf[m.Key] = m.ImageID
	}
	i := 0
	for _, e := range desired {
		if slices.ContainsFunc(drift, func(d imagesync.Drift) bool { return d.Ref.Key == e.Key }) {
			continue
		}
		if i >= len(list) || list[i].ID != idOf[e.Key] || list[i].Alt != e.Alt {
			t.Fatalf("entry %s (alt %q) should be image %s at position %d; listed %+v", e.Key, e.Alt, idOf[e.Key], i, list)
		}
		i++
	}
}

// TestSyncKeepsVideos syncs random galleries onto products that also hold
// videos: the videos stay, the pictures end as desired and a second sync
// has nothing to do.
func TestSyncKeepsVideos(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range 60 / raceScale {
		sc := randomScenario(rng, 6)
		for v := range 1 + rng.IntN(2) {
			at := rng.IntN(len(sc.seed) + 1)
			sc.seed = slices.Insert(sc.seed, at, sallatest.Item{ID: int64(1950000000 + v), Type: "video", VideoURL: "https://youtube.example.com/v"})
		}
		for j := range sc.seed {
			sc.seed[j].Sort = (j + 1) * salla.SortStep
		}
		srv, target, store := syncTarget(t, sc, nil, nil)
		s := &imagesync.Syncer{Store: store, Policy: sc.policy}
		res, err := s.Sync(ctx, target, "111", sc.desired)
		if err != nil {
			t.Fatalf("case %d: %v\n%v", i, err, res.Plan)
		}
		again, err := s.Plan(ctx, target, "111", sc.desired)
		if err != nil || !again.InSync() {
			t.Fatalf("case %d: not in sync (%v):\n%v", i, err, again)
		}
		checkOrder(t, target, store, sc.desired, res.Drift)
		items, _ := srv.Items(111)
		videos := 0
		for _, it := range items {
			if it.Type == "video" {
				videos++
			}
		}
		if want := len(sc.seed) - pictureCount(sc.seed); videos != want {
			t.Fatalf("case %d: %d videos left, want %d", i, videos, want)
		}
	}
}

func pictureCount(items []sallatest.Item) int {
	n := 0
	for _, it := range items {
		if it.Type != "video" {
			n++
		}
	}
	return n
}

// TestMirrorWithBigCommerce mirrors a gallery from the BigCommerce fake to
// the Salla fake and back, then changes the source and mirrors again:
// writes equal the plan's (LowerBound) and the target ends in sync.
func TestMirrorWithBigCommerce(t *testing.T) {
	t.Parallel()
	type end struct {
		target imagesync.Target
		pid    string
		writes func() int
	}
	salla := func(t *testing.T) end {
		srv, target, _ := syncTarget(t, scenario{}, nil, nil)
		return end{target, "111", func() int { return okWrites(srv) }}
	}
	bc := func(t *testing.T) end {
		clock := shopimgtest.NewClock(epoch)
		srv := bigcommercetest.NewServer(bigcommercetest.WithClock(clock))
		t.Cleanup(srv.Close)
		srv.AddProduct(222)
		c, err := srv.NewClient(bigcommerce.WithClock(clock))
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
		return end{imagesync.Target{Platform: "bigcommerce", Store: srv.StoreHash(), Images: c.ProductImages()}, "222", writes}
	}
	for name, pair := range map[string][2]func(*testing.T) end{"bigcommerce->salla": {bc, salla}, "salla->bigcommerce": {salla, bc}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, dst := pair[0](t), pair[1](t)
			for i := range 6 {
				if _, err := src.target.Images.Add(ctx, src.pid, shopimg.NewImage{SourceURL: fmt.Sprintf("https://pim.example.com/shoe-%d.jpg", i), Alt: fmt.Sprint("view ", i)}); err != nil {
					t.Fatal(err)
				}
			}
			s := &imagesync.Syncer{Store: imagesync.NewMemoryStore(), Policy: imagesync.Policy{Delete: imagesync.MirrorExact}}
			mirror := func() {
				t.Helper()
				desired, err := imagesync.Mirror(ctx, src.target, src.pid)
				if err != nil {
					t.Fatal(err)
				}
				p, err := s.Plan(ctx, dst.target, dst.pid, desired)
				if err != nil {
					t.Fatal(err)
				}
				before := dst.writes()
				res, err := s.Apply(ctx, dst.target, p)
				if err != nil {
					t.Fatalf("%v\n%s", err, p)
				}
				if got := dst.writes() - before; got != p.Writes || res.Writes != p.Writes {
					t.Errorf("%d writes, plan %d\n%s", got, p.Writes, p)
				}
				again, err := s.Plan(ctx, dst.target, dst.pid, desired)
				if err != nil || !again.InSync() {
					t.Fatalf("not in sync (%v):\n%s", err, again)
				}
			}
			mirror()
			imgs, _ := src.target.Images.List(ctx, src.pid)
			order := []string{imgs[4].ID, imgs[0].ID, imgs[1].ID, imgs[2].ID, imgs[3].ID, imgs[5].ID}
			if err := src.target.Images.Reorder(ctx, src.pid, order); err != nil {
				t.Fatal(err)
			}
			if _, err := src.target.Images.Update(ctx, src.pid, imgs[2].ID, shopimg.ImageUpdate{Alt: new("from above")}); err != nil {
				t.Fatal(err)
			}
			if err := src.target.Images.Delete(ctx, src.pid, imgs[3].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := src.target.Images.Add(ctx, src.pid, shopimg.NewImage{SourceURL: "https://pim.example.com/box.jpg", Alt: "box", Position: new(1)}); err != nil {
				t.Fatal(err)
			}
			mirror()
		})
	}
}

// errDied is what a dead process's requests get.
var errDied = errors.New("process died")

// dying passes requests on until the k-th write request (0-based) has
// reached the server, then fails it and every later request, as if the
// process died right after the server acted on that write.
type dying struct {
	next http.RoundTripper
	k    int

	mu     sync.Mutex
	writes []string
	dead   bool
}

func (d *dying) RoundTrip(r *http.Request) (*http.Response, error) {
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
	d.writes = append(d.writes, r.Method+" "+r.URL.Path)
	if err == nil && len(d.writes)-1 == d.k {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		d.dead = true
		return nil, errDied
	}
	return resp, err
}

// TestCrashRecovery syncs a scenario cleanly, then again on fresh fakes
// with the "process" dying right after each write request of the sync in
// turn, and syncs once more with a new client and the same store: the
// gallery ends as desired, in sync, and the server created exactly as many
// images as the clean sync (none twice).
func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	var sc scenario
	for {
		sc = randomScenario(rng, 8)
		sc.policy = imagesync.Policy{Delete: imagesync.MirrorExact}
		srv, target, store := syncTarget(t, sc, nil, nil)
		if _, err := (&imagesync.Syncer{Store: store, Policy: sc.policy}).Sync(ctx, target, "111", sc.desired); err != nil {
			t.Fatal(err)
		}
		if okWrites(srv) >= 8 && okCreates(srv) >= 2 {
			break
		}
	}
	srv, target, store := syncTarget(t, sc, nil, nil)
	res, err := (&imagesync.Syncer{Store: store, Policy: sc.policy}).Sync(ctx, target, "111", sc.desired)
	if err != nil {
		t.Fatal(err)
	}
	writes, creates := okWrites(srv), okCreates(srv)
	for k := range writes {
		d := &dying{k: k}
		srv, target, store := syncTarget(t, sc, nil, func(rt http.RoundTripper) http.RoundTripper { d.next = rt; return d })
		first, _ := (&imagesync.Syncer{Store: store, Policy: sc.policy}).Sync(ctx, target, "111", sc.desired)
		if first.Err == nil {
			t.Fatalf("write %d: the interrupted sync reported no error", k)
		}
		c, err := srv.NewClient()
		if err != nil {
			t.Fatal(err)
		}
		fresh := imagesync.Target{Platform: target.Platform, Store: target.Store, Images: c.ProductImages()}
		s := &imagesync.Syncer{Store: store, Policy: sc.policy}
		second, err := s.Sync(ctx, fresh, "111", sc.desired)
		if err != nil {
			t.Fatalf("write %d (%s): recovery: %v\n%v", k, d.writes[k], err, second.Plan)
		}
		if again, err := s.Plan(ctx, fresh, "111", sc.desired); err != nil || !again.InSync() {
			t.Fatalf("write %d: not in sync after recovery (%v):\n%v", k, err, again)
		}
		checkOrder(t, fresh, store, sc.desired, second.Drift)
		if got := okCreates(srv); got != creates {
			t.Errorf("write %d (%s): the server created %d images, a clean sync %d", k, d.writes[k], got, creates)
		}
	}
	t.Logf("%d write requests (%d creates) in a clean sync (plan %d writes), each interrupted in turn and recovered", writes, creates, res.Writes)
}
