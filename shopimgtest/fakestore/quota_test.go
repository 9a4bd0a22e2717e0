package fakestore

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// bigCommerceHeaders writes BigCommerce-style quota headers.
func bigCommerceHeaders(h http.Header, s QuotaState) {
	h.Set("X-Rate-Limit-Requests-Quota", strconv.Itoa(s.Limit))
	h.Set("X-Rate-Limit-Requests-Left", strconv.Itoa(s.Remaining))
	h.Set("X-Rate-Limit-Time-Window-Ms", strconv.FormatInt(s.Window.Milliseconds(), 10))
	h.Set("X-Rate-Limit-Time-Reset-Ms", strconv.FormatInt(s.ResetIn.Milliseconds(), 10))
}

func TestFixedWindowQuota(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv, v := setup(t, Options{
		Clock:        clock,
		Quota:        &FixedWindow{Limit: 3, Window: 30 * time.Second},
		QuotaHeaders: bigCommerceHeaders,
	})
	check := func(wantStatus int, wantLeft, wantResetMs string) {
		t.Helper()
		resp, body, err := addImage(t, srv, "http://img")
		if err != nil {
			t.Fatal(err)
		}
		got := []string{strconv.Itoa(resp.StatusCode), resp.Header.Get("X-Rate-Limit-Requests-Left"), resp.Header.Get("X-Rate-Limit-Time-Reset-Ms"),
			resp.Header.Get("X-Rate-Limit-Requests-Quota"), resp.Header.Get("X-Rate-Limit-Time-Window-Ms")}
		want := []string{strconv.Itoa(wantStatus), wantLeft, wantResetMs, "3", "30000"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("status, left, reset, quota, window (-want +got):\n%s\nbody %q", diff, body)
		}
	}
	check(201, "2", "30000")
	clock.Advance(time.Second)
	check(201, "1", "29000")
	check(201, "0", "29000")
	check(429, "0", "29000")
	clock.Advance(9 * time.Second)
	check(429, "0", "20000")

	imgs, _ := v.cat.Images("1")
	if len(imgs) != 3 || v.calls.Load() != 3 {
		t.Errorf("%d images, %d handler calls; want 3 and 3: a 429 must not reach the handler", len(imgs), v.calls.Load())
	}
	if n := srv.Quota().Rejected(); n != 2 {
		t.Errorf("Rejected = %d, want 2", n)
	}
	if diff := cmp.Diff([]int{201, 201, 201, 429, 429}, statuses(srv.Recorder().Requests())); diff != "" {
		t.Errorf("recorded statuses (-want +got):\n%s", diff)
	}
	if s := srv.Quota().State(); s.Remaining != 0 || s.ResetIn != 20*time.Second {
		t.Errorf("State = %+v", s)
	}

	clock.Advance(20 * time.Second) // the window ends
	if s := srv.Quota().State(); s.Remaining != 3 {
		t.Errorf("State at the window's end = %+v, want 3 remaining", s)
	}
	check(201, "2", "30000")
}

