package shopimgtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
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

// noFlag is BigCommerceProfile with a main image that is its first place.
var noFlag = func() shopimg.Capabilities {
	c := shopimgtest.BigCommerceProfile
	c.MainIsFlag = false
	return c
}()

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
		{"per-image, one moved", noFlag, []int{1, 2, 3, 4, 5, 0}, 1},
		// A new main image costs a write, and the old one, then first
		// among the others, must move to the end.
		{"flag, main moved to the end", shopimgtest.BigCommerceProfile, []int{1, 2, 3, 4, 5, 0}, 2},
		{"flag, last made main", shopimgtest.BigCommerceProfile, []int{5, 0, 1, 2, 3, 4}, 1},
		{"flag, one moved", shopimgtest.SallaProfile, []int{0, 2, 3, 4, 5, 1}, 1},
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

// TestUpdateWritesFollowTheProfile checks what an Update that moves an
// image costs: one call, except where the main image is a flag and the
// update takes the main image away, which costs a write on the image that
// becomes main too (unless the old main image only moves one place down and
// keeps its alt text).
func TestUpdateWritesFollowTheProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name   string
		caps   shopimg.Capabilities
		image  int
		update shopimg.ImageUpdate
		want   int
	}{
		{"alt only", shopimgtest.BigCommerceProfile, 0, shopimg.ImageUpdate{Alt: new("x")}, 1},
		{"made main", shopimgtest.BigCommerceProfile, 3, shopimg.ImageUpdate{Main: new(true), Alt: new("x")}, 1},
		{"moved, main kept", shopimgtest.BigCommerceProfile, 1, shopimg.ImageUpdate{Position: new(3), Alt: new("x")}, 1},
		{"main one down", shopimgtest.BigCommerceProfile, 0, shopimg.ImageUpdate{Position: new(1)}, 1},
		{"main one down with alt", shopimgtest.BigCommerceProfile, 0, shopimg.ImageUpdate{Position: new(1), Alt: new("x")}, 2},
		{"main to the end", shopimgtest.BigCommerceProfile, 0, shopimg.ImageUpdate{Position: new(3)}, 2},
		{"main to the end, no flag", noFlag, 0, shopimg.ImageUpdate{Position: new(3)}, 1},
		{"main to the end, batch", shopimgtest.ShoptetProfile, 0, shopimg.ImageUpdate{Position: new(3)}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := shopimgtest.NewFake(shopimgtest.WithCapabilities(tc.caps))
			imgs := f.Seed("p", make([]shopimg.Image, 4)...)
			if _, err := f.Update(ctx, "p", imgs[tc.image].ID, tc.update); err != nil {
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
	f.Inject(shopimgtest.Fault{Call: shopimgtest.CallAnyWrite, Skip: 1, Err: crash})
	f.Inject(shopimgtest.Fault{Call: shopimgtest.CallAdd, Err: fmt.Errorf("dropped: %w", shopimg.ErrOutcomeUnknown), Apply: true})

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
	if diff := cmp.Diff(map[shopimgtest.Call]int{shopimgtest.CallAdd: 2}, f.Calls()); diff != "" {
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

func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := shopimgtest.NewClock(start)
	ctx := context.Background()
	if err := c.Sleep(ctx, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	_ = c.Sleep(ctx, 0)
	_ = c.Sleep(ctx, -time.Second) // recorded, but time does not go back
	c.Advance(time.Minute)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.Sleep(cancelled, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep with a cancelled context = %v, want context.Canceled", err)
	}
	if got, want := c.Now(), start.Add(time.Minute+3*time.Second); !got.Equal(want) {
		t.Errorf("Now = %v, want %v", got, want)
	}
	if diff := cmp.Diff([]time.Duration{3 * time.Second, 0, -time.Second}, c.Sleeps()); diff != "" {
		t.Errorf("Sleeps (-want +got):\n%s", diff)
	}
	if c.Slept() != 2*time.Second {
		t.Errorf("Slept = %v, want the sum 2s", c.Slept())
	}
}

func TestFakeUnknownProductAndImage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := shopimgtest.NewFake()
	imgs := f.Seed("p", shopimg.Image{})
	url := shopimg.NewImage{SourceURL: "https://x.test/a.jpg"}
	notFound := map[string]error{
		"List":              second(f.List(ctx, "nope")),
		"Add":               second(f.Add(ctx, "nope", url)),
		"Update":            second(f.Update(ctx, "nope", imgs[0].ID, shopimg.ImageUpdate{Alt: new("x")})),
		"Reorder":           f.Reorder(ctx, "nope", nil),
		"Delete":            f.Delete(ctx, "nope", imgs[0].ID),
		"UpdateImages":      second(f.UpdateImages(ctx, "nope", shopimg.BatchUpdate{Alt: map[string]string{"1": "x"}})),
		"Update(image)":     second(f.Update(ctx, "p", "999", shopimg.ImageUpdate{Alt: new("x")})),
		"Delete(image)":     f.Delete(ctx, "p", "999"),
		"UpdateImages(alt)": second(f.UpdateImages(ctx, "p", shopimg.BatchUpdate{Alt: map[string]string{"999": "x"}})),
	}
	for name, err := range notFound {
		if !errors.Is(err, shopimg.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
	if f.Images("nope") != nil {
		t.Error("Images of an unknown product is not nil")
	}
}

func TestFakeRefusesWhatTheProfileLacks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	file := shopimg.NewImage{File: shopimg.FileFromBytes("a.png", []byte("png"))}
	url := shopimg.NewImage{SourceURL: "https://x.test/a.jpg"}
	threeD := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.ThreeDCartProfile))
	threeDImgs := threeD.Seed("p", shopimg.Image{}, shopimg.Image{})
	finer := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.FinerWorksProfile))
	finerImgs := finer.Seed("lib", shopimg.Image{}, shopimg.Image{})
	none := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimg.Capabilities{}))
	none.AddProduct("p")
	unsupported := map[string]error{
		"3dcart upload":            second(threeD.Add(ctx, "p", file)),
		"3dcart add at position 0": second(threeD.Add(ctx, "p", shopimg.NewImage{SourceURL: url.SourceURL, Position: new(0)})),
		"3dcart add main":          second(threeD.Add(ctx, "p", shopimg.NewImage{SourceURL: url.SourceURL, Main: true})),
		"3dcart set main":          second(threeD.Update(ctx, "p", threeDImgs[1].ID, shopimg.ImageUpdate{Main: new(true)})),
		"3dcart delete":            threeD.Delete(ctx, "p", threeDImgs[0].ID),
		"finerworks add main":      second(finer.Add(ctx, "lib", shopimg.NewImage{SourceURL: url.SourceURL, Main: true})),
		"finerworks reorder":       finer.Reorder(ctx, "lib", []string{finerImgs[1].ID, finerImgs[0].ID}),
		"finerworks move":          second(finer.Update(ctx, "lib", finerImgs[1].ID, shopimg.ImageUpdate{Position: new(0)})),
		"finerworks batch order":   second(finer.UpdateImages(ctx, "lib", shopimg.BatchUpdate{Order: []string{finerImgs[1].ID, finerImgs[0].ID}})),
		"none list":                second(none.List(ctx, "p")),
		"none add":                 second(none.Add(ctx, "p", url)),
		"none update":              second(none.Update(ctx, "p", "1", shopimg.ImageUpdate{Alt: new("x")})),
		"none batch":               second(none.UpdateImages(ctx, "p", shopimg.BatchUpdate{Alt: map[string]string{"1": "x"}})),
		"batch alt without Update": second(shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimg.Capabilities{BatchUpdate: true})).UpdateImages(ctx, "p", shopimg.BatchUpdate{Alt: map[string]string{"1": "x"}})),
	}
	for name, err := range unsupported {
		if !errors.Is(err, shopimg.ErrUnsupported) {
			t.Errorf("%s: err = %v, want ErrUnsupported", name, err)
		}
	}
	// Appending at the explicit end is no position change: allowed.
	if _, err := threeD.Add(ctx, "p", shopimg.NewImage{SourceURL: url.SourceURL, Position: new(2)}); err != nil {
		t.Errorf("3dcart add at the end: %v", err)
	}
	if threeD.Writes() != 1 || finer.Writes() != 0 || none.Writes() != 0 {
		t.Errorf("writes %d, %d, %d; want 1, 0, 0", threeD.Writes(), finer.Writes(), none.Writes())
	}
}

