package salla_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/shopimg/shopimg/internal/benchcmp"
	"github.com/shopimg/shopimg/salla/sallatest"
)

// benchFake is a fake without quota or request log, with product 7
// holding n images.
func benchFake(tb testing.TB, n int) *sallatest.Server {
	tb.Helper()
	srv := sallatest.NewServer(sallatest.WithoutQuota(), sallatest.WithMaxRecords(-1), sallatest.WithMaxRecordedBody(-1), sallatest.WithMaxImages(n))
	tb.Cleanup(srv.Close)
	items := make([]sallatest.Item, n)
	for i := range items {
		items[i] = sallatest.Item{Sort: (n - i) * 1024, Alt: fmt.Sprint("image ", i), Default: i == 0}
	}
	srv.AddProduct(7, "", items...)
	return srv
}

// handWritten is the baseline: the same GET with net/http and
// encoding/json, no retries, limiter, sorting or mapping.
func handWritten(hc *http.Client, url, token string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
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
			ID     int64 `json:"id"`
			Images []struct {
				ID   int64  `json:"id"`
				URL  string `json:"url"`
				Main bool   `json:"main"`
				Alt  string `json:"alt"`
				Type string `json:"type"`
				Sort int    `json:"sort"`
			} `json:"images"`
		} `json:"data"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	return len(body.Data.Images), err
}

// BenchmarkListOverhead compares reading a product with 10 images (the
// most Salla allows) through the library (the typed GetProduct, and the
// adapter's List, which also sorts and maps) with a hand-written net/http
// + encoding/json GET of the same product from the same fake, and reports
// time-ratio and allocs-ratio (library / baseline, server included) and
// the library's extra ns and allocs per call.
//
//	go test -run '^$' -bench ListOverhead -benchtime 2000x ./salla/
func BenchmarkListOverhead(b *testing.B) {
	const size = 10
	srv := benchFake(b, size)
	c, err := srv.NewClient()
	if err != nil {
		b.Fatal(err)
	}
	p := c.ProductImages()
	url := srv.URL + "/products/7"
	count := func(n int, err error) error {
		if err == nil && n != size {
			err = fmt.Errorf("got %d images, want %d", n, size)
		}
		return err
	}
	base := func() error { return count(handWritten(srv.Client(), url, srv.AccessToken())) }
	b.Run("typed", func(b *testing.B) {
		benchcmp.Compare(b, func() error {
			prod, _, err := c.GetProduct(ctx, 7)
			return count(len(prod.Images), err)
		}, base)
	})
	b.Run("adapter", func(b *testing.B) {
		benchcmp.Compare(b, func() error {
			l, err := p.List(ctx, "7")
			return count(len(l), err)
		}, base)
	})
}
