package bigcommerce_test

import (
	"testing"
	"time"

	"github.com/shopimg/shopimg/bigcommerce"
	"github.com/shopimg/shopimg/bigcommerce/bigcommercetest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// epoch is the start of every test clock.
var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// fixture is a fake store with a client on it, sharing a fake clock.
type fixture struct {
	srv    *bigcommercetest.Server
	client *bigcommerce.Client
	clock  *shopimgtest.Clock
}

// newFixture starts a fake (closed at the end of the test) with product
// 111 and no images, and a client for it with retries but no real waits.
func newFixture(t testing.TB, srvOpts []bigcommercetest.Option, opts ...bigcommerce.Option) *fixture {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := bigcommercetest.NewServer(append([]bigcommercetest.Option{bigcommercetest.WithClock(clock)}, srvOpts...)...)
	t.Cleanup(srv.Close)
	srv.AddProduct(111)
	client, err := srv.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, client: client, clock: clock}
}
