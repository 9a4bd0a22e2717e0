package bigcommerce_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// lis is the textbook O(n²) length of the longest strictly increasing
// subsequence, independent of the package's implementation.
func lis(seq []int) int {
	best, n := make([]int, len(seq)), 0
	for i := range seq {
		best[i] = 1
		for j := range i {
			if seq[j] < seq[i] && best[j]+1 > best[i] {
				best[i] = best[j] + 1
			}
		}
		n = max(n, best[i])
	}
	return n
}

// positions returns the index in order of each ID of target.
func positions(order, target []string) []int {
	out := make([]int, len(target))
	for i, id := range target {
		out[i] = slices.Index(order, id)
	}
	return out
}

// newQuickFixture is newFixture with the client reaching the fake in
// process (no sockets), no quota and no recorded requests kept (the counts
// are), for tests that send thousands of requests.
func newQuickFixture(t testing.TB, srvOpts []bigcommercetest.Option, opts ...bigcommerce.Option) *fixture {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := bigcommercetest.NewServer(append([]bigcommercetest.Option{bigcommercetest.WithClock(clock), bigcommercetest.WithoutQuota(), bigcommercetest.WithMaxRecords(-1)}, srvOpts...)...)
	t.Cleanup(srv.Close)
	srv.AddProduct(111)
	client, err := srv.NewClient(append([]bigcommerce.Option{bigcommerce.WithHTTPClient(&http.Client{Transport: srv.Transport()})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, client: client, clock: clock}
}

// seedKind is a starting state of a product.
type seedKind int

const (
	// seedOwn: distinct sort_orders with gaps, the thumbnail lowest (the
	// state this package leaves).
	seedOwn seedKind = iota
	// seedForeign: distinct sort_orders with gaps, the thumbnail anywhere
	// (a store edited elsewhere).
	seedForeign
	// seedDense: sort_orders 0..n-1, the thumbnail first (images added one
	// after the other, as a store's admin does).
	seedDense
)

// seedRandom stores n images on product pid in a random state of kind, in
// an order unrelated to the IDs.
func seedRandom(srv *bigcommercetest.Server, rng *rand.Rand, pid bigcommerce.ProductID, n int, kind seedKind) {
	orders := rng.Perm(3 * n)[:n]
	if kind == seedDense {
		orders = rng.Perm(n)
	}
	imgs := make([]bigcommercetest.Image, n)
	for i := range imgs {
		imgs[i] = bigcommercetest.Image{SortOrder: orders[i], Description: fmt.Sprint("image ", i)}
	}
	if n > 0 {
		thumb := slices.Index(orders, slices.Min(orders))
		if kind == seedForeign {
			thumb = rng.IntN(n)
		}
		imgs[thumb].IsThumbnail = true
	}
	srv.AddProduct(int64(pid), imgs...)
}

// stored returns the product's image IDs in the order the store keeps
// them (sort_order, then ID), the thumbnails among them, and whether two
// images share a sort_order.
func stored(t testing.TB, srv *bigcommercetest.Server, pid bigcommerce.ProductID) (ids, thumbs []string, tied bool) {
	t.Helper()
	imgs, err := srv.SortedImages(int64(pid))
	if err != nil {
		t.Fatal(err)
	}
	for i, img := range imgs {
		id := strconv.FormatInt(img.ID, 10)
		ids = append(ids, id)
		if img.IsThumbnail {
			thumbs = append(thumbs, id)
		}
		if i > 0 && img.SortOrder == imgs[i-1].SortOrder {
			tied = true
		}
	}
	return ids, thumbs, tied
}

// wantStored checks that the store keeps the images in the order want,
// with no two at one sort_order, and, with thumb, want[0] its only
// thumbnail.
func wantStored(t testing.TB, srv *bigcommercetest.Server, pid bigcommerce.ProductID, want []string, thumb bool, what string) {
	t.Helper()
	ids, thumbs, tied := stored(t, srv, pid)
	switch {
	case !slices.Equal(ids, want):
		t.Fatalf("%s: the store keeps %v, want %v", what, ids, want)
	case tied:
		t.Fatalf("%s: two images share a sort_order", what)
	case thumb && len(want) > 0 && !slices.Equal(thumbs, want[:1]):
		t.Fatalf("%s: the thumbnails are %v, want %s alone", what, thumbs, want[0])
	}
}

// randomTarget returns a random order of display: with keepMain, display[0]
// stays first and the others are shuffled; otherwise all are.
func randomTarget(rng *rand.Rand, display []string, keepMain bool) []string {
	target := slices.Clone(display)
	if keepMain {
		rest := target[1:]
		rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	} else {
		rng.Shuffle(len(target), func(i, j int) { target[i], target[j] = target[j], target[i] })
	}
	return target
}

// modelReorder is what the common model says Reorder(target) costs on
// BigCommerce from the listing before: Capabilities.ReorderWrites, plus
// the write on target[0] when it stays first but is not flagged main (the
// listing shows that, and a sync plans the write; see imagesync).
func modelReorder(before []shopimg.Image, target []string) int {
	var written []string
	if len(before) > 0 && !before[0].Main && target[0] == before[0].ID {
		written = []string{target[0]}
	}
	return len(shopimgtest.BigCommerceProfile.ReorderWrites(ids(before), target, written...))
}

// TestReorderPUTsAreNMinusLIS is the property: over 200 random
// permutations of up to 30 images, Reorder ends in the asked order as the
// store keeps it and sends exactly the least number of PUTs, which is what
// the common model counts: Capabilities.ReorderCost under
// shopimgtest.BigCommerceProfile, from the listed order alone.
//
// Precisely, with n images, D the listed order (the store's: by
// sort_order) and T the asked order: PUTs == n - LIS(positions of T in D)
// when T keeps the main image (T[0] == D[0]; every even trial is built that
// way), and otherwise PUTs == 1 + (n-1) - LIS(positions of T[1:] in D
// without T[0]): the PUT that sets is_thumbnail on T[0], plus the moves of
// the others. Both are lower bounds: an image that is not written keeps its
// place relative to the other unwritten ones, and a new main image needs a
// write.
func TestReorderPUTsAreNMinusLIS(t *testing.T) {
	t.Parallel()
	f := newQuickFixture(t, nil)
	p := f.client.ProductImages()
	caps := p.Capabilities()
	rng := rand.New(rand.NewPCG(3, 11))
	keptMain, total, maxN, trials := 0, 0, 0, trialsOr(200, 200)
	for trial := range trials {
		n := 1 + rng.IntN(30)
		pid := bigcommerce.ProductID(1000 + trial)
		seedRandom(f.srv, rng, pid, n, seedOwn)
		before, err := p.List(ctx, pid.String())
		if err != nil {
			t.Fatal(err)
		}
		display := ids(before)
		target := randomTarget(rng, display, trial%2 == 0)
		puts0 := f.srv.Recorder().Count("PUT", "")
		if err := p.Reorder(ctx, pid.String(), target); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		puts := f.srv.Recorder().Count("PUT", "") - puts0
		wantStored(t, f.srv, pid, target, true, fmt.Sprintf("trial %d", trial))
		want := n - lis(positions(display, target))
		if target[0] != display[0] {
			others := slices.DeleteFunc(slices.Clone(display), func(id string) bool { return id == target[0] })
			want = 1 + (n - 1) - lis(positions(others, target[1:]))
		} else {
			keptMain++
		}
		if model := caps.ReorderCost(display, target); model != want {
			t.Fatalf("trial %d: Capabilities.ReorderCost = %d, the formula %d", trial, model, want)
		}
		if puts != want {
			t.Fatalf("trial %d (n=%d, main kept %v): %d PUTs, want ReorderCost = %d", trial, n, target[0] == display[0], puts, want)
		}
		total, maxN = total+puts, max(maxN, n)
	}
	if keptMain < trials/2 {
		t.Errorf("only %d trials kept the main image", keptMain)
	}
	t.Logf("%d reorders of 1 to %d images (%d keep the main image): %d PUTs, each == Capabilities.ReorderCost(BigCommerceProfile)", trials, maxN, keptMain, total)
}

// TestReorderFromForeignStates starts from states a store edited elsewhere
// may be in, the thumbnail anywhere in the sort order: List shows the
// store's order, with no main image unless the first is the thumbnail, and
// Reorder costs what the model counts from that listing (the write on the
// first image to flag it included).
func TestReorderFromForeignStates(t *testing.T) {
	t.Parallel()
	f := newQuickFixture(t, nil)
	p := f.client.ProductImages()
	rng := rand.New(rand.NewPCG(3, 12))
	flagged, trials := 0, trialsOr(200, 200)
	for trial := range trials {
		n := 1 + rng.IntN(30)
		pid := bigcommerce.ProductID(1000 + trial)
		seedRandom(f.srv, rng, pid, n, seedForeign)
		before, err := p.List(ctx, pid.String())
		if err != nil {
			t.Fatal(err)
		}
		ids0, thumbs, _ := stored(t, f.srv, pid)
		if want := thumbs[0] == ids0[0]; before[0].Main != want || slices.ContainsFunc(before[1:], func(img shopimg.Image) bool { return img.Main }) {
			t.Fatalf("trial %d: List marks main %v on the first image, the store's thumbnail is %s of %v", trial, before[0].Main, thumbs[0], ids0)
		}
		if before[0].Main {
			flagged++
		}
		target := randomTarget(rng, ids(before), trial%2 == 0)
		puts0 := f.srv.Recorder().Count("PUT", "")
		if err := p.Reorder(ctx, pid.String(), target); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		wantStored(t, f.srv, pid, target, true, fmt.Sprintf("trial %d", trial))
		if puts, want := f.srv.Recorder().Count("PUT", "")-puts0, modelReorder(before, target); puts != want {
			t.Fatalf("trial %d: %d PUTs, the model counts %d", trial, puts, want)
		}
	}
	t.Logf("%d reorders from foreign states (%d with the thumbnail first): PUTs as the model counts from the listing", trials, flagged)
}

// TestUpdatesCostWhatTheFakeCounts runs random updates (alt text, position,
// main, and combinations) on products in the state the adapter leaves, and
// the same on a shopimgtest.Fake with BigCommerceProfile holding the same
// order: the server receives exactly as many PUTs as the Fake counts
// writes, and both end in the same order.
func TestUpdatesCostWhatTheFakeCounts(t *testing.T) {
	t.Parallel()
	f := newQuickFixture(t, nil)
	p := f.client.ProductImages()
	rng := rand.New(rand.NewPCG(3, 13))
	total, twos := 0, 0
	for trial := range trialsOr(300, 300) {
		n := 1 + rng.IntN(8)
		pid := bigcommerce.ProductID(1000 + trial)
		seedRandom(f.srv, rng, pid, n, seedOwn)
		before, err := p.List(ctx, pid.String())
		if err != nil {
			t.Fatal(err)
		}
		fake := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.BigCommerceProfile))
		fake.Seed("p", before...)
		i := rng.IntN(n)
		u := randomUpdate(rng, n, 4, "changed")
		if u.Alt == nil && (u.Main != nil && i == 0 || u.Position != nil && *u.Position == i) {
			u.Alt = new("changed") // the Fake counts a no-op update; the adapter sends nothing
		}
		puts0 := f.srv.Recorder().Count("PUT", "")
		if _, err := p.Update(ctx, pid.String(), before[i].ID, u); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if _, err := fake.Update(ctx, "p", before[i].ID, u); err != nil {
			t.Fatal(err)
		}
		puts := f.srv.Recorder().Count("PUT", "") - puts0
		wantStored(t, f.srv, pid, ids(fake.Images("p")), true, fmt.Sprintf("trial %d", trial))
		if puts != fake.Writes() {
			t.Fatalf("trial %d: Update(%s of %v, %+v): %d PUTs, the Fake counts %d", trial, before[i].ID, ids(before), u, puts, fake.Writes())
		}
		total += puts
		if puts == 2 {
			twos++
		}
	}
	t.Logf("300 updates: %d PUTs, as the Fake counts; %d cost two (the main image moved away)", total, twos)
}