func TestDefaultRejectSendsRetryAfter(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	srv, _ := setup(t, Options{Clock: clock, Quota: &FixedWindow{Limit: 1, Window: 30 * time.Second}})
	mustSend(t, srv.Client(), "GET", srv.URL+"/products/1/images", "")
	clock.Advance(10*time.Second + time.Millisecond)
	resp, body := mustSend(t, srv.Client(), "GET", srv.URL+"/products/1/images", "")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "20" || body != "Too Many Requests\n" {
		t.Errorf("got %d Retry-After %q %q; want 429, 20 (rounded up), Too Many Requests", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

func TestQuotaRejectComesBeforeFaults(t *testing.T) {
	t.Parallel()
	srv, v := setup(t, Options{Clock: newFakeClock(), Quota: &FixedWindow{Limit: 1, Window: time.Minute}, QuotaHeaders: bigCommerceHeaders})
	srv.Faults().Add(Fault{Status: 500, Times: 2})
	resp, _ := mustSend(t, srv.Client(), "GET", srv.URL+"/products/1/images", "")
	if resp.StatusCode != 500 || resp.Header.Get("X-Rate-Limit-Requests-Left") != "0" {
		t.Errorf("fault response: %d %v; want 500 carrying the quota headers", resp.StatusCode, resp.Header)
	}
	resp, _ = mustSend(t, srv.Client(), "GET", srv.URL+"/products/1/images", "")
	if resp.StatusCode != 429 {
		t.Errorf("over quota: %d, want 429", resp.StatusCode)
	}
	if p := srv.Faults().Pending(); p != 1 || v.calls.Load() != 0 {
		t.Errorf("Pending %d, handler calls %d; want 1 and 0: a 429 uses no fault", p, v.calls.Load())
	}
}

func TestLeakyBucketQuota(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	// Shoptet style: filling on every response, Retry-After as an HTTP date.
	srv, v := setup(t, Options{
		Clock: clock,
		Quota: &LeakyBucket{Capacity: 2, DrainPerSecond: 1},
		QuotaHeaders: func(h http.Header, s QuotaState) {
			h.Set("X-RateLimit-Bucket-Filling", fmt.Sprintf("%d/%d", s.Filling, s.Limit))
		},
		QuotaReject: func(w http.ResponseWriter, s QuotaState) {
			w.Header().Set("Retry-After", s.Now.Add(s.RetryAfter).Format(http.TimeFormat))
			WriteJSON(w, http.StatusTooManyRequests, map[string]any{"errors": []map[string]string{{"errorCode": "too-many-requests"}}})
		},
	})
	check := func(wantStatus int, wantFilling, wantRetry string) {
		t.Helper()
		resp, body := mustSend(t, srv.Client(), "GET", srv.URL+"/products/1/images", "")
		got := []string{strconv.Itoa(resp.StatusCode), resp.Header.Get("X-RateLimit-Bucket-Filling"), resp.Header.Get("Retry-After")}
		if diff := cmp.Diff([]string{strconv.Itoa(wantStatus), wantFilling, wantRetry}, got); diff != "" {
			t.Errorf("status, filling, retry-after (-want +got):\n%s\nbody %q", diff, body)
		}
	}
	at := func(d time.Duration) string { return clock.Now().Add(d).Format(http.TimeFormat) }
	check(200, "1/2", "")
	check(200, "2/2", "")
	check(429, "2/2", at(time.Second))
	clock.Advance(500 * time.Millisecond)
	check(429, "2/2", at(500*time.Millisecond)) // 1.5 drops, shown rounded up
	clock.Advance(500 * time.Millisecond)
	check(200, "2/2", "")
	clock.Advance(10 * time.Second)
	if s := srv.Quota().State(); s.Filling != 0 || s.Remaining != 2 || s.ResetIn != 0 {
		t.Errorf("drained State = %+v", s)
	}
	check(200, "1/2", "")
	if n, r := v.calls.Load(), srv.Quota().Rejected(); n != 4 || r != 2 {
		t.Errorf("handler calls %d, rejected %d; want 4 and 2", n, r)
	}
}

func TestFixedWindowModel(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	q := &FixedWindow{Limit: 2, Window: 30 * time.Second}
	if s := q.Peek(t0); s.Remaining != 2 || s.ResetIn != 30*time.Second {
		t.Errorf("Peek before any request = %+v", s)
	}
	q.Take(t0.Add(time.Second)) // starts the first window at t0+1s
	if s, ok := q.Take(t0.Add(2 * time.Second)); !ok || s.Filling != 2 || s.Remaining != 0 || s.ResetIn != 29*time.Second {
		t.Errorf("second Take = %+v, %v", s, ok)
	}
	if s, ok := q.Take(t0.Add(3 * time.Second)); ok || s.RetryAfter != 28*time.Second {
		t.Errorf("third Take = %+v, %v; want rejected, retry in 28s", s, ok)
	}
	// Windows follow back to back: at t0+75s the third window (t0+61s..91s)
	// is current.
	if s, ok := q.Take(t0.Add(75 * time.Second)); !ok || s.Remaining != 1 || s.ResetIn != 16*time.Second {
		t.Errorf("Take in a later window = %+v, %v", s, ok)
	}
	if s, ok := (&FixedWindow{Limit: 0, Window: time.Second}).Take(t0); ok || s.RetryAfter != time.Second {
		t.Errorf("Limit 0: %+v, %v; want rejected", s, ok)
	}
}

func TestLeakyBucketModel(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// Salla Plus: 120 a minute.
	b := &LeakyBucket{Capacity: 120, DrainPerSecond: 2}
	for i := range 120 {
		if _, ok := b.Take(t0); !ok {
			t.Fatalf("request %d rejected", i+1)
		}
	}
	s, ok := b.Take(t0)
	want := QuotaState{Now: t0, Limit: 120, Remaining: 0, Filling: 120, Window: time.Minute, ResetIn: time.Minute, RetryAfter: 500 * time.Millisecond}
	if diff := cmp.Diff(want, s); ok || diff != "" {
		t.Errorf("121st Take: ok %v (-want +got):\n%s", ok, diff)
	}
	if _, ok := b.Take(t0.Add(500 * time.Millisecond)); !ok {
		t.Error("rejected after waiting RetryAfter")
	}

	// Cost 2 in a bucket of 5: two requests fit, the third needs 1s.
	b = &LeakyBucket{Capacity: 5, DrainPerSecond: 1, Cost: 2}
	b.Take(t0)
	if s, ok := b.Take(t0); !ok || s.Filling != 4 || s.Remaining != 0 {
		t.Errorf("second Take = %+v, %v", s, ok)
	}
	if s, ok := b.Take(t0); ok || s.RetryAfter != time.Second {
		t.Errorf("third Take = %+v, %v; want rejected, retry in 1s", s, ok)
	}
	// A zero time is a valid clock reading.
	b = &LeakyBucket{Capacity: 1, DrainPerSecond: 1}
	b.Take(time.Time{})
	if _, ok := b.Take(time.Time{}.Add(time.Second)); !ok {
		t.Error("a bucket used from the zero time never drained")
	}
}

func TestQuotaConcurrent(t *testing.T) {
	t.Parallel()
	srv, v := setup(t, Options{Clock: newFakeClock(), Quota: &FixedWindow{Limit: 20, Window: time.Minute}})
	var wg sync.WaitGroup
	codes := make(chan int, 50)
	for range 50 {
		wg.Go(func() {
			resp, _, err := send(t, srv.Client(), "GET", srv.URL+"/products/1/images", "")
			if err != nil {
				t.Error(err)
				return
			}
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if diff := cmp.Diff(map[int]int{200: 20, 429: 30}, got); diff != "" {
		t.Errorf("status counts (-want +got):\n%s", diff)
	}
	if v.calls.Load() != 20 || srv.Quota().Rejected() != 30 || srv.Recorder().Count("GET", "") != 50 {
		t.Errorf("handler calls %d, rejected %d, recorded %d", v.calls.Load(), srv.Quota().Rejected(), srv.Recorder().Count("GET", ""))
	}
}

func TestNoQuota(t *testing.T) {
	t.Parallel()
	srv, _ := setup(t, Options{})
	resp, _ := mustSend(t, srv.Client(), "GET", srv.URL+"/products/1/images", "")
	if resp.StatusCode != 200 || srv.Quota().State() != (QuotaState{}) || srv.Quota().Rejected() != 0 {
		t.Errorf("without a quota: %d, %+v", resp.StatusCode, srv.Quota().State())
	}
}

func TestCeilSeconds(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]int64{0: 1, -time.Second: 1, time.Nanosecond: 1, time.Second: 1, time.Second + 1: 2, 29500 * time.Millisecond: 30} {
		if got := CeilSeconds(d); got != want {
			t.Errorf("CeilSeconds(%v) = %d, want %d", d, got, want)
		}
	}
}
