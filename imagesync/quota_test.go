package imagesync_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
)

// inProcess is an http.RoundTripper that serves each request with h in the
// calling goroutine, without a network. Inside a synctest bubble the fake
// server then runs on the bubble's fake time, which only moves when every
// goroutine of the run is waiting: concurrent waits for the same quota
// reset overlap as they would on a real clock.
type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	sr := r.Clone(r.Context())
	sr.RequestURI = r.URL.RequestURI()
	// A server sees header names canonicalised (3dcart's clients send
	// "SecureURL" as spelled).
	sr.Header = make(http.Header, len(r.Header))
	for k, v := range r.Header {
		sr.Header[http.CanonicalHeaderKey(k)] = append(sr.Header[http.CanonicalHeaderKey(k)], v...)
	}
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, sr)
	if r.Body != nil {
		r.Body.Close()
	}
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

// quotaGallery is product i's desired gallery in pass 0 (six new images)
// and pass 1 (the last image first, one alt text changed, one image dropped,
// one new).
func quotaGallery(i, pass int) []imagesync.Entry {
	var g []imagesync.Entry
	for j := range 6 {
		g = append(g, imagesync.Entry{Key: fmt.Sprintf("p%d/%d", i, j), SourceURL: fmt.Sprintf("https://pim.example.com/p%d/%d.jpg", i, j), Alt: fmt.Sprintf("view %d", j)})
	}
	if pass == 0 {
		return g
	}
	g = append(g[5:], g[:5]...)
	g[2].Alt = "from above"
	g = slices.Delete(g, 3, 4)
	return append(g, imagesync.Entry{Key: fmt.Sprintf("p%d/box", i), SourceURL: fmt.Sprintf("https://pim.example.com/p%d/box.jpg", i), Alt: "box"})
}

// quotaResult is what a long sync against a quota did.
type quotaResult struct {
	requests, rejected int           // requests the server answered (429s included), and 429s
	elapsed            time.Duration // on the clock of the client and server
	writes, failed     int
}

// windows is the number of quota windows the run began.
func (r quotaResult) windows() int { return int(r.elapsed/bigcommercetest.DefaultWindow) + 1 }

// share is the requests served as a share of what the quota allowed in
// the windows the run began (1.0: every slot of every window used).
func (r quotaResult) share() float64 {
	return float64(r.requests-r.rejected) / float64(r.windows()*bigcommercetest.DefaultQuota)
}

func (r quotaResult) String() string {
	return fmt.Sprintf("%d requests in %d windows of %v (%v of fake time): %.1f%% of the quota used, %d answered 429; %d writes, %d products failed",
		r.requests, r.windows(), bigcommercetest.DefaultWindow, r.elapsed.Round(time.Second), 100*r.share(), r.rejected, r.writes, r.failed)
}

// quotaSync syncs products products of srv (added here) twice, through
// target, with opts: first six images each, then a change of every
// gallery. clock is the clock the client and server share.
func quotaSync(tb testing.TB, ctx context.Context, srv *bigcommercetest.Server, target imagesync.Target, clock shopimg.Clock, products int, opts imagesync.RunOptions) quotaResult {
	tb.Helper()
	for i := range products {
		srv.AddProduct(int64(1 + i))
	}
	s := &imagesync.Syncer{Store: imagesync.NewMemoryStore(), Clock: clock}
	start := clock.Now()
	var res quotaResult
	for pass := range 2 {
		jobs := func(yield func(imagesync.Job) bool) {
			for i := range products {
				if !yield(imagesync.Job{Target: target, ProductID: fmt.Sprint(1 + i), Desired: quotaGallery(i, pass)}) {
					return
				}
			}
		}
		rep, err := s.Run(ctx, jobs, opts)
		if err != nil {
			tb.Fatal(err)
		}
		res.writes += rep.Counts.Writes
		res.failed += rep.Counts.Failed
		for _, r := range rep.Failed() {
			tb.Errorf("%v: %v", r.Ref, r.Err)
		}
	}
	res.elapsed = clock.Now().Sub(start)
	res.requests = srv.Recorder().Count("", "")
	res.rejected = srv.Quota().Rejected()
	return res
}

