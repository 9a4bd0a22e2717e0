package bigcommerce_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
)

// opModel is what one adapter call must cost, from the listing before it
// and the store's thumbnails (thumbs): the write calls the common model
// counts on a per-image platform (an image that is not written keeps its
// place among the others not written, so the moves are the images outside
// a longest common subsequence, plus any image that needs the thumbnail
// flag), and the order after.
func opModel(before []shopimg.Image, thumbs []string, op string, id string, u shopimg.ImageUpdate, target []string) (writes int, after []string, thumb bool) {
	cur := ids(before)
	flagged := len(before) > 0 && before[0].Main
	switch op {
	case "add":
		return 1, target, false
	case "delete":
		return 1, slices.DeleteFunc(slices.Clone(cur), func(s string) bool { return s == id }), false
	case "reorder":
		return moves(cur, target, nil, true, thumbs), target, true
	}
	// update
	from := slices.Index(cur, id)
	to := from
	if u.Position != nil {
		to = *u.Position
	}
	if u.Main != nil {
		to = 0
	}
	after = slices.Insert(slices.Delete(slices.Clone(cur), from, from+1), to, id)
	altChanges := u.Alt != nil && *u.Alt != before[from].Alt
	makeMain := to == 0 && (u.Main != nil || u.Position != nil) && !(from == 0 && flagged)
	switch {
	case !altChanges && to == from && !makeMain:
		return 0, after, false // the guard sends nothing
	case to == from && !makeMain:
		return 1, after, false
	}
	var written []string
	if altChanges {
		written = append(written, id)
	}
	thumb = makeMain || flagged
	return max(1, moves(cur, after, written, thumb, thumbs)), after, thumb
}

// moves is the least number of per-image writes from cur to target, the
// images of written written anyway, and target[0] written when it must
// become the thumbnail and is not the only one.
func moves(cur, target, written []string, thumb bool, thumbs []string) int {
	if thumb && len(target) > 0 && !(len(thumbs) == 1 && thumbs[0] == target[0]) {
		written = append(written, target[0])
	}
	return len(shopimg.Capabilities{Reorder: true}.ReorderWrites(cur, target, written...))
}

// TestOperationsUnderEveryReading runs random sequences of every adapter
// operation (adds at any position or as the main image, alt, position and
// main updates, reorders, deletes) on random products, dense and not,
// against the fake under each reading of the sort_order and thumbnail
// rules. After every call the store must keep the images in the order
// asked (by sort_order, then ID), with no two at one sort_order, and the
// main image asked flagged; the adapter's write count must equal the write
// requests the server received; and under the default reading each call
// must cost exactly what the common model counts. Under the other
// readings, the test reports how many writes above the model they cost.
// Under the default reading a client may pay one write more, once: on its
// first move that needs the store's rule when no write of that move can
// teach it without risking a tie.
func TestOperationsUnderEveryReading(t *testing.T) {
	t.Parallel()
	trials := trialsOr(60, 15)
	eachReading(t, bigcommercetest.Readings(), 7, func(t *testing.T, r bigcommercetest.Reading, f *fixture, rng *rand.Rand) {
		p := f.client.ProductImages()
		wc := p.(interface{ WriteRequests(string) int })
		calls, model, sent, above, firstAbove := 0, 0, 0, 0, -1
		byOp, worst := map[string]int{}, 0
		for trial := range trials {
			pid := bigcommerce.ProductID(5000 + trial)
			seedRandom(f.srv, rng, pid, rng.IntN(9), seedKind(rng.IntN(3)))
			for step := range 8 {
				before, err := p.List(ctx, pid.String())
				if err != nil {
					t.Fatal(err)
				}
				what := fmt.Sprintf("trial %d step %d", trial, step)
				w0, s0 := f.srv.Recorder().Writes(), wc.WriteRequests(pid.String())
				_, thumbs0, _ := stored(t, f.srv, pid)
				op, id, u, target := randomOp(rng, before)
				img, pos := randomAdd(rng, len(before), fmt.Sprintf("https://pim.example.com/%d-%d.jpg", trial, step))
				added, err := doOp(p, pid.String(), op, id, u, target, img)
				if op == "add" {
					target = slices.Insert(ids(before), pos, added.ID)
				}
				if err != nil {
					t.Fatalf("%s: %s %s %+v %v: %v", what, op, id, u, target, err)
				}
				writes, after, thumb := opModel(before, thumbs0, op, id, u, target)
				got := f.srv.Recorder().Writes() - w0
				if counted := wc.WriteRequests(pid.String()) - s0; counted != got {
					t.Fatalf("%s: %s: the adapter counts %d writes, the server received %d", what, op, counted, got)
				}
				if op == "add" && (len(before) == 0 || target[0] != before[0].ID) {
					thumb = true // a new first image asked to be main
				}
				wantStored(t, f.srv, pid, after, thumb, what+" "+op)
				list, _ := p.List(ctx, pid.String())
				_, thumbs, _ := stored(t, f.srv, pid)
				if len(list) > 0 && list[0].Main != (len(thumbs) == 1 && thumbs[0] == list[0].ID) {
					t.Fatalf("%s: List says main %v, the store's thumbnails are %v", what, list[0].Main, thumbs)
				}
				calls, model, sent = calls+1, model+writes, sent+got
				switch {
				case got < writes:
					t.Fatalf("%s %s: %s %s %+v %v on %v (main %v) alt %v: %d writes, below the model's %d", r, what, op, id, u, target, ids(before), len(before) > 0 && before[0].Main, u.Alt != nil, got, writes)
				case got > writes && r == (bigcommercetest.Reading{}) && (above > 0 || got > writes+1):
					// A new client may pay one write, once, to learn the
					// store's rule (see the package documentation).
					t.Fatalf("%s: %s %s %+v %v on %v: %d writes, the model counts %d", what, op, id, u, target, ids(before), got, writes)
				case got > writes:
					above += got - writes
					byOp[op] += got - writes
					worst = max(worst, got-writes)
					if firstAbove < 0 {
						firstAbove = calls
					}
				}
			}
		}
		t.Logf("%s: %d calls, %d writes sent, the model counts %d: %d above (by call %v, at most %d in one call; the first at call %d)", r, calls, sent, model, above, byOp, worst, firstAbove)
	})
}

