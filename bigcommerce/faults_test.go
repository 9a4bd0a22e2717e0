package bigcommerce_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

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
	_, err := f.client.CreateImage(ctx, 111, bigcommerce.CreateImageRequest{ImageURL: "https://images.example.com/a.jpg"})
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
	if imgs, _ := f.srv.Images(111); len(imgs) != 1 || imgs[0].ID.String() != img.ID {
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
	f.srv.AddProduct(3, bigcommerce.Image{SortOrder: 0, IsThumbnail: true}, bigcommerce.Image{SortOrder: 1}, bigcommerce.Image{SortOrder: 2})
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
	_, err := f.client.ListImages(ctx, 111, nil)
	var e *bigcommerce.APIError
	if !errors.Is(err, shopimg.ErrRateLimited) || !errors.As(err, &e) || e.RetryAfter != 10*time.Minute {
		t.Errorf("err = %v, want ErrRateLimited with RetryAfter 10m", err)
	}
}
