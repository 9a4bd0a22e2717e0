package shopimgtest_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shopimgtest/fakestore"
)

// TestFakeURLsFollowThePlatform checks that an image added from a URL is
// listed under the URL its platform would serve it from: the source URL
// itself exactly where the profile says the platform keeps it
// (KeepsSourceURL), else the platform's own CDN or file names.
func TestFakeURLsFollowThePlatform(t *testing.T) {
	t.Parallel()
	const src = "https://pim.example.com/assets/red-shoe.jpg?v=2"
	hosts := map[string]string{
		"bigcommerce": "cdn11.bigcommerce.com",
		"salla":       "cdn.salla.sa",
		"shoptet":     "cdn.myshoptet.com",
	}
	for name, caps := range shopimgtest.Profiles() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := shopimgtest.NewFake(shopimgtest.WithCapabilities(caps))
			f.AddProduct("p")
			img, err := f.Add(context.Background(), "p", shopimg.NewImage{SourceURL: src})
			if err != nil {
				t.Fatal(err)
			}
			listed := f.Images("p")[0]
			if listed.URL != img.URL || listed.Raw.(shopimgtest.FakeImage).SourceURL != src {
				t.Errorf("listed %q (source %q), Add returned %q", listed.URL, listed.Raw.(shopimgtest.FakeImage).SourceURL, img.URL)
			}
			if kept := img.URL == src; kept != caps.KeepsSourceURL {
				t.Errorf("URL %q: kept the source = %v, KeepsSourceURL = %v", img.URL, kept, caps.KeepsSourceURL)
			}
			if h, ok := hosts[name]; ok {
				u, err := url.Parse(img.URL)
				if err != nil || u.Host != h {
					t.Errorf("URL %q, want one on %s", img.URL, h)
				}
			}
		})
	}
	// A profile of no platform that does not keep URLs rewrites them too.
	f := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimg.Capabilities{List: true, AddFromURL: true}))
	f.AddProduct("p")
	if img, _ := f.Add(context.Background(), "p", shopimg.NewImage{SourceURL: src}); img.URL == src || !strings.HasPrefix(img.URL, "https://") {
		t.Errorf("custom profile: URL %q", img.URL)
	}
}

