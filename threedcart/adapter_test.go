package threedcart_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

var epoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// env is a fake server and a client on it, sharing a fake clock.
type env struct {
	srv    *threedcarttest.Server
	client *threedcart.Client
	images shopimg.ProductImages
	clock  *shopimgtest.Clock
}

func newEnv(t testing.TB, fakeOpts []threedcarttest.Option, opts ...threedcart.Option) *env {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := threedcarttest.NewServer(append([]threedcarttest.Option{threedcarttest.WithClock(clock)}, fakeOpts...)...)
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(append([]threedcart.Option{threedcart.WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, client: c, images: c.ProductImages(), clock: clock}
}

// writes counts the write requests the server received.
func (e *env) writes() int {
	return e.srv.Recorder().Count("POST", "") + e.srv.Recorder().Count("PUT", "") + e.srv.Recorder().Count("DELETE", "")
}

func TestCapabilitiesMatchTheProfile(t *testing.T) {
	t.Parallel()
	c, err := threedcart.NewClient(threedcarttest.DefaultCredentials)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(shopimgtest.ThreeDCartProfile, c.ProductImages().Capabilities()); diff != "" {
		t.Errorf("Capabilities (-profile +adapter):\n%s", diff)
	}
	if _, ok := c.ProductImages().(shopimg.BatchUpdater); !ok {
		t.Error("the adapter is not a shopimg.BatchUpdater")
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, variant := range []struct {
		name string
		opts []threedcarttest.Option
	}{
		{"default", nil},
		{"1-based offsets, 404 past the end, numeric status, failures as HTTP status, pages of 2", []threedcarttest.Option{
			threedcarttest.WithOffsetBase(1), threedcarttest.WithPastEnd(threedcarttest.PastEndNotFound),
			threedcarttest.WithNumericStatus(), threedcarttest.WithHTTPStatusForFailures(), threedcarttest.WithMaxLimit(2),
		}},
	} {
		t.Run(variant.name, func(t *testing.T) {
			t.Parallel()
			shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
				e := newEnv(t, variant.opts)
				e.srv.AddProduct(501)
				return e.images, "501"
			})
		})
	}
}

// TestWriteCosts checks how many requests of each kind each operation
// sends.
func TestWriteCosts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.srv.AddProduct(7)
	var ids []string
	for i := range 4 {
		img, err := e.images.Add(ctx, "7", shopimg.NewImage{SourceURL: fmt.Sprintf("https://cdn.example.com/%d.jpg", i), Alt: fmt.Sprint("Image ", i)})
		if err != nil {
			t.Fatal(err)
		}
		if img.Position != i || img.Main != (i == 0) {
			t.Errorf("Add %d returned %+v", i, img)
		}
		ids = append(ids, img.ID)
	}
	stored, _ := e.srv.Images(7)
	for i, img := range stored {
		if img.ImageGallerySorting != i+1 {
			t.Errorf("image %d stored with sorting %d, want %d", i, img.ImageGallerySorting, i+1)
		}
	}
	// other counts any other request (a DELETE, a stray path): always 0.
	type cost struct{ gets, posts, putsAll, putsOne, other int }
	measure := func(name string, want cost, f func() error) {
		t.Helper()
		e.srv.Recorder().Reset()
		if err := f(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rec := e.srv.Recorder()
		got := cost{
			gets:    rec.Count("GET", ""),
			posts:   rec.Count("POST", ""),
			putsAll: rec.Count("PUT", threedcarttest.ImagesPath(7)),
			putsOne: rec.Count("PUT", threedcarttest.ImagesPath(7)+"/*"),
		}
		got.other = len(rec.Requests()) - got.gets - got.posts - got.putsAll - got.putsOne
		if got != want {
			t.Errorf("%s: sent %+v, want %+v", name, got, want)
		}
	}
	// A gallery of 4 images is one page plus the past-the-end request.
	measure("Reorder", cost{gets: 2, putsAll: 1}, func() error {
		return e.images.Reorder(ctx, "7", []string{ids[3], ids[1], ids[2], ids[0]})
	})
	measure("Reorder to the current order", cost{gets: 2}, func() error {
		return e.images.Reorder(ctx, "7", []string{ids[3], ids[1], ids[2], ids[0]})
	})
	measure("Update(Alt)", cost{gets: 2, putsOne: 1}, func() error {
		_, err := e.images.Update(ctx, "7", ids[2], shopimg.ImageUpdate{Alt: new("New caption")})
		return err
	})
	measure("Update(same Alt)", cost{gets: 2}, func() error {
		_, err := e.images.Update(ctx, "7", ids[2], shopimg.ImageUpdate{Alt: new("New caption")})
		return err
	})
	measure("Update(Position and Alt)", cost{gets: 2, putsAll: 1}, func() error {
		img, err := e.images.Update(ctx, "7", ids[0], shopimg.ImageUpdate{Position: new(0), Alt: new("Main now")})
		if err == nil && (img.ID != ids[0] || img.Position != 0 || !img.Main || img.Alt != "Main now") {
			err = fmt.Errorf("returned %+v", img)
		}
		return err
	})
	b := e.images.(shopimg.BatchUpdater)
	measure("UpdateImages(order and captions)", cost{gets: 2, putsAll: 1}, func() error {
		got, err := b.UpdateImages(ctx, "7", shopimg.BatchUpdate{
			Order: []string{ids[1], ids[2], ids[3], ids[0]},
			Alt:   map[string]string{ids[1]: "One", ids[3]: "Three"},
		})
		if err == nil && (len(got) != 4 || got[0].ID != ids[1] || got[0].Alt != "One" || got[2].Alt != "Three" || !got[0].Main) {
			err = fmt.Errorf("returned %+v", got)
		}
		return err
	})
	measure("UpdateImages(nothing changes)", cost{gets: 2}, func() error {
		_, err := b.UpdateImages(ctx, "7", shopimg.BatchUpdate{Alt: map[string]string{ids[1]: "One"}})
		return err
	})
	measure("Delete, Update(Main), Add(File)", cost{}, func() error {
		errs := []error{
			e.images.Delete(ctx, "7", ids[0]),
			second(e.images.Update(ctx, "7", ids[0], shopimg.ImageUpdate{Main: new(true)})),
			second(e.images.Add(ctx, "7", shopimg.NewImage{File: shopimg.FileFromBytes("a.png", []byte("x"))})),
		}
		for _, err := range errs {
			var ue *shopimg.UnsupportedError
			if !errors.As(err, &ue) || ue.Platform != "threedcart" {
				return fmt.Errorf("err = %v, want a *shopimg.UnsupportedError", err)
			}
		}
		return nil
	})
	list, err := e.images.List(ctx, "7")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ids[1], ids[2], ids[3], ids[0]}
	var got []string
	for _, img := range list {
		got = append(got, img.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("final order (-want +got):\n%s", diff)
	}
}

func second[T any](_ T, err error) error { return err }

// TestDeleteIsUnsupportedAndSendsNothing: the API has no image delete, so
// Delete fails with an *shopimg.UnsupportedError (after checking its IDs)
// without sending any request, whatever the product and image, and
// Capabilities says so.
func TestDeleteIsUnsupportedAndSendsNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	before := e.srv.AddProduct(7, threedcarttest.Image{ImageGalleryFile: "a.jpg", ImageGallerySorting: 1}, threedcarttest.Image{ImageGalleryFile: "b.jpg", ImageGallerySorting: 2})
	if e.images.Capabilities().Delete {
		t.Error("Capabilities().Delete is true")
	}
	ctx := context.Background()
	for _, c := range []struct{ product, image string }{
		{"7", fmt.Sprint(before[0].ImageGalleryID)}, // an existing image
		{"7", "999999"}, // an unknown image
		{"404", "1"},    // an unknown product
	} {
		err := e.images.Delete(ctx, c.product, c.image)
		var ue *shopimg.UnsupportedError
		if !errors.Is(err, shopimg.ErrUnsupported) || !errors.As(err, &ue) || ue.Platform != "threedcart" {
			t.Errorf("Delete(%s, %s): err = %v, want a threedcart *shopimg.UnsupportedError", c.product, c.image, err)
		}
		if errors.Is(err, shopimg.ErrNotFound) || errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("Delete(%s, %s): err = %v also matches another category", c.product, c.image, err)
		}
	}
	if err := e.images.Delete(ctx, "7", "x"); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("Delete of a malformed ID: err = %v, want ErrInvalidInput", err)
	}
	if got := e.srv.Recorder().Requests(); len(got) != 0 {
		t.Errorf("Delete sent %d requests: %+v", len(got), got)
	}
	after, err := e.srv.Images(7)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the gallery changed (-before +after):\n%s", diff)
	}
}

func TestAddAppendsOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	// Images made in the store's admin: sortings with gaps and a tie.
	e.srv.AddProduct(3,
		threedcarttest.Image{ImageGalleryFile: "assets/b.jpg", ImageGallerySorting: 10},
		threedcarttest.Image{ImageGalleryFile: "assets/a.jpg", ImageGallerySorting: 10},
		threedcarttest.Image{ImageGalleryFile: "assets/c.jpg", ImageGallerySorting: 2},
	)
	at3 := shopimg.NewImage{SourceURL: "https://cdn.example.com/last.jpg", Position: new(3)}
	img, err := e.images.Add(ctx, "3", at3)
	if err != nil || img.Position != 3 || img.Main {
		t.Fatalf("Add at the end: %+v, %v", img, err)
	}
	stored, _ := e.srv.Images(3)
	if got := stored[3].ImageGallerySorting; got != 11 {
		t.Errorf("new image sorting = %d, want 11 (after the last)", got)
	}
	e.srv.Recorder().Reset()
	for name, ni := range map[string]shopimg.NewImage{
		"at 0":    {SourceURL: "https://cdn.example.com/x.jpg", Position: new(0)},
		"as main": {SourceURL: "https://cdn.example.com/x.jpg", Main: true},
	} {
		if _, err := e.images.Add(ctx, "3", ni); !errors.Is(err, shopimg.ErrUnsupported) {
			t.Errorf("Add %s: err = %v, want ErrUnsupported", name, err)
		}
	}
	if _, err := e.images.Add(ctx, "3", shopimg.NewImage{SourceURL: "https://cdn.example.com/x.jpg", Position: new(9)}); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("Add at 9 of 4: err = %v, want ErrInvalidInput", err)
	}
	if e.writes() != 0 {
		t.Errorf("refused adds sent %d writes", e.writes())
	}
	list, _ := e.images.List(ctx, "3")
	var files []string
	for _, l := range list {
		files = append(files, l.URL)
	}
	want := []string{
		"https://demo.3dcartstores.com/assets/c.jpg", "https://demo.3dcartstores.com/assets/b.jpg",
		"https://demo.3dcartstores.com/assets/a.jpg", "https://cdn.example.com/last.jpg",
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("display order: sorting, then ID (-want +got):\n%s", diff)
	}
}

