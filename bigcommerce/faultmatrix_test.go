package bigcommerce_test

import (
	"net/http"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/internal/faulttest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// TestFaultMatrix runs every adapter operation into every fault on the
// request that carries it (see internal/faulttest): retried and done, or
// the right category, and never an image added twice or lost.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	faulttest.Run(t, faultVendor())
}

// TestBadInputSendsNothing: malformed IDs, texts, URLs and updates are
// refused before any request, by every operation.
func TestBadInputSendsNothing(t *testing.T) {
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
	images := "/stores/" + bigcommercetest.DefaultStoreHash + "/v3/catalog/products/111/images"
	return faulttest.Vendor{
		New: func(t *testing.T, clock *shopimgtest.Clock, realServerClock bool) faulttest.Env {
			var opts []bigcommercetest.Option
			if !realServerClock {
				opts = append(opts, bigcommercetest.WithClock(clock))
			}
			srv := bigcommercetest.NewServer(opts...)
			t.Cleanup(srv.Close)
			srv.AddProduct(111)
			c, err := srv.NewClient(bigcommerce.WithClock(clock), bigcommerce.WithRetry(shopimg.RetryPolicy{MaxRetries: 3}))
			if err != nil {
				t.Fatal(err)
			}
			return faulttest.Env{Images: c.ProductImages(), Faults: srv.Faults(), Recorder: srv.Recorder(), ProductID: "111"}
		},
		Targets: map[faulttest.Op]faulttest.Target{
			faulttest.List:    {Method: http.MethodGet, Path: images},
			faulttest.Add:     {Method: http.MethodPost, Path: images},
			faulttest.Update:  {Method: http.MethodPut, Path: images + "/*"},
			faulttest.Reorder: {Method: http.MethodPut, Path: images + "/*"},
			faulttest.Delete:  {Method: http.MethodDelete, Path: images + "/*"},
		},
		ErrorStatus: 422,
		ErrorBody:   `{"status":422,"title":"JSON data is missing or invalid","type":"https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes","errors":{"description":"too long"}}`,
		ErrorKind:   shopimg.ErrInvalidInput,
	}
}
