package threedcart_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// TestIteratorListsEachImageOnce lists a product of 1,001 images with pages
// of 200 against fakes that count offset from 0 and from 1, end their data
// either way, and cap the page size or not: every image comes exactly once,
// in the server's order.
func TestIteratorListsEachImageOnce(t *testing.T) {
	t.Parallel()
	const total = 1001
	images := make([]threedcart.Image, total)
	for i := range images {
		images[i] = threedcart.Image{ImageGalleryFile: fmt.Sprintf("assets/%d.jpg", i), ImageGallerySorting: total - i}
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
		t.Run(fmt.Sprintf("base %d, past end %d, max %d", v.base, v.pastEnd, v.maxLimit), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, []threedcarttest.Option{
				threedcarttest.WithOffsetBase(v.base), threedcarttest.WithPastEnd(v.pastEnd), threedcarttest.WithMaxLimit(v.maxLimit),
			}, threedcart.WithPageSize(200))
			stored := e.srv.AddProduct(77, images...)
			seen := map[threedcart.ImageGalleryID]int{}
			var order []threedcart.ImageGalleryID
			for img, err := range e.client.ListImagesIter(context.Background(), 77, nil) {
				if err != nil {
					t.Fatal(err)
				}
				seen[img.ImageGalleryID]++
				order = append(order, img.ImageGalleryID)
			}
			if len(order) != total || len(seen) != total {
				t.Fatalf("got %d images (%d distinct), want %d", len(order), len(seen), total)
			}
			for i, img := range stored {
				if order[i] != img.ImageGalleryID {
					t.Fatalf("image %d is %d, want %d", i, order[i], img.ImageGalleryID)
				}
			}
			if got := e.srv.Recorder().Count("GET", ""); got != v.wantGETs {
				t.Errorf("%d GETs, want %d", got, v.wantGETs)
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
			if len(list) != total || list[0].ID != stored[total-1].ImageGalleryID.String() || list[total-1].ID != stored[0].ImageGalleryID.String() {
				t.Errorf("adapter List: %d images, first %s, last %s", len(list), list[0].ID, list[total-1].ID)
			}
		})
	}
}

func TestIteratorStopsEarlyAndResumes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil, threedcart.WithPageSize(10))
	images := make([]threedcart.Image, 35)
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
