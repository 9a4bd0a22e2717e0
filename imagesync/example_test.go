package imagesync_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
)

// pim is a desired gallery, as a PIM would describe a product's images.
var pim = []imagesync.Entry{
	{Key: "asset-17", SourceURL: "https://pim.example.com/assets/17.jpg", Alt: "Red shoe, side"},
	{Key: "asset-18", SourceURL: "https://pim.example.com/assets/18.jpg", Alt: "Red shoe, top"},
	{Key: "asset-21", SourceURL: "https://pim.example.com/assets/21.jpg", Alt: "Red shoe, sole"},
}

// Sync a PIM's gallery onto a product, here on the in-memory fake behaving
// like BigCommerce. The second sync finds nothing to do.
func Example() {
	ctx := context.Background()
	fake := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.BigCommerceProfile))
	fake.AddProduct("111")
	target := imagesync.Target{Platform: "bigcommerce", Store: "abc123", Images: fake}
	s := &imagesync.Syncer{Store: imagesync.NewMemoryStore()}

	res, err := s.Sync(ctx, target, "111", pim)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("writes:", res.Writes)
	for _, img := range fake.Images("111") {
		fmt.Println(img.Position, img.Main, img.Alt)
	}
	res, _ = s.Sync(ctx, target, "111", pim)
	fmt.Println("second sync writes:", res.Writes)
	// Output:
	// writes: 3
	// 0 true Red shoe, side
	// 1 false Red shoe, top
	// 2 false Red shoe, sole
	// second sync writes: 0
}

// A dry run prints the plan and writes nothing. Here the PIM moved the sole
// view first, renamed the top view and dropped the side view, on a product
// imagesync synced before. On BigCommerce each moved image costs a call, so
// the renamed image moves (after the sole view) in the same call that
// changes its alt text; the main image is a flag there, so the old main
// image is deleted last, which leaves the sole view main without a call to
// make it so.
func ExampleSyncer_DryRun() {
	ctx := context.Background()
	fake := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.BigCommerceProfile))
	fake.AddProduct("111")
	target := imagesync.Target{Platform: "bigcommerce", Store: "abc123", Images: fake}
	s := &imagesync.Syncer{Store: imagesync.NewMemoryStore()}
	if _, err := s.Sync(ctx, target, "111", pim); err != nil {
		fmt.Println(err)
		return
	}
	fake.ResetCounts()

	changed := []imagesync.Entry{pim[2], pim[1]}
	changed[1].Alt = "Red shoe, from above"
	if _, err := s.DryRun(ctx, target, "111", changed, os.Stdout); err != nil {
		fmt.Println(err)
	}
	fmt.Println("writes:", fake.Writes())
	// Output:
	// plan for bigcommerce/abc123/111 (policy keep-unknown): 2 ops, 2 writes
	// #  OP      KEY       IMAGE  WRITES  DETAIL
	// 1  update  asset-18  2      1       alt "Red shoe, top" -> "Red shoe, from above"; move to 2
	// 2  delete  asset-17  1      1       key no longer desired
	// writes: 0
}

// On a platform that batches (3dcart), the alt change and the new order
// travel in one call, and what the platform cannot do is drift.
func ExamplePlan_String() {
	current := []shopimg.Image{
		{ID: "1001", URL: "https://pim.example.com/assets/17.jpg", Alt: "Red shoe, side"},
		{ID: "1002", URL: "https://pim.example.com/assets/18.jpg", Alt: "Red shoe, top"},
		{ID: "1003", URL: "https://pim.example.com/assets/21.jpg", Alt: "Red shoe, sole"},
	}
	state := imagesync.State{Mappings: []imagesync.Mapping{
		{Key: "asset-17", ImageID: "1001", Created: true},
		{Key: "asset-18", ImageID: "1002", Created: true},
		{Key: "asset-21", ImageID: "1003", Created: true},
	}}
	desired := []imagesync.Entry{pim[2], pim[1], {Key: "asset-30", SourceURL: "https://pim.example.com/assets/30.jpg", Alt: "Box"}}
	desired[1].Alt = "Red shoe, from above"
	p, err := imagesync.NewPlan(imagesync.Input{
		Ref:     imagesync.ProductRef{Platform: "threedcart", Store: "shop", Product: "9"},
		Current: current, State: state, Desired: desired,
		Caps: shopimgtest.ThreeDCartProfile,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(p)
	// Output:
	// plan for threedcart/shop/9 (policy keep-unknown): 2 ops, 2 writes, 1 drift
	// #  OP     KEY       IMAGE  WRITES  DETAIL
	// 1  add    asset-30  -      1       at 3 from https://pim.example.com/assets/30.jpg alt "Box"
	// 2  batch  -         -      1       alt asset-18#1002 "Red shoe, top" -> "Red shoe, from above"; order [asset-21#1003 asset-18#1002 asset-30 asset-17#1001]
	// drift: delete asset-17#1001: the platform cannot delete images (key no longer desired)
}

// LowerBound is the fewest writes any plan needs; a plan costs exactly that.
func ExampleLowerBound() {
	current := []shopimg.Image{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}, {ID: "e"}}
	var state imagesync.State
	var desired []imagesync.Entry
	for _, id := range []string{"e", "a", "b", "c", "d"} { // the last image becomes main
		state.Mappings = append(state.Mappings, imagesync.Mapping{Key: "k" + id, ImageID: id})
		desired = append(desired, imagesync.Entry{Key: "k" + id})
	}
	for _, name := range []string{"bigcommerce", "shoptet", "finerworks"} {
		caps := shopimgtest.Profiles()[name]
		n, _ := imagesync.LowerBound(imagesync.Input{Current: current, State: state, Desired: desired, Caps: caps})
		fmt.Println(name, n)
	}
	// Output:
	// bigcommerce 1
	// shoptet 1
	// finerworks 0
}

// Mirror copies a gallery from one platform to another, keyed by the source
// images, so later runs only copy what changed.
func ExampleMirror() {
	ctx := context.Background()
	src := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.ShoptetProfile))
	src.Seed("guid-1", shopimg.Image{URL: "https://cdn.myshoptet.com/1.jpg", Alt: "Front"}, shopimg.Image{URL: "https://cdn.myshoptet.com/2.jpg", Alt: "Back"})
	dst := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.SallaProfile))
	dst.AddProduct("1908")
	from := imagesync.Target{Platform: "shoptet", Store: "eshop.cz", Images: src}
	to := imagesync.Target{Platform: "salla", Store: "store-7", Images: dst}

	desired, _ := imagesync.Mirror(ctx, from, "guid-1")
	fmt.Println(desired[0].Key)
	s := &imagesync.Syncer{Store: imagesync.NewMemoryStore(), Policy: imagesync.Policy{Delete: imagesync.MirrorExact}}
	res, _ := s.Sync(ctx, to, "1908", desired)
	fmt.Println("writes:", res.Writes)
	// Salla fetches the images and serves its own copies.
	for _, img := range dst.Images("1908") {
		fmt.Println(img.URL, img.Alt)
	}
	// Output:
	// shoptet/eshop.cz/guid-1/1
	// writes: 2
	// https://cdn.salla.sa/shopimgtest/1.jpg Front
	// https://cdn.salla.sa/shopimgtest/2.jpg Back
}

