package shoptet_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/shopimg/shopimg/internal/benchcmp"
	"github.com/shopimg/shopimg/shoptet"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

// handWritten is the baseline: the same GET with net/http and
// encoding/json, every documented field decoded, no retries, limiter,
// sorting or mapping.
func handWritten(hc *http.Client, url, token string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Shoptet-Private-Api-Token", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	var body struct {
		Data struct {
			Images []struct {
				Name           string  `json:"name"`
				Priority       *int    `json:"priority"`
				Description    *string `json:"description"`
				ChangeTime     *string `json:"changeTime"`
				SeoName        string  `json:"seoName"`
				CdnName        string  `json:"cdnName"`
				SignedCdnNames []struct {
					Type string `json:"type"`
					Name string `json:"name"`
				} `json:"signedCdnNames"`
				IsMainImage bool   `json:"isMainImage"`
				Gallery     string `json:"gallery"`
			} `json:"images"`
		} `json:"data"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	return len(body.Data.Images), err
}

// BenchmarkListOverhead compares a List of a 50-image gallery through the
// library (the typed ListImages, and the adapter's List, which also orders
// and maps) with a hand-written net/http + encoding/json GET of the same
// gallery from the same fake, and reports time-ratio and allocs-ratio
// (library / baseline, server included) and the library's extra ns and
// allocs per call.
//
//	go test -run '^$' -bench ListOverhead -benchtime 2000x ./shoptet/
func BenchmarkListOverhead(b *testing.B) {
	const size = 50
	srv := shoptettest.NewServer(shoptettest.WithoutBucket(), shoptettest.WithMaxRecords(-1), shoptettest.WithMaxRecordedBody(-1))
	b.Cleanup(srv.Close)
	imgs := make([]shoptettest.Image, size)
	for i := range imgs {
		imgs[i] = shoptettest.Image{Name: fmt.Sprintf("%d.jpg", 100+i), Priority: new((i + 1) * 10), Description: new(fmt.Sprint("image ", i))}
	}
	guid := srv.AddProduct(imgs...)
	c, err := srv.NewClient()
	if err != nil {
		b.Fatal(err)
	}
	p := c.ProductImages()
	ctx := context.Background()
	url := srv.URL + shoptettest.ImagesPath(guid, "shop")
	hc := srv.Client()
	count := func(f func() (int, error)) benchcmp.Call {
		return func() error {
			if n, err := f(); err != nil || n != size {
				return fmt.Errorf("got %d images, %v", n, err)
			}
			return nil
		}
	}
	base := count(func() (int, error) { return handWritten(hc, url, srv.PrivateToken()) })
	b.Run("typed", func(b *testing.B) {
		benchcmp.Compare(b, count(func() (int, error) {
			l, _, err := c.ListImages(ctx, shoptet.ProductGUID(guid), "")
			return len(l), err
		}), base)
	})
	b.Run("adapter", func(b *testing.B) {
		benchcmp.Compare(b, count(func() (int, error) {
			l, err := p.List(ctx, guid)
			return len(l), err
		}), base)
	})
}
