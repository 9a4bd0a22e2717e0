package rest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

// readWaits is a RateReader of test headers: X-Left and X-Reset-Ms (a
// quota), X-Retry-After in seconds (a vendor's retry header, as
// BigCommerce's).
func readWaits(h http.Header) (rest.RateInfo, bool) {
	var info rest.RateInfo
	ok := false
	if v := h.Get("X-Left"); v != "" {
		info.Remaining, _ = strconv.Atoi(v)
		ms, _ := strconv.ParseInt(h.Get("X-Reset-Ms"), 10, 64)
		info.Reset = time.Duration(ms) * time.Millisecond
		ok = true
	}
	if v := h.Get("X-Retry-After"); v != "" {
		info.RetryAfter = rest.ParseRetryAfter(v, time.Time{})
		ok = true
	}
	return info, ok
}

// TestAbsurdWaitFailsTheNextCallAtOnce: an answer asking for an absurd wait
// (a quota reset in 999999999 ms, a retry after 1e9 seconds) fails that
// call or the next at once, unsent, with ErrRateLimited and the wait
// clamped to MaxReportedWait in RetryAfter, instead of sleeping for days.
func TestAbsurdWaitFailsTheNextCallAtOnce(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		header map[string]string
	}{
		{"quota reset in 999999999 ms on a 200", http.StatusOK, map[string]string{"X-Left": "0", "X-Reset-Ms": "999999999"}},
		{"X-Retry-After 1e9 on a 429", http.StatusTooManyRequests, map[string]string{"X-Retry-After": "1e9"}},
		{"Retry-After 1e9 on a 429", http.StatusTooManyRequests, map[string]string{"Retry-After": "1000000000"}},
		{"Retry-After far away as a date", http.StatusTooManyRequests, map[string]string{"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}},
		{"quota reset in 999999999 ms on a 429", http.StatusTooManyRequests, map[string]string{"X-Left": "0", "X-Reset-Ms": "999999999"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
			}, func(c *rest.Config) { c.ReadRate = readWaits })
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a hang fails, not blocks
			defer cancel()
			_, first := hs.do(ctx, &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
			if (first == nil) != (tc.status == http.StatusOK) {
				t.Fatalf("first call: err = %v", first)
			}
			_, err := hs.do(ctx, &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
			var apiErr *shopimg.APIError
			if !errors.Is(err, shopimg.ErrRateLimited) || !errors.As(err, &apiErr) {
				t.Fatalf("next call: err = %v, want ErrRateLimited", err)
			}
			if apiErr.Attempts != 0 || apiErr.RetryAfter != rest.MaxReportedWait || apiErr.StatusCode != http.StatusTooManyRequests {
				t.Errorf("next call: Attempts %d, RetryAfter %v, status %d; want 0, %v, 429", apiErr.Attempts, apiErr.RetryAfter, apiErr.StatusCode, rest.MaxReportedWait)
			}
			if hs.hits.Load() != 1 || len(hs.clock.Sleeps()) != 0 {
				t.Errorf("%d requests, sleeps %v; want 1 request and no sleep", hs.hits.Load(), hs.clock.Sleeps())
			}
		})
	}
}

// TestWaitsNeverPassTheCap: a Retry-After just under MaxRetryAfter (119s
// under 2m) is waited with jitter, but jitter never pushes the wait past
// the cap, over many calls.
func TestWaitsNeverPassTheCap(t *testing.T) {
	t.Parallel()
	const limit = 2 * time.Minute
	for _, tc := range []struct {
		name   string
		status int
		header string
	}{
		{"429 Retry-After", http.StatusTooManyRequests, "Retry-After"},
		{"429 X-Retry-After", http.StatusTooManyRequests, "X-Retry-After"},
		{"503 Retry-After", http.StatusServiceUnavailable, "Retry-After"},
		{"423 Retry-After", http.StatusLocked, "Retry-After"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			clock := newClock()
			c := statusClient(t, 0, nil, "", func(c *rest.Config) {
				c.Clock = clock
				c.Retry = shopimg.RetryPolicy{MaxRetries: 1, MinWait: time.Second, MaxWait: 2 * time.Second, MaxRetryAfter: limit}
				c.ReadRate = readWaits
				c.PauseStatuses = []int{http.StatusLocked}
				c.HTTPClient = &http.Client{Transport: rtFunc(func(r *http.Request) (*http.Response, error) {
					resp := &http.Response{StatusCode: http.StatusNoContent, Header: http.Header{}, Body: http.NoBody, Request: r}
					if n.Add(1)%2 == 1 {
						resp.StatusCode = tc.status
						resp.Header.Set(tc.header, "119")
					}
					return resp, nil
				})}
			})
			for range 300 {
				if _, err := c.Do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil); err != nil {
					t.Fatal(err)
				}
			}
			sleeps := clock.Sleeps()
			if len(sleeps) != 300 {
				t.Fatalf("%d sleeps for 300 retries", len(sleeps))
			}
			for i, d := range sleeps {
				if d < 119*time.Second || d > limit {
					t.Fatalf("sleep %d is %v, want within [119s, %v]", i, d, limit)
				}
			}
		})
	}
}

