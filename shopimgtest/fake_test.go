package shopimgtest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
)

func TestConformanceEveryProfile(t *testing.T) {
	t.Parallel()
	for name, caps := range shopimgtest.Profiles() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
				f := shopimgtest.NewFake(shopimgtest.WithCapabilities(caps))
				f.AddProduct("p1")
				return f, "p1"
			})
		})
	}
}

// A profile with nothing but List must still pass: every write is unsupported.
func TestConformanceReadOnly(t *testing.T) {
	t.Parallel()
	shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
		f := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimg.Capabilities{List: true}))
		f.AddProduct("p")
		return f, "p"
	})
}

func TestConformanceGUIDs(t *testing.T) {
	t.Parallel()
	shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
		f := shopimgtest.NewFake(shopimgtest.WithIDs(func(n int) string { return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n) }))
		f.AddProduct("p")
		return f, "p"
	})
}

func TestUnknownProduct(t *testing.T) {
	t.Parallel()
	f := shopimgtest.NewFake()
	if _, err := f.List(context.Background(), "nope"); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func TestWritesFollowTheProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	order := func(ids []string, idx ...int) []string {
		out := make([]string, len(idx))
		for i, k := range idx {
			out[i] = ids[k]
		}
		return out
	}
	cases := []struct {
		name  string
		caps  shopimg.Capabilities
		order []int
		want  int
	}{
		{"per-image, one moved", shopimgtest.BigCommerceProfile, []int{1, 2, 3, 4, 5, 0}, 1},
		{"per-image, reversed", shopimgtest.BigCommerceProfile, []int{5, 4, 3, 2, 1, 0}, 5},
		{"per-image, unchanged", shopimgtest.BigCommerceProfile, []int{0, 1, 2, 3, 4, 5}, 0},
		{"batch, reversed", shopimgtest.ThreeDCartProfile, []int{5, 4, 3, 2, 1, 0}, 1},
		{"batch, unchanged", shopimgtest.ShoptetProfile, []int{0, 1, 2, 3, 4, 5}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := shopimgtest.NewFake(shopimgtest.WithCapabilities(tc.caps))
			imgs := f.Seed("p", make([]shopimg.Image, 6)...)
			ids := make([]string, len(imgs))
			for i, img := range imgs {
				ids[i] = img.ID
			}
			if err := f.Reorder(ctx, "p", order(ids, tc.order...)); err != nil {
				t.Fatal(err)
			}
			if f.Writes() != tc.want {
				t.Errorf("Writes = %d, want %d", f.Writes(), tc.want)
			}
		})
	}
}

func TestBatchUpdateCountsChunks(t *testing.T) {
	t.Parallel()
	f := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.FinerWorksProfile))
	imgs := f.Seed("lib", make([]shopimg.Image, 12)...)
	alts := map[string]string{}
	for _, img := range imgs[:11] {
		alts[img.ID] = "t-" + img.ID
	}
	got, err := f.UpdateImages(context.Background(), "lib", shopimg.BatchUpdate{Alt: alts})
	if err != nil {
		t.Fatal(err)
	}
	if f.Writes() != 3 { // 11 changes, 5 a call
		t.Errorf("Writes = %d, want 3", f.Writes())
	}
	if got[0].Alt != "t-"+got[0].ID || got[11].Alt != "" {
		t.Errorf("alts = %q ... %q", got[0].Alt, got[11].Alt)
	}
	if _, err := f.UpdateImages(context.Background(), "lib", shopimg.BatchUpdate{Order: []string{}}); !errors.Is(err, shopimg.ErrUnsupported) {
		t.Errorf("Order on FinerWorks: err = %v, want ErrUnsupported", err)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	crash := errors.New("crash")
	f := shopimgtest.NewFake()
	f.AddProduct("p")
	f.Inject(shopimgtest.Fault{Op: shopimgtest.OpAnyWrite, Skip: 1, Err: crash})
	f.Inject(shopimgtest.Fault{Op: shopimgtest.OpAdd, Err: fmt.Errorf("dropped: %w", shopimg.ErrOutcomeUnknown), Apply: true})

	a, err := f.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://x.test/a.jpg"})
	if err == nil || !errors.Is(err, shopimg.ErrOutcomeUnknown) {
		t.Fatalf("first Add: err = %v, want the applied ErrOutcomeUnknown fault", err)
	}
	if a.ID != "" || len(f.Images("p")) != 1 {
		t.Errorf("applied fault: returned %+v, stored %d images; want nothing returned, 1 stored", a, len(f.Images("p")))
	}
	if _, err := f.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://x.test/b.jpg"}); !errors.Is(err, crash) {
		t.Errorf("second Add: err = %v, want crash (after one skipped write)", err)
	}
	if len(f.Images("p")) != 1 || f.PendingFaults() != 0 {
		t.Errorf("%d images, %d pending faults; want 1 and 0", len(f.Images("p")), f.PendingFaults())
	}
	if diff := cmp.Diff(map[shopimgtest.Op]int{shopimgtest.OpAdd: 2}, f.Calls()); diff != "" {
		t.Errorf("Calls (-want +got):\n%s", diff)
	}
}

func TestNothingCountedForRejectedCalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.ThreeDCartProfile))
	imgs := f.Seed("p", shopimg.Image{}, shopimg.Image{})
	_ = f.Delete(ctx, "p", imgs[0].ID)
	_, _ = f.Update(ctx, "p", imgs[0].ID, shopimg.ImageUpdate{})
	_ = f.Reorder(ctx, "p", []string{imgs[0].ID})
	if f.Writes() != 0 {
		t.Errorf("Writes = %d after rejected calls, want 0", f.Writes())
	}
}
