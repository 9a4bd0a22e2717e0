package threedcart_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"

	"github.com/shopimg/shopimg/internal/benchcmp"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// rawPage is the hand-written baseline: one GET of a page with net/http and
// encoding/json, as a user would write it without this library. It returns
// the HTTP status and, for a 200, the images.
func rawPage(hc *http.Client, base string, creds threedcart.Credentials, id threedcart.CatalogID, limit, offset int) ([]threedcart.Image, int, error) {
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/3dCartWebAPI/v1/Products/%d/Images?limit=%d&offset=%d", base, id, limit, offset), nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header["SecureURL"] = []string{creds.SecureURL}
	req.Header["PrivateKey"] = []string{creds.PrivateKey}
	req.Header["Token"] = []string{creds.Token}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, resp.StatusCode, nil
	}
	var imgs []threedcart.Image
	err = json.NewDecoder(resp.Body).Decode(&imgs)
	return imgs, resp.StatusCode, err
}

// rawList is the baseline of the adapter's List: every page until the API
// says there is no more, then sorted into display order.
func rawList(hc *http.Client, base string, creds threedcart.Credentials, id threedcart.CatalogID, limit int) ([]threedcart.Image, error) {
	var all []threedcart.Image
	for offset := 0; ; {
		page, status, err := rawPage(hc, base, creds, id, limit, offset)
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK || len(page) == 0 {
			break
		}
		all = append(all, page...)
		offset += len(page)
	}
	slices.SortFunc(all, func(a, b threedcart.Image) int {
		if a.ImageGallerySorting != b.ImageGallerySorting {
			return a.ImageGallerySorting - b.ImageGallerySorting
		}
		return int(a.ImageGalleryID - b.ImageGalleryID)
	})
	return all, nil
}

// BenchmarkListOverhead compares the library with the hand-written baseline
// against the same fake server, on one page (typed ListImages vs one GET)
// and on a whole gallery (adapter List vs the GET loop), and reports the
// ratios: time-ratio and allocs-ratio (library / baseline, server included,
// since both talk to the same fake over loopback) and the library's extra
// ns and allocs per call.
//
//	go test -run '^$' -bench ListOverhead -benchtime 2000x ./threedcart/
func BenchmarkListOverhead(b *testing.B) {
	for _, size := range []int{20, 200} {
		e := newEnv(b, []threedcarttest.Option{threedcarttest.WithMaxRecords(-1)}, threedcart.WithPageSize(200))
		imgs := make([]threedcarttest.Image, size)
		for i := range imgs {
			imgs[i] = threedcarttest.Image{ImageGalleryFile: fmt.Sprintf("assets/images/product-%d.jpg", i), ImageGalleryCaption: fmt.Sprintf("Caption %d", i), ImageGallerySorting: size - i}
		}
		e.srv.AddProduct(1, imgs...)
		hc, base, creds := e.srv.Client(), e.srv.URL, e.srv.Credentials()
		ctx := context.Background()
		cases := []struct {
			name      string
			lib, base func() (int, error)
		}{
			{"page", func() (int, error) {
				l, _, err := e.client.ListImages(ctx, 1, nil)
				return len(l), err
			}, func() (int, error) {
				l, _, err := rawPage(hc, base, creds, 1, 200, 0)
				return len(l), err
			}},
			{"List", func() (int, error) {
				l, err := e.images.List(ctx, "1")
				return len(l), err
			}, func() (int, error) {
				l, err := rawList(hc, base, creds, 1, 200)
				return len(l), err
			}},
		}
		for _, tc := range cases {
			b.Run(fmt.Sprintf("%s/images=%d", tc.name, size), func(b *testing.B) {
				count := func(f func() (int, error)) benchcmp.Call {
					return func() error {
						if n, err := f(); err != nil || n != size {
							return fmt.Errorf("got %d images, %v", n, err)
						}
						return nil
					}
				}
				benchcmp.Compare(b, count(tc.lib), count(tc.base))
			})
		}
	}
}
