package bigcommerce_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
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

// seedRandom stores n images on product pid in a random state: distinct
// sort_orders with gaps, in an order unrelated to the IDs, and one
// thumbnail. With ownState the thumbnail has the lowest sort_order, the
// state this package leaves behind (the display order is then the sort
// order); otherwise it is anywhere in that order, as a store edited
// elsewhere may be.
func seedRandom(srv *bigcommercetest.Server, rng *rand.Rand, pid bigcommerce.ProductID, n int, ownState bool) {
	orders := rng.Perm(3 * n)[:n]
	imgs := make([]bigcommercetest.Image, n)
	for i := range imgs {
		imgs[i] = bigcommercetest.Image{SortOrder: orders[i], Description: fmt.Sprint("image ", i)}
	}
	thumb := rng.IntN(n)
	if ownState {
		thumb = slices.Index(orders, slices.Min(orders))
	}
	imgs[thumb].IsThumbnail = true
	srv.AddProduct(int64(pid), imgs...)
}

// sortSequence returns the IDs of the stored images by (sort_order, id),
// without the image except.
func sortSequence(imgs []bigcommercetest.Image, except string) []string {
	imgs = slices.Clone(imgs)
	slices.SortFunc(imgs, func(a, b bigcommercetest.Image) int {
		return cmp.Or(cmp.Compare(a.SortOrder, b.SortOrder), cmp.Compare(a.ID, b.ID))
	})
	var out []string
	for _, img := range imgs {
		if id := fmt.Sprint(img.ID); id != except {
			out = append(out, id)
		}
	}
	return out
}

// thumbnailLowest reports whether the product's thumbnail has a sort_order
// lower than every other image's: the adapter's invariant.
func thumbnailLowest(t *testing.T, srv *bigcommercetest.Server, pid bigcommerce.ProductID) bool {
	t.Helper()
	stored, err := srv.Images(int64(pid))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(stored, func(img bigcommercetest.Image) bool { return img.IsThumbnail })
	if i < 0 {
		return len(stored) == 0
	}
	for j, img := range stored {
		if j != i && img.SortOrder <= stored[i].SortOrder {
			return false
		}
	}
	return true
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

// reorderTrial seeds product pid with n images (the thumbnail at the lowest
// sort_order when adapterState), reorders it to a random target (keeping
// the main image when keepMain) and checks it ends listed in that order.
// It returns the stored images before, the listed order before, the target,
// the PUTs sent and the listing after.
func reorderTrial(t *testing.T, f *fixture, p shopimg.ProductImages, rng *rand.Rand, pid bigcommerce.ProductID, n int, adapterState, keepMain bool) (stored []bigcommercetest.Image, display, target []string, puts int, after []shopimg.Image) {
	t.Helper()
	seedRandom(f.srv, rng, pid, n, adapterState)
	stored, _ = f.srv.Images(int64(pid))
	before, err := p.List(ctx, pid.String())
	if err != nil {
		t.Fatal(err)
	}
	display = ids(before)
	target = randomTarget(rng, display, keepMain)
	f.srv.Recorder().Reset()
	if err := p.Reorder(ctx, pid.String(), target); err != nil {
		t.Fatalf("product %d: Reorder: %v", pid, err)
	}
	puts = f.srv.Recorder().Count("PUT", "")
	if after, err = p.List(ctx, pid.String()); err != nil {
		t.Fatal(err)
	}
	if got := ids(after); !slices.Equal(got, target) {
		t.Fatalf("product %d: listed %v after Reorder(%v)", pid, got, target)
	}
	return stored, display, target, puts, after
}

// TestReorderPUTsAreNMinusLIS is the property: over 200 random
// permutations of up to 30 images, Reorder ends in the asked order and
// sends exactly the least number of PUTs, which is what the common model
// counts: Capabilities.ReorderCost under shopimgtest.BigCommerceProfile, from
// the listed order alone.
//
// Precisely, with n images, D the listed order (thumbnail first, then by
// sort_order and ID) and T the asked order: PUTs == n - LIS(positions of T
// in D) when T keeps the main image (T[0] == D[0]; every even trial is
// built that way), and otherwise PUTs == 1 + (n-1) - LIS(positions of T[1:]
// in D without T[0]): the PUT that sets is_thumbnail on T[0], plus the moves
// of the others, among which the old thumbnail stands first. Both are lower
// bounds: an image that is not written keeps its place relative to the
// other unwritten ones, and a new main image needs a write. The products
// start in the state the adapter leaves (the thumbnail has the lowest
// sort_order), and the test checks that Reorder keeps it so.
func TestReorderPUTsAreNMinusLIS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithoutQuota(), bigcommercetest.WithMaxRecords(-1)})
	p := f.client.ProductImages()
	caps := p.Capabilities()
	rng := rand.New(rand.NewPCG(3, 11))
	keptMain, total, totalNMinusLIS, above, maxN := 0, 0, 0, 0, 0
	for trial := range 200 {
		n := 1 + rng.IntN(30)
		pid := bigcommerce.ProductID(1000 + trial)
		_, display, target, puts, after := reorderTrial(t, f, p, rng, pid, n, true, trial%2 == 0)
		if !after[0].Main {
			t.Fatalf("trial %d: the first image is not main", trial)
		}
		if !thumbnailLowest(t, f.srv, pid) {
			t.Fatalf("trial %d: after Reorder the thumbnail does not have the lowest sort_order", trial)
		}
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
		nMinusLIS := n - lis(positions(display, target))
		if puts > nMinusLIS {
			above++
		}
		total, totalNMinusLIS, maxN = total+puts, totalNMinusLIS+nMinusLIS, max(maxN, n)
	}
	if keptMain < 100 {
		t.Errorf("only %d trials kept the main image", keptMain)
	}
	t.Logf("200 reorders of 1 to %d images (%d keep the main image, %d change it): PUTs == Capabilities.ReorderCost(BigCommerceProfile) in all 200; "+
		"%d PUTs in all; n-LIS (the count without the flag) would be %d, exceeded in %d trials", maxN, keptMain, 200-keptMain, total, totalNMinusLIS, above)
}

