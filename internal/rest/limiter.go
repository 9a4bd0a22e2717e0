package rest

import (
	"context"
	"fmt"
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
// requests in flight against the lowest Remaining reported in the current
// window (responses read out of order cannot raise it), holds new requests
// when none are left until the reported reset, and holds everything during a
// pause the platform asked for (a 429's Retry-After). A Limiter with no
// information yet lets requests through. With SetMaxInFlight it also caps
// the requests in flight at once (Shoptet allows 3 connections per token).
type Limiter struct {
	clock shopimg.Clock

	mu          sync.Mutex
	known       bool
	guessed     bool // the state is the limiter's own refill, not a report
	remaining   int  // requests that may still start before resetAt
	limit       int
	window      time.Duration
	resetAt     time.Time
	pausedUntil time.Time
	inflight    int
	maxInFlight int           // 0: no cap
	freed       chan struct{} // closed (and replaced) when a slot is given back
}

// SetMaxInFlight caps the requests of the store in flight at once (0: no
// cap), for platforms that refuse more concurrent connections per token.
// A request over the cap waits, without a time limit of its own (its
// context bounds it), until another one ends.
func (l *Limiter) SetMaxInFlight(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maxInFlight = max(n, 0)
}

// busy is reserve's answer when the in-flight cap is reached.
const busy time.Duration = -1

// freedLocked returns the channel closed when the next slot is given back.
func (l *Limiter) freedLocked() chan struct{} {
	if l.freed == nil {
		l.freed = make(chan struct{})
	}
	return l.freed
}

// endLocked ends a request in flight and wakes the waiters for a slot.
func (l *Limiter) endLocked() {
	if l.inflight > 0 {
		l.inflight--
	}
	if l.freed != nil {
		close(l.freed)
		l.freed = nil
	}
}

// NewLimiter returns a Limiter on clock (nil means the system clock).
func NewLimiter(clock shopimg.Clock) *Limiter {
	if clock == nil {
		clock = shopimg.SystemClock{}
	}
	return &Limiter{clock: clock}
}

// MaxReportedWait clamps every wait a platform reports (a quota reset, a
// Retry-After): a value beyond it (X-Rate-Limit-Time-Reset-Ms: 999999999 is
// 11 days) is taken as this long. The client never waits that long anyway:
// a wait longer than RetryPolicy.MaxRetryAfter fails the call at once with
// shopimg.ErrRateLimited, whose RetryAfter tells the clamped wait.
const MaxReportedWait = 24 * time.Hour

// clampWait limits a reported wait to [0, MaxReportedWait].
func clampWait(d time.Duration) time.Duration {
	return min(max(d, 0), MaxReportedWait)
}

// WaitTooLongError is why Wait refused to wait: the quota is used up for
// longer than the caller allows.
type WaitTooLongError struct {
	// Wait is how long the quota stays used up.
	Wait time.Duration
	// Max is the longest the caller allowed.
	Max time.Duration
}

// Error says how long the wait would have been.
func (e *WaitTooLongError) Error() string {
	return fmt.Sprintf("not sent: the platform's quota is used up for another %v, longer than the client waits (MaxRetryAfter %v)", e.Wait.Round(time.Millisecond), e.Max)
}

// minWait is the shortest the limiter sleeps, so that a tiny reported
// window (1ns) with requests still in flight cannot make Wait spin.
const minWait = 10 * time.Millisecond

// Wait blocks until a request may start, or ctx ends, and takes a slot for
// it. It returns ctx.Err() at once when ctx has ended, even if no wait is
// needed. When the quota the platform reported is used up for longer than
// maxWait (0: no limit), it returns a *WaitTooLongError at once instead of
// sleeping. Each successful Wait must be followed by one Observe or
// Release.
func (l *Limiter) Wait(ctx context.Context, maxWait time.Duration) error {
	var waited time.Duration
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, freed := l.reserve()
		if d == 0 {
			return nil
		}
		if d == busy {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-freed:
			}
			continue
		}
		d = max(d, minWait)
		if maxWait > 0 && waited+d > maxWait {
			return &WaitTooLongError{Wait: d, Max: maxWait}
		}
		if err := l.clock.Sleep(ctx, d); err != nil {
			return err
		}
		waited += d
	}
}

// Release gives back the slot of a request that never reached the platform
// (its body could not be opened, its connection could not be made), and
// the request it counted: a slot given back any number of times costs none
// of the quota.
func (l *Limiter) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.endLocked()
	// The slot was counted against the window it was taken in, or, if the
	// window changed since, against the new one (which starts from what
	// the platform reported, less the requests in flight, this one among
	// them): either way the count goes back up by one.
	if l.known {
		l.remaining++
	}
}

// reserve takes a slot and returns 0, or returns how long to wait first,
// or busy and the channel to wait on when the in-flight cap is reached.
func (l *Limiter) reserve() (time.Duration, chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if now.Before(l.pausedUntil) {
		return l.pausedUntil.Sub(now), nil
	}
	if l.maxInFlight > 0 && l.inflight >= l.maxInFlight {
		return busy, l.freedLocked()
	}
	if l.known && !now.Before(l.resetAt) {
		// The window has refilled.
		if l.limit > 0 && l.window > 0 {
			l.remaining = l.limit - l.inflight
			l.resetAt = now.Add(l.window)
			l.guessed = true
		} else {
			l.known = false
		}
	}
	if l.known && l.remaining <= 0 {
		return l.resetAt.Sub(now), nil
	}
	if l.known {
		l.remaining--
	}
	l.inflight++
	return 0, nil
}

// Observe ends a request started after Wait, with the quota state its
// response reported (ok false when it reported none or failed).
func (l *Limiter) Observe(info RateInfo, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.endLocked()
	if !ok {
		return
	}
	now := l.clock.Now()
	info.Reset, info.Window = clampWait(info.Reset), clampWait(info.Window)
	// Requests still in flight may not have been counted by the server yet,
	// so they are taken off what it reports (an underestimate at worst).
	remaining := info.Remaining - l.inflight
	l.limit = info.Limit
	l.window = info.Window
	if info.Reset > 0 && l.known && !l.guessed && now.Before(l.resetAt) {
		// Responses of concurrent requests can be read in another order
		// than the server sent them. Within one quota window the count of
		// requests left only falls, so a response that reports more than
		// the limiter believes is a late one, and a response whose window
		// ends well before the tracked one is from an older window: taking
		// either at its word would let too many requests through, into a
		// 429. A response whose window ends well after the tracked one
		// starts a new window. (After the limiter refilled a window on its
		// own, the next report is taken at its word: the refill was a
		// guess.)
		end := now.Add(info.Reset)
		slack := max(info.Window/2, time.Second)
		switch {
		case end.After(l.resetAt.Add(slack)): // a new window
			l.remaining, l.resetAt = remaining, end
		case end.Before(l.resetAt.Add(-slack)): // an older window: stale
		default: // the same window
			l.remaining = min(l.remaining, remaining)
			l.resetAt = maxTime(l.resetAt, end)
		}
		return
	}
	l.known, l.guessed = true, false
	l.remaining = remaining
	l.resetAt = now.Add(info.Reset)
	if info.Reset <= 0 && info.Remaining <= 0 {
		// No reset time: do not block forever, probe again shortly.
		l.resetAt = now.Add(time.Second)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// PauseFor holds every request of the store for d (the platform asked for a
// pause, typically with a 429).
func (l *Limiter) PauseFor(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := l.clock.Now().Add(clampWait(d)); until.After(l.pausedUntil) {
		l.pausedUntil = until
	}
}
