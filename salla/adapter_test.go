package salla_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/salla"
	"github.com/shopimg/shopimg/salla/sallatest"
)

// gallery returns "id" per entry of the product in the order the fake
// lists it, videos as "v:id" and the flagged main image as "id*".
func galleryOf(t *testing.T, srv *sallatest.Server, pid int64) []string {
	t.Helper()
	items, err := srv.Items(pid)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		s := fmt.Sprint(it.ID)
		if it.Type == "video" {
			s = "v:" + s
		}
		if it.Default {
			s += "*"
		}
		out = append(out, s)
	}
	return out
}

func ids(list []shopimg.Image) []string {
	out := make([]string, len(list))
	for i, img := range list {
		out[i] = img.ID
	}
	return out
}

// videoProduct seeds product 7: images a, b, c, d with videos after a
// and after c, and returns their IDs as strings (images) and the videos.
func videoProduct(f *fixture) (imgs []string, videos []int64) {
	items := f.srv.AddProduct(7, "", []sallatest.Item{
		{Sort: 100, Default: true, Alt: "a"},
		{Sort: 200, Type: "video", VideoURL: "https://youtube.example.com/1"},
		{Sort: 300, Alt: "b"},
		{Sort: 400, Alt: "c"},
		{Sort: 500, Type: "video", VideoURL: "https://youtube.example.com/2"},
		{Sort: 600, Alt: "d"},
	}...)
	for _, it := range items {
		if it.Type == "video" {
			videos = append(videos, it.ID)
		} else {
			imgs = append(imgs, fmt.Sprint(it.ID))
		}
	}
	return imgs, videos
}

// TestVideosKeepTheirPlaces: List shows pictures only; Reorder, a move
// and an Add at a position keep every video at its index in the gallery,
// under every reading of sort writes.
func TestVideosKeepTheirPlaces(t *testing.T) {
	t.Parallel()
	for name, opts := range readings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, opts)
			imgs, videos := videoProduct(f)
			p := f.client.ProductImages()
			list, err := p.List(ctx, "7")
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(imgs, ids(list)); d != "" {
				t.Fatalf("List (-want +got):\n%s", d)
			}
			videoSlots := func() {
				t.Helper()
				g := galleryOf(t, f.srv, 7)
				if len(g) < 6 || g[1] != fmt.Sprint("v:", videos[0]) || g[4] != fmt.Sprint("v:", videos[1]) {
					t.Errorf("videos moved: %v", g)
				}
			}
			rng := rand.New(rand.NewPCG(1, 2))
			for range 12 {
				want := slices.Clone(imgs)
				rng.Shuffle(len(want), func(i, j int) { want[i], want[j] = want[j], want[i] })
				if err := p.Reorder(ctx, "7", want); err != nil {
					t.Fatal(err)
				}
				got, err := p.List(ctx, "7")
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(want, ids(got)); d != "" || !got[0].Main {
					t.Fatalf("after Reorder (-want +got):\n%s", d)
				}
				videoSlots()
				imgs = want
			}
			if _, err := p.Update(ctx, "7", imgs[3], shopimg.ImageUpdate{Position: new(1), Alt: new("moved")}); err != nil {
				t.Fatal(err)
			}
			videoSlots()
			if _, err := p.Add(ctx, "7", shopimg.NewImage{SourceURL: "https://img.example.com/e.jpg", Position: new(3)}); err != nil {
				t.Fatal(err)
			}
			if g := galleryOf(t, f.srv, 7); len(g) != 7 || g[1] != fmt.Sprint("v:", videos[0]) || g[4] != fmt.Sprint("v:", videos[1]) {
				t.Errorf("after Add at 3 (before the fourth picture): %v", g)
			}
		})
	}
}

