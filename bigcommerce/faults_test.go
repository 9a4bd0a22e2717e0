package bigcommerce_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
)

func TestDroppedCreateIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for name, img := range map[string]shopimg.NewImage{
		"url":  {SourceURL: "https://images.example.com/a.jpg"},
		"file": {File: shopimg.FileFromBytes("a.png", []byte("png bytes"))},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			f.srv.Faults().Add(bigcommercetest.Fault{Method: "POST", Path: f.srv.ImagesPath(111), AfterApply: true, Drop: true})
			_, err := f.client.ProductImages().Add(ctx, "111", img)
			if !errors.Is(err, shopimg.ErrOutcomeUnknown) {
				t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
			}
			if n := f.srv.Recorder().Count("POST", ""); n != 1 {
				t.Errorf("%d POSTs, want 1 (a create is not retried after a drop)", n)
			}
			// It did happen: listing shows it.
			if imgs, _ := f.srv.Images(111); len(imgs) != 1 {
				t.Errorf("the fake holds %d images, want the 1 added", len(imgs))
			}
		})
	}
}

func TestCreateAnswered5xxIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.srv.Faults().Add(bigcommercetest.Fault{Method: "POST", Path: f.srv.ImagesPath(111), Status: 502, Body: "<html><title>Bad gateway</title></html>"})
	_, _, err := f.client.CreateImage(ctx, 111, bigcommerce.CreateImageRequest{ImageURL: "https://images.example.com/a.jpg"})
	var e *bigcommerce.APIError
	if !errors.Is(err, shopimg.ErrOutcomeUnknown) || !errors.As(err, &e) || e.StatusCode != 502 {
		t.Errorf("err = %v, want ErrOutcomeUnknown wrapping the 502", err)
	}
}

func TestCreateAnswered429IsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.srv.Faults().Add(bigcommercetest.Fault{
		Method: "POST", Path: f.srv.ImagesPath(111), Status: http.StatusTooManyRequests,
		Header: http.Header{"X-Retry-After": {"2"}}, Body: `{"status":429,"title":"Too many requests"}`,
	})
	img, err := f.client.ProductImages().Add(ctx, "111", shopimg.NewImage{File: shopimg.FileFromBytes("a.png", []byte("png bytes"))})
	if err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Recorder().Count("POST", ""); n != 2 {
		t.Errorf("%d POSTs, want 2 (the 429, then the retry)", n)
	}
	if s := f.clock.Slept(); s < 2*time.Second {
		t.Errorf("slept %v, want at least X-Retry-After's 2s", s)
	}
	if imgs, _ := f.srv.Images(111); len(imgs) != 1 || fmt.Sprint(imgs[0].ID) != img.ID {
		t.Errorf("stored %+v, want the one image %s (the multipart body was resent whole)", imgs, img.ID)
	}
	// The retry resent the whole file.
	reqs := f.srv.Recorder().Requests()
	last := reqs[len(reqs)-1]
	if last.Method != "POST" || last.Status != 200 || len(last.Body) == 0 {
		t.Errorf("last request %s %d with %d body bytes", last.Method, last.Status, len(last.Body))
	}
}

func TestPutsRetryAfterServerErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.srv.AddProduct(3, bigcommercetest.Image{SortOrder: 0, IsThumbnail: true}, bigcommercetest.Image{SortOrder: 1}, bigcommercetest.Image{SortOrder: 2})
	f.srv.Faults().Add(bigcommercetest.Fault{Method: "PUT", Path: "*", Status: 503, Times: 2})
	if err := f.client.ProductImages().Reorder(ctx, "3", []string{"1001", "1003", "1002"}); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Recorder().Count("PUT", ""); n != 3 {
		t.Errorf("%d PUTs, want 3 (two 503s, then the one move)", n)
	}
}

