package finerworks_test

import (
	"net/http"
	"testing"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
	"github.com/shopimg/shopimg/internal/faulttest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// TestFaultMatrix runs every adapter operation FinerWorks supports into
// every fault on the request that carries it (see internal/faulttest), the
// vendor's error being a success-false envelope on HTTP 200.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	faulttest.Run(t, faultVendor())
}

// TestBadInputSendsNothing: malformed library names, GUIDs, texts, URLs
// and updates are refused before any request, by every operation (the
// guard checks IDs before it refuses what the platform cannot do).
func TestBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	faulttest.RunBadInput(t, faultVendor(), []string{"Inventory", "gallery", "123"},
		[]string{"123", "eaedbfbc-aee8-408f-9a80-43bda4e94de", "{eaedbfbc-aee8-408f-9a80-43bda4e94de7}"}, "eaedbfbc-aee8-408f-9a80-43bda4e94de7")
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
	return faulttest.Vendor{
		New: func(t *testing.T, clock *shopimgtest.Clock, realServerClock bool) faulttest.Env {
			var opts []finerworkstest.Option
			if !realServerClock {
				opts = append(opts, finerworkstest.WithClock(clock))
			}
			srv := finerworkstest.NewServer(opts...)
			t.Cleanup(srv.Close)
			c, err := srv.NewClient(finerworks.WithClock(clock), finerworks.WithRetry(shopimg.RetryPolicy{MaxRetries: 3}))
			if err != nil {
				t.Fatal(err)
			}
			return faulttest.Env{Images: c.ProductImages(), Faults: srv.Faults(), Recorder: srv.Recorder(), ProductID: "inventory"}
		},
		Targets: map[faulttest.Op]faulttest.Target{
			faulttest.List:   {Method: http.MethodPost, Path: finerworkstest.ListImagesPath},
			faulttest.Add:    {Method: http.MethodPost, Path: finerworkstest.AddImagesPath},
			faulttest.Update: {Method: http.MethodPut, Path: finerworkstest.UpdateImagesPath},
			faulttest.Delete: {Method: http.MethodDelete, Path: finerworkstest.DeleteImagesPath},
		},
		ErrorStatus: http.StatusOK,
		ErrorBody:   `{"status":{"success":false,"status_code":400,"message":"The title is too long.","debug":null}}`,
		ErrorKind:   shopimg.ErrInvalidInput,
	}
}
