package shoptet_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shoptet"
	"github.com/shopimg/shopimg/shoptet/shoptettest"
)

func jobAnswer(status string) answer {
	return ok(envelope(map[string]any{"job": map[string]any{
		"jobId": "j1", "endpoint": "/api/products/images", "creationTime": "2018-05-29T09:02:27+0200", "completionTime": nil,
		"duration": nil, "status": status, "resultUrl": nil, "validUntil": nil, "log": "a log line",
	}}))
}

// TestGetJobDecodesTheSpecExample decodes the spec's job detail.
func TestGetJobDecodesTheSpecExample(t *testing.T) {
	t.Parallel()
	m := newMocked(t)
	m.on(http.MethodGet, "/api/system/jobs/3ax1844", ok(loadFixture(t, "job_get.json")))
	job, _, err := m.client.GetJob(ctx, "3ax1844")
	if err != nil {
		t.Fatal(err)
	}
	want := shoptet.Job{
		JobID: "3ax1844", Endpoint: "/api/products/images", CreationTime: tm("2018-05-29T09:02:27+0200"),
		CompletionTime: tm("2018-05-29T09:02:47+0200"), Duration: "20.123", Status: shoptet.JobCompleted,
		ResultURL: "https://eshop.domain.com/api-results/3ax1844-lrmsrf0.json", ValidUntil: tm("2018-05-30T09:02:47+0200"),
		Log: "Some really long text", Language: "cs",
	}
	if d := cmp.Diff(want, job); d != "" {
		t.Errorf("job (-want +got):\n%s", d)
	}
}

// TestWaitJobBacksOff polls with doubling gaps on the client's clock,
// takes the detail-limit 403 as "not done yet" (then polls at the longest
// gap), and returns the completed job.
func TestWaitJobBacksOff(t *testing.T) {
	t.Parallel()
	m := newMocked(t)
	limit := answer{status: 403, body: loadFixture(t, "error_job_limit_403.json")}
	m.on(http.MethodGet, "/api/system/jobs/j1", jobAnswer("pending"), jobAnswer("running"), limit, jobAnswer("running"), jobAnswer("completed"))
	w := &shoptet.JobWait{First: time.Second, Max: 10 * time.Second}
	job, _, err := m.client.WaitJob(ctx, "j1", w)
	if err != nil || job.Status != shoptet.JobCompleted {
		t.Fatalf("WaitJob = %+v, %v", job, err)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 10 * time.Second, 10 * time.Second}
	if d := cmp.Diff(want, m.clock.Sleeps()); d != "" {
		t.Errorf("sleeps (-want +got):\n%s", d)
	}
}