func TestFakeMaxImages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.SallaProfile))
	f.Seed("p", make([]shopimg.Image, 10)...)
	_, err := f.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://x.test/11.jpg"})
	if !errors.Is(err, shopimg.ErrInvalidInput) || len(f.Images("p")) != 10 || f.Writes() != 0 {
		t.Errorf("11th image: err = %v, %d images, %d writes; want ErrInvalidInput, 10, 0", err, len(f.Images("p")), f.Writes())
	}
}

func TestFakeUploadsAndClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := shopimgtest.NewClock(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	f := shopimgtest.NewFake(shopimgtest.WithClock(clock), shopimgtest.WithIDs(func(n int) string { return fmt.Sprintf("img-%d.jpg", n) }))
	f.AddProduct("p")
	opens := 0
	file := &shopimg.File{Name: "shoe.png", Size: 4, Open: func() (io.ReadCloser, error) {
		opens++
		return io.NopCloser(strings.NewReader("data")), nil
	}}
	got, err := f.Add(ctx, "p", shopimg.NewImage{File: file, Alt: "Shoe"})
	if err != nil {
		t.Fatal(err)
	}
	want := shopimg.Image{
		ID: "img-1.jpg", ProductID: "p", URL: "https://fake.shopimg.test/p/img-1.jpg/shoe.png", Alt: "Shoe", Main: true,
		UpdatedAt: clock.Now(),
		Raw:       shopimgtest.FakeImage{ID: "img-1.jpg", URL: "https://fake.shopimg.test/p/img-1.jpg/shoe.png", FileName: "shoe.png", Size: 4, Alt: "Shoe", UpdatedAt: clock.Now()},
	}
	if diff := cmp.Diff(want, got); diff != "" || opens != 1 {
		t.Errorf("opened %d times; Add (-want +got):\n%s", opens, diff)
	}
	clock.Advance(time.Hour)
	upd, err := f.Update(ctx, "p", got.ID, shopimg.ImageUpdate{Alt: new("Red shoe")})
	if err != nil || !upd.UpdatedAt.Equal(clock.Now()) {
		t.Errorf("Update: %v, UpdatedAt %v; want the clock's %v", err, upd.UpdatedAt, clock.Now())
	}
	failing := &shopimg.File{Name: "x.png", Size: -1, Open: func() (io.ReadCloser, error) { return nil, errors.New("disk gone") }}
	if _, err := f.Add(ctx, "p", shopimg.NewImage{File: failing}); err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Errorf("unopenable file: err = %v", err)
	}
}

func TestFakeBatchOrderAndCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.ShoptetProfile))
	imgs := f.Seed("p", make([]shopimg.Image, 4)...)
	id := func(i int) string { return imgs[i].ID }
	got, err := f.UpdateImages(ctx, "p", shopimg.BatchUpdate{
		Order: []string{id(3), id(0), id(1), id(2)},
		Alt:   map[string]string{id(0): "front", id(1): ""}, // id(1) unchanged
	})
	if err != nil {
		t.Fatal(err)
	}
	var order, alts []string
	for _, img := range got {
		order, alts = append(order, img.ID), append(alts, img.Alt)
	}
	if diff := cmp.Diff([]string{id(3), id(0), id(1), id(2)}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", "front", "", ""}, alts); diff != "" {
		t.Errorf("alts (-want +got):\n%s", diff)
	}
	if f.Writes() != 1 { // one PATCH of up to 100
		t.Errorf("Writes = %d, want 1", f.Writes())
	}
	// Nothing to change: no write.
	if _, err := f.UpdateImages(ctx, "p", shopimg.BatchUpdate{Order: order, Alt: map[string]string{id(0): "front"}}); err != nil || f.Writes() != 1 {
		t.Errorf("a no-op batch: %v, Writes %d; want no new write", err, f.Writes())
	}
	if _, err := f.UpdateImages(ctx, "p", shopimg.BatchUpdate{Order: order[:2]}); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("a partial order: err = %v, want ErrInvalidInput", err)
	}
	if diff := cmp.Diff(map[shopimgtest.Call]int{shopimgtest.CallUpdateImages: 3}, f.Calls()); diff != "" {
		t.Errorf("Calls (-want +got):\n%s", diff)
	}
	f.ResetCounts()
	if f.Writes() != 0 || len(f.Calls()) != 0 {
		t.Errorf("after ResetCounts: %d writes, calls %v", f.Writes(), f.Calls())
	}
}

