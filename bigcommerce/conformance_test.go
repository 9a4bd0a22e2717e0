package bigcommerce_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
		f := newFixture(t, nil)
		return f.client.ProductImages(), "111"
	})
}

func TestCapabilitiesAreTheProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	if d := cmp.Diff(shopimgtest.BigCommerceProfile, f.client.ProductImages().Capabilities()); d != "" {
		t.Errorf("Capabilities differ from shopimgtest.BigCommerceProfile (-profile +adapter):\n%s", d)
	}
}

// TestConformanceUnderOtherReadingsOfTheRule runs the suite against fakes
// that apply sort_order and the thumbnail flag in each of the other ways
// the docs can be read: the adapter keeps every contract.
func TestConformanceUnderOtherReadingsOfTheRule(t *testing.T) {
	t.Parallel()
	for _, r := range bigcommercetest.Readings()[1:] {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
				f := newFixture(t, []bigcommercetest.Option{bigcommercetest.WithReading(r)})
				return f.client.ProductImages(), "111"
			})
		})
	}
}

// TestFaultConformance runs the network fault table on the client over its
// fake server, and on the in-memory Fake with BigCommerceProfile: the same
// faults, in the same vocabulary, give the same outcomes on both.
func TestFaultConformance(t *testing.T) {
	t.Parallel()
	shopimgtest.RunFaultConformanceLikeFake(t, shopimgtest.BigCommerceProfile, func(t *testing.T) shopimgtest.FaultTarget {
		f := newFixture(t, nil)
		return shopimgtest.FaultTarget{Images: f.client.ProductImages(), ProductID: "111", Inject: f.srv.Inject, Clock: f.clock}
	})
}
