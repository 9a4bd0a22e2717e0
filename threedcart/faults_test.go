package threedcart_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopimg/shopimg"
	"github.com/shopimg/shopimg/shopimgtest"
	"github.com/shopimg/shopimg/threedcart"
	"github.com/shopimg/shopimg/threedcart/threedcarttest"
)

func TestDroppedPostIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, applied := range []bool{true, false} {
		e := newEnv(t, nil)
		e.srv.AddProduct(9)
		e.srv.Faults().Add(threedcarttest.Fault{Method: "POST", Path: threedcarttest.ImagesPath(9), Drop: true, AfterApply: applied})
		_, err := e.images.Add(context.Background(), "9", shopimg.NewImage{SourceURL: "https://cdn.example.com/a.jpg"})
		if !errors.Is(err, shopimg.ErrOutcomeUnknown) {
			t.Errorf("applied=%v: err = %v, want ErrOutcomeUnknown", applied, err)
		}
		if n := e.srv.Recorder().Count("POST", ""); n != 1 {
			t.Errorf("applied=%v: the create was sent %d times, want once (never retried)", applied, n)
		}
		stored, _ := e.srv.Images(9)
		if len(stored) != map[bool]int{true: 1, false: 0}[applied] {
			t.Errorf("applied=%v: the store holds %d images", applied, len(stored))
		}
	}
}

func TestServerErrorOnPostIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.srv.AddProduct(9)
	e.srv.Faults().Add(threedcarttest.Fault{Method: "POST", AfterApply: true, Status: http.StatusBadGateway})
	_, _, err := e.client.CreateImage(context.Background(), 9, threedcart.CreateImageRequest{ImageGalleryFile: "https://cdn.example.com/a.jpg"})
	var ae *threedcart.APIError
	if !errors.Is(err, shopimg.ErrOutcomeUnknown) || !errors.As(err, &ae) || ae.StatusCode != 502 {
		t.Errorf("err = %v, want ErrOutcomeUnknown wrapping a 502", err)
	}
	if n := e.srv.Recorder().Count("POST", ""); n != 1 {
		t.Errorf("sent %d times", n)
	}
}

func TestRateLimitedPostIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.srv.AddProduct(9)
	e.srv.Faults().Add(threedcarttest.Fault{Method: "POST", Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"7"}}})
	if _, err := e.images.Add(context.Background(), "9", shopimg.NewImage{SourceURL: "https://cdn.example.com/a.jpg"}); err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Recorder().Count("POST", ""); n != 2 {
		t.Errorf("sent %d POSTs, want 2", n)
	}
	if slept := e.clock.Slept(); slept < 7*time.Second || slept > 8*time.Second {
		t.Errorf("waited %v, want Retry-After's 7s (+jitter)", slept)
	}
}

func TestServerErrorOnPutIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	imgs := e.srv.AddProduct(9, threedcarttest.Image{ImageGalleryFile: "a.jpg", ImageGallerySorting: 1}, threedcarttest.Image{ImageGalleryFile: "b.jpg", ImageGallerySorting: 2})
	e.srv.Faults().Add(threedcarttest.Fault{Method: "PUT", Path: threedcarttest.ImagesPath(9), Status: http.StatusServiceUnavailable, Times: 2})
	err := e.images.Reorder(context.Background(), "9", []string{fmt.Sprint(imgs[1].ImageGalleryID), fmt.Sprint(imgs[0].ImageGalleryID)})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.srv.Recorder().Count("PUT", ""); n != 3 {
		t.Errorf("sent %d PUTs, want 3 (two 503s, then success)", n)
	}
	// The backoff waits went through the fake clock (so cost no real time).
	if sleeps := e.clock.Sleeps(); len(sleeps) != 2 || sleeps[0] <= 0 || sleeps[1] <= 0 {
		t.Errorf("backoff waits on the clock = %v, want 2 positive ones", sleeps)
	}
	stored, _ := e.srv.Images(9)
	if stored[0].ImageGallerySorting != 2 || stored[1].ImageGallerySorting != 1 {
		t.Errorf("stored %+v", stored)
	}
}

func TestDroppedGetIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.srv.AddProduct(9, threedcarttest.Image{ImageGalleryFile: "a.jpg"})
	// Dropped twice: net/http itself resends a GET once on a reused
	// connection.
	e.srv.Faults().Add(threedcarttest.Fault{Method: "GET", Drop: true, Times: 2})
	list, err := e.images.List(context.Background(), "9")
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
}

func TestHTMLErrorBodyIsClear(t *testing.T) {
	t.Parallel()
	html, err := os.ReadFile(filepath.Join("..", "internal", "testdata", "threedcart", "error_html.html"))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, nil, threedcart.WithRetry(shopimg.RetryPolicy{MaxRetries: 1}))
	e.srv.AddProduct(9)
	e.srv.Faults().Add(threedcarttest.Fault{Method: "GET", Status: http.StatusServiceUnavailable, Header: http.Header{"Content-Type": {"text/html"}}, Body: string(html), Times: 2})
	_, err = e.images.List(context.Background(), "9")
	want := "threedcart: GET /3dCartWebAPI/v1/Products/9/Images: 503 Service Unavailable: HTML error page (490 bytes): 503 - Service Unavailable (after 2 attempts)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
	if n := e.srv.Recorder().Count("GET", ""); n != 2 {
		t.Errorf("sent %d GETs, want 2 (one retry)", n)
	}
}