// TestQuota runs a long sync (40 products, two passes, about 1,160
// requests, eight quota windows) against the BigCommerce fake server's
// Standard-plan quota (150 requests per 30 s) with one to four products of
// the store at once, with no latency and with 250 ms per request, on
// synctest's fake time, so that concurrent waits overlap as on a real
// clock. The store never answers 429 (the target); without latency the run
// uses nearly all of the quota; with it one product at a time cannot reach
// the quota (4 requests a second against 5), and two or four can. Under the
// race detector only the runs marked race run: four products of the store
// at once, and the latency-bound single product.
//
//	go test ./imagesync -run TestQuota -v
func TestQuota(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		latency  time.Duration
		perStore int
		race     bool
	}{{0, 1, false}, {0, 4, true}, {250 * time.Millisecond, 1, true}, {250 * time.Millisecond, 2, false}, {250 * time.Millisecond, 4, true}} {
		if raceScale > 1 && !c.race {
			continue
		}
		t.Run(fmt.Sprintf("latency-%v/per-store-%d", c.latency, c.perStore), func(t *testing.T) {
			t.Parallel()
			// The server's listener lives outside the bubble (its accept loop
			// would keep the bubble's time from moving); requests reach its
			// handler in process, inside it.
			srv := bigcommercetest.NewServer(bigcommercetest.WithMaxRecords(-1), bigcommercetest.WithMaxRecordedBody(-1))
			t.Cleanup(srv.Close)
			if c.latency > 0 {
				srv.Faults().Add(bigcommercetest.Fault{Latency: c.latency, Times: 1 << 30})
			}
			synctest.Test(t, func(t *testing.T) {
				client, err := srv.NewClient(bigcommerce.WithHTTPClient(&http.Client{Transport: inProcess{srv}}), bigcommerce.WithClock(shopimg.SystemClock{}))
				if err != nil {
					t.Fatal(err)
				}
				target := imagesync.Target{Platform: "bigcommerce", Store: srv.StoreHash(), Images: client.ProductImages()}
				res := quotaSync(t, t.Context(), srv, target, shopimg.SystemClock{}, 40, imagesync.RunOptions{Concurrency: 8, PerStore: c.perStore})
				t.Logf("latency %v, %d per store: %v", c.latency, c.perStore, res)
				if res.rejected != 0 {
					t.Errorf("%d requests answered 429, want 0", res.rejected)
				}
				floor := 0.85
				if c.latency > 0 && c.perStore == 1 {
					floor = 0.7 // bound by latency, not by the quota
				}
				if res.requests < 1000 || res.share() < floor {
					t.Errorf("%v: want a long run using at least %.0f%% of the quota", res, 100*floor)
				}
			})
		})
	}
}

// BenchmarkQuota runs the long sync of TestQuota over four BigCommerce
// stores at once (one fake server each, with its Standard-plan quota of
// 150 requests per 30 s, served in process), 50 products per store, one product of a store at
// a time, with no latency and with 250 ms per request, and reports the
// requests served as a share of the quota (quota-share, 1.0 = every slot of
// every window begun) and the 429s received (target 0). Each store's client
// and server share a fake clock of their own, which only that store's one
// worker moves (waiting for the quota or the latency), so fake time is
// exact; TestQuota measures several products of a store at once.
//
//	go test -run '^$' -bench Quota -benchtime 1x ./imagesync/
func BenchmarkQuota(b *testing.B) {
	for _, latency := range []time.Duration{0, 250 * time.Millisecond} {
		b.Run(fmt.Sprint("latency-", latency), func(b *testing.B) { benchQuota(b, latency) })
	}
}

func benchQuota(b *testing.B, latency time.Duration) {
	const stores, products = 4, 50
	var share float64
	var rejected, requests int
	var elapsed time.Duration
	for b.Loop() {
		type store struct {
			srv    *bigcommercetest.Server
			clock  *shopimgtest.Clock
			target imagesync.Target
			start  time.Time
		}
		var all []store
		for k := range stores {
			clock := shopimgtest.NewClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
			srv := bigcommercetest.NewServer(bigcommercetest.WithClock(clock), bigcommercetest.WithStoreHash(fmt.Sprint("store", k)),
				bigcommercetest.WithMaxRecords(-1), bigcommercetest.WithMaxRecordedBody(-1))
			if latency > 0 {
				srv.Faults().Add(bigcommercetest.Fault{Latency: latency, Times: 1 << 30})
			}
			c, err := srv.NewClient(bigcommerce.WithHTTPClient(&http.Client{Transport: inProcess{srv}}))
			if err != nil {
				b.Fatal(err)
			}
			for i := range products {
				srv.AddProduct(int64(1 + i))
			}
			all = append(all, store{srv: srv, clock: clock, start: clock.Now(),
				target: imagesync.Target{Platform: "bigcommerce", Store: srv.StoreHash(), Images: c.ProductImages()}})
		}
		s := &imagesync.Syncer{Store: imagesync.NewMemoryStore(), Clock: shopimgtest.NewClock(time.Unix(0, 0))}
		for pass := range 2 {
			var jobs []imagesync.Job
			for i := range products {
				for _, st := range all {
					jobs = append(jobs, imagesync.Job{Target: st.target, ProductID: fmt.Sprint(1 + i), Desired: quotaGallery(i, pass)})
				}
			}
			rep, err := s.Run(context.Background(), slices.Values(jobs), imagesync.RunOptions{Concurrency: stores, PerStore: 1})
			if err != nil || rep.Counts.Failed > 0 {
				b.Fatalf("run: %v, %+v", err, rep.Counts)
			}
		}
		share, rejected, requests, elapsed = 0, 0, 0, 0
		for _, st := range all {
			r := quotaResult{requests: st.srv.Recorder().Count("", ""), rejected: st.srv.Quota().Rejected(), elapsed: st.clock.Now().Sub(st.start)}
			share += r.share() / stores
			rejected += r.rejected
			requests += r.requests
			elapsed = max(elapsed, r.elapsed)
			st.srv.Close()
		}
	}
	b.ReportMetric(share, "quota-share")
	b.ReportMetric(float64(rejected), "429s")
	b.ReportMetric(float64(requests), "requests")
	b.ReportMetric(elapsed.Seconds(), "fake-s")
}