// Run syncs many products, a bounded number at a time, and reports.
func ExampleSyncer_Run() {
	ctx := context.Background()
	fake := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.ShoptetProfile))
	target := imagesync.Target{Platform: "shoptet", Store: "eshop.cz", Images: fake}
	var jobs []imagesync.Job
	for i := range 20 {
		pid := fmt.Sprintf("guid-%02d", i)
		fake.AddProduct(pid)
		jobs = append(jobs, imagesync.Job{Target: target, ProductID: pid, Desired: pim[:1+i%3]})
	}
	fake.Inject(shopimgtest.Fault{Call: shopimgtest.CallList, ProductID: "guid-13", Err: &shopimg.APIError{StatusCode: 401}})

	s := &imagesync.Syncer{Store: imagesync.NewMemoryStore()}
	rep, err := s.Run(ctx, slices.Values(jobs), imagesync.RunOptions{Concurrency: 4, PerStore: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := rep.Counts
	fmt.Printf("%d jobs: %d applied, %d skipped, %d failed, %d writes\n", c.Jobs, c.Applied, c.Skipped, c.Failed, c.Writes)
	for _, res := range rep.Failed() {
		fmt.Println(res.Ref, errors.Is(res.Err, shopimg.ErrUnauthorized))
	}
	// Output:
	// 20 jobs: 19 applied, 0 skipped, 1 failed, 37 writes
	// shoptet/eshop.cz/guid-13 true
}

// A plan marshals to JSON, for a review step or an audit log: here the
// sole view becomes main on BigCommerce, in one call that also changes its
// alt text, and a new image goes straight to its place.
func ExamplePlan_json() {
	p, err := imagesync.NewPlan(imagesync.Input{
		Ref: imagesync.ProductRef{Platform: "bigcommerce", Store: "abc123", Product: "111"},
		Current: []shopimg.Image{
			{ID: "1001", URL: "https://pim.example.com/assets/17.jpg", Alt: "Red shoe, side"},
			{ID: "1002", URL: "https://pim.example.com/assets/21.jpg", Alt: "Red shoe, sole"},
		},
		State: imagesync.State{Mappings: []imagesync.Mapping{
			{Key: "asset-17", ImageID: "1001", Created: true},
			{Key: "asset-21", ImageID: "1002", Created: true},
		}},
		Desired: []imagesync.Entry{
			{Key: "asset-21", SourceURL: "https://pim.example.com/assets/21.jpg", Alt: "Red shoe, from below"},
			pim[0],
			{Key: "asset-30", SourceURL: "https://pim.example.com/assets/30.jpg", Alt: "Box"},
		},
		Caps: shopimgtest.BigCommerceProfile,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	fmt.Println(string(b))
	// Output:
	// {
	//   "ref": {
	//     "platform": "bigcommerce",
	//     "store": "abc123",
	//     "product": "111"
	//   },
	//   "policy": {
	//     "delete": "keep-unknown"
	//   },
	//   "ops": [
	//     {
	//       "op": "update",
	//       "ref": {
	//         "key": "asset-21",
	//         "image_id": "1002"
	//       },
	//       "alts": [
	//         {
	//           "ref": {
	//             "key": "asset-21",
	//             "image_id": "1002"
	//           },
	//           "from": "Red shoe, sole",
	//           "to": "Red shoe, from below"
	//         }
	//       ],
	//       "position": 0,
	//       "main": true,
	//       "writes": 1
	//     },
	//     {
	//       "op": "add",
	//       "ref": {
	//         "key": "asset-30"
	//       },
	//       "source": "https://pim.example.com/assets/30.jpg",
	//       "alt": "Box",
	//       "position": 2,
	//       "writes": 1
	//     }
	//   ],
	//   "drift": [],
	//   "writes": 2
	// }
}