func TestFakeFaultsPerProductAndApplied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	boom := errors.New("boom")
	f := shopimgtest.NewFake()
	a := f.Seed("a", shopimg.Image{}, shopimg.Image{})
	b := f.Seed("b", shopimg.Image{}, shopimg.Image{})
	f.Inject(shopimgtest.Fault{Call: shopimgtest.CallDelete, ProductID: "b", Err: boom, Apply: true})
	f.Inject(shopimgtest.Fault{Call: shopimgtest.CallList, Err: boom})
	if err := f.Delete(ctx, "a", a[0].ID); err != nil {
		t.Errorf("Delete on a: %v, want the fault to wait for product b", err)
	}
	if err := f.Delete(ctx, "b", b[0].ID); !errors.Is(err, boom) || len(f.Images("b")) != 1 {
		t.Errorf("Delete on b: %v with %d images left; want boom, applied", err, len(f.Images("b")))
	}
	if _, err := f.List(ctx, "a"); !errors.Is(err, boom) {
		t.Errorf("List: %v, want boom", err)
	}
	if _, err := f.List(ctx, "a"); err != nil {
		t.Errorf("second List: %v, want the fault used up", err)
	}
	for _, op := range []shopimgtest.Call{shopimgtest.CallUpdate, shopimgtest.CallReorder, shopimgtest.CallUpdateImages} {
		f.Inject(shopimgtest.Fault{Call: op, ProductID: "b", Err: boom})
	}
	if _, err := f.Update(ctx, "b", b[1].ID, shopimg.ImageUpdate{Alt: new("x")}); !errors.Is(err, boom) {
		t.Errorf("Update: %v, want boom", err)
	}
	f.Seed("b", shopimg.Image{ID: "x"}, shopimg.Image{ID: "y"})
	if err := f.Reorder(ctx, "b", []string{"y", "x"}); !errors.Is(err, boom) {
		t.Errorf("Reorder: %v, want boom", err)
	}
	if _, err := f.UpdateImages(ctx, "b", shopimg.BatchUpdate{Alt: map[string]string{"x": "new"}}); !errors.Is(err, boom) {
		t.Errorf("UpdateImages: %v, want boom", err)
	}
	if diff := cmp.Diff([]string{"x", "y"}, []string{f.Images("b")[0].ID, f.Images("b")[1].ID}); diff != "" || f.Images("b")[0].Alt != "" {
		t.Errorf("faults without Apply changed the product (-want +got):\n%s", diff)
	}
}