// TestFailedReopenGivesTheSlotBack: attempts that never reach the server (a
// refused connection, an upload that cannot be reopened for its retry) give
// their rate-limit slot back, so a quota of 2 lets a normal call through
// after many more such failures than that.
func TestFailedReopenGivesTheSlotBack(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Left", strconv.FormatInt(3-served.Add(1), 10))
		w.Header().Set("X-Reset-Ms", "3600000") // an hour: longer than the client waits
		w.WriteHeader(http.StatusNoContent)
	}, func(c *rest.Config) {
		c.ReadRate = readWaits
		var d net.Dialer
		c.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if mode, _ := ctx.Value(failDial{}).(string); mode == "fail" {
					return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
				}
				return d.DialContext(ctx, network, addr)
			}}}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a hang fails, not blocks
	defer cancel()
	call := func(mode string, f *shopimg.File) error {
		_, err := hs.do(context.WithValue(ctx, failDial{}, mode), &rest.Request{Method: http.MethodPut, Path: "x",
			Multipart: &rest.Multipart{FileField: "f", File: f}}, nil)
		return err
	}
	file := func() *shopimg.File { return shopimg.FileFromBytes("a.png", []byte("png")) }
	if err := call("ok", file()); err != nil { // learns the quota: 2 left for an hour
		t.Fatal(err)
	}
	for i := range 5 {
		var opens atomic.Int64
		f := file()
		f.Open = func() (io.ReadCloser, error) {
			if opens.Add(1) > 1 {
				return nil, errors.New("the file went away")
			}
			return io.NopCloser(bytes.NewReader([]byte("png"))), nil
		}
		// The first attempt cannot connect; its retry cannot reopen the file.
		if err := call("fail", f); err == nil || !strings.Contains(err.Error(), "went away") {
			t.Fatalf("failing call %d: err = %v, want the reopen failure", i, err)
		}
	}
	if err := call("ok", file()); err != nil {
		t.Errorf("a normal call after the failures: %v", err)
	}
	if served.Load() != 2 {
		t.Errorf("the server served %d requests, want 2", served.Load())
	}
}

type failDial struct{}