// randomOp picks an operation on a product listed as before: its kind, the
// image, the update and the target order (for a reorder).
func randomOp(rng *rand.Rand, before []shopimg.Image) (op, id string, u shopimg.ImageUpdate, target []string) {
	n := len(before)
	if n == 0 {
		return "add", "", u, nil
	}
	switch k := rng.IntN(10); {
	case k < 3:
		return "add", "", u, nil
	case k < 4 && n > 0:
		return "delete", before[rng.IntN(n)].ID, u, nil
	case k < 7:
		target = ids(before)
		rng.Shuffle(n, func(i, j int) { target[i], target[j] = target[j], target[i] })
		return "reorder", "", u, target
	}
	id = before[rng.IntN(n)].ID
	return "update", id, randomUpdate(rng, n, 3, fmt.Sprint("alt ", rng.IntN(3))), nil
}

// randomUpdate draws an update of an image among n: make it main, move it,
// or neither, each with one chance in kinds (neither the rest), with the
// alt text alt always when neither, else half the time.
func randomUpdate(rng *rand.Rand, n, kinds int, alt string) (u shopimg.ImageUpdate) {
	switch rng.IntN(kinds) {
	case 0:
		u.Main = new(true)
	case 1:
		u.Position = new(rng.IntN(n))
	}
	if u.Main == nil && u.Position == nil || rng.IntN(2) == 0 {
		u.Alt = new(alt)
	}
	return u
}

