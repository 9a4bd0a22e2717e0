package salla_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/salla/sallatest"
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
	if d := cmp.Diff(shopimgtest.SallaProfile, f.client.ProductImages().Capabilities()); d != "" {
		t.Errorf("Capabilities differ from shopimgtest.SallaProfile (-profile +adapter):\n%s", d)
	}
}

// readings are the fake's options for every reading of what the docs
// leave open that keeps image IDs stable, one at a time and all the
// unusual ones together. (Under the readings where an update gives the
// image a new ID, the suite's premise that IDs are stable does not hold;
// TestUpdateThatChangesIDs covers them.)
var readings = map[string][]sallatest.Option{
	"sort-shift":          {sallatest.WithSortShift(true)},
	"sort-base-1":         {sallatest.WithSortBase(1)},
	"keep-other-defaults": {sallatest.WithKeepOtherDefaults(true)},
	"no-main-promotion":   {sallatest.WithoutMainPromotion()},
	"delete-204":          {sallatest.WithDeleteAnswer(sallatest.Delete204)},
	"invalid-grant-400":   {sallatest.WithInvalidGrantStatus(400)},
	"all-unusual": {sallatest.WithSortShift(true), sallatest.WithSortBase(1), sallatest.WithKeepOtherDefaults(true),
		sallatest.WithoutMainPromotion(), sallatest.WithDeleteAnswer(sallatest.Delete204)},
}

// TestConformanceUnderEveryReading runs the suite against the fake under
// each reading of the docs' open questions.
func TestConformanceUnderEveryReading(t *testing.T) {
	t.Parallel()
	for name, opts := range readings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
				f := newFixture(t, opts)
				return f.client.ProductImages(), "111"
			})
		})
	}
}