// TestFakeNetworkFaults checks each word of the network fault vocabulary
// on the Fake: what the caller sees is what a vendor client sees (the
// module's HTTP core decides), and the Fake's platform records the
// requests.
func TestFakeNetworkFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	epoch := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	newFake := func(opts ...shopimgtest.Option) (*shopimgtest.Fake, *shopimgtest.Clock, []string) {
		clock := shopimgtest.NewClock(epoch)
		f := shopimgtest.NewFake(append([]shopimgtest.Option{shopimgtest.WithClock(clock)}, opts...)...)
		imgs := f.Seed("p", shopimg.Image{URL: "https://x.test/a.jpg"}, shopimg.Image{URL: "https://x.test/b.jpg"})
		return f, clock, []string{imgs[0].ID, imgs[1].ID}
	}
	statuses := func(f *shopimgtest.Fake) []int {
		var out []int
		for _, r := range f.Requests() {
			out = append(out, r.Status)
		}
		return out
	}

	t.Run("a 5xx on an update is retried", func(t *testing.T) {
		t.Parallel()
		f, clock, ids := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallUpdate, Status: 503})
		if _, err := f.Update(ctx, "p", ids[1], shopimg.ImageUpdate{Alt: new("B")}); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]int{200, 503, 200}, statuses(f)); d != "" {
			t.Errorf("requests (-want +got):\n%s", d)
		}
		if f.Writes() != 1 || f.Images("p")[1].Alt != "B" || clock.Slept() == 0 {
			t.Errorf("writes %d, alt %q, slept %v; want 1, B, a backoff", f.Writes(), f.Images("p")[1].Alt, clock.Slept())
		}
	})
	t.Run("a 5xx on an add leaves the outcome unknown", func(t *testing.T) {
		t.Parallel()
		f, _, _ := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallAdd, Status: 502})
		_, err := f.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://x.test/c.jpg"})
		var ae *shopimg.APIError
		if !errors.Is(err, shopimg.ErrOutcomeUnknown) || !errors.As(err, &ae) || ae.StatusCode != 502 || len(f.Images("p")) != 2 {
			t.Errorf("err = %v, %d images; want a 502 APIError with ErrOutcomeUnknown and nothing added", err, len(f.Images("p")))
		}
	})
	t.Run("write then drop", func(t *testing.T) {
		t.Parallel()
		f, _, _ := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallAdd, Apply: true, Drop: true})
		_, err := f.Add(ctx, "p", shopimg.NewImage{SourceURL: "https://x.test/c.jpg"})
		if !errors.Is(err, shopimg.ErrOutcomeUnknown) || len(f.Images("p")) != 3 || f.Writes() != 1 {
			t.Errorf("err = %v, %d images, %d writes; want ErrOutcomeUnknown and the image added", err, len(f.Images("p")), f.Writes())
		}
	})
	t.Run("write then fail on a reorder is retried", func(t *testing.T) {
		t.Parallel()
		f, _, ids := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallReorder, ProductID: "p", Apply: true})
		if err := f.Reorder(ctx, "p", []string{ids[1], ids[0]}); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]int{200, 500, 200}, statuses(f)); d != "" || f.Writes() != 2 {
			t.Errorf("requests (-want +got):\n%s; writes %d, want 2 (the PUT reached the platform twice)", d, f.Writes())
		}
	})
	t.Run("Retry-After is waited for", func(t *testing.T) {
		t.Parallel()
		f, clock, _ := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallList, Status: 429, RetryAfter: 7 * time.Second})
		if _, err := f.List(ctx, "p"); err != nil {
			t.Fatal(err)
		}
		if clock.Slept() < 7*time.Second {
			t.Errorf("slept %v, want the 7s asked for", clock.Slept())
		}
	})
	t.Run("a Retry-After beyond MaxRetryAfter fails at once", func(t *testing.T) {
		t.Parallel()
		f, clock, _ := newFake(shopimgtest.WithRetry(shopimg.RetryPolicy{MaxRetries: 3, MaxRetryAfter: time.Minute}))
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallList, Status: 429, RetryAfter: time.Hour})
		_, err := f.List(ctx, "p")
		var ae *shopimg.APIError
		if !errors.Is(err, shopimg.ErrRateLimited) || !errors.As(err, &ae) || ae.RetryAfter != time.Hour || clock.Slept() != 0 {
			t.Errorf("err = %v, slept %v; want ErrRateLimited with RetryAfter 1h, no wait", err, clock.Slept())
		}
	})
	t.Run("latency", func(t *testing.T) {
		t.Parallel()
		f, clock, ids := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallDelete, Latency: 3 * time.Second})
		if err := f.Delete(ctx, "p", ids[0]); err != nil {
			t.Fatal(err)
		}
		if clock.Slept() != 3*time.Second || len(f.Images("p")) != 1 {
			t.Errorf("slept %v, %d images; want 3s and the delete done", clock.Slept(), len(f.Images("p")))
		}
	})
	t.Run("a 404 is not found", func(t *testing.T) {
		t.Parallel()
		f, _, ids := newFake()
		f.Inject(shopimgtest.Fault{Call: shopimgtest.CallAnyWrite, Status: 404})
		if _, err := f.Update(ctx, "p", ids[0], shopimg.ImageUpdate{Alt: new("x")}); !errors.Is(err, shopimg.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
		if f.PendingFaults() != 0 {
			t.Errorf("%d faults pending", f.PendingFaults())
		}
	})
	t.Run("quota", func(t *testing.T) {
		t.Parallel()
		f, clock, _ := newFake(shopimgtest.WithQuota(&fakestore.FixedWindow{Limit: 2, Window: 10 * time.Second}))
		for range 5 {
			if _, err := f.List(ctx, "p"); err != nil {
				t.Fatal(err)
			}
		}
		rejected := 0
		for _, s := range statuses(f) {
			if s == 429 {
				rejected++
			}
		}
		if rejected == 0 || clock.Slept() < 10*time.Second {
			t.Errorf("%d rejections, slept %v; want 429s waited out over at least one window", rejected, clock.Slept())
		}
	})
}

// TestFaultConformanceEveryProfile runs the network fault table on the
// Fake with every platform profile.
func TestFaultConformanceEveryProfile(t *testing.T) {
	t.Parallel()
	for name, caps := range shopimgtest.Profiles() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			shopimgtest.RunFaultConformance(t, func(t *testing.T) shopimgtest.FaultTarget {
				clock := shopimgtest.NewClock(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
				f := shopimgtest.NewFake(shopimgtest.WithCapabilities(caps), shopimgtest.WithClock(clock))
				f.AddProduct("p")
				return shopimgtest.FaultTarget{Images: f, ProductID: "p", Inject: f.Inject, Clock: clock}
			})
		})
	}
}
