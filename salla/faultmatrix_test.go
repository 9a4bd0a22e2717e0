package salla_test

import (
	"net/http"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/faulttest"
	"github.com/shopimg/shopimg/salla"
	"github.com/shopimg/shopimg/salla/sallatest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// TestFaultMatrix runs every adapter operation into every fault on the
// request that carries it (see internal/faulttest).
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	faulttest.Run(t, faultVendor())
}

// TestBadInputOnEveryOperation: malformed IDs, texts, URLs and updates are
// refused before any request, by every operation.
func TestBadInputOnEveryOperation(t *testing.T) {
	t.Parallel()
	ids := []string{"abc", "0", "-1", "+5", "1.5", "99999999999999999999"}
	faulttest.RunBadInput(t, faultVendor(), ids, ids, "5")
}

// TestAddFollowUpFailures: once the create was answered with an ID, a
// failure of any request the Add sends after it returns the image with an
// error matching only shopimg.ErrAdded, and the image exists once.
func TestAddFollowUpFailures(t *testing.T) {
	t.Parallel()
	faulttest.RunAddFollowUps(t, faultVendor())
}

// faultVendor describes the adapter and its fake to package faulttest.
func faultVendor() faulttest.Vendor {
	images := sallatest.APIPrefix + "/products/images/*"
	return faulttest.Vendor{
		New: func(t *testing.T, clock *shopimgtest.Clock, realServerClock bool) faulttest.Env {
			var opts []sallatest.Option
			if !realServerClock {
				opts = append(opts, sallatest.WithClock(clock))
			}
			srv := sallatest.NewServer(opts...)
			t.Cleanup(srv.Close)
			srv.AddProduct(111, "SKU-111")
			c, err := srv.NewClient(salla.WithClock(clock), salla.WithRetry(shopimg.RetryPolicy{MaxRetries: 3}))
			if err != nil {
				t.Fatal(err)
			}
			return faulttest.Env{Images: c.ProductImages(), Faults: srv.Faults(), Recorder: srv.Recorder(), ProductID: "111"}
		},
		Targets: map[faulttest.Op]faulttest.Target{
			faulttest.List:    {Method: http.MethodGet, Path: sallatest.ProductPath(111)},
			faulttest.Add:     {Method: http.MethodPost, Path: sallatest.ImagesPath(111)},
			faulttest.Update:  {Method: http.MethodPost, Path: images},
			faulttest.Reorder: {Method: http.MethodPost, Path: images},
			faulttest.Delete:  {Method: http.MethodDelete, Path: images},
		},
		ErrorStatus: 422,
		ErrorBody:   `{"status":422,"success":false,"error":{"code":"error","message":"alert.invalid_fields","fields":{"alt":["The alt may not be greater than 255 characters."]}}}`,
		ErrorKind:   shopimg.ErrInvalidInput,
	}
}