// TestReorderFromForeignStates starts from states a store edited elsewhere
// may be in, the thumbnail anywhere in the sort order: the listed order
// then hides where the old thumbnail falls back, so the PUTs follow the
// real sort order (exactly 1 + (n-1) - LIS(positions of T[1:] in the sort
// order without T[0]) when the main image changes), and may differ from
// Capabilities.ReorderCost either way. A reorder that changes the main image
// leaves the thumbnail with the lowest sort_order.
func TestReorderFromForeignStates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithoutQuota(), bigcommercetest.WithMaxRecords(-1)})
	p := f.client.ProductImages()
	rng := rand.New(rand.NewPCG(3, 12))
	more, fewer := 0, 0
	for trial := range 200 {
		n := 1 + rng.IntN(30)
		pid := bigcommerce.ProductID(1000 + trial)
		stored, display, target, puts, _ := reorderTrial(t, f, p, rng, pid, n, false, trial%2 == 0)
		want := n - lis(positions(display, target))
		if target[0] != display[0] {
			want = 1 + (n - 1) - lis(positions(sortSequence(stored, target[0]), target[1:]))
			if !thumbnailLowest(t, f.srv, pid) {
				t.Fatalf("trial %d: the new thumbnail does not have the lowest sort_order", trial)
			}
		}
		if puts != want {
			t.Fatalf("trial %d: %d PUTs, want %d", trial, puts, want)
		}
		switch model := shopimgtest.BigCommerceProfile.ReorderCost(display, target); {
		case puts > model:
			more++
		case puts < model:
			fewer++
		}
	}
	t.Logf("200 reorders from foreign states: PUTs above Capabilities.ReorderCost in %d, below in %d", more, fewer)
}

