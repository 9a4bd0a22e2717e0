package shoptet_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/shoptet"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

var ctx = context.Background()

var epoch = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// fixture is a fake server and a client of it on one fake clock.
type fixture struct {
	clock  *shopimgtest.Clock
	srv    *shoptettest.Server
	client *shoptet.Client
}

// newFixture starts a fake with opts and a client with copts.
func newFixture(t testing.TB, opts []shoptettest.Option, copts ...shoptet.Option) *fixture {
	t.Helper()
	clock := shopimgtest.NewClock(epoch)
	srv := shoptettest.NewServer(append([]shoptettest.Option{shoptettest.WithClock(clock)}, opts...)...)
	t.Cleanup(srv.Close)
	c, err := srv.NewClient(copts...)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{clock: clock, srv: srv, client: c}
}
