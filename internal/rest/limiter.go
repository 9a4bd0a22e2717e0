package rest

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/shopimg/shopimg"
)

// RateInfo is a quota state reported by a vendor's response headers.
type RateInfo struct {
	// Remaining is how many requests are left in the current window (or how
	// much room is left in a leaky bucket).
	Remaining int
	// Limit is the quota per window (or the bucket's capacity); 0 if unknown.
	Limit int
	// Reset is how long until the quota refills (for a bucket: until it has
	// drained enough for one more request); 0 if unknown.
	Reset time.Duration
	// Window is the length of a quota window; 0 if unknown.
	Window time.Duration
	// RetryAfter is a vendor-specific retry header (BigCommerce
	// X-Retry-After); the standard Retry-After header is read by the core.
	RetryAfter time.Duration
}

// RateReader reads a vendor's quota headers. ok is false when the response
// carried none.
type RateReader func(h http.Header) (info RateInfo, ok bool)

// Limiter keeps every goroutine of a store within the quota the platform
// reports, so a long job runs at the quota instead of into 429s. It counts
// requests in flight against the last reported Remaining, holds new requests
// when none are left until the reported reset, and holds everything during a
// pause the platform asked for (a 429's Retry-After). A Limiter with no
// information yet lets requests through.
type Limiter struct {
	clock shopimg.Clock

	mu          sync.Mutex
	known       bool
	remaining   int // requests that may still start before resetAt
	limit       int
	window      time.Duration
	resetAt     time.Time
	pausedUntil time.Time
	inflight    int
}

// NewLimiter returns a Limiter on clock (nil means the system clock).
func NewLimiter(clock shopimg.Clock) *Limiter {
	if clock == nil {
		clock = shopimg.SystemClock{}
	}
	return &Limiter{clock: clock}
}

// Wait blocks until a request may start, or ctx ends. Each successful Wait
// must be followed by one Observe.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		d := l.reserve()
		if d == 0 {
			return nil
		}
		if err := l.clock.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// reserve takes a slot and returns 0, or returns how long to wait first.
func (l *Limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if now.Before(l.pausedUntil) {
		return l.pausedUntil.Sub(now)
	}
	if l.known && !now.Before(l.resetAt) {
		// The window has refilled.
		if l.limit > 0 && l.window > 0 {
			l.remaining = l.limit - l.inflight
			l.resetAt = now.Add(l.window)
		} else {
			l.known = false
		}
	}
	if l.known && l.remaining <= 0 {
		return l.resetAt.Sub(now)
	}
	if l.known {
		l.remaining--
	}
	l.inflight++
	return 0
}

// Observe ends a request started after Wait, with the quota state its
// response reported (ok false when it reported none or failed).
func (l *Limiter) Observe(info RateInfo, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight > 0 {
		l.inflight--
	}
	if !ok {
		return
	}
	now := l.clock.Now()
	l.known = true
	// Requests still in flight were not counted by the server yet.
	l.remaining = info.Remaining - l.inflight
	l.limit = info.Limit
	l.window = info.Window
	l.resetAt = now.Add(info.Reset)
	if info.Reset <= 0 && info.Remaining <= 0 {
		// No reset time: do not block forever, probe again shortly.
		l.resetAt = now.Add(time.Second)
	}
}

// PauseFor holds every request of the store for d (the platform asked for a
// pause, typically with a 429).
func (l *Limiter) PauseFor(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := l.clock.Now().Add(d); until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
}