func ids(imgs []shopimg.Image) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.ID
	}
	return out
}

// TestReorderWithTiedSortOrders starts from the spec's example state (every
// image at sort_order 0): single moves cannot place images between tied
// ones, and no two images may stay tied, so each image but one is written,
// and the order comes out as asked.
func TestReorderWithTiedSortOrders(t *testing.T) {
	t.Parallel()
	for _, r := range bigcommercetest.Readings() {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithReading(r)})
			imgs := make([]bigcommercetest.Image, 6)
			imgs[0].IsThumbnail = true
			f.srv.AddProduct(5, imgs...)
			p := f.client.ProductImages()
			before, _ := p.List(ctx, "5")
			d := ids(before)
			target := []string{d[0], d[2], d[1], d[3], d[5], d[4]}
			if err := p.Reorder(ctx, "5", target); err != nil {
				t.Fatal(err)
			}
			wantStored(t, f.srv, 5, target, true, "after Reorder")
			if puts := f.srv.Recorder().Count("PUT", ""); puts > len(target)-1+2 {
				t.Errorf("%d PUTs, want at most %d (every image but one, and what learning the rule costs)", puts, len(target)+1)
			}
		})
	}
}

func TestReorderCostsAndCheck(t *testing.T) {
	t.Parallel()
	for _, check := range []bool{true, false} {
		f := newFixture(t, nil, bigcommerce.WithReorderCheck(check))
		p := f.client.ProductImages()
		var got []string
		for i := range 5 {
			img, err := p.Add(ctx, "111", shopimg.NewImage{SourceURL: fmt.Sprintf("https://images.example.com/%d.jpg", i)})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, img.ID)
		}
		path := f.srv.ImagesPath(111)
		f.srv.Recorder().Reset()
		if err := p.Reorder(ctx, "111", got); err != nil {
			t.Fatal(err)
		}
		if n := f.srv.Recorder().Count("", ""); n != 1 {
			t.Errorf("check %v: Reorder to the current order sent %d requests, want 1 GET", check, n)
		}
		f.srv.Recorder().Reset()
		// Move the last image to the middle: one PUT (the sort_orders 0..4
		// are dense, so the move is an insertion and the check's GET
		// confirms, and teaches, the store's rule).
		target := []string{got[0], got[1], got[4], got[2], got[3]}
		if err := p.Reorder(ctx, "111", target); err != nil {
			t.Fatal(err)
		}
		wantGets := 1
		if check {
			wantGets = 2
		}
		if puts, gets := f.srv.Recorder().Count("PUT", path+"/*"), f.srv.Recorder().Count("GET", path); puts != 1 || gets != wantGets {
			t.Errorf("check %v: %d PUTs and %d GETs, want 1 and %d", check, puts, gets, wantGets)
		}
		wantStored(t, f.srv, 111, target, true, fmt.Sprintf("check %v", check))
	}
}