// TestWaitJobEnds covers the other ends of a wait: a failed, killed or
// expired job, a timeout, a cancelled context, and an unknown job.
func TestWaitJobEnds(t *testing.T) {
	t.Parallel()
	for status, kind := range map[string]error{"failed": shopimg.ErrInvalidInput, "killed": shopimg.ErrUnavailable, "expired": shopimg.ErrUnavailable} {
		m := newMocked(t)
		m.on(http.MethodGet, "/api/system/jobs/j1", jobAnswer(status))
		job, _, err := m.client.WaitJob(ctx, "j1", nil)
		var je *shoptet.JobError
		if !errors.As(err, &je) || !errors.Is(err, kind) || job.Status != shoptet.JobStatus(status) || je.Job.Log != "a log line" {
			t.Errorf("%s: WaitJob = %+v, %v; want a *JobError matching %v", status, job, err, kind)
		}
	}
	m := newMocked(t)
	m.on(http.MethodGet, "/api/system/jobs/j1", jobAnswer("running"))
	_, _, err := m.client.WaitJob(ctx, "j1", &shoptet.JobWait{First: time.Second, Max: time.Minute, Timeout: 10 * time.Minute})
	var we *shoptet.JobWaitError
	if !errors.As(err, &we) || !errors.Is(err, shopimg.ErrOutcomeUnknown) || we.Err != nil || we.Job.Status != shoptet.JobRunning {
		t.Errorf("timeout: err = %v, want a *JobWaitError matching ErrOutcomeUnknown", err)
	}
	if slept := m.clock.Slept(); slept > 10*time.Minute {
		t.Errorf("waited %v, past the timeout", slept)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := m.client.WaitJob(cctx, "j1", nil); !errors.Is(err, context.Canceled) || !errors.Is(err, shopimg.ErrOutcomeUnknown) {
		t.Errorf("cancelled: err = %v, want context.Canceled and ErrOutcomeUnknown", err)
	}
	m = newMocked(t)
	m.on(http.MethodGet, "/api/system/jobs/j1", answer{status: 404, body: loadFixture(t, "error_job_404.json")})
	if _, _, err := m.client.WaitJob(ctx, "j1", nil); !errors.Is(err, shopimg.ErrNotFound) {
		t.Errorf("unknown job: err = %v, want ErrNotFound", err)
	}
}

// TestAccessTokenSource gets tokens from the fake's OAuth server with the
// OAuth token as a bearer token, caches each until a minute before it
// expires, shares one fetch between concurrent callers, and refuses a bad
// OAuth token with ErrUnauthorized.
func TestAccessTokenSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	c, src, err := f.srv.NewAddonClient()
	if err != nil {
		t.Fatal(err)
	}
	guid := shoptet.ProductGUID(f.srv.AddProduct())
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, _, err := c.ListImages(ctx, guid, ""); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := f.srv.IssuedTokens(); n != 1 {
		t.Errorf("%d tokens issued for 8 concurrent calls, want 1", n)
	}
	f.clock.Advance(shoptettest.DefaultTokenLifetime - shoptet.TokenEarlyExpiry - time.Second)
	if _, _, err := c.ListImages(ctx, guid, ""); err != nil || f.srv.IssuedTokens() != 1 {
		t.Errorf("before the early expiry: err %v, %d tokens issued, want the cached one", err, f.srv.IssuedTokens())
	}
	f.clock.Advance(2 * time.Second)
	if _, _, err := c.ListImages(ctx, guid, ""); err != nil || f.srv.IssuedTokens() != 2 {
		t.Errorf("after the early expiry: err %v, %d tokens issued, want a new one", err, f.srv.IssuedTokens())
	}
	tok, err := src.Token()
	if err != nil || tok.AccessToken == "" || !tok.Expiry.After(f.clock.Now()) {
		t.Errorf("Token() = %+v, %v", tok, err)
	}
	src.Invalidate()
	if _, err := src.Token(); err != nil || f.srv.IssuedTokens() != 3 {
		t.Errorf("after Invalidate: %v, %d tokens issued, want a new one", err, f.srv.IssuedTokens())
	}
	for _, r := range f.srv.Recorder().Requests() {
		if r.Path == "/action/ApiOAuthServer/getAccessToken" && r.Header.Get("Authorization") != shoptettest.Redacted {
			t.Errorf("token request without the OAuth token as a bearer token: %v", r.Header)
		}
	}

	bad, err := shoptet.NewAccessTokenSource(f.srv.URL, "wrong-oauth-token", shoptet.WithHTTPClient(f.srv.Client()), shoptet.WithClock(f.clock))
	if err != nil {
		t.Fatal(err)
	}
	badClient, err := shoptet.NewClient(shoptet.Credentials{AccessTokens: bad}, shoptet.WithBaseURL(f.srv.URL), shoptet.WithHTTPClient(f.srv.Client()), shoptet.WithClock(f.clock))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := badClient.ListImages(ctx, guid, ""); !errors.Is(err, shopimg.ErrUnauthorized) {
		t.Errorf("with a bad OAuth token: err = %v, want ErrUnauthorized", err)
	}
	if _, err := shoptet.NewAccessTokenSource("not a url", "x"); !errors.Is(err, shopimg.ErrInvalidInput) {
		t.Errorf("bad e-shop URL: err = %v", err)
	}
}

// TestTokenLifetimeFromTheAnswer: expires_in as a number or a string, and
// DefaultTokenLifetime without it.
func TestTokenLifetimeFromTheAnswer(t *testing.T) {
	t.Parallel()
	for body, life := range map[string]time.Duration{
		string(loadFixture(t, "token_get.json")):           30 * time.Minute,
		`{"access_token":"tok-123456","expires_in":"600"}`: 10 * time.Minute,
		`{"access_token":"tok-123456"}`:                    shoptet.DefaultTokenLifetime,
	} {
		m := newMocked(t)
		m.on(http.MethodGet, "/action/ApiOAuthServer/getAccessToken", ok([]byte(body)))
		hc := &http.Client{Transport: m.mock}
		src, err := shoptet.NewAccessTokenSource(mockBase, "oauth-token-1", shoptet.WithHTTPClient(hc), shoptet.WithClock(m.clock))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := src.Token()
		if err != nil {
			t.Fatal(err)
		}
		if got := tok.Expiry.Sub(m.clock.Now()); got != life {
			t.Errorf("%s: lifetime %v, want %v", body, got, life)
		}
		if got := m.reqs[0].Header.Get("Authorization"); got != "Bearer oauth-token-1" {
			t.Errorf("Authorization = %q", got)
		}
	}
	m := newMocked(t)
	m.on(http.MethodGet, "/action/ApiOAuthServer/getAccessToken", ok([]byte(`{"expires_in":1800}`)))
	src, _ := shoptet.NewAccessTokenSource(mockBase, "oauth-token-1", shoptet.WithHTTPClient(&http.Client{Transport: m.mock}), shoptet.WithClock(m.clock))
	if _, err := src.Token(); err == nil {
		t.Error("an answer without access_token gave no error")
	}
}
