package rest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/internal/rest"
)

func TestReadsRetryUntilSuccess(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 500, 502, 503, 504} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, failTimes(2, status, nil, okJSON(`{"id":7,"name":"ok"}`)))
			var got item
			resp, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "items/7"}, &got)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != 7 || resp.Attempts != 3 || hs.hits.Load() != 3 {
				t.Errorf("got %+v after %d attempts, %d hits; want id 7 after 3", got, resp.Attempts, hs.hits.Load())
			}
			if n := len(hs.clock.Sleeps()); n != 2 {
				t.Errorf("slept %d times, want 2", n)
			}
		})
	}
}

func TestReadRetriesAfterConnectionReset(t *testing.T) {
	t.Parallel()
	for name, drop := range map[string]http.HandlerFunc{"EOF": hangUp, "RST": resetConn} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					drop(w, r)
					return
				}
				okJSON(`{"id":1}`)(w, r)
			})
			var got item
			resp, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "items/1"}, &got)
			if err != nil {
				t.Fatal(err)
			}
			// Attempts 2 shows the core retried (not net/http's own resend).
			if got.ID != 1 || n.Load() != 2 || resp.Attempts != 2 {
				t.Errorf("got %+v after %d attempts, %d handler calls; want id 1 after 2 and 2", got, resp.Attempts, n.Load())
			}
		})
	}
}

func TestIdempotentWritesRetry(t *testing.T) {
	t.Parallel()
	for _, m := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete} {
		t.Run(m, func(t *testing.T) {
			t.Parallel()
			var bodies []string
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				bodies = append(bodies, string(b))
				if len(bodies) == 1 {
					w.WriteHeader(http.StatusBadGateway)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			})
			_, err := hs.do(context.Background(), &rest.Request{Method: m, Path: "items/1", JSON: map[string]string{"name": "x<y"}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(bodies) != 2 || bodies[0] != bodies[1] || bodies[1] != `{"name":"x<y"}` {
				t.Errorf("bodies = %q, want the same unescaped JSON twice", bodies)
			}
		})
	}
}

func TestNotImplementedIsNotRetried(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotImplemented) })
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	var apiErr *shopimg.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 501 || hs.hits.Load() != 1 {
		t.Errorf("err = %v after %d hits; want a 501 APIError after 1", err, hs.hits.Load())
	}
}

func TestCreateNotRetriedAfterServerError(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("boom"))
	})
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "items", JSON: item{Name: "a"}}, nil)
	if !errors.Is(err, shopimg.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
	}
	var apiErr *shopimg.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 500 || apiErr.Message != "boom" {
		t.Errorf("err = %v, want it to wrap the 500 APIError", err)
	}
	if hs.hits.Load() != 1 {
		t.Errorf("server saw %d requests, want 1", hs.hits.Load())
	}
}

func TestCreateNotRetriedAfterDroppedConnection(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, hangUp)
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "items", JSON: item{Name: "a"}}, nil)
	if !errors.Is(err, shopimg.ErrOutcomeUnknown) || hs.hits.Load() != 1 {
		t.Errorf("err = %v after %d hits, want ErrOutcomeUnknown after 1", err, hs.hits.Load())
	}
}

func TestCreateRetriedAfter429(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, failTimes(1, 429, map[string]string{"Retry-After": "2"}, okJSON(`{"id":9}`)))
	var got item
	resp, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "items", JSON: item{Name: "a"}}, &got)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != 9 || resp.Attempts != 2 {
		t.Errorf("got %+v after %d attempts", got, resp.Attempts)
	}
	if s := hs.clock.Slept(); s < 2*time.Second || s > 3*time.Second {
		t.Errorf("slept %v, want Retry-After 2s plus jitter", s)
	}
}

func TestCreateRetriedOnPauseStatus(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, failTimes(1, 423, nil, okJSON(`{"id":3}`)), func(c *rest.Config) { c.PauseStatuses = []int{423} })
	var got item
	if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "items"}, &got); err != nil || got.ID != 3 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestCreateRetriedAfterDialError(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, okJSON(`{}`))
	hs.srv.Close() // nothing listens any more: every attempt fails to dial
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "items"}, nil)
	if err == nil || errors.Is(err, shopimg.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want a plain dial error", err)
	}
	if n := len(hs.clock.Sleeps()); n != 3 {
		t.Errorf("slept %d times, want 3 (MaxRetries)", n)
	}
}

