package bigcommerce_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
)

// TestLongRunStaysWithinTheQuota drives hundreds of adds and lists through
// one client against the fake's Standard-plan quota (150 requests per 30 s)
// on a shared fake clock, from one goroutine and from four: the client's
// limiter, fed by the X-Rate-Limit-* headers, holds requests until the
// window resets, so the store never answers 429.
//
// The share of the quota used is reported for the sequential run only: the
// fake clock advances by every goroutine's sleep, so concurrent sleepers
// make fake time run faster than the quota is used.
func TestLongRunStaysWithinTheQuota(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprint(workers, " workers"), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithMaxRecords(-1)})
			p := f.client.ProductImages()
			perWorker := 400 / workers
			var wg sync.WaitGroup
			for w := range workers {
				pids := make([]bigcommerce.ProductID, 8)
				for k := range pids {
					pids[k] = bigcommerce.ProductID(500 + 10*w + k)
					f.srv.AddProduct(int64(pids[k]))
				}
				wg.Go(func() {
					for i := range perWorker {
						// An add is a GET and a POST; every tenth step
						// also lists.
						pid := pids[i%len(pids)]
						if _, err := p.Add(ctx, pid.String(), shopimg.NewImage{SourceURL: fmt.Sprintf("https://images.example.com/%d-%d.jpg", w, i)}); err != nil {
							t.Errorf("worker %d add %d: %v", w, i, err)
							return
						}
						if i%10 == 9 {
							if _, err := p.List(ctx, pid.String()); err != nil {
								t.Errorf("worker %d list: %v", w, err)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			total := f.srv.Recorder().Count("", "")
			rejected := f.srv.Quota().Rejected()
			elapsed := f.clock.Now().Sub(epoch)
			windows := int(elapsed/bigcommercetest.DefaultWindow) + 1 // windows begun
			share := float64(total) / float64(windows*bigcommercetest.DefaultQuota)
			t.Logf("%d requests over %d windows of fake time: %d answered 429, %.0f%% of the quota used", total, windows, rejected, 100*share)
			if rejected != 0 {
				t.Errorf("%d requests were rejected over quota, want 0", rejected)
			}
			if total < 800 {
				t.Errorf("only %d requests", total)
			}
		})
	}
}

// TestClientsSharingTheQuota runs two clients of one store side by side,
// one on v3 and one on v2 with the .json suffix. With WithSharedQuota they
// keep within the store's quota together; each on its own limiter, they
// run into 429s (each believes it has the quota to itself), which shows
// what the option is for.
func TestClientsSharingTheQuota(t *testing.T) {
	t.Parallel()
	for _, share := range []bool{true, false} {
		t.Run(fmt.Sprint("shared ", share), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithQuota(20, bigcommercetest.DefaultWindow), bigcommercetest.WithMaxRecords(-1)})
			opts := []bigcommerce.Option{bigcommerce.WithV2JSONSuffix(true)}
			if share {
				opts = append(opts, bigcommerce.WithSharedQuota(f.client))
			}
			other, err := f.srv.NewClient(opts...)
			if err != nil {
				t.Fatal(err)
			}
			// Alternate so each client's view is stale by the other's requests.
			for i := range 60 {
				if i%2 == 0 {
					_, _, err = f.client.ListImages(ctx, 111, nil)
				} else {
					_, _, err = other.V2().ListImages(ctx, 111, nil)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			rejected := f.srv.Quota().Rejected()
			t.Logf("shared %v: %d of %d requests answered 429", share, rejected, f.srv.Recorder().Count("", ""))
			if share && rejected != 0 {
				t.Errorf("%d requests rejected with a shared quota, want 0", rejected)
			}
			if !share && rejected == 0 {
				t.Error("no request was rejected without sharing: the test shows nothing")
			}
		})
	}
	f := newFixture(t, nil)
	if _, err := bigcommerce.NewClient("another-store", "tok", bigcommerce.WithSharedQuota(f.client)); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("sharing with another store's client: %v, want ErrInvalidInput", err)
	}
	if _, err := bigcommerce.NewClient("abc", "tok", bigcommerce.WithSharedQuota(nil)); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("sharing with nil: %v, want ErrInvalidInput", err)
	}
}
