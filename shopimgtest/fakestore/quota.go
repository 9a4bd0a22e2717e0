package fakestore

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/shopimg/shopimg"
)

// QuotaState describes a rate limit at one moment, for a vendor's quota
// headers. Which fields matter depends on the model: a window has Limit,
// Remaining, Window and ResetIn; a bucket also has Filling.
type QuotaState struct {
	// Now is when the state was taken, by the server's clock (for headers
	// that carry an absolute reset time).
	Now time.Time
	// Limit is the requests per window, or the bucket's capacity.
	Limit int
	// Remaining is how many more requests fit now.
	Remaining int
	// Filling is the requests used in the window, or the drops in the bucket
	// (rounded up).
	Filling int
	// Window is the window's length, or how long a full bucket takes to
	// drain.
	Window time.Duration
	// ResetIn is the time until the window ends, or until the bucket is
	// empty.
	ResetIn time.Duration
	// RetryAfter is, for a rejected request, the time until a request fits
	// again; zero for an admitted one.
	RetryAfter time.Duration
}

// A QuotaModel decides whether a request fits a rate limit. FixedWindow and
// LeakyBucket are the models vendors use; a vendor fake may write its own.
// A Quota serialises calls to its model, so a model need not be safe for
// concurrent use, but it must not be used elsewhere while a server runs.
type QuotaModel interface {
	// Take charges one request at now if it fits and reports the state
	// afterwards; if it does not fit, it changes nothing and reports false.
	Take(now time.Time) (QuotaState, bool)
	// Peek reports the state at now without charging anything.
	Peek(now time.Time) QuotaState
}

// FixedWindow allows Limit requests per Window (BigCommerce: 150 per 30s).
// The first request starts the first window; windows follow back to back,
// and the count resets when one ends. Set the fields before use.
type FixedWindow struct {
	// Limit is the requests allowed per window; zero rejects everything.
	Limit int
	// Window is the window's length; zero or less never resets.
	Window time.Duration

	started bool
	start   time.Time
	used    int
}

// current returns the window that contains now and its count.
func (q *FixedWindow) current(now time.Time) (start time.Time, used int) {
	switch {
	case !q.started:
		return now, 0
	case q.Window <= 0 || now.Before(q.start.Add(q.Window)):
		return q.start, q.used
	}
	return q.start.Add(now.Sub(q.start) / q.Window * q.Window), 0
}

func (q *FixedWindow) state(now, start time.Time, used int) QuotaState {
	s := QuotaState{Now: now, Limit: q.Limit, Remaining: max(q.Limit-used, 0), Filling: used, Window: q.Window}
	if q.Window > 0 {
		s.ResetIn = start.Add(q.Window).Sub(now)
	}
	return s
}

// Take implements QuotaModel.
func (q *FixedWindow) Take(now time.Time) (QuotaState, bool) {
	start, used := q.current(now)
	q.started, q.start, q.used = true, start, used
	if used >= q.Limit {
		s := q.state(now, start, used)
		s.RetryAfter = s.ResetIn
		return s, false
	}
	q.used++
	return q.state(now, start, q.used), true
}

// Peek implements QuotaModel.
func (q *FixedWindow) Peek(now time.Time) QuotaState {
	start, used := q.current(now)
	return q.state(now, start, used)
}

// LeakyBucket is a bucket of Capacity drops that drains DrainPerSecond
// drops a second; each request adds Cost drops and is rejected if they do
// not fit (Shoptet: 200 drops, 10 a second; Salla's per-minute limit is a
// bucket of N draining N/60 a second). Set the fields before use.
type LeakyBucket struct {
	// Capacity is the bucket's size in drops.
	Capacity int
	// DrainPerSecond is how fast the bucket empties; zero never drains.
	DrainPerSecond float64
	// Cost is the drops one request adds; zero means 1.
	Cost float64

	started bool      // a request was admitted
	level   float64   // drops at last
	last    time.Time // when level was measured
}