func TestRetryAfterForms(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		value func(now time.Time) string
		want  time.Duration
	}{
		{"seconds", func(time.Time) string { return "7" }, 7 * time.Second},
		{"http-date", func(now time.Time) string { return now.Add(30 * time.Second).Format(http.TimeFormat) }, 30 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, nil)
			var n atomic.Int64
			hs.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					w.Header().Set("Retry-After", tc.value(hs.clock.Now()))
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.WriteHeader(http.StatusNoContent)
			})
			if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil); err != nil {
				t.Fatal(err)
			}
			s := hs.clock.Sleeps()
			if len(s) != 1 || s[0] < tc.want || s[0] > tc.want+tc.want/10 {
				t.Errorf("sleeps = %v, want one of %v plus at most 10%% jitter", s, tc.want)
			}
		})
	}
}

func TestRetryAfterAboveCapFailsAtOnce(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, failTimes(5, 429, map[string]string{"Retry-After": "3600"}, okJSON(`{}`)))
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	var apiErr *shopimg.APIError
	if !errors.Is(err, shopimg.ErrRateLimited) || !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want ErrRateLimited APIError", err)
	}
	if apiErr.RetryAfter != time.Hour || hs.hits.Load() != 1 || len(hs.clock.Sleeps()) != 0 {
		t.Errorf("RetryAfter %v, %d hits, sleeps %v; want 1h, 1 hit, no sleep", apiErr.RetryAfter, hs.hits.Load(), hs.clock.Sleeps())
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) },
		func(c *rest.Config) { c.Retry.MaxRetries = 6 })
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
	if err == nil || hs.hits.Load() != 7 {
		t.Fatalf("err = %v after %d hits, want a 503 after 7", err, hs.hits.Load())
	}
	// MinWait 1s doubling, capped at 8s; equal jitter gives [d/2, d].
	caps := []time.Duration{1, 2, 4, 8, 8, 8}
	for i, s := range hs.clock.Sleeps() {
		if d := caps[i] * time.Second; s < d/2 || s > d {
			t.Errorf("sleep %d = %v, want within [%v, %v]", i, s, d/2, d)
		}
	}
}

// blockingClock's Sleep waits for its context only: it proves a wait ends
// because the context ended, never because time passed.
type blockingClock struct{ sleeping chan struct{} }

func (blockingClock) Now() time.Time { return epoch }
func (c blockingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.sleeping <- struct{}{}
	<-ctx.Done()
	return ctx.Err()
}

func TestCancelEndsBackoffAtOnce(t *testing.T) {
	t.Parallel()
	clock := blockingClock{sleeping: make(chan struct{})}
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) },
		func(c *rest.Config) { c.Clock = clock; c.Retry.MinWait = time.Hour; c.Retry.MaxWait = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := hs.client.Do(ctx, &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
		done <- err
	}()
	<-clock.sleeping // the client is in its one-hour backoff
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || hs.hits.Load() != 1 {
		t.Errorf("err = %v after %d hits, want context.Canceled after 1", err, hs.hits.Load())
	}
	checkNoSecret(t, err)
}

func TestCancelledCreateInFlightIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		cancel() // the server has the request; the caller gives up
		<-release
	})
	t.Cleanup(func() { close(release) })
	_, err := hs.do(ctx, &rest.Request{Method: http.MethodPost, Path: "items"}, nil)
	if !errors.Is(err, shopimg.ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want ErrOutcomeUnknown and context.Canceled", err)
	}
}

func TestRetryLogsAreRedacted(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, failTimes(1, 503, nil, okJSON(`{}`)))
	q := url.Values{"access_token": {secret}, "page": {"2"}}
	if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x", Query: q}, nil); err != nil {
		t.Fatal(err)
	}
	logs := hs.logs.String()
	if !strings.Contains(logs, "shopimg retry") || !strings.Contains(logs, "status=503") {
		t.Errorf("logs lack the retry line:\n%s", logs)
	}
	// The harness's cleanup checks the secret is absent.
}