// TestLimiterReleaseGivesTheSlotBack: a slot taken and given back, many
// more times than the quota, does not use the quota up.
func TestLimiterReleaseGivesTheSlotBack(t *testing.T) {
	t.Parallel()
	clock := newClock()
	l := rest.NewLimiter(clock)
	ctx := context.Background()
	if err := l.Wait(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	l.Observe(rest.RateInfo{Remaining: 2, Reset: time.Hour}, true)
	for range 10 {
		if err := l.Wait(ctx, time.Minute); err != nil {
			t.Fatal(err)
		}
		l.Release()
	}
	for i := range 2 {
		if err := l.Wait(ctx, time.Minute); err != nil {
			t.Fatalf("slot %d of 2: %v", i+1, err)
		}
	}
	var tooLong *rest.WaitTooLongError
	if err := l.Wait(ctx, time.Minute); !errors.As(err, &tooLong) {
		t.Errorf("a third slot: err = %v, want a WaitTooLongError", err)
	}
	if s := clock.Sleeps(); len(s) != 0 {
		t.Errorf("slept %v", s)
	}
}

// TestLimiterWaitChecksTheContext: an ended context ends Wait at once even
// when no wait is needed.
func TestLimiterWaitChecksTheContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := rest.NewLimiter(newClock())
	if err := l.Wait(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// countedFile is an upload whose opens and closes are counted.
type countedFile struct {
	opens, closes atomic.Int64
}

func (f *countedFile) file() *shopimg.File {
	return &shopimg.File{Name: "a.png", Size: 3, Open: func() (io.ReadCloser, error) {
		f.opens.Add(1)
		return closeCounter{strings.NewReader("png"), &f.closes}, nil
	}}
}

type closeCounter struct {
	io.Reader
	n *atomic.Int64
}

func (c closeCounter) Close() error {
	c.n.Add(1)
	return nil
}

// TestUploadNotOpenedWhenTheLimiterRefuses: when the rate-limit wait fails
// (the context ended before or during it, or the wait is too long), the
// upload is never opened and no goroutine is started to stream it. Not
// parallel: it counts the process's goroutines.
func TestUploadNotOpenedWhenTheLimiterRefuses(t *testing.T) { //nolint:paralleltest // counts goroutines
	cases := []struct {
		name  string
		clock func() shopimg.Clock
		ctx   func() context.Context
		pause time.Duration
		want  error
	}{
		{name: "cancelled before, no wait needed", want: context.Canceled, ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}},
		{name: "cancelled during the wait", pause: 30 * time.Second, want: context.Canceled},
		{name: "wait longer than the cap", pause: time.Hour, want: shopimg.ErrRateLimited},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			clock := shopimg.Clock(newClock())
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx()
			}
			var cancel context.CancelFunc
			if tc.name == "cancelled during the wait" {
				bc := blockingClock{sleeping: make(chan struct{})}
				clock = bc
				ctx, cancel = context.WithCancel(ctx)
				go func() {
					<-bc.sleeping
					cancel()
				}()
			}
			hs := newHarness(t, okJSON(`{}`), func(c *rest.Config) {
				c.Clock = clock
				c.Limiter = rest.NewLimiter(clock)
				c.Limiter.PauseFor(tc.pause)
			})
			var f countedFile
			_, err := hs.do(ctx, &rest.Request{Method: http.MethodPost, Path: "x", Multipart: &rest.Multipart{FileField: "f", File: f.file()}}, nil)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if f.opens.Load() != 0 || f.closes.Load() != 0 || hs.hits.Load() != 0 {
				t.Errorf("%d opens, %d closes, %d requests; want none", f.opens.Load(), f.closes.Load(), hs.hits.Load())
			}
			hs.srv.Close()
		})
	}
}

// TestUploadStreamEndsWhenTheTransportDoesNotRead: a transport that answers
// without reading the upload (a proxy refusing it at once) leaves no
// goroutine streaming it, and the file is closed. Not parallel: it counts
// the process's goroutines.
func TestUploadStreamEndsWhenTheTransportDoesNotRead(t *testing.T) { //nolint:paralleltest // counts goroutines
	ignore := goleak.IgnoreCurrent()
	c := statusClient(t, http.StatusRequestEntityTooLarge, nil, "too large")
	var f countedFile
	_, err := c.Do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "x", Multipart: &rest.Multipart{FileField: "f", File: f.file()}}, nil)
	if !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("err = %v", err)
	}
	goleak.VerifyNone(t, ignore)
	if f.opens.Load() != 1 || f.closes.Load() != 1 {
		t.Errorf("%d opens, %d closes; want 1 and 1", f.opens.Load(), f.closes.Load())
	}
}

// TestLimiterDoesNotSpin: a 1ns window, its one request still in flight,
// makes Wait sleep in steps of at least 10ms up to its cap, not in
// nanosecond steps (ten million sleeps for a 10ms cap).
func TestLimiterDoesNotSpin(t *testing.T) {
	t.Parallel()
	clock := newClock()
	l := rest.NewLimiter(clock)
	ctx := context.Background()
	for range 2 {
		if err := l.Wait(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	l.Observe(rest.RateInfo{Remaining: 0, Limit: 1, Reset: time.Nanosecond, Window: time.Nanosecond}, true)
	var tooLong *rest.WaitTooLongError
	if err := l.Wait(ctx, 10*time.Millisecond); !errors.As(err, &tooLong) {
		t.Errorf("err = %v, want a WaitTooLongError", err)
	}
	if n := len(clock.Sleeps()); n > 1 {
		t.Errorf("%d sleeps for a 10ms cap, want at most 1", n)
	}
}