// epsilon absorbs floating-point error in bucket levels.
const epsilon = 1e-9

func (b *LeakyBucket) cost() float64 {
	if b.Cost <= 0 {
		return 1
	}
	return b.Cost
}

func (b *LeakyBucket) levelAt(now time.Time) float64 {
	if !b.started || !now.After(b.last) {
		return b.level
	}
	return max(0, b.level-now.Sub(b.last).Seconds()*b.DrainPerSecond)
}

func (b *LeakyBucket) state(now time.Time, level float64) QuotaState {
	c := float64(b.Capacity)
	s := QuotaState{
		Now:       now,
		Limit:     b.Capacity,
		Remaining: max(0, int(math.Floor((c-level)/b.cost()+epsilon))),
		Filling:   int(math.Ceil(level - epsilon)),
	}
	if b.DrainPerSecond > 0 {
		s.Window = seconds(c / b.DrainPerSecond)
		s.ResetIn = seconds(level / b.DrainPerSecond)
	}
	return s
}

// Take implements QuotaModel.
func (b *LeakyBucket) Take(now time.Time) (QuotaState, bool) {
	level := b.levelAt(now)
	if level+b.cost() > float64(b.Capacity)+epsilon {
		s := b.state(now, level)
		if b.DrainPerSecond > 0 {
			s.RetryAfter = seconds((level + b.cost() - float64(b.Capacity)) / b.DrainPerSecond)
		}
		return s, false
	}
	b.started, b.level, b.last = true, level+b.cost(), now
	return b.state(now, b.level), true
}

// Peek implements QuotaModel.
func (b *LeakyBucket) Peek(now time.Time) QuotaState { return b.state(now, b.levelAt(now)) }

// seconds converts s seconds to a Duration, rounding up to the nanosecond
// so a client that waits that long is never early.
func seconds(s float64) time.Duration {
	return time.Duration(math.Ceil(s*float64(time.Second) - epsilon))
}

// Quota applies a QuotaModel to a Handler's requests: every response gets
// the vendor's quota headers, and a request that does not fit is rejected
// without reaching the handler. Get it from Handler.Quota; it is configured
// by Options. It is safe for concurrent use.
type Quota struct {
	clock   shopimg.Clock
	model   QuotaModel // nil: no limit, no headers
	headers func(http.Header, QuotaState)
	reject  func(http.ResponseWriter, QuotaState)

	mu       sync.Mutex
	rejected int
}

// State returns the model's current state (the zero QuotaState when the
// Handler has no quota).
func (q *Quota) State() QuotaState {
	if q.model == nil {
		return QuotaState{}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.model.Peek(q.clock.Now())
}

// Rejected returns how many requests were rejected for being over quota.
func (q *Quota) Rejected() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.rejected
}

func (q *Quota) wrap(next http.Handler) http.Handler {
	if q.model == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q.mu.Lock()
		s, ok := q.model.Take(q.clock.Now())
		if !ok {
			q.rejected++
		}
		q.mu.Unlock()
		if q.headers != nil {
			q.headers(w.Header(), s)
		}
		if !ok {
			q.reject(w, s)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RejectTooMany is the default Options.QuotaReject: 429 Too Many Requests
// with Retry-After in whole seconds and a plain-text body.
func RejectTooMany(w http.ResponseWriter, s QuotaState) {
	w.Header().Set("Retry-After", strconv.FormatInt(CeilSeconds(s.RetryAfter), 10))
	http.Error(w, http.StatusText(http.StatusTooManyRequests), http.StatusTooManyRequests)
}

// CeilSeconds returns d in whole seconds, rounded up and at least 1, the
// form of Retry-After style headers: rounding down would tell a client to
// come back too early.
func CeilSeconds(d time.Duration) int64 {
	return max(1, int64((d+time.Second-1)/time.Second))
}
