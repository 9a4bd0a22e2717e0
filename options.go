package shopimg

import (
	"context"
	"fmt"
	"time"
)

// RetryPolicy configures how a vendor client retries a failed request. Pass it
// to the vendor's WithRetry option.
//
// Reads and idempotent writes (PUT, PATCH, DELETE) are retried after network
// errors, 429 and 5xx other than 501. A create (a POST that adds) is retried
// only when the platform surely did not act on it: a connection that could
// not be made, a 429, or a platform-specific "locked" answer. Anything else
// returns an error matching ErrOutcomeUnknown.
type RetryPolicy struct {
	// MaxRetries is how many times a request is retried after its first
	// attempt; 0 turns retries off.
	MaxRetries int
	// MinWait is the first backoff; it doubles with each retry (with jitter)
	// up to MaxWait. Zero means 500ms.
	MinWait time.Duration
	// MaxWait caps one backoff. Zero means 30s.
	MaxWait time.Duration
	// MaxRetryAfter caps how long the client waits when the platform asks for
	// a pause (Retry-After or a quota reset). A longer requested pause is not
	// waited for: the request fails at once with an error matching
	// ErrRateLimited whose RetryAfter says how long the platform asked for, so
	// a job scheduler can come back later. Zero means 2m.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy is the policy clients use unless told otherwise: 4
// retries, backoff from 500ms to 30s, and platform-requested pauses of up to 2
// minutes.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 4, MinWait: 500 * time.Millisecond, MaxWait: 30 * time.Second, MaxRetryAfter: 2 * time.Minute}
}

// WithDefaults returns p with its zero durations replaced by the defaults.
func (p RetryPolicy) WithDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.MinWait == 0 {
		p.MinWait = d.MinWait
	}
	if p.MaxWait == 0 {
		p.MaxWait = d.MaxWait
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	return p
}

// Validate reports whether p is usable.
func (p RetryPolicy) Validate() error {
	switch {
	case p.MaxRetries < 0:
		return &InputError{Field: "RetryPolicy.MaxRetries", Reason: fmt.Sprintf("%d is negative", p.MaxRetries)}
	case p.MinWait < 0 || p.MaxWait < 0 || p.MaxRetryAfter < 0:
		return &InputError{Field: "RetryPolicy", Reason: "has a negative duration"}
	case p.MaxWait != 0 && p.MinWait > p.MaxWait:
		return &InputError{Field: "RetryPolicy.MinWait", Reason: "is greater than MaxWait"}
	}
	return nil
}

// Clock is the time source of a client's waits (retry backoff, Retry-After,
// rate-limit pauses). The default is the real clock; tests pass a fake one
// (shopimgtest.Clock) so nothing really sleeps.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx ends, in which case it returns
	// ctx.Err() at once.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real Clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx ends.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