// TestUpdatesCostWhatTheFakeCounts runs random updates (alt text, position,
// main, and combinations) on products in the state the adapter leaves, and
// the same on a shopimgtest.Fake with BigCommerceProfile holding the same
// order: the server receives exactly as many PUTs as the Fake counts
// writes, and both end in the same order.
func TestUpdatesCostWhatTheFakeCounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithoutQuota(), bigcommercetest.WithMaxRecords(-1)})
	p := f.client.ProductImages()
	rng := rand.New(rand.NewPCG(3, 13))
	total, twos := 0, 0
	for trial := range 300 {
		n := 1 + rng.IntN(8)
		pid := bigcommerce.ProductID(1000 + trial)
		seedRandom(f.srv, rng, pid, n, true)
		before, err := p.List(ctx, pid.String())
		if err != nil {
			t.Fatal(err)
		}
		fake := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.BigCommerceProfile))
		fake.Seed("p", before...)
		i := rng.IntN(n)
		var u shopimg.ImageUpdate
		switch rng.IntN(4) {
		case 0:
			u.Main = new(true)
		case 1:
			u.Position = new(rng.IntN(n))
		}
		if u.Main == nil && u.Position == nil || rng.IntN(2) == 0 {
			u.Alt = new("changed")
		}
		if u.Alt == nil && (u.Main != nil && i == 0 || u.Position != nil && *u.Position == i) {
			u.Alt = new("changed") // the Fake counts a no-op update; the adapter sends nothing
		}
		f.srv.Recorder().Reset()
		if _, err := p.Update(ctx, pid.String(), before[i].ID, u); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if _, err := fake.Update(ctx, "p", before[i].ID, u); err != nil {
			t.Fatal(err)
		}
		puts := f.srv.Recorder().Count("PUT", "")
		after, _ := p.List(ctx, pid.String())
		if got, want := ids(after), ids(fake.Images("p")); !slices.Equal(got, want) {
			t.Fatalf("trial %d: listed %v, the Fake %v", trial, got, want)
		}
		if puts != fake.Writes() {
			t.Fatalf("trial %d: Update(%s of %v, %+v): %d PUTs, the Fake counts %d", trial, before[i].ID, ids(before), u, puts, fake.Writes())
		}
		if !thumbnailLowest(t, f.srv, pid) {
			t.Fatalf("trial %d: after Update the thumbnail does not have the lowest sort_order", trial)
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

// TestReorderUnderOtherReadingsOfTheRule runs random reorders against fakes
// that apply sort_order differently from the documented insertion: the
// check (on by default) notices and renumbering gets the asked order.
func TestReorderUnderOtherReadingsOfTheRule(t *testing.T) {
	t.Parallel()
	for _, rule := range []bigcommercetest.ShiftRule{bigcommercetest.ShiftNone, bigcommercetest.ShiftLowerPriority} {
		f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithoutQuota(), bigcommercetest.WithShiftRule(rule)})
		p := f.client.ProductImages()
		rng := rand.New(rand.NewPCG(5, uint64(rule)))
		for trial := range 60 {
			n := 2 + rng.IntN(15)
			pid := bigcommerce.ProductID(2000 + trial)
			seedRandom(f.srv, rng, pid, n, false)
			before, err := p.List(ctx, pid.String())
			if err != nil {
				t.Fatal(err)
			}
			target := ids(before)
			rng.Shuffle(n, func(i, j int) { target[i], target[j] = target[j], target[i] })
			if err := p.Reorder(ctx, pid.String(), target); err != nil {
				t.Fatalf("rule %d trial %d: %v", rule, trial, err)
			}
			after, _ := p.List(ctx, pid.String())
			if got := ids(after); !slices.Equal(got, target) {
				t.Fatalf("rule %d trial %d: listed %v, want %v", rule, trial, got, target)
			}
		}
	}
}

// TestReorderWithTiedSortOrders starts from the spec's example state (every
// image at sort_order 0): single moves cannot place images between tied
// ones, so the plan renumbers, and the order still comes out as asked.
func TestReorderWithTiedSortOrders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
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
	after, _ := p.List(ctx, "5")
	if got := ids(after); !slices.Equal(got, target) {
		t.Errorf("listed %v, want %v", got, target)
	}
	if puts := f.srv.Recorder().Count("PUT", ""); puts > len(target)-1 {
		t.Errorf("%d PUTs, want at most %d (a renumbering of the non-main images)", puts, len(target)-1)
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
		// Move the last image to the middle: one PUT.
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
	}
}
