package threedcart_test

import (
	"net/http"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/faulttest"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

// TestFaultMatrix runs every adapter operation 3dcart supports into every
// fault on the request that carries it (see internal/faulttest).
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	faulttest.Run(t, faultVendor())
}

// TestBadInputSendsNothing: malformed IDs, texts, URLs and updates are
// refused before any request, by every operation (Delete too, though 3dcart
// has none: the IDs are checked first).
func TestBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	ids := []string{"abc", "0", "-1", "+5", "1.5"}
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
	images := threedcarttest.ImagesPath(9)
	return faulttest.Vendor{
		New: func(t *testing.T, clock *shopimgtest.Clock, realServerClock bool) faulttest.Env {
			var opts []threedcarttest.Option
			if !realServerClock {
				opts = append(opts, threedcarttest.WithClock(clock))
			}
			srv := threedcarttest.NewServer(opts...)
			t.Cleanup(srv.Close)
			srv.AddProduct(9)
			c, err := srv.NewClient(threedcart.WithClock(clock), threedcart.WithRetry(shopimg.RetryPolicy{MaxRetries: 3}))
			if err != nil {
				t.Fatal(err)
			}
			return faulttest.Env{Images: c.ProductImages(), Faults: srv.Faults(), Recorder: srv.Recorder(), ProductID: "9"}
		},
		Targets: map[faulttest.Op]faulttest.Target{
			faulttest.List:    {Method: http.MethodGet, Path: images},
			faulttest.Add:     {Method: http.MethodPost, Path: images},
			faulttest.Update:  {Method: http.MethodPut, Path: images + "/*"},
			faulttest.Reorder: {Method: http.MethodPut, Path: images},
		},
		ErrorStatus: 400,
		ErrorBody:   `[{"Key":"ImageGalleryCaption","Value":"","Status":"400","Message":"ImageGalleryCaption is invalid"}]`,
		ErrorKind:   shopimg.ErrInvalidInput,
	}
}