// TestFakeAddCreatedThenFollowUpFailed: an applied Add fault whose Err is
// (or wraps) an *shopimg.AddedError returns the stored image with an
// AddedError holding it; any other applied Err returns no image.
func TestFakeAddCreatedThenFollowUpFailed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cause := &shopimg.APIError{StatusCode: 429}
	f := shopimgtest.NewFake()
	f.AddProduct("p")
	f.Inject(shopimgtest.Fault{Call: shopimgtest.CallAdd, Apply: true, Err: fmt.Errorf("wrapped: %w", &shopimg.AddedError{Step: "read it back", Err: cause})})
	img, err := f.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://pim.example.com/a.jpg", Alt: "a"})
	var added *shopimg.AddedError
	if !errors.As(err, &added) || img.ID == "" || added.Step != "read it back" || added.Err != cause {
		t.Fatalf("Add = %+v, %v; want the image and an AddedError", img, err)
	}
	if diff := cmp.Diff(f.Images("p"), []shopimg.Image{img}); diff != "" {
		t.Errorf("returned image differs from the stored one (-stored +returned):\n%s", diff)
	}
	if diff := cmp.Diff(img, added.Image); diff != "" {
		t.Errorf("AddedError.Image differs from the returned image (-returned +error):\n%s", diff)
	}
	boom := errors.New("boom")
	f.Inject(shopimgtest.Fault{Call: shopimgtest.CallAdd, Apply: true, Err: boom})
	if img, err := f.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://pim.example.com/b.jpg"}); !errors.Is(err, boom) || img.ID != "" || len(f.Images("p")) != 2 {
		t.Errorf("Add = %+v, %v with %d images; want no image, boom, applied", img, err, len(f.Images("p")))
	}
}

func second[T any](_ T, err error) error { return err }

// TestSeededIDsAreNeverHandedOutAgain: an Add after Seed with the caller's
// own IDs gets a fresh ID, not one of those.
func TestSeededIDsAreNeverHandedOutAgain(t *testing.T) {
	t.Parallel()
	f := shopimgtest.NewFake()
	f.Seed("p1", shopimg.Image{URL: "https://x.example/new.jpg"}, shopimg.Image{ID: "1", URL: "https://x.example/1.jpg"}, shopimg.Image{ID: "2", URL: "https://x.example/2.jpg"})
	ids := map[string]bool{}
	for _, img := range f.Images("p1") {
		ids[img.ID] = true
	}
	for i := range 3 {
		img, err := f.Add(context.Background(), "p1", shopimg.NewImage{SourceURL: fmt.Sprintf("https://x.example/add-%d.jpg", i)})
		if err != nil {
			t.Fatal(err)
		}
		if ids[img.ID] {
			t.Fatalf("Add handed out %q, which the product already has: %v", img.ID, f.Images("p1"))
		}
		ids[img.ID] = true
	}
	defer func() {
		if recover() == nil {
			t.Error("Seed with a repeated ID did not panic")
		}
	}()
	f.Seed("p2", shopimg.Image{ID: "7"}, shopimg.Image{ID: "7"})
}