// addN adds n images to product 111 and returns their IDs.
func addN(t *testing.T, p shopimg.ProductImages, n int) []string {
	t.Helper()
	var out []string
	for i := range n {
		img, err := p.Add(ctx, "111", shopimg.NewImage{SourceURL: fmt.Sprintf("https://img.example.com/%d.jpg", i)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, img.ID)
	}
	return out
}

// TestReorderWritesOnlyWhatMoves counts the updates of a Reorder on a
// gallery the adapter filled (its sort values SortStep apart): exactly
// Capabilities().ReorderCost, under both readings of a sort write.
func TestReorderWritesOnlyWhatMoves(t *testing.T) {
	t.Parallel()
	for _, shift := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(3, 4))
		for range 25 / raceScale {
			f := newFixture(t, []sallatest.Option{sallatest.WithSortShift(shift), sallatest.WithoutQuota()}, salla.WithReorderCheck(false))
			p := f.client.ProductImages()
			cur := addN(t, p, 1+rng.IntN(8))
			want := slices.Clone(cur)
			rng.Shuffle(len(want), func(i, j int) { want[i], want[j] = want[j], want[i] })
			before := f.srv.Recorder().Count("POST", "")
			if err := p.Reorder(ctx, "111", want); err != nil {
				t.Fatal(err)
			}
			if got, cost := f.srv.Recorder().Count("POST", "")-before, p.Capabilities().ReorderCost(cur, want); got != cost {
				t.Errorf("shift %v: %v -> %v: %d updates, ReorderCost %d", shift, cur, want, got, cost)
			}
			l, _ := p.List(ctx, "111")
			if d := cmp.Diff(want, ids(l)); d != "" {
				t.Errorf("shift %v: order (-want +got):\n%s", shift, d)
			}
		}
	}
}

// TestManyReordersStayCheap runs 120 random reorders (a quarter under
// the race detector) in a row on one
// product: the values between images run out now and then, and the
// adapter spreads them apart again by writing every image once, so the
// writes stay close to the sum of ReorderCost.
func TestManyReordersStayCheap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []sallatest.Option{sallatest.WithoutQuota()})
	p := f.client.ProductImages()
	cur := addN(t, p, 8)
	rng := rand.New(rand.NewPCG(5, 6))
	total, cost := 0, 0
	for range 120 / raceScale {
		want := slices.Clone(cur)
		rng.Shuffle(len(want), func(i, j int) { want[i], want[j] = want[j], want[i] })
		before := f.srv.Recorder().Count("POST", "")
		if err := p.Reorder(ctx, "111", want); err != nil {
			t.Fatal(err)
		}
		total += f.srv.Recorder().Count("POST", "") - before
		cost += p.Capabilities().ReorderCost(cur, want)
		cur = want
	}
	t.Logf("%d reorders of 8 images: %d updates, ReorderCost sum %d (%.3fx)", 120/raceScale, total, cost, float64(total)/float64(cost))
	if float64(total) > 1.15*float64(cost) {
		t.Errorf("%d updates for a ReorderCost sum of %d", total, cost)
	}
}

