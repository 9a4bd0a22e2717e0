package rest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/shopimg/shopimg/internal/rest"
	"github.com/shopimg/shopimg/shopimgtest"
)

// TestLimiterOrderOfResponses drives a Limiter by hand: requests start
// (Wait) and end (Observe) in a scripted order, then one more request
// starts, and the test checks how long it was held.
func TestLimiterOrderOfResponses(t *testing.T) {
	t.Parallel()
	const window = 30 * time.Second
	quota := func(left int, reset time.Duration) rest.RateInfo {
		return rest.RateInfo{Remaining: left, Limit: 10, Reset: reset, Window: window}
	}
	cases := []struct {
		name    string
		reports []rest.RateInfo // responses of requests started together, in the order read
		starts  int             // requests started after them
		want    []time.Duration // the waits of those
	}{
		{
			name: "a late response does not raise the count",
			// The server answered B (0 left) after A (1 left), but B is read first.
			reports: []rest.RateInfo{quota(0, 20*time.Second), quota(1, 20*time.Second)},
			starts:  1,
			want:    []time.Duration{20 * time.Second},
		},
		{
			name:    "in order",
			reports: []rest.RateInfo{quota(1, 20*time.Second), quota(0, 20*time.Second)},
			starts:  1,
			want:    []time.Duration{20 * time.Second},
		},
		{
			name: "a response from an older window is ignored",
			// 1 left in the window ending in 29s; then a late response of the
			// previous window, which was about to end, claims 9.
			reports: []rest.RateInfo{quota(1, 29*time.Second), quota(9, time.Second)},
			starts:  2,
			want:    []time.Duration{29 * time.Second},
		},
		{
			name:    "a later window is taken at its word",
			reports: []rest.RateInfo{quota(0, time.Second), quota(5, 29*time.Second)},
			starts:  5,
			want:    nil,
		},
		{
			name:    "no reset time: probe again after a second",
			reports: []rest.RateInfo{{Remaining: 0}},
			starts:  1,
			want:    []time.Duration{time.Second},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := shopimgtest.NewClock(epoch)
			l := rest.NewLimiter(clock)
			ctx := context.Background()
			for range tc.reports {
				if err := l.Wait(ctx, 0); err != nil {
					t.Fatal(err)
				}
			}
			for _, info := range tc.reports {
				l.Observe(info, true)
			}
			for range tc.starts {
				if err := l.Wait(ctx, 0); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tc.want, clock.Sleeps()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLimiterRefillsThenBelievesTheServer(t *testing.T) {
	t.Parallel()
	clock := shopimgtest.NewClock(epoch)
	l := rest.NewLimiter(clock)
	ctx := context.Background()
	_ = l.Wait(ctx, 0)
	l.Observe(rest.RateInfo{Remaining: 0, Limit: 3, Reset: 10 * time.Second, Window: 10 * time.Second}, true)
	_ = l.Wait(ctx, 0) // held 10s, then the limiter refills the window itself (3)
	// The server says its window (not aligned with the guess) has 0 left for
	// 2s more: a guess gives way to a report.
	l.Observe(rest.RateInfo{Remaining: 0, Limit: 3, Reset: 2 * time.Second, Window: 10 * time.Second}, true)
	_ = l.Wait(ctx, 0)
	if diff := cmp.Diff([]time.Duration{10 * time.Second, 2 * time.Second}, clock.Sleeps()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestLimiterPauseHoldsEveryone(t *testing.T) {
	t.Parallel()
	clock := shopimgtest.NewClock(epoch)
	l := rest.NewLimiter(clock)
	l.PauseFor(7 * time.Second)
	l.PauseFor(3 * time.Second) // a shorter pause does not shorten it
	for range 2 {
		if err := l.Wait(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]time.Duration{7 * time.Second}, clock.Sleeps()); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestLimiterWaitEndsWithContext(t *testing.T) {
	t.Parallel()
	clock := blockingClock{sleeping: make(chan struct{})}
	l := rest.NewLimiter(clock)
	l.PauseFor(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- l.Wait(ctx, 0) }()
	<-clock.sleeping
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v, want context.Canceled", err)
	}
}

// TestLimiterMaxInFlight: with a cap of 3, a 4th request waits until one of
// the 3 ends, and a cancelled wait gives up at once.
func TestLimiterMaxInFlight(t *testing.T) {
	t.Parallel()
	l := rest.NewLimiter(shopimgtest.NewClock(epoch))
	l.SetMaxInFlight(3)
	ctx := context.Background()
	for range 3 {
		if err := l.Wait(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.Wait(cctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("a 4th Wait with a cancelled context = %v, want context.Canceled", err)
	}
	done := make(chan error, 1)
	go func() { done <- l.Wait(ctx, 0) }()
	select {
	case err := <-done:
		t.Fatalf("a 4th Wait returned %v while 3 are in flight", err)
	default:
	}
	l.Observe(rest.RateInfo{}, false)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	l.Release()
	l.Release()
	l.Release()
}
