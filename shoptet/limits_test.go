package shoptet_test

import (
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopimg/shopimg/shoptet"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

// overlap holds each request the fake admits until the server has as
// many requests in flight as can be (limit, or the number of goroutines
// still sending), so that every request overlaps as many others as the
// client lets through; it waits on a condition, never sleeps. After a few
// seconds of real time it lets everything go, so a broken client fails the
// assertions instead of hanging.
type overlap struct {
	srv    *shoptettest.Server
	limit  int
	mu     sync.Mutex
	cond   *sync.Cond
	active int
	expire bool
}

func newOverlap(limit, active int) *overlap {
	o := &overlap{limit: limit, active: active}
	o.cond = sync.NewCond(&o.mu)
	time.AfterFunc(5*time.Second, func() {
		o.mu.Lock()
		o.expire = true
		o.mu.Unlock()
		o.cond.Broadcast()
	})
	return o
}

// hook is the fake's in-flight hook.
func (o *overlap) hook(int) {
	o.cond.Broadcast()
	o.mu.Lock()
	defer o.mu.Unlock()
	for !o.expire && o.srv.InFlight() < min(o.limit, o.active) {
		o.cond.Wait()
	}
	o.cond.Broadcast()
}

// done is called by a goroutine that sends nothing more.
func (o *overlap) done() {
	o.mu.Lock()
	o.active--
	o.mu.Unlock()
	o.cond.Broadcast()
}

// TestTwentyGoroutinesShareThreeConnections runs 20 goroutines that list
// through one client against a fake that refuses a fourth concurrent
// request of the token with nginx's 429: none is refused, the server sees
// three at once at most, and it does see three (the requests overlapped).
func TestTwentyGoroutinesShareThreeConnections(t *testing.T) {
	t.Parallel()
	const goroutines, calls = 20, 3
	o := newOverlap(shoptet.MaxInFlight, goroutines)
	f := newFixture(t, []shoptettest.Option{shoptettest.WithInFlightHook(o.hook)})
	o.srv = f.srv
	guid := shoptet.ProductGUID(f.srv.AddProduct(shoptettest.Image{Name: "1.jpg"}))
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*calls)
	for range goroutines {
		wg.Go(func() {
			defer o.done()
			for range calls {
				if _, _, err := f.client.ListImages(ctx, guid, ""); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := f.srv.Recorder().Count("", ""); n != goroutines*calls {
		t.Errorf("server got %d requests, want %d (no retries)", n, goroutines*calls)
	}
	for _, r := range f.srv.Recorder().Requests() {
		if r.Status == http.StatusTooManyRequests {
			t.Errorf("a request was refused with 429: %s %s", r.Method, r.Path)
		}
	}
	if p := f.srv.PeakInFlight(); p != shoptet.MaxInFlight {
		t.Errorf("peak requests in flight = %d, want %d", p, shoptet.MaxInFlight)
	}
}

// TestSharedQuotaAcrossClients: two clients of one token, sharing their
// limiter through WithSharedQuota, keep to three connections together.
func TestSharedQuotaAcrossClients(t *testing.T) {
	t.Parallel()
	const goroutines = 12
	o := newOverlap(shoptet.MaxInFlight, goroutines)
	f := newFixture(t, []shoptettest.Option{shoptettest.WithInFlightHook(o.hook)})
	o.srv = f.srv
	other, err := f.srv.NewClient(shoptet.WithSharedQuota(f.client), shoptet.WithUserAgent("second"))
	if err != nil {
		t.Fatal(err)
	}
	guid := shoptet.ProductGUID(f.srv.AddProduct())
	var wg sync.WaitGroup
	for i := range goroutines {
		c := f.client
		if i%2 == 1 {
			c = other
		}
		wg.Go(func() {
			defer o.done()
			if _, _, err := c.ListImages(ctx, guid, ""); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := f.srv.PeakInFlight(); p > shoptet.MaxInFlight {
		t.Errorf("peak requests in flight = %d, want at most %d", p, shoptet.MaxInFlight)
	}
}

// TestWithoutTheCapAFourthRequestIsRefused proves the fake's limit: raw
// concurrent requests beyond three get 429.
func TestWithoutTheCapAFourthRequestIsRefused(t *testing.T) {
	t.Parallel()
	const n = 8
	var released atomic.Bool
	hold := func(int) {
		deadline := time.Now().Add(5 * time.Second)
		for !released.Load() && time.Now().Before(deadline) {
			runtime.Gosched()
		}
	}
	f := newFixture(t, []shoptettest.Option{shoptettest.WithInFlightHook(hold)})
	guid := f.srv.AddProduct()
	var wg sync.WaitGroup
	var refused atomic.Int64
	for range n {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, f.srv.URL+shoptettest.ImagesPath(guid, "shop"), nil)
			req.Header.Set("Shoptet-Private-Api-Token", f.srv.PrivateToken())
			req.Header.Set("Content-Type", "application/json")
			resp, err := f.srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusTooManyRequests {
				refused.Add(1)
				released.Store(true)
			}
		})
	}
	wg.Wait()
	if refused.Load() == 0 || f.srv.PeakInFlight() != shoptettest.MaxConnections {
		t.Errorf("%d requests refused, peak %d in flight: the fake does not enforce the connection limit", refused.Load(), f.srv.PeakInFlight())
	}
}

// TestUpdate250ImagesInOneCall updates 250 images with one UpdateImages
// call: three PATCH requests (100, 100, 50 rows), and every row's outcome,
// including the ones Shoptet skips.
func TestUpdate250ImagesInOneCall(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]shoptettest.Option{"updated-only": nil, "whole-gallery": {shoptettest.WithPatchAnswer(shoptettest.PatchGallery)}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, opts)
			imgs := make([]shoptettest.Image, 247)
			for i := range imgs {
				imgs[i] = shoptettest.Image{Name: fmt.Sprintf("%d.jpg", i), Priority: new(i + 1)}
			}
			guid := shoptet.ProductGUID(f.srv.AddProduct(imgs...))
			rows := make([]shoptet.ImageUpdate, 250)
			for i := range rows {
				rows[i] = shoptet.ImageUpdate{Name: shoptet.ImageName(fmt.Sprintf("%d.jpg", i)), Priority: 1000 + i, Description: new(fmt.Sprint("image ", i))}
			}
			res, _, err := f.client.UpdateImages(ctx, guid, "", rows)
			if err != nil {
				t.Fatal(err)
			}
			if n := f.srv.Recorder().Count(http.MethodPatch, ""); n != 3 {
				t.Errorf("PATCH requests = %d, want 3", n)
			}
			if len(res.Rows) != 250 {
				t.Fatalf("%d row outcomes, want 250", len(res.Rows))
			}
			for i, row := range res.Rows {
				want := shoptet.RowUpdated
				if i >= 247 {
					want = shoptet.RowFailed
				}
				if row.Name != rows[i].Name || row.Status != want {
					t.Errorf("row %d = %s %v, want %s %v", i, row.Name, row.Status, rows[i].Name, want)
				}
				if want == shoptet.RowFailed && (row.Error == nil || row.Error.ErrorCode == "") {
					t.Errorf("row %d failed without its error: %+v", i, row)
				}
				if want == shoptet.RowUpdated && (row.Image == nil || *row.Image.Priority != 1000+i) {
					t.Errorf("row %d updated without its image: %+v", i, row.Image)
				}
			}
			if n := len(res.Failed()); n != 3 {
				t.Errorf("Failed() = %d rows, want 3", n)
			}
			got, _ := f.srv.Images(string(guid), "shop")
			for _, img := range got {
				if img.Description == nil || *img.Description == "" {
					t.Errorf("image %s was not updated on the server", img.Name)
				}
			}
		})
	}
}

// TestBucketFillingKeepsClearOfTheLimit: with a small bucket that drains
// at Shoptet's documented 10 drops a second, 60 calls in a row never
// overflow it: the filling header holds the client back just long enough
// (on its clock).
func TestBucketFillingKeepsClearOfTheLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []shoptettest.Option{shoptettest.WithBucket(20, 10)})
	guid := shoptet.ProductGUID(f.srv.AddProduct())
	for i := range 60 {
		if _, _, err := f.client.ListImages(ctx, guid, ""); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n := f.srv.Quota().Rejected(); n != 0 {
		t.Errorf("%d requests overflowed the bucket", n)
	}
	if slept := f.clock.Slept(); slept < 3*time.Second || slept > 6*time.Second {
		t.Errorf("waited %v in all, want about 4s (40 drops beyond the bucket, at 10 a second)", slept)
	}
}