func TestWrongCredentialsAreUnauthorized(t *testing.T) {
	t.Parallel()
	sentinel := threedcart.Credentials{SecureURL: "https://sentinel-a1.3dcartstores.com", PrivateKey: "sentinel-key-b2", Token: "sentinel-token-c3"}
	clock := shopimgtest.NewClock(epoch)
	srv := threedcarttest.NewServer(threedcarttest.WithCredentials(sentinel), threedcarttest.WithClock(clock))
	t.Cleanup(srv.Close)
	srv.AddProduct(9)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := context.Background()

	wrong := sentinel
	wrong.Token = "sentinel-token-wrong-d4"
	bad, err := threedcart.NewClient(wrong, threedcart.WithBaseURL(srv.URL), threedcart.WithHTTPClient(srv.Client()), threedcart.WithLogger(logger), threedcart.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.ProductImages().List(ctx, "9")
	var ae *threedcart.APIError
	if !errors.Is(err, shopimg.ErrUnauthorized) || !errors.As(err, &ae) || ae.Message != "Authorization has been denied for this request." {
		t.Fatalf("err = %v, want ErrUnauthorized with the API's message", err)
	}
	text := err.Error()

	good, err := srv.NewClient(threedcart.WithLogger(logger), threedcart.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := good.ProductImages().Add(ctx, "9", shopimg.NewImage{SourceURL: "https://cdn.example.com/a.jpg"}); err != nil {
		t.Fatal(err)
	}
	text += logs.String()
	for _, r := range srv.Recorder().Requests() {
		for _, h := range []string{"SecureURL", "PrivateKey", "Token"} {
			if got := r.Header.Get(h); got != threedcarttest.Redacted {
				t.Errorf("%s %s: recorded %s = %q, want it redacted", r.Method, r.Path, h, got)
			}
		}
		text += r.Path + r.RawQuery + string(r.Body)
	}
	for _, s := range []string{"sentinel-a1", "sentinel-key-b2", "sentinel-token-c3", "sentinel-token-wrong-d4"} {
		if strings.Contains(text, s) {
			t.Errorf("credential %q appears in logs, errors or recorded requests:\n%s", s, text)
		}
	}
	if !strings.Contains(logs.String(), "status=401") {
		t.Errorf("expected the 401 in the debug log:\n%s", logs.String())
	}
}

func TestFakeRoutesLikeASPNET(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.srv.AddProduct(9, threedcarttest.Image{ImageGalleryFile: "a.jpg"})
	creds := e.srv.Credentials()
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		req.Header["SecureURL"] = []string{creds.SecureURL}
		req.Header["PrivateKey"] = []string{creds.PrivateKey}
		req.Header["Token"] = []string{creds.Token}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, strings.TrimSpace(b.String())
	}
	cases := []struct {
		method, path, body string
		status             int
		contains           string
	}{
		{"DELETE", "/3dCartWebAPI/v1/Products/9/Images/1001", "", 405, "does not support http method 'DELETE'"},
		{"GET", "/3dCartWebAPI/v1/Products/9/Images/1001", "", 405, "does not support"},
		{"GET", "/3dCartWebAPI/v1/Products/9", "", 404, "No HTTP resource was found"},
		{"GET", "/3dCartWebAPI/v1/Products/x/Images", "", 400, "The request is invalid."},
		{"GET", "/3dCartWebAPI/v1/Products/9/Images?limit=-1", "", 400, "non-negative"},
		{"PUT", "/3dCartWebAPI/v1/Products/9/Images", "{not json", 400, "The request is invalid."},
		{"PUT", "/3dCartWebAPI/v1/Products/9/Images/1001", `{"ImageGalleryID":5}`, 200, `"Status":"400"`},
		{"PUT", "/3dCartWebAPI/v1/Products/9/Images", `[{"ImageGalleryCaption":"x"}]`, 200, "ImageGalleryID is required"},
		{"POST", "/3dCartWebAPI/v1/Products/9/Images", `{"ImageGalleryCaption":"x"}`, 200, "ImageGalleryFile is required"},
		{"POST", "/3dCartWebAPI/v1/Products/8/Images", `{"ImageGalleryFile":"x"}`, 404, "Product not found"},
		{"GET", "/3dCartWebAPI/v1/Products/9/Images?offset=1", "", 400, threedcart.MessageOffsetExceeded},
	}
	for _, tc := range cases {
		status, body := do(tc.method, tc.path, tc.body)
		if status != tc.status || !strings.Contains(body, tc.contains) {
			t.Errorf("%s %s: %d %s, want %d and %q", tc.method, tc.path, status, body, tc.status, tc.contains)
		}
	}
	// A PUT that leaves a field out keeps its value.
	if status, _ := do("PUT", "/3dCartWebAPI/v1/Products/9/Images/1001", `{"ImageGalleryCaption":"only the caption"}`); status != 200 {
		t.Fatalf("PUT: %d", status)
	}
	stored, _ := e.srv.Images(9)
	if stored[0].ImageGalleryFile != "a.jpg" || stored[0].ImageGalleryCaption != "only the caption" {
		t.Errorf("after a partial PUT: %+v", stored[0])
	}
}

// TestQuotaIsWaitedOut runs adds and a list against a fake that allows 4
// requests per 10s: each 429 is waited out for its Retry-After (on the fake
// clock), so every call succeeds, no create is lost or doubled, and only the
// first request into each spent window is refused.
func TestQuotaIsWaitedOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, []threedcarttest.Option{threedcarttest.WithQuota(4, 10*time.Second)})
	e.srv.AddProduct(9)
	ctx := context.Background()
	const adds = 6
	for i := range adds {
		if _, err := e.images.Add(ctx, "9", shopimg.NewImage{SourceURL: fmt.Sprintf("https://cdn.example.com/%d.jpg", i)}); err != nil {
			t.Fatalf("Add %d: %v", i, err)
		}
	}
	list, err := e.images.List(ctx, "9")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != adds {
		t.Errorf("listed %d images, want %d", len(list), adds)
	}
	// Each add lists (one GET, the empty 404, for the first; a page and
	// the end for the others) then POSTs, and the list is 2 GETs: 19
	// requests admitted, 5 windows of 4, and one refusal at the start of
	// each window but the first.
	admitted := 2 + (adds-1)*3 + 2
	windows := (admitted + 3) / 4
	if got := e.srv.Quota().Rejected(); got != windows-1 {
		t.Errorf("%d requests refused, want %d", got, windows-1)
	}
	if got, want := len(e.srv.Recorder().Requests()), admitted+windows-1; got != want {
		t.Errorf("%d requests, want %d", got, want)
	}
	if got := e.srv.Recorder().Count("POST", ""); got != adds+countRejected(e, "POST") {
		t.Errorf("%d POSTs, want one per add plus one per refused POST", got)
	}
	if slept := e.clock.Slept(); slept < time.Duration(windows-1)*10*time.Second {
		t.Errorf("slept %v; each of the %d refusals should wait for the window to end", slept, windows-1)
	}
}

// countRejected counts the requests of method answered 429.
func countRejected(e *env, method string) int {
	n := 0
	for _, r := range e.srv.Recorder().Requests() {
		if r.Method == method && r.Status == http.StatusTooManyRequests {
			n++
		}
	}
	return n
}