// TestFakeURLsFollowThePlatform checks that an image added from a URL is
// listed under the URL its platform would serve it from: the source URL
// itself exactly where the profile says the platform keeps it
// (KeepsSourceURL), else the platform's own CDN or file names.
func TestFakeURLsFollowThePlatform(t *testing.T) {
	t.Parallel()
	const src = "https://pim.example.com/assets/red-shoe.jpg?v=2"
	hosts := map[string]string{
		"bigcommerce": "cdn11.bigcommerce.com",
		"salla":       "cdn.salla.sa",
		"shoptet":     "cdn.myshoptet.com",
	}
	for name, caps := range shopimgtest.Profiles() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := shopimgtest.NewFake(shopimgtest.WithCapabilities(caps))
			f.AddProduct("p")
			img, err := f.Add(context.Background(), "p", shopimg.NewImage{SourceURL: src})
			if err != nil {
				t.Fatal(err)
			}
			listed := f.Images("p")[0]
			if listed.URL != img.URL || listed.Raw.(shopimgtest.FakeImage).SourceURL != src {
				t.Errorf("listed %q (source %q), Add returned %q", listed.URL, listed.Raw.(shopimgtest.FakeImage).SourceURL, img.URL)
			}
			if kept := img.URL == src; kept != caps.KeepsSourceURL {
				t.Errorf("URL %q: kept the source = %v, KeepsSourceURL = %v", img.URL, kept, caps.KeepsSourceURL)
			}
			if h, ok := hosts[name]; ok {
				u, err := url.Parse(img.URL)
				if err != nil || u.Host != h {
					t.Errorf("URL %q, want one on %s", img.URL, h)
				}
			}
		})
	}
	// A profile of no platform that does not keep URLs rewrites them too.
	f := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimg.Capabilities{List: true, AddFromURL: true}))
	f.AddProduct("p")
	if img, _ := f.Add(context.Background(), "p", shopimg.NewImage{SourceURL: src}); img.URL == src || !strings.HasPrefix(img.URL, "https://") {
		t.Errorf("custom profile: URL %q", img.URL)
	}
}

