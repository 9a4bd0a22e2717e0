package salla_test

import (
	"sync"
	"testing"
	"time"

	"github.com/shopimg/shopimg/salla/sallatest"
)

// TestQuotaIsKept runs 400 Lists from 4 goroutines through one client on
// a fake with the Plus plan's quota (120 a minute, a leaky bucket): the
// limiter, fed by X-RateLimit-Remaining and X-RateLimit-Reset (an epoch
// second read with the client's clock), keeps every request within the
// quota (no 429), and the run takes about the quota's time, on the fake
// clock.
func TestQuotaIsKept(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []sallatest.Option{sallatest.WithQuota(120), sallatest.WithMaxRecords(-1)})
	p := f.client.ProductImages()
	const n, workers = 400, 4
	start := f.clock.Now()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range n / workers {
				if _, err := p.List(ctx, "111"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	took := f.clock.Now().Sub(start)
	if r := f.srv.Quota().Rejected(); r != 0 {
		t.Errorf("%d requests answered 429", r)
	}
	// The bucket starts empty: 120 at once, then 120 a minute.
	ideal := time.Duration(n-120) * time.Minute / 120
	t.Logf("%d requests in %v of fake time (the quota allows them in %v): %.0f%% of the quota", n, took.Round(time.Second), ideal, 100*ideal.Seconds()/took.Seconds())
	if took < ideal-time.Second || took > 2*ideal {
		t.Errorf("took %v, the quota allows %v", took, ideal)
	}
}