// TestRetryMatrix is the retry policy in one table: for each kind of request
// and each way its first attempt can fail, whether the core retries it (and
// the second attempt then succeeds) or gives up at once, and whether the
// error then says the outcome is unknown.
func TestRetryMatrix(t *testing.T) {
	t.Parallel()
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
			_, _ = w.Write([]byte(`{"error":"failed"}`))
		}
	}
	failures := map[string]http.HandlerFunc{
		"EOF": hangUp, "RST": resetConn,
		"400": status(400), "404": status(404), "408": status(408), "409": status(409),
		"423": status(423), "429": status(429),
		"500": status(500), "501": status(501), "502": status(502), "503": status(503), "504": status(504),
	}
	const dial = "dial"
	type want int
	const (
		retried want = iota // retried once, then success
		final               // not retried, a plain error
		unknown             // not retried, an error matching ErrOutcomeUnknown
	)
	cases := []struct {
		method  string
		op      rest.Effect
		failure string
		want    want
	}{
		// Reads: network errors, 429 and 5xx except 501.
		{"GET", rest.Auto, "429", retried},
		{"GET", rest.Auto, "500", retried},
		{"GET", rest.Auto, "502", retried},
		{"GET", rest.Auto, "503", retried},
		{"GET", rest.Auto, "504", retried},
		{"GET", rest.Auto, "EOF", retried},
		{"GET", rest.Auto, "RST", retried},
		{"GET", rest.Auto, dial, retried},
		{"GET", rest.Auto, "501", final},
		{"GET", rest.Auto, "400", final},
		{"GET", rest.Auto, "404", final},
		{"POST", rest.Read, "500", retried},
		{"POST", rest.Read, "RST", retried},
		// Idempotent writes: the same.
		{"PUT", rest.Auto, "500", retried},
		{"PUT", rest.Auto, "RST", retried},
		{"PUT", rest.Auto, "501", final},
		{"PATCH", rest.Auto, "503", retried},
		{"PATCH", rest.Auto, "EOF", retried},
		{"DELETE", rest.Auto, "502", retried},
		{"DELETE", rest.Auto, "429", retried},
		{"DELETE", rest.Auto, "409", final},
		{"POST", rest.Write, "503", retried},
		// Creates: only when the server surely did not act.
		{"POST", rest.Auto, "429", retried},
		{"POST", rest.Auto, "423", retried}, // a PauseStatus
		{"POST", rest.Auto, dial, retried},
		{"POST", rest.Create, "429", retried},
		{"POST", rest.Auto, "500", unknown},
		{"POST", rest.Auto, "501", unknown},
		{"POST", rest.Auto, "502", unknown},
		{"POST", rest.Auto, "503", unknown},
		{"POST", rest.Auto, "504", unknown},
		{"POST", rest.Auto, "408", unknown},
		{"POST", rest.Auto, "EOF", unknown},
		{"POST", rest.Auto, "RST", unknown},
		{"PUT", rest.Create, "500", unknown},
		{"POST", rest.Auto, "400", final},
		{"POST", rest.Auto, "409", final},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%s/%s", tc.method, tc.op, tc.failure), func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			fail := failures[tc.failure]
			hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 && fail != nil {
					fail(w, r)
					return
				}
				okJSON(`{"id":1}`)(w, r)
			}, func(c *rest.Config) {
				c.PauseStatuses = []int{423}
				if tc.failure == dial {
					c.HTTPClient = failFirstDial()
				}
			})
			var got item
			resp, err := hs.do(context.Background(), &rest.Request{Method: tc.method, Path: "items/1", Effect: tc.op, JSON: item{Name: "a"}}, &got)
			switch tc.want {
			case retried:
				if err != nil || got.ID != 1 || resp.Attempts != 2 {
					t.Fatalf("got %+v, %v; want success on the second attempt", got, err)
				}
				if n := len(hs.clock.Sleeps()); n != 1 {
					t.Errorf("slept %d times, want 1", n)
				}
			case final, unknown:
				if err == nil {
					t.Fatalf("got %+v, want an error", got)
				}
				if is := errors.Is(err, shopimg.ErrOutcomeUnknown); is != (tc.want == unknown) {
					t.Errorf("err = %v: matches ErrOutcomeUnknown = %v, want %v", err, is, tc.want == unknown)
				}
				if n := calls.Load(); n != 1 {
					t.Errorf("the server saw %d attempts, want 1", n)
				}
				if n := len(hs.clock.Sleeps()); n != 0 {
					t.Errorf("slept %d times, want 0", n)
				}
			}
		})
	}
}

func TestCreateStillRateLimitedIsNotOutcomeUnknown(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "items"}, nil)
	var apiErr *shopimg.APIError
	if !errors.Is(err, shopimg.ErrRateLimited) || errors.Is(err, shopimg.ErrOutcomeUnknown) || !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want ErrRateLimited and not ErrOutcomeUnknown", err)
	}
	if hs.hits.Load() != 4 || apiErr.RetryAfter != time.Second {
		t.Errorf("%d hits, RetryAfter %v; want 4 (MaxRetries 3) and 1s", hs.hits.Load(), apiErr.RetryAfter)
	}
}

func TestUnreadableSuccessBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method  string
		unknown bool
		hits    int64
	}{{http.MethodPost, true, 1}, {http.MethodPut, true, 1}, {http.MethodGet, false, 4}} {
		t.Run(tc.method, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, okJSON(`{"id":`))
			var got item
			_, err := hs.do(context.Background(), &rest.Request{Method: tc.method, Path: "items"}, &got)
			// A read is retried (a proxy may have cut the body); a write
			// answered 2xx probably happened, so its outcome is unknown.
			if err == nil || errors.Is(err, shopimg.ErrOutcomeUnknown) != tc.unknown || !errors.Is(err, shopimg.ErrUnavailable) {
				t.Errorf("err = %v, want a decoding error matching ErrUnavailable (outcome unknown: %v)", err, tc.unknown)
			}
			if hs.hits.Load() != tc.hits {
				t.Errorf("hits = %d, want %d", hs.hits.Load(), tc.hits)
			}
		})
	}
}

func TestServerErrorRetryAfter(t *testing.T) {
	t.Parallel()
	t.Run("honoured", func(t *testing.T) {
		t.Parallel()
		hs := newHarness(t, failTimes(1, 503, map[string]string{"Retry-After": "20"}, okJSON(`{}`)))
		if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil); err != nil {
			t.Fatal(err)
		}
		if s := hs.clock.Sleeps(); len(s) != 1 || s[0] < 20*time.Second {
			t.Errorf("sleeps = %v, want one of at least 20s", s)
		}
	})
	t.Run("above the cap", func(t *testing.T) {
		t.Parallel()
		hs := newHarness(t, failTimes(1, 503, map[string]string{"Retry-After": "3600"}, okJSON(`{}`)))
		_, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil)
		var apiErr *shopimg.APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 || apiErr.RetryAfter != time.Hour {
			t.Fatalf("err = %v, want the 503 with RetryAfter 1h", err)
		}
		if hs.hits.Load() != 1 || len(hs.clock.Sleeps()) != 0 {
			t.Errorf("%d hits, sleeps %v; want 1 and none", hs.hits.Load(), hs.clock.Sleeps())
		}
	})
}

func TestVendorRetryHeaderAndPauseStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status int
		header map[string]string
		want   time.Duration
	}{
		// The vendor's own header, read by its RateReader (BigCommerce X-Retry-After).
		{"vendor header on 429", 429, map[string]string{"X-Wait-S": "5"}, 5 * time.Second},
		// The larger of Retry-After and the vendor's reset wins.
		{"larger of both", 429, map[string]string{"X-Wait-S": "5", "Retry-After": "9"}, 9 * time.Second},
		{"pause status with Retry-After", 423, map[string]string{"Retry-After": "4"}, 4 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs := newHarness(t, failTimes(1, tc.status, tc.header, okJSON(`{}`)), func(c *rest.Config) {
				c.PauseStatuses = []int{423}
				c.ReadRate = func(h http.Header) (rest.RateInfo, bool) {
					s, err := strconv.Atoi(h.Get("X-Wait-S"))
					if err != nil {
						return rest.RateInfo{}, false
					}
					return rest.RateInfo{RetryAfter: time.Duration(s) * time.Second}, true
				}
			})
			if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodPost, Path: "x"}, nil); err != nil {
				t.Fatal(err)
			}
			if s := hs.clock.Sleeps(); len(s) != 1 || s[0] < tc.want || s[0] > tc.want+tc.want/10 {
				t.Errorf("sleeps = %v, want one of %v plus at most 10%% jitter", s, tc.want)
			}
		})
	}
}

func TestCancelEndsRetryAfterWaitAtOnce(t *testing.T) {
	t.Parallel()
	clock := blockingClock{sleeping: make(chan struct{})}
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "50")
		w.WriteHeader(http.StatusTooManyRequests)
	}, func(c *rest.Config) { c.Clock = clock })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := hs.client.Do(ctx, &rest.Request{Method: http.MethodPost, Path: "items"}, nil)
		done <- err
	}()
	<-clock.sleeping // waiting out the Retry-After
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) || errors.Is(err, shopimg.ErrOutcomeUnknown) || hs.hits.Load() != 1 {
		t.Errorf("err = %v after %d hits; want context.Canceled (the create surely not done) after 1", err, hs.hits.Load())
	}
	checkNoSecret(t, err)
}

func TestRetryLogsOnlyRetriesThatHappen(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) },
		func(c *rest.Config) { c.Retry.MaxRetries = 1 })
	if _, err := hs.do(context.Background(), &rest.Request{Method: http.MethodGet, Path: "x"}, nil); err == nil {
		t.Fatal("want the 503")
	}
	logs := hs.logs.String()
	if got := strings.Count(logs, "shopimg retry"); got != 1 {
		t.Errorf("%d retry lines for 1 retry:\n%s", got, logs)
	}
	if got := strings.Count(logs, "shopimg request"); got != 2 {
		t.Errorf("%d request lines for 2 attempts:\n%s", got, logs)
	}
}
