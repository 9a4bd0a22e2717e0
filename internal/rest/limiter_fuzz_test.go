package rest

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"
)

// FuzzLimiter feeds a Limiter random sequences of waits, reports, releases
// and pauses: it never panics, no Wait sleeps longer than its cap in all,
// its count of requests in flight is the test's, and every Wait ends (the
// fuzzer's timeout catches one that does not).
func FuzzLimiter(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{0, 0, 0, 1, 10, 0, 0, 0, 0})
	// A quota of 1 per 1ns window, with a request in flight: the limiter
	// must not spin in nanosecond steps up to its cap.
	f.Add([]byte{0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{3, 255, 255, 255, 255, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		clock := &stepClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		l := NewLimiter(clock)
		held := 0
		next := func(n int) uint64 { // the next n bytes of ops, as a number
			var b [8]byte
			k := copy(b[:n], ops)
			ops = ops[k:]
			return binary.LittleEndian.Uint64(b[:])
		}
		dur := func() time.Duration { // from 1ns to about 35 days, spread over the scales
			v := next(4)
			return time.Duration(v%1000+1) * []time.Duration{time.Nanosecond, time.Millisecond, time.Second, time.Hour}[v>>30]
		}
		for steps := 0; len(ops) > 0 && steps < 200; steps++ {
			switch next(1) % 6 {
			case 0:
				maxWait := time.Duration(next(1)%10+1) * 10 * time.Second
				before := clock.Slept()
				err := l.Wait(context.Background(), maxWait)
				if slept := clock.Slept() - before; slept > maxWait {
					t.Fatalf("Wait slept %v, more than its cap %v", slept, maxWait)
				}
				var tooLong *WaitTooLongError
				switch {
				case err == nil:
					held++
				case !errors.As(err, &tooLong) || tooLong.Wait <= 0 || tooLong.Wait > MaxReportedWait:
					t.Fatalf("Wait: %v", err)
				}
			case 1, 2:
				if held > 0 {
					held--
					l.Observe(RateInfo{Remaining: int(int8(next(1))), Limit: int(next(1)), Reset: dur(), Window: dur(), RetryAfter: dur()}, next(1)%4 != 0)
				}
			case 3:
				if held > 0 {
					held--
					l.Release()
				}
			case 4:
				l.PauseFor(dur())
			case 5:
				clock.Advance(dur())
			}
			l.mu.Lock()
			inflight := l.inflight
			l.mu.Unlock()
			if inflight != held {
				t.Fatalf("the limiter counts %d requests in flight, the test holds %d", inflight, held)
			}
		}
	})
}

// stepClock is a clock whose Sleep moves time forward at once (the test
// package cannot use shopimgtest's, which imports this package).
type stepClock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
}

func (c *stepClock) Slept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

func (c *stepClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept += d
	}
	return nil
}
