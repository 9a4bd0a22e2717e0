package shoptet_test

import (
	"time"

	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
		f := newFixture(t, nil)
		return f.client.ProductImages(), f.srv.AddProduct()
	})
}

func TestCapabilitiesAreTheProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	if d := cmp.Diff(shopimgtest.ShoptetProfile, f.client.ProductImages().Capabilities()); d != "" {
		t.Errorf("Capabilities differ from shopimgtest.ShoptetProfile (-profile +adapter):\n%s", d)
	}
}

// readings are the fake's options for every reading of what the docs
// leave open; the client must be correct under each.
var readings = map[string][]shoptettest.Option{
	"vendor-media-type":  {shoptettest.WithMediaType(shoptettest.MediaVendor)},
	"main-first-added":   {shoptettest.WithMainRule(shoptettest.MainFirstAdded)},
	"names-from-url":     {shoptettest.WithNaming(shoptettest.NameFromURL)},
	"names-seo":          {shoptettest.WithNaming(shoptettest.NameNumberedSEO)},
	"patch-gallery":      {shoptettest.WithPatchAnswer(shoptettest.PatchGallery)},
	"nulls-first":        {shoptettest.WithNulls(shoptettest.NullsFirst), shoptettest.WithAddPriority(shoptettest.AddNull)},
	"list-added-order":   {shoptettest.WithListOrder(shoptettest.ListAdded)},
	"add-null-priority":  {shoptettest.WithAddPriority(shoptettest.AddNull)},
	"jobs-after-3-polls": {shoptettest.WithJobTiming(shoptettest.JobTiming{Polls: 3})},
	"jobs-after-40s":     {shoptettest.WithJobTiming(shoptettest.JobTiming{After: 40 * time.Second})},
	"job-detail-limit":   {shoptettest.WithJobTiming(shoptettest.JobTiming{Polls: 5}), shoptettest.WithJobDetailLimit(2)},
	"lock-by-url":        {shoptettest.WithLock(shoptettest.LockSameURL, 2*time.Second)},
}

func TestConformanceUnderEveryReading(t *testing.T) {
	t.Parallel()
	for name, opts := range readings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
				f := newFixture(t, opts)
				return f.client.ProductImages(), f.srv.AddProduct()
			})
		})
	}
}
