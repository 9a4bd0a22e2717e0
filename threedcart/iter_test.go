package threedcart

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// gallery serves n images by offset with the given base, ignoring offset
// when ignoreOffset is set.
func galleryHandler(t *testing.T, n, base int, ignoreOffset bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		start := max(offset-base, 0)
		if ignoreOffset {
			start = 0
		}
		if start >= n {
			respond(w, http.StatusNotFound, nil)
			return
		}
		var page []Image
		for i := start; i < min(start+limit, n); i++ {
			page = append(page, Image{ImageGalleryID: ImageGalleryID(100 + i), ImageGalleryFile: strconv.Itoa(i)})
		}
		b, err := json.Marshal(page)
		if err != nil {
			t.Error(err)
		}
		respond(w, http.StatusOK, b)
	}
}

func TestIteratorPageSizeOneOnOneBasedOffsets(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, galleryHandler(t, 5, 1, false), WithPageSize(1))
	var got []string
	for img, err := range hs.client.ListImagesIter(context.Background(), 1, nil) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, img.ImageGalleryFile)
	}
	if strings.Join(got, ",") != "0,1,2,3,4" {
		t.Errorf("got %v", got)
	}
}

func TestIteratorGivesUpWhenOffsetIsIgnored(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, galleryHandler(t, 50, 0, true), WithPageSize(10))
	n := 0
	var last error
	for _, err := range hs.client.ListImagesIter(context.Background(), 1, nil) {
		if err != nil {
			last = err
			break
		}
		n++
	}
	if n != 10 || last == nil || !strings.Contains(last.Error(), "seems to ignore offset") {
		t.Errorf("got %d images and err %v; want the first page and then an error", n, last)
	}
}
