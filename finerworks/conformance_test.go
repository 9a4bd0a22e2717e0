package finerworks_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
	"github.com/shopimg/shopimg/shopimgtest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
		return newFixture(t).client.ProductImages(), "inventory"
	})
}

// TestConformanceUnderEveryReading runs the suite against fakes that read
// the vendor's docs each other way: count as the page's size, add_images
// answering with the images, bad keys as an HTML page, unknown GUIDs
// ignored, failures in the HTTP status, numbers as strings, update limits,
// another default order, and the temporary library.
func TestConformanceUnderEveryReading(t *testing.T) {
	t.Parallel()
	readings := map[string][]finerworkstest.Option{
		"count-is-page":      {finerworkstest.WithCount(finerworkstest.CountPage)},
		"add-answers-images": {finerworkstest.WithAddAnswer(finerworkstest.AddAnswerImages)},
		"unknown-ignored":    {finerworkstest.WithUnknownGUID(finerworkstest.UnknownGUIDIgnored)},
		"status-in-http":     {finerworkstest.WithErrorStatusInHTTP()},
		"numbers-as-strings": {finerworkstest.WithNumbersAsStrings()},
		"limits-5":           {finerworkstest.WithMaxUpdateImages(5), finerworkstest.WithMaxDeleteImages(5)},
		"clears-omitted":     {finerworkstest.WithUpdateClearingOmitted()},
		"default-asc":        {finerworkstest.WithDefaultSort("date_added", "ASC")},
		"all-at-once": {finerworkstest.WithCount(finerworkstest.CountPage), finerworkstest.WithUnknownGUID(finerworkstest.UnknownGUIDIgnored),
			finerworkstest.WithErrorStatusInHTTP(), finerworkstest.WithNumbersAsStrings(), finerworkstest.WithAuthFailure(finerworkstest.AuthHTML)},
	}
	for name, opts := range readings {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
				return newFixture(t, opts...).client.ProductImages(), "inventory"
			})
		})
	}
	t.Run("temporary", func(t *testing.T) {
		t.Parallel()
		shopimgtest.RunConformance(t, func(t *testing.T) (shopimg.ProductImages, string) {
			return newFixture(t).client.ProductImages(), "temporary"
		})
	})
}

func TestCapabilitiesAreTheProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if d := cmp.Diff(shopimgtest.FinerWorksProfile, f.client.ProductImages().Capabilities()); d != "" {
		t.Errorf("Capabilities differ from shopimgtest.FinerWorksProfile (-profile +adapter):\n%s", d)
	}
}