// TestUpdateThatChangesIDs runs the operations under the readings where
// an update with a photo URL gives the image a new ID: the gallery ends as
// asked, with no image lost or left twice, Update returns the new ID, and
// Reorder's result is found by listing again.
func TestUpdateThatChangesIDs(t *testing.T) {
	t.Parallel()
	for _, u := range []sallatest.UpdateIDs{sallatest.UpdateNewID, sallatest.UpdateCopies} {
		t.Run(u.String(), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, []sallatest.Option{sallatest.WithUpdateIDs(u)})
			p := f.client.ProductImages()
			alts := []string{"a", "b", "c", "d"}
			for _, a := range alts {
				if _, err := p.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://img.example.com/" + a + ".jpg", Alt: a}); err != nil {
					t.Fatal(err)
				}
			}
			altsOf := func() []string {
				t.Helper()
				l, err := p.List(ctx, "111")
				if err != nil {
					t.Fatal(err)
				}
				out := make([]string, len(l))
				for i, img := range l {
					out[i] = img.Alt
				}
				return out
			}
			list, _ := p.List(ctx, "111")
			got, err := p.Update(ctx, "111", list[1].ID, shopimg.ImageUpdate{Alt: new("B")})
			if err != nil {
				t.Fatal(err)
			}
			if got.ID == list[1].ID || got.Alt != "B" {
				t.Errorf("Update returned %s %q, want a new ID with alt B", got.ID, got.Alt)
			}
			if d := cmp.Diff([]string{"a", "B", "c", "d"}, altsOf()); d != "" {
				t.Errorf("after Update (-want +got):\n%s", d)
			}
			list, _ = p.List(ctx, "111")
			if err := p.Reorder(ctx, "111", []string{list[3].ID, list[0].ID, list[2].ID, list[1].ID}); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff([]string{"d", "a", "c", "B"}, altsOf()); d != "" {
				t.Errorf("after Reorder (-want +got):\n%s", d)
			}
			list, _ = p.List(ctx, "111")
			if _, err := p.Update(ctx, "111", list[2].ID, shopimg.ImageUpdate{Main: new(true)}); err != nil {
				t.Fatal(err)
			}
			final, _ := p.List(ctx, "111")
			if d := cmp.Diff([]string{"c", "d", "a", "B"}, altsOf()); d != "" || !final[0].Main {
				t.Errorf("after SetMain (-want +got):\n%s", d)
			}
			if g := galleryOf(t, f.srv, 111); len(g) != 4 {
				t.Errorf("the store holds %v, want 4 images", g)
			}
		})
	}
}

// TestImageLimit: the limit is checked before sending, and configurable.
func TestImageLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []sallatest.Option{sallatest.WithMaxImages(3)})
	for _, max := range []int{2, 3} {
		c, err := f.srv.NewClient(salla.WithMaxImages(max))
		if err != nil {
			t.Fatal(err)
		}
		p := c.ProductImages()
		if got := p.Capabilities().MaxImages; got != max {
			t.Errorf("MaxImages %d, want %d", got, max)
		}
		for {
			l, _ := p.List(ctx, "111")
			if len(l) >= max {
				break
			}
			if _, err := p.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://img.example.com/x.jpg"}); err != nil {
				t.Fatal(err)
			}
		}
		before := f.srv.Recorder().Count("POST", "")
		if _, err := p.Add(ctx, "111", shopimg.NewImage{SourceURL: "https://img.example.com/y.jpg"}); !errors.Is(err, shopimg.ErrInvalidInput) {
			t.Errorf("Add beyond %d: %v", max, err)
		}
		if f.srv.Recorder().Count("POST", "") != before {
			t.Error("an add beyond the limit was sent")
		}
	}
	if _, err := f.srv.NewClient(salla.WithMaxImages(0)); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("WithMaxImages(0): %v", err)
	}
}

// TestDeleteChecksTheProduct: the API deletes by image ID alone; the
// adapter refuses an image of another product, or a video, as not found,
// and sends no delete.
func TestDeleteChecksTheProduct(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	imgs, videos := videoProduct(f)
	p := f.client.ProductImages()
	for _, id := range []string{imgs[0], fmt.Sprint(videos[0])} {
		if err := p.Delete(ctx, "111", id); !errors.Is(err, shopimg.ErrNotFound) {
			t.Errorf("Delete(111, %s) of product 7's entry: %v, want ErrNotFound", id, err)
		}
	}
	if err := p.Delete(ctx, "7", fmt.Sprint(videos[0])); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("Delete of a video: %v, want ErrNotFound", err)
	}
	if n := f.srv.Recorder().Count("DELETE", ""); n != 0 {
		t.Errorf("%d deletes sent", n)
	}
	if err := p.Delete(ctx, "7", imgs[1]); err != nil {
		t.Fatal(err)
	}
	if g := galleryOf(t, f.srv, 7); len(g) != 5 {
		t.Errorf("after the delete: %v", g)
	}
}
