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

// TestListingChangesUnderneath runs 3000 adapter calls (adds at any
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
	for ri, r := range []bigcommercetest.Reading{{}, {Shift: bigcommercetest.ShiftNone, Thumbnail: bigcommercetest.ThumbnailNone}, {Shift: bigcommercetest.ShiftLowerPriorityUpdates}} {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			f := newQuickFixture(t, []bigcommercetest.Option{bigcommercetest.WithReading(r)}, bigcommerce.WithRetry(shopimg.RetryPolicy{}))
			p := f.client.ProductImages()
			rng := rand.New(rand.NewPCG(11, uint64(ri)))
			outcomes := map[string]int{}
			const calls = 1000
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
					switch op {
					case "add":
						img := shopimg.NewImage{SourceURL: fmt.Sprintf("https://pim.example.com/c%d.jpg", call)}
						if pos := rng.IntN(len(before) + 1); pos == 0 && rng.IntN(2) == 0 {
							img.Main = true
						} else {
							img.Position = new(pos)
						}
						added, err = p.Add(ctx, pid.String(), img)
					case "update":
						_, err = p.Update(ctx, pid.String(), id, u)
					case "reorder":
						err = p.Reorder(ctx, pid.String(), target)
					case "delete":
						err = p.Delete(ctx, pid.String(), id)
					}
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
			t.Logf("%d calls against a changing listing: %v", calls, outcomes)
		})
	}
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