func TestAdapterRejectsBadIDsBeforeSending(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.srv.AddProduct(1)
	ctx := context.Background()
	checks := map[string]error{
		"List(abc)":            second(e.images.List(ctx, "abc")),
		"List(0)":              second(e.images.List(ctx, "0")),
		"Add(-1)":              second(e.images.Add(ctx, "-1", shopimg.NewImage{SourceURL: "https://x.example/a.jpg"})),
		"Update(image x)":      second(e.images.Update(ctx, "1", "x", shopimg.ImageUpdate{Alt: new("a")})),
		"Reorder(1.5)":         e.images.Reorder(ctx, "1.5", []string{"1"}),
		"Delete(image 12abc)":  e.images.Delete(ctx, "1", "12abc"),
		"UpdateImages(bad ID)": second(e.images.(shopimg.BatchUpdater).UpdateImages(ctx, "p", shopimg.BatchUpdate{})),
	}
	for name, err := range checks {
		if !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("%s: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if n := len(e.srv.Recorder().Requests()); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

func TestUnknownProductAndImage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := e.images.List(ctx, "404"); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("List of an unknown product: err = %v, want ErrNotFound", err)
	}
	if _, err := e.images.Add(ctx, "404", shopimg.NewImage{SourceURL: "https://x.example/a.jpg"}); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("Add to an unknown product: err = %v, want ErrNotFound", err)
	}
	e.srv.AddProduct(5, threedcarttest.Image{ImageGalleryFile: "a.jpg"})
	b := e.images.(shopimg.BatchUpdater)
	if _, err := b.UpdateImages(ctx, "5", shopimg.BatchUpdate{Alt: map[string]string{"999": "x"}}); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("UpdateImages of an unknown image: err = %v, want ErrNotFound", err)
	}
	for name, order := range map[string][]string{"nil": nil, "empty": {}} {
		if err := e.images.Reorder(ctx, "5", order); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("Reorder(%s) of a product with an image: err = %v, want ErrInvalidInput", name, err)
		}
	}
	if err := e.images.Reorder(ctx, "6", nil); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("Reorder of an unknown product: err = %v, want ErrNotFound", err)
	}
	e.srv.AddProduct(6)
	if err := e.images.Reorder(ctx, "6", nil); err != nil {
		t.Errorf("Reorder(nil) of a product without images: %v", err)
	}
	// Straight to the typed client: the fake answers 200 with a 404 item.
	_, _, err := e.client.UpdateImage(ctx, 5, threedcart.Image{ImageGalleryID: 999, ImageGalleryFile: "x.jpg"})
	var ae *threedcart.APIError
	if !errors.Is(err, shopimg.ErrNotFound) || !errors.As(err, &ae) || ae.StatusCode != 404 {
		t.Errorf("UpdateImage of an unknown image: err = %v, want a 404 APIError", err)
	}
}
