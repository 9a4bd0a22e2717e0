package shoptet_test

import (
	"net/http"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/faulttest"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shoptet"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
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
	faulttest.RunBadInput(t, faultVendor(), []string{"not-a-guid", "95b84d4b-7481-11e8-8216", "../x"}, nil, "5.jpg")
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
	const products = "/api/products/*"
	return faulttest.Vendor{
		New: func(t *testing.T, clock *shopimgtest.Clock, realServerClock bool) faulttest.Env {
			var opts []shoptettest.Option
			if !realServerClock {
				opts = append(opts, shoptettest.WithClock(clock))
			}
			srv := shoptettest.NewServer(opts...)
			t.Cleanup(srv.Close)
			c, err := srv.NewClient(shoptet.WithClock(clock), shoptet.WithRetry(shopimg.RetryPolicy{MaxRetries: 3}))
			if err != nil {
				t.Fatal(err)
			}
			return faulttest.Env{Images: c.ProductImages(), Faults: srv.Faults(), Recorder: srv.Recorder(), ProductID: srv.AddProduct()}
		},
		Targets: map[faulttest.Op]faulttest.Target{
			faulttest.List:    {Method: http.MethodGet, Path: products},
			faulttest.Add:     {Method: http.MethodPost, Path: products},
			faulttest.Update:  {Method: http.MethodPatch, Path: products},
			faulttest.Reorder: {Method: http.MethodPatch, Path: products},
			faulttest.Delete:  {Method: http.MethodDelete, Path: products},
		},
		ErrorStatus: 400,
		ErrorBody:   `{"data":null,"errors":[{"errorCode":"invalid-request-data","message":"Image description is too long.","instance":"description"}],"metadata":{"requestId":"019c8c34-64f3-7328-af43-bf1e34fa39d7"}}`,
		ErrorKind:   shopimg.ErrInvalidInput,
	}
}
