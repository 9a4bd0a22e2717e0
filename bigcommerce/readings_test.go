package bigcommerce_test

import (
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
	trials := 60
	if testing.Short() {
		trials = 15
	}
	for ri, r := range bigcommercetest.Readings() {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			f := newQuickFixture(t, []bigcommercetest.Option{bigcommercetest.WithReading(r)})
			p := f.client.ProductImages()
			wc := p.(interface{ WriteRequests(string) int })
			rng := rand.New(rand.NewPCG(7, uint64(ri)))
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
					switch op {
					case "add":
						img := shopimg.NewImage{SourceURL: fmt.Sprintf("https://pim.example.com/%d-%d.jpg", trial, step)}
						pos := rng.IntN(len(before) + 1)
						if pos == 0 && rng.IntN(2) == 0 {
							img.Main = true
						} else {
							img.Position = new(pos)
						}
						added, err := p.Add(ctx, pid.String(), img)
						if err != nil {
							t.Fatalf("%s: Add: %v", what, err)
						}
						target = slices.Insert(ids(before), pos, added.ID)
					case "update":
						_, err = p.Update(ctx, pid.String(), id, u)
					case "reorder":
						err = p.Reorder(ctx, pid.String(), target)
					case "delete":
						err = p.Delete(ctx, pid.String(), id)
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
	switch rng.IntN(3) {
	case 0:
		u.Main = new(true)
	case 1:
		u.Position = new(rng.IntN(n))
	}
	if u.Main == nil && u.Position == nil || rng.IntN(2) == 0 {
		u.Alt = new(fmt.Sprint("alt ", rng.IntN(3)))
	}
	return "update", id, u, nil
}