func TestRateLimitedBeyondTheCap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil, bigcommerce.WithRetry(shopimg.RetryPolicy{MaxRetries: 3, MaxRetryAfter: time.Minute}))
	f.srv.Faults().Add(bigcommercetest.Fault{Method: "GET", Status: 429, Header: http.Header{"X-Retry-After": {"600"}}})
	_, _, err := f.client.ListImages(ctx, 111, nil)
	var e *bigcommerce.APIError
	if !errors.Is(err, shopimg.ErrRateLimited) || !errors.As(err, &e) || e.RetryAfter != 10*time.Minute {
		t.Errorf("err = %v, want ErrRateLimited with RetryAfter 10m", err)
	}
}

// TestTooManyRequestsWaitsTheLongerOfResetAndRetryAfter: on a 429 the
// client waits X-Rate-Limit-Time-Reset-Ms or X-Retry-After, whichever is
// longer, as the vendor's rate-limit page asks, then retries once.
func TestTooManyRequestsWaitsTheLongerOfResetAndRetryAfter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, resetMs, retryAfter string
		noCount                   bool // only the reset header, no X-Rate-Limit-Requests-Left
		want                      time.Duration
	}{
		{"reset longer", "5000", "2", false, 5 * time.Second},
		{"retry-after longer", "1000", "3", false, 3 * time.Second},
		{"reset alone", "4500", "", false, 4500 * time.Millisecond},
		{"reset without a count", "4500", "", true, 4500 * time.Millisecond},
		{"retry-after alone", "", "6", false, 6 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithoutQuota()})
			h := http.Header{}
			if tc.resetMs != "" {
				h.Set("X-Rate-Limit-Time-Reset-Ms", tc.resetMs)
			}
			if tc.resetMs != "" && !tc.noCount {
				h.Set("X-Rate-Limit-Requests-Left", "0")
				h.Set("X-Rate-Limit-Requests-Quota", "150")
				h.Set("X-Rate-Limit-Time-Window-Ms", "30000")
			}
			if tc.retryAfter != "" {
				h.Set("X-Retry-After", tc.retryAfter)
			}
			f.srv.Faults().Add(bigcommercetest.Fault{Method: "GET", Status: http.StatusTooManyRequests, Header: h, Body: `{"status":429,"title":"Too many requests"}`})
			if _, _, err := f.client.ListImages(ctx, 111, nil); err != nil {
				t.Fatal(err)
			}
			if n := f.srv.Recorder().Count("GET", ""); n != 2 {
				t.Errorf("%d GETs, want the 429 and one retry", n)
			}
			// The wait is jittered up by at most 10%, never down.
			if s := f.clock.Slept(); s < tc.want || s > tc.want+tc.want/10+time.Millisecond {
				t.Errorf("slept %v (%v), want %v to %v", s, f.clock.Sleeps(), tc.want, tc.want+tc.want/10)
			}
		})
	}
}

// TestAnotherAppSpentTheQuota: the quota is per store and shared by every
// app, so a client can meet a 429 from the store's own window without
// having sent much itself. It waits the reset the 429 reports (no real
// time: a fake clock shared with the server) and succeeds.
func TestAnotherAppSpentTheQuota(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithQuota(3, 30*time.Second)})
	other, err := f.srv.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, _, err := other.ListImages(ctx, 111, nil); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Advance(5 * time.Second)
	if _, _, err := f.client.ListImages(ctx, 111, nil); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Quota().Rejected(); n != 1 {
		t.Errorf("%d requests rejected, want the 1 that found the quota spent", n)
	}
	if s := f.clock.Slept(); s < 25*time.Second {
		t.Errorf("slept %v, want at least the 25s left in the window", s)
	}
	var statuses []int
	for _, r := range f.srv.Recorder().Requests() {
		statuses = append(statuses, r.Status)
	}
	if d := cmp.Diff([]int{204, 204, 204, 429, 204}, statuses); d != "" {
		t.Errorf("statuses (-want +got):\n%s", d)
	}
}
