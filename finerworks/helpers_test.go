package finerworks_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/finerworks"
	"github.com/shopimg/shopimg/finerworks/finerworkstest"
	"github.com/shopimg/shopimg/shopimgtest"
)

var (
	ctx   = context.Background()
	epoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
)

// fixture is a fake server on a fake clock and a client of it.
type fixture struct {
	srv    *finerworkstest.Server
	client *finerworks.Client
	clock  *shopimgtest.Clock
}

func newFixture(t testing.TB, opts ...finerworkstest.Option) *fixture {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := finerworkstest.NewServer(append([]finerworkstest.Option{finerworkstest.WithClock(clock)}, opts...)...)
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(finerworks.WithRetry(shopimg.RetryPolicy{MaxRetries: 2}))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, client: c, clock: clock}
}
