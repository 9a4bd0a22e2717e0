package threedcart_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// TestIteratorListsEachImageOnce is the acceptance test: a product
// of 1,001 images listed through the iterator with pages of 200 gives each
// image exactly once, in the server's order, against fakes that count offset
// from 0 and from 1, end their data with either signal, and cap the page
// size or not. The adapter's List gives the same images in display order.
func TestIteratorListsEachImageOnce(t *testing.T) {
	t.Parallel()
	const total = 1001
	images := make([]threedcarttest.Image, total)
	for i := range images {
		images[i] = threedcarttest.Image{ImageGalleryFile: fmt.Sprintf("assets/%d.jpg", i), ImageGallerySorting: total - i}
	}
	type variant struct {
		base     int
		pastEnd  threedcarttest.PastEnd
		maxLimit int
		wantGETs int
	}
	var variants []variant
	for _, base := range []int{0, 1} {
		for _, pe := range []threedcarttest.PastEnd{threedcarttest.PastEndOffsetError, threedcarttest.PastEndNotFound, threedcarttest.PastEndOffsetErrorOK} {
			// 0-based: 5 full pages, 1 image, then the end. 1-based: each
			// page after the first repeats one image, so the 6th page
			// holds 2 (one new) and the 7th is past the end.
			variants = append(variants, variant{base, pe, 0, 7})
		}
		// A server that sends at most 150 whatever we ask: no image lost.
		// 0-based: ceil(1001/150) = 7 pages + end. 1-based: 149 new per
		// page after the first: 1 + ceil(851/149) = 7 pages + end.
		variants = append(variants, variant{base, threedcarttest.PastEndOffsetError, 150, 8})
	}
	for _, v := range variants {
		t.Run(fmt.Sprintf("base %d, past end %v, max %d", v.base, v.pastEnd, v.maxLimit), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, []threedcarttest.Option{
				threedcarttest.WithOffsetBase(v.base), threedcarttest.WithPastEnd(v.pastEnd), threedcarttest.WithMaxLimit(v.maxLimit),
			}, threedcart.WithPageSize(200))
			stored := e.srv.AddProduct(77, images...)
			var want []threedcart.ImageGalleryID
			for _, img := range stored {
				want = append(want, threedcart.ImageGalleryID(img.ImageGalleryID))
			}
			var got []threedcart.ImageGalleryID
			for img, err := range e.client.ListImagesIter(context.Background(), 77, nil) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, img.ImageGalleryID)
			}
			// Each stored image once, in order: no image skipped, none
			// repeated.
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("listed IDs (-stored +listed):\n%s", diff)
			}
			if n := e.srv.Recorder().Count("GET", ""); n != v.wantGETs {
				t.Errorf("%d GETs, want %d", n, v.wantGETs)
			}
			for _, r := range e.srv.Recorder().Requests() {
				if l := r.Query().Get("limit"); l != "200" {
					t.Errorf("limit = %s, want 200", l)
				}
			}
			// The adapter sees the same, in display order (the sortings
			// run backwards).
			list, err := e.images.List(context.Background(), "77")
			if err != nil {
				t.Fatal(err)
			}
			var listed []string
			for _, img := range list {
				listed = append(listed, img.ID)
			}
			var display []string
			for _, id := range slices.Backward(want) {
				display = append(display, id.String())
			}
			if diff := cmp.Diff(display, listed); diff != "" {
				t.Errorf("adapter List IDs (-want +got):\n%s", diff)
			}
			if !list[0].Main || slices.ContainsFunc(list[1:], func(img shopimg.Image) bool { return img.Main }) {
				t.Error("the first image listed is not the only main one")
			}
		})
	}
}

// TestIteratorNeverSkipsOrRepeats sweeps gallery sizes and page sizes
// around the page boundaries against both readings of offset (0-based, and
// 1-based with 0 as the start), each end-of-data signal, and servers that
// cap the page below the limit asked: every gallery comes back whole, each
// image once.
func TestIteratorNeverSkipsOrRepeats(t *testing.T) {
	t.Parallel()
	sizes := []int{0, 1, 2, 3, 7, 8, 9, 16, 17}
	for _, base := range []int{0, 1} {
		for _, pe := range []threedcarttest.PastEnd{threedcarttest.PastEndOffsetError, threedcarttest.PastEndNotFound, threedcarttest.PastEndOffsetErrorOK} {
			for _, maxLimit := range []int{0, 1, 3} {
				t.Run(fmt.Sprintf("base %d, past end %v, max %d", base, pe, maxLimit), func(t *testing.T) {
					t.Parallel()
					srv := threedcarttest.NewServer(threedcarttest.WithClock(shopimgtest.NewClock(epoch)),
						threedcarttest.WithOffsetBase(base), threedcarttest.WithPastEnd(pe), threedcarttest.WithMaxLimit(maxLimit))
					t.Cleanup(srv.Close)
					stored := map[threedcart.CatalogID][]threedcart.ImageGalleryID{}
					for _, n := range sizes {
						pid := threedcart.CatalogID(100 + n)
						imgs := srv.AddProduct(int64(pid), make([]threedcarttest.Image, n)...)
						for _, img := range imgs {
							stored[pid] = append(stored[pid], threedcart.ImageGalleryID(img.ImageGalleryID))
						}
					}
					// The two readings differ on the wire: offset 2 is the
					// third image 0-based, the second 1-based.
					probe, err := srv.NewClient(threedcart.WithPageSize(1))
					if err != nil {
						t.Fatal(err)
					}
					page, _, err := probe.ListImages(context.Background(), 103, &threedcart.ListImagesOptions{Offset: 2})
					if err != nil || len(page) != 1 || page[0].ImageGalleryID != stored[103][2-base] {
						t.Fatalf("offset 2 on a %d-based fake: %v, %v; want image %d", base, page, err, stored[103][2-base])
					}
					for _, pageSize := range []int{1, 2, 3, 8, 200} {
						client, err := srv.NewClient(threedcart.WithPageSize(pageSize))
						if err != nil {
							t.Fatal(err)
						}
						for _, n := range sizes {
							pid := threedcart.CatalogID(100 + n)
							var got []threedcart.ImageGalleryID
							for img, err := range client.ListImagesIter(context.Background(), pid, nil) {
								if err != nil {
									t.Fatalf("%d images, pages of %d: %v", n, pageSize, err)
								}
								got = append(got, img.ImageGalleryID)
							}
							if diff := cmp.Diff(stored[pid], got); diff != "" {
								t.Errorf("%d images, pages of %d (-stored +listed):\n%s", n, pageSize, diff)
							}
						}
					}
				})
			}
		}
	}
}

func TestIteratorStopsEarlyAndResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, threedcart.WithPageSize(10))
	images := make([]threedcarttest.Image, 35)
	for i := range images {
		images[i].ImageGalleryFile = fmt.Sprint(i)
	}
	e.srv.AddProduct(1, images...)
	n := 0
	for _, err := range e.client.ListImagesIter(context.Background(), 1, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 12 {
			break
		}
	}
	if got := e.srv.Recorder().Count("GET", ""); got != 2 {
		t.Errorf("breaking after 12 images sent %d GETs, want 2", got)
	}
	// Starting at an offset, with another page size.
	var files []string
	for img, err := range e.client.ListImagesIter(context.Background(), 1, &threedcart.ListImagesOptions{Offset: 30, Limit: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, img.ImageGalleryFile)
	}
	if fmt.Sprint(files) != "[30 31 32 33 34]" {
		t.Errorf("from offset 30: %v", files)
	}
}
