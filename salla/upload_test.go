package salla_test

import (
	"fmt"
	"io"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/salla/sallatest"
)

// uploadSize is the file of the streaming test: 32 MiB.
const uploadSize = 32 << 20

// window is how far the file may be read ahead of what the server has
// received: socket buffers and the client's copy buffer, far below the
// file's size.
const window = 8 << 20

// windowedFile is a File of size bytes generated on the fly, whose reader
// fails when it is read more than window bytes ahead of what received()
// reports: a client that read the file whole before sending would trip
// it.
func windowedFile(size int64, received func() int64, ahead *atomic.Int64) *shopimg.File {
	return &shopimg.File{Name: "huge.jpg", ContentType: "image/jpeg", Size: size, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(&windowReader{left: size, received: received, ahead: ahead}), nil
	}}
}

type windowReader struct {
	read, left int64
	received   func() int64
	ahead      *atomic.Int64 // the most read ahead of the server
}

func (r *windowReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	d := r.read - r.received()
	if d > r.ahead.Load() {
		r.ahead.Store(d)
	}
	if d > window {
		return 0, fmt.Errorf("read %d bytes ahead of the server, more than %d: the upload is not streamed", d, window)
	}
	n := int(min(int64(len(p)), r.left))
	clear(p[:n])
	r.read += int64(n)
	r.left -= int64(n)
	return n, nil
}

// heapPeak samples the live heap every 100µs until stopped and returns
// the highest value seen.
func heapPeak() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			metrics.Read(s)
			peak.Store(max(peak.Load(), s[0].Value.Uint64()))
			select {
			case <-done:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	})
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// uploadStats adds a 32 MiB file through the adapter and returns the
// bytes allocated during the call, the growth of the live heap's peak over
// the heap before it (client and fake together, as both run in this
// process), and how far the file was read ahead of the server.
func uploadStats(tb testing.TB) (allocated, peak uint64, ahead int64) {
	tb.Helper()
	f := newFixture(tb, []sallatest.Option{sallatest.WithoutQuota(), sallatest.WithMaxRecordedBody(-1), sallatest.WithMaxUpload(2 * uploadSize)})
	p := f.client.ProductImages()
	var far atomic.Int64
	file := windowedFile(uploadSize, f.srv.PhotoBytes, &far)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := heapPeak()
	img, err := p.Add(ctx, "111", shopimg.NewImage{File: file, Alt: "huge"})
	top := stop()
	runtime.ReadMemStats(&after)
	if err != nil {
		tb.Fatal(err)
	}
	items, _ := f.srv.Items(111)
	if len(items) != 1 || items[0].Size != uploadSize || fmt.Sprint(items[0].ID) != img.ID {
		tb.Fatalf("stored %+v, want one image of %d bytes", items, uploadSize)
	}
	return after.TotalAlloc - before.TotalAlloc, top - min(top, before.HeapAlloc), far.Load()
}

// TestUploadIsStreamed adds a 32 MiB file: it is never read more than a
// window ahead of what the server has received, and the bytes allocated
// during the call (an upper bound of the heap it can have used) stay under
// a sixteenth of the file. It is not parallel, so that no other test's
// allocations are counted.
//
//	go test -run UploadIsStreamed -v ./salla/
func TestUploadIsStreamed(t *testing.T) {
	allocated, peak, ahead := uploadStats(t)
	t.Logf("32 MiB upload: %.2f MiB allocated during the call, live heap peak +%.2f MiB, read at most %.2f MiB ahead of the server",
		float64(allocated)/(1<<20), float64(peak)/(1<<20), float64(ahead)/(1<<20))
	if allocated > uploadSize/16 {
		t.Errorf("%d bytes allocated for a %d-byte upload, want under %d", allocated, uploadSize, uploadSize/16)
	}
}

// BenchmarkUpload32MiB reports the memory of a 32 MiB upload:
// alloc-MiB/op (bytes allocated during the call), peak-heap-MiB (growth of
// the live heap) and ahead-MiB (how far the file was read ahead of the
// server).
//
//	go test -run '^$' -bench Upload32MiB -benchtime 5x ./salla/
func BenchmarkUpload32MiB(b *testing.B) {
	var alloc, peak uint64
	var ahead int64
	n := 0
	for b.Loop() {
		a, p, d := uploadStats(b)
		alloc, peak, ahead, n = alloc+a, max(peak, p), max(ahead, d), n+1
	}
	b.SetBytes(uploadSize)
	b.ReportMetric(float64(alloc)/float64(n)/(1<<20), "alloc-MiB/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(ahead)/(1<<20), "ahead-MiB")
}

// TestWindowCatchesBuffering checks the window reader itself: reading the
// file whole while the server has received nothing fails.
func TestWindowCatchesBuffering(t *testing.T) {
	t.Parallel()
	var far atomic.Int64
	rc, _ := windowedFile(uploadSize, func() int64 { return 0 }, &far).Open()
	if _, err := io.ReadAll(rc); err == nil {
		t.Fatal("reading 32 MiB with nothing received succeeded")
	}
}