// TestFakeNetworkFaults checks each word of the network fault vocabulary
// on the Fake: what the caller sees is what a vendor client sees (the
// module's HTTP core decides), and the Fake's platform records the
// requests.
func TestFakeNetworkFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	epoch := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	newFake := func(opts ...shopimgtest.Option) (*shopimgtest.Fake, *shopimgtest.Clock, []string) {
		clock := shopimgtest.NewClock(epoch)
		f := shopimgtest.NewFake(append([]shopimgtest.Option{shopimgtest.WithClock(clock)}, opts...)...)
		imgs := f.Seed("p", shopimg.Image{URL: "https://x.test/a.jpg"}, shopimg.Image{URL: "https://x.test/b.jpg"})
		return f, clock, []string{imgs[0].ID, imgs[1].ID}
	}
	statuses := func(f *shopimgtest.Fake) []int {
		var out []int
		for _, r := range f.Requests() {
			out = append(out, r.Status)
		}
		return out
	}

	t.Run("a 5xx on an update is retried", func(t *testing.T) {
		t.Parallel()
		f, clock, ids := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallUpdate, Status: 503})
		if _, err := f.Update(ctx, "p", ids[1], shopimg.ImageUpdate{Alt: new("B")}); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]int{200, 503, 200}, statuses(f)); d != "" {
			t.Errorf("requests (-want +got):\n%s", d)
		}
		if f.Writes() != 1 || f.Images("p")[1].Alt != "B" || clock.Slept() == 0 {
			t.Errorf("writes %d, alt %q, slept %v; want 1, B, a backoff", f.Writes(), f.Images("p")[1].Alt, clock.Slept())
		}
	})
	t.Run("a 5xx on an add leaves the outcome unknown", func(t *testing.T) {
		t.Parallel()
		f, _, _ := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallAdd, Status: 502})
		_, err := f.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://x.test/c.jpg"})
		var ae *shopimg.APIError
		if !errors.Is(err, shopimg.ErrOutcomeUnknown) || !errors.As(err, &ae) || ae.StatusCode != 502 || len(f.Images("p")) != 2 {
			t.Errorf("err = %v, %d images; want a 502 APIError with ErrOutcomeUnknown and nothing added", err, len(f.Images("p")))
		}
	})
	t.Run("write then drop", func(t *testing.T) {
		t.Parallel()
		f, _, _ := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallAdd, Apply: true, Drop: true})
		_, err := f.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://x.test/c.jpg"})
		if !errors.Is(err, shopimg.ErrOutcomeUnknown) || len(f.Images("p")) != 3 || f.Writes() != 1 {
			t.Errorf("err = %v, %d images, %d writes; want ErrOutcomeUnknown and the image added", err, len(f.Images("p")), f.Writes())
		}
	})
	t.Run("write then fail on a reorder is retried", func(t *testing.T) {
		t.Parallel()
		f, _, ids := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallReorder, ProductID: "p", Apply: true})
		if err := f.Reorder(ctx, "p", []string{ids[1], ids[0]}); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]int{200, 500, 200}, statuses(f)); d != "" || f.Writes() != 2 {
			t.Errorf("requests (-want +got):\n%s; writes %d, want 2 (the PUT reached the platform twice)", d, f.Writes())
		}
	})
	t.Run("Retry-After is waited for", func(t *testing.T) {
		t.Parallel()
		f, clock, _ := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallList, Status: 429, RetryAfter: 7 * time.Second})
		if _, err := f.List(ctx, "p"); err != nil {
			t.Fatal(err)
		}
		if clock.Slept() < 7*time.Second {
			t.Errorf("slept %v, want the 7s asked for", clock.Slept())
		}
	})
	t.Run("a Retry-After beyond MaxRetryAfter fails at once", func(t *testing.T) {
		t.Parallel()
		f, clock, _ := newFake(shopimgtest.WithRetry(shopimg.RetryPolicy{MaxRetries: 3, MaxRetryAfter: time.Minute}))
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallList, Status: 429, RetryAfter: time.Hour})
		_, err := f.List(ctx, "p")
		var ae *shopimg.APIError
		if !errors.Is(err, shopimg.ErrRateLimited) || !errors.As(err, &ae) || ae.RetryAfter != time.Hour || clock.Slept() != 0 {
			t.Errorf("err = %v, slept %v; want ErrRateLimited with RetryAfter 1h, no wait", err, clock.Slept())
		}
	})
	t.Run("latency", func(t *testing.T) {
		t.Parallel()
		f, clock, ids := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallDelete, Latency: 3 * time.Second})
		if err := f.Delete(ctx, "p", ids[0]); err != nil {
			t.Fatal(err)
		}
		if clock.Slept() != 3*time.Second || len(f.Images("p")) != 1 {
			t.Errorf("slept %v, %d images; want 3s and the delete done", clock.Slept(), len(f.Images("p")))
		}
	})
	t.Run("a 404 is not found", func(t *testing.T) {
		t.Parallel()
		f, _, ids := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallAnyWrite, Status: 404})
		if _, err := f.Update(ctx, "p", ids[0], shopimg.ImageUpdate{Alt: new("x")}); !errors.Is(err, shopimg.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
		if f.PendingFaults() != 0 {
			t.Errorf("%d faults pending", f.PendingFaults())
		}
	})
	t.Run("quota", func(t *testing.T) {
		t.Parallel()
		f, clock, _ := newFake(shopimgtest.WithQuota(&fakestore.FixedWindow{Limit: 2, Window: 10 * time.Second}))
		for range 5 {
			if _, err := f.List(ctx, "p"); err != nil {
				t.Fatal(err)
			}
		}
		rejected := 0
		for _, s := range statuses(f) {
			if s == 429 {
				rejected++
			}
		}
		if rejected == 0 || clock.Slept() < 10*time.Second {
			t.Errorf("%d rejections, slept %v; want 429s waited out over at least one window", rejected, clock.Slept())
		}
	})
}

// TestFaultConformanceEveryProfile runs the network fault table on the
// Fake with every platform profile.
func TestFaultConformanceEveryProfile(t *testing.T) {
	t.Parallel()
	for name, caps := range shopimgtest.Profiles() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			shopimgtest.RunFaultConformance(t, func(t *testing.T) shopimgtest.FaultTarget {
				clock := shopimgtest.NewClock(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
				f := shopimgtest.NewFake(shopimgtest.WithCapabilities(caps), shopimgtest.WithClock(clock))
				f.AddProduct("p")
				return shopimgtest.FaultTarget{Images: f, ProductID: "p", Inject: f.Inject, Clock: clock}
			})
		})
	}
}
