package bigcommerce_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/imagesync"
	"github.com/shopimg/shopimg/shopimgtest"
)

// matchByURL is what a downstream program that finds images by their URL
// does to make a product hold exactly the images of urls: delete every
// listed image whose URL is not wanted, add every wanted URL not listed. It
// returns the writes it made.
func matchByURL(ctx context.Context, p shopimg.ProductImages, pid string, urls []string) (int, error) {
	list, err := p.List(ctx, pid)
	if err != nil {
		return 0, err
	}
	writes := 0
	var have []string
	for _, img := range list {
		if !slices.Contains(urls, img.URL) {
			if err := p.Delete(ctx, pid, img.ID); err != nil {
				return writes, err
			}
			writes++
			continue
		}
		have = append(have, img.URL)
	}
	for _, u := range urls {
		if !slices.Contains(have, u) {
			if _, err := p.Add(ctx, pid, shopimg.NewImage{SourceURL: u}); err != nil {
				return writes, err
			}
			writes++
		}
	}
	return writes, nil
}

// urlTargets are a product on the BigCommerce fake server, on the
// in-memory Fake with BigCommerceProfile, and, for contrast, on a Fake of a
// platform that keeps source URLs.
func urlTargets(t *testing.T) map[string]shopimg.ProductImages {
	f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithoutQuota()})
	bc := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.BigCommerceProfile))
	bc.AddProduct("111")
	full := shopimgtest.NewFake(shopimgtest.WithCapabilities(shopimgtest.FullProfile))
	full.AddProduct("111")
	return map[string]shopimg.ProductImages{"server": f.client.ProductImages(), "fake": bc, "keeps-urls": full}
}

// TestMatchingByURLFailsOnBothLikeTheStore checks that the in-memory Fake
// with BigCommerceProfile serves images from a CDN URL, as the store (and
// its fake server) does: a downstream program that finds images by their
// source URL passes its unit test on neither, since it deletes and adds
// every image again on each run, on both alike; the same program passes on
// a platform that keeps source URLs. Capabilities().KeepsSourceURL says
// which is which, without importing a vendor package.
func TestMatchingByURLFailsOnBothLikeTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	urls := []string{"https://pim.example.com/a.jpg", "https://pim.example.com/b.jpg", "https://pim.example.com/c.jpg"}
	second := map[string]int{}
	for name, p := range urlTargets(t) {
		if _, err := matchByURL(ctx, p, "111", urls); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n, err := matchByURL(ctx, p, "111", urls)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		second[name] = n
		if keeps := p.Capabilities().KeepsSourceURL; keeps != (name == "keeps-urls") {
			t.Errorf("%s: KeepsSourceURL = %v", name, keeps)
		}
	}
	want := map[string]int{"server": 6, "fake": 6, "keeps-urls": 0}
	if d := cmp.Diff(want, second); d != "" {
		t.Errorf("writes of a second run with nothing to change (-want +got):\n%s", d)
	}
}

// TestStoreBasedSyncPassesOnBoth checks that the same job done with
// imagesync, which remembers image IDs in its Store, writes nothing on its
// second run, on the store's fake server and on the Fake alike.
func TestStoreBasedSyncPassesOnBoth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var desired []imagesync.Entry
	for i, k := range []string{"a", "b", "c"} {
		desired = append(desired, imagesync.Entry{Key: k, SourceURL: fmt.Sprintf("https://pim.example.com/%s.jpg", k), Alt: fmt.Sprint("view ", i)})
	}
	for name, p := range urlTargets(t) {
		s := &imagesync.Syncer{Store: imagesync.NewMemoryStore(), Policy: imagesync.Policy{Delete: imagesync.MirrorExact, AdoptExisting: true}}
		target := imagesync.Target{Platform: "bigcommerce", Store: "abc123", Images: p}
		first, err := s.Sync(ctx, target, "111", desired)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, err := s.Sync(ctx, target, "111", desired)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if first.Writes != 3 || again.Writes != 0 {
			t.Errorf("%s: writes %d then %d, want 3 then 0", name, first.Writes, again.Writes)
		}
	}
}
