package bigcommerce_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/internal/benchcmp"
)

// benchFake is a fake without quota or request log, with product 7 holding
// n images.
func benchFake(tb testing.TB, n int, opts ...bigcommercetest.Option) *bigcommercetest.Server {
	tb.Helper()
	base := []bigcommercetest.Option{bigcommercetest.WithoutQuota(), bigcommercetest.WithMaxRecords(-1), bigcommercetest.WithMaxRecordedBody(-1)}
	srv := bigcommercetest.NewServer(append(base, opts...)...)
	tb.Cleanup(srv.Close)
	imgs := make([]bigcommercetest.Image, n)
	for i := range imgs {
		imgs[i] = bigcommercetest.Image{SortOrder: n - i, Description: fmt.Sprint("image ", i)}
	}
	if n > 0 {
		imgs[0].IsThumbnail = true
	}
	srv.AddProduct(7, imgs...)
	return srv
}

// handWritten is the baseline: the same GET with net/http and
// encoding/json, no retries, limiter, sorting or mapping.
func handWritten(hc *http.Client, url, token string) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Auth-Token", token)
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
		Data []struct {
			ID          int64  `json:"id"`
			SortOrder   int    `json:"sort_order"`
			IsThumbnail bool   `json:"is_thumbnail"`
			Description string `json:"description"`
			URLZoom     string `json:"url_zoom"`
		} `json:"data"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	return len(body.Data), err
}

// BenchmarkListOverhead compares a List of a 50-image product through the
// library (the typed ListImages, and the adapter's List, which also sorts
// and maps) with a hand-written net/http + encoding/json GET of the same
// page from the same fake, and reports time-ratio and allocs-ratio
// (library / baseline, server included) and the library's extra ns and
// allocs per call.
//
//	go test -run '^$' -bench ListOverhead -benchtime 2000x ./bigcommerce/
func BenchmarkListOverhead(b *testing.B) {
	const size = 50
	srv := benchFake(b, size)
	c, err := srv.NewClient()
	if err != nil {
		b.Fatal(err)
	}
	p := c.ProductImages()
	url := srv.URL + srv.ImagesPath(7) + "?limit=250&page=1"
	count := func(n int, err error) error {
		if err == nil && n != size {
			err = fmt.Errorf("got %d images, want %d", n, size)
		}
		return err
	}
	base := func() error { return count(handWritten(srv.Client(), url, srv.AccessToken())) }
	b.Run("typed", func(b *testing.B) {
		benchcmp.Compare(b, func() error {
			page, _, err := c.ListImages(ctx, 7, &bigcommerce.ListImagesOptions{Limit: 250})
			return count(len(page.Images), err)
		}, base)
	})
	b.Run("adapter", func(b *testing.B) {
		benchcmp.Compare(b, func() error {
			l, err := p.List(ctx, "7")
			return count(len(l), err)
		}, base)
	})
}

// bigFile is a File of size bytes produced on the fly, never held.
func bigFile(size int64) *shopimg.File {
	return &shopimg.File{Name: "huge.jpg", Size: size, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(io.LimitReader(zeros{}, size)), nil
	}}
}

// heapSampler samples the live heap until stopped and returns the peak.
func heapSampler() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// uploadMemory adds a file of size bytes through the adapter and returns
// the bytes allocated during the call and the peak growth of the live heap
// (client and fake together, as both run in this process).
func uploadMemory(tb testing.TB, size int64) (allocated, peak uint64) {
	tb.Helper()
	srv := benchFake(tb, 0, bigcommercetest.WithMaxUploadSize(2*size))
	c, err := srv.NewClient(bigcommerce.WithMaxUploadSize(2 * size))
	if err != nil {
		tb.Fatal(err)
	}
	p := c.ProductImages()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := heapSampler()
	if _, err := p.Add(ctx, "7", shopimg.NewImage{File: bigFile(size)}); err != nil {
		tb.Fatal(err)
	}
	top := stop()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, top - min(top, before.HeapAlloc)
}

// TestUploadMemoryIsFarBelowTheFileSize adds a 64 MiB file and checks that
// the bytes allocated during the call (an upper bound of the heap it can
// have used) stay under an eighth of the file: the file is streamed, never
// held. It is deliberately not parallel: Go runs the package's parallel
// tests only after the sequential ones, so no other test's allocations are
// counted.
//
//	go test -run UploadMemory -v ./bigcommerce/
func TestUploadMemoryIsFarBelowTheFileSize(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 64 MiB")
	}
	const size = 64 << 20
	allocated, peak := uploadMemory(t, size)
	t.Logf("64 MiB upload: %.2f MiB allocated during the call, live heap peak +%.2f MiB", float64(allocated)/(1<<20), float64(peak)/(1<<20))
	if allocated > size/8 {
		t.Errorf("%d bytes allocated for a %d-byte upload, want under %d", allocated, size, size/8)
	}
}

// BenchmarkUpload64MiB reports the memory of a 64 MiB upload:
// alloc-MiB/op (bytes allocated during the call) and peak-heap-MiB (growth
// of the live heap).
//
//	go test -run '^$' -bench Upload64MiB -benchtime 5x ./bigcommerce/
func BenchmarkUpload64MiB(b *testing.B) {
	var alloc, peak uint64
	n := 0
	for b.Loop() {
		a, p := uploadMemory(b, 64<<20)
		alloc, peak, n = alloc+a, max(peak, p), n+1
	}
	b.SetBytes(64 << 20)
	b.ReportMetric(float64(alloc)/float64(n)/(1<<20), "alloc-MiB/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
