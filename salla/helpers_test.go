package salla_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopimg/shopimg/salla"
	"github.com/shopimg/shopimg/salla/sallatest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// epoch is the start of every test clock.
var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

var ctx = context.Background()

// fixture is a fake store with a client on it, sharing a fake clock.
type fixture struct {
	srv    *sallatest.Server
	client *salla.Client
	clock  *shopimgtest.Clock
}

// newFixture starts a fake (closed at the end of the test) with product
// 111 and no images, and a client for it with retries but no real waits.
func newFixture(t testing.TB, srvOpts []sallatest.Option, opts ...salla.Option) *fixture {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := sallatest.NewServer(append([]sallatest.Option{sallatest.WithClock(clock)}, srvOpts...)...)
	t.Cleanup(srv.Close)
	srv.AddProduct(111, "SKU-111")
	client, err := srv.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, client: client, clock: clock}
}