// TestListingChangesUnderneath runs 3000 adapter calls (750 under the race
// detector), 1000 under each of three readings (adds at any
// position, updates of alt, position and main, reorders, deletes) while
// another editor changes the product between two of the call's requests:
// a fault's Before deletes an image, or adds one, right before the n-th
// request of the call. No call may panic or misreport: each either
// succeeds, or fails with ErrConflict (the listing changed), ErrNotFound
// (its image is gone) or ErrInvalidInput (the guard's own listing already
// showed the change, so the arguments no longer fit); and an Add whose
// create was answered returns the image with an error matching ErrAdded.
func TestListingChangesUnderneath(t *testing.T) {
	t.Parallel()
	readings := []bigcommercetest.Reading{{}, {Shift: bigcommercetest.ShiftNone, Thumbnail: bigcommercetest.ThumbnailNone}, {Shift: bigcommercetest.ShiftLowerPriorityUpdates}}
	eachReading(t, readings, 11, func(t *testing.T, r bigcommercetest.Reading, f *fixture, rng *rand.Rand) {
		p := f.client.ProductImages()
		outcomes := map[string]int{}
		calls := 1000 / raceScale // 3000 in all without the race detector
		for call := range calls {
			pid := bigcommerce.ProductID(9000 + call%50)
			if call < 50 || rng.IntN(8) == 0 {
				seedRandom(f.srv, rng, pid, 1+rng.IntN(8), seedKind(rng.IntN(3)))
			}
			before, err := p.List(ctx, pid.String())
			if err != nil {
				t.Fatal(err)
			}
			op, id, u, target := randomOp(rng, before)
			// The other editor acts before request k of the call (the
			// guard's listing is request 0).
			k := rng.IntN(4)
			f.srv.Faults().Clear()
			f.srv.Faults().Add(bigcommercetest.Fault{Path: f.srv.ImagesPath(int64(pid)) + "*", Skip: k, Before: func() { editElsewhere(f.srv, rng, pid) }})
			var added shopimg.Image
			err = func() (err error) {
				defer func() {
					if v := recover(); v != nil {
						t.Fatalf("call %d: %s panicked: %v", call, op, v)
					}
				}()
				img, _ := randomAdd(rng, len(before), fmt.Sprintf("https://pim.example.com/c%d.jpg", call))
				added, err = doOp(p, pid.String(), op, id, u, target, img)
				return err
			}()
			var kind string
			switch {
			case err == nil:
				kind = "ok"
			case errors.Is(err, shopimg.ErrAdded):
				var ae *shopimg.AddedError
				if op != "add" || !errors.As(err, &ae) || added.ID == "" || ae.Image.ID != added.ID {
					t.Fatalf("call %d: %s: %v, with image %q", call, op, err, added.ID)
				}
				kind = "added"
			case errors.Is(err, shopimg.ErrConflict):
				kind = "conflict"
			case errors.Is(err, shopimg.ErrNotFound):
				kind = "not found"
			case errors.Is(err, shopimg.ErrInvalidInput):
				kind = "invalid"
			default:
				t.Fatalf("call %d: %s %s %+v: unexpected error %v", call, op, id, u, err)
			}
			if op == "add" && err != nil && !errors.Is(err, shopimg.ErrAdded) && f.srv.Recorder().Count("POST", "") > 0 && added.ID != "" {
				t.Fatalf("call %d: Add returned image %s with an error not matching ErrAdded: %v", call, added.ID, err)
			}
			outcomes[op+" "+kind]++
		}
		t.Logf("%s: %d calls against a changing listing: %v", r, calls, outcomes)
	}, bigcommerce.WithRetry(shopimg.RetryPolicy{}))
}

// editElsewhere changes the product as another editor would: it deletes a
// random image, or adds one at a random sort_order.
func editElsewhere(srv *bigcommercetest.Server, rng *rand.Rand, pid bigcommerce.ProductID) {
	imgs, err := srv.Images(int64(pid))
	if err != nil {
		return
	}
	if len(imgs) > 0 && rng.IntN(3) > 0 {
		i := rng.IntN(len(imgs))
		imgs = slices.Delete(imgs, i, i+1)
	} else {
		imgs = append(imgs, bigcommercetest.Image{SortOrder: rng.IntN(40) - 5})
	}
	srv.AddProduct(int64(pid), imgs...)
}

// eachReading runs test in a parallel subtest per reading, with a quick
// fixture on a fake that follows it (clients made with opts) and a random
// source seeded by seed and the reading's place in readings.
func eachReading(t *testing.T, readings []bigcommercetest.Reading, seed uint64, test func(t *testing.T, r bigcommercetest.Reading, f *fixture, rng *rand.Rand), opts ...bigcommerce.Option) {
	t.Helper()
	for i, r := range readings {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			f := newQuickFixture(t, []bigcommercetest.Option{bigcommercetest.WithReading(r)}, opts...)
			test(t, r, f, rand.New(rand.NewPCG(seed, uint64(i))))
		})
	}
}

// randomAdd draws where to add url among n images: as the main image, or
// at a position. It returns the image to add and its place.
func randomAdd(rng *rand.Rand, n int, url string) (shopimg.NewImage, int) {
	img := shopimg.NewImage{SourceURL: url}
	pos := rng.IntN(n + 1)
	if pos == 0 && rng.IntN(2) == 0 {
		img.Main = true
	} else {
		img.Position = new(pos)
	}
	return img, pos
}

// doOp calls the operation randomOp drew on product pid (adding img for an
// add) and returns the image an add made.
func doOp(p shopimg.ProductImages, pid, op, id string, u shopimg.ImageUpdate, target []string, img shopimg.NewImage) (shopimg.Image, error) {
	var err error
	switch op {
	case "add":
		return p.Add(ctx, pid, img)
	case "update":
		_, err = p.Update(ctx, pid, id, u)
	case "reorder":
		err = p.Reorder(ctx, pid, target)
	case "delete":
		err = p.Delete(ctx, pid, id)
	}
	return shopimg.Image{}, err
}

// trialsOr returns n, or short with -short, divided by raceScale.
func trialsOr(n, short int) int {
	if testing.Short() {
		n = short
	}
	return max(1, n/raceScale)
}
